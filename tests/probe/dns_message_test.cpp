#include "dns_message.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <sstream>

namespace sloe::probe::detail {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Bytes = std::vector<std::uint8_t>;

TEST(DnsQuery, EncodesHeaderAndQuestion) {
  const Result<Bytes> query = build_dns_query(0xBEEF, "www.Example.com.", 28);
  ASSERT_TRUE(query.ok()) << query.error().message;
  const Bytes expected = {
      0xBE, 0xEF, 0x01, 0x00, 0, 1,   0,   0,   0,   0,   0,   0,  // id, RD, 1 question
      3,    'w',  'w',  'w',  7, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
      3,    'c',  'o',  'm',  0, 0,   28,  0,   1};
  EXPECT_EQ(*query, expected);
}

TEST(DnsQuery, RootName) {
  const Result<Bytes> query = build_dns_query(1, ".", 2);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->size(), 12u + 1 + 4);
}

TEST(DnsQuery, RejectsBadNames) {
  EXPECT_THAT(build_dns_query(1, "a..b", 1).error().message, HasSubstr("empty label"));
  EXPECT_THAT(build_dns_query(1, ".a", 1).error().message, HasSubstr("empty label"));
  EXPECT_THAT(build_dns_query(1, std::string(64, 'x') + ".com", 1).error().message,
              HasSubstr("longer than 63"));
  std::string long_name;
  for (int i = 0; i < 5; ++i)
    long_name += std::string(60, 'x') + ".";
  EXPECT_THAT(build_dns_query(1, long_name, 1).error().message, HasSubstr("longer than 255"));
}

TEST(DnsType, KnownTypesCaseInsensitive) {
  EXPECT_EQ(dns_type_code("A"), 1);
  EXPECT_EQ(dns_type_code("aaaa"), 28);
  EXPECT_EQ(dns_type_code("MX"), 15);
  EXPECT_EQ(dns_type_code("SRV"), 33);
  EXPECT_FALSE(dns_type_code("AXFR"));
}

// A reply to "example.com A" with the given flags and answer records appended raw.
Bytes reply(std::uint16_t flags, std::uint16_t answers, const Bytes& records = {}) {
  Bytes message = *build_dns_query(7, "example.com", 1);
  message[2] = static_cast<std::uint8_t>(flags >> 8);
  message[3] = static_cast<std::uint8_t>(flags);
  message[7] = static_cast<std::uint8_t>(answers);
  message.insert(message.end(), records.begin(), records.end());
  return message;
}

const Bytes kARecord = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};

TEST(DnsReply, CountsAnswers) {
  Bytes records = kARecord;
  records.insert(records.end(), kARecord.begin(), kARecord.end());
  const Result<DnsReply> parsed = parse_dns_reply(reply(0x8180, 2, records), "EXAMPLE.com.", 1);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->rcode, 0);
  EXPECT_EQ(parsed->answer_count, 2);
  EXPECT_FALSE(parsed->truncated);
  EXPECT_EQ(dns_reply_id(reply(0x8180, 0)), 7);
}

TEST(DnsReply, ReportsRcodeAndTruncation) {
  EXPECT_EQ(parse_dns_reply(reply(0x8183, 0), "example.com", 1)->rcode, 3);
  EXPECT_TRUE(parse_dns_reply(reply(0x8380, 0), "example.com", 1)->truncated);
  EXPECT_EQ(dns_rcode_name(3), "NXDOMAIN");
  EXPECT_EQ(dns_rcode_name(2), "SERVFAIL");
  EXPECT_EQ(dns_rcode_name(12), "RCODE 12");
}

TEST(DnsReply, RejectsMalformedMessages) {
  EXPECT_THAT(parse_dns_reply(Bytes{0, 7, 0x81, 0x80, 0}, "example.com", 1).error().message,
              StartsWith("malformed DNS response: 5 bytes"));
  EXPECT_THAT(parse_dns_reply(reply(0x0100, 0), "example.com", 1).error().message,
              HasSubstr("QR bit"));
  // Answer count says 1, but the record is cut short.
  Bytes cut = kARecord;
  cut.resize(12);
  EXPECT_THAT(parse_dns_reply(reply(0x8180, 1, cut), "example.com", 1).error().message,
              HasSubstr("answer record 1 runs past the end"));
  // An answer owner that points at itself.
  Bytes loop = reply(0x8180, 1);
  const auto self = static_cast<std::uint8_t>(loop.size());
  loop.insert(loop.end(), {0xC0, self});
  EXPECT_THAT(parse_dns_reply(loop, "example.com", 1).error().message, HasSubstr("loop"));
  // A label that claims more bytes than remain.
  Bytes label = reply(0x8180, 1);
  label.insert(label.end(), {40, 'a'});
  EXPECT_THAT(parse_dns_reply(label, "example.com", 1).error().message,
              HasSubstr("runs past the end"));
}

TEST(DnsReply, RejectsAnswerToAnotherQuestion) {
  EXPECT_THAT(parse_dns_reply(reply(0x8180, 0), "example.org", 1).error().message,
              HasSubstr("another question"));
  EXPECT_THAT(parse_dns_reply(reply(0x8180, 0), "example.com", 28).error().message,
              HasSubstr("another question"));
}

TEST(DnsServerAddress, ParsesNumericForms) {
  const Result<DnsServer> v4 = parse_dns_server("192.0.2.1");
  ASSERT_TRUE(v4.ok());
  const auto& in4 = reinterpret_cast<const sockaddr_in&>(v4->address);
  EXPECT_EQ(in4.sin_family, AF_INET);
  EXPECT_EQ(ntohs(in4.sin_port), 53);

  const Result<DnsServer> v4_port = parse_dns_server("127.0.0.1:5353");
  ASSERT_TRUE(v4_port.ok());
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in&>(v4_port->address).sin_port), 5353);

  const Result<DnsServer> v6 = parse_dns_server("[::1]:54");
  ASSERT_TRUE(v6.ok());
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(v6->address);
  EXPECT_EQ(in6.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6.sin6_port), 54);

  const Result<DnsServer> bare_v6 = parse_dns_server("2001:db8::1");
  ASSERT_TRUE(bare_v6.ok());
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6&>(bare_v6->address).sin6_port), 53);
}

TEST(DnsServerAddress, RejectsNamesAndBadPorts) {
  EXPECT_THAT(parse_dns_server("dns.example").error().message, HasSubstr("numeric IP"));
  EXPECT_THAT(parse_dns_server("127.0.0.1:0").error().message, HasSubstr("invalid port"));
  EXPECT_THAT(parse_dns_server("127.0.0.1:99999").error().message, HasSubstr("invalid port"));
  EXPECT_THAT(parse_dns_server("[::1").error().message, HasSubstr("']'"));
}

TEST(ResolvConf, FirstNameserverWins) {
  std::istringstream conf(
      "# comment\nsearch example.com\nnameserver 10.0.0.2\nnameserver 1.1.1.1\n");
  EXPECT_EQ(first_nameserver(conf), "10.0.0.2");
  std::istringstream empty("search example.com\n");
  EXPECT_FALSE(first_nameserver(empty));
}

}  // namespace
}  // namespace sloe::probe::detail

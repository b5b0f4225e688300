// DNS probes against a scripted UDP responder on 127.0.0.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sloe/probe/engine.h"
#include "test_servers.h"

namespace sloe::probe {
namespace {

using namespace std::chrono_literals;
using testing::dns_spec;
using testing::DnsBehaviour;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ProbeResult ask(const testing::TestDnsServer& server, const std::string& name,
                std::chrono::milliseconds timeout = 2s) {
  SystemClock clock;
  return run_once(clock, testing::dns_probe(server.address(), name, timeout));
}

TEST(DnsProbe, AnswerCountsAndSucceeds) {
  testing::TestDnsServer server(DnsBehaviour::kAnswerA);
  const ProbeResult result = ask(server, "www.example.com");
  EXPECT_TRUE(result.success) << result.failure;
  EXPECT_EQ(result.dns_answer_count, 1);
  EXPECT_EQ(result.target, "www.example.com");
  EXPECT_EQ(result.probe, "dns");
  EXPECT_TRUE(result.phases.empty());
  EXPECT_EQ(server.queries(), 1);
  EXPECT_EQ(server.last_query_type(), 1);
}

TEST(DnsProbe, SendsTheConfiguredType) {
  testing::TestDnsServer server(DnsBehaviour::kNoAnswers);
  ResolvedProbe probe = testing::dns_probe(server.address(), "example.com");
  dns_spec(probe).query_type = "AAAA";
  dns_spec(probe).require_answers = false;
  SystemClock clock;
  EXPECT_TRUE(run_once(clock, probe).success);
  EXPECT_EQ(server.last_query_type(), 28);
}

TEST(DnsProbe, NxDomainFailsUnlessAllowed) {
  testing::TestDnsServer server(DnsBehaviour::kNxDomain);
  const ProbeResult result = ask(server, "missing.example");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "rcode NXDOMAIN for A missing.example");

  ResolvedProbe lenient = testing::dns_probe(server.address(), "missing.example");
  dns_spec(lenient).valid_rcode_noerror_only = false;
  dns_spec(lenient).require_answers = false;
  SystemClock clock;
  EXPECT_TRUE(run_once(clock, lenient).success);
}

TEST(DnsProbe, EmptyAnswerFailsWhenAnswersAreRequired) {
  testing::TestDnsServer server(DnsBehaviour::kNoAnswers);
  const ProbeResult result = ask(server, "empty.example");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.dns_answer_count, 0);
  EXPECT_EQ(result.failure, "no answer records for A empty.example (rcode NOERROR)");
}

TEST(DnsProbe, GarbageReplyIsMalformed) {
  testing::TestDnsServer server(DnsBehaviour::kGarbage);
  const ProbeResult result = ask(server, "example.com");
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.failure, StartsWith("malformed DNS response: 5 bytes"));
}

TEST(DnsProbe, TruncatedReplyFails) {
  testing::TestDnsServer server(DnsBehaviour::kTruncated);
  EXPECT_THAT(ask(server, "example.com").failure, HasSubstr("truncated"));
}

TEST(DnsProbe, ReplyWithAnotherIdIsIgnoredUntilTimeout) {
  testing::TestDnsServer server(DnsBehaviour::kWrongId);
  const ProbeResult result = ask(server, "example.com", 250ms);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure,
            "timeout after 250ms (ignored 1 replies that did not match the query id)");
  EXPECT_GE(result.duration_seconds, 0.25);
}

TEST(DnsProbe, SilentServerTimesOut) {
  testing::TestDnsServer server(DnsBehaviour::kSilent);
  const ProbeResult result = ask(server, "example.com", 200ms);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "timeout after 200ms (no reply from " + server.address() + ")");
  EXPECT_GE(result.duration_seconds, 0.2);
}

TEST(DnsProbe, NothingListeningIsConnectionRefused) {
  SystemClock clock;
  const std::string server = "127.0.0.1:" + std::to_string(testing::closed_udp_port());
  const ProbeResult result = run_once(clock, testing::dns_probe(server, "example.com", 1s));
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.failure, StartsWith("connection refused"));
}

TEST(DnsProbe, UnusableConfigurationFailsWithTheReason) {
  SystemClock clock;
  EXPECT_THAT(run_once(clock, testing::dns_probe("dns.example", "example.com")).failure,
              StartsWith("probe cannot run: DNS server 'dns.example' must be a numeric IP"));
  ResolvedProbe bad_type = testing::dns_probe("127.0.0.1", "example.com");
  dns_spec(bad_type).query_type = "AXFR";
  EXPECT_EQ(run_once(clock, bad_type).failure,
            "probe cannot run: unsupported DNS query type 'AXFR'");
  EXPECT_THAT(run_once(clock, testing::dns_probe("127.0.0.1", "a..b")).failure,
              HasSubstr("empty label"));
}

}  // namespace
}  // namespace sloe::probe

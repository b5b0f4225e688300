#include "dns_message.h"

#include <netdb.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <sstream>
#include <utility>

namespace sloe::probe::detail {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::uint16_t kClassIn = 1;

std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

void append_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  return std::string(name);
}

std::string malformed(std::string_view what) {
  return "malformed DNS response: " + std::string(what);
}

// Reads a possibly compressed name starting at `at`. Returns the offset just past the name as it
// appears at `at` (compression pointers are followed only for the text).
Result<std::size_t> read_name(std::span<const std::uint8_t> message, std::size_t at,
                              std::string& name) {
  std::optional<std::size_t> end;
  int jumps = 0;
  name.clear();
  while (true) {
    if (at >= message.size())
      return Error{malformed("a name runs past the end of the message")};
    const std::uint8_t length = message[at];
    if ((length & 0xC0) == 0xC0) {
      if (at + 1 >= message.size()) {
        return Error{malformed("a compression pointer runs past the end of the message")};
      }
      if (++jumps > 64)
        return Error{malformed("a compression pointer loop")};
      if (!end)
        end = at + 2;
      at = static_cast<std::size_t>(read_u16(message, at) & 0x3FFF);
      continue;
    }
    if ((length & 0xC0) != 0)
      return Error{malformed("an unsupported label type")};
    if (length == 0)
      return end ? *end : at + 1;
    if (at + 1 + length > message.size()) {
      return Error{malformed("a label runs past the end of the message")};
    }
    name.append(reinterpret_cast<const char*>(message.data() + at + 1), length);
    name.push_back('.');
    if (name.size() > kMaxNameLength)
      return Error{malformed("a name longer than 255 bytes")};
    at += 1 + length;
  }
}

}  // namespace

std::optional<std::uint16_t> dns_type_code(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::uint16_t>, 9> kTypes = {{
      {"A", 1},
      {"NS", 2},
      {"CNAME", 5},
      {"SOA", 6},
      {"PTR", 12},
      {"MX", 15},
      {"TXT", 16},
      {"AAAA", 28},
      {"SRV", 33},
  }};
  std::string upper(name);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [type_name, code] : kTypes) {
    if (upper == type_name)
      return code;
  }
  return std::nullopt;
}

Result<std::vector<std::uint8_t>> build_dns_query(std::uint16_t id, std::string_view name,
                                                  std::uint16_t type) {
  std::vector<std::uint8_t> query;
  append_u16(query, id);
  append_u16(query, 0x0100);  // standard query, recursion desired
  append_u16(query, 1);       // one question
  append_u16(query, 0);
  append_u16(query, 0);
  append_u16(query, 0);

  const std::string_view labels = name == "." ? std::string_view{} : name;
  std::string_view rest = labels;
  if (!rest.empty() && rest.back() == '.')
    rest.remove_suffix(1);
  std::size_t encoded = 1;  // the root label
  while (!rest.empty()) {
    const std::size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty()) {
      return Error{"query name '" + std::string(name) + "' has an empty label"};
    }
    if (label.size() > kMaxLabelLength) {
      return Error{"query name '" + std::string(name) + "' has a label longer than 63 bytes"};
    }
    encoded += 1 + label.size();
    query.push_back(static_cast<std::uint8_t>(label.size()));
    query.insert(query.end(), label.begin(), label.end());
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    if (dot != std::string_view::npos && rest.empty()) {
      return Error{"query name '" + std::string(name) + "' has an empty label"};
    }
  }
  if (encoded > kMaxNameLength) {
    return Error{"query name '" + std::string(name) + "' is longer than 255 bytes"};
  }
  query.push_back(0);
  append_u16(query, type);
  append_u16(query, kClassIn);
  return query;
}

std::optional<std::uint16_t> dns_reply_id(std::span<const std::uint8_t> message) {
  if (message.size() < 2)
    return std::nullopt;
  return read_u16(message, 0);
}

Result<DnsReply> parse_dns_reply(std::span<const std::uint8_t> message, std::string_view name,
                                 std::uint16_t type) {
  if (message.size() < kHeaderSize) {
    return Error{
        malformed(std::to_string(message.size()) + " bytes, shorter than the 12-byte header")};
  }
  const std::uint16_t flags = read_u16(message, 2);
  if ((flags & 0x8000) == 0)
    return Error{malformed("the QR bit is not set (not a response)")};
  DnsReply reply;
  reply.rcode = flags & 0x000F;
  reply.truncated = (flags & 0x0200) != 0;
  if (reply.truncated)
    return reply;

  const std::uint16_t question_count = read_u16(message, 4);
  const std::uint16_t answer_count = read_u16(message, 6);
  std::size_t at = kHeaderSize;
  if (question_count == 1) {
    std::string question_name;
    Result<std::size_t> after = read_name(message, at, question_name);
    if (!after)
      return after.error();
    at = *after;
    if (at + 4 > message.size())
      return Error{malformed("the question runs past the end")};
    const std::uint16_t question_type = read_u16(message, at);
    const std::uint16_t question_class = read_u16(message, at + 2);
    at += 4;
    if (lower(without_trailing_dot(question_name)) != lower(without_trailing_dot(name)) ||
        question_type != type || question_class != kClassIn) {
      return Error{"DNS response answers another question ('" + question_name + "' type " +
                   std::to_string(question_type) + ")"};
    }
  } else if (!(question_count == 0 && reply.rcode != 0)) {
    // Servers may drop the question from an error reply (FORMERR); a success must echo it.
    return Error{malformed("expected 1 question, got " + std::to_string(question_count))};
  }

  std::string owner;
  for (int i = 0; i < answer_count; ++i) {
    Result<std::size_t> after = read_name(message, at, owner);
    if (!after)
      return after.error();
    at = *after;
    if (at + 10 > message.size() || at + 10 + read_u16(message, at + 8) > message.size()) {
      return Error{malformed("answer record " + std::to_string(i + 1) +
                             " runs past the end of the message")};
    }
    at += 10 + read_u16(message, at + 8);
  }
  reply.answer_count = answer_count;
  return reply;
}

std::string dns_rcode_name(int rcode) {
  static constexpr std::array<std::string_view, 11> kNames = {
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && static_cast<std::size_t>(rcode) < kNames.size()) {
    return std::string(kNames[static_cast<std::size_t>(rcode)]);
  }
  return "RCODE " + std::to_string(rcode);
}

Result<DnsServer> parse_dns_server(std::string_view host_port) {
  std::string host;
  std::string_view port_text = "53";
  if (!host_port.empty() && host_port.front() == '[') {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) {
      return Error{"DNS server '" + std::string(host_port) + "' lacks a closing ']'"};
    }
    host = host_port.substr(1, close - 1);
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Error{"DNS server '" + std::string(host_port) + "': expected ':port' after ']'"};
      }
      port_text = after.substr(1);
    }
  } else if (std::count(host_port.begin(), host_port.end(), ':') == 1) {
    const std::size_t colon = host_port.find(':');
    host = host_port.substr(0, colon);
    port_text = host_port.substr(colon + 1);
  } else {
    host = host_port;  // IPv4 without port, or a bare IPv6 address
  }
  int port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return Error{"DNS server '" + std::string(host_port) + "' has an invalid port"};
  }

  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (host.empty() || getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return Error{"DNS server '" + std::string(host_port) +
                 "' must be a numeric IP address, optionally with a port"};
  }
  DnsServer server;
  std::memcpy(&server.address, found->ai_addr, found->ai_addrlen);
  server.address_length = found->ai_addrlen;
  server.display = std::string(host_port);
  freeaddrinfo(found);
  return server;
}

std::optional<std::string> first_nameserver(std::istream& resolv_conf) {
  std::string line;
  while (std::getline(resolv_conf, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string address;
    if (words >> keyword >> address && keyword == "nameserver")
      return address;
  }
  return std::nullopt;
}

}  // namespace sloe::probe::detail

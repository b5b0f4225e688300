// The DNS wire format, as much as a probe needs: build one query, validate and summarise the
// reply (RFC 1035 section 4). Pure functions over bytes, no sockets.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/result.h"

namespace sloe::probe::detail {

// "A" -> 1, "AAAA" -> 28, ... for A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR (case-insensitive).
std::optional<std::uint16_t> dns_type_code(std::string_view name);

// A standard query with recursion desired and one IN-class question.
// Errors name the problem with the query name (empty label, label over 63 bytes, name over 255).
Result<std::vector<std::uint8_t>> build_dns_query(std::uint16_t id, std::string_view name,
                                                  std::uint16_t type);

// The id of a reply, or nullopt when it is too short to carry one.
std::optional<std::uint16_t> dns_reply_id(std::span<const std::uint8_t> message);

struct DnsReply {
  bool truncated = false;  // TC bit: the rest of the message was not checked
  int rcode = 0;
  int answer_count = 0;
};

// Validates a reply to the question (name, type): header, QR bit, the echoed question, and that
// every answer record fits in the message. Errors begin "malformed DNS response: ..." or say the
// reply answers another question.
Result<DnsReply> parse_dns_reply(std::span<const std::uint8_t> message, std::string_view name,
                                 std::uint16_t type);

// "NOERROR", "NXDOMAIN", ..., or "RCODE 12".
std::string dns_rcode_name(int rcode);

struct DnsServer {
  sockaddr_storage address{};
  socklen_t address_length = 0;
  std::string display;  // as configured, for messages
};

// "192.0.2.1", "192.0.2.1:5353", "[2001:db8::1]:53", "2001:db8::1", "fe80::1%eth0".
// Only numeric addresses: resolving the resolver would block the loop.
Result<DnsServer> parse_dns_server(std::string_view host_port);

// The first `nameserver` line of a resolv.conf, or nullopt.
std::optional<std::string> first_nameserver(std::istream& resolv_conf);

}  // namespace sloe::probe::detail

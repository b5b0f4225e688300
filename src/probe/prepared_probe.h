// PreparedProbe: everything about a probe that can be worked out once, before any run: compiled
// body regexes, the URL curl is given, the parsed DNS server. Runs then only do I/O.
#pragma once

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "dns_message.h"
#include "sloe/probe/engine.h"

namespace sloe::probe::detail {

struct BodyPattern {
  std::string source;  // as configured, for messages
  // Matches a prefix of the body ending where `source` first matches: use regex_search with
  // match_continuous (see prepare.cpp for why).
  std::regex regex;
};

enum class ProbeKind { kHttp, kTcp, kDns };

struct PreparedProbe {
  ResolvedProbe probe;
  ProbeKind kind = ProbeKind::kHttp;
  std::string target;  // ProbeSpec::target()
  // When non-empty the probe cannot run; every run fails with this reason.
  std::string setup_error;

  // HTTP and TCP (through curl).
  std::string curl_url;
  bool tls = false;                       // the URL is https://
  std::vector<std::string> connect_to;    // CURLOPT_CONNECT_TO entries
  std::vector<std::string> header_lines;  // "Name: value", final
  std::vector<BodyPattern> must_match;
  std::vector<BodyPattern> must_not_match;

  // DNS.
  DnsServer dns_server;
  std::uint16_t dns_type = 0;
};

// Never fails: problems land in setup_error. May read /etc/resolv.conf (DNS probes without a
// server), so call it off the loop thread.
PreparedProbe prepare_probe(const ResolvedProbe& probe);

// "2s", "1s500ms": how timeouts appear in failure reasons.
std::string describe_timeout(std::chrono::milliseconds timeout);

}  // namespace sloe::probe::detail

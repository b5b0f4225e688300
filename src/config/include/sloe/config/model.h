// The typed, validated configuration: what `sloe check` accepts and `sloe run` executes.
//
// Plain data with no parsing library in it; probe, slo wiring and the CLI read these structs.
// Every value here has passed validation (config/loader.h), so consumers need not re-check ranges.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sloe/core/labels.h"
#include "sloe/oncall/model.h"

namespace sloe::config {

// Where a secret comes from. The value itself is never written into configuration files.
struct SecretRef {
  enum class Kind { kEnv, kFile };
  Kind kind = Kind::kEnv;
  std::string name;  // environment variable name, or file path (relative paths: config dir)
};

// A header or credential value: a literal (only for non-secret headers) or a secret reference.
struct ValueSource {
  std::optional<std::string> literal;
  std::optional<SecretRef> secret;
};

struct HttpHeader {
  std::string name;
  ValueSource value;
};

// Inclusive status range; a single code is {code, code}.
struct StatusRange {
  int low = 200;
  int high = 299;
};

// File paths: config::load_config joins relative ones to the configuration directory, so
// consumers can open them as they are.
struct TlsOptions {
  bool verify = true;       // verify peer certificate and host name
  std::string ca_file;      // empty: system trust store
  std::string cert_file;    // client certificate (PEM), empty: none
  std::string key_file;     // client key (PEM), empty: none
  std::string server_name;  // SNI / verification name override, empty: from URL
};

struct BasicAuth {
  std::string username;
  SecretRef password;
};

struct HttpProbeSpec {
  std::string url;  // http:// or https://
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body;
  std::optional<BasicAuth> basic_auth;
  std::vector<StatusRange> valid_status;         // empty means 200-299
  std::vector<std::string> body_must_match;      // ECMAScript regexes, validated
  std::vector<std::string> body_must_not_match;  // ECMAScript regexes, validated
  bool follow_redirects = true;
  TlsOptions tls;
};

struct TcpProbeSpec {
  std::string host;
  int port = 0;
  bool tls = false;  // complete a TLS handshake after connecting
  TlsOptions tls_options;
};

struct DnsProbeSpec {
  std::string query_name;
  std::string query_type = "A";  // A, AAAA, CNAME, MX, TXT, NS, SOA, SRV
  std::string server;            // "host[:port]"; empty: first nameserver in /etc/resolv.conf
  bool valid_rcode_noerror_only = true;  // NXDOMAIN etc. count as failure (key: require_noerror)
  bool require_answers = true;           // an empty answer section counts as failure
};

struct ProbeSpec {
  std::string name;  // unique across the configuration
  std::chrono::milliseconds interval{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::variant<HttpProbeSpec, TcpProbeSpec, DnsProbeSpec> kind;
  // For metrics' `target` label: URL, host:port or query name.
  std::string target() const;
};

enum class SliKind { kAvailability, kLatency };

struct SliSpec {
  SliKind kind = SliKind::kAvailability;
  std::string probe;  // name of a ProbeSpec in the same configuration
  // Latency SLIs: a probe is good when it succeeds and its total time is at most this.
  std::chrono::milliseconds latency_threshold{0};
};

struct SloSpec {
  std::string name;  // unique across the configuration; [a-zA-Z0-9_.-]+
  std::string service;
  std::string description;
  double objective = 0.999;  // as a ratio in (0, 1); files state percent, e.g. 99.9
  std::chrono::milliseconds window{std::chrono::hours(24 * 30)};
  SliSpec sli;
  Labels labels;            // carried onto alerts and metrics
  std::string runbook_url;  // may be empty
};

// Where a definition came from, for messages that point a person at the line.
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

struct Config {
  std::string directory;  // the configuration folder as given
  std::vector<ProbeSpec> probes;
  std::vector<SloSpec> slos;
  std::vector<SourceLocation> probe_locations;  // parallel to probes
  std::vector<SourceLocation> slo_locations;    // parallel to slos
  // Users, rotations, schedules, overrides and escalation policies from the on-call documents
  // under alerts/ (config/oncall_loader.h); nullopt until the loader reads alerts/.
  std::optional<oncall::OncallConfig> oncall;
};

}  // namespace sloe::config

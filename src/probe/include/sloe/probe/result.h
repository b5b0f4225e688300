// ProbeResult: what one run of one probe observed.
//
// A plain value, copied freely; no I/O library types. The api module maps it onto the
// blackbox_exporter-style metrics (probe_success, probe_duration_seconds, ...), the sli module
// turns it into good/total events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sloe/core/clock.h"

namespace sloe::probe {

// One step of a request, named as blackbox_exporter names them so dashboards carry over:
// resolve, connect, tls, processing (request sent -> first response byte), transfer.
struct Phase {
  std::string name;
  double seconds = 0;
};

struct ProbeResult {
  std::string probe;     // ProbeSpec::name
  std::string target;    // URL, host:port, or query name
  TimePoint started_at;  // wall clock, when the run began
  bool success = false;
  // Wall time of the whole run on the engine's monotonic clock, including setup and the checks on
  // the response. A run that hits its timeout fails and reports about the timeout here. The
  // timeout bounds the network part; body regexes run after it, in time linear in the body.
  double duration_seconds = 0;
  // HTTP: resolve, connect, tls, processing, transfer (always all five; tls is 0 for http://).
  // TCP: resolve, connect, and tls when the probe does a handshake. DNS: none.
  // For HTTP they sum to curl's total time (the part of duration_seconds spent in curl).
  std::vector<Phase> phases;
  int http_status = 0;   // 0 if no HTTP response arrived
  int http_version = 0;  // 10, 11, 20, 30; 0 if no response
  // Earliest notAfter over the certificate chain the server presented; set for TLS runs that
  // completed a handshake.
  std::optional<TimePoint> tls_earliest_cert_expiry;
  int dns_answer_count = 0;  // answer records in the DNS response
  // Why the run failed, for a person: "timeout after 2s (waiting for the response)",
  // "status 500 not in 200-299", "body matched forbidden /maintenance/", "connection refused".
  // Empty on success.
  std::string failure;
};

}  // namespace sloe::probe

// AgentMetrics: sloe's own Prometheus metrics, in a prometheus-cpp registry.
//
// Probe metrics follow blackbox_exporter's names (probe_success, probe_duration_seconds,
// probe_http_duration_seconds{phase}, probe_http_status_code, probe_ssl_earliest_cert_expiry,
// probe_dns_answer_rrs) with `probe` and `target` labels; SLO metrics are named sloe_slo_* and
// carry `slo` and `service` labels. See README "Metrics reference".
//
// Thread-safety: every method may be called from any thread (prometheus-cpp metrics are atomic;
// family bookkeeping is locked here).
#pragma once

#include <memory>
#include <string>

#include "sloe/api/status_board.h"
#include "sloe/probe/result.h"

namespace sloe::api {

class AgentMetrics {
 public:
  explicit AgentMetrics(const std::string& version);
  ~AgentMetrics();
  AgentMetrics(const AgentMetrics&) = delete;
  AgentMetrics& operator=(const AgentMetrics&) = delete;

  void observe_probe(const probe::ProbeResult& result);
  // One SLI event counted for an SLO (good or bad), so Prometheus can compute the same ratios.
  void observe_sli_event(const std::string& slo, const std::string& service, bool good);
  void observe_board(const Board& board);
  void observe_snapshot_saved(double seconds, bool ok);

  // The Prometheus text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::api

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

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sloe/api/status_board.h"
#include "sloe/probe/result.h"

namespace sloe::api {

// Notification delivery as the notifier counts it: totals per receiver since start, and the
// outbox as of its last drain.
struct NotificationFigures {
  struct Receiver {
    std::uint64_t sent = 0;
    std::uint64_t failed = 0;   // failed for good
    std::uint64_t retried = 0;  // attempts that failed and will be retried
  };
  std::map<std::string, Receiver> receivers;
  std::int64_t outbox_depth = 0;
  double oldest_pending_seconds = 0;
};

// Incidents as /metrics shows them (test incidents excluded), keyed by severity ("SEV1".."SEV4").
struct IncidentMetricFigures {
  struct Times {
    std::uint64_t count = 0;  // incidents that have the figure
    double sum_seconds = 0;
    double median_seconds = 0;
    double p90_seconds = 0;
  };
  std::map<std::string, std::int64_t> open;  // incidents not resolved or closed
  // "detect", "acknowledge", "mitigate", "resolve" → severity → figures.
  std::map<std::string, std::map<std::string, Times>> times;
};

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
  // sloe_notifications_{sent,failed,retried}_total{receiver}, sloe_notification_outbox_depth,
  // sloe_notification_outbox_oldest_pending_seconds. Counters move by the growth since the last
  // call, so figures must only grow (they do: they are totals since the notifier started).
  void observe_notifications(const NotificationFigures& figures);

  // sloe_incidents_open{severity} (gauge) and
  // sloe_incident_time_to_{detect,acknowledge,mitigate,resolve}_seconds{severity} (summaries with
  // quantile="0.5" and "0.9", _sum and _count; quantiles NaN while no incident has the figure).
  // Replaces what the previous call exposed.
  void observe_incidents(const IncidentMetricFigures& figures);

  // The Prometheus text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::api

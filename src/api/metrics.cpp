#include "sloe/api/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/duration.h"

namespace sloe::api {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;

std::string window_label(std::chrono::seconds window) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(window));
}

bool is_http_target(const std::string& target) {
  return target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0;
}

}  // namespace

struct AgentMetrics::Impl {
  explicit Impl(const std::string& version)
      : registry(std::make_shared<prometheus::Registry>()),
        build_info(BuildGauge()
                       .Name("sloe_build_info")
                       .Help("Build information; the value is always 1.")
                       .Register(*registry)),
        probe_success(BuildGauge()
                          .Name("probe_success")
                          .Help("Whether the last probe succeeded (1) or failed (0).")
                          .Register(*registry)),
        probe_duration(BuildGauge()
                           .Name("probe_duration_seconds")
                           .Help("How long the last probe took, in seconds.")
                           .Register(*registry)),
        probe_http_phase(BuildGauge()
                             .Name("probe_http_duration_seconds")
                             .Help("Duration of each phase of the last HTTP probe, in seconds.")
                             .Register(*registry)),
        probe_http_status(BuildGauge()
                              .Name("probe_http_status_code")
                              .Help("HTTP status code of the last probe; 0 when none arrived.")
                              .Register(*registry)),
        probe_http_version(BuildGauge()
                               .Name("probe_http_version")
                               .Help("HTTP version of the last probe's response.")
                               .Register(*registry)),
        probe_cert_expiry(
            BuildGauge()
                .Name("probe_ssl_earliest_cert_expiry")
                .Help("Earliest notAfter of the peer's certificate chain, as a Unix timestamp.")
                .Register(*registry)),
        probe_dns_answers(BuildGauge()
                              .Name("probe_dns_answer_rrs")
                              .Help("Number of answer records in the last DNS probe's response.")
                              .Register(*registry)),
        probe_results(BuildCounter()
                          .Name("sloe_probe_results_total")
                          .Help("Probe results by outcome (success or failure).")
                          .Register(*registry)),
        slo_events(BuildCounter()
                       .Name("sloe_slo_events_total")
                       .Help("SLI events counted for the SLO (good and bad).")
                       .Register(*registry)),
        slo_good_events(BuildCounter()
                            .Name("sloe_slo_good_events_total")
                            .Help("Good SLI events counted for the SLO.")
                            .Register(*registry)),
        slo_objective(BuildGauge()
                          .Name("sloe_slo_objective_ratio")
                          .Help("The SLO's objective as a ratio, e.g. 0.999.")
                          .Register(*registry)),
        slo_window(BuildGauge()
                       .Name("sloe_slo_window_seconds")
                       .Help("The SLO's rolling window, in seconds.")
                       .Register(*registry)),
        slo_sli(BuildGauge()
                    .Name("sloe_slo_sli_ratio")
                    .Help("Good events over total events in the window; 1 when there were none.")
                    .Register(*registry)),
        slo_burn(BuildGauge()
                     .Name("sloe_slo_burn_rate")
                     .Help("Error ratio in the window divided by the error budget ratio.")
                     .Register(*registry)),
        slo_budget_remaining(BuildGauge()
                                 .Name("sloe_slo_error_budget_remaining_ratio")
                                 .Help("Share of the window's error budget left; negative when "
                                       "overspent.")
                                 .Register(*registry)),
        slo_budget_events(BuildGauge()
                              .Name("sloe_slo_error_budget_events")
                              .Help("Error budget in events over the window: allowed, consumed "
                                    "and remaining.")
                              .Register(*registry)),
        slo_exhaustion(BuildGauge()
                           .Name("sloe_slo_time_to_exhaustion_seconds")
                           .Help("Time until the budget is spent at the current 1h burn rate; "
                                 "+Inf when not burning.")
                           .Register(*registry)),
        slo_alert(BuildGauge()
                      .Name("sloe_slo_alert_condition")
                      .Help("1 while a multiwindow multi-burn-rate condition holds, else 0.")
                      .Register(*registry)),
        slo_alert_threshold(BuildGauge()
                                .Name("sloe_slo_alert_burn_rate_threshold")
                                .Help("Burn-rate threshold of each alert condition.")
                                .Register(*registry)),
        evaluation_duration(BuildGauge()
                                .Name("sloe_evaluation_duration_seconds")
                                .Help("How long the last evaluation of every SLO took.")
                                .Register(*registry)),
        evaluation_timestamp(BuildGauge()
                                 .Name("sloe_evaluation_timestamp_seconds")
                                 .Help("Unix time of the last evaluation.")
                                 .Register(*registry)),
        snapshot_duration(BuildGauge()
                              .Name("sloe_sli_snapshot_duration_seconds")
                              .Help("How long the last save of SLI history to the store took.")
                              .Register(*registry)),
        snapshot_results(BuildCounter()
                             .Name("sloe_sli_snapshots_total")
                             .Help("Saves of SLI history to the store, by outcome.")
                             .Register(*registry)),
        notifications_sent(BuildCounter()
                               .Name("sloe_notifications_sent_total")
                               .Help("Notifications delivered, per receiver.")
                               .Register(*registry)),
        notifications_failed(BuildCounter()
                                 .Name("sloe_notifications_failed_total")
                                 .Help("Notifications that failed for good, per receiver.")
                                 .Register(*registry)),
        notifications_retried(BuildCounter()
                                  .Name("sloe_notifications_retried_total")
                                  .Help("Delivery attempts that failed and will be retried, per "
                                        "receiver.")
                                  .Register(*registry)),
        outbox_depth(BuildGauge()
                         .Name("sloe_notification_outbox_depth")
                         .Help("Notifications waiting in the outbox.")
                         .Register(*registry)),
        outbox_oldest(BuildGauge()
                          .Name("sloe_notification_outbox_oldest_pending_seconds")
                          .Help("Age of the oldest notification waiting in the outbox.")
                          .Register(*registry)),
        incidents_open(BuildGauge()
                           .Name("sloe_incidents_open")
                           .Help("Incidents not resolved or closed, per severity (test incidents "
                                 "excluded).")
                           .Register(*registry)) {
    build_info.Add({{"version", version}}).Set(1);
  }

  std::shared_ptr<prometheus::Registry> registry;
  Family<Gauge>& build_info;
  Family<Gauge>& probe_success;
  Family<Gauge>& probe_duration;
  Family<Gauge>& probe_http_phase;
  Family<Gauge>& probe_http_status;
  Family<Gauge>& probe_http_version;
  Family<Gauge>& probe_cert_expiry;
  Family<Gauge>& probe_dns_answers;
  Family<Counter>& probe_results;
  Family<Counter>& slo_events;
  Family<Counter>& slo_good_events;
  Family<Gauge>& slo_objective;
  Family<Gauge>& slo_window;
  Family<Gauge>& slo_sli;
  Family<Gauge>& slo_burn;
  Family<Gauge>& slo_budget_remaining;
  Family<Gauge>& slo_budget_events;
  Family<Gauge>& slo_exhaustion;
  Family<Gauge>& slo_alert;
  Family<Gauge>& slo_alert_threshold;
  Family<Gauge>& evaluation_duration;
  Family<Gauge>& evaluation_timestamp;
  Family<Gauge>& snapshot_duration;
  Family<Counter>& snapshot_results;
  Family<Counter>& notifications_sent;
  Family<Counter>& notifications_failed;
  Family<Counter>& notifications_retried;
  Family<Gauge>& outbox_depth;
  Family<Gauge>& outbox_oldest;
  Family<Gauge>& incidents_open;
  std::mutex incidents_mutex;
  // Built by observe_incidents, added to the registry's families by render(): their quantiles
  // are computed by the incident module, not observed one by one.
  std::vector<prometheus::MetricFamily> incident_times;  // guarded by incidents_mutex
  std::mutex notifications_mutex;
  NotificationFigures last_notifications;  // guarded by notifications_mutex
};

AgentMetrics::AgentMetrics(const std::string& version) : impl_(std::make_unique<Impl>(version)) {}
AgentMetrics::~AgentMetrics() = default;

void AgentMetrics::observe_probe(const probe::ProbeResult& result) {
  // Family::Add returns the existing series for a known label set, so this stays allocation-light
  // after the first result of each probe.
  const prometheus::Labels labels{{"probe", result.probe}, {"target", result.target}};
  impl_->probe_success.Add(labels).Set(result.success ? 1 : 0);
  impl_->probe_duration.Add(labels).Set(result.duration_seconds);
  impl_->probe_results
      .Add({{"probe", result.probe}, {"result", result.success ? "success" : "failure"}})
      .Increment();
  if (is_http_target(result.target)) {
    impl_->probe_http_status.Add(labels).Set(result.http_status);
    impl_->probe_http_version.Add(labels).Set(result.http_version / 10.0);
    for (const probe::Phase& phase : result.phases) {
      impl_->probe_http_phase
          .Add({{"probe", result.probe}, {"target", result.target}, {"phase", phase.name}})
          .Set(phase.seconds);
    }
  }
  if (result.tls_earliest_cert_expiry) {
    impl_->probe_cert_expiry.Add(labels).Set(to_unix_seconds(*result.tls_earliest_cert_expiry));
  }
  if (result.target.find("://") == std::string::npos && result.dns_answer_count > 0) {
    impl_->probe_dns_answers.Add(labels).Set(result.dns_answer_count);
  }
}

void AgentMetrics::observe_sli_event(const std::string& slo, const std::string& service,
                                     bool good) {
  const prometheus::Labels labels{{"slo", slo}, {"service", service}};
  impl_->slo_events.Add(labels).Increment();
  // Touch the good counter even for bad events so the series exists from the first event.
  Counter& good_counter = impl_->slo_good_events.Add(labels);
  if (good)
    good_counter.Increment();
}

void AgentMetrics::observe_board(const Board& board) {
  impl_->evaluation_duration.Add({}).Set(board.evaluation_seconds);
  impl_->evaluation_timestamp.Add({}).Set(to_unix_seconds(board.published_at));
  for (const SloReport& report : board.slos) {
    const slo::Status& status = report.status;
    const prometheus::Labels labels{{"slo", report.name}, {"service", report.service}};
    auto with = [&labels](std::initializer_list<std::pair<const std::string, std::string>> extra) {
      prometheus::Labels merged = labels;
      merged.insert(extra);
      return merged;
    };
    impl_->slo_objective.Add(labels).Set(report.objective.target);
    impl_->slo_window.Add(labels).Set(static_cast<double>(report.objective.window.count()));
    impl_->slo_budget_remaining.Add(labels).Set(status.budget_remaining_ratio);
    impl_->slo_budget_events.Add(with({{"kind", "allowed"}})).Set(status.budget_allowed_events);
    impl_->slo_budget_events.Add(with({{"kind", "consumed"}})).Set(status.budget_consumed_events);
    impl_->slo_budget_events.Add(with({{"kind", "remaining"}})).Set(status.budget_remaining_events);
    impl_->slo_exhaustion.Add(labels).Set(
        status.time_to_exhaustion ? static_cast<double>(status.time_to_exhaustion->count())
                                  : std::numeric_limits<double>::infinity());
    const std::string slo_window = window_label(report.objective.window);
    bool slo_window_listed = false;
    for (const slo::BurnRate& burn : status.burn_rates) {
      const std::string window = window_label(burn.window);
      slo_window_listed = slo_window_listed || window == slo_window;
      impl_->slo_burn.Add(with({{"window", window}})).Set(burn.burn_rate);
      impl_->slo_sli.Add(with({{"window", window}})).Set(1.0 - burn.error_ratio);
    }
    if (!slo_window_listed)
      impl_->slo_sli.Add(with({{"window", slo_window}})).Set(status.sli);
    for (const slo::AlertCondition& condition : status.conditions) {
      const prometheus::Labels alert_labels =
          with({{"alert", condition.name},
                {"severity", condition.severity},
                {"long_window", window_label(condition.long_window)},
                {"short_window", window_label(condition.short_window)}});
      impl_->slo_alert.Add(alert_labels).Set(condition.firing ? 1 : 0);
      impl_->slo_alert_threshold.Add(alert_labels).Set(condition.threshold);
    }
  }
}

void AgentMetrics::observe_snapshot_saved(double seconds, bool ok) {
  impl_->snapshot_duration.Add({}).Set(seconds);
  impl_->snapshot_results.Add({{"result", ok ? "success" : "failure"}}).Increment();
}

void AgentMetrics::observe_notifications(const NotificationFigures& figures) {
  const std::lock_guard lock(impl_->notifications_mutex);
  const auto grow = [](Family<Counter>& family, const std::string& receiver, std::uint64_t now,
                       std::uint64_t before) {
    Counter& counter = family.Add({{"receiver", receiver}});
    if (now > before)
      counter.Increment(static_cast<double>(now - before));
  };
  for (const auto& [receiver, now] : figures.receivers) {
    const auto found = impl_->last_notifications.receivers.find(receiver);
    const NotificationFigures::Receiver before = found != impl_->last_notifications.receivers.end()
                                                     ? found->second
                                                     : NotificationFigures::Receiver{};
    grow(impl_->notifications_sent, receiver, now.sent, before.sent);
    grow(impl_->notifications_failed, receiver, now.failed, before.failed);
    grow(impl_->notifications_retried, receiver, now.retried, before.retried);
  }
  impl_->outbox_depth.Add({}).Set(static_cast<double>(figures.outbox_depth));
  impl_->outbox_oldest.Add({}).Set(figures.oldest_pending_seconds);
  impl_->last_notifications = figures;
}

void AgentMetrics::observe_incidents(const IncidentMetricFigures& figures) {
  for (const auto& [severity, count] : figures.open)
    impl_->incidents_open.Add({{"severity", severity}}).Set(static_cast<double>(count));
  std::vector<prometheus::MetricFamily> families;
  for (const auto& [figure, by_severity] : figures.times) {
    prometheus::MetricFamily family;
    family.name = "sloe_incident_time_to_" + figure + "_seconds";
    family.help = "Time to " + figure +
                  " of incidents, median and 90th percentile per severity "
                  "(test incidents excluded).";
    family.type = prometheus::MetricType::Summary;
    for (const auto& [severity, times] : by_severity) {
      const double none = std::numeric_limits<double>::quiet_NaN();
      prometheus::ClientMetric metric;
      metric.label = {{"severity", severity}};
      metric.summary.sample_count = times.count;
      metric.summary.sample_sum = times.sum_seconds;
      metric.summary.quantile = {{0.5, times.count > 0 ? times.median_seconds : none},
                                 {0.9, times.count > 0 ? times.p90_seconds : none}};
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  const std::lock_guard lock(impl_->incidents_mutex);
  impl_->incident_times = std::move(families);
}

std::string AgentMetrics::render() const {
  std::ostringstream out;
  // The exposition format is locale-independent: numbers always use '.'.
  out.imbue(std::locale::classic());
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  {
    const std::lock_guard lock(impl_->incidents_mutex);
    families.insert(families.end(), impl_->incident_times.begin(), impl_->incident_times.end());
  }
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace sloe::api

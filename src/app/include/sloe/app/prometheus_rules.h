// Prometheus rules for sloe's SLOs: a rule file that lets a Prometheus server compute the same
// burn rates and raise the same multiwindow multi-burn-rate alerts that sloe's own evaluator does
// (slo/evaluator.h, app/slo_alerts.h), from the SLI counters sloe exports on /metrics.
//
// One rule group per SLO, named "sloe-slo-<slo name>", evaluated top to bottom (Prometheus
// evaluates the rules of a group in order, so the alerts see this evaluation's burn rates):
//   slo:sloe_sli_error:ratio_rate<w>   error ratio bad/total over w, for every w of
//                                      slo::kBurnRateWindows and the SLO window
//   slo:sloe_burn_rate:ratio_rate<w>   error ratio / (1 - objective), for every burn-rate window
//   slo:sloe_objective:ratio           the objective, e.g. 0.999
//   slo:sloe_error_budget:ratio        1 - objective
//   slo:sloe_window:seconds            the SLO window
//   slo:sloe_error_budget_remaining:ratio
//                                      1 - error ratio over the SLO window / error budget; the
//                                      same figure as sloe's budget_remaining_ratio (< 0 once
//                                      overspent). Computed from the counters over the whole
//                                      window, so Prometheus must retain that much history.
//   alert ErrorBudgetBurn severity=page     page-fast OR page-slow
//   alert ErrorBudgetBurn severity=ticket   ticket-fast OR ticket-slow
// Every rule carries the labels slo, service and the SLO's own labels (set as rule labels, so they
// do not depend on what the SLI expression returns). A condition holds when both of its windows
// burn strictly above the threshold slo::alert_policy() gives for the SLO window; the thresholds
// are printed in shortest round-trip form, so Prometheus compares against the very same doubles.
// The alerts have no `for:` (as in sloe: the short window already guards against flapping).
// Annotations: summary, description, runbook_url (when the SLO has one), slo_url (when an
// external URL is given). Unlike sloe's own alerts there is no `conditions` annotation and the
// description states the thresholds rather than each condition's current burn.
//
// Windows without events: sloe reports error ratio 0; Prometheus computes 0/0 = NaN. Neither can
// satisfy "burn > threshold", so both stay quiet; only the recorded values differ (NaN vs 0).
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sloe/config/model.h"

namespace sloe::app {

struct PrometheusRulesOptions {
  // How people reach sloe (e.g. http://sloe.example:9465), for the slo_url annotation; empty:
  // no slo_url.
  std::string external_url;
};

// The rule file (YAML, `groups:` at the top) for every SLO of config, in configuration order.
// An empty SLO list gives `groups: []`.
std::string prometheus_rules(const config::Config& config, const PrometheusRulesOptions& options);

// The PromQL window form of a duration as range selectors accept it, e.g. 5m, 1h, 30d, 1h30m.
std::string promql_duration(std::chrono::milliseconds duration);

// The SLI error ratio of one SLO over `range` (a promql_duration), as a PromQL expression that
// yields one series: bad/total from increase() of sloe_slo_events_total and
// sloe_slo_good_events_total over the range (bad = total - good), summed over every sloe
// instance that exports the SLO. rate()'s extrapolation scales both counts alike, so it cancels.
// This is the one place an SLI's query is written: other SLI sources plug in here.
std::string sli_error_ratio_expr(const config::SloSpec& slo, std::string_view range);

// Recording-rule names, e.g. error_ratio_rule_name(1h) == "slo:sloe_sli_error:ratio_rate1h".
std::string error_ratio_rule_name(std::chrono::milliseconds window);
std::string burn_rate_rule_name(std::chrono::milliseconds window);
inline constexpr std::string_view kObjectiveRuleName = "slo:sloe_objective:ratio";
inline constexpr std::string_view kErrorBudgetRuleName = "slo:sloe_error_budget:ratio";
inline constexpr std::string_view kWindowRuleName = "slo:sloe_window:seconds";
inline constexpr std::string_view kBudgetRemainingRuleName =
    "slo:sloe_error_budget_remaining:ratio";

}  // namespace sloe::app

// SLO evaluation: error budget, burn rates and the multiwindow multi-burn-rate alert policy of
// the Google SRE Workbook (chapter "Alerting on SLOs"), computed from an SLI's EventWindow.
//
// Definitions (all over rolling windows ending at `now`):
//   error ratio(w) = bad(w) / total(w)
//   burn rate(w)   = error ratio(w) / (1 - target)   -- 1 spends the budget exactly over the window
//   budget consumed by burn b sustained for d = b * d / slo_window   (a fraction of the budget)
// Alert policy: four conditions, each with a long and a short window. The Workbook states them as
// "spend X% of the budget in the long window"; the burn-rate threshold is therefore
//   threshold = X% * slo_window / long_window
//   page-fast   2% in 1h  (short 5m)  -> 14.4 for 30d, 13.44 for 28d, 3.36 for 7d
//   page-slow   5% in 6h  (short 30m) -> 6 for 30d
//   ticket-fast 10% in 1d (short 2h)  -> 3 for 30d
//   ticket-slow 10% in 3d (short 6h)  -> 1 for 30d
// Thresholds never go below kMinimumBurnRateThreshold (1): a burn at or below 1 cannot exhaust the
// budget within the window, so SLO windows shorter than ~10x a long window (e.g. 7d, whose
// ticket-slow would otherwise be 0.23) do not raise tickets for services within budget.
// A condition fires when BOTH its windows burn strictly above the threshold; the short window
// makes the alert reset within minutes of recovery instead of waiting for the long one to drain.
//
// Low/zero traffic rule: a window with no events has error ratio 0 and burn rate 0 -- no events
// is no evidence of failure -- so it never pages and never yields NaN. A condition fires only if
// both its windows hold at least one event and both burns exceed the threshold. No field of
// Status is ever NaN or infinite.
//
// Thread-safety: free functions over values; evaluate() only reads the EventWindow, so the caller
// must keep writers out while it runs (EventWindow is not thread-safe).
// REQUIRES (all functions): 0 < objective.target < 1, objective.window > 0 (config validation
// guarantees both; out-of-range targets are clamped so the results stay finite).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/sli/event_window.h"

namespace sloe::slo {

struct Objective {
  double target = 0.999;                               // ratio in (0,1)
  std::chrono::seconds window{std::chrono::days{30}};  // the SLO's rolling window
};

// The burn-rate windows every evaluation reports, shortest first.
inline constexpr std::array<std::chrono::seconds, 7> kBurnRateWindows = {
    std::chrono::minutes{5}, std::chrono::minutes{30}, std::chrono::hours{1}, std::chrono::hours{2},
    std::chrono::hours{6},   std::chrono::days{1},     std::chrono::days{3}};

struct BurnRate {
  std::chrono::seconds window{0};  // one of kBurnRateWindows
  sli::Counts counts;
  double error_ratio = 0;  // bad/total, 0 when total == 0
  double burn_rate = 0;    // error_ratio / (1 - target)
};

struct AlertCondition {
  std::string name;      // "page-fast", "page-slow", "ticket-fast", "ticket-slow"
  std::string severity;  // "page" or "ticket"
  std::chrono::seconds long_window{0};
  std::chrono::seconds short_window{0};
  double threshold = 0;  // burn-rate threshold scaled for the objective's window
  double long_burn = 0;
  double short_burn = 0;
  bool firing = false;
};

struct Status {
  TimePoint evaluated_at{};
  sli::Counts window_counts;            // over the whole SLO window
  double sli = 1.0;                     // good/total over the window; 1.0 when no events
  bool has_data = false;                // window_counts.total > 0
  double budget_allowed_events = 0;     // (1-target) * total
  double budget_consumed_events = 0;    // bad
  double budget_remaining_events = 0;   // allowed - consumed (may be negative)
  double budget_remaining_ratio = 1.0;  // 1 - consumed/allowed; 1.0 when allowed == 0; may be < 0
  std::vector<BurnRate> burn_rates;     // in the order of kBurnRateWindows
  // At the current (1h) burn rate: remaining_ratio * slo_window / burn_1h. nullopt = never
  // (burn 0); 0 when already exhausted. Capped at kMaxTimeToExhaustion.
  std::optional<std::chrono::seconds> time_to_exhaustion;
  std::vector<AlertCondition> conditions;  // the four, in the order of alert_policy()

  bool page() const;    // any page condition firing
  bool ticket() const;  // any ticket condition firing
  // The entry for one of kBurnRateWindows; nullptr for any other window.
  const BurnRate* burn_rate(std::chrono::seconds window) const;
};

// Keeps time_to_exhaustion representable when the burn is vanishingly small (~31,700 years).
inline constexpr std::chrono::seconds kMaxTimeToExhaustion{1'000'000'000'000};

// The four conditions with thresholds scaled for the objective's window; firing=false, burns=0.
std::vector<AlertCondition> alert_policy(const Objective& objective);

// Budget, burn rates and alert conditions at `now`. O(1) in the amount of history.
Status evaluate(const Objective& objective, const sli::EventWindow& events, TimePoint now);

// Budget fraction consumed by burn rate `burn` sustained for `sustained`: burn * d / slo_window.
double budget_consumed_ratio(double burn, std::chrono::seconds sustained,
                             std::chrono::seconds slo_window);

inline constexpr double kMinimumBurnRateThreshold = 1.0;

// The burn rate that spends `budget_fraction` of the budget in `long_window`:
// max(1, budget_fraction * slo_window / long_window).
double burn_rate_threshold(double budget_fraction, std::chrono::seconds slo_window,
                           std::chrono::seconds long_window);

}  // namespace sloe::slo

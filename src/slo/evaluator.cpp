#include "sloe/slo/evaluator.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace sloe::slo {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct PolicyRow {
  const char* name;
  const char* severity;
  seconds long_window;
  seconds short_window;
  double budget_fraction;  // of the whole budget, spent within long_window
};

// SRE Workbook, "Alerting on SLOs", recommended multiwindow multi-burn-rate parameters.
constexpr std::array<PolicyRow, 4> kPolicy = {{
    {"page-fast", "page", hours{1}, minutes{5}, 0.02},
    {"page-slow", "page", hours{6}, minutes{30}, 0.05},
    {"ticket-fast", "ticket", days{1}, hours{2}, 0.10},
    {"ticket-slow", "ticket", days{3}, hours{6}, 0.10},
}};

// Smallest error budget we divide by; keeps a misconfigured target of 1.0 finite.
constexpr double kMinBudgetRatio = 1e-12;

double budget_ratio(const Objective& objective) {
  return std::clamp(1.0 - objective.target, kMinBudgetRatio, 1.0);
}

// Sums can carry float64 rounding from the prefix-sum differences; keep ratios in [0,1].
double error_ratio_of(const sli::Counts& counts) {
  if (!(counts.total > 0))
    return 0;
  return std::clamp(counts.bad() / counts.total, 0.0, 1.0);
}

// Position of a window in kBurnRateWindows. REQUIRES: it is one of them (the policy's are).
std::size_t burn_index(seconds window) {
  std::size_t i = 0;
  while (i + 1 < kBurnRateWindows.size() && kBurnRateWindows[i] != window)
    ++i;
  assert(kBurnRateWindows[i] == window);
  return i;
}

}  // namespace

bool Status::page() const {
  return std::any_of(conditions.begin(), conditions.end(),
                     [](const AlertCondition& c) { return c.firing && c.severity == "page"; });
}

bool Status::ticket() const {
  return std::any_of(conditions.begin(), conditions.end(),
                     [](const AlertCondition& c) { return c.firing && c.severity == "ticket"; });
}

const BurnRate* Status::burn_rate(seconds window) const {
  for (const BurnRate& burn : burn_rates) {
    if (burn.window == window)
      return &burn;
  }
  return nullptr;
}

double budget_consumed_ratio(double burn, seconds sustained, seconds slo_window) {
  if (slo_window.count() <= 0)
    return 0;
  return burn * static_cast<double>(sustained.count()) / static_cast<double>(slo_window.count());
}

double burn_rate_threshold(double budget_fraction, seconds slo_window, seconds long_window) {
  if (long_window.count() <= 0)
    return kMinimumBurnRateThreshold;
  const double scaled = budget_fraction * static_cast<double>(slo_window.count()) /
                        static_cast<double>(long_window.count());
  // A burn at or below 1 never exhausts the budget within the window; without this floor a short
  // SLO window (7d: 10% in 3d gives 0.23) would raise tickets for a service within its budget.
  return std::max(scaled, kMinimumBurnRateThreshold);
}

std::vector<AlertCondition> alert_policy(const Objective& objective) {
  std::vector<AlertCondition> conditions;
  conditions.reserve(kPolicy.size());
  for (const PolicyRow& row : kPolicy) {
    AlertCondition condition;
    condition.name = row.name;
    condition.severity = row.severity;
    condition.long_window = row.long_window;
    condition.short_window = row.short_window;
    condition.threshold =
        burn_rate_threshold(row.budget_fraction, objective.window, row.long_window);
    conditions.push_back(std::move(condition));
  }
  return conditions;
}

Status evaluate(const Objective& objective, const sli::EventWindow& events, TimePoint now) {
  const double budget = budget_ratio(objective);
  Status status;
  status.evaluated_at = now;

  status.window_counts = events.sum(now, objective.window);
  const sli::Counts& counts = status.window_counts;
  status.has_data = counts.total > 0;
  status.sli = status.has_data ? 1.0 - error_ratio_of(counts) : 1.0;
  status.budget_allowed_events = budget * counts.total;
  status.budget_consumed_events = std::max(0.0, counts.bad());
  status.budget_remaining_events = status.budget_allowed_events - status.budget_consumed_events;
  status.budget_remaining_ratio =
      status.budget_allowed_events > 0
          ? 1.0 - status.budget_consumed_events / status.budget_allowed_events
          : 1.0;

  status.burn_rates.reserve(kBurnRateWindows.size());
  for (const seconds window : kBurnRateWindows) {
    BurnRate burn;
    burn.window = window;
    burn.counts = events.sum(now, window);
    burn.error_ratio = error_ratio_of(burn.counts);
    burn.burn_rate = burn.error_ratio / budget;
    status.burn_rates.push_back(burn);
  }

  const double burn_1h = status.burn_rates[burn_index(hours{1})].burn_rate;
  if (status.budget_remaining_ratio <= 0) {
    status.time_to_exhaustion = seconds{0};
  } else if (burn_1h > 0) {
    const double secs =
        status.budget_remaining_ratio * static_cast<double>(objective.window.count()) / burn_1h;
    status.time_to_exhaustion = secs >= static_cast<double>(kMaxTimeToExhaustion.count())
                                    ? kMaxTimeToExhaustion
                                    : seconds{static_cast<seconds::rep>(std::llround(secs))};
  }

  status.conditions = alert_policy(objective);
  for (AlertCondition& condition : status.conditions) {
    const BurnRate& long_burn = status.burn_rates[burn_index(condition.long_window)];
    const BurnRate& short_burn = status.burn_rates[burn_index(condition.short_window)];
    condition.long_burn = long_burn.burn_rate;
    condition.short_burn = short_burn.burn_rate;
    condition.firing = long_burn.counts.total > 0 && short_burn.counts.total > 0 &&
                       condition.long_burn > condition.threshold &&
                       condition.short_burn > condition.threshold;
  }
  return status;
}

}  // namespace sloe::slo

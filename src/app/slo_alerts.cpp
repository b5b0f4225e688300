#include "sloe/app/slo_alerts.h"

#include <chrono>
#include <cmath>
#include <set>

#include "sloe/core/duration.h"
#include "sloe/core/text.h"
#include "sloe/runbook/run.h"

namespace sloe::app {
namespace {

std::string percent(double ratio) {
  return format_double(std::round(ratio * 10000.0) / 100.0) + "%";
}

std::string burn(double rate) {
  return format_double(std::round(rate * 10.0) / 10.0) + "x";
}

std::string short_duration(std::chrono::seconds window) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(window));
}

std::vector<const slo::AlertCondition*> firing_conditions(const slo::Status& status,
                                                          std::string_view severity) {
  std::vector<const slo::AlertCondition*> firing;
  for (const slo::AlertCondition& condition : status.conditions) {
    if (condition.firing && condition.severity == severity)
      firing.push_back(&condition);
  }
  return firing;
}

// The condition whose numbers the summary quotes: the firing one with the highest long-window
// burn, or the fastest condition of the severity when none fires (a resolved alert).
const slo::AlertCondition* headline_condition(const slo::Status& status,
                                              std::string_view severity) {
  const slo::AlertCondition* best = nullptr;
  for (const slo::AlertCondition& condition : status.conditions) {
    if (condition.severity != severity)
      continue;
    if (best == nullptr || (condition.firing && !best->firing) ||
        (condition.firing == best->firing && condition.long_burn > best->long_burn)) {
      best = &condition;
    }
  }
  return best;
}

}  // namespace

alert::Alert make_slo_alert(const api::SloReport& report, std::string_view severity,
                            const std::string& external_url) {
  alert::Alert result;
  result.labels = report.labels;
  result.labels["alertname"] = std::string(kSloAlertName);
  result.labels["slo"] = report.name;
  result.labels["service"] = report.service;
  result.labels["severity"] = std::string(severity);

  const slo::Status& status = report.status;
  const slo::AlertCondition* headline = headline_condition(status, severity);
  const double headline_burn = headline != nullptr ? headline->long_burn : 0.0;
  result.annotations["summary"] = report.name + " (" + report.service +
                                  ") is burning its error budget " + burn(headline_burn) +
                                  " as fast as it can afford";

  std::string description;
  std::string condition_names;
  for (const slo::AlertCondition* condition : firing_conditions(status, severity)) {
    description += condition->name + ": " + burn(condition->long_burn) + " over " +
                   short_duration(condition->long_window) + " and " + burn(condition->short_burn) +
                   " over " + short_duration(condition->short_window) + " (threshold " +
                   burn(condition->threshold) + "). ";
    condition_names += (condition_names.empty() ? "" : ",") + condition->name;
  }
  description += "SLI " + percent(status.sli) + " against an objective of " +
                 percent(report.objective.target) + " over " +
                 short_duration(report.objective.window) + "; error budget left " +
                 percent(status.budget_remaining_ratio) + ".";
  if (status.time_to_exhaustion.has_value()) {
    description += *status.time_to_exhaustion == std::chrono::seconds::zero()
                       ? " The budget is exhausted."
                       : " At the current 1h burn rate it is gone in " +
                             short_duration(*status.time_to_exhaustion) + ".";
  }
  result.annotations["description"] = description;
  if (!condition_names.empty())
    result.annotations["conditions"] = condition_names;
  if (!report.runbook_url.empty())
    result.annotations["runbook_url"] = report.runbook_url;
  if (!external_url.empty()) {
    result.annotations["slo_url"] = external_url + "/api/v1/slos/" + report.name;
    result.generator_url = result.annotations["slo_url"];
  }
  return result;
}

SloAlerts::SloAlerts(std::string external_url, std::vector<runbook::Runbook> runbooks)
    : external_url_(std::move(external_url)), runbooks_(std::move(runbooks)) {}

std::vector<alert::Alert> SloAlerts::update(const api::Board& board) {
  std::vector<alert::Alert> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const api::SloReport& report : board.slos) {
    for (const std::string_view severity : {"page", "ticket"}) {
      auto key = std::make_pair(report.name, std::string(severity));
      const bool holding = severity == "page" ? report.status.page() : report.status.ticket();
      const auto found = firing_.find(key);
      alert::Alert current = make_slo_alert(report, severity, external_url_);
      if (!current.annotations.contains("runbook_url") && !external_url_.empty()) {
        if (const runbook::Runbook* book = runbook::for_alert(runbooks_, current.labels))
          current.annotations["runbook_url"] = external_url_ + "/runbooks/" + book->name;
      }
      if (holding) {
        current.starts_at = found != firing_.end() ? found->second.starts_at : board.published_at;
        firing_[key] = current;
        out.push_back(std::move(current));
        seen.insert(std::move(key));
      } else if (found != firing_.end()) {
        current.starts_at = found->second.starts_at;
        current.ends_at = board.published_at;
        out.push_back(std::move(current));
        firing_.erase(found);
      }
    }
  }
  // An SLO removed from the configuration resolves its alerts rather than leaving them firing.
  for (auto it = firing_.begin(); it != firing_.end();) {
    if (seen.contains(it->first)) {
      ++it;
      continue;
    }
    alert::Alert resolved = it->second;
    resolved.ends_at = board.published_at;
    out.push_back(std::move(resolved));
    it = firing_.erase(it);
  }
  return out;
}

}  // namespace sloe::app

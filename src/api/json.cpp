#include "sloe/api/json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sloe/core/duration.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using nlohmann::json;

json finite_or_null(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

std::string window_name(std::chrono::seconds window) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(window));
}

json report_to_json(const SloReport& report) {
  const slo::Status& status = report.status;
  json burn_rates = json::object();
  json sli_by_window = json::object();
  for (const slo::BurnRate& burn : status.burn_rates) {
    const std::string name = window_name(burn.window);
    burn_rates[name] = finite_or_null(burn.burn_rate);
    sli_by_window[name] = burn.counts.total > 0 ? json(1.0 - burn.error_ratio) : json(nullptr);
  }
  json conditions = json::array();
  for (const slo::AlertCondition& condition : status.conditions) {
    conditions.push_back({{"name", condition.name},
                          {"severity", condition.severity},
                          {"long_window", window_name(condition.long_window)},
                          {"short_window", window_name(condition.short_window)},
                          {"threshold", finite_or_null(condition.threshold)},
                          {"long_burn_rate", finite_or_null(condition.long_burn)},
                          {"short_burn_rate", finite_or_null(condition.short_burn)},
                          {"firing", condition.firing}});
  }
  json sli = {{"kind", report.sli_kind}, {"probe", report.probe}};
  if (report.sli_kind == "latency")
    sli["threshold_seconds"] = report.latency_threshold_seconds;
  return {
      {"name", report.name},
      {"service", report.service},
      {"description", report.description},
      {"objective", report.objective.target},
      {"objective_percent", report.objective.target * 100.0},
      {"window", window_name(report.objective.window)},
      {"sli", sli},
      {"labels", report.labels},
      {"runbook_url", report.runbook_url},
      {"evaluated_at", format_rfc3339(status.evaluated_at)},
      {"has_data", status.has_data},
      {"events", {{"good", status.window_counts.good}, {"total", status.window_counts.total}}},
      {"sli_value", finite_or_null(status.sli)},
      {"sli_by_window", sli_by_window},
      {"error_budget",
       {{"allowed_events", finite_or_null(status.budget_allowed_events)},
        {"consumed_events", finite_or_null(status.budget_consumed_events)},
        {"remaining_events", finite_or_null(status.budget_remaining_events)},
        {"remaining_ratio", finite_or_null(status.budget_remaining_ratio)}}},
      {"burn_rates", burn_rates},
      {"time_to_exhaustion_seconds",
       status.time_to_exhaustion ? json(static_cast<double>(status.time_to_exhaustion->count()))
                                 : json(nullptr)},
      {"alerts", conditions},
      {"page", status.page()},
      {"ticket", status.ticket()},
  };
}

}  // namespace

std::string board_to_json(const Board& board) {
  json slos = json::array();
  for (const SloReport& report : board.slos)
    slos.push_back(report_to_json(report));
  const json out = {{"generated_at", format_rfc3339(board.published_at)},
                    {"evaluation_seconds", board.evaluation_seconds},
                    {"slos", std::move(slos)}};
  return out.dump();
}

std::string error_json(const std::string& message, const std::string& field) {
  json error = {{"message", message}};
  if (!field.empty())
    error["field"] = field;
  return json{{"error", error}}.dump();
}

}  // namespace sloe::api

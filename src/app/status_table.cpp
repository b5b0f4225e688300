#include "sloe/app/status_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "sloe/core/duration.h"

namespace sloe::app {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

// 99.9 -> "99.9", 99 -> "99", 99.95 -> "99.95": objectives as people write them.
std::string trimmed(double value) {
  std::string text = fixed(value, 3);
  while (!text.empty() && text.back() == '0')
    text.pop_back();
  if (!text.empty() && text.back() == '.')
    text.pop_back();
  return text;
}

std::string human_duration(double seconds) {
  if (seconds < 60)
    return fixed(seconds, 0) + "s";
  if (seconds < 3600)
    return fixed(seconds / 60, 0) + "m";
  if (seconds < 86400)
    return fixed(seconds / 3600, 1) + "h";
  return fixed(seconds / 86400, 1) + "d";
}

// Ten cells, one per 10% of budget left; an overspent budget shows as empty.
std::string budget_bar(double remaining_percent) {
  const int filled = static_cast<int>(std::clamp(std::round(remaining_percent / 10.0), 0.0, 10.0));
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(10 - filled), '.') + "]";
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::optional<double> number_or_none(const nlohmann::json& value) {
  if (value.is_number())
    return value.get<double>();
  return std::nullopt;
}

}  // namespace

std::string render_status_table(const std::vector<StatusRow>& rows) {
  std::size_t slo_width = 3;
  std::size_t service_width = 7;
  for (const StatusRow& row : rows) {
    slo_width = std::max(slo_width, row.slo.size());
    service_width = std::max(service_width, row.service.size());
  }
  std::string out = pad("SLO", slo_width) + "  " + pad("SERVICE", service_width) +
                    "  OBJECTIVE  WINDOW      SLI  BUDGET LEFT         BURN 1h  BURN 5m  "
                    "EXHAUSTED IN  ALERT\n";
  for (const StatusRow& row : rows) {
    out += pad(row.slo, slo_width) + "  " + pad(row.service, service_width) + "  ";
    out += pad_left(trimmed(row.objective_percent) + "%", 9) + "  ";
    out += pad(row.window, 6) + "  ";
    out += pad_left(row.sli_percent ? fixed(*row.sli_percent, 3) + "%" : "-", 8) + "  ";
    out += budget_bar(row.budget_remaining_percent) + " " +
           pad_left(fixed(row.budget_remaining_percent, 1) + "%", 7) + "  ";
    out += pad_left(row.burn_1h ? fixed(*row.burn_1h, 2) : "-", 7) + "  ";
    out += pad_left(row.burn_5m ? fixed(*row.burn_5m, 2) : "-", 7) + "  ";
    out +=
        pad_left(row.exhaustion_seconds ? human_duration(*row.exhaustion_seconds) : "never", 12) +
        "  ";
    out += row.alert + "\n";
  }
  if (rows.empty())
    out += "(no SLOs configured)\n";
  return out;
}

std::vector<StatusRow> rows_from_board(const api::Board& board) {
  std::vector<StatusRow> rows;
  for (const api::SloReport& report : board.slos) {
    const slo::Status& status = report.status;
    StatusRow row;
    row.slo = report.name;
    row.service = report.service;
    row.objective_percent = report.objective.target * 100;
    row.window = format_duration(
        std::chrono::duration_cast<std::chrono::milliseconds>(report.objective.window));
    if (status.has_data)
      row.sli_percent = status.sli * 100;
    row.budget_remaining_percent = status.budget_remaining_ratio * 100;
    for (const slo::BurnRate& burn : status.burn_rates) {
      if (burn.window == std::chrono::hours(1))
        row.burn_1h = burn.burn_rate;
      if (burn.window == std::chrono::minutes(5))
        row.burn_5m = burn.burn_rate;
    }
    if (status.time_to_exhaustion) {
      row.exhaustion_seconds = static_cast<double>(status.time_to_exhaustion->count());
    }
    row.alert = status.page() ? "PAGE" : (status.ticket() ? "ticket" : "");
    rows.push_back(std::move(row));
  }
  return rows;
}

ParsedStatus parse_status_json(const std::string& body) {
  ParsedStatus parsed;
  try {
    const nlohmann::json document = nlohmann::json::parse(body);
    for (const nlohmann::json& slo : document.at("slos")) {
      StatusRow row;
      row.slo = slo.at("name").get<std::string>();
      row.service = slo.at("service").get<std::string>();
      row.objective_percent = slo.at("objective_percent").get<double>();
      row.window = slo.at("window").get<std::string>();
      if (slo.at("has_data").get<bool>())
        row.sli_percent = slo.at("sli_value").get<double>() * 100;
      const auto remaining = number_or_none(slo.at("error_budget").at("remaining_ratio"));
      row.budget_remaining_percent = remaining.value_or(1.0) * 100;
      row.burn_1h = number_or_none(slo.at("burn_rates").value("1h", nlohmann::json()));
      row.burn_5m = number_or_none(slo.at("burn_rates").value("5m", nlohmann::json()));
      row.exhaustion_seconds = number_or_none(slo.at("time_to_exhaustion_seconds"));
      if (slo.at("page").get<bool>()) {
        row.alert = "PAGE";
      } else if (slo.at("ticket").get<bool>()) {
        row.alert = "ticket";
      }
      parsed.rows.push_back(std::move(row));
    }
  } catch (const nlohmann::json::exception& error) {
    parsed.rows.clear();
    parsed.error = std::string("unexpected answer from the agent: ") + error.what();
  }
  return parsed;
}

}  // namespace sloe::app

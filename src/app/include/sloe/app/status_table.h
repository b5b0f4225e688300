// Renders SLO status as a terminal table for `sloe status` and the demo.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sloe/api/status_board.h"

namespace sloe::app {

struct StatusRow {
  std::string slo;
  std::string service;
  double objective_percent = 0;
  std::string window;
  std::optional<double> sli_percent;  // none without data
  double budget_remaining_percent = 100;
  std::optional<double> burn_1h;
  std::optional<double> burn_5m;
  std::optional<double> exhaustion_seconds;  // none: never at this burn
  std::string alert;                         // "PAGE", "ticket" or ""
};

// A fixed-width table with a header line; a budget bar shows what is left.
std::string render_status_table(const std::vector<StatusRow>& rows);

// Rows from an in-process board (the demo prints these).
std::vector<StatusRow> rows_from_board(const api::Board& board);

// Parses the body of GET /api/v1/slos into rows. Error names what is missing.
struct ParsedStatus {
  std::vector<StatusRow> rows;
  std::string error;  // empty on success
};
ParsedStatus parse_status_json(const std::string& body);

}  // namespace sloe::app

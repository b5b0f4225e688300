// JSON mapping of API resources. Kept behind functions returning strings so nlohmann/json stays
// out of headers other modules include.
#pragma once

#include <string>

#include "sloe/api/status_board.h"

namespace sloe::api {

// {"generated_at": RFC3339, "evaluation_seconds": x, "slos": [ ...one object per SLO... ]}
// Numbers that have no finite value are written as null (JSON has no Infinity), e.g. a
// time_to_exhaustion_seconds of "never".
std::string board_to_json(const Board& board);

// {"error": {"message": ..., "field": ...}} for 4xx/5xx answers.
std::string error_json(const std::string& message, const std::string& field = "");

}  // namespace sloe::api

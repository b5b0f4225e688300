// Prometheus-style durations: "30d", "5m", "1h30m", "250ms", "2w", "1y".
//
// Units: ms, s, m, h, d (24h), w (7d), y (365d); units must appear largest first and at most once,
// as in Prometheus. Zero is written "0s".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sloe/core/result.h"

namespace sloe {

// Parses a Prometheus duration. The error message names what is wrong ("unknown unit 'x'").
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// Formats the largest-units-first form that parse_duration accepts, e.g. 5400s -> "1h30m".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace sloe

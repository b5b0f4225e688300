// The display forms a postmortem uses for numbers and times. Mustache templates have no logic, so
// every figure reaches them already formatted by these functions (see document.h).
//
// Independent of the process's locale and time zone. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "sloe/core/clock.h"

namespace sloe::postmortem {

// The largest non-zero unit and the next one when it is not zero, truncated to whole seconds:
// "1h 23m", "2h", "5m 30s", "45s", "3d 4h"; "0s" for zero or a negative duration.
std::string format_elapsed(Duration d);

// A ratio as a percentage with one decimal, rounded half away from zero: 0.42 -> "42.0%",
// -0.035 -> "-3.5%". NaN reads "0.0%"; magnitudes beyond 1e12 are clamped.
std::string format_percent(double ratio);

// An objective as a percentage with the digits it needs (up to four decimals): 0.999 -> "99.9%",
// 0.9995 -> "99.95%", 0.99 -> "99%".
std::string format_objective(double ratio);

// A count rounded to a whole number with thousands separators: 1234 -> "1,234", -5 -> "-5".
std::string format_count(double count);

// "2026-11-23 14:02:05 UTC" (seconds truncated).
std::string format_utc(TimePoint t);

// "2026-11-23" (the UTC calendar date).
std::string format_utc_date(TimePoint t);

}  // namespace sloe::postmortem

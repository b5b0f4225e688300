// RFC 3339 timestamps: the one text form sloe writes wall-clock instants in (JSON, the store, the
// CLI), e.g. "2026-11-23T09:30:00Z".
//
// Formatting is always UTC with a "Z" suffix and a fixed number of fraction digits for a given
// precision, so timestamps written with the same precision sort as text in time order (the store
// relies on this). Parsing accepts any RFC 3339 date-time: fractional seconds of any length and a
// "Z" or numeric "+hh:mm"/"-hh:mm" offset. Independent of the process's time zone and locale.
//
// Thread-safety: both functions are pure and may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe {

// Digits after the seconds: none, 3, 6 or 9. Finer parts of the instant are truncated (towards
// the past), never rounded, so a formatted time is never later than the instant it names.
enum class Rfc3339Precision { kSeconds, kMillis, kMicros, kNanos };

// "2026-11-23T09:30:00Z" (kSeconds), "2026-11-23T09:30:00.250Z" (kMillis), ...
std::string format_rfc3339(TimePoint t, Rfc3339Precision precision = Rfc3339Precision::kSeconds);

// Parses "YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)". "T"/"Z" may be lowercase and "T" may
// be a space (RFC 3339 section 5.6). Digits beyond nanoseconds are dropped. Leap seconds (":60")
// and instants outside TimePoint's range (about years 1678..2261) are rejected with a reason.
Result<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace sloe

// Wall-clock readings in IANA time zones ("Europe/Tallinn"), as people write rotation handoffs and
// restrictions. The zone database is the operating system's (/usr/share/zoneinfo, Debian package
// tzdata), read through Howard Hinnant's date library; no date type appears in this header.
//
// DST rule, shared by every function here and by schedule evaluation: a reading skipped by a
// spring-forward switch names the switch itself (02:30 on a day that jumps 02:00 -> 03:00 is the
// instant of the jump); a reading that occurs twice at a fall-back switch names its first
// occurrence.
//
// Thread-safety: every function may be called from any thread (the zone database is loaded once,
// on first use, under the library's own synchronization).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/oncall/model.h"

namespace sloe::oncall {

// "2026-11-02T09:00", "2026-11-02T09:00:30" or "2026-11-02 09:00" (no offset: the zone that goes
// with it says where). The message names what is wrong.
Result<LocalDateTime> parse_local_date_time(std::string_view text);
// "2026-11-02T09:00" (seconds only when not zero), accepted by parse_local_date_time.
std::string format_local_date_time(const LocalDateTime& local);

// "09:00", "9:30", "24:00" -> minutes after midnight, in [0, 24h].
Result<std::chrono::minutes> parse_time_of_day(std::string_view text);
// "mon".."sun" or "monday".."sunday", any case -> 0..6.
Result<Weekday> parse_weekday(std::string_view text);
std::string_view weekday_name(Weekday day);  // "mon".."sun"

// True when the zone database knows the name ("Europe/Tallinn", "UTC", "America/New_York").
bool is_known_time_zone(std::string_view name);
// Every zone name, sorted: candidates for a did-you-mean suggestion.
std::vector<std::string> time_zone_names();

// The instant the reading names in zone (DST rule above). Fails for an unknown zone.
Result<TimePoint> to_instant(const LocalDateTime& local, std::string_view zone);
// The reading of a wall clock in zone at t (seconds truncated). Fails for an unknown zone.
Result<LocalDateTime> to_local(TimePoint t, std::string_view zone);
// "2026-11-02T09:00:00+02:00": t in zone with its UTC offset, for people. Falls back to RFC 3339
// UTC when the zone is unknown.
std::string format_in_zone(TimePoint t, std::string_view zone);

}  // namespace sloe::oncall

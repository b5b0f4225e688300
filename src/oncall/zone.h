// Private to the oncall module: the date library behind time_zone.h, shared by the evaluators.
#pragma once

#include <date/tz.h>

#include <string_view>

#include "sloe/core/clock.h"
#include "sloe/oncall/model.h"

namespace sloe::oncall::detail {

using LocalTime = date::local_time<Duration>;

// nullptr when the zone database has no such zone.
const date::time_zone* find_zone(std::string_view name);

inline LocalTime to_local_time(const LocalDateTime& local) {
  const date::local_days day{date::year{local.year} / date::month{local.month} /
                             date::day{local.day}};
  return LocalTime{day} + std::chrono::hours(local.hour) + std::chrono::minutes(local.minute) +
         std::chrono::seconds(local.second);
}

inline LocalTime local_of(const date::time_zone& zone, TimePoint t) {
  return zone.to_local(t);
}

// The time_zone.h DST rule: skipped readings name the switch, repeated ones their first
// occurrence.
inline TimePoint earliest_instant(const date::time_zone& zone, LocalTime local) {
  return zone.to_sys(local, date::choose::earliest);
}
// The last occurrence of a repeated reading (the same as earliest_instant otherwise).
inline TimePoint latest_instant(const date::time_zone& zone, LocalTime local) {
  return zone.to_sys(local, date::choose::latest);
}

}  // namespace sloe::oncall::detail

#include "sloe/route/time_interval.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace sloe::route {

// The resolved zone of one spec; nullptr zone means UTC, which needs no tz database.
struct TimeInterval::Zone {
  const date::time_zone* zone = nullptr;
};

namespace {

constexpr int kMinutesPerDay = 24 * 60;

// The wall-clock reading of an instant in a zone: what a spec's fields are compared against.
struct WallClock {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  int days_in_month;
  int weekday;  // 0 = Sunday
  int minute_of_day;
};

WallClock read_wall_clock(TimePoint t, const date::time_zone* zone) {
  using std::chrono::duration_cast;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto sys = date::floor<seconds>(t);
  // Local time as a count since the local epoch; UTC needs no conversion.
  const auto local_since_epoch =
      zone == nullptr ? sys.time_since_epoch() : zone->to_local(sys).time_since_epoch();
  const auto day = date::floor<date::days>(local_since_epoch);
  const date::sys_days day_point{day};
  const date::year_month_day ymd{day_point};
  const date::year_month_day_last last{ymd.year(), date::month_day_last{ymd.month()}};
  WallClock wall{};
  wall.year = static_cast<int>(ymd.year());
  wall.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  wall.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  wall.days_in_month = static_cast<int>(static_cast<unsigned>(last.day()));
  wall.weekday = static_cast<int>(date::weekday{day_point}.c_encoding());
  wall.minute_of_day = static_cast<int>(duration_cast<minutes>(local_since_epoch - day).count());
  return wall;
}

bool in_any(const std::vector<IntRange>& ranges, int value) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [value](const IntRange& r) { return value >= r.begin && value <= r.end; });
}

// Alertmanager's day-of-month rule, including its clamping to the month's length.
bool day_of_month_matches(const std::vector<IntRange>& ranges, const WallClock& wall) {
  for (const IntRange& range : ranges) {
    const int n = wall.days_in_month;
    int begin = range.begin < 0 ? n + range.begin + 1 : range.begin;
    int end = range.end < 0 ? n + range.end + 1 : range.end;
    if (begin > n)
      continue;
    begin = std::clamp(begin, -n, n);
    end = std::clamp(end, -n, n);
    if (wall.day >= begin && wall.day <= end)
      return true;
  }
  return false;
}

bool spec_contains(const TimeIntervalSpec& spec, const WallClock& wall) {
  if (!spec.times.empty() &&
      std::none_of(spec.times.begin(), spec.times.end(), [&wall](const TimeOfDayRange& r) {
        return wall.minute_of_day >= r.start_minute && wall.minute_of_day < r.end_minute;
      }))
    return false;
  if (!spec.days_of_month.empty() && !day_of_month_matches(spec.days_of_month, wall))
    return false;
  if (!spec.months.empty() && !in_any(spec.months, wall.month))
    return false;
  if (!spec.weekdays.empty() && !in_any(spec.weekdays, wall.weekday))
    return false;
  if (!spec.years.empty() && !in_any(spec.years, wall.year))
    return false;
  return true;
}

std::string range_text(const IntRange& r) {
  return std::to_string(r.begin) + ":" + std::to_string(r.end);
}

// Checks plain inclusive ranges with fixed bounds (weekdays, months, years).
Status check_ranges(const std::vector<IntRange>& ranges, std::string_view field, int min, int max,
                    const std::string& where) {
  for (const IntRange& r : ranges) {
    if (r.begin < min || r.begin > max || r.end < min || r.end > max)
      return Error{where + std::string(field) + " " + range_text(r) + ": values must be within " +
                   std::to_string(min) + ".." + std::to_string(max)};
    if (r.begin > r.end)
      return Error{where + std::string(field) + " " + range_text(r) + ": start is after end"};
  }
  return {};
}

// Alertmanager's checks for days_of_month: non-zero, within +-31, negative begin needs negative
// end, and begin <= end judged on a 28-day month so no range is empty in every month.
Status check_days_of_month(const std::vector<IntRange>& ranges, const std::string& where) {
  for (const IntRange& r : ranges) {
    for (const int day : {r.begin, r.end}) {
      if (day == 0 || day < -31 || day > 31)
        return Error{where + "days_of_month " + range_text(r) + ": " + std::to_string(day) +
                     " is not a valid day of the month (use 1..31 or -31..-1)"};
    }
    if (r.begin < 0 && r.end > 0)
      return Error{where + "days_of_month " + range_text(r) +
                   ": end day must be negative if start day is negative"};
    const int begin = r.begin < 0 ? 28 + r.begin : r.begin;
    const int end = r.end < 0 ? 28 + r.end : r.end;
    if (begin > end)
      return Error{where + "days_of_month " + range_text(r) + ": end day is before start day"};
  }
  return {};
}

}  // namespace

Result<int> parse_time_of_day(std::string_view text) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) || !digit(text[3]) ||
      !digit(text[4]))
    return Error{"invalid time of day \"" + std::string(text) + "\": expected HH:MM"};
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
    return Error{"invalid time of day \"" + std::string(text) +
                 "\": must be between 00:00 and 24:00"};
  return hours * 60 + minutes;
}

Result<TimeOfDayRange> make_time_of_day_range(std::string_view start, std::string_view end) {
  auto start_minute = parse_time_of_day(start);
  if (!start_minute)
    return start_minute.error();
  auto end_minute = parse_time_of_day(end);
  if (!end_minute)
    return end_minute.error();
  if (*start_minute >= *end_minute)
    return Error{"start time " + std::string(start) + " must be before end time " +
                 std::string(end)};
  return TimeOfDayRange{*start_minute, *end_minute};
}

Result<TimeInterval> TimeInterval::create(std::string name, std::vector<TimeIntervalSpec> specs) {
  std::vector<std::shared_ptr<const Zone>> zones;
  zones.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const TimeIntervalSpec& spec = specs[i];
    const std::string where =
        "time interval \"" + name + "\", entry " + std::to_string(i + 1) + ": ";
    for (const TimeOfDayRange& r : spec.times) {
      if (r.start_minute < 0 || r.end_minute > kMinutesPerDay || r.start_minute >= r.end_minute)
        return Error{where + "times: start " + std::to_string(r.start_minute) + " and end " +
                     std::to_string(r.end_minute) +
                     " (minutes of the day) must satisfy 0 <= start < end <= 1440"};
    }
    for (const Status& status : {check_ranges(spec.weekdays, "weekdays", 0, 6, where),
                                 check_days_of_month(spec.days_of_month, where),
                                 check_ranges(spec.months, "months", 1, 12, where),
                                 check_ranges(spec.years, "years", 1, 9999, where)}) {
      if (!status)
        return status.error();
    }
    auto zone = std::make_shared<Zone>();
    if (spec.location == "Local")
      return Error{where +
                   "location \"Local\" is not supported: name an IANA time zone such "
                   "as \"Europe/Tallinn\""};
    if (!spec.location.empty() && spec.location != "UTC") {
      try {
        zone->zone = date::locate_zone(spec.location);
      } catch (const std::exception&) {
        return Error{where + "unknown time zone \"" + spec.location +
                     "\" in location (expected an IANA name such as \"Europe/Tallinn\")"};
      }
    }
    zones.push_back(std::move(zone));
  }
  return TimeInterval(std::move(name), std::move(specs), std::move(zones));
}

TimeInterval::TimeInterval(std::string name, std::vector<TimeIntervalSpec> specs,
                           std::vector<std::shared_ptr<const Zone>> zones)
    : name_(std::move(name)), specs_(std::move(specs)), zones_(std::move(zones)) {}

bool TimeInterval::contains(TimePoint t) const {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (spec_contains(specs_[i], read_wall_clock(t, zones_[i]->zone)))
      return true;
  }
  return false;
}

Status TimeIntervals::add(TimeInterval interval) {
  std::string name = interval.name();
  if (intervals_.count(name) != 0)
    return Error{"time interval \"" + name + "\" is defined more than once"};
  intervals_.emplace(std::move(name), std::move(interval));
  return {};
}

const TimeInterval* TimeIntervals::find(std::string_view name) const {
  const auto it = intervals_.find(name);
  return it == intervals_.end() ? nullptr : &it->second;
}

bool TimeIntervals::contains(std::string_view name, TimePoint t) const {
  const TimeInterval* interval = find(name);
  return interval != nullptr && interval->contains(t);
}

bool TimeIntervals::any_contains(const std::vector<std::string>& names, TimePoint t) const {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return contains(name, t); });
}

}  // namespace sloe::route

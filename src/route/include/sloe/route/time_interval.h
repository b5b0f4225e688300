// TimeInterval: Alertmanager's `time_intervals` — named sets of calendar windows that mute a
// route's notifications (mute_time_intervals) or are the only time it may notify
// (active_time_intervals).
//
// Semantics (as Alertmanager's timeinterval package): an interval is a list of specs, and contains
// an instant when ANY spec does. A spec contains an instant when every field it gives matches the
// instant's wall-clock reading in the spec's location; a field left empty does not constrain.
// Within a field, the ranges are alternatives (OR) and both ends are inclusive, except `times`,
// whose end is exclusive (09:00-17:00 contains 16:59, not 17:00; an end of 24:00 reaches
// midnight). Because fields read local wall time, a DST change moves the window in UTC with the
// clock, 02:00-03:00 never matches on a spring-forward day in America/New_York, and 01:00-02:00
// matches both passes of the repeated hour on the fall-back day.
//
// days_of_month: 1..31 count from the start of the month, -1..-31 from its end (-1 is the last
// day). A negative begin needs a negative end. Evaluated per month as Alertmanager does: negative
// days are converted with that month's length, a range whose begin falls after the end of a short
// month (30:31 in February) matches nothing, and an end past it is clamped (1:31 in February is
// the whole month).
//
// Differences from Alertmanager: empty lists mean "not given" (Alertmanager treats an explicit
// empty YAML list as matching nothing); the location "Local" is rejected, since the host's time
// zone must not change what sloe does.
//
// Thread-safety: TimeInterval and TimeIntervals are immutable once built, apart from
// TimeIntervals::add; const methods may be called from any number of threads at once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::route {

// Minutes of the day, [start_minute, end_minute). 0 <= start < end <= 1440 (24:00).
struct TimeOfDayRange {
  int start_minute = 0;
  int end_minute = 0;
};

// An inclusive range of integers: weekdays, days of month, months or years.
struct IntRange {
  int begin = 0;
  int end = 0;
};

// One entry of a time interval's list, as written in configuration. Plain data; config fills it.
struct TimeIntervalSpec {
  std::vector<TimeOfDayRange> times;
  std::vector<IntRange> weekdays;       // 0 = Sunday .. 6 = Saturday; monday:friday is {1, 5}
  std::vector<IntRange> days_of_month;  // 1..31 or -31..-1, see above
  std::vector<IntRange> months;         // 1 = January .. 12 = December
  std::vector<IntRange> years;
  std::string location;  // IANA zone name such as "Europe/Tallinn"; empty means UTC
};

// Parses an Alertmanager clock time "HH:MM" (00:00..23:59, or 24:00) into minutes of the day.
Result<int> parse_time_of_day(std::string_view text);

// Builds a TimeOfDayRange from "HH:MM" texts, checking start < end as Alertmanager does.
Result<TimeOfDayRange> make_time_of_day_range(std::string_view start, std::string_view end);

class TimeInterval {
 public:
  // Validates every spec (ranges in bounds, begin <= end, the location is a known IANA zone) and
  // resolves its location. Errors name the interval, the spec's index and the field.
  static Result<TimeInterval> create(std::string name, std::vector<TimeIntervalSpec> specs);

  // True if any spec contains t. An interval with no specs contains nothing.
  bool contains(TimePoint t) const;

  const std::string& name() const { return name_; }
  const std::vector<TimeIntervalSpec>& specs() const { return specs_; }

 private:
  struct Zone;  // the resolved time zone of one spec; defined in the .cpp

  TimeInterval(std::string name, std::vector<TimeIntervalSpec> specs,
               std::vector<std::shared_ptr<const Zone>> zones);

  std::string name_;
  std::vector<TimeIntervalSpec> specs_;
  std::vector<std::shared_ptr<const Zone>> zones_;  // zones_[i] belongs to specs_[i]
};

// The configuration's time intervals, by name.
class TimeIntervals {
 public:
  // Fails if an interval with the same name is already present.
  Status add(TimeInterval interval);

  // The interval called name, or nullptr.
  const TimeInterval* find(std::string_view name) const;

  // True if the interval called name contains t; false for an unknown name (configuration
  // validation rejects routes naming unknown intervals, so this is only reached by a bug).
  bool contains(std::string_view name, TimePoint t) const;

  // True if any of the named intervals contains t; false for an empty list.
  bool any_contains(const std::vector<std::string>& names, TimePoint t) const;

  std::size_t size() const { return intervals_.size(); }

 private:
  std::map<std::string, TimeInterval, std::less<>> intervals_;
};

}  // namespace sloe::route

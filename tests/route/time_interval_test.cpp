#include "sloe/route/time_interval.h"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace sloe::route {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

// An instant given in UTC.
TimePoint utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + hours(hh) + minutes(mm);
}

TimeInterval must_create(std::vector<TimeIntervalSpec> specs) {
  auto interval = TimeInterval::create("test", std::move(specs));
  EXPECT_TRUE(interval.ok()) << (interval.ok() ? "" : interval.error().message);
  if (!interval.ok())
    return TimeInterval::create("empty", {}).value();
  return std::move(interval).value();
}

std::string create_error(TimeIntervalSpec spec) {
  auto interval = TimeInterval::create("offhours", {std::move(spec)});
  EXPECT_FALSE(interval.ok());
  return interval.ok() ? "" : interval.error().message;
}

TimeOfDayRange hhmm(std::string_view start, std::string_view end) {
  auto range = make_time_of_day_range(start, end);
  EXPECT_TRUE(range.ok()) << start << "-" << end;
  return range.ok() ? *range : TimeOfDayRange{};
}

// Minutes of the UTC day starting at day_start that the interval contains.
int minutes_contained(const TimeInterval& interval, TimePoint day_start) {
  int count = 0;
  for (int m = 0; m < 24 * 60; ++m)
    count += interval.contains(day_start + minutes(m)) ? 1 : 0;
  return count;
}

TEST(TimeIntervalTest, BusinessHoursInUtcWithExclusiveEnd) {
  TimeIntervalSpec spec;
  spec.times = {hhmm("09:00", "17:00")};
  spec.weekdays = {{1, 5}};  // monday:friday
  const TimeInterval interval = must_create({spec});
  // 2026-11-23 is a Monday; 2026-11-28 a Saturday.
  EXPECT_FALSE(interval.contains(utc(2026, 11, 23, 8, 59)));
  EXPECT_TRUE(interval.contains(utc(2026, 11, 23, 9, 0)));
  EXPECT_TRUE(interval.contains(utc(2026, 11, 23, 16, 59)));
  EXPECT_FALSE(interval.contains(utc(2026, 11, 23, 17, 0)));
  EXPECT_TRUE(interval.contains(utc(2026, 11, 27, 12, 0)));
  EXPECT_FALSE(interval.contains(utc(2026, 11, 28, 12, 0)));
}

TEST(TimeIntervalTest, EndOf2400ReachesMidnight) {
  TimeIntervalSpec spec;
  spec.times = {hhmm("22:00", "24:00")};
  const TimeInterval interval = must_create({spec});
  EXPECT_TRUE(interval.contains(utc(2026, 11, 23, 23, 59) + std::chrono::seconds(59)));
  EXPECT_FALSE(interval.contains(utc(2026, 11, 24, 0, 0)));
  EXPECT_FALSE(interval.contains(utc(2026, 11, 23, 21, 59)));

  TimeIntervalSpec whole_day;
  whole_day.times = {hhmm("00:00", "24:00")};
  EXPECT_EQ(minutes_contained(must_create({whole_day}), utc(2026, 11, 23)), 24 * 60);
}

TEST(TimeIntervalTest, EmptySpecContainsEverythingAndNoSpecsNothing) {
  EXPECT_TRUE(must_create({TimeIntervalSpec{}}).contains(utc(1999, 12, 31, 23, 59)));
  EXPECT_FALSE(must_create({}).contains(utc(1999, 12, 31, 23, 59)));
}

TEST(TimeIntervalTest, AnySpecMatching) {
  TimeIntervalSpec mornings;
  mornings.times = {hhmm("06:00", "07:00")};
  TimeIntervalSpec sundays;
  sundays.weekdays = {{0, 0}};
  const TimeInterval interval = must_create({mornings, sundays});
  EXPECT_TRUE(interval.contains(utc(2026, 11, 23, 6, 30)));   // Monday morning
  EXPECT_FALSE(interval.contains(utc(2026, 11, 23, 8, 0)));   // Monday later
  EXPECT_TRUE(interval.contains(utc(2026, 11, 29, 20, 0)));   // Sunday evening
  EXPECT_FALSE(interval.contains(utc(2026, 11, 28, 20, 0)));  // Saturday evening
}

TEST(TimeIntervalTest, TallinnWindowFollowsDaylightSavingTime) {
  TimeIntervalSpec spec;
  spec.times = {hhmm("09:00", "10:00")};
  spec.location = "Europe/Tallinn";
  const TimeInterval interval = must_create({spec});
  // Before 2026-03-29 Tallinn is UTC+2, after it UTC+3.
  EXPECT_TRUE(interval.contains(utc(2026, 3, 28, 7, 0)));
  EXPECT_FALSE(interval.contains(utc(2026, 3, 28, 6, 59)));
  EXPECT_TRUE(interval.contains(utc(2026, 3, 30, 6, 0)));
  EXPECT_FALSE(interval.contains(utc(2026, 3, 30, 7, 0)));

  // 03:00-04:00 does not exist on the spring-forward day (clocks go from 03:00 to 04:00).
  TimeIntervalSpec skipped;
  skipped.times = {hhmm("03:00", "04:00")};
  skipped.location = "Europe/Tallinn";
  const TimeInterval skipped_hour = must_create({skipped});
  EXPECT_EQ(minutes_contained(skipped_hour, utc(2026, 3, 28)), 60);
  EXPECT_EQ(minutes_contained(skipped_hour, utc(2026, 3, 29)), 0);
}

TEST(TimeIntervalTest, NewYorkRepeatedAndMissingHours) {
  TimeIntervalSpec repeated;
  repeated.times = {hhmm("01:00", "02:00")};
  repeated.location = "America/New_York";
  // 2026-11-01: 01:00-02:00 happens twice (EDT, then EST), all within the UTC day.
  const TimeInterval fall_back = must_create({repeated});
  EXPECT_EQ(minutes_contained(fall_back, utc(2026, 11, 1)), 120);
  EXPECT_TRUE(fall_back.contains(utc(2026, 11, 1, 5, 30)));  // 01:30 EDT
  EXPECT_TRUE(fall_back.contains(utc(2026, 11, 1, 6, 30)));  // 01:30 EST
  EXPECT_EQ(minutes_contained(fall_back, utc(2026, 10, 31)), 60);

  TimeIntervalSpec missing;
  missing.times = {hhmm("02:00", "03:00")};
  missing.location = "America/New_York";
  // 2026-03-08: clocks jump from 02:00 to 03:00.
  EXPECT_EQ(minutes_contained(must_create({missing}), utc(2026, 3, 8)), 0);
  EXPECT_EQ(minutes_contained(must_create({missing}), utc(2026, 3, 9)), 60);
}

TEST(TimeIntervalTest, WeekdaysAreReadInTheLocationAcrossUtcMidnight) {
  TimeIntervalSpec weekend;
  weekend.weekdays = {{6, 6}, {0, 0}};  // saturday, sunday
  weekend.location = "Asia/Tokyo";      // UTC+9
  const TimeInterval tokyo_weekend = must_create({weekend});
  // Friday 2026-11-27 16:00 UTC is Saturday 01:00 in Tokyo.
  EXPECT_TRUE(tokyo_weekend.contains(utc(2026, 11, 27, 16, 0)));
  EXPECT_FALSE(tokyo_weekend.contains(utc(2026, 11, 27, 14, 59)));
  // Sunday 2026-11-29 15:00 UTC is already Monday in Tokyo.
  EXPECT_FALSE(tokyo_weekend.contains(utc(2026, 11, 29, 15, 0)));

  TimeIntervalSpec workdays;
  workdays.weekdays = {{1, 5}};
  workdays.location = "America/Los_Angeles";  // UTC-8 in November
  const TimeInterval la_workdays = must_create({workdays});
  // Saturday 05:00 UTC is Friday 21:00 in Los Angeles; Monday 07:00 UTC is still Sunday there.
  EXPECT_TRUE(la_workdays.contains(utc(2026, 11, 28, 5, 0)));
  EXPECT_FALSE(la_workdays.contains(utc(2026, 11, 30, 7, 0)));
  EXPECT_TRUE(la_workdays.contains(utc(2026, 11, 30, 8, 0)));
}

TEST(TimeIntervalTest, NegativeDaysOfMonthCountFromTheEnd) {
  TimeIntervalSpec last_day;
  last_day.days_of_month = {{-1, -1}};
  const TimeInterval last = must_create({last_day});
  EXPECT_TRUE(last.contains(utc(2026, 2, 28, 12)));
  EXPECT_FALSE(last.contains(utc(2026, 2, 27, 12)));
  EXPECT_FALSE(last.contains(utc(2028, 2, 28, 12)));  // leap year
  EXPECT_TRUE(last.contains(utc(2028, 2, 29, 12)));
  EXPECT_TRUE(last.contains(utc(2026, 4, 30, 12)));
  EXPECT_TRUE(last.contains(utc(2026, 12, 31, 12)));

  TimeIntervalSpec last_week;
  last_week.days_of_month = {{-7, -1}};
  const TimeInterval week = must_create({last_week});
  EXPECT_TRUE(week.contains(utc(2026, 11, 24)));
  EXPECT_FALSE(week.contains(utc(2026, 11, 23)));
  EXPECT_TRUE(week.contains(utc(2026, 12, 25)));
  EXPECT_FALSE(week.contains(utc(2026, 12, 24)));

  TimeIntervalSpec mixed;
  mixed.days_of_month = {{25, -1}};  // the 25th to the end of the month
  const TimeInterval from_25th = must_create({mixed});
  EXPECT_TRUE(from_25th.contains(utc(2026, 2, 28)));
  EXPECT_FALSE(from_25th.contains(utc(2026, 2, 24)));
}

TEST(TimeIntervalTest, DaysOfMonthClampToShortMonths) {
  TimeIntervalSpec whole;
  whole.days_of_month = {{1, 31}};
  EXPECT_EQ(minutes_contained(must_create({whole}), utc(2026, 2, 28)), 24 * 60);

  TimeIntervalSpec late;
  late.days_of_month = {{30, 31}};
  const TimeInterval late_days = must_create({late});
  for (unsigned d = 1; d <= 28; ++d)
    EXPECT_FALSE(late_days.contains(utc(2026, 2, d, 12))) << d;
  EXPECT_TRUE(late_days.contains(utc(2026, 3, 30, 12)));

  TimeIntervalSpec from_end;
  from_end.days_of_month = {{-31, -1}};  // every day, in every month
  EXPECT_TRUE(must_create({from_end}).contains(utc(2026, 2, 1, 12)));
}

TEST(TimeIntervalTest, MonthAndYearRanges) {
  TimeIntervalSpec spec;
  spec.months = {{11, 12}};
  spec.years = {{2026, 2027}};
  const TimeInterval interval = must_create({spec});
  EXPECT_TRUE(interval.contains(utc(2026, 11, 23)));
  EXPECT_TRUE(interval.contains(utc(2027, 12, 31, 23, 59)));
  EXPECT_FALSE(interval.contains(utc(2026, 10, 31, 23, 59)));
  EXPECT_FALSE(interval.contains(utc(2028, 12, 1)));
  EXPECT_FALSE(interval.contains(utc(2025, 11, 1)));

  // December 31 23:30 UTC is already January in Tallinn.
  TimeIntervalSpec january;
  january.months = {{1, 1}};
  january.location = "Europe/Tallinn";
  EXPECT_TRUE(must_create({january}).contains(utc(2026, 12, 31, 23, 30)));
}

TEST(TimeIntervalTest, ParsesClockTimes) {
  EXPECT_EQ(parse_time_of_day("00:00").value(), 0);
  EXPECT_EQ(parse_time_of_day("09:30").value(), 570);
  EXPECT_EQ(parse_time_of_day("24:00").value(), 1440);
  EXPECT_FALSE(parse_time_of_day("24:01").ok());
  EXPECT_FALSE(parse_time_of_day("9:00").ok());
  EXPECT_FALSE(parse_time_of_day("12:60").ok());
  EXPECT_FALSE(parse_time_of_day("ab:cd").ok());
  EXPECT_FALSE(make_time_of_day_range("17:00", "09:00").ok());
  EXPECT_FALSE(make_time_of_day_range("09:00", "09:00").ok());
}

TEST(TimeIntervalTest, RejectsInvalidSpecsNamingTheField) {
  TimeIntervalSpec zone;
  zone.location = "Europe/Atlantis";
  EXPECT_THAT(create_error(zone), HasSubstr("unknown time zone \"Europe/Atlantis\""));
  EXPECT_THAT(create_error(zone), HasSubstr("time interval \"offhours\", entry 1"));
  zone.location = "Local";
  EXPECT_THAT(create_error(zone), HasSubstr("\"Local\""));

  TimeIntervalSpec day_zero;
  day_zero.days_of_month = {{0, 5}};
  EXPECT_THAT(create_error(day_zero), HasSubstr("days_of_month"));
  TimeIntervalSpec negative_begin;
  negative_begin.days_of_month = {{-3, 5}};
  EXPECT_THAT(create_error(negative_begin), HasSubstr("must be negative"));
  TimeIntervalSpec backwards_days;
  backwards_days.days_of_month = {{-1, -5}};
  EXPECT_THAT(create_error(backwards_days), HasSubstr("before start day"));

  TimeIntervalSpec weekday;
  weekday.weekdays = {{1, 7}};
  EXPECT_THAT(create_error(weekday), HasSubstr("weekdays"));
  TimeIntervalSpec months;
  months.months = {{12, 1}};
  EXPECT_THAT(create_error(months), HasSubstr("months 12:1: start is after end"));
  TimeIntervalSpec times;
  times.times = {{600, 600}};
  EXPECT_THAT(create_error(times), HasSubstr("times"));
}

TEST(TimeIntervalsTest, LooksUpByName) {
  TimeIntervals intervals;
  TimeIntervalSpec nights;
  nights.times = {hhmm("00:00", "06:00")};
  ASSERT_TRUE(intervals.add(TimeInterval::create("nights", {nights}).value()).ok());
  TimeIntervalSpec sundays;
  sundays.weekdays = {{0, 0}};
  ASSERT_TRUE(intervals.add(TimeInterval::create("sundays", {sundays}).value()).ok());
  const Status duplicate = intervals.add(TimeInterval::create("nights", {}).value());
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.error().message, HasSubstr("\"nights\" is defined more than once"));

  EXPECT_EQ(intervals.size(), 2u);
  ASSERT_NE(intervals.find("nights"), nullptr);
  EXPECT_EQ(intervals.find("holidays"), nullptr);
  EXPECT_TRUE(intervals.contains("nights", utc(2026, 11, 23, 3)));
  EXPECT_FALSE(intervals.contains("holidays", utc(2026, 11, 23, 3)));
  EXPECT_TRUE(intervals.any_contains({"holidays", "sundays"}, utc(2026, 11, 29, 12)));
  EXPECT_FALSE(intervals.any_contains({"holidays", "nights"}, utc(2026, 11, 23, 12)));
  EXPECT_FALSE(intervals.any_contains({}, utc(2026, 11, 23, 3)));
}

}  // namespace
}  // namespace sloe::route

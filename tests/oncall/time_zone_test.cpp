// Wall-clock readings and zones: parsing what people write, and the DST rule for readings that a
// switch skips or repeats.
#include "sloe/oncall/time_zone.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace sloe::oncall {
namespace {

using testing::at;
using testing::local;

TEST(LocalDateTime, ParsesWithAndWithoutSeconds) {
  const LocalDateTime a = local("2026-11-02T09:00");
  EXPECT_EQ(a.year, 2026);
  EXPECT_EQ(a.month, 11u);
  EXPECT_EQ(a.day, 2u);
  EXPECT_EQ(a.hour, 9u);
  EXPECT_EQ(a.minute, 0u);
  EXPECT_EQ(local("2026-11-02 09:00:30").second, 30u);
  EXPECT_EQ(format_local_date_time(a), "2026-11-02T09:00");
  EXPECT_EQ(format_local_date_time(local("2026-11-02T09:00:30")), "2026-11-02T09:00:30");
}

TEST(LocalDateTime, RejectsOffsetsImpossibleDatesAndTimes) {
  EXPECT_FALSE(parse_local_date_time("2026-11-02T09:00Z").ok());
  EXPECT_FALSE(parse_local_date_time("2026-11-02T09:00+02:00").ok());
  EXPECT_FALSE(parse_local_date_time("2026-02-30T09:00").ok());
  EXPECT_FALSE(parse_local_date_time("2026-11-02T24:00").ok());
  EXPECT_FALSE(parse_local_date_time("2026-11-02").ok());
  const auto bad = parse_local_date_time("2026-02-30T09:00");
  EXPECT_NE(bad.error().message.find("no such date"), std::string::npos);
}

TEST(TimeOfDay, ParsesHoursAndMinutesUpTo24) {
  EXPECT_EQ(parse_time_of_day("09:00").value(), std::chrono::minutes(540));
  EXPECT_EQ(parse_time_of_day("9:30").value(), std::chrono::minutes(570));
  EXPECT_EQ(parse_time_of_day("24:00").value(), std::chrono::minutes(1440));
  EXPECT_FALSE(parse_time_of_day("24:01").ok());
  EXPECT_FALSE(parse_time_of_day("12:60").ok());
  EXPECT_FALSE(parse_time_of_day("noon").ok());
  EXPECT_FALSE(parse_time_of_day("123:00").ok());
}

TEST(Weekday, ShortAndLongNamesInAnyCase) {
  EXPECT_EQ(parse_weekday("mon").value(), 0u);
  EXPECT_EQ(parse_weekday("Sunday").value(), 6u);
  EXPECT_EQ(parse_weekday("FRI").value(), 4u);
  EXPECT_FALSE(parse_weekday("funday").ok());
  EXPECT_EQ(weekday_name(2), "wed");
}

TEST(TimeZone, KnowsIanaNames) {
  EXPECT_TRUE(is_known_time_zone("Europe/Tallinn"));
  EXPECT_TRUE(is_known_time_zone("UTC"));
  EXPECT_FALSE(is_known_time_zone("Europe/Talinn"));
  EXPECT_FALSE(is_known_time_zone(""));
  const auto names = time_zone_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "America/New_York"), names.end());
}

TEST(TimeZone, SkippedReadingNamesTheSwitchAndRepeatedReadingItsFirstOccurrence) {
  // Tallinn springs forward 2026-03-29 03:00 EET -> 04:00 EEST (01:00Z).
  EXPECT_EQ(to_instant(local("2026-03-29T03:30"), "Europe/Tallinn").value(),
            at("2026-03-29T01:00:00Z"));
  // ...and falls back 2026-10-25 04:00 EEST -> 03:00 EET (01:00Z): 03:30 happens twice.
  EXPECT_EQ(to_instant(local("2026-10-25T03:30"), "Europe/Tallinn").value(),
            at("2026-10-25T00:30:00Z"));
  EXPECT_EQ(to_instant(local("2026-10-25T09:00"), "Europe/Tallinn").value(),
            at("2026-10-25T07:00:00Z"));
  EXPECT_FALSE(to_instant(local("2026-10-25T09:00"), "Mars/Olympus").ok());
}

TEST(TimeZone, LocalReadingAndFormatting) {
  const LocalDateTime reading = to_local(at("2026-07-01T06:00:00Z"), "Europe/Tallinn").value();
  EXPECT_EQ(format_local_date_time(reading), "2026-07-01T09:00");
  EXPECT_EQ(format_in_zone(at("2026-07-01T06:00:00Z"), "Europe/Tallinn"),
            "2026-07-01T09:00:00+03:00");
  EXPECT_EQ(format_in_zone(at("2026-01-01T14:00:00Z"), "America/New_York"),
            "2026-01-01T09:00:00-05:00");
  EXPECT_EQ(format_in_zone(at("2026-01-01T14:00:00Z"), "UTC"), "2026-01-01T14:00:00Z");
}

}  // namespace
}  // namespace sloe::oncall

#include "sloe/core/time_format.h"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>
#include <cstdlib>
#include <random>
#include <string>

namespace sloe {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// 2026-11-23T09:30:00Z, computed independently of the code under test.
const TimePoint kExample = sys_days{2026y / November / 23} + 9h + 30min;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(FormatRfc3339, WritesUtcWithZ) {
  EXPECT_EQ(format_rfc3339(kExample), "2026-11-23T09:30:00Z");
  EXPECT_EQ(format_rfc3339(TimePoint{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(sys_days{2024y / February / 29} + 23h + 59min + 59s),
            "2024-02-29T23:59:59Z");
}

TEST(FormatRfc3339, FixedWidthFractionsTruncateTowardsThePast) {
  const TimePoint t = kExample + 1234567891ns;  // 1.234567891 s later
  EXPECT_EQ(format_rfc3339(t), "2026-11-23T09:30:01Z");
  EXPECT_EQ(format_rfc3339(t, Rfc3339Precision::kMillis), "2026-11-23T09:30:01.234Z");
  EXPECT_EQ(format_rfc3339(t, Rfc3339Precision::kMicros), "2026-11-23T09:30:01.234567Z");
  EXPECT_EQ(format_rfc3339(t, Rfc3339Precision::kNanos), "2026-11-23T09:30:01.234567891Z");
  EXPECT_EQ(format_rfc3339(kExample, Rfc3339Precision::kMillis), "2026-11-23T09:30:00.000Z");
  EXPECT_EQ(format_rfc3339(kExample + 999ms), "2026-11-23T09:30:00Z");
}

TEST(FormatRfc3339, InstantsBeforeTheEpochUseFloorDivision) {
  EXPECT_EQ(format_rfc3339(TimePoint{} - 1ns, Rfc3339Precision::kNanos),
            "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_rfc3339(TimePoint{} - 1s), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(sys_days{1900y / March / 1}), "1900-03-01T00:00:00Z");
}

TEST(FormatRfc3339, SortsAsTextInTimeOrder) {
  const TimePoint a = kExample + 500ms;
  const TimePoint b = kExample + 1s;
  EXPECT_LT(format_rfc3339(a, Rfc3339Precision::kMillis),
            format_rfc3339(b, Rfc3339Precision::kMillis));
}

TEST(FormatRfc3339, IgnoresProcessTimeZoneAndLocale) {
  const char* old_tz = std::getenv("TZ");
  const std::string saved_tz = old_tz ? old_tz : "";
  setenv("TZ", "Pacific/Kiritimati", 1);
  tzset();
  std::setlocale(LC_ALL, "de_DE.UTF-8");  // may not exist; then this is a no-op
  EXPECT_EQ(format_rfc3339(kExample), "2026-11-23T09:30:00Z");
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00Z").value(), kExample);
  std::setlocale(LC_ALL, "C");
  if (old_tz) {
    setenv("TZ", saved_tz.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(ParseRfc3339, ReadsUtc) {
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00Z").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-23t09:30:00z").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-23 09:30:00Z").value(), kExample);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z").value(), TimePoint{});
}

TEST(ParseRfc3339, ReadsFractionsOfAnyLength) {
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00.5Z").value(), kExample + 500ms);
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00.250Z").value(), kExample + 250ms);
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00.000001Z").value(), kExample + 1us);
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00.123456789Z").value(), kExample + 123456789ns);
  // Beyond nanoseconds: dropped, not rounded.
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00.1234567899999Z").value(), kExample + 123456789ns);
}

TEST(ParseRfc3339, AppliesNumericOffsets) {
  EXPECT_EQ(parse_rfc3339("2026-11-23T11:30:00+02:00").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-23T04:00:00-05:30").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-22T23:30:00-10:00").value(), kExample);  // crosses a day
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00+00:00").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-23T09:30:00-00:00").value(), kExample);
  EXPECT_EQ(parse_rfc3339("2026-11-23T10:30:00.75+01:00").value(), kExample + 750ms);
}

TEST(ParseRfc3339, RoundTripsFormattedInstants) {
  std::mt19937_64 random(20261123);
  std::uniform_int_distribution<std::int64_t> nanos(-2'000'000'000'000'000'000LL,
                                                    7'000'000'000'000'000'000LL);
  for (int i = 0; i < 2000; ++i) {
    const TimePoint t{duration_cast<TimePoint::duration>(nanoseconds{nanos(random)})};
    const std::string text = format_rfc3339(t, Rfc3339Precision::kNanos);
    auto parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    ASSERT_EQ(parsed.value(), t) << text;
  }
}

TEST(ParseRfc3339, RejectsMalformedTextWithAReason) {
  EXPECT_TRUE(contains(parse_rfc3339("").error().message, "empty"));
  const std::string missing_zone = parse_rfc3339("2026-11-23T09:30:00").error().message;
  EXPECT_TRUE(contains(missing_zone, "'Z' or an offset")) << missing_zone;
  EXPECT_TRUE(contains(missing_zone, "position 20")) << missing_zone;
  EXPECT_TRUE(contains(missing_zone, "2026-11-23T09:30:00Z")) << missing_zone;  // the example
  EXPECT_TRUE(contains(parse_rfc3339("26-11-23T09:30:00Z").error().message, "4-digit year"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23X09:30:00Z").error().message, "'T'"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T9:30:00Z").error().message, "2-digit hour"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T09:30:00.Z").error().message, "digit after"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T09:30:00+0200").error().message, "offset"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T09:30:00Z ").error().message, "end"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23").ok());
  EXPECT_FALSE(parse_rfc3339("1700000000").ok());
  EXPECT_FALSE(parse_rfc3339("-026-11-23T09:30:00Z").ok());
}

TEST(ParseRfc3339, RejectsImpossibleDatesAndTimes) {
  EXPECT_TRUE(contains(parse_rfc3339("2026-13-01T00:00:00Z").error().message, "month"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-00-01T00:00:00Z").error().message, "month"));
  EXPECT_TRUE(contains(parse_rfc3339("2025-02-29T00:00:00Z").error().message, "day"));
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(contains(parse_rfc3339("2026-04-31T00:00:00Z").error().message, "day"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-04-00T00:00:00Z").error().message, "day"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T24:00:00Z").error().message, "hour"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T09:60:00Z").error().message, "minute"));
  EXPECT_TRUE(contains(parse_rfc3339("2016-12-31T23:59:60Z").error().message, "leap second"));
  EXPECT_TRUE(contains(parse_rfc3339("2026-11-23T09:30:00+24:00").error().message, "offset"));
}

TEST(ParseRfc3339, RejectsInstantsOutsideTimePointRange) {
  EXPECT_TRUE(contains(parse_rfc3339("9999-12-31T23:59:59Z").error().message, "range"));
  EXPECT_TRUE(contains(parse_rfc3339("0001-01-01T00:00:00Z").error().message, "range"));
  EXPECT_TRUE(contains(parse_rfc3339("2262-04-11T23:47:16.854775808Z").error().message, "range"));
  EXPECT_EQ(parse_rfc3339("2262-04-11T23:47:16.854775807Z").value(), TimePoint::max());
  EXPECT_EQ(parse_rfc3339("1677-09-21T00:12:43.145224192Z").value(), TimePoint::min());
}

}  // namespace
}  // namespace sloe

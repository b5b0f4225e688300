#include "sloe/core/duration.h"

#include <gtest/gtest.h>

namespace sloe {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsPrometheusUnits) {
  EXPECT_EQ(parse_duration("30d").value(), milliseconds(30LL * 24 * 3600 * 1000));
  EXPECT_EQ(parse_duration("5m").value(), 5min);
  EXPECT_EQ(parse_duration("1h30m").value(), 90min);
  EXPECT_EQ(parse_duration("250ms").value(), 250ms);
  EXPECT_EQ(parse_duration("2w").value(), milliseconds(14LL * 24 * 3600 * 1000));
  EXPECT_EQ(parse_duration("1y").value(), milliseconds(365LL * 24 * 3600 * 1000));
  EXPECT_EQ(parse_duration("0s").value(), 0ms);
  EXPECT_EQ(parse_duration("0").value(), 0ms);
}

TEST(ParseDuration, RejectsMalformedInputWithAReason) {
  EXPECT_NE(parse_duration("").error().message.find("empty"), std::string::npos);
  EXPECT_NE(parse_duration("5").error().message.find("missing unit"), std::string::npos);
  EXPECT_NE(parse_duration("5x").error().message.find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(parse_duration("30m1h").error().message.find("largest to smallest"), std::string::npos);
  EXPECT_NE(parse_duration("1h1h").error().message.find("largest to smallest"), std::string::npos);
  EXPECT_FALSE(parse_duration("-5m").ok());
  EXPECT_FALSE(parse_duration("5 m").ok());
  EXPECT_FALSE(parse_duration("99999999999999999999d").ok());
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (const char* text : {"30d", "5m", "1h30m", "250ms", "2w", "1d1h1m1s1ms", "0s"}) {
    EXPECT_EQ(format_duration(parse_duration(text).value()), text) << text;
  }
  EXPECT_EQ(format_duration(milliseconds(28LL * 24 * 3600 * 1000)), "4w");
  EXPECT_EQ(format_duration(milliseconds(30LL * 24 * 3600 * 1000)), "30d");
}

}  // namespace
}  // namespace sloe

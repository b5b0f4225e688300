#include "sloe/core/text.h"

#include <gtest/gtest.h>

#include <clocale>
#include <limits>

#include "sloe/core/labels.h"

namespace sloe {
namespace {

TEST(ClosestMatch, SuggestsLikelyTypos) {
  const std::vector<std::string> keys{"objective", "window", "service", "labels"};
  EXPECT_EQ(closest_match("objectve", keys), "objective");
  EXPECT_EQ(closest_match("windwo", keys), "window");
  EXPECT_EQ(closest_match("banana", keys), "");
}

TEST(FormatDouble, IsLocaleIndependentAndUsesPrometheusSpecials) {
  // A locale with a decimal comma must not leak into metrics or JSON.
  const char* previous = std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
  EXPECT_EQ(format_double(0.5), "0.5");
  if (previous != nullptr) std::setlocale(LC_NUMERIC, "C");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_double(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_double(0.999), "0.999");
}

TEST(LabelName, FollowsPrometheusGrammar) {
  EXPECT_TRUE(is_valid_label_name("service"));
  EXPECT_TRUE(is_valid_label_name("_x1"));
  EXPECT_FALSE(is_valid_label_name("1x"));
  EXPECT_FALSE(is_valid_label_name("team-name"));
  EXPECT_FALSE(is_valid_label_name(""));
}

}  // namespace
}  // namespace sloe

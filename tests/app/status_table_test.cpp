#include "sloe/app/status_table.h"

#include <gtest/gtest.h>

namespace sloe::app {
namespace {

TEST(StatusTable, ParsesTheApiAnswerAndRendersARow) {
  const std::string body = R"({"generated_at":"2026-11-23T10:00:00Z","evaluation_seconds":0.001,
    "slos":[{"name":"checkout-availability","service":"checkout","objective_percent":99.5,
    "window":"30d","has_data":true,"sli_value":0.875,
    "error_budget":{"remaining_ratio":-24.0},"burn_rates":{"5m":25.0,"1h":25.0},
    "time_to_exhaustion_seconds":0,"page":true,"ticket":true}]})";
  const ParsedStatus parsed = parse_status_json(body);
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  ASSERT_EQ(parsed.rows.size(), 1u);
  const std::string table = render_status_table(parsed.rows);
  EXPECT_NE(table.find("checkout-availability"), std::string::npos);
  EXPECT_NE(table.find("99.5%"), std::string::npos);
  EXPECT_NE(table.find("87.500%"), std::string::npos);
  EXPECT_NE(table.find("[..........]"), std::string::npos);
  EXPECT_NE(table.find("PAGE"), std::string::npos);
}

TEST(StatusTable, ReportsAMalformedAnswer) {
  EXPECT_FALSE(parse_status_json("{\"slos\":[{\"name\":1}]}").error.empty());
  EXPECT_FALSE(parse_status_json("not json").error.empty());
}

}  // namespace
}  // namespace sloe::app

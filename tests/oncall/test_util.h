// Helpers shared by the oncall tests: instants written as text, configurations built in a line.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/time_format.h"
#include "sloe/oncall/model.h"
#include "sloe/oncall/time_zone.h"

namespace sloe::oncall::testing {

// An RFC 3339 instant; fails the test on a typo.
inline TimePoint at(std::string_view rfc3339) {
  auto parsed = parse_rfc3339(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? parsed.value() : TimePoint{};
}

inline LocalDateTime local(std::string_view text) {
  auto parsed = parse_local_date_time(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : LocalDateTime{};
}

inline Rotation rotation(std::string name, std::vector<std::string> users,
                         std::chrono::milliseconds shift_length, std::string_view start,
                         std::string zone) {
  return Rotation{std::move(name), std::move(users), shift_length, local(start), std::move(zone)};
}

inline std::vector<std::string> names(std::initializer_list<const char*> list) {
  return std::vector<std::string>(list.begin(), list.end());
}

inline std::chrono::hours days(int n) {
  return std::chrono::hours(24 * n);
}

}  // namespace sloe::oncall::testing

#include "sloe/core/clock.h"

#include <gtest/gtest.h>

namespace sloe {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock(from_unix_seconds(1'700'000'000));
  const TimePoint start = clock.now();
  const MonoTime mono = clock.monotonic();
  EXPECT_EQ(clock.now(), start);
  clock.advance(30 * 24h);
  EXPECT_EQ(clock.now() - start, 30 * 24h);
  EXPECT_EQ(clock.monotonic() - mono, 30 * 24h);
  EXPECT_DOUBLE_EQ(to_unix_seconds(start), 1'700'000'000.0);
}

}  // namespace
}  // namespace sloe

#include "schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sloe::probe::detail {
namespace {

using namespace std::chrono_literals;

const MonoTime kStart = MonoTime{} + 1000h;

TEST(Schedule, FirstRunsAreJitteredWithinTheIntervalAndDifferPerProbe) {
  const std::vector<Duration> intervals(8, 10s);
  const Schedule schedule(intervals, kStart, 42);
  std::set<MonoTime> firsts;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    EXPECT_GE(schedule.due(i), kStart);
    EXPECT_LT(schedule.due(i), kStart + 10s);
    firsts.insert(schedule.due(i));
  }
  EXPECT_EQ(firsts.size(), intervals.size()) << "probes sharing an interval fire together";
}

TEST(Schedule, SameSeedSameOffsetsOtherSeedOtherOffsets) {
  const std::vector<Duration> intervals = {30s, 30s, 60s};
  const Schedule a(intervals, kStart, 7);
  const Schedule b(intervals, kStart, 7);
  const Schedule c(intervals, kStart, 8);
  bool any_different = false;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    EXPECT_EQ(a.due(i), b.due(i));
    any_different = any_different || a.due(i) != c.due(i);
  }
  EXPECT_TRUE(any_different);
}

TEST(Schedule, KeepsFixedCadenceWhenTakenLate) {
  Schedule schedule({100ms}, kStart, 1);
  const MonoTime first = schedule.due(0);
  EXPECT_TRUE(schedule.take_due(first - 1ns).empty());
  // Noticed 30ms late: the next slot still counts from the planned one, so lateness never
  // accumulates into drift.
  EXPECT_EQ(schedule.take_due(first + 30ms), std::vector<std::size_t>{0});
  EXPECT_EQ(schedule.due(0), first + 100ms);
  EXPECT_EQ(schedule.take_due(first + 100ms), std::vector<std::size_t>{0});
  EXPECT_EQ(schedule.due(0), first + 200ms);
}

TEST(Schedule, SkipsMissedSlotsInsteadOfBursting) {
  Schedule schedule({100ms}, kStart, 1);
  const MonoTime first = schedule.due(0);
  EXPECT_EQ(schedule.take_due(first + 350ms), std::vector<std::size_t>{0});
  EXPECT_EQ(schedule.due(0), first + 400ms);  // on its grid, after now
  EXPECT_TRUE(schedule.take_due(first + 399ms).empty());
}

TEST(Schedule, SlotExactlyNowIsSkippedToo) {
  Schedule schedule({100ms}, kStart, 1);
  const MonoTime first = schedule.due(0);
  EXPECT_EQ(schedule.take_due(first + 200ms), std::vector<std::size_t>{0});
  EXPECT_EQ(schedule.due(0), first + 300ms);
}

TEST(Schedule, LongStallCostsOneStep) {
  Schedule schedule({1ms}, kStart, 1);
  const MonoTime first = schedule.due(0);
  // A year of missed 1ms slots: still one run, and arithmetic stays in range.
  EXPECT_EQ(schedule.take_due(first + 24h * 365).size(), 1u);
  EXPECT_EQ(schedule.due(0), first + 24h * 365 + 1ms);
}

TEST(Schedule, ReturnsDueProbesEarliestFirst) {
  Schedule schedule({100ms, 100ms, 100ms}, kStart, 3);
  std::vector<std::size_t> expected = {0, 1, 2};
  std::sort(expected.begin(), expected.end(),
            [&](std::size_t a, std::size_t b) { return schedule.due(a) < schedule.due(b); });
  ASSERT_TRUE(schedule.next_due());
  EXPECT_EQ(*schedule.next_due(), schedule.due(expected.front()));
  EXPECT_EQ(schedule.take_due(kStart + 100ms), expected);
}

TEST(Schedule, EmptyHasNothingDue) {
  Schedule schedule({}, kStart, 1);
  EXPECT_FALSE(schedule.next_due());
  EXPECT_TRUE(schedule.take_due(kStart + 1h).empty());
}

TEST(Schedule, NonPositiveIntervalIsTreatedAsOneMillisecond) {
  Schedule schedule({0ms}, kStart, 1);
  const MonoTime first = schedule.due(0);
  EXPECT_GE(first, kStart);
  EXPECT_LT(first, kStart + 1ms);
  EXPECT_EQ(schedule.take_due(first).size(), 1u);
  EXPECT_EQ(schedule.due(0), first + 1ms);
}

}  // namespace
}  // namespace sloe::probe::detail

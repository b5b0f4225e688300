// Who is on call: rotations, layers with restrictions, overrides, the timeline and its gaps, in a
// zone without DST so that the arithmetic in each expectation is plain.
#include "sloe/oncall/schedule.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace sloe::oncall {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::at;
using testing::days;
using testing::names;
using testing::rotation;

// alice, bob, carol take weeks in turn from Monday 2026-11-02 09:00 UTC.
OncallConfig weekly_config() {
  OncallConfig config;
  config.users = {User{"alice", "Alice", "pager-alice"}, User{"bob", "", "pager-bob"},
                  User{"carol", "", ""}, User{"dave", "", "pager-dave"}};
  config.rotations = {
      rotation("weekly", names({"alice", "bob", "carol"}), days(7), "2026-11-02T09:00", "UTC")};
  config.schedules = {Schedule{"primary", {Layer{"weekly", {}}}, {}}};
  return config;
}

TEST(Rotation, UsersTakeTurnsFromTheStart) {
  const Rotation r = weekly_config().rotations[0];
  EXPECT_FALSE(shift_at(r, at("2026-11-02T08:59:59Z")).has_value());
  const auto first = shift_at(r, at("2026-11-02T09:00:00Z"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->user, "alice");
  EXPECT_EQ(first->index, 0);
  EXPECT_EQ(first->start, at("2026-11-02T09:00:00Z"));
  EXPECT_EQ(first->end, at("2026-11-09T09:00:00Z"));
  EXPECT_EQ(shift_at(r, at("2026-11-09T08:59:59Z"))->user, "alice");
  EXPECT_EQ(shift_at(r, at("2026-11-09T09:00:00Z"))->user, "bob");
  EXPECT_EQ(shift_at(r, at("2026-11-16T09:00:00Z"))->user, "carol");
  // Back to the first user after a full cycle, and far later still in step.
  EXPECT_EQ(shift_at(r, at("2026-11-23T09:00:00Z"))->user, "alice");
  const auto later = shift_at(r, at("2027-11-01T10:00:00Z"));  // 52 weeks after the start
  EXPECT_EQ(later->index, 52);
  EXPECT_EQ(later->user, "bob");  // 52 % 3 == 1
}

TEST(Rotation, UnknownZoneOrNoUsersMeansNobody) {
  Rotation r = weekly_config().rotations[0];
  r.time_zone = "Nowhere/Special";
  EXPECT_FALSE(shift_at(r, at("2026-11-03T00:00:00Z")).has_value());
  r = weekly_config().rotations[0];
  r.users.clear();
  EXPECT_FALSE(shift_at(r, at("2026-11-03T00:00:00Z")).has_value());
}

TEST(Schedule, WhoFollowsTheRotation) {
  const OncallConfig config = weekly_config();
  EXPECT_EQ(who(config, "primary", at("2026-11-05T12:00:00Z")), names({"alice"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-10T12:00:00Z")), names({"bob"}));
  EXPECT_TRUE(who(config, "primary", at("2026-11-01T12:00:00Z")).empty());
  EXPECT_TRUE(who(config, "missing", at("2026-11-05T12:00:00Z")).empty());
}

TEST(Schedule, HigherLayerOverridesWhereItHasSomeone) {
  OncallConfig config = weekly_config();
  // dave covers weekday business hours 09:00-17:00 on top of the weekly rotation.
  config.rotations.push_back(
      rotation("business", names({"dave"}), days(7), "2026-11-02T00:00", "UTC"));
  config.schedules[0].layers.push_back(
      Layer{"business", daily_windows(hours(9), hours(17), {0, 1, 2, 3, 4})});
  // Thursday 2026-11-05.
  EXPECT_EQ(who(config, "primary", at("2026-11-05T08:59:00Z")), names({"alice"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-05T09:00:00Z")), names({"dave"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-05T16:59:00Z")), names({"dave"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-05T17:00:00Z")), names({"alice"}));
  // Saturday: the restriction excludes it, the lower layer shows through.
  EXPECT_EQ(who(config, "primary", at("2026-11-07T12:00:00Z")), names({"alice"}));
}

TEST(Schedule, OverlappingRestrictedLayersLeaveGapsWhereNeitherHasSomeone) {
  OncallConfig config;
  config.rotations = {
      rotation("day", names({"alice"}), days(1), "2026-11-01T00:00", "UTC"),
      rotation("night", names({"bob"}), days(1), "2026-11-01T00:00", "UTC"),
  };
  config.schedules = {Schedule{"follow-the-sun",
                               {Layer{"day", daily_windows(hours(8), hours(20))},
                                Layer{"night", daily_windows(hours(21), hours(7))}},
                               {}}};
  const auto timeline =
      shifts(config, "follow-the-sun", at("2026-11-03T00:00:00Z"), at("2026-11-04T00:00:00Z"));
  const std::vector<Shift> expected{
      {at("2026-11-03T00:00:00Z"), at("2026-11-03T07:00:00Z"), names({"bob"})},
      {at("2026-11-03T07:00:00Z"), at("2026-11-03T08:00:00Z"), {}},
      {at("2026-11-03T08:00:00Z"), at("2026-11-03T20:00:00Z"), names({"alice"})},
      {at("2026-11-03T20:00:00Z"), at("2026-11-03T21:00:00Z"), {}},
      {at("2026-11-03T21:00:00Z"), at("2026-11-04T00:00:00Z"), names({"bob"})},
  };
  EXPECT_EQ(timeline, expected);
  const std::vector<Gap> gaps{{at("2026-11-03T07:00:00Z"), at("2026-11-03T08:00:00Z")},
                              {at("2026-11-03T20:00:00Z"), at("2026-11-03T21:00:00Z")}};
  EXPECT_EQ(
      find_gaps(config, "follow-the-sun", at("2026-11-03T00:00:00Z"), at("2026-11-04T00:00:00Z")),
      gaps);
}

TEST(Schedule, WeekendWindowWrapsOverSundayMidnight) {
  OncallConfig config;
  config.rotations = {rotation("r", names({"alice", "bob"}), days(7), "2026-11-02T00:00", "UTC")};
  const WeeklyWindow weekend = weekly_window(4, hours(18), 0, hours(8));  // Fri 18:00 -> Mon 08:00
  config.schedules = {Schedule{"weekend", {Layer{"r", {weekend}}}, {}}};
  EXPECT_TRUE(who(config, "weekend", at("2026-11-06T17:59:00Z")).empty());  // Friday
  EXPECT_EQ(who(config, "weekend", at("2026-11-06T18:00:00Z")), names({"alice"}));
  // Monday 00:00 is a handoff and inside the window: bob until 08:00.
  EXPECT_EQ(who(config, "weekend", at("2026-11-09T07:59:00Z")), names({"bob"}));
  EXPECT_TRUE(who(config, "weekend", at("2026-11-09T08:00:00Z")).empty());
}

TEST(Schedule, ReplaceOverrideTakesOverFromWhoeverIsOnCall) {
  OncallConfig config = weekly_config();
  config.schedules[0].overrides.push_back(Override{Override::Mode::kReplace, "dave", "",
                                                   at("2026-11-08T00:00:00Z"),
                                                   at("2026-11-10T00:00:00Z")});
  EXPECT_EQ(who(config, "primary", at("2026-11-07T23:59:59Z")), names({"alice"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-08T00:00:00Z")), names({"dave"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-09T12:00:00Z")), names({"dave"}));  // bob's week
  EXPECT_EQ(who(config, "primary", at("2026-11-10T00:00:00Z")), names({"bob"}));   // end excluded
}

TEST(Schedule, ReplaceOverrideNamingAPersonOnlyTakesTheirTime) {
  OncallConfig config = weekly_config();
  config.schedules[0].overrides.push_back(Override{Override::Mode::kReplace, "dave", "bob",
                                                   at("2026-11-08T00:00:00Z"),
                                                   at("2026-11-10T00:00:00Z")});
  EXPECT_EQ(who(config, "primary", at("2026-11-08T12:00:00Z")), names({"alice"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-09T12:00:00Z")), names({"dave"}));
}

TEST(Schedule, ReplaceOverrideFillsAGap) {
  OncallConfig config = weekly_config();
  config.schedules[0].overrides.push_back(Override{Override::Mode::kReplace, "dave", "",
                                                   at("2026-11-01T00:00:00Z"),
                                                   at("2026-11-02T00:00:00Z")});
  EXPECT_EQ(who(config, "primary", at("2026-11-01T12:00:00Z")), names({"dave"}));
  const auto gaps =
      find_gaps(config, "primary", at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z"));
  EXPECT_EQ(gaps, (std::vector<Gap>{{at("2026-11-02T00:00:00Z"), at("2026-11-02T09:00:00Z")}}));
}

TEST(Schedule, AddOverridePutsSeveralPeopleOnCall) {
  OncallConfig config = weekly_config();
  config.schedules[0].overrides = {
      Override{Override::Mode::kAdd, "dave", "", at("2026-11-05T10:00:00Z"),
               at("2026-11-05T12:00:00Z")},
      // A replacement listed after the addition still applies first: additions are never lost.
      Override{Override::Mode::kReplace, "carol", "", at("2026-11-05T11:00:00Z"),
               at("2026-11-05T13:00:00Z")},
      // Adding someone already on call changes nothing.
      Override{Override::Mode::kAdd, "alice", "", at("2026-11-05T14:00:00Z"),
               at("2026-11-05T15:00:00Z")},
  };
  EXPECT_EQ(who(config, "primary", at("2026-11-05T10:30:00Z")), names({"alice", "dave"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-05T11:30:00Z")), names({"carol", "dave"}));
  EXPECT_EQ(who(config, "primary", at("2026-11-05T14:30:00Z")), names({"alice"}));
  const auto timeline =
      shifts(config, "primary", at("2026-11-05T09:00:00Z"), at("2026-11-05T16:00:00Z"));
  const std::vector<Shift> expected{
      {at("2026-11-05T09:00:00Z"), at("2026-11-05T10:00:00Z"), names({"alice"})},
      {at("2026-11-05T10:00:00Z"), at("2026-11-05T11:00:00Z"), names({"alice", "dave"})},
      {at("2026-11-05T11:00:00Z"), at("2026-11-05T12:00:00Z"), names({"carol", "dave"})},
      {at("2026-11-05T12:00:00Z"), at("2026-11-05T13:00:00Z"), names({"carol"})},
      // alice's addition at 14:00 changes nothing, so the span is not split there.
      {at("2026-11-05T13:00:00Z"), at("2026-11-05T16:00:00Z"), names({"alice"})},
  };
  EXPECT_EQ(timeline, expected);
}

TEST(Schedule, ShiftsCoverTheRangeExactlyAndMergeAcrossHandoffsToTheSamePerson) {
  OncallConfig config;
  // One person "rotating" with themself: handoffs happen, but nobody changes.
  config.rotations = {rotation("solo", names({"alice"}), days(1), "2026-11-01T09:00", "UTC")};
  config.schedules = {Schedule{"s", {Layer{"solo", {}}}, {}}};
  const auto timeline = shifts(config, "s", at("2026-11-02T00:00:00Z"), at("2026-11-09T00:00:00Z"));
  ASSERT_EQ(timeline.size(), 1u);
  EXPECT_EQ(timeline[0],
            (Shift{at("2026-11-02T00:00:00Z"), at("2026-11-09T00:00:00Z"), names({"alice"})}));
  EXPECT_TRUE(shifts(config, "s", at("2026-11-09T00:00:00Z"), at("2026-11-09T00:00:00Z")).empty());
}

TEST(Schedule, ShiftsListEveryHandoffOfAWeek) {
  const OncallConfig config = weekly_config();
  const auto timeline =
      shifts(config, "primary", at("2026-10-30T00:00:00Z"), at("2026-11-20T00:00:00Z"));
  const std::vector<Shift> expected{
      {at("2026-10-30T00:00:00Z"), at("2026-11-02T09:00:00Z"), {}},
      {at("2026-11-02T09:00:00Z"), at("2026-11-09T09:00:00Z"), names({"alice"})},
      {at("2026-11-09T09:00:00Z"), at("2026-11-16T09:00:00Z"), names({"bob"})},
      {at("2026-11-16T09:00:00Z"), at("2026-11-20T00:00:00Z"), names({"carol"})},
  };
  EXPECT_EQ(timeline, expected);
}

TEST(Schedule, OnCallNowSaysUntilWhen) {
  const OncallConfig config = weekly_config();
  const OnCallNow now = on_call_now(config, "primary", at("2026-11-05T12:00:00Z"));
  EXPECT_EQ(now.users, names({"alice"}));
  ASSERT_TRUE(now.until.has_value());
  EXPECT_EQ(*now.until, at("2026-11-09T09:00:00Z"));
  // The same person for longer than the horizon: no end in sight.
  OncallConfig solo = config;
  solo.rotations[0].users = {"alice"};
  EXPECT_FALSE(on_call_now(solo, "primary", at("2026-11-05T12:00:00Z")).until.has_value());
}

TEST(Schedule, GapWarningsNameTheScheduleAndTheSpan) {
  OncallConfig config = weekly_config();
  config.schedules[0].layers[0].restrictions = daily_windows(hours(0), hours(24), {0, 1, 2, 3, 4});
  const auto warnings = gap_warnings(config, at("2026-11-04T00:00:00Z"), days(7));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "schedule 'primary' has nobody on call from 2026-11-07T00:00:00Z to "
            "2026-11-09T00:00:00Z");
  const auto before_start = gap_warnings(weekly_config(), at("2026-11-01T00:00:00Z"), days(1));
  ASSERT_EQ(before_start.size(), 1u);
  EXPECT_EQ(before_start[0],
            "schedule 'primary' has nobody on call from 2026-11-01T00:00:00Z to at least "
            "2026-11-02T00:00:00Z");
  EXPECT_TRUE(gap_warnings(weekly_config(), at("2026-11-05T00:00:00Z"), days(30)).empty());
}

TEST(Windows, DailyWindowsCrossingMidnightAndWeeklyWindows) {
  const auto nights = daily_windows(hours(22), hours(6), {6});  // Sunday 22:00 -> Monday 06:00
  ASSERT_EQ(nights.size(), 1u);
  EXPECT_EQ(nights[0], (WeeklyWindow{hours(6 * 24 + 22), hours(6)}));
  EXPECT_EQ(daily_windows(hours(9), hours(17)).size(), 7u);
  EXPECT_EQ(daily_windows(hours(0), hours(24), {6})[0], (WeeklyWindow{hours(144), kWeek}));
  EXPECT_EQ(weekly_window(4, hours(17), 0, hours(9)), (WeeklyWindow{hours(4 * 24 + 17), hours(9)}));
  EXPECT_EQ(weekly_window(0, minutes(0), 6, hours(24)), (WeeklyWindow{minutes(0), kWeek}));
}

}  // namespace
}  // namespace sloe::oncall

// DST: handoffs and restrictions follow the local wall clock in Europe/Tallinn, America/New_York
// and Australia/Sydney, on both the spring-forward and the fall-back switch of 2026.
//
// The switches used (from the IANA database):
//   Europe/Tallinn    2026-03-29 03:00 EET  -> 04:00 EEST (01:00Z); 2026-10-25 04:00 EEST -> 03:00
//   EET (01:00Z) America/New_York  2026-03-08 02:00 EST  -> 03:00 EDT  (07:00Z); 2026-11-01 02:00
//   EDT  -> 01:00 EST (06:00Z) Australia/Sydney  2026-10-04 02:00 AEST -> 03:00 AEDT (16:00Z on
//   10-03);
//                     2026-04-05 03:00 AEDT -> 02:00 AEST (16:00Z on 04-04)
#include <gtest/gtest.h>

#include "sloe/oncall/schedule.h"
#include "test_util.h"

namespace sloe::oncall {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::at;
using testing::days;
using testing::names;
using testing::rotation;

constexpr const char* kTallinn = "Europe/Tallinn";
constexpr const char* kNewYork = "America/New_York";
constexpr const char* kSydney = "Australia/Sydney";

OncallConfig single_layer(Rotation r, std::vector<WeeklyWindow> restrictions = {}) {
  OncallConfig config;
  const std::string name = r.name;
  config.rotations = {std::move(r)};
  config.schedules = {Schedule{"s", {Layer{name, std::move(restrictions)}}, {}}};
  return config;
}

// --- Europe/Tallinn ---------------------------------------------------------------------------

TEST(DstTallinn, DailyHandoffStaysAt0900AndTheSpringShiftLasts23Hours) {
  const Rotation r =
      rotation("daily", names({"alice", "bob", "carol"}), days(1), "2026-03-27T09:00", kTallinn);
  // alice from 03-27, bob from 03-28 09:00 EET (07:00Z) to 03-29 09:00 EEST (06:00Z).
  const auto spanning = shift_at(r, at("2026-03-29T00:00:00Z"));
  ASSERT_TRUE(spanning.has_value());
  EXPECT_EQ(spanning->user, "bob");
  EXPECT_EQ(spanning->start, at("2026-03-28T07:00:00Z"));
  EXPECT_EQ(spanning->end, at("2026-03-29T06:00:00Z"));
  EXPECT_EQ(spanning->end - spanning->start, hours(23));
  // who() on either side of the switch and of the handoff after it.
  const OncallConfig config = single_layer(r);
  EXPECT_EQ(who(config, "s", at("2026-03-29T00:59:59Z")), names({"bob"}));  // 02:59:59 EET
  EXPECT_EQ(who(config, "s", at("2026-03-29T01:00:00Z")), names({"bob"}));  // 04:00 EEST
  EXPECT_EQ(who(config, "s", at("2026-03-29T05:59:59Z")), names({"bob"}));  // 08:59:59 EEST
  EXPECT_EQ(who(config, "s", at("2026-03-29T06:00:00Z")), names({"carol"}));
  // The shift after is a plain 24 hours again.
  const auto after = shift_at(r, at("2026-03-29T12:00:00Z"));
  EXPECT_EQ(after->end - after->start, hours(24));
}

TEST(DstTallinn, DailyHandoffStaysAt0900AndTheAutumnShiftLasts25Hours) {
  const Rotation r =
      rotation("daily", names({"alice", "bob"}), days(1), "2026-10-24T09:00", kTallinn);
  const auto spanning = shift_at(r, at("2026-10-25T01:30:00Z"));
  ASSERT_TRUE(spanning.has_value());
  EXPECT_EQ(spanning->user, "alice");
  EXPECT_EQ(spanning->start, at("2026-10-24T06:00:00Z"));  // 09:00 EEST
  EXPECT_EQ(spanning->end, at("2026-10-25T07:00:00Z"));    // 09:00 EET
  EXPECT_EQ(spanning->end - spanning->start, hours(25));
  const OncallConfig config = single_layer(r);
  EXPECT_EQ(who(config, "s", at("2026-10-25T00:30:00Z")), names({"alice"}));  // first 03:30
  EXPECT_EQ(who(config, "s", at("2026-10-25T01:30:00Z")), names({"alice"}));  // second 03:30
  EXPECT_EQ(who(config, "s", at("2026-10-25T06:59:59Z")), names({"alice"}));
  EXPECT_EQ(who(config, "s", at("2026-10-25T07:00:00Z")), names({"bob"}));
}

TEST(DstTallinn, RestrictionInTheRepeatedHourIsOnCallTwice) {
  // 03:00-04:00 local every day: on the fall-back night that hour happens twice (00:00Z-02:00Z).
  const OncallConfig config =
      single_layer(rotation("r", names({"alice"}), days(7), "2026-10-01T00:00", kTallinn),
                   daily_windows(hours(3), hours(4)));
  const std::vector<Shift> expected{
      {at("2026-10-24T12:00:00Z"), at("2026-10-25T00:00:00Z"), {}},
      {at("2026-10-25T00:00:00Z"), at("2026-10-25T02:00:00Z"), names({"alice"})},
      {at("2026-10-25T02:00:00Z"), at("2026-10-25T12:00:00Z"), {}},
  };
  EXPECT_EQ(shifts(config, "s", at("2026-10-24T12:00:00Z"), at("2026-10-25T12:00:00Z")), expected);
}

TEST(DstTallinn, RestrictionInTheSkippedHourIsNeverOnCall) {
  // On the spring-forward night 03:00-04:00 does not exist: a gap the whole day.
  const OncallConfig config =
      single_layer(rotation("r", names({"alice"}), days(7), "2026-03-01T00:00", kTallinn),
                   daily_windows(hours(3), hours(4)));
  EXPECT_EQ(find_gaps(config, "s", at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")),
            (std::vector<Gap>{{at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")}}));
  // The next night it is an ordinary hour of EEST: 00:00Z-01:00Z.
  EXPECT_EQ(who(config, "s", at("2026-03-30T00:30:00Z")), names({"alice"}));
}

TEST(DstTallinn, WindowPartlyInTheRepeatedHourPausesWhenTheClockGoesBack) {
  // 03:30-05:00: on the first 03:30 (00:30Z) until the clock goes back at 04:00 EEST (01:00Z),
  // off during 03:00-03:30 EET, on again from the second 03:30 (01:30Z) to 05:00 EET (03:00Z).
  const OncallConfig config =
      single_layer(rotation("r", names({"alice"}), days(7), "2026-10-01T00:00", kTallinn),
                   daily_windows(hours(3) + minutes(30), hours(5)));
  const std::vector<Shift> expected{
      {at("2026-10-25T00:00:00Z"), at("2026-10-25T00:30:00Z"), {}},
      {at("2026-10-25T00:30:00Z"), at("2026-10-25T01:00:00Z"), names({"alice"})},
      {at("2026-10-25T01:00:00Z"), at("2026-10-25T01:30:00Z"), {}},
      {at("2026-10-25T01:30:00Z"), at("2026-10-25T03:00:00Z"), names({"alice"})},
      {at("2026-10-25T03:00:00Z"), at("2026-10-25T04:00:00Z"), {}},
  };
  EXPECT_EQ(shifts(config, "s", at("2026-10-25T00:00:00Z"), at("2026-10-25T04:00:00Z")), expected);
}

TEST(DstTallinn, BusinessHoursLayerAroundTheSpringSwitch) {
  OncallConfig config;
  config.rotations = {
      rotation("base", names({"alice"}), days(7), "2026-03-02T09:00", kTallinn),
      rotation("day", names({"bob"}), days(7), "2026-03-02T09:00", kTallinn),
  };
  config.schedules = {
      Schedule{"s", {Layer{"base", {}}, Layer{"day", daily_windows(hours(9), hours(17))}}, {}}};
  // Saturday 03-28 (EET, +2): bob 07:00Z-15:00Z. Sunday 03-29 (EEST, +3): bob 06:00Z-14:00Z.
  const std::vector<Shift> expected{
      {at("2026-03-28T00:00:00Z"), at("2026-03-28T07:00:00Z"), names({"alice"})},
      {at("2026-03-28T07:00:00Z"), at("2026-03-28T15:00:00Z"), names({"bob"})},
      {at("2026-03-28T15:00:00Z"), at("2026-03-29T06:00:00Z"), names({"alice"})},
      {at("2026-03-29T06:00:00Z"), at("2026-03-29T14:00:00Z"), names({"bob"})},
      {at("2026-03-29T14:00:00Z"), at("2026-03-30T00:00:00Z"), names({"alice"})},
  };
  EXPECT_EQ(shifts(config, "s", at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z")), expected);
}

// --- America/New_York -------------------------------------------------------------------------

TEST(DstNewYork, WeeklyShiftsSpanningTheSwitchesLast167And169Hours) {
  const Rotation r =
      rotation("weekly", names({"alice", "bob"}), days(7), "2026-03-02T09:00", kNewYork);
  const auto spring = shift_at(r, at("2026-03-08T12:00:00Z"));
  ASSERT_TRUE(spring.has_value());
  EXPECT_EQ(spring->user, "alice");
  EXPECT_EQ(spring->start, at("2026-03-02T14:00:00Z"));  // 09:00 EST
  EXPECT_EQ(spring->end, at("2026-03-09T13:00:00Z"));    // 09:00 EDT
  EXPECT_EQ(spring->end - spring->start, hours(167));
  // 34 weeks later: Monday 2026-10-26 09:00 EDT to Monday 2026-11-02 09:00 EST.
  const auto fall = shift_at(r, at("2026-11-01T12:00:00Z"));
  ASSERT_TRUE(fall.has_value());
  EXPECT_EQ(fall->index, 34);
  EXPECT_EQ(fall->user, "alice");
  EXPECT_EQ(fall->start, at("2026-10-26T13:00:00Z"));
  EXPECT_EQ(fall->end, at("2026-11-02T14:00:00Z"));
  EXPECT_EQ(fall->end - fall->start, hours(169));
  const OncallConfig config = single_layer(r);
  EXPECT_EQ(who(config, "s", at("2026-11-02T13:59:59Z")), names({"alice"}));
  EXPECT_EQ(who(config, "s", at("2026-11-02T14:00:00Z")), names({"bob"}));
}

TEST(DstNewYork, TwelveHourShiftsKeep0900And2100) {
  const Rotation r =
      rotation("halves", names({"day", "night"}), hours(12), "2026-03-01T09:00", kNewYork);
  // The night of the switch runs 21:00 EST (02:00Z) to 09:00 EDT (13:00Z): 11 hours.
  const auto night = shift_at(r, at("2026-03-08T08:00:00Z"));
  ASSERT_TRUE(night.has_value());
  EXPECT_EQ(night->user, "night");
  EXPECT_EQ(night->start, at("2026-03-08T02:00:00Z"));
  EXPECT_EQ(night->end, at("2026-03-08T13:00:00Z"));
  // In autumn the night of 10-31 to 11-01 gets the extra hour: 21:00 EDT (01:00Z) to 09:00 EST
  // (14:00Z).
  const auto long_night = shift_at(r, at("2026-11-01T06:30:00Z"));
  ASSERT_TRUE(long_night.has_value());
  EXPECT_EQ(long_night->user, "night");
  EXPECT_EQ(long_night->end - long_night->start, hours(13));
}

TEST(DstNewYork, HandoffInTheRepeatedHourHappensAtItsFirstOccurrence) {
  // Handoff at 01:30 daily: on 11-01, 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
  const Rotation r = rotation("r", names({"alice", "bob"}), days(1), "2026-10-31T01:30", kNewYork);
  const OncallConfig config = single_layer(r);
  EXPECT_EQ(who(config, "s", at("2026-11-01T05:29:59Z")), names({"alice"}));
  EXPECT_EQ(who(config, "s", at("2026-11-01T05:30:00Z")), names({"bob"}));
  EXPECT_EQ(who(config, "s", at("2026-11-01T06:30:00Z")), names({"bob"}));  // second 01:30
  const auto shift = shift_at(r, at("2026-11-01T06:45:00Z"));
  EXPECT_EQ(shift->end, at("2026-11-02T06:30:00Z"));  // 01:30 EST
  EXPECT_EQ(shift->end - shift->start, hours(25));
}

TEST(DstNewYork, OverrideAcrossTheSwitchAndGaps) {
  OncallConfig config =
      single_layer(rotation("r", names({"alice"}), days(7), "2026-03-02T00:00", kNewYork),
                   daily_windows(hours(8), hours(20)));
  config.users = {User{"alice", "", "a"}, User{"bob", "", "b"}};
  // bob covers from Saturday 20:00 EST to Sunday 20:00 EDT: 23 hours of cover closing the night.
  config.schedules[0].overrides.push_back(Override{
      Override::Mode::kReplace, "bob", "", at("2026-03-08T01:00:00Z"), at("2026-03-09T00:00:00Z")});
  EXPECT_EQ(who(config, "s", at("2026-03-08T06:59:00Z")), names({"bob"}));  // 01:59 EST
  EXPECT_EQ(who(config, "s", at("2026-03-08T07:00:00Z")), names({"bob"}));  // 03:00 EDT
  const std::vector<Gap> expected{
      // Friday 20:00 EST to Saturday 08:00 EST; Sunday night 20:00 EDT to Monday 08:00 EDT.
      {at("2026-03-07T01:00:00Z"), at("2026-03-07T13:00:00Z")},
      {at("2026-03-09T00:00:00Z"), at("2026-03-09T12:00:00Z")},
  };
  EXPECT_EQ(find_gaps(config, "s", at("2026-03-07T00:00:00Z"), at("2026-03-09T18:00:00Z")),
            expected);
}

// --- Australia/Sydney (southern hemisphere: spring in October) --------------------------------

TEST(DstSydney, HandoffInTheSkippedHourHappensAtTheSwitch) {
  // Daily at 02:30; on 10-04 the clock jumps 02:00 -> 03:00, so 02:30 does not exist.
  const Rotation r =
      rotation("r", names({"alice", "bob", "carol"}), days(1), "2026-10-01T02:30", kSydney);
  const auto before = shift_at(r, at("2026-10-03T15:59:59Z"));  // 01:59:59 AEST on 10-04
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->start, at("2026-10-02T16:30:00Z"));  // 10-03 02:30 AEST
  EXPECT_EQ(before->end, at("2026-10-03T16:00:00Z"));    // the switch
  EXPECT_EQ(before->end - before->start, hours(23) + minutes(30));
  const auto after = shift_at(r, at("2026-10-03T16:00:00Z"));
  EXPECT_EQ(after->index, before->index + 1);
  EXPECT_EQ(after->end, at("2026-10-04T15:30:00Z"));  // 10-05 02:30 AEDT
  EXPECT_EQ(after->end - after->start, hours(23) + minutes(30));
  const OncallConfig config = single_layer(r);
  EXPECT_EQ(who(config, "s", at("2026-10-03T15:59:59Z")), std::vector<std::string>{before->user});
  EXPECT_EQ(who(config, "s", at("2026-10-03T16:00:00Z")), std::vector<std::string>{after->user});
  EXPECT_NE(before->user, after->user);
}

TEST(DstSydney, AutumnShiftAcrossTheRepeatedHourLasts25Hours) {
  const Rotation r = rotation("r", names({"alice", "bob"}), days(1), "2026-04-01T09:00", kSydney);
  const auto spanning = shift_at(r, at("2026-04-04T16:30:00Z"));
  ASSERT_TRUE(spanning.has_value());
  EXPECT_EQ(spanning->start, at("2026-04-03T22:00:00Z"));  // 04-04 09:00 AEDT
  EXPECT_EQ(spanning->end, at("2026-04-04T23:00:00Z"));    // 04-05 09:00 AEST
  EXPECT_EQ(spanning->end - spanning->start, hours(25));
}

TEST(DstSydney, WeekendWindowAcrossTheSpringSwitchIsAnHourShorter) {
  // Fri 18:00 -> Mon 08:00 local: 62 hours, but 61 over the weekend the clocks go forward.
  OncallConfig config;
  config.rotations = {
      rotation("weekday", names({"alice"}), days(7), "2026-09-07T00:00", kSydney),
      rotation("weekend", names({"bob"}), days(7), "2026-09-07T00:00", kSydney),
  };
  config.schedules = {
      Schedule{"s",
               {Layer{"weekday", {}}, Layer{"weekend", {weekly_window(4, hours(18), 0, hours(8))}}},
               {}}};
  const auto timeline = shifts(config, "s", at("2026-10-01T00:00:00Z"), at("2026-10-07T00:00:00Z"));
  const std::vector<Shift> expected{
      {at("2026-10-01T00:00:00Z"), at("2026-10-02T08:00:00Z"), names({"alice"})},
      {at("2026-10-02T08:00:00Z"), at("2026-10-04T21:00:00Z"), names({"bob"})},
      {at("2026-10-04T21:00:00Z"), at("2026-10-07T00:00:00Z"), names({"alice"})},
  };
  EXPECT_EQ(timeline, expected);
  EXPECT_EQ(timeline[1].end - timeline[1].start, hours(61));
  EXPECT_EQ(who(config, "s", at("2026-10-03T15:59:59Z")), names({"bob"}));  // before the switch
  EXPECT_EQ(who(config, "s", at("2026-10-03T16:00:00Z")), names({"bob"}));  // after it
}

TEST(DstSydney, NightWindowThroughTheRepeatedHourHasNoGap) {
  // 22:00 -> 06:00 every night; the autumn night is 9 hours long and fully covered.
  const OncallConfig config =
      single_layer(rotation("r", names({"alice"}), days(7), "2026-03-02T00:00", kSydney),
                   daily_windows(hours(22), hours(6)));
  const auto timeline = shifts(config, "s", at("2026-04-04T10:00:00Z"), at("2026-04-05T22:00:00Z"));
  const std::vector<Shift> expected{
      {at("2026-04-04T10:00:00Z"), at("2026-04-04T11:00:00Z"), {}},                // to 22:00 AEDT
      {at("2026-04-04T11:00:00Z"), at("2026-04-04T20:00:00Z"), names({"alice"})},  // to 06:00 AEST
      {at("2026-04-04T20:00:00Z"), at("2026-04-05T12:00:00Z"), {}},                // to 22:00 AEST
      {at("2026-04-05T12:00:00Z"), at("2026-04-05T20:00:00Z"), names({"alice"})},
      {at("2026-04-05T20:00:00Z"), at("2026-04-05T22:00:00Z"), {}},
  };
  EXPECT_EQ(timeline, expected);
}

}  // namespace
}  // namespace sloe::oncall

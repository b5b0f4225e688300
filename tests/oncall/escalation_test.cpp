// Escalation: which targets are paged at which minute, and how acknowledging or resolving stops
// it. Explicit instants throughout; nothing reads a clock.
#include "sloe/oncall/escalation.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace sloe::oncall {
namespace {

using std::chrono::minutes;
using testing::at;
using testing::days;
using testing::names;
using testing::rotation;

constexpr const char* kStart = "2026-11-05T12:00:00Z";

TimePoint t0_plus(minutes m) {
  return at(kStart) + m;
}

// primary: alice then bob, handing off daily at 12:20 UTC (between the two passes below).
// secondary: carol. Policy "page": primary (5m) -> dave (10m) -> secondary + team-chat (15m),
// repeated once.
std::shared_ptr<const OncallConfig> make_config() {
  auto config = std::make_shared<OncallConfig>();
  config->users = {User{"alice", "", "pager-alice"}, User{"bob", "", "pager-bob"},
                   User{"carol", "", "pager-carol"}, User{"dave", "", ""}};
  config->rotations = {
      rotation("primary", names({"alice", "bob"}), days(1), "2026-11-04T12:20", "UTC"),
      rotation("secondary", names({"carol"}), days(7), "2026-11-02T00:00", "UTC"),
  };
  config->schedules = {Schedule{"primary", {Layer{"primary", {}}}, {}},
                       Schedule{"secondary", {Layer{"secondary", {}}}, {}},
                       Schedule{"empty", {}, {}}};
  using Kind = EscalationTarget::Kind;
  config->escalation_policies = {EscalationPolicy{
      "page",
      {EscalationStep{{{Kind::kSchedule, "primary"}}, minutes(5)},
       EscalationStep{{{Kind::kUser, "dave"}}, minutes(10)},
       EscalationStep{{{Kind::kSchedule, "secondary"}, {Kind::kReceiver, "team-chat"}},
                      minutes(15)}},
      1,
      {}}};
  return config;
}

Escalation start_page() {
  auto escalation = Escalation::start(make_config(), "page", at(kStart));
  EXPECT_TRUE(escalation.ok());
  return std::move(escalation).value();
}

TEST(Escalation, WalksEveryStepAtItsMinuteThenRepeatsOnceAndStops) {
  Escalation e = start_page();
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(0)));

  const auto first = e.due(at(kStart));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].step, 0u);
  EXPECT_EQ(first[0].pass, 0);
  EXPECT_EQ(first[0].due, at(kStart));
  EXPECT_EQ(first[0].users, names({"alice"}));
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(5)));

  EXPECT_TRUE(e.due(t0_plus(minutes(4))).empty());
  const auto second = e.due(t0_plus(minutes(5)));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].step, 1u);
  EXPECT_EQ(second[0].users, names({"dave"}));
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(15)));

  const auto third = e.due(t0_plus(minutes(15)));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].step, 2u);
  EXPECT_EQ(third[0].users, names({"carol"}));
  EXPECT_EQ(third[0].receivers, names({"team-chat"}));
  // The repetition starts the last step's wait after it.
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(30)));

  const auto repeat = e.due(t0_plus(minutes(30)));
  ASSERT_EQ(repeat.size(), 1u);
  EXPECT_EQ(repeat[0].step, 0u);
  EXPECT_EQ(repeat[0].pass, 1);
  // Resolved when due: the primary handed off at 12:20, so the repeat pages bob.
  EXPECT_EQ(repeat[0].users, names({"bob"}));
  EXPECT_EQ(e.due(t0_plus(minutes(35))).size(), 1u);
  EXPECT_EQ(e.state(), Escalation::State::kActive);
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(45)));
  const auto last = e.due(t0_plus(minutes(45)));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].step, 2u);
  EXPECT_EQ(last[0].pass, 1);
  EXPECT_EQ(e.state(), Escalation::State::kExhausted);
  EXPECT_FALSE(e.next_deadline().has_value());
  EXPECT_TRUE(e.due(t0_plus(minutes(600))).empty());
}

TEST(Escalation, ALateCallHandsOutEveryOverdueStepResolvedAtItsOwnTime) {
  Escalation e = start_page();
  const auto late = e.due(t0_plus(minutes(40)));
  ASSERT_EQ(late.size(), 5u);
  const std::vector<minutes> offsets{minutes(0), minutes(5), minutes(15), minutes(30), minutes(35)};
  for (std::size_t i = 0; i < late.size(); ++i) {
    EXPECT_EQ(late[i].due, t0_plus(offsets[i])) << i;
    EXPECT_EQ(late[i].step, i % 3) << i;
  }
  // Step 0 at 12:00 and at 12:30 fall on either side of the 12:20 handoff.
  EXPECT_EQ(late[0].users, names({"alice"}));
  EXPECT_EQ(late[3].users, names({"bob"}));
  EXPECT_EQ(e.next_deadline(), t0_plus(minutes(45)));
}

TEST(Escalation, AcknowledgeAtStepTwoStopsFurtherSteps) {
  Escalation e = start_page();
  EXPECT_EQ(e.due(at(kStart)).size(), 1u);
  EXPECT_EQ(e.due(t0_plus(minutes(5))).size(), 1u);  // step 2 of 3: dave
  ASSERT_TRUE(e.acknowledge("dave", t0_plus(minutes(7))).ok());
  EXPECT_EQ(e.state(), Escalation::State::kAcknowledged);
  EXPECT_EQ(e.acknowledged_by(), "dave");
  EXPECT_EQ(e.acknowledged_at(), t0_plus(minutes(7)));
  EXPECT_FALSE(e.next_deadline().has_value());
  EXPECT_TRUE(e.due(t0_plus(minutes(15))).empty());
  EXPECT_TRUE(e.due(t0_plus(minutes(120))).empty());
  const Status again = e.acknowledge("alice", t0_plus(minutes(8)));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("by dave"), std::string::npos);
  EXPECT_EQ(e.acknowledged_by(), "dave");
  // Resolving an acknowledged escalation is the normal end.
  EXPECT_TRUE(e.resolve(t0_plus(minutes(30))).ok());
  EXPECT_EQ(e.state(), Escalation::State::kResolved);
}

TEST(Escalation, AcknowledgeDropsStepsWhoseTimeHadComeButWereNotHandedOut) {
  Escalation e = start_page();
  EXPECT_EQ(e.due(at(kStart)).size(), 1u);
  ASSERT_TRUE(e.acknowledge("alice", t0_plus(minutes(20))).ok());
  EXPECT_TRUE(e.due(t0_plus(minutes(20))).empty());
}

TEST(Escalation, ResolveStopsEverything) {
  Escalation e = start_page();
  EXPECT_EQ(e.due(at(kStart)).size(), 1u);
  ASSERT_TRUE(e.resolve(t0_plus(minutes(3))).ok());
  EXPECT_EQ(e.state(), Escalation::State::kResolved);
  EXPECT_EQ(e.resolved_at(), t0_plus(minutes(3)));
  EXPECT_FALSE(e.next_deadline().has_value());
  EXPECT_TRUE(e.due(t0_plus(minutes(60))).empty());
  EXPECT_FALSE(e.acknowledge("alice", t0_plus(minutes(4))).ok());
  EXPECT_FALSE(e.resolve(t0_plus(minutes(5))).ok());
}

TEST(Escalation, AnExhaustedEscalationCanStillBeAcknowledged) {
  Escalation e = start_page();
  EXPECT_EQ(e.due(t0_plus(minutes(45))).size(), 6u);
  EXPECT_EQ(e.state(), Escalation::State::kExhausted);
  EXPECT_TRUE(e.acknowledge("carol", t0_plus(minutes(50))).ok());
  EXPECT_EQ(e.state(), Escalation::State::kAcknowledged);
}

TEST(Escalation, EmptyScheduleIsReportedAndUsersReachedThroughTheirReceivers) {
  auto config = std::make_shared<OncallConfig>(*make_config());
  using Kind = EscalationTarget::Kind;
  config->escalation_policies.push_back(
      EscalationPolicy{"wide",
                       {EscalationStep{{{Kind::kSchedule, "empty"},
                                        {Kind::kSchedule, "secondary"},
                                        {Kind::kUser, "carol"},
                                        {Kind::kUser, "dave"},
                                        {Kind::kReceiver, "team-chat"},
                                        {Kind::kReceiver, "pager-carol"}},
                                       minutes(0)}},
                       0,
                       {}});
  auto e = Escalation::start(config, "wide", at(kStart));
  ASSERT_TRUE(e.ok());
  const auto notifications = e->due(at(kStart));
  ASSERT_EQ(notifications.size(), 1u);
  const Notification& n = notifications[0];
  EXPECT_EQ(n.users, names({"carol", "dave"}));  // carol once, though named twice
  EXPECT_EQ(n.empty_schedules, names({"empty"}));
  // dave has no receiver; carol's receiver is named once.
  EXPECT_EQ(receivers_to_notify(*config, n), names({"pager-carol", "team-chat"}));
  EXPECT_EQ(e->state(), Escalation::State::kExhausted);
}

TEST(Escalation, StartFailsForUnknownOrEmptyPolicies) {
  auto config = std::make_shared<OncallConfig>(*make_config());
  config->escalation_policies.push_back(EscalationPolicy{"hollow", {}, 0, {}});
  const auto unknown = Escalation::start(config, "pager", at(kStart));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("'pager'"), std::string::npos);
  EXPECT_FALSE(Escalation::start(config, "hollow", at(kStart)).ok());
  EXPECT_FALSE(Escalation::start(nullptr, "page", at(kStart)).ok());
}

}  // namespace
}  // namespace sloe::oncall

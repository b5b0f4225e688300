#include "sloe/alert/alert.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sloe/alert/fingerprint.h"

namespace sloe::alert {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

void expect_transition(const std::optional<AlertTracker::Transition>& transition, AlertState from,
                       AlertState to, TimePoint at) {
  ASSERT_TRUE(transition.has_value());
  EXPECT_EQ(transition->from, from);
  EXPECT_EQ(transition->to, to);
  EXPECT_EQ(transition->at, at);
}

TEST(AlertTest, FingerprintIgnoresAnnotationsAndTimes) {
  Alert a;
  a.labels = {{"alertname", "HighErrorRate"}, {"severity", "page"}};
  Alert b = a;
  b.annotations = {{"summary", "errors"}};
  b.starts_at = kT0;
  b.ends_at = kT0 + minutes(1);
  EXPECT_EQ(a.fingerprint(), fingerprint(a.labels));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  b.labels["severity"] = "ticket";
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

TEST(AlertTest, ResolvedAtNeedsEndsAtNotAfterNow) {
  Alert alert;
  alert.starts_at = kT0;
  EXPECT_FALSE(alert.resolved_at(kT0 + minutes(10)));
  alert.ends_at = kT0 + minutes(5);
  EXPECT_FALSE(alert.resolved_at(kT0 + minutes(4)));
  EXPECT_TRUE(alert.resolved_at(kT0 + minutes(5)));
  EXPECT_TRUE(alert.resolved_at(kT0 + minutes(6)));
}

TEST(AlertTrackerTest, StartsInactiveAndStaysSoWhileConditionIsFalse) {
  AlertTracker tracker(minutes(5));
  EXPECT_EQ(tracker.state(), AlertState::kInactive);
  EXPECT_FALSE(tracker.update(false, kT0).has_value());
  EXPECT_EQ(tracker.state(), AlertState::kInactive);
  EXPECT_FALSE(tracker.active_since().has_value());
}

TEST(AlertTrackerTest, ZeroForFiresOnFirstTrueEvaluation) {
  AlertTracker tracker(minutes(0));
  expect_transition(tracker.update(true, kT0), AlertState::kInactive, AlertState::kFiring, kT0);
  EXPECT_EQ(tracker.active_since(), kT0);
  EXPECT_EQ(tracker.fired_at(), kT0);
  EXPECT_FALSE(tracker.update(true, kT0 + seconds(30)).has_value());
}

TEST(AlertTrackerTest, PendingThenFiringOnceForHasElapsed) {
  AlertTracker tracker(minutes(5));
  expect_transition(tracker.update(true, kT0), AlertState::kInactive, AlertState::kPending, kT0);
  EXPECT_EQ(tracker.active_since(), kT0);
  EXPECT_FALSE(tracker.fired_at().has_value());
  EXPECT_FALSE(tracker.update(true, kT0 + minutes(4) + seconds(59)).has_value());
  EXPECT_EQ(tracker.state(), AlertState::kPending);
  // Exactly `for` after activeAt is enough, as in Prometheus (>=).
  expect_transition(tracker.update(true, kT0 + minutes(5)), AlertState::kPending,
                    AlertState::kFiring, kT0 + minutes(5));
  EXPECT_EQ(tracker.active_since(), kT0);
  EXPECT_EQ(tracker.fired_at(), kT0 + minutes(5));
  EXPECT_FALSE(tracker.update(true, kT0 + minutes(6)).has_value());
  EXPECT_EQ(tracker.state(), AlertState::kFiring);
}

TEST(AlertTrackerTest, FlappingWhilePendingNeverFires) {
  AlertTracker tracker(minutes(5));
  TimePoint now = kT0;
  for (int i = 0; i < 5; ++i) {
    expect_transition(tracker.update(true, now), AlertState::kInactive, AlertState::kPending, now);
    now += minutes(3);
    expect_transition(tracker.update(false, now), AlertState::kPending, AlertState::kInactive, now);
    EXPECT_FALSE(tracker.active_since().has_value());
    EXPECT_FALSE(tracker.fired_at().has_value());
    now += minutes(3);
  }
  // Each pending period restarts the `for` clock: 4 minutes into a new one is not enough.
  ASSERT_TRUE(tracker.update(true, now).has_value());
  EXPECT_FALSE(tracker.update(true, now + minutes(4)).has_value());
  EXPECT_EQ(tracker.state(), AlertState::kPending);
}

TEST(AlertTrackerTest, ResolveThenFireAgain) {
  AlertTracker tracker(minutes(5));
  ASSERT_TRUE(tracker.update(true, kT0).has_value());
  ASSERT_TRUE(tracker.update(true, kT0 + minutes(5)).has_value());
  expect_transition(tracker.update(false, kT0 + minutes(20)), AlertState::kFiring,
                    AlertState::kResolved, kT0 + minutes(20));
  EXPECT_EQ(tracker.resolved_at(), kT0 + minutes(20));
  EXPECT_EQ(tracker.fired_at(), kT0 + minutes(5));
  EXPECT_FALSE(tracker.update(false, kT0 + minutes(21)).has_value());
  EXPECT_EQ(tracker.state(), AlertState::kResolved);

  // A new period: pending anew with fresh times, not firing straight away.
  const TimePoint t1 = kT0 + minutes(30);
  expect_transition(tracker.update(true, t1), AlertState::kResolved, AlertState::kPending, t1);
  EXPECT_EQ(tracker.active_since(), t1);
  EXPECT_FALSE(tracker.fired_at().has_value());
  EXPECT_FALSE(tracker.resolved_at().has_value());
  expect_transition(tracker.update(true, t1 + minutes(5)), AlertState::kPending,
                    AlertState::kFiring, t1 + minutes(5));
}

TEST(AlertTrackerTest, ZeroForRefiresImmediatelyAfterResolution) {
  AlertTracker tracker(minutes(0));
  ASSERT_TRUE(tracker.update(true, kT0).has_value());
  expect_transition(tracker.update(false, kT0 + minutes(1)), AlertState::kFiring,
                    AlertState::kResolved, kT0 + minutes(1));
  expect_transition(tracker.update(true, kT0 + minutes(2)), AlertState::kResolved,
                    AlertState::kFiring, kT0 + minutes(2));
  EXPECT_EQ(tracker.fired_at(), kT0 + minutes(2));
}

TEST(AlertTrackerTest, StateNames) {
  EXPECT_EQ(to_string(AlertState::kInactive), "inactive");
  EXPECT_EQ(to_string(AlertState::kPending), "pending");
  EXPECT_EQ(to_string(AlertState::kFiring), "firing");
  EXPECT_EQ(to_string(AlertState::kResolved), "resolved");
}

}  // namespace
}  // namespace sloe::alert

#include "sloe/slo/evaluator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "sloe/core/clock.h"
#include "sloe/sli/event_window.h"

namespace sloe::slo {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

// A day boundary, so minute/hour buckets align with the replay's whole minutes.
const TimePoint kStart = from_unix_seconds(1'700'006'400);
constexpr double kEventsPerMinute = 1000;

// Replays traffic minute by minute: each minute's aggregate is recorded in that minute, so an
// evaluation at a whole minute sees exactly the replayed minutes.
class Replay {
 public:
  explicit Replay(Objective objective = {})
      : objective_(objective), clock_(kStart), events_(objective.window) {}

  // Traffic burning the budget at `burn` (error ratio = burn * (1 - target)) for `duration`.
  void run(seconds duration, double burn, double per_minute = kEventsPerMinute) {
    // min(): 1000 * (1 - 0.999) is a hair above 1 in float64.
    const double error_ratio = std::min(1.0, burn * (1 - objective_.target));
    for (seconds done{0}; done < duration; done += 1min) {
      events_.record(clock_.now() + 30s, sli::Counts{per_minute * (1 - error_ratio), per_minute});
      clock_.advance(1min);
    }
  }
  void idle(seconds duration) { clock_.advance(duration); }
  Status status() const { return evaluate(objective_, events_, clock_.now()); }
  const AlertCondition& condition(const std::string& name) const {
    last_ = status();
    for (const AlertCondition& c : last_.conditions) {
      if (c.name == name)
        return c;
    }
    ADD_FAILURE() << "no condition " << name;
    return last_.conditions.front();
  }

 private:
  Objective objective_;
  ManualClock clock_;
  sli::EventWindow events_;
  mutable Status last_;
};

void expect_all_finite(const Status& s) {
  const auto finite = [](double v) { return std::isfinite(v); };
  EXPECT_TRUE(finite(s.window_counts.good) && finite(s.window_counts.total));
  EXPECT_TRUE(finite(s.sli));
  EXPECT_TRUE(finite(s.budget_allowed_events));
  EXPECT_TRUE(finite(s.budget_consumed_events));
  EXPECT_TRUE(finite(s.budget_remaining_events));
  EXPECT_TRUE(finite(s.budget_remaining_ratio));
  ASSERT_EQ(s.burn_rates.size(), kBurnRateWindows.size());
  for (const BurnRate& b : s.burn_rates) {
    EXPECT_TRUE(finite(b.counts.good) && finite(b.counts.total)) << b.window.count();
    EXPECT_TRUE(finite(b.error_ratio)) << b.window.count();
    EXPECT_TRUE(finite(b.burn_rate)) << b.window.count();
  }
  ASSERT_EQ(s.conditions.size(), 4U);
  for (const AlertCondition& c : s.conditions) {
    EXPECT_TRUE(finite(c.threshold) && finite(c.long_burn) && finite(c.short_burn)) << c.name;
  }
}

TEST(AlertPolicy, WorkbookThresholdsFor30Days) {
  const auto policy = alert_policy(Objective{});
  ASSERT_EQ(policy.size(), 4U);
  EXPECT_EQ(policy[0].name, "page-fast");
  EXPECT_EQ(policy[0].severity, "page");
  EXPECT_EQ(policy[0].long_window, 1h);
  EXPECT_EQ(policy[0].short_window, 5min);
  EXPECT_DOUBLE_EQ(policy[0].threshold, 14.4);
  EXPECT_EQ(policy[1].name, "page-slow");
  EXPECT_EQ(policy[1].severity, "page");
  EXPECT_EQ(policy[1].long_window, 6h);
  EXPECT_EQ(policy[1].short_window, 30min);
  EXPECT_DOUBLE_EQ(policy[1].threshold, 6);
  EXPECT_EQ(policy[2].name, "ticket-fast");
  EXPECT_EQ(policy[2].severity, "ticket");
  EXPECT_EQ(policy[2].long_window, 24h);
  EXPECT_EQ(policy[2].short_window, 2h);
  EXPECT_DOUBLE_EQ(policy[2].threshold, 3);
  EXPECT_EQ(policy[3].name, "ticket-slow");
  EXPECT_EQ(policy[3].severity, "ticket");
  EXPECT_EQ(policy[3].long_window, 72h);
  EXPECT_EQ(policy[3].short_window, 6h);
  EXPECT_DOUBLE_EQ(policy[3].threshold, 1);
  for (const AlertCondition& c : policy) {
    EXPECT_FALSE(c.firing);
    EXPECT_EQ(c.long_burn, 0);
  }
}

TEST(AlertPolicy, ThresholdsScaleWithTheWindow) {
  EXPECT_DOUBLE_EQ(alert_policy(Objective{0.999, 28 * 24h})[0].threshold, 13.44);
  EXPECT_DOUBLE_EQ(alert_policy(Objective{0.999, 7 * 24h})[0].threshold, 3.36);
  EXPECT_DOUBLE_EQ(alert_policy(Objective{0.99, 7 * 24h})[1].threshold, 1.4);
}

TEST(AlertPolicy, ThresholdsNeverFallBelowOneSoABudgetKeptNeverAlerts) {
  // 7d: ticket-fast would be 10% * 7d / 1d = 0.7 and ticket-slow 0.23 without the floor.
  const auto policy = alert_policy(Objective{0.999, 7 * 24h});
  EXPECT_DOUBLE_EQ(policy[2].threshold, 1.0);
  EXPECT_DOUBLE_EQ(policy[3].threshold, 1.0);
}

TEST(Budget, WorkbookConsumptionFigures) {
  EXPECT_NEAR(budget_consumed_ratio(14.4, 1h, 30 * 24h), 0.02, 1e-12);
  EXPECT_NEAR(budget_consumed_ratio(6, 6h, 30 * 24h), 0.05, 1e-12);
  EXPECT_NEAR(budget_consumed_ratio(1, 30 * 24h, 30 * 24h), 1.0, 1e-12);
  EXPECT_NEAR(burn_rate_threshold(0.10, 30 * 24h, 72h), 1.0, 1e-12);
}

TEST(Evaluate, EmptyWindowHasNoNaNAndNeverAlerts) {
  const Objective objective;
  const sli::EventWindow events(objective.window);
  const Status s = evaluate(objective, events, kStart);
  expect_all_finite(s);
  EXPECT_FALSE(s.has_data);
  EXPECT_EQ(s.sli, 1.0);
  EXPECT_EQ(s.budget_remaining_ratio, 1.0);
  EXPECT_EQ(s.budget_allowed_events, 0);
  EXPECT_FALSE(s.time_to_exhaustion.has_value());
  EXPECT_EQ(s.evaluated_at, kStart);
  for (const BurnRate& b : s.burn_rates)
    EXPECT_EQ(b.burn_rate, 0);
  EXPECT_FALSE(s.page());
  EXPECT_FALSE(s.ticket());
  for (std::size_t i = 0; i < kBurnRateWindows.size(); ++i) {
    EXPECT_EQ(s.burn_rates[i].window, kBurnRateWindows[i]);
  }
}

TEST(Evaluate, TrafficOnlyInLongWindowsDoesNotPage) {
  // 100% errors for 30 minutes, then silence: the long windows burn at 1000x but the 5m window
  // is empty, which is no evidence of an ongoing failure.
  Replay replay;
  replay.run(30min, 1000);
  replay.idle(10min);
  const Status s = replay.status();
  expect_all_finite(s);
  EXPECT_EQ(s.burn_rate(5min)->burn_rate, 0);
  EXPECT_EQ(s.burn_rate(5min)->counts.total, 0);
  EXPECT_NEAR(s.burn_rate(1h)->burn_rate, 1000, 1e-6);
  EXPECT_FALSE(s.conditions[0].firing);
  EXPECT_GT(s.conditions[0].long_burn, s.conditions[0].threshold);
  // page-slow's 30m short window still holds the errors: that one fires.
  EXPECT_TRUE(s.conditions[1].firing);

  replay.idle(4 * 24h);  // nothing at all in any window but the SLO's
  const Status quiet = replay.status();
  expect_all_finite(quiet);
  EXPECT_FALSE(quiet.page());
  EXPECT_FALSE(quiet.ticket());
  EXPECT_EQ(quiet.time_to_exhaustion, seconds{0}) << "budget already spent, burn now 0";
}

TEST(Evaluate, SteadyBurnOneExhaustsThirtyDayBudgetInThirtyDays) {
  Replay replay;
  replay.run(30 * 24h, 0);
  EXPECT_NEAR(replay.status().budget_remaining_ratio, 1.0, 1e-9);
  replay.run(15 * 24h, 1);
  EXPECT_NEAR(replay.status().budget_remaining_ratio, 0.5, 0.01);
  replay.run(15 * 24h, 1);
  const Status s = replay.status();
  EXPECT_NEAR(s.budget_remaining_ratio, 0.0, 0.01);
  EXPECT_NEAR(s.sli, 0.999, 1e-6);
  EXPECT_NEAR(s.burn_rate(24h)->burn_rate, 1.0, 1e-6);
  expect_all_finite(s);
}

TEST(Evaluate, BurnTenExhaustsInThreeDays) {
  Replay replay;
  replay.run(30 * 24h, 0);
  replay.run(27 * 24 * 60min / 10, 10);  // 2.7 days
  EXPECT_NEAR(replay.status().budget_remaining_ratio, 0.1, 0.01);
  replay.run(3 * 24 * 60min / 10, 10);
  const Status s = replay.status();
  EXPECT_NEAR(s.budget_remaining_ratio, 0.0, 0.01);
  EXPECT_NEAR(s.budget_consumed_events, s.budget_allowed_events, 0.01 * s.budget_allowed_events);
}

TEST(Evaluate, BurnFourteenPointFourForAnHourConsumesTwoPercent) {
  Replay replay;
  replay.run(30 * 24h, 0);
  replay.run(1h, 14.4);
  const Status s = replay.status();
  EXPECT_NEAR(s.budget_remaining_ratio, 0.98, 0.001);
  EXPECT_NEAR(s.burn_rate(1h)->burn_rate, 14.4, 1e-6);
}

TEST(Evaluate, BurnThousandTimeToExhaustionIs43Minutes) {
  // A busy, healthy month, then an hour of a trickle of traffic that all fails: the 1h burn is
  // 1000 while the budget is still (almost) whole, so 30d / 1000 = 43.2 minutes remain.
  Replay replay;
  replay.run(30 * 24h, 0);
  replay.run(1h, 1000, 1);
  const Status s = replay.status();
  EXPECT_NEAR(s.burn_rate(1h)->burn_rate, 1000, 1e-6);
  ASSERT_TRUE(s.time_to_exhaustion.has_value());
  EXPECT_NEAR(static_cast<double>(s.time_to_exhaustion->count()), 43.2 * 60, 30);
}

TEST(Evaluate, BurnThousandExhaustsBudgetIn43Minutes) {
  Replay replay;
  replay.run(30 * 24h, 0);
  std::optional<int> exhausted_at;
  for (int minute = 1; minute <= 60 && !exhausted_at; ++minute) {
    replay.run(1min, 1000);
    if (replay.status().budget_remaining_ratio <= 0)
      exhausted_at = minute;
  }
  ASSERT_TRUE(exhausted_at.has_value());
  EXPECT_NEAR(*exhausted_at, 43, 1);
  EXPECT_EQ(replay.status().time_to_exhaustion, seconds{0});
}

TEST(Evaluate, PageFastFiresForFifteenAfterTheHourFillsNotForFourteen) {
  Replay fifteen;
  fifteen.run(3 * 24h, 0);
  fifteen.run(30min, 15);
  EXPECT_FALSE(fifteen.condition("page-fast").firing) << "1h window only half full: burn 7.5";
  fifteen.run(30min, 15);
  const AlertCondition& fast = fifteen.condition("page-fast");
  EXPECT_TRUE(fast.firing);
  EXPECT_NEAR(fast.long_burn, 15, 1e-6);
  EXPECT_NEAR(fast.short_burn, 15, 1e-6);
  EXPECT_TRUE(fifteen.status().page());
  EXPECT_FALSE(fifteen.status().ticket());

  Replay fourteen;
  fourteen.run(3 * 24h, 0);
  for (int step = 0; step < 12; ++step) {
    fourteen.run(10min, 14);
    EXPECT_FALSE(fourteen.condition("page-fast").firing) << step;
  }
}

TEST(Evaluate, PageSlowFiresForSixPointFiveOverSixHours) {
  Replay replay;
  replay.run(3 * 24h, 0);
  replay.run(3h, 6.5);
  EXPECT_FALSE(replay.status().page()) << "6h burn is only 3.25";
  replay.run(3h, 6.5);
  const Status s = replay.status();
  EXPECT_TRUE(s.conditions[1].firing);
  EXPECT_FALSE(s.conditions[0].firing);
  EXPECT_TRUE(s.page());
}

TEST(Evaluate, TicketForThreePointFiveOverADay) {
  Replay replay;
  replay.run(3 * 24h, 0);
  replay.run(24h, 3.5);
  const Status s = replay.status();
  EXPECT_TRUE(s.conditions[2].firing);
  EXPECT_TRUE(s.ticket());
  EXPECT_FALSE(s.page());
}

TEST(Evaluate, NothingFiresForPointNineOverDays) {
  Replay replay;
  replay.run(3 * 24h, 0);
  for (int hour = 0; hour < 24 * 5; ++hour) {
    replay.run(1h, 0.9);
    const Status s = replay.status();
    ASSERT_FALSE(s.page()) << hour;
    ASSERT_FALSE(s.ticket()) << hour;
  }
  EXPECT_NEAR(replay.status().burn_rate(72h)->burn_rate, 0.9, 1e-6);
}

TEST(Evaluate, ShortWindowResetsPageWithinFiveMinutes) {
  Replay replay;
  replay.run(3 * 24h, 0);
  replay.run(2h, 30);
  EXPECT_TRUE(replay.condition("page-fast").firing);
  replay.run(1min, 0);
  EXPECT_TRUE(replay.condition("page-fast").firing) << "4 of 5 short-window minutes still bad";
  replay.run(4min, 0);
  const AlertCondition& fast = replay.condition("page-fast");
  EXPECT_FALSE(fast.firing);
  EXPECT_GT(fast.long_burn, fast.threshold) << "the 1h window alone would still page";
  EXPECT_EQ(fast.short_burn, 0);
}

TEST(Evaluate, SevenDayObjectivePagesAtLowerBurn) {
  Replay replay(Objective{0.999, 7 * 24h});
  replay.run(3 * 24h, 0);
  replay.run(1h, 3.5);
  const AlertCondition& fast = replay.condition("page-fast");
  EXPECT_DOUBLE_EQ(fast.threshold, 3.36);
  EXPECT_TRUE(fast.firing);
}

TEST(Evaluate, TimeToExhaustionFollowsTheOneHourBurn) {
  Replay replay;
  replay.run(30 * 24h, 0);
  replay.run(2h, 2);  // consumes 2 * 2h / 30d of the budget
  const Status s = replay.status();
  const double remaining = 1 - budget_consumed_ratio(2, 2h, 30 * 24h);
  EXPECT_NEAR(s.budget_remaining_ratio, remaining, 1e-6);
  ASSERT_TRUE(s.time_to_exhaustion.has_value());
  EXPECT_NEAR(static_cast<double>(s.time_to_exhaustion->count()), remaining * 30 * 24 * 3600 / 2.0,
              1.0);

  Replay healthy;
  healthy.run(24h, 0);
  EXPECT_FALSE(healthy.status().time_to_exhaustion.has_value());
}

TEST(Evaluate, MisconfiguredTargetStaysFinite) {
  sli::EventWindow events(30 * 24h);
  events.record(kStart, sli::Counts{0, 10});
  for (const double target : {1.0, 0.0}) {
    const Status s = evaluate(Objective{target, 30 * 24h}, events, kStart + 1min);
    expect_all_finite(s);
  }
}

}  // namespace
}  // namespace sloe::slo

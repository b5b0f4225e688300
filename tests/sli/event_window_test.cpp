#include "sloe/sli/event_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <vector>

#include "sloe/core/clock.h"

namespace sloe::sli {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

// A day boundary, so minute and hour buckets line up with whole-minute offsets from it.
const TimePoint kStart = from_unix_seconds(1'700'006'400);

struct Event {
  TimePoint at;
  double good;
  double total;
};

// The exact answer: events in (now - window, now].
Counts brute_force(const std::vector<Event>& events, TimePoint now, seconds window) {
  Counts c;
  for (const Event& e : events) {
    if (e.at > now - window && e.at <= now) {
      c.good += e.good;
      c.total += e.total;
    }
  }
  return c;
}

// Counts of every event in the bucket of `width` containing `at`.
Counts bucket_content(const std::vector<Event>& events, TimePoint at, seconds width) {
  const auto bucket_of = [&](TimePoint t) {
    const auto s = std::chrono::floor<seconds>(t.time_since_epoch()).count();
    return s >= 0 ? s / width.count() : (s - width.count() + 1) / width.count();
  };
  const auto target = bucket_of(at);
  Counts c;
  for (const Event& e : events) {
    if (bucket_of(e.at) == target) {
      c.good += e.good;
      c.total += e.total;
    }
  }
  return c;
}

TEST(EventWindow, EmptyWindowSumsToZero) {
  const EventWindow window(30 * 24h);
  for (const seconds w : std::initializer_list<seconds>{5min, 1h, 24h, 30 * 24h}) {
    const Counts c = window.sum(kStart, w);
    EXPECT_EQ(c.total, 0);
    EXPECT_EQ(c.good, 0);
  }
}

TEST(EventWindow, WholeBucketsAreExact) {
  EventWindow window(30 * 24h);
  // Minute m (0-based) gets m+1 events, m of them good; recorded mid-minute.
  for (int m = 0; m < 600; ++m) {
    window.record(kStart + std::chrono::minutes{m} + 17s, Counts{double(m), double(m + 1)});
  }
  const TimePoint now = kStart + 600min;  // the end of minute 599, a bucket boundary
  const auto expected = [](int first_minute, int last_minute) {
    Counts c;
    for (int m = first_minute; m <= last_minute; ++m) {
      c.good += m;
      c.total += m + 1;
    }
    return c;
  };
  for (const int minutes : {1, 5, 30, 60, 120, 360}) {
    const Counts got = window.sum(now, std::chrono::minutes{minutes});
    const Counts want = expected(600 - minutes, 599);
    EXPECT_DOUBLE_EQ(got.total, want.total) << minutes << "m";
    EXPECT_DOUBLE_EQ(got.good, want.good) << minutes << "m";
  }
  // Hour-aligned windows beyond 6h come from the 1h coarse buckets, also whole.
  const Counts day = window.sum(now, 24h);
  EXPECT_DOUBLE_EQ(day.total, expected(0, 599).total);
  const Counts seven_hours = window.sum(now, 7h);
  EXPECT_DOUBLE_EQ(seven_hours.total, expected(600 - 420, 599).total);
}

TEST(EventWindow, PartialBucketIsInterpolatedSmoothly) {
  EventWindow window(30 * 24h);
  window.record(kStart + 10s, Counts{60, 120});  // bucket [0s, 60s)
  window.record(kStart + 70s, Counts{6, 6});     // bucket [60s, 120s)
  // Window (now-5m, now] with now = 5m20s starts 20s into the first bucket: 2/3 of it counts.
  const Counts c = window.sum(kStart + 5min + 20s, 5min);
  EXPECT_DOUBLE_EQ(c.total, 6 + 120.0 * 40 / 60);
  EXPECT_DOUBLE_EQ(c.good, 6 + 60.0 * 40 / 60);
  // As now slides through the bucket the sum falls linearly, never by a whole bucket at once.
  double previous = window.sum(kStart + 5min, 5min).total;
  EXPECT_DOUBLE_EQ(previous, 126);
  for (int s = 1; s <= 60; ++s) {
    const double current = window.sum(kStart + 5min + seconds{s}, 5min).total;
    EXPECT_NEAR(previous - current, 2.0, 1e-9) << s;
    previous = current;
  }
  EXPECT_DOUBLE_EQ(previous, 6);
}

// Randomized traffic over 35 days against the exact brute-force answer.
//
// Tolerance, justified: the ring knows the bucket containing the window start only as a total,
// and counts the covered fraction of it as if its events were evenly spread; the true share is
// anywhere between none and all of it. So |ring - exact| <= content of that one boundary bucket
// (1-minute buckets for windows <= 6h, 1-hour buckets beyond at 30d retention), plus float64
// rounding. Every other bucket is whole and exact. For traffic spread evenly in time the error is
// far smaller, which the mean relative error checks.
TEST(EventWindow, MatchesBruteForceOverRandomTraffic) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int> step_s(1, 120);
  std::uniform_int_distribution<int> total_dist(0, 20);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> late_s(1, 300);

  EventWindow window(30 * 24h);
  std::vector<Event> events;
  TimePoint now = kStart;
  const TimePoint end = kStart + 35 * 24h;
  const std::array<seconds, 8> windows = {5min, 30min, 1h, 2h, 6h, 24h, 72h, 30 * 24h};
  std::array<double, 8> relative_error_sum{};
  int checks = 0;
  TimePoint next_check = kStart + 31 * 24h;
  while (now < end) {
    now += seconds{step_s(rng)};
    const double total = total_dist(rng);
    const double good = std::floor(total * (unit(rng) < 0.2 ? unit(rng) : 1.0));
    // One event in ten arrives up to 5 minutes late; it must land in its own bucket.
    const TimePoint at = unit(rng) < 0.1 ? now - seconds{late_s(rng)} : now;
    window.record(at, Counts{good, total});
    events.push_back(Event{at, good, total});

    if (now >= next_check) {
      next_check = now + 3h + 7min;
      // Query at the current instant and at a moment in an idle stretch after it.
      for (const TimePoint query : {now, now + 90s}) {
        for (std::size_t i = 0; i < windows.size(); ++i) {
          const seconds w = windows[i];
          const Counts got = window.sum(query, w);
          const Counts want = brute_force(events, query, w);
          const Counts edge = bucket_content(events, query - w, w <= 6h ? 60s : 3600s);
          const double slack = 1e-9 * want.total + 1e-9;
          EXPECT_LE(std::abs(got.total - want.total), edge.total + slack) << w.count() << "s";
          EXPECT_LE(std::abs(got.good - want.good), edge.good + slack) << w.count() << "s";
          if (want.total > 0) {
            relative_error_sum[i] += std::abs(got.total - want.total) / want.total;
          }
        }
        ++checks;
      }
    }
  }
  ASSERT_GT(checks, 40);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const double mean = relative_error_sum[i] / checks;
    // Measured ~0.05 for 5m and <= 0.015 beyond. Counting the whole boundary bucket instead of
    // its fraction would give ~0.1 (5m) and ~0.02 (1d), so these also catch a lost interpolation;
    // the smoothness test pins that down exactly.
    EXPECT_LT(mean, windows[i] <= 5min ? 0.08 : 0.02) << windows[i].count() << "s";
  }
}

TEST(EventWindow, LateEventLandsInItsOwnBucket) {
  EventWindow window(30 * 24h);
  window.record(kStart + 10min + 5s, Counts{1, 1});
  window.record(kStart + 2min + 5s, Counts{0, 4});  // 8 minutes late
  const TimePoint now = kStart + 11min;
  EXPECT_DOUBLE_EQ(window.sum(now, 5min).total, 1);  // minutes 6..10
  EXPECT_DOUBLE_EQ(window.sum(now, 9min).total, 5);  // minutes 2..10
  EXPECT_DOUBLE_EQ(window.sum(now, 9min).good, 1);
  EXPECT_DOUBLE_EQ(window.sum(now, 8min).total, 1);  // minutes 3..10
}

TEST(EventWindow, EventsOlderThanRetentionAreDropped) {
  EventWindow window(3 * 24h);
  const TimePoint now = kStart + 10 * 24h;
  window.record(now, Counts{1, 1});
  window.record(now - 5 * 24h, Counts{100, 100});  // before the coarse tier's oldest bucket
  window.record(now - 7h, Counts{0, 10});          // fine tier drops it, coarse keeps it
  EXPECT_DOUBLE_EQ(window.sum(now, 3 * 24h).total, 11);
  EXPECT_DOUBLE_EQ(window.sum(now, 6h).total, 1);
  EXPECT_DOUBLE_EQ(window.sum(now, 24h).total, 11);
}

TEST(EventWindow, TimePassingWithoutEventsEmptiesShortWindows) {
  EventWindow window(30 * 24h);
  window.record(kStart + 30s, Counts{0, 10});
  EXPECT_DOUBLE_EQ(window.sum(kStart + 1min, 5min).total, 10);
  EXPECT_DOUBLE_EQ(window.sum(kStart + 10min, 5min).total, 0);
  EXPECT_DOUBLE_EQ(window.sum(kStart + 10min, 1h).total, 10);
  EXPECT_DOUBLE_EQ(window.sum(kStart + 7h, 6h).total, 0);
  EXPECT_DOUBLE_EQ(window.sum(kStart + 7h, 24h).total, 10);
  EXPECT_DOUBLE_EQ(window.sum(kStart + 31 * 24h, 30 * 24h).total, 0);
}

TEST(EventWindow, LongIdleGapThenNewEvents) {
  EventWindow window(30 * 24h);
  TimePoint now = kStart;
  for (int m = 0; m < 2000; ++m) {
    now += 1min;
    window.record(now, Counts{1, 1});
  }
  // Pauses of about a year each, 60 times over (to ~2084): each costs at most one ring's worth
  // of zero-fill, never one step per elapsed minute.
  for (int gap = 0; gap < 60; ++gap) {
    now += 365 * 24h + 13min;
    window.record(now, Counts{0, 3});
    EXPECT_DOUBLE_EQ(window.sum(now, 30 * 24h).total, 3);
    EXPECT_DOUBLE_EQ(window.sum(now, 30 * 24h).good, 0);
    EXPECT_DOUBLE_EQ(window.sum(now, 5min).total, 3);
  }
  now += 1min;
  window.record(now, Counts{2, 2});
  EXPECT_DOUBLE_EQ(window.sum(now, 5min).total, 5);
  EXPECT_DOUBLE_EQ(window.sum(now, 3 * 24h).good, 2);
}

TEST(EventWindow, WindowLongerThanRetentionClamps) {
  EventWindow window(7 * 24h);
  TimePoint now = kStart;
  for (int h = 0; h < 24 * 20; ++h) {
    now += 1h;
    window.record(now - 30min, Counts{1, 1});
  }
  EXPECT_DOUBLE_EQ(window.sum(now, 7 * 24h).total, 7 * 24);
  EXPECT_DOUBLE_EQ(window.sum(now, 30 * 24h).total, 7 * 24);
  EXPECT_DOUBLE_EQ(window.sum(now, 0s).total, 0);
  EXPECT_DOUBLE_EQ(window.sum(now, -5s).total, 0);
}

TEST(EventWindow, RetentionIsAtLeastThreeDays) {
  EventWindow window(24h);
  EXPECT_EQ(window.retention(), 72h);
  TimePoint now = kStart;
  for (int h = 0; h < 24 * 5; ++h) {
    now += 1h;
    window.record(now - 30min, Counts{1, 1});
  }
  EXPECT_DOUBLE_EQ(window.sum(now, 72h).total, 72);
  EXPECT_EQ(EventWindow(30 * 24h).retention(), 30 * 24h);
}

TEST(EventWindow, MemoryStaysUnder20KiBAt30Days) {
  EventWindow window(30 * 24h);
  const std::size_t before = window.memory_bytes();
  TimePoint now = kStart;
  for (int m = 0; m < 40 * 24 * 60; ++m) {
    now += 1min;
    window.record(now, Counts{99, 100});
  }
  EXPECT_LE(window.memory_bytes(), 20480U);
  EXPECT_EQ(window.memory_bytes(), before) << "storage is fixed at construction";
  // A 90d window keeps ~720 coarse buckets too (3h wide).
  EXPECT_LE(EventWindow(90 * 24h).memory_bytes(), 20480U);
}

TEST(EventWindow, IgnoresNonsenseCounts) {
  EventWindow window(30 * 24h);
  const TimePoint now = kStart + 30s;
  window.record(now, Counts{std::numeric_limits<double>::quiet_NaN(), 1});
  window.record(now, Counts{0, std::numeric_limits<double>::infinity()});
  window.record(now, Counts{-1, 5});
  window.record(now, Counts{1, -5});
  EXPECT_DOUBLE_EQ(window.sum(now, 5min).total, 0);
  window.record(now, Counts{7, 5});  // good > total: clamped
  const Counts c = window.sum(now, 5min);
  EXPECT_DOUBLE_EQ(c.total, 5);
  EXPECT_DOUBLE_EQ(c.good, 5);
}

TEST(EventWindow, HugeCumulativeCountsStayExact) {
  // An absurd 10^13 events a minute drives the 1-minute prefix sums past 2^53 (where float64
  // stops holding every integer) within a day unless they are rebased; 5 bad events among
  // 5 * 10^13 must still be counted exactly.
  EventWindow window(30 * 24h);
  TimePoint now = kStart;
  for (int m = 0; m < 2000; ++m) {
    now += 1min;
    window.record(now - 30s, Counts{1e13 - 1, 1e13});
  }
  const Counts c = window.sum(now, 5min);
  EXPECT_DOUBLE_EQ(c.total, 5e13);
  EXPECT_EQ(c.bad(), 5);
  EXPECT_EQ(window.sum(now, 6h).bad(), 360);
}

EventWindow random_history(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> total(0, 50);
  EventWindow window(30 * 24h);
  TimePoint now = kStart;
  for (int m = 0; m < 32 * 24 * 60; m += 1 + static_cast<int>(rng() % 3)) {
    now = kStart + std::chrono::minutes{m};
    const double t = total(rng);
    window.record(now, Counts{std::floor(t * 0.9), t});
  }
  return window;
}

TEST(EventWindow, SerializeRoundTrip) {
  EventWindow original = random_history(7);
  const std::string bytes = original.serialize();
  EXPECT_LT(bytes.size(), 20000U);
  auto restored = EventWindow::deserialize(bytes);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->retention(), original.retention());
  EXPECT_EQ(restored->serialize(), bytes);

  const TimePoint now = kStart + 32 * 24h;
  for (const seconds w :
       std::initializer_list<seconds>{5min, 30min, 1h, 2h, 6h, 24h, 72h, 30 * 24h}) {
    for (const seconds later : std::initializer_list<seconds>{0s, 45s, 3h}) {
      const Counts a = original.sum(now + later, w);
      const Counts b = restored->sum(now + later, w);
      EXPECT_EQ(a.total, b.total);
      EXPECT_EQ(a.good, b.good);
    }
  }
  // Both keep working identically, including late events.
  original.record(now + 1min, Counts{1, 2});
  restored->record(now + 1min, Counts{1, 2});
  original.record(now - 3min, Counts{0, 5});
  restored->record(now - 3min, Counts{0, 5});
  EXPECT_EQ(original.serialize(), restored->serialize());

  const auto empty = EventWindow::deserialize(EventWindow(24h).serialize());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->retention(), 72h);
  EXPECT_EQ(empty->sum(now, 72h).total, 0);
}

TEST(EventWindow, RejectsCorruptOrTruncatedSnapshots) {
  const std::string bytes = random_history(11).serialize();
  // Every truncation.
  for (std::size_t n = 0; n < bytes.size(); n += (n < 64 ? 1 : 97)) {
    EXPECT_FALSE(EventWindow::deserialize(bytes.substr(0, n)).ok()) << n;
  }
  // A flipped bit anywhere.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300; ++i) {
    std::string corrupted = bytes;
    const std::size_t at = i < 64 ? static_cast<std::size_t>(i) : rng() % bytes.size();
    corrupted[at] = static_cast<char>(corrupted[at] ^ (1 << (rng() % 8)));
    EXPECT_FALSE(EventWindow::deserialize(corrupted).ok()) << at;
  }
  EXPECT_FALSE(EventWindow::deserialize(bytes + "x").ok());
  EXPECT_FALSE(EventWindow::deserialize("").ok());
  EXPECT_FALSE(EventWindow::deserialize("definitely not a snapshot, but long enough").ok());

  std::string future = bytes;
  future[8] = 2;  // version field
  const auto result = EventWindow::deserialize(future);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("version 2"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace sloe::sli

// ---- `now` in the past: a postmortem asks for the counts of an incident that ended earlier ----

namespace sloe::sli {
namespace {

// One good and one bad event every minute (at :30) for `minutes` minutes from kStart.
std::vector<Event> minute_traffic(int minutes) {
  std::vector<Event> events;
  for (int k = 0; k < minutes; ++k) {
    events.push_back({kStart + std::chrono::minutes(k) + 30s, 1.0, 1.0});
    events.push_back({kStart + std::chrono::minutes(k) + 30s, 0.0, 1.0});
  }
  return events;
}

EventWindow filled(const std::vector<Event>& events) {
  EventWindow window(seconds(30 * 24 * 3600));
  for (const Event& e : events)
    window.record(e.at, Counts{e.good, e.total});
  return window;
}

TEST(EventWindowPastNow, ShortWindowEndingEarlierToday) {
  const std::vector<Event> events = minute_traffic(5 * 60);
  const EventWindow window = filled(events);
  // Ends 2 h before the newest event: the fine tier still holds it, minute-exact (just before a
  // minute boundary: the bucket holding `now` counts whole).
  const TimePoint end = kStart + 3h - 1ms;
  const Counts want = brute_force(events, end, 3600s);
  const Counts got = window.sum(end, 3600s);
  EXPECT_EQ(want.total, 120.0);
  EXPECT_NEAR(got.total, want.total, 0.01);
  EXPECT_NEAR(got.good, want.good, 0.01);
}

TEST(EventWindowPastNow, ShortWindowEndingBeforeTheFineTierIsAnsweredByTheCoarseOne) {
  std::vector<Event> events = minute_traffic(10 * 60);
  events.push_back({kStart + 30h, 1.0, 1.0});  // a day later: the fine tier moved on
  const EventWindow window = filled(events);
  // Just before an hour boundary, so the coarse tier's hour buckets line up with the window.
  const TimePoint end = kStart + 4h - 1ms;
  const Counts want = brute_force(events, end, 7200s);
  const Counts got = window.sum(end, 7200s);
  EXPECT_EQ(want.total, 240.0);
  EXPECT_NEAR(got.total, want.total, 0.01);
  EXPECT_NEAR(got.good, want.good, 0.01);
}

TEST(EventWindowPastNow, WindowStartingBeforeTheFineTierIsNotClamped) {
  std::vector<Event> events = minute_traffic(10 * 60);
  const EventWindow window = filled(events);
  // The fine tier (6 h) ends at the newest event (10 h): it holds 5 h but not 3 h.
  const TimePoint end = kStart + 5h - 1ms;
  const Counts want = brute_force(events, end, 7200s);
  const Counts got = window.sum(end, 7200s);
  EXPECT_NEAR(got.total, want.total, 0.01);
  EXPECT_NEAR(got.good, want.good, 0.01);
}

TEST(EventWindowPastNow, SloWindowEndingInThePast) {
  std::vector<Event> events = minute_traffic(10 * 60);
  events.push_back({kStart + 5 * 24h, 1.0, 1.0});
  const EventWindow window = filled(events);
  const TimePoint end = kStart + 24h - 1ms;
  const Counts got = window.sum(end, seconds(30 * 24 * 3600));
  EXPECT_NEAR(got.total, 1200.0, 0.01);  // everything up to `end`, nothing after it
  EXPECT_NEAR(got.good, 600.0, 0.01);
}

}  // namespace
}  // namespace sloe::sli

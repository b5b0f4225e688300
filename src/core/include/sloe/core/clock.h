// Clock: the one way sloe code learns the time.
//
// Domain code never reads std::chrono clocks directly; it is handed a Clock so that tests can
// replay days of traffic in milliseconds with a ManualClock.
//
// Thread-safety: every method of SystemClock and ManualClock may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace sloe {

// Wall-clock instants: what a person reads, what is stored, what windows are aligned to.
using TimePoint = std::chrono::system_clock::time_point;
// Monotonic instants: for intervals and timeouts, never stored.
using MonoTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC). May jump when the system clock is set.
  virtual TimePoint now() const = 0;
  // Monotonic time. Never goes backwards.
  virtual MonoTime monotonic() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  MonoTime monotonic() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to. Wall and monotonic time advance together.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : offset_(start.time_since_epoch().count()) {}

  TimePoint now() const override {
    return TimePoint{TimePoint::duration{offset_.load(std::memory_order_acquire)}};
  }
  MonoTime monotonic() const override {
    return MonoTime{std::chrono::duration_cast<MonoTime::duration>(now().time_since_epoch())};
  }

  // REQUIRES: by >= 0.
  void advance(Duration by) {
    offset_.fetch_add(std::chrono::duration_cast<TimePoint::duration>(by).count(),
                      std::memory_order_acq_rel);
  }
  // Sets wall time; monotonic time follows, so only move forwards in tests that use it.
  void set(TimePoint to) {
    offset_.store(to.time_since_epoch().count(), std::memory_order_release);
  }

 private:
  std::atomic<TimePoint::duration::rep> offset_;
};

// Seconds since the Unix epoch as a double: the unit of Prometheus timestamps.
inline double to_unix_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
inline TimePoint from_unix_seconds(double seconds) {
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double>(seconds))};
}

}  // namespace sloe

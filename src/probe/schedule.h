// Schedule: when each probe runs next. Pure logic on monotonic instants, no I/O, so the cadence
// rules are unit-tested without sleeping.
//
// Thread-safety: none; owned by the engine thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "sloe/core/clock.h"

namespace sloe::probe::detail {

class Schedule {
 public:
  // Probe i first becomes due at start + a jitter drawn from [0, intervals[i]) by a generator
  // seeded with `seed`: the same seed and intervals give the same offsets.
  // REQUIRES: every interval > 0 (a non-positive one is treated as 1ms).
  Schedule(const std::vector<Duration>& intervals, MonoTime start, std::uint64_t seed);

  // The earliest due instant, or nullopt when there are no probes.
  std::optional<MonoTime> next_due() const;

  // Probes whose slot is at or before `now`, each at most once, earliest first. Each one's next
  // slot becomes its previous slot + interval; slots already in the past by `now` are skipped,
  // so an overrun yields one run, not a burst.
  std::vector<std::size_t> take_due(MonoTime now);

  // The next slot of probe i.
  MonoTime due(std::size_t probe) const { return due_[probe]; }

 private:
  struct Entry {
    MonoTime due;
    std::size_t probe;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : probe > other.probe;
    }
  };

  std::vector<Duration> intervals_;
  std::vector<MonoTime> due_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace sloe::probe::detail

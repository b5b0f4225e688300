#include "schedule.h"

#include <random>

namespace sloe::probe::detail {

Schedule::Schedule(const std::vector<Duration>& intervals, MonoTime start, std::uint64_t seed)
    : intervals_(intervals) {
  std::mt19937_64 random(seed);
  due_.reserve(intervals_.size());
  for (std::size_t i = 0; i < intervals_.size(); ++i) {
    if (intervals_[i] <= Duration::zero())
      intervals_[i] = std::chrono::milliseconds(1);
    std::uniform_int_distribution<Duration::rep> jitter(0, intervals_[i].count() - 1);
    const MonoTime first =
        start + std::chrono::duration_cast<MonoTime::duration>(Duration(jitter(random)));
    due_.push_back(first);
    heap_.push(Entry{first, i});
  }
}

std::optional<MonoTime> Schedule::next_due() const {
  if (heap_.empty())
    return std::nullopt;
  return heap_.top().due;
}

std::vector<std::size_t> Schedule::take_due(MonoTime now) {
  std::vector<std::size_t> due_now;
  while (!heap_.empty() && heap_.top().due <= now) {
    const Entry entry = heap_.top();
    heap_.pop();
    due_now.push_back(entry.probe);
    const Duration interval = intervals_[entry.probe];
    MonoTime next = entry.due + std::chrono::duration_cast<MonoTime::duration>(interval);
    if (next <= now) {
      // Whole intervals missed: jump past them in one step (division, not a loop, so a long stall
      // costs nothing) and stay on the probe's own grid.
      const auto missed = (now - next) / interval + 1;
      next += std::chrono::duration_cast<MonoTime::duration>(interval * missed);
    }
    due_[entry.probe] = next;
    heap_.push(Entry{next, entry.probe});
  }
  return due_now;
}

}  // namespace sloe::probe::detail

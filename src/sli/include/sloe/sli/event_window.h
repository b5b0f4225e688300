// EventWindow: good/total event counts of one SLI, bucketed in time, with O(1) window sums.
//
// What it does: record() adds counts at an instant; sum() returns the counts over the last
// `window` before `now`. Two tiers of buckets are kept as rings of CUMULATIVE sums (prefix sums),
// so a window sum is cum[newest] - cum[start] with no loop over buckets:
//   - fine tier: 1-minute buckets covering the last 6 hours; answers windows <= 6h;
//   - coarse tier: buckets of max(1h, retention / 720) covering the retention; answers longer
//     windows.
// Where the window starts inside a bucket, that bucket contributes the covered fraction of its
// counts (linear interpolation), so sums slide smoothly as `now` moves instead of stepping once
// per bucket. The error of a sum is therefore at most the counts of that one boundary bucket
// (1 minute for windows <= 6h, one coarse bucket beyond) and ~0 for evenly spread traffic.
//
// Time: every instant is a parameter; the class never reads a clock. Buckets are aligned to the
// Unix epoch (bucket k covers [k*width, (k+1)*width)).
//   - record() in the current or a later bucket: O(1) amortised. Jumping ahead zero-fills the
//     skipped buckets, but never more than one ring's worth, so a long idle gap costs at most
//     O(ring size) (~1,100 slots), not O(elapsed minutes).
//   - record() a little late (an older bucket still retained): lands in its own bucket by adding
//     to the cumulative sums of it and every later bucket: O(k) for an event k buckets late.
//   - record() older than the oldest retained bucket of a tier: dropped by that tier (an event
//     7h old still counts in the coarse tier, not in the fine one).
//   - sum() with `now` after the newest recorded bucket treats the buckets in between as empty
//     (time passing without traffic). Events in the bucket containing `now` are counted whole.
//   - sum() with window > retention() clamps to retention(); window <= 0 gives zero counts.
//   - sum() with `now` in the past works: a window within the last 6h of the newest event is
//     answered by the fine tier, an older one by the coarse tier (interpolated, so choose `now`
//     just before a bucket boundary for exact whole-bucket sums).
// Precision: cumulative sums are float64; they are rebased (shifted down) when they grow large,
// so integer counts stay exact for the life of the process.
//
// Memory: fixed after construction: ~17 KB at 30d retention (see memory_bytes()).
// Thread-safety: NOT thread-safe. The owner serialises access (const methods may run
// concurrently with each other, not with record()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::sli {

struct Counts {
  double good = 0;
  double total = 0;
  double bad() const { return total - good; }
};

namespace detail {

// One tier of EventWindow: a ring of prefix sums over equal-width buckets. Internal; use
// EventWindow. Slot of bucket k holds the sums of every event up to the END of bucket k, for the
// `size` newest buckets (head - size, head].
class CumulativeRing {
 public:
  struct Entry {
    double good = 0;
    double total = 0;
  };

  CumulativeRing() = default;
  // REQUIRES: width_ns > 0, size >= 2.
  CumulativeRing(std::int64_t width_ns, std::size_t size);

  // Returns false when the bucket of at_ns is no longer retained (the counts are dropped).
  // REQUIRES: 0 <= good <= total, both finite.
  bool add(std::int64_t at_ns, double good, double total);
  // Counts in (now_ns - window_ns, now_ns], interpolating the partially covered oldest bucket.
  Counts sum(std::int64_t now_ns, std::int64_t window_ns) const;

  std::int64_t width_ns() const { return width_ns_; }
  std::size_t size() const { return entries_.size(); }
  bool started() const { return started_; }
  std::int64_t head() const { return head_; }
  // REQUIRES: started(), head() - size() < bucket <= head().
  const Entry& at(std::int64_t bucket) const { return entries_[slot(bucket)]; }
  std::size_t heap_bytes() const { return entries_.capacity() * sizeof(Entry); }
  // Replaces the contents, oldest bucket first. REQUIRES: chronological.size() == size().
  void restore(bool started, std::int64_t head, const std::vector<Entry>& chronological);

 private:
  // Ring position of a retained bucket. REQUIRES: head_ - size() < bucket <= head_.
  std::size_t slot(std::int64_t bucket) const;
  // Ring position of any bucket (a division; used when the head jumps).
  std::size_t slot_of(std::int64_t bucket) const;
  void advance_to(std::int64_t bucket);
  void rebase_if_large();

  std::int64_t width_ns_ = 1;
  std::int64_t head_ = 0;      // absolute index of the newest bucket: floor(t / width)
  std::size_t head_slot_ = 0;  // slot_of(head_)
  bool started_ = false;       // false until the first add(); every slot is then zero
  std::vector<Entry> entries_;
};

}  // namespace detail

class EventWindow {
 public:
  // retention: the longest window sums will be asked for (the SLO window). At least 3 days is
  // kept whatever is asked, so that the 3d burn-rate window always works (and at most 10 years).
  // REQUIRES: retention > 0.
  explicit EventWindow(std::chrono::seconds retention);

  // Adds counts at an instant. Counts that are negative or not finite are ignored (they would
  // poison every later sum); good is clamped to total. Amortised O(1); see the header comment
  // for late and far-future instants.
  void record(TimePoint at, Counts counts);
  // Counts over (now - window, now]. O(1).
  Counts sum(TimePoint now, std::chrono::seconds window) const;
  // The effective retention: max(requested, 3 days).
  std::chrono::seconds retention() const { return retention_; }
  // Heap + object size in bytes.
  std::size_t memory_bytes() const;

  // Compact binary snapshot for persistence: versioned, little-endian, checksummed.
  std::string serialize() const;
  // Rebuilds a window from serialize()'s output; rejects truncated, corrupted or foreign bytes
  // and unknown versions with an Error saying which.
  static Result<EventWindow> deserialize(std::string_view bytes);

 private:
  std::chrono::seconds retention_;
  detail::CumulativeRing fine_;
  detail::CumulativeRing coarse_;
};

}  // namespace sloe::sli

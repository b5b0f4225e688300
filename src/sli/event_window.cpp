#include "sloe/sli/event_window.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

namespace sloe::sli {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr seconds kFineWidth{60};
constexpr seconds kFineSpan{6 * 3600};
constexpr seconds kMinCoarseWidth{3600};
constexpr std::int64_t kCoarseBucketsPerRetention = 720;
constexpr seconds kMinRetention{3 * 24 * 3600};
// Guards the nanosecond arithmetic (int64 ns overflow at ~292 years) with a wide margin.
constexpr seconds kMaxRetention{3650LL * 24 * 3600};
// Prefix sums are rebased once the newest reaches this, well before float64 loses integer
// precision (2^53), so differences stay exact however long the process runs.
constexpr double kRebaseThreshold = 1099511627776.0;  // 2^40

// Two slots beyond the span: one for the bucket holding `now` and one whose end value is the
// base the oldest covered bucket's fraction is interpolated from.
constexpr std::size_t kSpareSlots = 2;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

std::int64_t to_ns(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::int64_t to_ns(seconds s) {
  return s.count() * kNanosPerSecond;
}

seconds effective_retention(seconds requested) {
  return std::clamp(requested, kMinRetention, kMaxRetention);
}

seconds coarse_width(seconds retention) {
  const seconds spread{(retention.count() + kCoarseBucketsPerRetention - 1) /
                       kCoarseBucketsPerRetention};
  return std::max(kMinCoarseWidth, spread);
}

std::size_t ring_size(seconds span, seconds width) {
  const std::int64_t buckets = (span.count() + width.count() - 1) / width.count();
  return static_cast<std::size_t>(buckets) + kSpareSlots;
}

// ---- serialization primitives: little-endian regardless of the host ----

constexpr char kMagic[8] = {'S', 'L', 'O', 'E', 'W', 'I', 'N', '\0'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::uint32_t kTierCount = 2;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
void put_i64(std::string& out, std::int64_t v) {
  put_u64(out, static_cast<std::uint64_t>(v));
}
void put_f64(std::string& out, double v) {
  put_u64(out, std::bit_cast<std::uint64_t>(v));
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool has(std::size_t n) const { return bytes_.size() - pos_ >= n; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::uint64_t u64() { return little_endian(8); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string_view raw(std::size_t n) {
    const std::string_view view = bytes_.substr(pos_, n);
    pos_ += n;
    return view;
  }

 private:
  // REQUIRES: has(n).
  std::uint64_t little_endian(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += n;
    return v;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

Error corrupt(const std::string& what) {
  return Error{"event window snapshot is corrupt: " + what +
               "; discard it and let the window refill from new events"};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
namespace detail {

CumulativeRing::CumulativeRing(std::int64_t width_ns, std::size_t size)
    : width_ns_(width_ns), entries_(size) {
  assert(width_ns > 0);
  assert(size >= 2);
}

std::size_t CumulativeRing::slot(std::int64_t bucket) const {
  // Retained buckets sit at most size-1 behind the head, so no division is needed.
  const auto back = static_cast<std::size_t>(head_ - bucket);
  assert(back < entries_.size());
  return head_slot_ >= back ? head_slot_ - back : head_slot_ + entries_.size() - back;
}

void CumulativeRing::advance_to(std::int64_t bucket) {
  // Skipped buckets are empty: their prefix sum equals the head's. Past one full ring every slot
  // gets that value, so a gap of a year costs the same as a gap of six hours.
  const Entry carry = entries_[head_slot_];
  const std::int64_t steps = bucket - head_;
  const std::size_t n = entries_.size();
  if (steps >= static_cast<std::int64_t>(n)) {
    std::fill(entries_.begin(), entries_.end(), carry);
    head_slot_ = slot_of(bucket);
  } else {
    for (std::int64_t k = 0; k < steps; ++k) {
      head_slot_ = head_slot_ + 1 == n ? 0 : head_slot_ + 1;
      entries_[head_slot_] = carry;
    }
  }
  head_ = bucket;
}

std::size_t CumulativeRing::slot_of(std::int64_t bucket) const {
  const auto n = static_cast<std::int64_t>(entries_.size());
  std::int64_t r = bucket % n;
  if (r < 0)
    r += n;
  return static_cast<std::size_t>(r);
}

void CumulativeRing::rebase_if_large() {
  // Shift by the oldest slot's sums only once that base itself is large: the shift then happens
  // once per ~2^40 events (amortised O(1)) and leaves values no larger than the ring's contents.
  const Entry base = entries_[slot(head_ - static_cast<std::int64_t>(entries_.size()) + 1)];
  if (base.total < kRebaseThreshold && base.good < kRebaseThreshold)
    return;
  for (Entry& e : entries_) {
    e.good -= base.good;
    e.total -= base.total;
  }
}

bool CumulativeRing::add(std::int64_t at_ns, double good, double total) {
  const std::int64_t bucket = floor_div(at_ns, width_ns_);
  if (!started_) {
    started_ = true;
    head_ = bucket;
    head_slot_ = slot_of(bucket);
  } else if (bucket > head_) {
    advance_to(bucket);
  } else if (bucket <= head_ - static_cast<std::int64_t>(entries_.size()) + 1) {
    // The oldest slot only anchors interpolation; its own bucket's counts are not retained.
    return false;
  }
  // A late event changes the prefix sum of its bucket and of every later one: O(lateness).
  for (std::int64_t k = bucket; k <= head_; ++k) {
    Entry& e = entries_[slot(k)];
    e.good += good;
    e.total += total;
  }
  rebase_if_large();
  return true;
}

Counts CumulativeRing::sum(std::int64_t now_ns, std::int64_t window_ns) const {
  if (!started_ || window_ns <= 0)
    return {};
  const std::int64_t oldest = head_ - static_cast<std::int64_t>(entries_.size()) + 1;
  // Buckets after the head hold no events; their prefix sum is the head's.
  const std::int64_t upper_bucket = std::min(head_, floor_div(now_ns, width_ns_));
  if (upper_bucket < oldest)
    return {};
  const std::int64_t start_ns = now_ns - window_ns;
  const std::int64_t start_bucket = floor_div(start_ns, width_ns_);
  if (start_bucket > upper_bucket)
    return {};  // the whole window lies in an idle stretch

  const Entry& upper = entries_[slot(upper_bucket)];
  Entry lower;
  if (start_bucket - 1 < oldest) {
    lower = entries_[slot(oldest)];  // the window reaches past what is retained: clamp
  } else {
    const Entry& before = entries_[slot(start_bucket - 1)];
    const Entry& through = entries_[slot(start_bucket)];
    // Fraction of the start bucket lying before the window, assuming its events were spread
    // evenly across it.
    const double outside =
        static_cast<double>(start_ns - start_bucket * width_ns_) / static_cast<double>(width_ns_);
    lower.good = before.good + outside * (through.good - before.good);
    lower.total = before.total + outside * (through.total - before.total);
  }
  Counts counts;
  counts.total = std::max(0.0, upper.total - lower.total);
  counts.good = std::clamp(upper.good - lower.good, 0.0, counts.total);
  return counts;
}

void CumulativeRing::restore(bool started, std::int64_t head,
                             const std::vector<Entry>& chronological) {
  assert(chronological.size() == entries_.size());
  started_ = started;
  head_ = head;
  head_slot_ = slot_of(head);
  const auto n = static_cast<std::int64_t>(entries_.size());
  for (std::int64_t i = 0; i < n; ++i) {
    entries_[slot(head - n + 1 + i)] = chronological[static_cast<std::size_t>(i)];
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------

EventWindow::EventWindow(std::chrono::seconds retention)
    : retention_(effective_retention(retention)),
      fine_(to_ns(kFineWidth), ring_size(kFineSpan, kFineWidth)),
      coarse_(to_ns(coarse_width(retention_)), ring_size(retention_, coarse_width(retention_))) {
  assert(retention.count() > 0);
}

void EventWindow::record(TimePoint at, Counts counts) {
  if (!std::isfinite(counts.good) || !std::isfinite(counts.total) || counts.good < 0 ||
      counts.total < 0) {
    return;
  }
  const double good = std::min(counts.good, counts.total);
  if (counts.total == 0)
    return;
  const std::int64_t at_ns = to_ns(at);
  fine_.add(at_ns, good, counts.total);
  coarse_.add(at_ns, good, counts.total);
}

Counts EventWindow::sum(TimePoint now, std::chrono::seconds window) const {
  if (window.count() <= 0)
    return {};
  window = std::min(window, retention_);
  // The fine tier answers a short window only while it still holds the window's start: a window
  // that ended hours ago (a past incident's) goes to the coarse tier rather than being clamped.
  const std::int64_t start_bucket = floor_div(to_ns(now) - to_ns(window), fine_.width_ns());
  const bool fine_holds_start =
      !fine_.started() ||
      start_bucket - 1 >= fine_.head() - static_cast<std::int64_t>(fine_.size()) + 1;
  const detail::CumulativeRing& tier = window <= kFineSpan && fine_holds_start ? fine_ : coarse_;
  return tier.sum(to_ns(now), to_ns(window));
}

std::size_t EventWindow::memory_bytes() const {
  return sizeof(EventWindow) + fine_.heap_bytes() + coarse_.heap_bytes();
}

std::string EventWindow::serialize() const {
  std::string out;
  out.reserve(64 + (fine_.size() + coarse_.size()) * 16);
  out.append(kMagic, sizeof kMagic);
  put_u32(out, kFormatVersion);
  put_i64(out, retention_.count());
  put_u32(out, kTierCount);
  for (const detail::CumulativeRing* tier : {&fine_, &coarse_}) {
    put_i64(out, tier->width_ns());
    put_u32(out, static_cast<std::uint32_t>(tier->size()));
    out.push_back(tier->started() ? '\1' : '\0');
    put_i64(out, tier->head());
    const auto n = static_cast<std::int64_t>(tier->size());
    for (std::int64_t i = 0; i < n; ++i) {
      const detail::CumulativeRing::Entry e =
          tier->started() ? tier->at(tier->head() - n + 1 + i) : detail::CumulativeRing::Entry{};
      put_f64(out, e.good);
      put_f64(out, e.total);
    }
  }
  put_u64(out, fnv1a64(out));
  return out;
}

Result<EventWindow> EventWindow::deserialize(std::string_view bytes) {
  constexpr std::size_t kChecksumBytes = 8;
  constexpr std::size_t kHeaderBytes = sizeof kMagic + 4 + 8 + 4;
  if (bytes.size() < kHeaderBytes + kChecksumBytes) {
    return corrupt("truncated (" + std::to_string(bytes.size()) + " bytes)");
  }
  Reader reader(bytes);
  if (reader.raw(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) {
    return corrupt("not an event window snapshot (bad magic)");
  }
  const std::uint32_t version = reader.u32();
  if (version != kFormatVersion) {
    return Error{"event window snapshot has format version " + std::to_string(version) +
                 "; this build reads version " + std::to_string(kFormatVersion)};
  }
  const std::string_view payload = bytes.substr(0, bytes.size() - kChecksumBytes);
  Reader checksum_reader(bytes.substr(bytes.size() - kChecksumBytes));
  if (checksum_reader.u64() != fnv1a64(payload))
    return corrupt("checksum mismatch");

  const std::int64_t retention_s = reader.i64();
  if (retention_s < kMinRetention.count() || retention_s > kMaxRetention.count()) {
    return corrupt("retention " + std::to_string(retention_s) + "s out of range");
  }
  EventWindow window{seconds{retention_s}};
  if (reader.u32() != kTierCount)
    return corrupt("unexpected tier count");

  for (detail::CumulativeRing* tier : {&window.fine_, &window.coarse_}) {
    if (!reader.has(8 + 4 + 1 + 8))
      return corrupt("truncated tier header");
    const std::int64_t width_ns = reader.i64();
    const std::uint32_t size = reader.u32();
    const std::uint8_t started = reader.u8();
    const std::int64_t head = reader.i64();
    if (width_ns != tier->width_ns() || size != tier->size()) {
      return corrupt("bucket layout does not match the retention");
    }
    if (started > 1)
      return corrupt("bad flag");
    const std::int64_t max_bucket = std::numeric_limits<std::int64_t>::max() / width_ns - 1;
    if (head > max_bucket || head < -max_bucket)
      return corrupt("head bucket out of range");
    if (reader.remaining() < kChecksumBytes || (reader.remaining() - kChecksumBytes) / 16 < size) {
      return corrupt("truncated buckets");
    }
    std::vector<detail::CumulativeRing::Entry> entries(size);
    detail::CumulativeRing::Entry previous;
    for (auto& e : entries) {
      e.good = reader.f64();
      e.total = reader.f64();
      // Prefix sums only ever grow along time and never go below the rebased zero.
      if (!std::isfinite(e.good) || !std::isfinite(e.total) || e.good < previous.good ||
          e.total < previous.total) {
        return corrupt("bucket sums are not non-decreasing finite numbers");
      }
      if (started == 0 && (e.good != 0 || e.total != 0)) {
        return corrupt("counts in a window that never started");
      }
      previous = e;
    }
    tier->restore(started == 1, head, entries);
  }
  if (reader.remaining() != kChecksumBytes)
    return corrupt("trailing bytes");
  return window;
}

}  // namespace sloe::sli

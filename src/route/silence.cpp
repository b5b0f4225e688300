#include "sloe/route/silence.h"

#include <algorithm>
#include <cstdio>

namespace sloe::route {
namespace {

const Labels& empty_labels() {
  static const Labels empty;
  return empty;
}

// Alertmanager's canUpdate: whether `next` may overwrite `previous` in place at now.
bool can_update_in_place(const Silence& previous, const Silence& next, TimePoint now) {
  if (previous.matchers != next.matchers)
    return false;
  switch (state_at(previous, now)) {
    case SilenceState::kActive:
      return next.starts_at == previous.starts_at && next.ends_at >= now;
    case SilenceState::kPending:
      return next.starts_at >= now;
    case SilenceState::kExpired:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(SilenceState state) {
  switch (state) {
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kActive:
      return "active";
    case SilenceState::kExpired:
      return "expired";
  }
  return "unknown";
}

SilenceState state_at(const Silence& silence, TimePoint now) {
  if (now < silence.starts_at)
    return SilenceState::kPending;
  if (now < silence.ends_at)
    return SilenceState::kActive;
  return SilenceState::kExpired;
}

bool mutes(const Silence& silence, const Labels& labels, TimePoint now) {
  return state_at(silence, now) == SilenceState::kActive && !silence.matchers.empty() &&
         alert::matches_all(silence.matchers, labels);
}

std::optional<SilenceProblem> validate(const Silence& silence) {
  if (silence.matchers.empty())
    return SilenceProblem{"matchers", "at least one matcher is required"};
  const bool all_match_empty =
      std::all_of(silence.matchers.begin(), silence.matchers.end(),
                  [](const alert::Matcher& m) { return m.matches(empty_labels()); });
  if (all_match_empty) {
    return SilenceProblem{"matchers",
                          "at least one matcher must not match the empty string, or the silence "
                          "would mute every alert"};
  }
  if (silence.ends_at <= silence.starts_at)
    return SilenceProblem{"ends_at", "the end time must be after the start time"};
  if (silence.created_by.empty())
    return SilenceProblem{"created_by", "say who creates the silence"};
  if (silence.comment.empty())
    return SilenceProblem{"comment", "say why the silence is needed"};
  return std::nullopt;
}

std::string random_silence_id(std::mt19937_64& engine) {
  const std::uint64_t high = engine();
  const std::uint64_t low = engine();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string id;
  id.reserve(36);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0x0f]);
  }
  return id;
}

Silences::Silences(IdGenerator next_id) : next_id_(std::move(next_id)) {}

Result<Silences::Change> Silences::set(Silence silence, TimePoint now) {
  if (auto problem = validate(silence))
    return Error{problem->field + ": " + problem->message};
  silence.updated_at = now;
  Change change;
  if (!silence.id.empty()) {
    Silence* previous = find_mutable(silence.id);
    if (previous == nullptr)
      return Error{"silence " + silence.id + " not found"};
    if (can_update_in_place(*previous, silence, now)) {
      *previous = silence;
      change.id = silence.id;
      change.written.push_back(std::move(silence));
      return change;
    }
    // Replaced: the old version stops muting now, and the edit becomes a new silence below.
    if (silence.ends_at <= now)
      return Error{"ends_at: the silence would end in the past"};
    if (state_at(*previous, now) != SilenceState::kExpired) {
      auto expired = expire(previous->id, now);
      if (!expired)
        return expired.error();
      change.written.push_back(std::move(expired).value());
    }
  }
  if (silence.ends_at <= now)
    return Error{"ends_at: the silence would end in the past"};
  silence.starts_at = std::max(silence.starts_at, now);
  silence.id = next_id_();
  change.id = silence.id;
  silences_.push_back(silence);
  change.written.push_back(std::move(silence));
  return change;
}

Result<Silence> Silences::expire(std::string_view id, TimePoint now) {
  Silence* silence = find_mutable(id);
  if (silence == nullptr)
    return Error{"silence " + std::string(id) + " not found"};
  switch (state_at(*silence, now)) {
    case SilenceState::kExpired:
      return Error{"silence " + std::string(id) + " is already expired"};
    case SilenceState::kPending:
      silence->starts_at = now;
      silence->ends_at = now;
      break;
    case SilenceState::kActive:
      silence->ends_at = now;
      break;
  }
  silence->updated_at = now;
  return *silence;
}

void Silences::restore(Silence silence) {
  if (Silence* existing = find_mutable(silence.id)) {
    *existing = std::move(silence);
    return;
  }
  silences_.push_back(std::move(silence));
}

std::vector<std::string> Silences::collect_garbage(TimePoint now, Duration retention) {
  std::vector<std::string> removed;
  const TimePoint cutoff = now - std::chrono::duration_cast<TimePoint::duration>(retention);
  std::erase_if(silences_, [&](const Silence& silence) {
    if (silence.ends_at > cutoff)
      return false;
    removed.push_back(silence.id);
    return true;
  });
  return removed;
}

const Silence* Silences::find(std::string_view id) const {
  const auto found = std::find_if(silences_.begin(), silences_.end(),
                                  [&](const Silence& silence) { return silence.id == id; });
  return found == silences_.end() ? nullptr : &*found;
}

Silence* Silences::find_mutable(std::string_view id) {
  return const_cast<Silence*>(std::as_const(*this).find(id));
}

std::vector<std::string> Silences::silenced_by(const Labels& labels, TimePoint now) const {
  std::vector<std::string> ids;
  for (const Silence& silence : silences_) {
    if (mutes(silence, labels, now))
      ids.push_back(silence.id);
  }
  return ids;
}

}  // namespace sloe::route

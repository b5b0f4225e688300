#include "sloe/alert/alert.h"

#include <cassert>

#include "sloe/alert/fingerprint.h"

namespace sloe::alert {

std::uint64_t Alert::fingerprint() const {
  return alert::fingerprint(labels);
}

bool Alert::resolved_at(TimePoint now) const {
  return ends_at.has_value() && *ends_at <= now;
}

std::string_view to_string(AlertState state) {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kResolved:
      return "resolved";
  }
  return "unknown";
}

AlertTracker::AlertTracker(std::chrono::milliseconds for_duration) : for_duration_(for_duration) {
  assert(for_duration >= std::chrono::milliseconds::zero());
}

AlertTracker::Transition AlertTracker::move_to(AlertState to, TimePoint at) {
  const Transition transition{state_, to, at};
  state_ = to;
  return transition;
}

std::optional<AlertTracker::Transition> AlertTracker::update(bool condition, TimePoint now) {
  switch (state_) {
    case AlertState::kInactive:
    case AlertState::kResolved:
      if (!condition)
        return std::nullopt;
      // A new active period; whatever a previous one recorded no longer applies.
      active_since_ = now;
      fired_at_.reset();
      resolved_at_.reset();
      if (for_duration_ <= std::chrono::milliseconds::zero()) {
        fired_at_ = now;
        return move_to(AlertState::kFiring, now);
      }
      return move_to(AlertState::kPending, now);
    case AlertState::kPending:
      if (!condition) {
        // Never fired, so nobody was told: forget the period entirely.
        active_since_.reset();
        return move_to(AlertState::kInactive, now);
      }
      if (now - *active_since_ >= for_duration_) {
        fired_at_ = now;
        return move_to(AlertState::kFiring, now);
      }
      return std::nullopt;
    case AlertState::kFiring:
      if (condition)
        return std::nullopt;
      resolved_at_ = now;
      return move_to(AlertState::kResolved, now);
  }
  return std::nullopt;
}

}  // namespace sloe::alert

// Alert: one alert instance (labels identify it, annotations describe it) and AlertTracker, the
// pending/firing/resolved state machine of an alerting condition with a `for:` duration.
//
// AlertTracker follows Prometheus alerting rules: the condition holding since t0 makes the alert
// pending (activeAt = t0); once it has held for at least for_duration it fires; if it stops
// holding while pending the alert goes back to inactive without ever notifying; if it stops while
// firing the alert is resolved (ends_at = that time); holding again after resolution starts a new
// pending period. With for_duration 0 the first true evaluation fires at once.
//
// Time is passed in by the caller; nothing here reads a clock.
// Thread-safety: Alert is plain data. AlertTracker is not synchronized; one owner drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "sloe/core/clock.h"
#include "sloe/core/labels.h"

namespace sloe::alert {

struct Alert {
  Labels labels;       // identity: what routes, silences and grouping see
  Labels annotations;  // description: summary, runbook_url, ...; not part of identity
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;  // unset while the alert is active
  std::string generator_url;

  // fingerprint(labels); annotations and times do not change it.
  std::uint64_t fingerprint() const;
  // True if ends_at is set and not after now.
  bool resolved_at(TimePoint now) const;
};

enum class AlertState { kInactive, kPending, kFiring, kResolved };

std::string_view to_string(AlertState state);

class AlertTracker {
 public:
  // REQUIRES: for_duration >= 0.
  explicit AlertTracker(std::chrono::milliseconds for_duration);

  struct Transition {
    AlertState from;
    AlertState to;
    TimePoint at;
  };

  // Feeds one evaluation of the condition; returns the transition if the state changed.
  // REQUIRES: now does not go backwards between calls.
  std::optional<Transition> update(bool condition, TimePoint now);

  AlertState state() const { return state_; }
  // When the current pending/firing period began (Prometheus activeAt); unset when inactive,
  // and kept after resolution to tell which period was resolved.
  std::optional<TimePoint> active_since() const { return active_since_; }
  // When the current period started firing; unset until it fires.
  std::optional<TimePoint> fired_at() const { return fired_at_; }
  // When the firing period was resolved; set only in kResolved.
  std::optional<TimePoint> resolved_at() const { return resolved_at_; }

 private:
  Transition move_to(AlertState to, TimePoint at);

  std::chrono::milliseconds for_duration_;
  AlertState state_ = AlertState::kInactive;
  std::optional<TimePoint> active_since_;
  std::optional<TimePoint> fired_at_;
  std::optional<TimePoint> resolved_at_;
};

}  // namespace sloe::alert

// Escalation: the paging state of one alert group or incident under an escalation policy.
//
// Timing (PagerDuty / Grafana OnCall): started at t0, step 0 is due at t0; step i+1 is due
// steps[i].wait after step i; after the last step, the policy starts over `repeat` more times,
// the first step of the next pass being due the last step's wait after it. With waits w0..wn-1
// and W = w0 + ... + wn-1, step i of pass p (p = 0..repeat) is due at
//   t0 + p * W + (w0 + ... + w(i-1)).
// When the last notification of the last pass has been handed out the escalation is exhausted.
//
// Targets are resolved when a notification is handed out, at its due instant (not the instant
// due() is called): a schedule target becomes the users on call then (schedule.h), a user target
// that user, a receiver target is passed through. Each user is reached through User::receiver.
//
// acknowledge() and resolve() stop the escalation: notifications not yet handed out by due() are
// dropped, even those whose time had come, because a person has taken the alert.
//
// The escalation copies its policy when it starts, so a reloaded configuration does not change
// the steps of an escalation in flight; schedules are looked up in the OncallConfig it shares.
//
// Thread-safety: none; one owner (the dispatcher) drives an Escalation. Distinct escalations may
// be used from distinct threads (the shared configuration is only read).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/oncall/model.h"

namespace sloe::oncall {

struct Notification {
  std::size_t step = 0;  // index into the policy's steps
  int pass = 0;          // 0 for the first pass, 1..repeat for the repetitions
  TimePoint due;         // when it became due (targets are resolved at this instant)
  // People to page: schedule targets' users on call and user targets, without repeats, in target
  // order.
  std::vector<std::string> users;
  // Receiver targets named directly by the step, without repeats.
  std::vector<std::string> receivers;
  // Schedule targets that had nobody on call at `due` (worth a warning: nobody was paged for
  // them).
  std::vector<std::string> empty_schedules;

  friend bool operator==(const Notification&, const Notification&) = default;
};

// Every receiver the notification must go to: each user's receiver (users without one are
// skipped), then the step's own receivers; without repeats.
std::vector<std::string> receivers_to_notify(const OncallConfig& config,
                                             const Notification& notification);

class Escalation {
 public:
  enum class State { kActive, kAcknowledged, kResolved, kExhausted };

  // Starts escalating under the named policy at `started`. Fails when config is null, the policy
  // is unknown, or it has no steps.
  static Result<Escalation> start(std::shared_ptr<const OncallConfig> config,
                                  std::string_view policy, TimePoint started);

  // Every notification due at or before `now` not handed out yet, in due order (several when
  // called late). Empty once acknowledged, resolved or exhausted.
  std::vector<Notification> due(TimePoint now);

  // Stops further steps. Fails (and changes nothing) when already acknowledged or resolved.
  Status acknowledge(std::string by, TimePoint at);
  // Ends the escalation. Fails when already resolved.
  Status resolve(TimePoint at);

  // When the next notification is due; nullopt when none will be (acknowledged, resolved,
  // exhausted).
  std::optional<TimePoint> next_deadline() const;

  State state() const { return state_; }
  const EscalationPolicy& policy() const { return policy_; }
  TimePoint started() const { return started_; }
  const std::string& acknowledged_by() const { return acknowledged_by_; }
  std::optional<TimePoint> acknowledged_at() const { return acknowledged_at_; }
  std::optional<TimePoint> resolved_at() const { return resolved_at_; }

 private:
  Escalation(std::shared_ptr<const OncallConfig> config, EscalationPolicy policy,
             TimePoint started);

  // Due instant of the notification number `sequence` (pass * steps + step).
  TimePoint due_at(std::size_t sequence) const;
  std::size_t total_notifications() const;
  Notification resolve_targets(std::size_t sequence) const;

  std::shared_ptr<const OncallConfig> config_;
  EscalationPolicy policy_;
  TimePoint started_;
  State state_ = State::kActive;
  std::size_t next_ = 0;  // sequence number of the next notification to hand out
  std::string acknowledged_by_;
  std::optional<TimePoint> acknowledged_at_;
  std::optional<TimePoint> resolved_at_;
};

}  // namespace sloe::oncall

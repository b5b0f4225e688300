#include "sloe/oncall/escalation.h"

#include <algorithm>

#include "sloe/oncall/schedule.h"

namespace sloe::oncall {
namespace {

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

}  // namespace

std::vector<std::string> receivers_to_notify(const OncallConfig& config,
                                             const Notification& notification) {
  std::vector<std::string> receivers;
  for (const std::string& name : notification.users) {
    const User* user = config.find_user(name);
    if (user != nullptr && !user->receiver.empty())
      add_unique(receivers, user->receiver);
  }
  for (const std::string& receiver : notification.receivers)
    add_unique(receivers, receiver);
  return receivers;
}

Result<Escalation> Escalation::start(std::shared_ptr<const OncallConfig> config,
                                     std::string_view policy, TimePoint started) {
  if (config == nullptr)
    return Error{"escalation: no on-call configuration"};
  const EscalationPolicy* found = config->find_policy(policy);
  if (found == nullptr)
    return Error{"unknown escalation policy '" + std::string(policy) + "'"};
  if (found->steps.empty())
    return Error{"escalation policy '" + found->name + "' has no steps"};
  EscalationPolicy copy = *found;
  return Escalation(std::move(config), std::move(copy), started);
}

Escalation::Escalation(std::shared_ptr<const OncallConfig> config, EscalationPolicy policy,
                       TimePoint started)
    : config_(std::move(config)), policy_(std::move(policy)), started_(started) {}

std::size_t Escalation::total_notifications() const {
  return policy_.steps.size() * static_cast<std::size_t>(std::max(policy_.repeat, 0) + 1);
}

TimePoint Escalation::due_at(std::size_t sequence) const {
  const std::size_t steps = policy_.steps.size();
  std::chrono::milliseconds pass_length{0};
  for (const EscalationStep& step : policy_.steps)
    pass_length += step.wait;
  std::chrono::milliseconds offset = pass_length * static_cast<std::int64_t>(sequence / steps);
  for (std::size_t i = 0; i < sequence % steps; ++i)
    offset += policy_.steps[i].wait;
  return started_ + offset;
}

Notification Escalation::resolve_targets(std::size_t sequence) const {
  const std::size_t steps = policy_.steps.size();
  Notification notification;
  notification.step = sequence % steps;
  notification.pass = static_cast<int>(sequence / steps);
  notification.due = due_at(sequence);
  for (const EscalationTarget& target : policy_.steps[notification.step].targets) {
    switch (target.kind) {
      case EscalationTarget::Kind::kSchedule: {
        const std::vector<std::string> on_call = who(*config_, target.name, notification.due);
        if (on_call.empty())
          add_unique(notification.empty_schedules, target.name);
        for (const std::string& user : on_call)
          add_unique(notification.users, user);
        break;
      }
      case EscalationTarget::Kind::kUser:
        add_unique(notification.users, target.name);
        break;
      case EscalationTarget::Kind::kReceiver:
        add_unique(notification.receivers, target.name);
        break;
    }
  }
  return notification;
}

std::vector<Notification> Escalation::due(TimePoint now) {
  std::vector<Notification> out;
  if (state_ != State::kActive)
    return out;
  const std::size_t total = total_notifications();
  while (next_ < total && due_at(next_) <= now) {
    out.push_back(resolve_targets(next_));
    ++next_;
  }
  if (next_ >= total)
    state_ = State::kExhausted;
  return out;
}

Status Escalation::acknowledge(std::string by, TimePoint at) {
  if (state_ == State::kResolved)
    return Error{"cannot acknowledge: the escalation was already resolved"};
  if (state_ == State::kAcknowledged) {
    return Error{"already acknowledged" +
                 (acknowledged_by_.empty() ? std::string() : " by " + acknowledged_by_)};
  }
  state_ = State::kAcknowledged;
  acknowledged_by_ = std::move(by);
  acknowledged_at_ = at;
  return {};
}

Status Escalation::resolve(TimePoint at) {
  if (state_ == State::kResolved)
    return Error{"the escalation was already resolved"};
  state_ = State::kResolved;
  resolved_at_ = at;
  return {};
}

std::optional<TimePoint> Escalation::next_deadline() const {
  if (state_ != State::kActive || next_ >= total_notifications())
    return std::nullopt;
  return due_at(next_);
}

}  // namespace sloe::oncall

// The on-call model: who can be paged (users), how duty rotates (rotations), who is on call when
// (schedules made of layers, plus overrides), and whom to page in what order until someone
// answers (escalation policies).
//
// Plain data. config/ fills an OncallConfig from alerts/*.yaml and validates every name it
// references; code that builds one by hand should keep the same invariants (listed per field).
// Evaluation lives in schedule.h (who is on call) and escalation.h (paging in steps).
//
// Thread-safety: plain data; const access from any number of threads is safe.
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"

namespace sloe::oncall {

struct User {
  std::string name;          // unique; what rotations, overrides and escalation steps name
  std::string display_name;  // for people; may be empty (then name is shown)
  // The route-tree receiver that reaches this person (e.g. their PagerDuty or Slack receiver).
  // May be empty: such a user can be on call but no notification can reach them.
  std::string receiver;
};

// A reading of a wall clock, without a zone: "2026-11-02T09:00" in whatever zone goes with it.
struct LocalDateTime {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31, valid for the month
  unsigned hour = 0;   // 0..23
  unsigned minute = 0;
  unsigned second = 0;

  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

// Users take turns, in order, for shift_length each.
//
// Handoff rule (DST): handoffs happen on the local wall clock of time_zone. Handoff k (k = 0, 1,
// ...) is at the wall-clock reading start + k * shift_length, where the addition is done on the
// local clock (a day is a calendar day, not 24 elapsed hours). A daily rotation starting
// 09:00 Europe/Tallinn therefore hands off at 09:00 local on both sides of a DST switch, and the
// shift that spans the switch lasts 23h (spring forward) or 25h (fall back). A 12h rotation from
// 09:00 hands off at 09:00 and 21:00 local. When a handoff reading does not exist (it falls in the
// hour a spring-forward switch skips) the handoff is at the switch itself; when it occurs twice
// (the hour a fall-back switch repeats) the handoff is at its first occurrence. Before handoff 0
// nobody is on call in the rotation.
struct Rotation {
  std::string name;                // unique
  std::vector<std::string> users;  // user names, at least one; a name may appear more than once
  std::chrono::milliseconds shift_length{std::chrono::hours(24 * 7)};  // > 0
  LocalDateTime start;                                                 // handoff 0, local time
  std::string time_zone = "UTC";                                       // IANA name
};

// A window of the week on the local wall clock, as an offset from Monday 00:00: [start, end).
// end < start wraps over Sunday midnight (Fri 18:00 -> Mon 08:00). start == end is invalid.
// Offsets lie in [0, 7 days]; kWeek itself is accepted as an end ("Sunday 24:00").
struct WeeklyWindow {
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};

  friend bool operator==(const WeeklyWindow&, const WeeklyWindow&) = default;
};

inline constexpr std::chrono::minutes kWeek{7 * 24 * 60};
inline constexpr std::chrono::minutes kDay{24 * 60};

// 0 = Monday ... 6 = Sunday, the order WeeklyWindow counts in.
using Weekday = unsigned;

// One window per day in `days` (every day when empty), from `from` to `to` past that day's
// midnight; to <= from continues into the next day (22:00 -> 06:00). REQUIRES: from, to in
// [0, 24h], from != to, days < 7.
std::vector<WeeklyWindow> daily_windows(std::chrono::minutes from, std::chrono::minutes to,
                                        const std::vector<Weekday>& days = {});
// One window from (from_day, from_time) to (to_day, to_time): Fri 17:00 -> Mon 09:00.
// REQUIRES: days < 7, times in [0, 24h], the two ends differ.
WeeklyWindow weekly_window(Weekday from_day, std::chrono::minutes from_time, Weekday to_day,
                           std::chrono::minutes to_time);

// A rotation, limited to windows of the week in the rotation's time zone (restrictions evaluated
// on the local wall clock, like handoffs). No restrictions: always. The rotation's own schedule
// is not shifted by restrictions: outside a window the layer simply has nobody.
struct Layer {
  std::string rotation;  // a Rotation's name
  std::vector<WeeklyWindow> restrictions;
};

// A person who takes (replace) or joins (add) the schedule for [start, end).
struct Override {
  enum class Mode { kReplace, kAdd };
  Mode mode = Mode::kReplace;
  std::string user;  // a User's name
  // Replace mode only: the person whose time is taken; empty takes over from whoever is on call
  // (and covers the span even where the layers have nobody).
  std::string replaces;
  TimePoint start;
  TimePoint end;  // > start
};

// Layers are bottom to top: at any instant the highest layer that has someone on call decides
// (PagerDuty's layer semantics); lower layers show through where higher ones have nobody (their
// restrictions exclude the instant, or their rotation has not started). Overrides then apply:
// every replacement (in order), then every addition.
struct Schedule {
  std::string name;  // unique
  std::vector<Layer> layers;
  std::vector<Override> overrides;
};

struct EscalationTarget {
  enum class Kind { kSchedule, kUser, kReceiver };
  Kind kind = Kind::kSchedule;
  std::string name;  // a Schedule's or User's name, or a route-tree receiver's name
};

struct EscalationStep {
  std::vector<EscalationTarget> targets;  // at least one
  // How long the step waits for an acknowledgement before the next step (or, after the last
  // step, the next repetition) is paged.
  std::chrono::milliseconds wait{0};
};

// Steps are paged in order; after the last one the whole list runs again `repeat` more times.
struct EscalationPolicy {
  std::string name;                   // unique
  std::vector<EscalationStep> steps;  // at least one
  int repeat = 0;                     // >= 0
  // Route-tree receivers whose firing alert groups escalate under this policy. Naming them here
  // keeps alertmanager.yml free of sloe keys, so amtool still accepts it.
  std::vector<std::string> attach_to_receivers;
};

struct OncallConfig {
  std::vector<User> users;
  std::vector<Rotation> rotations;
  std::vector<Schedule> schedules;
  std::vector<EscalationPolicy> escalation_policies;

  // nullptr when no such name is defined.
  const User* find_user(std::string_view name) const;
  const Rotation* find_rotation(std::string_view name) const;
  const Schedule* find_schedule(std::string_view name) const;
  const EscalationPolicy* find_policy(std::string_view name) const;

  bool empty() const {
    return users.empty() && rotations.empty() && schedules.empty() && escalation_policies.empty();
  }
};

}  // namespace sloe::oncall

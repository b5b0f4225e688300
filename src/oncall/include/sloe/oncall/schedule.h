// Who is on call: evaluation of rotations and schedules at given instants. Pure functions of the
// configuration and the times passed in; nothing here reads a clock.
//
// Semantics (PagerDuty / GoAlert):
// - A rotation hands off on its zone's wall clock (model.h, Rotation): shifts spanning a DST
//   switch are an hour shorter or longer.
// - A layer has its rotation's current user when the instant's local time (in the rotation's
//   zone) lies in one of its restriction windows, or always when it has none.
// - A schedule has the user of its highest layer that has someone; then overrides active at the
//   instant ([start, end)) apply: replacements in order, then additions. The result may be empty
//   (a gap) or hold several people (additions).
// Names that are not defined (possible only in a hand-built, unvalidated OncallConfig) count as
// nobody rather than failing.
//
// Thread-safety: every function is reentrant; see time_zone.h for the zone database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/oncall/model.h"

namespace sloe::oncall {

// One turn of a rotation.
struct RotationShift {
  std::int64_t index = 0;  // handoff number: 0 for the turn starting at Rotation::start
  std::string user;
  TimePoint start;  // the handoff that began it
  TimePoint end;    // the next handoff
};

// The turn in progress at `at`; nullopt before the first handoff, for a rotation without users,
// or for an unknown time zone.
std::optional<RotationShift> shift_at(const Rotation& rotation, TimePoint at);

// Users on call on the schedule at `at`, without repeats, in order: the layers' user (or
// replacements) first, then additions. Empty when nobody is, or the schedule is unknown.
std::vector<std::string> who(const OncallConfig& config, std::string_view schedule, TimePoint at);

// A span during which the same people are on call; users empty means nobody.
struct Shift {
  TimePoint start;
  TimePoint end;
  std::vector<std::string> users;

  friend bool operator==(const Shift&, const Shift&) = default;
};

// The timeline of [from, to): consecutive spans covering it exactly, gaps included (empty users),
// adjacent spans with the same people merged. The first starts at `from` and the last ends at
// `to`, even when the people's turn began before or lasts beyond. Empty when from >= to.
std::vector<Shift> shifts(const OncallConfig& config, std::string_view schedule, TimePoint from,
                          TimePoint to);

// The spans of [from, to) with nobody on call, clipped to [from, to).
struct Gap {
  TimePoint start;
  TimePoint end;

  friend bool operator==(const Gap&, const Gap&) = default;
};
std::vector<Gap> find_gaps(const OncallConfig& config, std::string_view schedule, TimePoint from,
                           TimePoint to);

// Who is on call now, and until when the same people stay on (nullopt: beyond `horizon`).
struct OnCallNow {
  std::vector<std::string> users;
  std::optional<TimePoint> until;
};
OnCallNow on_call_now(const OncallConfig& config, std::string_view schedule, TimePoint at,
                      Duration horizon = std::chrono::hours(24 * 90));

// The gap warnings `sloe check` prints, one per gap of every schedule in [now, now + horizon):
// "schedule 'primary' has nobody on call from 2026-12-24T17:00:00Z to 2026-12-25T09:00:00Z".
// A gap reaching the end of the horizon reads "... to at least ...".
std::vector<std::string> gap_warnings(const OncallConfig& config, TimePoint now,
                                      Duration horizon = std::chrono::hours(24 * 30));

}  // namespace sloe::oncall

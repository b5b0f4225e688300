#include "sloe/oncall/schedule.h"

#include <algorithm>

#include "sloe/oncall/time_zone.h"
#include "zone.h"

namespace sloe::oncall {
namespace {

using detail::LocalTime;

// A bound on the candidate instants one layer contributes to a timeline, so a hand-built rotation
// with a tiny shift length cannot make shifts() run away. Validated rotations hand off at most
// hourly, which stays far below it for any horizon people look at.
constexpr std::size_t kMaxHandoffsPerLayer = 1'000'000;

// A rotation with its zone looked up and its start on the local time line.
struct ResolvedRotation {
  const Rotation* rotation = nullptr;
  const date::time_zone* zone = nullptr;
  LocalTime start;
  Duration length{0};

  TimePoint handoff(std::int64_t k) const {
    return detail::earliest_instant(*zone, start + k * length);
  }
};

std::optional<ResolvedRotation> resolve(const Rotation& rotation) {
  if (rotation.users.empty() || rotation.shift_length.count() <= 0)
    return std::nullopt;
  const date::time_zone* zone = detail::find_zone(rotation.time_zone);
  if (zone == nullptr)
    return std::nullopt;
  return ResolvedRotation{&rotation, zone, detail::to_local_time(rotation.start),
                          std::chrono::duration_cast<Duration>(rotation.shift_length)};
}

// The largest k with handoff(k) <= at; nullopt before handoff 0. Handoffs never decrease with k
// (the DST rule maps later readings to later-or-equal instants), so the estimate from the local
// clock is corrected by stepping.
std::optional<std::int64_t> shift_index(const ResolvedRotation& r, TimePoint at) {
  if (at < r.handoff(0))
    return std::nullopt;
  std::int64_t k = (detail::local_of(*r.zone, at) - r.start) / r.length;
  k = std::max<std::int64_t>(k, 0);
  while (k > 0 && r.handoff(k) > at)
    --k;
  while (r.handoff(k + 1) <= at)
    ++k;
  return k;
}

const std::string& user_at(const ResolvedRotation& r, std::int64_t k) {
  const auto n = static_cast<std::int64_t>(r.rotation->users.size());
  return r.rotation->users[static_cast<std::size_t>(k % n)];
}

// Offset of a local reading from the Monday 00:00 that starts its week.
Duration position_in_week(LocalTime local) {
  const date::local_days day = date::floor<date::days>(local);
  const unsigned weekday = date::weekday{day}.iso_encoding() - 1;  // Monday = 0
  return date::days(weekday) + (local - day);
}

bool contains(const WeeklyWindow& window, Duration position) {
  if (window.start < window.end)
    return window.start <= position && position < window.end;
  return position >= window.start || position < window.end;
}

bool in_windows(const std::vector<WeeklyWindow>& windows, const date::time_zone& zone,
                TimePoint at) {
  if (windows.empty())
    return true;
  const Duration position = position_in_week(detail::local_of(zone, at));
  return std::any_of(windows.begin(), windows.end(),
                     [&](const WeeklyWindow& w) { return contains(w, position); });
}

std::optional<std::string> layer_user(const OncallConfig& config, const Layer& layer,
                                      TimePoint at) {
  const Rotation* rotation = config.find_rotation(layer.rotation);
  if (rotation == nullptr)
    return std::nullopt;
  const auto resolved = resolve(*rotation);
  if (!resolved)
    return std::nullopt;
  const auto k = shift_index(*resolved, at);
  if (!k || !in_windows(layer.restrictions, *resolved->zone, at))
    return std::nullopt;
  return user_at(*resolved, *k);
}

void add_unique(std::vector<std::string>& users, const std::string& user) {
  if (std::find(users.begin(), users.end(), user) == users.end())
    users.push_back(user);
}

bool active(const Override& o, TimePoint at) {
  return o.start <= at && at < o.end;
}

std::vector<std::string> evaluate(const OncallConfig& config, const Schedule& schedule,
                                  TimePoint at) {
  std::vector<std::string> users;
  for (auto layer = schedule.layers.rbegin(); layer != schedule.layers.rend(); ++layer) {
    if (auto user = layer_user(config, *layer, at)) {
      users.push_back(std::move(*user));
      break;
    }
  }
  for (const Override& o : schedule.overrides) {
    if (o.mode != Override::Mode::kReplace || !active(o, at))
      continue;
    if (o.replaces.empty()) {
      users = {o.user};
      continue;
    }
    std::vector<std::string> replaced;
    for (const std::string& user : users)
      add_unique(replaced, user == o.replaces ? o.user : user);
    users = std::move(replaced);
  }
  for (const Override& o : schedule.overrides) {
    if (o.mode == Override::Mode::kAdd && active(o, at))
      add_unique(users, o.user);
  }
  return users;
}

// Every instant in (from, to) at which what a layer contributes may change: its handoffs, the
// edges of its restriction windows (both occurrences of a repeated reading), and its zone's
// offset changes (a fall-back switch moves the local clock back across window edges).
void add_layer_boundaries(const OncallConfig& config, const Layer& layer, TimePoint from,
                          TimePoint to, std::vector<TimePoint>& out) {
  const Rotation* rotation = config.find_rotation(layer.rotation);
  if (rotation == nullptr)
    return;
  const auto r = resolve(*rotation);
  if (!r)
    return;
  const auto add = [&](TimePoint t) {
    if (from < t && t < to)
      out.push_back(t);
  };
  const auto current = shift_index(*r, from);
  std::int64_t k = current ? *current + 1 : 0;
  for (std::size_t n = 0; n < kMaxHandoffsPerLayer; ++n, ++k) {
    const TimePoint handoff = r->handoff(k);
    if (handoff >= to)
      break;
    add(handoff);
  }
  if (layer.restrictions.empty())
    return;
  const LocalTime local_from = detail::local_of(*r->zone, from);
  const LocalTime local_to = detail::local_of(*r->zone, to);
  const date::local_days first_day = date::floor<date::days>(local_from);
  const date::local_days first_monday =
      first_day - date::days(date::weekday{first_day}.iso_encoding() - 1) - date::days(7);
  for (LocalTime week{first_monday}; week <= local_to + date::days(7); week += date::days(7)) {
    for (const WeeklyWindow& window : layer.restrictions) {
      for (const std::chrono::minutes edge : {window.start, window.end}) {
        add(detail::earliest_instant(*r->zone, week + edge));
        add(detail::latest_instant(*r->zone, week + edge));
      }
    }
  }
  // Compared in seconds: a zone without further transitions ends its last period at the end of
  // time (year 32767), which overflows when converted to nanoseconds.
  const auto from_seconds = date::floor<std::chrono::seconds>(from);
  const auto to_seconds = date::ceil<std::chrono::seconds>(to);
  date::sys_info info = r->zone->get_info(from_seconds);
  while (info.end < to_seconds && info.end > from_seconds) {
    add(info.end);
    info = r->zone->get_info(info.end);
  }
}

std::string format_for(const OncallConfig& config, const Schedule& schedule, TimePoint t) {
  for (const Layer& layer : schedule.layers) {
    if (const Rotation* rotation = config.find_rotation(layer.rotation))
      return format_in_zone(t, rotation->time_zone);
  }
  return format_in_zone(t, "UTC");
}

}  // namespace

std::optional<RotationShift> shift_at(const Rotation& rotation, TimePoint at) {
  const auto r = resolve(rotation);
  if (!r)
    return std::nullopt;
  const auto k = shift_index(*r, at);
  if (!k)
    return std::nullopt;
  return RotationShift{*k, user_at(*r, *k), r->handoff(*k), r->handoff(*k + 1)};
}

std::vector<std::string> who(const OncallConfig& config, std::string_view schedule, TimePoint at) {
  const Schedule* found = config.find_schedule(schedule);
  if (found == nullptr)
    return {};
  return evaluate(config, *found, at);
}

std::vector<Shift> shifts(const OncallConfig& config, std::string_view schedule, TimePoint from,
                          TimePoint to) {
  if (from >= to)
    return {};
  const Schedule* found = config.find_schedule(schedule);
  if (found == nullptr)
    return {Shift{from, to, {}}};
  std::vector<TimePoint> boundaries{from};
  for (const Layer& layer : found->layers)
    add_layer_boundaries(config, layer, from, to, boundaries);
  for (const Override& o : found->overrides) {
    for (const TimePoint t : {o.start, o.end}) {
      if (from < t && t < to)
        boundaries.push_back(t);
    }
  }
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  std::vector<Shift> timeline;
  for (std::size_t i = 0; i < boundaries.size(); ++i) {
    const TimePoint end = i + 1 < boundaries.size() ? boundaries[i + 1] : to;
    std::vector<std::string> users = evaluate(config, *found, boundaries[i]);
    if (!timeline.empty() && timeline.back().users == users) {
      timeline.back().end = end;
      continue;
    }
    timeline.push_back(Shift{boundaries[i], end, std::move(users)});
  }
  return timeline;
}

std::vector<Gap> find_gaps(const OncallConfig& config, std::string_view schedule, TimePoint from,
                           TimePoint to) {
  std::vector<Gap> gaps;
  for (const Shift& shift : shifts(config, schedule, from, to)) {
    if (shift.users.empty())
      gaps.push_back(Gap{shift.start, shift.end});
  }
  return gaps;
}

OnCallNow on_call_now(const OncallConfig& config, std::string_view schedule, TimePoint at,
                      Duration horizon) {
  const std::vector<Shift> timeline = shifts(config, schedule, at, at + horizon);
  if (timeline.empty())
    return {};
  OnCallNow now{timeline.front().users, std::nullopt};
  if (timeline.size() > 1)
    now.until = timeline.front().end;
  return now;
}

std::vector<std::string> gap_warnings(const OncallConfig& config, TimePoint now, Duration horizon) {
  std::vector<std::string> warnings;
  const TimePoint end = now + horizon;
  for (const Schedule& schedule : config.schedules) {
    for (const Gap& gap : find_gaps(config, schedule.name, now, end)) {
      warnings.push_back("schedule '" + schedule.name + "' has nobody on call from " +
                         format_for(config, schedule, gap.start) + " to " +
                         (gap.end == end ? "at least " : "") +
                         format_for(config, schedule, gap.end));
    }
  }
  return warnings;
}

}  // namespace sloe::oncall

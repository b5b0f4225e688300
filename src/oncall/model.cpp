#include "sloe/oncall/model.h"

#include <algorithm>
#include <cassert>

namespace sloe::oncall {
namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  const auto it =
      std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
  return it == items.end() ? nullptr : &*it;
}

// Positions are kept in [0, kWeek): "Sunday 24:00" as a start is Monday 00:00.
std::chrono::minutes wrap(std::chrono::minutes offset) {
  return offset >= kWeek ? offset - kWeek : offset;
}

}  // namespace

std::vector<WeeklyWindow> daily_windows(std::chrono::minutes from, std::chrono::minutes to,
                                        const std::vector<Weekday>& days) {
  assert(from != to && from <= kDay && to <= kDay);
  std::vector<Weekday> every_day{0, 1, 2, 3, 4, 5, 6};
  const std::vector<Weekday>& chosen = days.empty() ? every_day : days;
  std::vector<WeeklyWindow> windows;
  for (const Weekday day : chosen) {
    assert(day < 7);
    const std::chrono::minutes midnight = kDay * static_cast<int>(day);
    const std::chrono::minutes start = midnight + from;
    const std::chrono::minutes end = to > from ? midnight + to : midnight + kDay + to;
    // An end at exactly the end of the week stays kWeek so the window is not empty.
    windows.push_back(WeeklyWindow{wrap(start), end > kWeek ? end - kWeek : end});
  }
  return windows;
}

WeeklyWindow weekly_window(Weekday from_day, std::chrono::minutes from_time, Weekday to_day,
                           std::chrono::minutes to_time) {
  assert(from_day < 7 && to_day < 7 && from_time <= kDay && to_time <= kDay);
  const std::chrono::minutes start = wrap(kDay * static_cast<int>(from_day) + from_time);
  std::chrono::minutes end = kDay * static_cast<int>(to_day) + to_time;
  if (end > kWeek)
    end -= kWeek;
  assert(start != end);
  return WeeklyWindow{start, end};
}

const User* OncallConfig::find_user(std::string_view name) const {
  return find_named(users, name);
}
const Rotation* OncallConfig::find_rotation(std::string_view name) const {
  return find_named(rotations, name);
}
const Schedule* OncallConfig::find_schedule(std::string_view name) const {
  return find_named(schedules, name);
}
const EscalationPolicy* OncallConfig::find_policy(std::string_view name) const {
  return find_named(escalation_policies, name);
}

}  // namespace sloe::oncall

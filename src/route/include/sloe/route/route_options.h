// RouteOptions: what a matched route decides about an alert once routing has picked it — who
// receives it, how alerts are grouped, and when a group may notify. The route tree (route.h)
// computes these with Alertmanager's inheritance; the dispatcher (dispatcher.h) acts on them.
//
// Thread-safety: plain data.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sloe::route {

struct RouteOptions {
  std::string receiver;
  // Labels that split alerts into groups. group_by_all (`group_by: ['...']`) groups by every
  // label, so each distinct label set is its own group; group_by is then ignored.
  std::vector<std::string> group_by;
  bool group_by_all = false;
  // Alertmanager's defaults.
  std::chrono::milliseconds group_wait{std::chrono::seconds(30)};
  std::chrono::milliseconds group_interval{std::chrono::minutes(5)};
  std::chrono::milliseconds repeat_interval{std::chrono::hours(4)};
  // Names of time intervals (time_intervals:) during which notifications are muted / allowed.
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  // The route's key as Alertmanager writes it: the matchers of each route from the root down,
  // e.g. {}/{severity="page"}/{service=~"api|web"}. Part of every group key.
  std::string key;
};

}  // namespace sloe::route

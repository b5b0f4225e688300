// route_bench: routing throughput of a realistic Alertmanager tree.
//
// The tree has 510 routes under the root: 10 teams (team="tN"), each with 10 services matched by
// regex (service=~"sN|sN-canary|sN-(eu|us)"), each with 4 severity routes: an audit route for
// pages that continues (severity="page", continue: true), severity=~"page|critical",
// severity="warning" with env!="dev", and a catch-all for the rest (severity!~"page|critical").
// Alerts carry 6 labels drawn from a vocabulary that also includes teams, services and
// severities no route names, so every depth of the tree and the fall-back to a parent are hit.
//
// Usage: sloe_route_bench [alerts] [runs]     Prints median ns/alert and alerts/s over the runs.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/route/route.h"

namespace {

using Steady = std::chrono::steady_clock;
using sloe::Labels;
using sloe::route::RouteSpec;

constexpr int kTeams = 10;
constexpr int kServices = 10;

std::vector<sloe::alert::Matcher> matchers(const std::string& text) {
  auto parsed = sloe::alert::parse_matchers(text);
  if (!parsed) {
    std::fprintf(stderr, "bad matcher %s: %s\n", text.c_str(), parsed.error().message.c_str());
    std::exit(2);
  }
  return std::move(parsed).value();
}

RouteSpec leaf(const std::string& text, const std::string& receiver, bool cont = false) {
  RouteSpec spec;
  spec.matchers = matchers(text);
  spec.receiver = receiver;
  spec.continue_matching = cont;
  return spec;
}

RouteSpec build_spec(int* route_count) {
  RouteSpec root;
  root.receiver = "default";
  root.group_by = {"alertname", "service"};
  for (int t = 0; t < kTeams; ++t) {
    const std::string team = "t" + std::to_string(t);
    RouteSpec team_route = leaf("team=\"" + team + "\"", team + "-default");
    ++*route_count;
    for (int s = 0; s < kServices; ++s) {
      const std::string service = "s" + std::to_string(t * kServices + s);
      RouteSpec service_route =
          leaf("service=~\"" + service + "|" + service + "-canary|" + service + "-(eu|us)\"",
               team + "-" + service);
      service_route.routes.push_back(leaf("severity=\"page\"", "audit", /*cont=*/true));
      service_route.routes.push_back(
          leaf("severity=~\"page|critical\"", team + "-" + service + "-pager"));
      service_route.routes.push_back(
          leaf("severity=\"warning\", env!=\"dev\"", team + "-" + service + "-chat"));
      service_route.routes.push_back(
          leaf("severity!~\"page|critical\"", team + "-" + service + "-ticket"));
      *route_count += 5;
      team_route.routes.push_back(std::move(service_route));
    }
    root.routes.push_back(std::move(team_route));
  }
  return root;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::vector<Labels> make_alerts(int count) {
  const std::vector<std::string> severities{"page", "critical", "warning", "info", "none"};
  const std::vector<std::string> suffixes{"", "-canary", "-eu", "-us", "-ap"};
  const std::vector<std::string> envs{"prod", "staging", "dev"};
  std::vector<Labels> alerts;
  alerts.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const std::uint64_t r = mix(static_cast<std::uint64_t>(i) + 1);
    const int team = static_cast<int>(r % (kTeams + 2));  // 2 unknown teams
    const int service = team * kServices + static_cast<int>((r >> 8) % kServices);
    alerts.push_back(Labels{
        {"alertname", "HighErrorRate" + std::to_string((r >> 16) % 20)},
        {"team", "t" + std::to_string(team)},
        {"service", "s" + std::to_string(service) + suffixes[(r >> 24) % suffixes.size()]},
        {"severity", severities[(r >> 32) % severities.size()]},
        {"env", envs[(r >> 40) % envs.size()]},
        {"instance", "10.0." + std::to_string((r >> 48) % 256) + ".1:9100"},
    });
  }
  return alerts;
}

}  // namespace

int main(int argc, char** argv) {
  const int alert_count = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (alert_count <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: %s [alerts > 0] [runs > 0]\n", argv[0]);
    return 2;
  }
  int route_count = 0;
  auto tree = sloe::route::RouteTree::build(build_spec(&route_count));
  if (!tree) {
    std::fprintf(stderr, "tree: %s\n", tree.error().message.c_str());
    return 2;
  }
  const std::vector<Labels> alerts = make_alerts(alert_count);

  std::vector<double> ns_per_alert;
  std::size_t matched_routes = 0;
  for (int run = 0; run < runs; ++run) {
    matched_routes = 0;
    const auto start = Steady::now();
    for (const Labels& alert : alerts)
      matched_routes += tree->match(alert).size();
    const double ns = std::chrono::duration<double, std::nano>(Steady::now() - start).count();
    ns_per_alert.push_back(ns / alert_count);
  }
  std::sort(ns_per_alert.begin(), ns_per_alert.end());
  const double median = ns_per_alert[ns_per_alert.size() / 2];
  std::printf("routes: %d, alerts: %d, runs: %d, matched routes per alert: %.2f\n", route_count,
              alert_count, runs, static_cast<double>(matched_routes) / alert_count);
  std::printf("median %.0f ns/alert (min %.0f, max %.0f) = %.0f alerts/s\n", median,
              ns_per_alert.front(), ns_per_alert.back(), 1e9 / median);
  return 0;
}

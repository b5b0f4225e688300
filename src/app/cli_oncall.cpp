#include "sloe/app/cli_oncall.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "sloe/config/oncall_loader.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"
#include "sloe/oncall/schedule.h"
#include "sloe/oncall/time_zone.h"

namespace sloe::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;  // invalid configuration or arguments

struct WhoOptions {
  std::string config_dir = ".";
  std::string schedule;
  std::string at;
};

// Prints every diagnostic; the configuration only when it is valid.
std::optional<oncall::OncallConfig> load_and_report(const std::string& dir, std::ostream& err) {
  config::OncallLoadResult loaded = config::load_oncall(dir);
  for (const config::Diagnostic& diagnostic : loaded.diagnostics)
    err << diagnostic.to_string() << "\n";
  if (!loaded.ok()) {
    err << "on-call configuration in '" << dir << "/alerts' has errors\n";
    return std::nullopt;
  }
  return std::move(loaded.oncall);
}

// The zone a schedule's times are shown in: its first layer's rotation's.
std::string zone_of(const oncall::OncallConfig& config, const oncall::Schedule& schedule) {
  for (const oncall::Layer& layer : schedule.layers) {
    if (const oncall::Rotation* rotation = config.find_rotation(layer.rotation))
      return rotation->time_zone;
  }
  return "UTC";
}

std::string person(const oncall::OncallConfig& config, const std::string& name) {
  const oncall::User* user = config.find_user(name);
  if (user == nullptr || user->display_name.empty() || user->display_name == name)
    return name;
  return name + " (" + user->display_name + ")";
}

int command_who(const WhoOptions& options) {
  TimePoint at = SystemClock().now();
  if (!options.at.empty()) {
    auto parsed = parse_rfc3339(options.at);
    if (!parsed) {
      std::cerr << "error: --at: " << parsed.error().message << "\n";
      return kExitInvalid;
    }
    at = parsed.value();
  }
  const auto config = load_and_report(options.config_dir, std::cerr);
  if (!config)
    return kExitInvalid;
  std::vector<const oncall::Schedule*> schedules;
  if (options.schedule.empty()) {
    for (const oncall::Schedule& schedule : config->schedules)
      schedules.push_back(&schedule);
    if (schedules.empty()) {
      std::cerr << "no schedules are defined under " << options.config_dir
                << "/alerts (see docs/oncall.md)\n";
      return kExitInvalid;
    }
  } else {
    const oncall::Schedule* schedule = config->find_schedule(options.schedule);
    if (schedule == nullptr) {
      std::vector<std::string> names;
      for (const oncall::Schedule& s : config->schedules)
        names.push_back(s.name);
      const std::string suggestion = closest_match(options.schedule, names);
      std::cerr << "error: no schedule named '" << options.schedule << "'"
                << (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") << "\n";
      return kExitInvalid;
    }
    schedules.push_back(schedule);
  }

  struct Row {
    std::string schedule, users, until;
  };
  std::vector<Row> rows{{"SCHEDULE", "ON CALL", "UNTIL"}};
  for (const oncall::Schedule* schedule : schedules) {
    const oncall::OnCallNow now = oncall::on_call_now(*config, schedule->name, at);
    std::string users;
    for (const std::string& user : now.users)
      users += (users.empty() ? "" : ", ") + person(*config, user);
    rows.push_back(
        Row{schedule->name, users.empty() ? "nobody" : users,
            now.until ? oncall::format_in_zone(*now.until, zone_of(*config, *schedule)) : "-"});
  }
  std::size_t schedule_width = 0;
  std::size_t users_width = 0;
  for (const Row& row : rows) {
    schedule_width = std::max(schedule_width, row.schedule.size());
    users_width = std::max(users_width, row.users.size());
  }
  std::cout << "on call at " << format_rfc3339(at) << "\n";
  for (const Row& row : rows) {
    std::cout << row.schedule << std::string(schedule_width - row.schedule.size() + 2, ' ')
              << row.users << std::string(users_width - row.users.size() + 2, ' ') << row.until
              << "\n";
  }
  return kExitOk;
}

}  // namespace

std::function<std::optional<int>()> add_oncall_commands(CLI::App& cli) {
  auto options = std::make_shared<WhoOptions>();
  CLI::App* oncall = cli.add_subcommand("oncall", "On-call schedules: who is on call");
  oncall->require_subcommand(1);
  CLI::App* who = oncall->add_subcommand(
      "who", "Show who is on call now (or --at an instant) and until when, per schedule");
  who->add_option("--config,-c", options->config_dir, "Configuration folder (holds alerts/)")
      ->capture_default_str();
  who->add_option("--schedule,-s", options->schedule, "Only this schedule (default: all)");
  who->add_option("--at", options->at,
                  "RFC 3339 instant, e.g. 2026-12-24T18:00:00Z (default: now)");
  return [options, who]() -> std::optional<int> {
    if (*who)
      return command_who(*options);
    return std::nullopt;
  };
}

void print_gap_warnings(const oncall::OncallConfig& config, TimePoint now, std::ostream& err) {
  for (const std::string& warning : oncall::gap_warnings(config, now))
    err << "warning: " << warning << "\n";
}

}  // namespace sloe::app

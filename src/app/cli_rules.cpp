#include "sloe/app/cli_rules.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "sloe/app/prometheus_rules.h"
#include "sloe/config/loader.h"

namespace sloe::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitFailed = 2;

struct RulesOptions {
  std::string config_dir = ".";
  std::string out;
  std::string external_url;
};

// Writes FILE.tmp, then renames it over FILE, so a reader never sees half a rule file.
bool write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

int command_rules(const RulesOptions& options) {
  config::LoadResult loaded = config::load_config(options.config_dir);
  for (const config::Diagnostic& diagnostic : loaded.diagnostics)
    std::cerr << diagnostic.to_string() << "\n";
  if (!loaded.ok())
    return kExitInvalid;
  PrometheusRulesOptions rules_options;
  rules_options.external_url = options.external_url;
  while (!rules_options.external_url.empty() && rules_options.external_url.back() == '/')
    rules_options.external_url.pop_back();
  const std::string text = prometheus_rules(*loaded.config, rules_options);
  if (options.out.empty()) {
    std::cout << text;
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailed;
  }
  if (!write_file(options.out, text)) {
    std::cerr << "error: cannot write " << options.out << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

std::function<std::optional<int>()> add_rules_command(CLI::App& cli) {
  auto options = std::make_shared<RulesOptions>();
  CLI::App* rules = cli.add_subcommand(
      "rules", "Print Prometheus recording and alerting rules for the configuration's SLOs");
  rules->add_option("--config,-c", options->config_dir, "Configuration folder")
      ->capture_default_str();
  rules->add_option("--out,-o", options->out, "Write the rule file here instead of stdout");
  rules->add_option("--external-url", options->external_url,
                    "How people reach sloe, for the alerts' slo_url annotation");
  return [options, rules]() -> std::optional<int> {
    if (*rules)
      return command_rules(*options);
    return std::nullopt;
  };
}

}  // namespace sloe::app

// `sloe rules`: the Prometheus rule file for the configuration's SLOs (app/prometheus_rules.h).
//
//   sloe rules --config DIR [--out FILE] [--external-url URL]
//     Prints the rule file to stdout, or writes it to FILE (replaced only once complete).
//     --external-url: how people reach sloe, for each alert's slo_url annotation (none without).
//     Exits 1, after printing every diagnostic, when the configuration is invalid; 2 when FILE
//     cannot be written.
//
// CLI11 stays out of this header (CLI::App is only declared). Compiled into the sloe executable.
// Thread-safety: call from the main thread only.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `rules` to cli. Returns the function to call after parsing: the command's exit code when
// it was chosen, nullopt otherwise. REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_rules_command(CLI::App& cli);

}  // namespace sloe::app

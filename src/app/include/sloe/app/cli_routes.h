// `sloe routes test` and `sloe routes show`: the routing tree of the configuration's
// Alertmanager document (alerts/), as `amtool config routes test|show` print it.
//
//   sloe routes test --config DIR [--verify-receivers a,b] [--tree] label=value ...
//     prints the receivers the label set routes to, one per line, in routing order (amtool prints
//     the same names comma-separated on one line). Labels are read as amtool reads them
//     (name=value or name="value"; other operators are refused). With --verify-receivers, exits
//     1 and prints amtool's warning when the receivers differ from the comma-separated list.
//     --tree first prints the matching part of the tree exactly as amtool's --tree does.
//   sloe routes show --config DIR
//     prints the whole tree exactly as amtool 0.25's `config routes show` does.
// Both exit 1, after printing every diagnostic, when the configuration is invalid or has no
// Alertmanager document.
//
// Thread-safety: for main() only.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace sloe::app {

class RoutesCommands {
 public:
  // Adds the `routes` subcommand (with `test` and `show`) to cli.
  explicit RoutesCommands(CLI::App& cli);
  ~RoutesCommands();
  RoutesCommands(const RoutesCommands&) = delete;
  RoutesCommands& operator=(const RoutesCommands&) = delete;

  // After parsing: true if `routes ...` was given.
  bool selected() const;
  // Runs the chosen command; returns the process exit code. REQUIRES: selected().
  int run() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sloe::app

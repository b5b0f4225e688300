// `sloe oncall ...`: on-call commands of the command line, and the on-call part of `sloe check`.
//
// CLI11 stays out of this header (CLI::App is only declared): it is included by main.cpp, which
// owns the command line. Compiled into the sloe executable, not the sloe_app library.
//
// Thread-safety: call from the main thread only (they print to the given streams).
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "sloe/core/clock.h"
#include "sloe/oncall/model.h"

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `oncall` and its subcommands to cli:
//   sloe oncall who --config DIR [--schedule NAME] [--at RFC3339]
// prints, for the named schedule or every schedule, who is on call at the instant (default: now)
// and until when. Returns the function to call after parsing: the command's exit code when an
// oncall command was chosen, nullopt otherwise. REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_oncall_commands(CLI::App& cli);

// The on-call part of `sloe check`: one "warning: schedule 'x' has nobody on call from ... to ..."
// line per gap in [now, now + 30 days) to err.
void print_gap_warnings(const oncall::OncallConfig& config, TimePoint now, std::ostream& err);

}  // namespace sloe::app

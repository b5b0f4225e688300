// `sloe runbook ...`: read runbooks from the configuration, and run them on incidents of a
// running agent.
//
//   sloe runbook list [--config DIR]           the configured runbooks (name, steps, triggers)
//   sloe runbook show NAME [--config DIR]      one runbook as text: applies to, triggers, recovery
//                                              targets, the four sections, the numbered steps
//   sloe runbook runs INCIDENT                 the runs on an incident, every step's state
//   sloe runbook run INCIDENT NAME             start a runbook on an incident by hand
//   sloe runbook approve|reject|tick|skip|retry INCIDENT RUN STEP
//                                              act on one step (STEP: its id or number)
//
// list and show read the configuration folder (default "."; an invalid configuration is reported
// as `sloe check` does). The others talk to the agent: --server URL (also --url; default
// http://127.0.0.1:9465), --json (print the API's JSON), --token-file FILE (else $SLOE_TOKEN as the
// bearer token). Text from the agent (step output, errors) is printed with control characters
// shown as \xNN, so a captured response cannot drive the terminal.
//
// Exit codes: 0 done, 1 the configuration is invalid, the runbook unknown, or the agent refused
// or could not be reached.
// CLI11 stays out of this header; compiled into the sloe executable, not the sloe_app library.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `runbook` and its subcommands to cli. Returns the function to call after parsing: the
// command's exit code when one of them was chosen, nullopt otherwise.
// REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_runbook_commands(CLI::App& cli);

}  // namespace sloe::app

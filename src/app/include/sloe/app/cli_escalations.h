// `sloe escalations ...`: see and acknowledge the pages a running agent is escalating.
//
//   sloe escalations list [--server URL] [--json]
//   sloe escalations ack ID [--by NAME] [--server URL]
//
// Both talk to the agent's HTTP API (GET /api/v1/escalations, POST /api/v1/escalations/{id}/ack).
// CLI11 stays out of this header; compiled into the sloe executable, not the sloe_app library.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `escalations` and its subcommands to cli. Returns the function to call after parsing: the
// command's exit code when one of them was chosen, nullopt otherwise.
// REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_escalation_commands(CLI::App& cli);

}  // namespace sloe::app

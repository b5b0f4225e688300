// `sloe incident ...`: work on incidents in a running agent from a terminal.
//
//   sloe incident list [--state S] [--severity SEV] [--service NAME] [--limit N] [--before CURSOR]
//   sloe incident show ID                      header, timeline, action items
//   sloe incident declare --title T --severity SEV [--service --summary --commander --test]
//   sloe incident ack ID                       triage → investigating
//   sloe incident resolve ID                   → resolved
//   sloe incident note ID TEXT [--pin]
//   sloe incident action add ID --title T --owner NAME [--due DATE --priority P2 --type preventive
//                                                      --ticket URL]
//   sloe incident action list [ID]             one incident's items, or open ones everywhere
//   sloe incident action overdue
//   sloe incident action done ID ACTION_ID
//
// Every command takes --server URL (default http://127.0.0.1:9465), --json (print the API's JSON)
// and --token-file FILE; without a token file the SLOE_TOKEN environment variable, when set, is
// sent as the bearer token. ack, resolve and action done read the record's version first and
// retry once when a concurrent edit makes it stale (409).
//
// Exit codes: 0 done (or nothing to do), 1 the agent refused or could not be reached.
// CLI11 stays out of this header; compiled into the sloe executable, not the sloe_app library.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `incident` and its subcommands to cli. Returns the function to call after parsing: the
// command's exit code when one of them was chosen, nullopt otherwise.
// REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_incident_commands(CLI::App& cli);

}  // namespace sloe::app

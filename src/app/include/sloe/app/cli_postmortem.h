// `sloe postmortem ...`: export an incident's postmortem from a running agent, and write its
// narrative.
//
//   sloe postmortem INCIDENT [--format md|json|html] [--tz ZONE] [--out FILE] [--template FILE]
//       GET /api/v1/incidents/INCIDENT/postmortem. --tz: a second IANA zone beside UTC (default:
//       the agent's postmortem.second_zone). --out: write there instead of standard output.
//       --template: fetch the JSON and render it here with that Mustache template (md or html,
//       as --format says; md by default), e.g. to try a template before installing it in
//       <config>/templates/.
//   sloe postmortem narrative INCIDENT --file FILE.json
//       PUT /api/v1/incidents/INCIDENT/postmortem/narrative with the file's fields (summary,
//       root_cause, contributing_factors, resolution, went_well, went_wrong, got_lucky, links,
//       authors). The version is read from the agent first, and once more when another edit got
//       in between (409), as `sloe incident ack` does; a "version" in the file is ignored.
//
// Both take --server URL (also --url; default http://127.0.0.1:9465) and --token-file FILE;
// without a token file the SLOE_TOKEN environment variable, when set, is the bearer token.
//
// Exit codes: 0 done, 1 the agent refused or could not be reached, or a file could not be read or
// written. CLI11 stays out of this header; compiled into the sloe executable.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `postmortem` (and `postmortem narrative`) to cli. Returns the function to call after
// parsing: the command's exit code when it was chosen, nullopt otherwise.
// REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_postmortem_commands(CLI::App& cli);

}  // namespace sloe::app

#include "sloe/app/cli_incident.h"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_agent_client.h"

namespace sloe::app {
namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kPageSize = 1000;

struct IncidentOptions {
  std::string server = "http://127.0.0.1:9465";
  bool json = false;
  std::string token_file;

  std::int64_t id = 0;
  std::int64_t action_id = 0;

  // list
  std::string state;
  std::string severity;
  std::string service;
  int limit = 50;
  std::string before;

  // declare
  std::string title;
  std::string summary;
  std::string commander;
  bool test = false;

  // note
  std::string text;
  bool pin = false;

  // action add
  std::string owner;
  std::string due;
  std::string priority;
  std::string type;
  std::string ticket;
};

std::string text_of(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_number())
    return value.dump();
  return "-";
}

std::string incident_path(std::int64_t id) {
  return "/api/v1/incidents/" + std::to_string(id);
}

// 2026-12-01 means by the end of that day (UTC); any other text is passed on as RFC 3339.
std::string due_time(const std::string& due) {
  const bool is_date = due.size() == 10 && due[4] == '-' && due[7] == '-';
  return is_date ? due + "T23:59:59.999Z" : due;
}

bool print_json(const AgentReply& reply) {
  std::cout << reply.body.dump(2) << "\n";
  return true;
}

int command_list(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  httplib::Params params;
  for (const auto& [name, value] :
       {std::pair{"state", options.state}, std::pair{"severity", options.severity},
        std::pair{"service", options.service}, std::pair{"before", options.before}}) {
    if (!value.empty())
      params.emplace(name, value);
  }
  params.emplace("limit", std::to_string(options.limit));
  const auto reply = agent.get("/api/v1/incidents", params);
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json)
    return print_json(*reply) ? kExitOk : kExitFailure;
  const json& incidents = reply->body["incidents"];
  if (incidents.empty()) {
    std::cout << "no incidents\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(6) << "ID" << std::setw(6) << "SEV" << std::setw(15)
            << "STATE" << std::setw(16) << "SERVICE" << std::setw(14) << "COMMANDER"
            << std::setw(26) << "DETECTED"
            << "TITLE\n";
  for (const json& incident : incidents) {
    const json& roles = incident["roles"];
    std::cout << std::left << std::setw(6) << text_of(incident["id"]) << std::setw(6)
              << text_of(incident["severity"]) << std::setw(15) << text_of(incident["state"])
              << std::setw(16)
              << (incident.value("service", "").empty() ? "-" : text_of(incident["service"]))
              << std::setw(14) << (roles.contains("commander") ? text_of(roles["commander"]) : "-")
              << std::setw(26) << text_of(incident["times"]["detected"])
              << text_of(incident["title"]) << (incident.value("test", false) ? " [test]" : "")
              << "\n";
  }
  if (reply->body["next"].is_string()) {
    std::cout << "(more: sloe incident list --before " << reply->body["next"].get<std::string>()
              << ")\n";
  }
  return kExitOk;
}

// Every event of an incident's timeline, following the pages.
std::optional<json> whole_timeline(AgentClient& agent, std::int64_t id) {
  json events = json::array();
  std::string after = "0";
  while (true) {
    const auto reply = agent.get(incident_path(id) + "/timeline",
                                 {{"after", after}, {"limit", std::to_string(kPageSize)}});
    if (!reply || !agent.accepted(*reply))
      return std::nullopt;
    for (const json& event : reply->body["events"])
      events.push_back(event);
    if (!reply->body["next"].is_string())
      return events;
    after = reply->body["next"].get<std::string>();
  }
}

void print_action(const json& item) {
  std::cout << "  " << std::left << std::setw(7) << "#" + text_of(item["id"]) << std::setw(10)
            << text_of(item["incident_id"]) << std::setw(13) << text_of(item["status"])
            << std::setw(4) << text_of(item["priority"]) << std::setw(12) << text_of(item["type"])
            << std::setw(12) << (item.value("owner", "").empty() ? "-" : text_of(item["owner"]))
            << std::setw(26) << text_of(item["due"]) << text_of(item["title"])
            << (item.value("overdue", false) ? "  OVERDUE" : "")
            << (item.value("ticket_url", "").empty() ? "" : "  " + text_of(item["ticket_url"]))
            << "\n";
}

void print_action_header() {
  std::cout << "  " << std::left << std::setw(7) << "ID" << std::setw(10) << "INCIDENT"
            << std::setw(13) << "STATUS" << std::setw(4) << "P" << std::setw(12) << "TYPE"
            << std::setw(12) << "OWNER" << std::setw(26) << "DUE"
            << "TITLE\n";
}

void print_field(const std::string& name, const std::string& value) {
  std::cout << "  " << std::left << std::setw(16) << name << value << "\n";
}

int command_show(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto incident_reply = agent.get(incident_path(options.id));
  if (!incident_reply || !agent.accepted(*incident_reply))
    return kExitFailure;
  const auto events = whole_timeline(agent, options.id);
  if (!events)
    return kExitFailure;
  const auto actions = agent.get(incident_path(options.id) + "/actions");
  if (!actions || !agent.accepted(*actions))
    return kExitFailure;
  if (options.json) {
    std::cout << json{{"incident", incident_reply->body},
                      {"events", *events},
                      {"actions", actions->body["actions"]}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  const json& incident = incident_reply->body;
  std::cout << "Incident " << text_of(incident["id"]) << ": " << text_of(incident["title"])
            << (incident.value("test", false) ? " [test]" : "") << "\n";
  print_field("state", text_of(incident["state"]));
  print_field("severity", text_of(incident["severity"]));
  print_field("service",
              incident.value("service", "").empty() ? "-" : text_of(incident["service"]));
  print_field("version", text_of(incident["version"]));
  if (!incident.value("summary", "").empty())
    print_field("summary", text_of(incident["summary"]));
  for (const auto& [role, person] : incident["roles"].items())
    print_field(role, text_of(person));
  for (const char* moment :
       {"impact_started", "detected", "acknowledged", "mitigated", "resolved", "closed"}) {
    const json& at = incident["times"][moment];
    if (!at.is_null())
      print_field(moment, text_of(at));
  }
  std::cout << "Timeline\n";
  for (const json& event : *events) {
    std::string line = text_of(event["text"]);
    if (line == "-" || line.empty()) {
      line.clear();
      for (const auto& [name, value] : event["fields"].items())
        line += (line.empty() ? "" : " ") + name + "=" + text_of(value);
    }
    std::cout << "  " << text_of(event["at"]) << (event.value("pinned", false) ? " * " : "   ")
              << std::left << std::setw(12) << text_of(event["actor"]) << std::setw(20)
              << text_of(event["kind"]) << line << "\n";
  }
  std::cout << "Action items\n";
  if (actions->body["actions"].empty()) {
    std::cout << "  none\n";
  } else {
    print_action_header();
    for (const json& item : actions->body["actions"])
      print_action(item);
  }
  return kExitOk;
}

int command_declare(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  json body = {{"title", options.title}, {"severity", options.severity}, {"test", options.test}};
  for (const auto& [key, value] :
       {std::pair{"service", options.service}, std::pair{"summary", options.summary},
        std::pair{"commander", options.commander}}) {
    if (!value.empty())
      body[key] = value;
  }
  const auto reply = agent.post("/api/v1/incidents", body);
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json)
    return print_json(*reply) ? kExitOk : kExitFailure;
  std::cout << "declared incident " << text_of(reply->body["id"]) << " ("
            << text_of(reply->body["severity"]) << "): " << text_of(reply->body["title"]) << "\n";
  return kExitOk;
}

// Moves the incident to `to` with the version just read; once more when another edit got in
// between (409). `applies` says whether the current state still calls for the change.
int change_state(const IncidentOptions& options, const std::string& to,
                 const std::function<bool(const std::string&)>& applies, const std::string& verb) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto current = agent.get(incident_path(options.id));
    if (!current || !agent.accepted(*current))
      return kExitFailure;
    const std::string state = text_of(current->body["state"]);
    if (!applies(state)) {
      std::cout << "incident " << options.id << " is " << state << "; nothing to " << verb << "\n";
      return kExitOk;
    }
    const auto reply = agent.patch(incident_path(options.id),
                                   {{"version", current->body["version"]}, {"state", to}});
    if (!reply)
      return kExitFailure;
    if (reply->status == 409 && attempt == 0)
      continue;
    if (!agent.accepted(*reply))
      return kExitFailure;
    if (options.json)
      return print_json(*reply) ? kExitOk : kExitFailure;
    std::cout << verb << "d incident " << options.id << ": " << state << " → " << to << " (version "
              << text_of(reply->body["version"]) << ")\n";
    return kExitOk;
  }
  return kExitFailure;
}

int command_ack(const IncidentOptions& options) {
  return change_state(
      options, "investigating", [](const std::string& state) { return state == "triage"; },
      "acknowledge");
}

int command_resolve(const IncidentOptions& options) {
  return change_state(
      options, "resolved",
      [](const std::string& state) { return state != "resolved" && state != "closed"; }, "resolve");
}

int command_note(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto reply = agent.post(incident_path(options.id) + "/timeline",
                                {{"text", options.text}, {"pinned", options.pin}});
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json)
    return print_json(*reply) ? kExitOk : kExitFailure;
  std::cout << "added " << (options.pin ? "pinned " : "") << "note " << text_of(reply->body["id"])
            << " to incident " << options.id << "\n";
  return kExitOk;
}

int command_action_add(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  json body = {{"title", options.title}, {"owner", options.owner}};
  if (!options.due.empty())
    body["due"] = due_time(options.due);
  for (const auto& [key, value] :
       {std::pair{"priority", options.priority}, std::pair{"type", options.type},
        std::pair{"ticket_url", options.ticket}}) {
    if (!value.empty())
      body[key] = value;
  }
  const auto reply = agent.post(incident_path(options.id) + "/actions", body);
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json)
    return print_json(*reply) ? kExitOk : kExitFailure;
  std::cout << "added action item " << text_of(reply->body["id"]) << " to incident " << options.id
            << ": " << text_of(reply->body["title"]) << " (owner " << text_of(reply->body["owner"])
            << ", due " << text_of(reply->body["due"]) << ")\n";
  return kExitOk;
}

void print_actions(const json& items, const std::string& empty) {
  if (items.empty()) {
    std::cout << empty << "\n";
    return;
  }
  print_action_header();
  for (const json& item : items)
    print_action(item);
}

// Open and in-progress action items of every incident.
std::optional<json> open_actions_everywhere(AgentClient& agent) {
  json items = json::array();
  httplib::Params params{{"limit", std::to_string(kPageSize)}};
  while (true) {
    const auto page = agent.get("/api/v1/incidents", params);
    if (!page || !agent.accepted(*page))
      return std::nullopt;
    for (const json& incident : page->body["incidents"]) {
      if (incident.value("id", 0) <= 0)
        continue;
      const auto actions =
          agent.get(incident_path(incident["id"].get<std::int64_t>()) + "/actions");
      if (!actions || !agent.accepted(*actions))
        return std::nullopt;
      for (const json& item : actions->body["actions"]) {
        const std::string status = text_of(item["status"]);
        if (status == "open" || status == "in_progress")
          items.push_back(item);
      }
    }
    if (!page->body["next"].is_string())
      return items;
    params = {{"limit", std::to_string(kPageSize)},
              {"before", page->body["next"].get<std::string>()}};
  }
}

int command_action_list(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  json items;
  if (options.id > 0) {
    const auto reply = agent.get(incident_path(options.id) + "/actions");
    if (!reply || !agent.accepted(*reply))
      return kExitFailure;
    items = reply->body["actions"];
  } else {
    auto open = open_actions_everywhere(agent);
    if (!open)
      return kExitFailure;
    items = std::move(*open);
  }
  if (options.json) {
    std::cout << json{{"actions", items}}.dump(2) << "\n";
    return kExitOk;
  }
  print_actions(items, options.id > 0 ? "no action items" : "no open action items");
  return kExitOk;
}

int command_action_overdue(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto reply = agent.get("/api/v1/actions/overdue");
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json)
    return print_json(*reply) ? kExitOk : kExitFailure;
  print_actions(reply->body["actions"], "no overdue action items");
  return kExitOk;
}

int command_action_done(const IncidentOptions& options) {
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const std::string path = incident_path(options.id) + "/actions";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto list = agent.get(path);
    if (!list || !agent.accepted(*list))
      return kExitFailure;
    const json* item = nullptr;
    for (const json& candidate : list->body["actions"]) {
      if (candidate.value("id", std::int64_t{0}) == options.action_id)
        item = &candidate;
    }
    if (item == nullptr) {
      std::cerr << "error: incident " << options.id << " has no action item " << options.action_id
                << " (see `sloe incident action list " << options.id << "`)\n";
      return kExitFailure;
    }
    if (text_of((*item)["status"]) == "done") {
      std::cout << "action item " << options.action_id << " is already done\n";
      return kExitOk;
    }
    const auto reply = agent.patch(path + "/" + std::to_string(options.action_id),
                                   {{"version", (*item)["version"]}, {"status", "done"}});
    if (!reply)
      return kExitFailure;
    if (reply->status == 409 && attempt == 0)
      continue;
    if (!agent.accepted(*reply))
      return kExitFailure;
    if (options.json)
      return print_json(*reply) ? kExitOk : kExitFailure;
    std::cout << "action item " << options.action_id << " of incident " << options.id
              << " is done\n";
    return kExitOk;
  }
  return kExitFailure;
}

void add_connection_options(CLI::App* command, IncidentOptions& options) {
  command->add_option("--server,-s", options.server, "Agent base URL")->capture_default_str();
  command->add_flag("--json", options.json, "Print the API's JSON instead of text");
  command->add_option("--token-file", options.token_file,
                      "File whose first line is the API token (default: $SLOE_TOKEN)");
}

CLI::Option* add_incident_id(CLI::App* command, IncidentOptions& options) {
  return command->add_option("id", options.id, "Incident id (from `sloe incident list`)")
      ->check(CLI::PositiveNumber);
}

}  // namespace

std::function<std::optional<int>()> add_incident_commands(CLI::App& cli) {
  auto options = std::make_shared<IncidentOptions>();
  IncidentOptions& o = *options;
  CLI::App* incident =
      cli.add_subcommand("incident", "List, declare and work on incidents in a running agent");
  incident->require_subcommand(1);

  CLI::App* list = incident->add_subcommand("list", "Incidents, newest first");
  list->add_option("--state", o.state, "triage, investigating, identified, monitoring, ...");
  list->add_option("--severity", o.severity, "SEV1..SEV4");
  list->add_option("--service", o.service, "Only this service's incidents");
  list->add_option("--limit", o.limit, "At most this many (1..1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  list->add_option("--before", o.before, "The cursor printed after a full page");

  CLI::App* show = incident->add_subcommand("show", "One incident: header, timeline, action items");
  add_incident_id(show, o)->required();

  CLI::App* declare = incident->add_subcommand("declare", "Declare an incident");
  declare->add_option("--title", o.title, "What is wrong, in a few words")->required();
  declare->add_option("--severity", o.severity, "SEV1 (worst) .. SEV4")->required();
  declare->add_option("--service", o.service, "The affected service");
  declare->add_option("--summary", o.summary, "What is known so far");
  declare->add_option("--commander", o.commander, "Incident commander, assigned at once");
  declare->add_flag("--test", o.test, "A drill: kept out of the response-time metrics");

  CLI::App* ack = incident->add_subcommand("ack", "Acknowledge: triage → investigating");
  add_incident_id(ack, o)->required();
  CLI::App* resolve = incident->add_subcommand("resolve", "Mark the incident resolved");
  add_incident_id(resolve, o)->required();

  CLI::App* note = incident->add_subcommand("note", "Add a note to the timeline");
  add_incident_id(note, o)->required();
  note->add_option("text", o.text, "The note")->required();
  note->add_flag("--pin", o.pin, "Pin it as a key moment");

  CLI::App* action = incident->add_subcommand("action", "Action items (follow-up work)");
  action->require_subcommand(1);
  CLI::App* action_add = action->add_subcommand("add", "Add an action item to an incident");
  add_incident_id(action_add, o)->required();
  action_add->add_option("--title", o.title, "The work to do")->required();
  action_add->add_option("--owner", o.owner, "Who does it")->required();
  action_add->add_option("--due", o.due, "2026-12-01 (end of that day, UTC) or an RFC 3339 time");
  action_add->add_option("--priority", o.priority, "P1..P4 (default P3)");
  action_add->add_option("--type", o.type, "detective, preventive or corrective (default)");
  action_add->add_option("--ticket", o.ticket, "Link to the tracker's ticket");
  CLI::App* action_list =
      action->add_subcommand("list", "An incident's action items, or every open one");
  add_incident_id(action_list, o);
  CLI::App* action_overdue =
      action->add_subcommand("overdue", "Action items past due, across incidents");
  CLI::App* action_done = action->add_subcommand("done", "Mark an action item done");
  add_incident_id(action_done, o)->required();
  action_done->add_option("action_id", o.action_id, "Action item id")
      ->check(CLI::PositiveNumber)
      ->required();

  for (CLI::App* command : {list, show, declare, ack, resolve, note, action_add, action_list,
                            action_overdue, action_done}) {
    add_connection_options(command, o);
  }

  const std::vector<std::pair<CLI::App*, int (*)(const IncidentOptions&)>> commands{
      {list, command_list},
      {show, command_show},
      {declare, command_declare},
      {ack, command_ack},
      {resolve, command_resolve},
      {note, command_note},
      {action_add, command_action_add},
      {action_list, command_action_list},
      {action_overdue, command_action_overdue},
      {action_done, command_action_done},
  };
  return [options, commands]() -> std::optional<int> {
    for (const auto& [command, run] : commands) {
      if (*command)
        return run(*options);
    }
    return std::nullopt;
  };
}

}  // namespace sloe::app

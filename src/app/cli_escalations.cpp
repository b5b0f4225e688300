#include "sloe/app/cli_escalations.h"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace sloe::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

struct EscalationOptions {
  std::string server = "http://127.0.0.1:9465";
  bool json = false;
  std::string id;
  std::string by;
};

std::unique_ptr<httplib::Client> client_for(const std::string& server) {
  auto client = std::make_unique<httplib::Client>(server);
  client->set_connection_timeout(std::chrono::seconds(3));
  client->set_read_timeout(std::chrono::seconds(10));
  if (const char* token = std::getenv("SLOE_TOKEN"); token != nullptr && *token != '\0')
    client->set_bearer_token_auth(token);
  return client;
}

// Prints why a request failed; true when the response is a 2xx.
bool answered_ok(const httplib::Result& response, const std::string& server) {
  if (!response) {
    std::cerr << "error: cannot reach sloe at " << server << ": "
              << httplib::to_string(response.error()) << " (is `sloe run` running? see --server)\n";
    return false;
  }
  if (response->status / 100 != 2) {
    const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
    std::string message = response->body;
    if (body.is_object() && body.contains("error") && body["error"].is_object())
      message = body["error"].value("message", response->body);
    std::cerr << "error: " << server << " answered " << response->status << ": " << message << "\n";
    return false;
  }
  return true;
}

std::string text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : "-";
}

int command_list(const EscalationOptions& options) {
  const auto client = client_for(options.server);
  const auto response = client->Get("/api/v1/escalations");
  if (!answered_ok(response, options.server))
    return kExitFailure;
  if (options.json) {
    std::cout << response->body << "\n";
    return kExitOk;
  }
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body.contains("escalations") || !body["escalations"].is_array()) {
    std::cerr << "error: unexpected answer from " << options.server << "\n";
    return kExitFailure;
  }
  if (body["escalations"].empty()) {
    std::cout << "no escalations\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(18) << "ID" << std::setw(14) << "STATE" << std::setw(16)
            << "POLICY" << std::setw(22) << "STARTED" << std::setw(22) << "NEXT STEP"
            << std::setw(14) << "ACKED BY"
            << "GROUP\n";
  for (const nlohmann::json& e : body["escalations"]) {
    std::cout << std::left << std::setw(18) << text(e["id"]) << std::setw(14) << text(e["state"])
              << std::setw(16) << text(e["policy"]) << std::setw(22) << text(e["started_at"])
              << std::setw(22) << text(e["next_step_at"]) << std::setw(14)
              << (text(e["acknowledged_by"]).empty() ? "-" : text(e["acknowledged_by"]))
              << text(e["group_key"]) << "\n";
  }
  return kExitOk;
}

int command_ack(const EscalationOptions& options) {
  const auto client = client_for(options.server);
  const std::string by = options.by.empty() ? "cli" : options.by;
  const auto response = client->Post("/api/v1/escalations/" + options.id + "/ack",
                                     nlohmann::json{{"by", by}}.dump(), "application/json");
  if (!answered_ok(response, options.server))
    return kExitFailure;
  std::cout << "acknowledged escalation " << options.id << " as " << by << "\n";
  return kExitOk;
}

}  // namespace

std::function<std::optional<int>()> add_escalation_commands(CLI::App& cli) {
  auto options = std::make_shared<EscalationOptions>();
  CLI::App* escalations =
      cli.add_subcommand("escalations", "List or acknowledge the pages a running agent escalates");
  escalations->require_subcommand(1);
  CLI::App* list = escalations->add_subcommand("list", "Every escalation, newest first");
  list->add_option("--server,-s", options->server, "Agent base URL")->capture_default_str();
  list->add_flag("--json", options->json, "Print the API's JSON instead of a table");
  CLI::App* ack = escalations->add_subcommand(
      "ack", "Acknowledge an escalation: its remaining steps are not paged");
  ack->add_option("id", options->id, "Escalation id (16 hex digits, from `list`)")->required();
  ack->add_option("--by", options->by, "Who acknowledges (default: cli)");
  ack->add_option("--server,-s", options->server, "Agent base URL")->capture_default_str();
  return [options, list, ack]() -> std::optional<int> {
    if (*list)
      return command_list(*options);
    if (*ack)
      return command_ack(*options);
    return std::nullopt;
  };
}

}  // namespace sloe::app

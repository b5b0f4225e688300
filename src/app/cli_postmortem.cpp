#include "sloe/app/cli_postmortem.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_agent_client.h"
#include "sloe/app/postmortem_render.h"

namespace sloe::app {
namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

struct PostmortemOptions {
  std::string server = "http://127.0.0.1:9465";
  std::string token_file;
  std::int64_t id = 0;
  std::string format = "md";
  std::string zone;
  bool zone_given = false;
  std::string out;
  std::string template_file;
  std::string narrative_file;
};

std::optional<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << what << " " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string postmortem_path(std::int64_t id) {
  return "/api/v1/incidents/" + std::to_string(id) + "/postmortem";
}

bool write_output(const PostmortemOptions& options, const std::string& text) {
  if (options.out.empty()) {
    std::cout << text;
    if (!text.empty() && text.back() != '\n')
      std::cout << "\n";
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(options.out, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "error: cannot write " << options.out << "\n";
    return false;
  }
  std::cerr << "wrote the postmortem of incident " << options.id << " to " << options.out << "\n";
  return true;
}

int command_export(const PostmortemOptions& options) {
  std::optional<std::string> template_text;
  if (!options.template_file.empty()) {
    if (options.format == "json") {
      std::cerr << "error: --template renders Markdown or HTML; use --format md or html\n";
      return kExitFailure;
    }
    template_text = read_file(options.template_file, "the template");
    if (!template_text)
      return kExitFailure;
  }
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  httplib::Params params{{"format", template_text ? "json" : options.format}};
  if (options.zone_given)
    params.emplace("tz", options.zone);
  const auto response = agent.get(postmortem_path(options.id), params);
  if (!response || !agent.accepted(*response))
    return kExitFailure;
  if (!template_text)
    return write_output(options, response->text) ? kExitOk : kExitFailure;
  const PostmortemFormat format =
      options.format == "html" ? PostmortemFormat::kHtml : PostmortemFormat::kMarkdown;
  auto rendered = render_postmortem(*template_text, response->text, format, options.template_file);
  if (!rendered) {
    std::cerr << "error: " << rendered.error().message << "\n";
    return kExitFailure;
  }
  return write_output(options, *rendered) ? kExitOk : kExitFailure;
}

int command_narrative(const PostmortemOptions& options) {
  const auto text = read_file(options.narrative_file, "the narrative file");
  if (!text)
    return kExitFailure;
  json narrative = json::parse(*text, nullptr, false);
  if (narrative.is_discarded() || !narrative.is_object()) {
    std::cerr << "error: " << options.narrative_file
              << " must hold a JSON object such as {\"root_cause\": \"...\", \"went_well\": "
                 "[\"...\"]}\n";
    return kExitFailure;
  }
  AgentClient agent(options.server);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const std::string path = postmortem_path(options.id) + "/narrative";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto current = agent.get(path);
    if (!current || !agent.accepted(*current))
      return kExitFailure;
    const json& read = current->body;
    if (!read.is_object() || !read.contains("version")) {
      std::cerr << "error: the agent's narrative answer has no version\n";
      return kExitFailure;
    }
    narrative["version"] = read["version"];
    const auto reply = agent.put(path, narrative);
    if (!reply)
      return kExitFailure;
    if (reply->status == 409 && attempt == 0)
      continue;
    if (!agent.accepted(*reply))
      return kExitFailure;
    const json& stored = reply->body;
    std::cout << "stored the postmortem narrative of incident " << options.id << " (version "
              << (stored.is_object() ? stored.value("version", json()).dump() : "?") << ")\n";
    return kExitOk;
  }
  return kExitFailure;
}

}  // namespace

std::function<std::optional<int>()> add_postmortem_commands(CLI::App& cli) {
  auto options = std::make_shared<PostmortemOptions>();
  PostmortemOptions& o = *options;
  CLI::App* postmortem = cli.add_subcommand(
      "postmortem", "Export an incident's postmortem (md, json, html) or write its narrative");
  const auto add_connection = [&o](CLI::App* command) {
    command->add_option("--server,--url,-s", o.server, "Agent base URL")->capture_default_str();
    command->add_option("--token-file", o.token_file,
                        "File whose first line is the API token (default: $SLOE_TOKEN)");
  };
  CLI::Option* id =
      postmortem->add_option("incident", o.id, "Incident id")->check(CLI::PositiveNumber);
  postmortem->add_option("--format,-f", o.format, "md, json or html")
      ->check(CLI::IsMember({"md", "json", "html"}))
      ->capture_default_str();
  CLI::Option* zone = postmortem->add_option(
      "--tz", o.zone, "Second time zone beside UTC (IANA name; \"\" for UTC only)");
  postmortem->add_option("--out,-o", o.out, "Write to this file instead of standard output");
  postmortem->add_option("--template", o.template_file,
                         "Render the JSON here with this Mustache template");
  add_connection(postmortem);

  CLI::App* narrative = postmortem->add_subcommand(
      "narrative", "Write the narrative (root cause, what went well, ...) from a JSON file");
  narrative->add_option("incident", o.id, "Incident id")->check(CLI::PositiveNumber)->required();
  narrative->add_option("--file", o.narrative_file, "JSON object with the narrative's fields")
      ->required();
  add_connection(narrative);

  return [options, postmortem, narrative, id, zone]() -> std::optional<int> {
    if (!*postmortem)
      return std::nullopt;
    if (*narrative)
      return command_narrative(*options);
    if (id->count() == 0) {
      std::cerr << "error: sloe postmortem needs an incident id (sloe postmortem INCIDENT)\n";
      return kExitFailure;
    }
    options->zone_given = zone->count() > 0;
    return command_export(*options);
  };
}

}  // namespace sloe::app

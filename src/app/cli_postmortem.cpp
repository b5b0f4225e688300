#include "sloe/app/cli_postmortem.h"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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

// The bearer token from --token-file, else $SLOE_TOKEN ("" for none); nullopt after saying why
// when the named file cannot be read or is empty.
std::optional<std::string> bearer_token(const std::string& token_file) {
  if (token_file.empty()) {
    const char* from_env = std::getenv("SLOE_TOKEN");
    return std::string(from_env == nullptr ? "" : from_env);
  }
  std::ifstream in(token_file);
  if (!in) {
    std::cerr << "error: cannot read the token file " << token_file << "\n";
    return std::nullopt;
  }
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty()) {
    std::cerr << "error: the token file " << token_file << " is empty\n";
    return std::nullopt;
  }
  return token;
}

class AgentClient {
 public:
  explicit AgentClient(const std::string& server) : server_(server), client_(server) {
    client_.set_connection_timeout(std::chrono::seconds(3));
    client_.set_read_timeout(std::chrono::seconds(30));
  }

  bool authenticate(const std::string& token_file) {
    const auto token = bearer_token(token_file);
    if (!token)
      return false;
    if (!token->empty())
      client_.set_default_headers({{"Authorization", "Bearer " + *token}});
    return true;
  }

  // nullptr-like empty optional (after saying why) when the agent cannot be reached.
  std::optional<httplib::Response> get(const std::string& path, const httplib::Params& params) {
    return answer(client_.Get(httplib::append_query_params(path, params)));
  }
  std::optional<httplib::Response> put(const std::string& path, const json& body) {
    return answer(client_.Put(path, body.dump(), "application/json"));
  }

  // Says why an answer is not a 2xx; true when it is.
  bool accepted(const httplib::Response& response) const {
    if (response.status / 100 == 2)
      return true;
    std::string message = "(no message)";
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
      const json& error = body["error"];
      message = error.value("message", message);
      if (error.contains("field") && error["field"].is_string() &&
          !error["field"].get<std::string>().empty()) {
        message = error["field"].get<std::string>() + ": " + message;
      }
    }
    std::cerr << "error: " << server_ << " answered " << response.status << ": " << message << "\n";
    return false;
  }

 private:
  std::optional<httplib::Response> answer(const httplib::Result& result) const {
    if (!result) {
      std::cerr << "error: cannot reach sloe at " << server_ << ": "
                << httplib::to_string(result.error()) << " (is `sloe run` running? see --server)\n";
      return std::nullopt;
    }
    return *result;
  }

  std::string server_;
  httplib::Client client_;
};

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
    return write_output(options, response->body) ? kExitOk : kExitFailure;
  const PostmortemFormat format =
      options.format == "html" ? PostmortemFormat::kHtml : PostmortemFormat::kMarkdown;
  auto rendered = render_postmortem(*template_text, response->body, format, options.template_file);
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
    const auto current = agent.get(path, {});
    if (!current || !agent.accepted(*current))
      return kExitFailure;
    const json read = json::parse(current->body, nullptr, false);
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
    const json stored = json::parse(reply->body, nullptr, false);
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

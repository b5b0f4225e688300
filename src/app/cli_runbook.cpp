#include "sloe/app/cli_runbook.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "cli_agent_client.h"
#include "sloe/config/loader.h"
#include "sloe/core/duration.h"

namespace sloe::app {
namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr std::size_t kOutputPreview = 120;

struct RunbookOptions {
  std::string config_dir = ".";
  std::string server = "http://127.0.0.1:9465";
  bool json = false;
  std::string token_file;

  std::string name;
  std::int64_t incident = 0;
  std::int64_t run = 0;
  std::string step;
};

// ---- text ----

// Text as the terminal should show it: control characters (C0 but newline and tab, DEL, and
// UTF-8-encoded C1) become \xNN, so text from a file or a captured response cannot move the
// cursor, change colours or set the window title.
std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto escaped = [](unsigned char byte) {
    return std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xF];
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) {
      out += escaped(byte);
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += escaped(static_cast<unsigned char>(text[i + 1]));
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string one_line(std::string_view text, std::size_t limit) {
  std::string line(text.substr(0, text.find('\n')));
  const bool cut = line.size() < text.size() || line.size() > limit;
  if (line.size() > limit)
    line.resize(limit);
  return printable(line) + (cut ? " …" : "");
}

std::string indented(std::string_view text, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view line = text.substr(start, end - start);
    out += line.empty() ? "\n" : prefix + printable(line) + "\n";
    start = end + 1;
  }
  return out;
}

std::string trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return "";
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts)
    out += (out.empty() ? "" : separator) + part;
  return out;
}

std::string duration_text(Duration d) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

std::string shell_word(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos)
    return arg;
  std::string quoted = "'";
  for (const char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// ---- the configuration's runbooks ----

// Every diagnostic printed; the configuration only when it is valid.
std::optional<config::Config> load(const std::string& dir) {
  config::LoadResult loaded = config::load_config(dir);
  for (const config::Diagnostic& diagnostic : loaded.diagnostics)
    std::cerr << diagnostic.to_string() << "\n";
  if (!loaded.ok()) {
    std::cerr << "error: the configuration in '" << dir
              << "' is invalid (see above; `sloe check --config " << dir << "`)\n";
    return std::nullopt;
  }
  return std::move(loaded.config);
}

std::string triggers_text(const std::vector<runbook::Trigger>& triggers) {
  std::vector<std::string> words;
  for (const runbook::Trigger trigger : triggers) {
    if (trigger == runbook::Trigger::kOpen)
      words.emplace_back("on open");
    if (trigger == runbook::Trigger::kSeverityChange)
      words.emplace_back("on severity change");
  }
  words.emplace_back("by hand");
  return joined(words, ", ");
}

std::vector<std::string> applies_to_lines(const runbook::AppliesTo& applies_to) {
  if (applies_to.empty())
    return {"nothing automatically (started by hand, or linked from an SLO)"};
  std::vector<std::string> lines;
  if (!applies_to.matchers.empty()) {
    std::vector<std::string> matchers;
    for (const alert::Matcher& matcher : applies_to.matchers)
      matchers.push_back(matcher.to_string());
    lines.push_back("alerts matching " + joined(matchers, ", "));
  }
  if (!applies_to.services.empty())
    lines.push_back("service " + joined(applies_to.services, " or "));
  if (!applies_to.severities.empty()) {
    std::vector<std::string> severities;
    for (const incident::Severity severity : applies_to.severities)
      severities.emplace_back(incident::to_string(severity));
    lines.push_back("severity " + joined(severities, " or "));
  }
  return lines;
}

std::string recovery_text(const runbook::RecoveryTargets& recovery) {
  std::vector<std::string> parts;
  if (recovery.rpo)
    parts.push_back("RPO " + duration_text(*recovery.rpo));
  if (recovery.rto)
    parts.push_back("RTO " + duration_text(*recovery.rto));
  return parts.empty() ? "none stated" : joined(parts, ", ");
}

std::string expected_text(const runbook::HttpStep& http) {
  if (http.expect_status.empty())
    return "200-299";
  std::vector<std::string> parts;
  for (const auto& [low, high] : http.expect_status)
    parts.push_back(low == high ? std::to_string(low)
                                : std::to_string(low) + "-" + std::to_string(high));
  return joined(parts, ", ");
}

// What the step does, in one line (http headers by name only: their values may be secrets).
std::string step_detail(const runbook::Step& step) {
  return std::visit(
      [](const auto& action) -> std::string {
        using Action = std::decay_t<decltype(action)>;
        if constexpr (std::is_same_v<Action, runbook::ManualStep>) {
          return "a responder does this and ticks it off";
        } else if constexpr (std::is_same_v<Action, runbook::HttpStep>) {
          std::string text =
              action.method + " " + action.url + ", expects " + expected_text(action);
          if (!action.headers.empty()) {
            std::vector<std::string> names;
            for (const runbook::HttpHeaderSpec& header : action.headers)
              names.push_back(header.name);
            text += ", headers " + joined(names, ", ");
          }
          return text + ", timeout " + duration_text(action.timeout);
        } else if constexpr (std::is_same_v<Action, runbook::CommandStep>) {
          std::string text = shell_word(action.program);
          for (const std::string& arg : action.args)
            text += " " + shell_word(arg);
          return text + " (no shell, timeout " + duration_text(action.timeout) + ")";
        } else if constexpr (std::is_same_v<Action, runbook::NotifyStep>) {
          return "notify " + action.receiver +
                 (action.message.empty() ? "" : ": " + action.message);
        } else {
          return "needs approval" + (action.prompt.empty() ? "" : ": " + action.prompt) +
                 " (expires after " + duration_text(action.expires_after) + ")";
        }
      },
      step.action);
}

void print_runbook(const runbook::Runbook& book) {
  std::cout << printable(book.title.empty() ? book.name : book.title) << "\n"
            << "  runbook   " << printable(book.name)
            << (book.file.empty() ? "" : " (" + printable(book.file) + ")") << "\n";
  const std::vector<std::string> applies = applies_to_lines(book.applies_to);
  for (std::size_t i = 0; i < applies.size(); ++i)
    std::cout << (i == 0 ? "  applies   " : "            ") << printable(applies[i]) << "\n";
  std::cout << "  starts    " << triggers_text(book.triggers) << "\n"
            << "  recovery  " << recovery_text(book.recovery) << "\n";

  const bool no_sections =
      trimmed(book.meaning + book.impact + book.diagnosis + book.mitigation).empty();
  if (no_sections && !trimmed(book.body).empty()) {
    std::cout << "\n" << indented(trimmed(book.body), "  ");
  } else {
    for (const auto& [heading, text] :
         {std::pair{"Meaning", &book.meaning}, std::pair{"Impact", &book.impact},
          std::pair{"Diagnosis", &book.diagnosis}, std::pair{"Mitigation", &book.mitigation}}) {
      const std::string body = trimmed(*text);
      std::cout << "\n"
                << heading << "\n"
                << (body.empty() ? "  (not written)\n" : indented(body, "  "));
    }
  }
  std::cout << "\nSteps\n";
  if (book.steps.empty())
    std::cout << "  (none: follow the sections above)\n";
  for (std::size_t i = 0; i < book.steps.size(); ++i) {
    const runbook::Step& step = book.steps[i];
    const std::string number = std::to_string(i + 1) + ". ";
    std::cout << "  " << std::setw(4) << std::right << number << std::left
              << printable(step.title.empty() ? step.id : step.title) << "  ["
              << runbook::to_string(step.kind()) << ", id " << printable(step.id) << "]\n"
              << "        " << printable(step_detail(step)) << "\n";
    if (!trimmed(step.description).empty())
      std::cout << indented(trimmed(step.description), "        ");
  }
}

int command_list(const RunbookOptions& options) {
  const auto loaded = load(options.config_dir);
  if (!loaded)
    return kExitFailure;
  if (loaded->runbooks.empty()) {
    std::cout << "no runbooks in " << options.config_dir << "/runbooks\n";
    return kExitOk;
  }
  std::size_t name_width = 4;
  std::size_t starts_width = 6;
  for (const runbook::Runbook& book : loaded->runbooks) {
    name_width = std::max(name_width, printable(book.name).size());
    starts_width = std::max(starts_width, triggers_text(book.triggers).size());
  }
  const auto row = [&](const std::string& name, const std::string& steps, const std::string& starts,
                       const std::string& title) {
    std::cout << std::left << std::setw(static_cast<int>(name_width + 2)) << name << std::setw(7)
              << steps << std::setw(static_cast<int>(starts_width + 2)) << starts << title << "\n";
  };
  row("NAME", "STEPS", "STARTS", "TITLE");
  for (const runbook::Runbook& book : loaded->runbooks) {
    row(printable(book.name), std::to_string(book.steps.size()), triggers_text(book.triggers),
        printable(book.title));
  }
  return kExitOk;
}

int command_show(const RunbookOptions& options) {
  const auto loaded = load(options.config_dir);
  if (!loaded)
    return kExitFailure;
  for (const runbook::Runbook& book : loaded->runbooks) {
    if (book.name == options.name) {
      print_runbook(book);
      return kExitOk;
    }
  }
  std::vector<std::string> names;
  for (const runbook::Runbook& book : loaded->runbooks)
    names.push_back(book.name);
  std::cerr << "error: no runbook named '" << printable(options.name) << "' in "
            << options.config_dir << "/runbooks"
            << (names.empty() ? "" : " (there are: " + joined(names, ", ") + ")") << "\n";
  return kExitFailure;
}

// ---- the agent ----

std::string text_of(const json& value) {
  if (value.is_string())
    return printable(value.get<std::string>());
  if (value.is_number())
    return value.dump();
  return "-";
}

// A path segment: what is not unreserved is percent-encoded.
std::string path_segment(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::string runs_path(std::int64_t incident) {
  return "/api/v1/incidents/" + std::to_string(incident) + "/runbooks";
}

// Step titles by runbook name, fetched once each; empty when the agent does not know the runbook.
class StepTitles {
 public:
  explicit StepTitles(AgentClient& agent) : agent_(agent) {}
  std::string title(const std::string& runbook, std::size_t index) {
    auto found = titles_.find(runbook);
    if (found == titles_.end()) {
      std::vector<std::string> titles;
      const auto reply = agent_.get("/api/v1/runbooks/" + path_segment(runbook));
      if (reply && reply->ok() && reply->body.is_object() && reply->body["steps"].is_array()) {
        for (const json& step : reply->body["steps"])
          titles.push_back(text_of(step.value("title", json())) + "  [" +
                           text_of(step.value("kind", json())) + "]");
      }
      found = titles_.emplace(runbook, std::move(titles)).first;
    }
    return index < found->second.size() ? found->second[index] : "";
  }

 private:
  AgentClient& agent_;
  std::map<std::string, std::vector<std::string>> titles_;
};

void print_run(const json& run, StepTitles& titles) {
  const std::string runbook = run.value("runbook", "");
  std::cout << "Run " << text_of(run["id"]) << ": " << printable(runbook) << " — "
            << text_of(run["state"]) << " (" << text_of(run["trigger"]) << ", started by "
            << text_of(run["started_by"]) << " at " << text_of(run["created_at"]) << ", version "
            << text_of(run["version"]) << ")\n";
  if (!run["steps"].is_array())
    return;
  std::size_t index = 0;
  for (const json& step : run["steps"]) {
    const std::string title = titles.title(runbook, index++);
    std::cout << "  " << std::right << std::setw(2) << text_of(step["index"]) << ". " << std::left
              << std::setw(20) << text_of(step["id"]) << std::setw(18) << text_of(step["state"])
              << title << "\n";
    std::vector<std::string> details;
    if (step.value("attempts", 0) > 0)
      details.push_back("attempts " + text_of(step["attempts"]));
    if (!step.value("actor", "").empty())
      details.push_back("by " + text_of(step["actor"]));
    if (step["finished_at"].is_string()) {
      details.push_back("finished " + text_of(step["finished_at"]));
    } else if (step["started_at"].is_string()) {
      details.push_back("started " + text_of(step["started_at"]));
    }
    if (step["expires_at"].is_string() && text_of(step["state"]) == "waiting_approval")
      details.push_back("expires " + text_of(step["expires_at"]));
    if (step.value("status_code", 0) != 0)
      details.push_back("status " + text_of(step["status_code"]));
    if (!details.empty())
      std::cout << "        " << joined(details, ", ") << "\n";
    if (!step.value("error", "").empty())
      std::cout << "        error: " << one_line(step["error"].get<std::string>(), kOutputPreview)
                << "\n";
    if (!step.value("output", "").empty())
      std::cout << "        output: " << one_line(step["output"].get<std::string>(), kOutputPreview)
                << "\n";
  }
}

int command_runs(const RunbookOptions& options) {
  AgentClient agent(options.server, printable);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto reply = agent.get(runs_path(options.incident));
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json) {
    std::cout << reply->body.dump(2) << "\n";
    return kExitOk;
  }
  const json& runs = reply->body["runs"];
  if (!runs.is_array() || runs.empty()) {
    std::cout << "no runbook runs on incident " << options.incident
              << " (start one: sloe runbook run " << options.incident << " NAME)\n";
    return kExitOk;
  }
  StepTitles titles(agent);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0)
      std::cout << "\n";
    print_run(runs[i], titles);
  }
  return kExitOk;
}

int command_start(const RunbookOptions& options) {
  AgentClient agent(options.server, printable);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto reply = agent.post(runs_path(options.incident), json{{"runbook", options.name}});
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json) {
    std::cout << reply->body.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "started runbook " << printable(options.name) << " on incident " << options.incident
            << " as run " << text_of(reply->body["id"]) << "\n";
  StepTitles titles(agent);
  print_run(reply->body, titles);
  return kExitOk;
}

int command_act(const RunbookOptions& options, const std::string& action, const std::string& done) {
  AgentClient agent(options.server, printable);
  if (!agent.authenticate(options.token_file))
    return kExitFailure;
  const auto reply =
      agent.post_without_body(runs_path(options.incident) + "/" + std::to_string(options.run) +
                              "/steps/" + path_segment(options.step) + "/" + action);
  if (!reply || !agent.accepted(*reply))
    return kExitFailure;
  if (options.json) {
    std::cout << reply->body.dump(2) << "\n";
    return kExitOk;
  }
  std::string state = "-";
  for (const json& step : reply->body["steps"]) {
    if (text_of(step["id"]) == options.step || text_of(step["index"]) == options.step)
      state = text_of(step["state"]);
  }
  std::cout << done << " step " << printable(options.step) << " of run " << options.run
            << " on incident " << options.incident << ": it is " << state << ", the run "
            << text_of(reply->body["state"]) << "\n";
  StepTitles titles(agent);
  print_run(reply->body, titles);
  return kExitOk;
}

void add_connection_options(CLI::App* command, RunbookOptions& options) {
  command->add_option("--server,--url,-s", options.server, "Agent base URL")->capture_default_str();
  command->add_flag("--json", options.json, "Print the API's JSON instead of text");
  command->add_option("--token-file", options.token_file,
                      "File whose first line is the API token (default: $SLOE_TOKEN)");
}

CLI::Option* add_incident(CLI::App* command, RunbookOptions& options) {
  return command
      ->add_option("incident", options.incident, "Incident id (from `sloe incident list`)")
      ->check(CLI::PositiveNumber)
      ->required();
}

}  // namespace

std::function<std::optional<int>()> add_runbook_commands(CLI::App& cli) {
  auto options = std::make_shared<RunbookOptions>();
  RunbookOptions& o = *options;
  CLI::App* runbook_command =
      cli.add_subcommand("runbook", "Show the configured runbooks; run them on incidents");
  runbook_command->require_subcommand(1);

  CLI::App* list = runbook_command->add_subcommand("list", "The runbooks in the configuration");
  CLI::App* show = runbook_command->add_subcommand("show", "One runbook, readable in a terminal");
  show->add_option("name", o.name, "Runbook name (from `sloe runbook list`)")->required();
  for (CLI::App* command : {list, show}) {
    command->add_option("--config,-c", o.config_dir, "Configuration folder (holds runbooks/)")
        ->capture_default_str();
  }

  CLI::App* runs = runbook_command->add_subcommand("runs", "The runbook runs on an incident");
  add_incident(runs, o);
  CLI::App* start =
      runbook_command->add_subcommand("run", "Start a runbook on an incident by hand");
  add_incident(start, o);
  start->add_option("name", o.name, "Runbook name")->required();

  struct Action {
    const char* name;
    const char* help;
    const char* done;
  };
  static constexpr Action kActions[] = {
      {"approve", "Approve an approval step so later automated steps run", "approved"},
      {"reject", "Reject an approval step (the run stops there)", "rejected"},
      {"tick", "Tick off a manual (checklist) step", "ticked"},
      {"skip", "Skip a step", "skipped"},
      {"retry", "Retry a failed, rejected or expired step", "retried"},
  };
  std::vector<std::pair<CLI::App*, const Action*>> actions;
  for (const Action& action : kActions) {
    CLI::App* command = runbook_command->add_subcommand(action.name, action.help);
    add_incident(command, o);
    command->add_option("run", o.run, "Run id (from `sloe runbook runs INCIDENT`)")
        ->check(CLI::PositiveNumber)
        ->required();
    command->add_option("step", o.step, "Step id or number")->required();
    actions.emplace_back(command, &action);
  }
  for (CLI::App* command : {runs, start})
    add_connection_options(command, o);
  for (const auto& [command, action] : actions)
    add_connection_options(command, o);

  return [options, list, show, runs, start, actions]() -> std::optional<int> {
    if (*list)
      return command_list(*options);
    if (*show)
      return command_show(*options);
    if (*runs)
      return command_runs(*options);
    if (*start)
      return command_start(*options);
    for (const auto& [command, action] : actions) {
      if (*command)
        return command_act(*options, action->name, action->done);
    }
    return std::nullopt;
  };
}

}  // namespace sloe::app

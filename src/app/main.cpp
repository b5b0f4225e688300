// sloe: the command-line entry point. Parses arguments, wires the agent, handles signals.
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sloe/api/auth.h"
#include "sloe/api/runbooks.h"
#include "sloe/app/agent.h"
#include "sloe/app/cli_backup.h"
#include "sloe/app/cli_escalations.h"
#include "sloe/app/cli_incident.h"
#include "sloe/app/cli_oncall.h"
#include "sloe/app/cli_postmortem.h"
#include "sloe/app/cli_routes.h"
#include "sloe/app/cli_rules.h"
#include "sloe/app/cli_runbook.h"
#include "sloe/app/demo_target.h"
#include "sloe/app/logging.h"
#include "sloe/app/status_table.h"
#include "sloe/config/loader.h"
#include "sloe/core/duration.h"
#include "sloe/core/time_format.h"
#include "sloe/probe/engine.h"

namespace {

using namespace sloe;

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;  // invalid configuration or arguments
constexpr int kExitFailure = 2;  // could not start or reach what was asked

struct CommonOptions {
  std::string config_dir = ".";
  std::string log_format = "text";
  std::string log_level = "info";
};

struct RunOptions {
  std::string data_dir = ".sloe-data";
  std::string listen = "127.0.0.1:9465";
  std::string evaluation_interval = "5s";
  std::string tokens_file;  // plus SLOE_API_TOKENS
  std::string tls_cert_file;
  std::string tls_key_file;
};

// A variable's value, "" when unset.
std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// API tokens from --tokens FILE and SLOE_API_TOKENS, the webhook token from SLOE_WEBHOOK_TOKEN
// and the webhook signing secret from SLOE_WEBHOOK_HMAC_SECRET. Messages never hold a secret.
// Tokens from the tokens file (--tokens, else sloe.yaml's server.tokens_file) and SLOE_API_TOKENS;
// webhook credentials from SLOE_WEBHOOK_TOKEN / SLOE_WEBHOOK_HMAC_SECRET, else sloe.yaml's
// server.webhook secrets.
Result<std::shared_ptr<const api::Authenticator>> load_authenticator(
    const RunOptions& run, const config::ServerSettings& server, const std::string& config_dir) {
  std::vector<api::ApiToken> tokens;
  const std::string tokens_file = run.tokens_file.empty() ? server.tokens_file : run.tokens_file;
  const std::string tokens_origin =
      run.tokens_file.empty() ? "sloe.yaml server.tokens_file" : "--tokens";
  if (!tokens_file.empty()) {
    std::ifstream in(tokens_file, std::ios::binary);
    if (!in)
      return Error{tokens_origin + ": cannot read '" + tokens_file + "': " + std::strerror(errno)};
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = api::parse_tokens_file(text.str(), tokens_file);
    if (!parsed)
      return parsed.error();
    tokens = std::move(parsed).value();
  }
  if (const std::string value = environment("SLOE_API_TOKENS"); !value.empty()) {
    auto parsed = api::parse_tokens_env(value);
    if (!parsed)
      return parsed.error();
    for (api::ApiToken& token : parsed.value())
      tokens.push_back(std::move(token));
  }
  std::string webhook_token = environment("SLOE_WEBHOOK_TOKEN");
  std::string token_origin = "SLOE_WEBHOOK_TOKEN";
  if (webhook_token.empty() && server.webhook.token) {
    auto resolved = config::resolve_secret(*server.webhook.token, config_dir);
    if (!resolved)
      return Error{"sloe.yaml server.webhook.token: " + resolved.error().message};
    webhook_token = std::move(resolved).value();
    token_origin = "sloe.yaml server.webhook.token";
  }
  api::WebhookCredentials webhook;
  if (!webhook_token.empty()) {
    if (webhook_token.size() < 16)
      return Error{token_origin + " is shorter than 16 characters (`sloe token new` makes one)"};
    webhook.token_sha256_hex = api::hash_token(webhook_token);
  }
  webhook.hmac_secret = environment("SLOE_WEBHOOK_HMAC_SECRET");
  if (webhook.hmac_secret.empty() && server.webhook.hmac_secret) {
    auto resolved = config::resolve_secret(*server.webhook.hmac_secret, config_dir);
    if (!resolved)
      return Error{"sloe.yaml server.webhook.hmac_secret: " + resolved.error().message};
    webhook.hmac_secret = std::move(resolved).value();
  }
  return api::Authenticator::create(std::move(tokens), std::move(webhook));
}

// Prints every diagnostic; returns the configuration only when it is valid.
std::optional<config::Config> load_and_report(const std::string& dir) {
  config::LoadResult loaded = config::load_config(dir);
  for (const config::Diagnostic& diagnostic : loaded.diagnostics) {
    std::cerr << diagnostic.to_string() << "\n";
  }
  if (!loaded.ok()) {
    std::size_t errors = 0;
    for (const auto& d : loaded.diagnostics) {
      errors += d.severity == config::Diagnostic::Severity::kError ? 1 : 0;
    }
    std::cerr << "configuration in '" << dir << "' has " << errors << " error"
              << (errors == 1 ? "" : "s") << "\n";
    return std::nullopt;
  }
  return std::move(loaded.config);
}

// Blocks SIGINT/SIGTERM in every thread started after this call, so that the main thread alone
// receives them through sigtimedwait and runs the one shutdown path.
sigset_t block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Waits up to `timeout` for SIGINT/SIGTERM; true if one arrived.
bool wait_for_termination(const sigset_t& signals, std::chrono::milliseconds timeout) {
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
  const int received = sigtimedwait(&signals, nullptr, &wait);
  if (received > 0) {
    spdlog::info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
    return true;
  }
  return false;
}

// Command-line flags win over sloe.yaml's server settings.
Result<app::AgentOptions> agent_options(const RunOptions& run, const config::Config& config,
                                        const std::string& config_dir) {
  const config::ServerSettings& server = config.settings.server;
  app::AgentOptions options;
  options.data_dir = run.data_dir;
  auto listen = api::parse_listen_address(run.listen);
  if (!listen)
    return Error{"--listen: " + listen.error().message};
  options.listen = listen.value();
  options.listen.tls_cert_file = run.tls_cert_file;
  options.listen.tls_key_file = run.tls_key_file;
  if (run.tls_cert_file.empty() != run.tls_key_file.empty())
    return Error{"--tls-cert and --tls-key go together: give both or neither"};
  if (run.tls_cert_file.empty() && server.tls) {
    options.listen.tls_cert_file = server.tls->cert_file;
    options.listen.tls_key_file = server.tls->key_file;
  }
  options.listen.max_body_bytes = server.max_body_bytes;
  auto auth = load_authenticator(run, server, config_dir);
  if (!auth)
    return auth.error();
  options.auth = std::move(auth).value();
  auto interval = parse_duration(run.evaluation_interval);
  if (!interval || interval->count() < 100) {
    return Error{"--eval-interval: expected a duration of at least 100ms, got '" +
                 run.evaluation_interval + "'"};
  }
  options.evaluation_interval = interval.value();
  return options;
}

int command_check(const CommonOptions& common) {
  auto loaded = load_and_report(common.config_dir);
  if (!loaded)
    return kExitInvalid;
  if (loaded->oncall)
    app::print_gap_warnings(*loaded->oncall, SystemClock().now(), std::cerr);
  const auto plural = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::cout << "configuration OK: " << plural(loaded->probes.size(), "probe") << ", "
            << plural(loaded->slos.size(), "SLO") << ", "
            << plural(loaded->runbooks.size(), "runbook");
  if (loaded->alerting)
    std::cout << ", " << plural(loaded->alerting->receivers.size(), "receiver");
  if (loaded->oncall)
    std::cout << ", " << plural(loaded->oncall->schedules.size(), "on-call schedule");
  std::cout << "\n";
  return kExitOk;
}

std::string server_url(const api::ServerOptions& listen, int port) {
  return (listen.tls_cert_file.empty() ? "http://" : "https://") + listen.host + ":" +
         std::to_string(port);
}

// Prints every incident opened since newest_shown (oldest first); returns the newest id shown.
std::int64_t print_new_incidents(const api::IncidentService& incidents, std::int64_t newest_shown,
                                 const std::string& server) {
  api::IncidentFilter filter;
  filter.limit = 20;
  const auto listed = incidents.list(filter);
  const auto* page = std::get_if<api::IncidentList>(&listed);
  if (page == nullptr)
    return newest_shown;
  std::int64_t newest = newest_shown;
  for (auto it = page->incidents.rbegin(); it != page->incidents.rend(); ++it) {
    if (it->id <= newest_shown)
      continue;
    std::cout << "incident " << it->id << " opened (" << incident::to_string(it->severity)
              << (it->service.empty() ? "" : ", service " + it->service) << "): " << it->title
              << "\n  its timeline: sloe incident show " << it->id << " --server " << server
              << "\n  its postmortem draft: sloe postmortem " << it->id << " --server " << server
              << "\n";
    newest = std::max(newest, it->id);
  }
  return newest;
}

// Prints what changed in the runbook runs of incidents 1..newest_incident since the last call (a
// step's new state, the approval a person must give); `shown` remembers what was printed.
void print_runbook_progress(const api::RunbookService& runbooks, std::int64_t newest_incident,
                            const std::string& server,
                            std::map<std::pair<std::int64_t, std::size_t>, std::string>& shown) {
  for (std::int64_t incident_id = 1; incident_id <= newest_incident; ++incident_id) {
    const auto answered = runbooks.runs(incident_id);
    const auto* runs = std::get_if<std::vector<runbook::Run>>(&answered);
    if (runs == nullptr)
      continue;
    for (const runbook::Run& run : *runs) {
      for (std::size_t index = 0; index < run.steps.size(); ++index) {
        const runbook::StepRun& step = run.steps[index];
        const std::string state(runbook::to_string(step.state));
        std::string& last = shown[{run.id, index}];
        if (step.state == runbook::StepState::kPending || last == state)
          continue;
        last = state;
        std::cout << "runbook " << run.runbook << " (incident " << incident_id << ") step "
                  << step.step_id << ": " << state;
        if (step.state == runbook::StepState::kWaitingApproval) {
          std::cout << "; approve: sloe runbook approve " << incident_id << " " << run.id << " "
                    << step.step_id << " --server " << server;
        } else if (!step.error.empty()) {
          std::cout << " (" << step.error << ")";
        }
        std::cout << "\n";
      }
    }
  }
}

int command_run(const CommonOptions& common, const RunOptions& run, const std::string& demo_listen,
                std::chrono::milliseconds demo_duration, bool demo) {
  auto loaded = load_and_report(common.config_dir);
  if (!loaded) {
    std::cerr << "not starting: fix the configuration first (sloe check --config "
              << common.config_dir << ")\n";
    return kExitInvalid;
  }
  auto options = agent_options(run, *loaded, common.config_dir);
  if (!options) {
    std::cerr << "error: " << options.error().message << "\n";
    return kExitInvalid;
  }
  const sigset_t signals = block_termination_signals();
  SystemClock clock;

  std::unique_ptr<app::DemoTarget> target;
  if (demo) {
    auto demo_address = api::parse_listen_address(demo_listen);
    if (!demo_address) {
      std::cerr << "error: --demo-listen: " << demo_address.error().message << "\n";
      return kExitInvalid;
    }
    target = std::make_unique<app::DemoTarget>(clock);
    if (Status started = target->start(demo_address->host, demo_address->port); !started) {
      std::cerr << "error: " << started.error().message << "\n";
      return kExitFailure;
    }
    spdlog::info("demo target serving on http://{}:{} (/healthy, /checkout, /slow)",
                 demo_address->host, target->port());
  }

  auto agent = app::Agent::create(clock, std::move(loaded).value(), options.value());
  if (!agent) {
    std::cerr << "error: " << agent.error().message << "\n";
    return kExitFailure;
  }
  if (Status started = (*agent)->start(); !started) {
    std::cerr << "error: " << started.error().message << "\n";
    return kExitFailure;
  }

  if (demo) {
    std::cout << "\nsloe demo: probing a built-in target on loopback. The checkout service starts "
                 "failing after 20s;\nwatch its budget fall, its page condition turn true, and the "
                 "page reach "
                 "whoever is on call\n(alerts/alertmanager.yml routes it, alerts/oncall.yaml says "
                 "who that is), and an incident open for it.\n"
                 "  status:  http://"
              << options->listen.host << ":" << (*agent)->port()
              << "/api/v1/slos\n  metrics: http://" << options->listen.host << ":"
              << (*agent)->port() << "/metrics\n  Ctrl-C stops.\n"
              << std::endl;
  }
  const MonoTime started_at = clock.monotonic();
  std::int64_t newest_incident_shown = 0;
  std::map<std::pair<std::int64_t, std::size_t>, std::string> runbook_steps_shown;
  while (true) {
    if (wait_for_termination(signals, std::chrono::seconds(demo ? 5 : 3600)))
      break;
    if (demo) {
      if (const auto board = (*agent)->board().snapshot()) {
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::seconds>(clock.monotonic() - started_at);
        std::cout << "--- " << elapsed.count() << "s ---\n"
                  << app::render_status_table(app::rows_from_board(*board));
      }
      for (const app::DemoTarget::Delivery& delivery : target->take_deliveries()) {
        for (const std::string& alert : delivery.alerts) {
          std::cout << "notification delivered to " << delivery.receiver << " [" << delivery.status
                    << "]: " << alert << "\n";
        }
      }
      for (const api::EscalationView& escalation : (*agent)->escalations()) {
        if (escalation.state == "active" && escalation.notifications_sent > 0) {
          std::cout << "escalation " << escalation.id << " (" << escalation.policy
                    << ") paging; acknowledge: curl -X POST http://" << options->listen.host << ":"
                    << (*agent)->port() << "/api/v1/escalations/" << escalation.id << "/ack\n";
        }
      }
      newest_incident_shown = print_new_incidents(*(*agent)->incidents(), newest_incident_shown,
                                                  server_url(options->listen, (*agent)->port()));
      if (const api::RunbookService* runbooks = (*agent)->runbooks()) {
        print_runbook_progress(*runbooks, newest_incident_shown,
                               server_url(options->listen, (*agent)->port()), runbook_steps_shown);
      }
      std::cout << std::flush;
      if (demo_duration.count() > 0 && clock.monotonic() - started_at >= demo_duration)
        break;
    }
  }
  (*agent)->stop();
  if (target)
    target->stop();
  spdlog::info("stopped");
  return kExitOk;
}

int command_status(const std::string& server, bool as_json) {
  httplib::Client client(server);
  if (const std::string token = environment("SLOE_TOKEN"); !token.empty())
    client.set_bearer_token_auth(token);
  client.set_connection_timeout(std::chrono::seconds(3));
  client.set_read_timeout(std::chrono::seconds(10));
  const auto response = client.Get("/api/v1/slos");
  if (!response) {
    std::cerr << "error: cannot reach sloe at " << server << ": "
              << httplib::to_string(response.error()) << " (is `sloe run` running? see --server)\n";
    return kExitFailure;
  }
  if (response->status != 200) {
    std::cerr << "error: " << server << " answered " << response->status << ": " << response->body
              << "\n";
    return kExitFailure;
  }
  if (as_json) {
    std::cout << response->body << "\n";
    return kExitOk;
  }
  const app::ParsedStatus parsed = app::parse_status_json(response->body);
  if (!parsed.error.empty()) {
    std::cerr << "error: " << parsed.error << "\n";
    return kExitFailure;
  }
  std::cout << app::render_status_table(parsed.rows);
  return kExitOk;
}

// `sloe token hash`: the tokens-file hash of the token on stdin.
int command_token_hash() {
  std::ostringstream input;
  input << std::cin.rdbuf();
  std::string token = input.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
    token.pop_back();
  const std::size_t start = token.find_first_not_of(" \t");
  token = start == std::string::npos ? "" : token.substr(start);
  if (token.empty()) {
    std::cerr << "error: no token on standard input (e.g. `printf %s \"$TOKEN\" | sloe token "
                 "hash`)\n";
    return kExitInvalid;
  }
  std::cout << "sha256:" << api::hash_token(token) << "\n";
  return kExitOk;
}

// `sloe token new`: a fresh token, shown once, and its tokens-file line.
int command_token_new(const std::string& name, const std::string& role) {
  const bool valid_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' ||
           c == '-';
  });
  if (!valid_name) {
    std::cerr << "error: --name '" << name << "' may hold only letters, digits and _ . @ -\n";
    return kExitInvalid;
  }
  auto token = api::generate_token();
  if (!token) {
    std::cerr << "error: " << token.error().message << "\n";
    return kExitFailure;
  }
  const std::string line = name + " " + role + " sha256:" + api::hash_token(token.value());
  std::cout << token.value() << "\n" << line << "\n";
  std::cerr << "The first line is the token: give it to its user now, sloe keeps only its hash.\n"
               "Add the second line to the tokens file (sloe run --tokens FILE).\n";
  return kExitOk;
}

int command_probe(const CommonOptions& common, const std::string& name) {
  auto loaded = load_and_report(common.config_dir);
  if (!loaded)
    return kExitInvalid;
  for (const config::ProbeSpec& spec : loaded->probes) {
    if (spec.name != name)
      continue;
    auto resolved = app::resolve_probe(spec, loaded->directory);
    if (!resolved) {
      std::cerr << "error: " << resolved.error().message << "\n";
      return kExitFailure;
    }
    SystemClock clock;
    const probe::ProbeResult result = probe::run_once(clock, resolved.value());
    std::cout << "probe     " << result.probe << "\ntarget    " << result.target << "\nsuccess   "
              << (result.success ? "yes" : "no") << "\nduration  " << result.duration_seconds
              << "s\n";
    for (const probe::Phase& phase : result.phases) {
      std::cout << "  " << phase.name
                << std::string(10 - std::min<std::size_t>(phase.name.size(), 9), ' ')
                << phase.seconds << "s\n";
    }
    if (result.http_status != 0)
      std::cout << "status    " << result.http_status << "\n";
    if (result.tls_earliest_cert_expiry) {
      std::cout << "cert expires " << format_rfc3339(*result.tls_earliest_cert_expiry) << "\n";
    }
    if (!result.success)
      std::cout << "failure   " << result.failure << "\n";
    return result.success ? kExitOk : kExitFailure;
  }
  std::cerr << "error: no probe named '" << name << "' in " << common.config_dir << "\n";
  return kExitInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"sloe: SLO monitoring and incident runbook engine"};
  cli.set_version_flag("--version", std::string("sloe ") + SLOE_VERSION);
  cli.require_subcommand(1);
  cli.fallthrough();

  CommonOptions common;
  cli.add_option("--log-format", common.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.add_option("--log-level", common.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();

  RunOptions run;
  std::string demo_listen = "127.0.0.1:9466";
  std::string demo_duration_text = "0s";
  auto add_run_options = [&](CLI::App* command) {
    command->add_option("--config,-c", common.config_dir, "Configuration folder (holds slo/)")
        ->capture_default_str();
    command->add_option("--data,-d", run.data_dir, "Data folder (SQLite database)")
        ->capture_default_str();
    command->add_option("--listen,-l", run.listen, "HTTP address for /metrics and the API")
        ->capture_default_str();
    command
        ->add_option("--eval-interval", run.evaluation_interval, "How often every SLO is evaluated")
        ->capture_default_str();
    command->add_option("--tokens", run.tokens_file,
                        "API tokens file: '<name> <role> sha256:<hex>' lines (also "
                        "SLOE_API_TOKENS=name:role:token,...)");
    command->add_option("--tls-cert", run.tls_cert_file, "PEM certificate: serve HTTPS");
    command->add_option("--tls-key", run.tls_key_file, "PEM private key of --tls-cert");
  };

  CLI::App* run_command = cli.add_subcommand("run", "Run the agent: probes, SLO evaluation, HTTP");
  add_run_options(run_command);

  CLI::App* demo_command = cli.add_subcommand(
      "demo", "Run the agent on the shipped configuration with a built-in demo target");
  add_run_options(demo_command);
  demo_command->add_option("--demo-listen", demo_listen, "Address of the demo target")
      ->capture_default_str();
  demo_command->add_option("--duration", demo_duration_text, "Stop after this long (0s: never)")
      ->capture_default_str();

  CLI::App* check_command =
      cli.add_subcommand("check", "Validate a configuration; print every problem as file:line:col");
  check_command->add_option("--config,-c", common.config_dir, "Configuration folder")
      ->capture_default_str();

  std::string server = "http://127.0.0.1:9465";
  bool status_json = false;
  CLI::App* status_command =
      cli.add_subcommand("status", "Show every SLO's budget and burn rates from a running agent");
  status_command->add_option("--server,-s", server, "Agent base URL")->capture_default_str();
  status_command->add_flag("--json", status_json, "Print the API's JSON instead of a table");

  std::string probe_name;
  CLI::App* probe_command =
      cli.add_subcommand("probe", "Run one configured probe once and print the result");
  probe_command->add_option("--config,-c", common.config_dir, "Configuration folder")
      ->capture_default_str();
  probe_command->add_option("name", probe_name, "Probe name")->required();

  CLI::App* token_command =
      cli.add_subcommand("token", "Make API tokens and the hashes the tokens file holds");
  token_command->require_subcommand(1);
  CLI::App* token_hash_command = token_command->add_subcommand(
      "hash", "Read a token on standard input; print its sha256:<hex> for the tokens file");
  std::string token_name;
  std::string token_role;
  CLI::App* token_new_command = token_command->add_subcommand(
      "new", "Print a fresh random token (once) and its line for the tokens file");
  token_new_command->add_option("--name", token_name, "Who the token is for")->required();
  token_new_command->add_option("--role", token_role, "viewer, responder or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "responder", "admin"}));

  const auto run_oncall_command = app::add_oncall_commands(cli);
  const auto run_escalation_command = app::add_escalation_commands(cli);
  const auto run_backup_command = app::add_backup_commands(cli);
  const auto run_incident_command = app::add_incident_commands(cli);
  const auto run_runbook_command = app::add_runbook_commands(cli);
  const auto run_rules_command = app::add_rules_command(cli);
  const auto run_postmortem_command = app::add_postmortem_commands(cli);

  const app::RoutesCommands routes_commands(cli);
  CLI11_PARSE(cli, argc, argv);

  if (Status logging = app::configure_logging(common.log_format, common.log_level); !logging) {
    std::cerr << "error: " << logging.error().message << "\n";
    return kExitInvalid;
  }

  if (const auto exit_code = run_oncall_command())
    return *exit_code;
  if (const auto exit_code = run_escalation_command())
    return *exit_code;
  if (const auto exit_code = run_backup_command())
    return *exit_code;
  if (const auto exit_code = run_incident_command())
    return *exit_code;
  if (const auto exit_code = run_runbook_command())
    return *exit_code;
  if (const auto exit_code = run_rules_command())
    return *exit_code;
  if (const auto exit_code = run_postmortem_command())
    return *exit_code;
  if (routes_commands.selected())
    return routes_commands.run();
  if (*token_hash_command)
    return command_token_hash();
  if (*token_new_command)
    return command_token_new(token_name, token_role);
  if (*check_command)
    return command_check(common);
  if (*status_command)
    return command_status(server, status_json);
  if (*probe_command)
    return command_probe(common, probe_name);
  const bool demo = static_cast<bool>(*demo_command);
  if (demo && run.data_dir == ".sloe-data") {
    // Each demo starts from an empty history unless a data folder is named.
    run.data_dir =
        (std::filesystem::temp_directory_path() / ("sloe-demo-" + std::to_string(::getpid())))
            .string();
  }
  auto demo_duration = parse_duration(demo_duration_text);
  if (!demo_duration) {
    std::cerr << "error: --duration: " << demo_duration.error().message << "\n";
    return kExitInvalid;
  }
  return command_run(common, run, demo_listen, demo_duration.value(), demo);
}

// `sloe runbook ...` through the real binary: list and show from configuration folders (the
// shipped runbooks and temporary ones), and runs / run / step actions against an in-process
// ApiServer whose runbook endpoints answer through an in-memory RunbookService.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_util.h"
#include "fake_runbook_service.h"
#include "sloe/api/server.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using nlohmann::json;
using sloe::testing::CommandResult;
using sloe::testing::TempConfigDir;
using Files = std::vector<std::pair<std::string, std::string>>;

const TimePoint kNow = parse_rfc3339("2026-11-23T10:00:00Z").value();

// Runs `<environment> sloe <arguments>`; SLOE_TOKEN is unset unless the environment sets it.
CommandResult run_command(const std::string& environment, const std::string& arguments) {
  const std::string command =
      "env -u SLOE_TOKEN " + environment + " " + SLOE_BINARY + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    output += buffer.data();
  const int status = ::pclose(pipe);
  return CommandResult{WEXITSTATUS(status), output};
}

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// ---- from the configuration ----

TEST(CliRunbookConfig, ListsTheShippedRunbooks) {
  const CommandResult result = run_command("", "runbook list --config " SLOE_SOURCE_DIR);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* name : {"error-budget-fast-burn", "error-budget-slow-burn", "probe-target-down",
                           "certificate-expiring", "sloe-backup-restore"}) {
    EXPECT_TRUE(contains(result.output, name)) << name << "\n" << result.output;
  }
  EXPECT_TRUE(contains(result.output, "NAME")) << result.output;
  EXPECT_LT(result.output.find("certificate-expiring"), result.output.find("sloe-backup-restore"))
      << "name order\n"
      << result.output;
}

TEST(CliRunbookConfig, ShowsOneRunbookAsText) {
  const CommandResult result =
      run_command("", "runbook show sloe-backup-restore --config " SLOE_SOURCE_DIR);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "Restore sloe's database from a backup")) << result.output;
  EXPECT_TRUE(contains(result.output, "RPO 1d, RTO 30m")) << result.output;
  for (const char* section :
       {"\nMeaning\n", "\nImpact\n", "\nDiagnosis\n", "\nMitigation\n", "\nSteps\n"}) {
    EXPECT_TRUE(contains(result.output, section)) << section << "\n" << result.output;
  }
  EXPECT_TRUE(contains(result.output, "   1. ")) << result.output;
}

TEST(CliRunbookConfig, ShowsStepsOfEveryKindWithoutHeaderValues) {
  TempConfigDir config(Files{
      {"sloe.yaml", "runbooks:\n  allowed_commands: [/bin/echo]\n"},
      {"runbooks/restart.md",
       "---\n"
       "title: Restart checkout\n"
       "applies_to:\n"
       "  matchers: ['alertname=\"CheckoutDown\"']\n"
       "  services: [checkout]\n"
       "  severities: [SEV1]\n"
       "recovery: { rto: 1h }\n"
       "steps:\n"
       "  - id: look\n"
       "    title: Look first\n"
       "    manual: true\n"
       "  - id: health\n"
       "    title: Health\n"
       "    http:\n"
       "      url: https://checkout.internal/healthz\n"
       "      headers: { X-Api-Key: { env: CHECKOUT_KEY } }\n"
       "  - id: ok\n"
       "    title: Go ahead?\n"
       "    approval: { prompt: \"Restart now?\", expires: 10m }\n"
       "  - id: restart\n"
       "    title: Restart\n"
       "    command: { program: /bin/echo, args: [restart, checkout service] }\n"
       "---\n"
       "# Restart checkout\n\n## Meaning\nCheckout is down.\n"},
  });
  const CommandResult listed = run_command("", "runbook list --config " + config.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_TRUE(contains(listed.output, "restart")) << listed.output;

  const CommandResult shown = run_command("", "runbook show restart --config " + config.path());
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_TRUE(contains(shown.output, "alerts matching alertname=\"CheckoutDown\"")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "service checkout")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "severity SEV1")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "RTO 1h")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "Checkout is down.")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "(not written)")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "1. Look first  [manual, id look]")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "GET https://checkout.internal/healthz")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "headers X-Api-Key")) << shown.output;
  EXPECT_FALSE(contains(shown.output, "CHECKOUT_KEY")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "needs approval: Restart now? (expires after 10m)"))
      << shown.output;
  EXPECT_TRUE(contains(shown.output, "/bin/echo restart 'checkout service'")) << shown.output;
}

TEST(CliRunbookConfig, UnknownRunbookOrInvalidConfigurationFails) {
  const CommandResult unknown =
      run_command("", "runbook show no-such-runbook --config " SLOE_SOURCE_DIR);
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "no runbook named 'no-such-runbook'")) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "probe-target-down")) << "names the ones there are";

  TempConfigDir broken(Files{{"runbooks/bad.md", "---\nsteps: [\n---\n# Bad\n"}});
  const CommandResult invalid = run_command("", "runbook list --config " + broken.path());
  EXPECT_EQ(invalid.exit_code, 1) << invalid.output;
  EXPECT_TRUE(contains(invalid.output, "bad.md")) << invalid.output;

  TempConfigDir empty(Files{});
  const CommandResult none = run_command("", "runbook list --config " + empty.path());
  EXPECT_EQ(none.exit_code, 0) << none.output;
  EXPECT_TRUE(contains(none.output, "no runbooks")) << none.output;
}

// ---- against an agent ----

class CliRunbookAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_.add_incident(7);
    server_.set_runbook_routes(RunbookRoutes{&service_, &clock_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }

  CommandResult run(const std::string& arguments, const std::string& environment = "") {
    return run_command(environment, "runbook " + arguments + " --server " + url_);
  }
  std::string ok(const std::string& arguments) {
    const CommandResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments << "\n" << result.output;
    return result.output;
  }

  ManualClock clock_{kNow};
  testing::FakeRunbookService service_{clock_, {testing::sample_runbook()}};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::string url_;
};

TEST_F(CliRunbookAgentTest, StartARunThenListItsSteps) {
  EXPECT_TRUE(contains(ok("runs 7"), "no runbook runs on incident 7"));
  const std::string started = ok("run 7 slo-fast-burn");
  EXPECT_TRUE(contains(started, "started runbook slo-fast-burn on incident 7 as run 1")) << started;
  EXPECT_TRUE(contains(started, "Look at the dashboard  [manual]")) << "step titles\n" << started;

  const std::string runs = ok("runs 7");
  EXPECT_TRUE(contains(runs, "Run 1: slo-fast-burn")) << runs;
  EXPECT_TRUE(contains(runs, "started by anonymous")) << runs;
  EXPECT_TRUE(contains(runs, "check-health")) << runs;
  EXPECT_TRUE(contains(runs, "pending")) << runs;

  const json as_json = json::parse(ok("runs 7 --json"));
  ASSERT_EQ(as_json["runs"].size(), 1u);
  EXPECT_EQ(as_json["runs"][0]["steps"].size(), 5u);
}

TEST_F(CliRunbookAgentTest, StepActionsReachTheServiceByIdOrNumber) {
  ok("run 7 slo-fast-burn");
  const std::string ticked = ok("tick 7 1 look");
  EXPECT_TRUE(contains(ticked, "ticked step look of run 1 on incident 7: it is done")) << ticked;
  ASSERT_TRUE(service_.last_act().has_value());
  EXPECT_EQ(service_.last_act()->action, StepAction::kTick);

  const std::string skipped = ok("skip 7 1 2");
  EXPECT_TRUE(contains(skipped,
                       "skipped step 2 of run 1 on incident 7: it is skipped, the run "
                       "waiting_approval"))
      << skipped;
  EXPECT_EQ(service_.last_act()->step, "2");
  EXPECT_TRUE(contains(skipped, "expires 2026-11-23T10:15:00.000Z")) << skipped;

  const std::string approved = ok("approve 7 1 approve-restart");
  EXPECT_TRUE(contains(approved, "approved step approve-restart")) << approved;
  EXPECT_EQ(service_.last_act()->action, StepAction::kApprove);

  // Refusals: the state does not allow it (409), unknown run (404), bad step (400).
  const CommandResult again = run("tick 7 1 look");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(contains(again.output, "answered 409: state:")) << again.output;
  const CommandResult no_run = run("reject 7 9 look");
  EXPECT_EQ(no_run.exit_code, 1);
  EXPECT_TRUE(contains(no_run.output, "answered 404: run:")) << no_run.output;
  const CommandResult bad_step = run("retry 7 1 'Look Here'");
  EXPECT_EQ(bad_step.exit_code, 1);
  EXPECT_TRUE(contains(bad_step.output, "answered 400: step:")) << bad_step.output;
  EXPECT_EQ(run("run 7 no-such-book").exit_code, 1);
  EXPECT_NE(run("tick 7 0 look").exit_code, 0) << "run ids are positive";
}

TEST_F(CliRunbookAgentTest, CapturedOutputCannotDriveTheTerminal) {
  ok("run 7 slo-fast-burn");
  auto runs = std::get<std::vector<runbook::Run>>(service_.runs(7));
  runbook::Run run = runs.front();
  run.steps[1].state = runbook::StepState::kFailed;
  run.steps[1].attempts = 1;
  run.steps[1].status_code = 503;
  run.steps[1].error = "expected 200-299, got 503";
  run.steps[1].output = "\x1b]0;owned\x07\x1b[2Jbody";
  service_.put_run(run);
  const std::string shown = ok("runs 7");
  EXPECT_FALSE(contains(shown, "\x1b")) << "an escape reached the terminal";
  EXPECT_TRUE(contains(shown, "\\x1b]0;owned\\x07\\x1b[2Jbody")) << shown;
  EXPECT_TRUE(contains(shown, "error: expected 200-299, got 503")) << shown;
  EXPECT_TRUE(contains(shown, "status 503")) << shown;
}

TEST_F(CliRunbookAgentTest, TokenFromFileOrEnvironmentAndUnreachableAgent) {
  std::string seen;
  // A second server that records the Authorization header it gets.
  httplib::Server recorder;
  recorder.Get(R"(/api/v1/incidents/7/runbooks)",
               [&](const httplib::Request& request, httplib::Response& response) {
                 seen = request.get_header_value("Authorization");
                 response.set_content(R"({"runs": []})", "application/json");
               });
  const int port = recorder.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { recorder.listen_after_bind(); });
  // bind_to_any_port already listens: a client connecting before the accept loop runs waits.
  const std::string url = "http://127.0.0.1:" + std::to_string(port);

  EXPECT_EQ(run_command("SLOE_TOKEN=from-env", "runbook runs 7 --url " + url).exit_code, 0);
  EXPECT_EQ(seen, "Bearer from-env");
  const std::string token_file =
      (std::filesystem::temp_directory_path() / ("sloe-rb-token-" + std::to_string(::getpid())))
          .string();
  std::ofstream(token_file) << "from-file\n";
  EXPECT_EQ(run_command("SLOE_TOKEN=from-env",
                        "runbook runs 7 --url " + url + " --token-file " + token_file)
                .exit_code,
            0);
  EXPECT_EQ(seen, "Bearer from-file");
  std::filesystem::remove(token_file);
  recorder.stop();
  serving.join();

  const CommandResult down = run_command("", "runbook runs 7 --url " + url);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_TRUE(contains(down.output, "cannot reach sloe")) << down.output;
}

}  // namespace
}  // namespace sloe::api

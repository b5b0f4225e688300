// Runs the real `sloe` binary as a user would and checks what it prints and how it exits.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "cli_util.h"

namespace {

using sloe::testing::CommandResult;

CommandResult run(const std::string& arguments) {
  return sloe::testing::run_sloe(arguments);
}

// A configuration folder whose slo/service.yaml holds yaml.
class TempConfig : public sloe::testing::TempConfigDir {
 public:
  explicit TempConfig(const std::string& yaml) : TempConfigDir({{"slo/service.yaml", yaml}}) {}
};

TEST(Cli, VersionAndHelp) {
  EXPECT_EQ(run("--version").exit_code, 0);
  EXPECT_NE(run("--version").output.find("sloe "), std::string::npos);
  const CommandResult help = run("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command :
       {"run", "demo", "check", "status", "probe", "routes", "oncall", "escalations"}) {
    EXPECT_NE(help.output.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(run("check --help").exit_code, 0);
}

TEST(Cli, CheckAcceptsTheShippedConfiguration) {
  const CommandResult result = run(std::string("check --config ") + SLOE_SOURCE_DIR);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("configuration OK"), std::string::npos) << result.output;
}

TEST(Cli, CheckReportsEveryProblemWithFileLineAndColumn) {
  TempConfig config(R"(slos:
  - name: api
    service: api
    objectve: 99.9
    sli: { availability: { probe: missing } }
)");
  const CommandResult result = run("check --config " + config.path());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("service.yaml:4:5: error:"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("objective"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("missing"), std::string::npos) << result.output;
}

TEST(Cli, RunRefusesAnInvalidConfiguration) {
  TempConfig config("slos: [ { name: x } ]\n");
  const CommandResult result = run("run --config " + config.path() + " --listen 127.0.0.1:0");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("not starting"), std::string::npos) << result.output;
}

TEST(Cli, StatusExplainsWhenNoAgentAnswers) {
  const CommandResult result = run("status --server http://127.0.0.1:1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("cannot reach sloe"), std::string::npos) << result.output;
}

// Starts `sloe run` as a child process, reads its log until it listens, then sends SIGTERM and
// expects the one shutdown path: a clean exit with the SLI history saved.
TEST(Cli, RunStopsCleanlyOnSigterm) {
  TempConfig config(R"(probes:
  - name: self
    interval: 200ms
    timeout: 100ms
    tcp: { address: "127.0.0.1:1" }
slos:
  - name: self-availability
    service: self
    objective: 99
    sli: { availability: { probe: self } }
)");
  const std::string data_dir = config.path() + "/data";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    const std::string config_dir = config.path();
    ::execl(SLOE_BINARY, SLOE_BINARY, "run", "--config", config_dir.c_str(), "--data",
            data_dir.c_str(), "--listen", "127.0.0.1:0", "--eval-interval", "200ms",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  FILE* child_output = ::fdopen(pipe_fds[0], "r");
  std::string output;
  std::array<char, 4096> line{};
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  while (std::fgets(line.data(), line.size(), child_output) != nullptr) {
    output += line.data();
    if (std::regex_search(output, match, listening))
      break;
  }
  ASSERT_FALSE(match.empty()) << output;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a few probes and evaluations
  ASSERT_EQ(::kill(child, SIGTERM), 0);
  while (std::fgets(line.data(), line.size(), child_output) != nullptr)
    output += line.data();
  std::fclose(child_output);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("received SIGTERM"), std::string::npos) << output;
  EXPECT_NE(output.find("saved SLI history of 1 SLOs"), std::string::npos) << output;
  EXPECT_TRUE(std::filesystem::exists(data_dir + "/sloe.db"));
}

// The first README command's promise: within a minute the demo shows the checkout budget falling,
// its page condition turning true, and the page routed to whoever is on call.
TEST(Cli, DemoShowsABudgetBurningAndAPage) {
  const CommandResult result =
      run(std::string("demo --config ") + SLOE_SOURCE_DIR + " --listen 127.0.0.1:0 --duration 45s");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // alerts/alertmanager.yml routes the page to demo-pager, whose escalation policy pages the
  // person alerts/oncall.yaml has on call this week, through their own receiver.
  EXPECT_NE(result.output.find("notification delivered to demo-pager [firing]: ErrorBudgetBurn "
                               "slo=demo-checkout-availability service=checkout severity=page"),
            std::string::npos)
      << result.output;
  EXPECT_TRUE(std::regex_search(result.output,
                                std::regex(R"(notification delivered to page-(alice|bob|carol) )"
                                           R"(\[firing\]: ErrorBudgetBurn)")))
      << result.output;
  // The ticket for the same SLO is inhibited by its page; what demo-tickets gets is the note the
  // fast-burn runbook's notify step leaves there when the incident opens.
  EXPECT_EQ(result.output.find("notification delivered to demo-tickets [firing]: ErrorBudgetBurn"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("notification delivered to demo-tickets [firing]: "
                               "RunbookNotification"),
            std::string::npos)
      << result.output;
  // The page opens one incident for the checkout service (the default incident policy).
  EXPECT_NE(result.output.find("incident 1 opened (SEV2, service checkout): "
                               "demo-checkout-availability"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("incident 2 opened"), std::string::npos) << result.output;
  const auto last_table = result.output.rfind("--- ");
  ASSERT_NE(last_table, std::string::npos) << result.output;
  const std::string table = result.output.substr(last_table);
  const auto checkout = table.find("demo-checkout-availability");
  ASSERT_NE(checkout, std::string::npos) << table;
  const std::string checkout_line = table.substr(checkout, table.find('\n', checkout) - checkout);
  EXPECT_NE(checkout_line.find("PAGE"), std::string::npos) << table;
  const auto frontend = table.find("demo-frontend-availability");
  ASSERT_NE(frontend, std::string::npos) << table;
  const std::string frontend_line = table.substr(frontend, table.find('\n', frontend) - frontend);
  EXPECT_NE(frontend_line.find("100.0%"), std::string::npos) << table;
  EXPECT_EQ(frontend_line.find("PAGE"), std::string::npos) << table;
}

}  // namespace

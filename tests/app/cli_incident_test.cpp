// `sloe incident ...` through the real binary, against an in-process ApiServer whose incident
// endpoints answer through an in-memory IncidentService.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fake_incident_service.h"
#include "sloe/api/server.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kNow = parse_rfc3339("2026-11-23T10:00:00Z").value();

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `<environment> sloe <arguments>` through the shell; SLOE_TOKEN is unset unless the
// environment sets it.
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

class CliIncidentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_incident_routes(IncidentRoutes{&service_, &clock_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }

  // `sloe incident <arguments> --server <this test's server>`.
  CommandResult run(const std::string& arguments) {
    return run_command("", "incident " + arguments + " --server " + url_);
  }

  // Runs a command that must succeed and returns its output.
  std::string ok(const std::string& arguments) {
    const CommandResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments << "\n" << result.output;
    return result.output;
  }

  incident::Incident stored(std::int64_t id) {
    auto detail = service_.get(id);
    EXPECT_TRUE(std::holds_alternative<IncidentDetail>(detail));
    return std::get<IncidentDetail>(detail).incident;
  }

  std::vector<incident::ActionItem> stored_actions(std::int64_t id) {
    auto items = service_.actions(id);
    EXPECT_TRUE((std::holds_alternative<std::vector<incident::ActionItem>>(items)));
    return std::get<std::vector<incident::ActionItem>>(items);
  }

  ManualClock clock_{kNow};
  testing::FakeIncidentService service_{clock_};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::string url_;
};

TEST_F(CliIncidentTest, DeclareThenListAndFilter) {
  const std::string declared =
      ok("declare --title 'Checkout errors' --severity SEV2 --service checkout --commander alice "
         "--summary '5xx on /pay'");
  EXPECT_TRUE(contains(declared, "declared incident 1 (SEV2): Checkout errors")) << declared;
  const incident::Incident incident = stored(1);
  EXPECT_EQ(incident.title, "Checkout errors");
  EXPECT_EQ(incident.service, "checkout");
  EXPECT_EQ(incident.summary, "5xx on /pay");
  EXPECT_EQ(incident::current_holder(incident, "commander"), "alice");
  EXPECT_FALSE(incident.test);
  ok("declare --title Drill --severity SEV4 --test");
  EXPECT_TRUE(stored(2).test);

  const std::string listed = ok("list");
  EXPECT_TRUE(contains(listed, "Checkout errors")) << listed;
  EXPECT_TRUE(contains(listed, "alice")) << listed;
  EXPECT_TRUE(contains(listed, "Drill [test]")) << listed;
  EXPECT_LT(listed.find("Drill"), listed.find("Checkout errors")) << "newest first\n" << listed;

  const std::string sev2 = ok("list --severity SEV2 --service checkout --state triage");
  EXPECT_TRUE(contains(sev2, "Checkout errors")) << sev2;
  EXPECT_FALSE(contains(sev2, "Drill")) << sev2;
  EXPECT_TRUE(contains(ok("list --severity SEV1"), "no incidents"));

  const json as_json = json::parse(ok("list --json"));
  EXPECT_EQ(as_json["incidents"].size(), 2u);

  const std::string paged = ok("list --limit 1");
  EXPECT_TRUE(contains(paged, "(more: sloe incident list --before 2)")) << paged;
  EXPECT_TRUE(contains(ok("list --limit 1 --before 2"), "Checkout errors"));
}

TEST_F(CliIncidentTest, RefusalsAndUsageErrorsFailWithTheAgentsMessage) {
  const CommandResult bad_state = run("list --state fixed");
  EXPECT_EQ(bad_state.exit_code, 1);
  EXPECT_TRUE(contains(bad_state.output, "answered 400: state: must be one of"))
      << bad_state.output;
  const CommandResult bad_severity = run("declare --title x --severity SEV9");
  EXPECT_EQ(bad_severity.exit_code, 1);
  EXPECT_TRUE(contains(bad_severity.output, "severity:")) << bad_severity.output;
  const CommandResult unknown = run("show 9");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.output, "answered 404: id: no incident 9")) << unknown.output;
  EXPECT_NE(run("declare --title x").exit_code, 0) << "--severity is required";
  EXPECT_NE(run("ack abc").exit_code, 0);
}

TEST_F(CliIncidentTest, AnUnreachableAgentIsNamed) {
  const CommandResult result = run_command("", "incident list --server http://127.0.0.1:1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "cannot reach sloe at http://127.0.0.1:1")) << result.output;
}

TEST_F(CliIncidentTest, AckMovesTriageToInvestigatingOnceAndResolveResolves) {
  ok("declare --title 'Checkout errors' --severity SEV2");
  const std::string acked = ok("ack 1");
  EXPECT_TRUE(contains(acked, "acknowledged incident 1: triage → investigating (version 2)"))
      << acked;
  EXPECT_EQ(stored(1).state, incident::State::kInvestigating);
  const std::string again = ok("ack 1");
  EXPECT_TRUE(contains(again, "incident 1 is investigating; nothing to acknowledge")) << again;
  EXPECT_EQ(stored(1).version, 2);

  EXPECT_TRUE(contains(ok("resolve 1"), "investigating → resolved"));
  EXPECT_EQ(stored(1).state, incident::State::kResolved);
  EXPECT_TRUE(contains(ok("resolve 1"), "nothing to resolve"));
}

TEST_F(CliIncidentTest, AckRetriesOnceWhenAConcurrentEditMadeTheVersionStale) {
  ok("declare --title 'Checkout errors' --severity SEV2");
  service_.conflict_next_updates(1);
  ok("ack 1");
  EXPECT_EQ(stored(1).state, incident::State::kInvestigating);

  ok("declare --title 'Search slow' --severity SEV3");
  service_.conflict_next_updates(2);
  const CommandResult twice = run("ack 2");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_TRUE(contains(twice.output, "answered 409")) << twice.output;
  EXPECT_EQ(stored(2).state, incident::State::kTriage);
}

TEST_F(CliIncidentTest, NotesAndShow) {
  ok("declare --title 'Checkout errors' --severity SEV2 --commander alice");
  clock_.advance(2min);
  EXPECT_TRUE(
      contains(ok("note 1 'Rolled back to v41' --pin"), "added pinned note 2 to incident 1"));
  ok("note 1 'Error rate back to normal'");
  ok("action add 1 --title 'Alert on queue depth' --owner bob");

  const std::string shown = ok("show 1");
  EXPECT_TRUE(contains(shown, "Incident 1: Checkout errors")) << shown;
  EXPECT_TRUE(contains(shown, "severity        SEV2")) << shown;
  EXPECT_TRUE(contains(shown, "commander       alice")) << shown;
  EXPECT_TRUE(contains(shown, "incident_declared")) << shown;
  EXPECT_TRUE(contains(shown, "2026-11-23T10:02:00.000Z *")) << "pinned note marked\n" << shown;
  EXPECT_TRUE(contains(shown, "Rolled back to v41")) << shown;
  EXPECT_TRUE(contains(shown, "Error rate back to normal")) << shown;
  EXPECT_LT(shown.find("Timeline"), shown.find("Action items")) << shown;
  EXPECT_TRUE(contains(shown, "Alert on queue depth")) << shown;

  const json as_json = json::parse(ok("show 1 --json"));
  EXPECT_EQ(as_json["incident"]["id"], 1);
  EXPECT_EQ(as_json["events"].size(), 3u);
  EXPECT_EQ(as_json["actions"].size(), 1u);
}

TEST_F(CliIncidentTest, ActionItemsAddListOverdueAndDone) {
  ok("declare --title 'Checkout errors' --severity SEV2");
  ok("declare --title 'Search slow' --severity SEV3");
  const std::string added =
      ok("action add 1 --title 'Alert on queue depth' --owner bob --due 2026-12-01 "
         "--priority P2 --type preventive --ticket https://tracker.example/OPS-1");
  EXPECT_TRUE(contains(added, "added action item 1 to incident 1")) << added;
  const std::vector<incident::ActionItem> items = stored_actions(1);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].owner, "bob");
  EXPECT_EQ(items[0].due, parse_rfc3339("2026-12-01T23:59:59.999Z").value()) << "end of the day";
  EXPECT_EQ(items[0].priority, incident::Priority::kP2);
  EXPECT_EQ(items[0].type, incident::ActionType::kPreventive);
  EXPECT_EQ(items[0].ticket_url, "https://tracker.example/OPS-1");
  ok("action add 2 --title 'Add an index' --owner carol");

  EXPECT_TRUE(contains(ok("action list 1"), "Alert on queue depth"));
  EXPECT_FALSE(contains(ok("action list 1"), "Add an index"));
  const std::string everywhere = ok("action list");
  EXPECT_TRUE(contains(everywhere, "Alert on queue depth")) << everywhere;
  EXPECT_TRUE(contains(everywhere, "Add an index")) << everywhere;

  EXPECT_TRUE(contains(ok("action overdue"), "no overdue action items"));
  clock_.advance(10 * 24h);
  const std::string overdue = ok("action overdue");
  EXPECT_TRUE(contains(overdue, "Alert on queue depth")) << overdue;
  EXPECT_TRUE(contains(overdue, "OVERDUE")) << overdue;

  EXPECT_TRUE(contains(ok("action done 1 1"), "action item 1 of incident 1 is done"));
  EXPECT_EQ(stored_actions(1)[0].status, incident::ActionStatus::kDone);
  EXPECT_TRUE(contains(ok("action done 1 1"), "already done"));
  EXPECT_FALSE(contains(ok("action list"), "Alert on queue depth")) << "only open items";
  EXPECT_TRUE(contains(ok("action overdue"), "no overdue action items"));

  const CommandResult missing = run("action done 1 9");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "incident 1 has no action item 9")) << missing.output;
  const CommandResult bad_type = run("action add 1 --title x --owner y --type detect");
  EXPECT_EQ(bad_type.exit_code, 1);
  EXPECT_TRUE(contains(bad_type.output, "type:")) << bad_type.output;
}

// A stand-in agent that records the Authorization header of each request.
class RecordingAgent {
 public:
  RecordingAgent() {
    server_.Get("/api/v1/incidents",
                [this](const httplib::Request& request, httplib::Response& response) {
                  std::lock_guard lock(mutex_);
                  authorization_ = request.has_header("Authorization")
                                       ? request.get_header_value("Authorization")
                                       : "(none)";
                  response.set_content(R"({"incidents": [], "next": null})", "application/json");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())  // so that stop() in the destructor cannot come first
      std::this_thread::yield();
  }
  ~RecordingAgent() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string authorization() {
    std::lock_guard lock(mutex_);
    return authorization_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::string authorization_;
};

TEST(CliIncidentToken, SentFromTheTokenFileOrSloeTokenAndNeverInvented) {
  RecordingAgent agent;
  EXPECT_EQ(run_command("", "incident list --server " + agent.url()).exit_code, 0);
  EXPECT_EQ(agent.authorization(), "(none)");

  EXPECT_EQ(run_command("SLOE_TOKEN=from-env", "incident list --server " + agent.url()).exit_code,
            0);
  EXPECT_EQ(agent.authorization(), "Bearer from-env");

  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("sloe-token-" + std::to_string(::getpid()));
  std::ofstream(file) << "from-file\n";
  EXPECT_EQ(run_command("SLOE_TOKEN=from-env",
                        "incident list --token-file " + file.string() + " --server " + agent.url())
                .exit_code,
            0);
  EXPECT_EQ(agent.authorization(), "Bearer from-file") << "the named file wins over the env";
  std::filesystem::remove(file);

  const CommandResult missing =
      run_command("", "incident list --token-file " + file.string() + " --server " + agent.url());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "cannot read the token file")) << missing.output;
  EXPECT_FALSE(contains(missing.output, "from-file"));
}

}  // namespace
}  // namespace sloe::api

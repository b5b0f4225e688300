// The incident workflow through the real binary with authentication on: an alert from Prometheus
// opens an incident; a responder works it with `sloe incident ...`; a viewer may read but not
// write; the timeline records who did what; the admin reads the audit log.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "agent_process.h"
#include "cli_util.h"

namespace {

using nlohmann::json;
using sloe::testing::run_sloe;

constexpr const char* kResponder = "sloe_e2e_responder_token_0123456789abcdef";
constexpr const char* kViewer = "sloe_e2e_viewer_token_0123456789abcdef";
constexpr const char* kAdmin = "sloe_e2e_admin_token_0123456789abcdef";

// Runs `sloe incident <arguments>` as the holder of token.
sloe::testing::CommandResult incident_cli(const std::string& token, const std::string& server,
                                          const std::string& arguments) {
  ::setenv("SLOE_TOKEN", token.c_str(), 1);
  auto result = run_sloe("incident " + arguments + " --server " + server);
  ::unsetenv("SLOE_TOKEN");
  return result;
}

TEST(IncidentEndToEnd, AnAlertOpensAnIncidentThatRespondersWorkWithTheCli) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-incident-e2e-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "slo");
  ::setenv("SLOE_API_TOKENS",
           (std::string("alice:responder:") + kResponder + ",grafana:viewer:" + kViewer +
            ",ops:admin:" + kAdmin)
               .c_str(),
           1);
  sloe::testing::AgentProcess agent(dir);
  ::unsetenv("SLOE_API_TOKENS");
  ASSERT_NE(agent.port(), 0) << agent.log();
  const std::string server = "http://127.0.0.1:" + std::to_string(agent.port());
  httplib::Client client("127.0.0.1", agent.port());

  // Without a token nothing is accepted; with a responder's, the page is.
  const std::string page = R"([{"labels":{"alertname":"CheckoutErrors","service":"checkout",
      "severity":"page"},"annotations":{"summary":"checkout 5xx above 5%"}}])";
  const auto anonymous = client.Post("/api/v2/alerts", page, "application/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  client.set_bearer_token_auth(kResponder);
  const auto posted = client.Post("/api/v2/alerts", page, "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;

  // The page opened one incident for checkout (the default policy); the viewer can see it. The
  // intake answers once the alert is stored and opens the incident right after.
  sloe::testing::CommandResult listed;
  json incidents;
  for (int attempt = 0; attempt < 100 && incidents.empty(); ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    listed = incident_cli(kViewer, server, "list --json");
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    incidents = json::parse(listed.output)["incidents"];
  }
  ASSERT_EQ(incidents.size(), 1u) << listed.output;
  EXPECT_EQ(incidents[0]["service"], "checkout");
  EXPECT_EQ(incidents[0]["severity"], "SEV2");
  EXPECT_EQ(incidents[0]["title"], "checkout 5xx above 5%");
  const std::string id = std::to_string(incidents[0]["id"].get<int>());

  // A viewer may not change it.
  const auto refused = incident_cli(kViewer, server, "note " + id + " \"I can see it\"");
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("403"), std::string::npos) << refused.output;

  // The responder works it.
  for (const std::string& step : {"ack " + id, "note " + id + " \"rolled back 2026.11.23-2\" --pin",
                                  "action add " + id +
                                      " --title \"Alert on 5xx per pod\" --owner alice "
                                      "--due 2026-12-01 --type detective",
                                  "resolve " + id}) {
    const auto done = incident_cli(kResponder, server, step);
    EXPECT_EQ(done.exit_code, 0) << step << ":\n" << done.output;
  }

  const auto shown = incident_cli(kViewer, server, "show " + id + " --json");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const auto detail = client.Get("/api/v1/incidents/" + id);
  ASSERT_TRUE(detail);
  const json incident = json::parse(detail->body);
  EXPECT_EQ(incident["state"], "resolved");
  EXPECT_FALSE(incident["times"]["acknowledged"].is_null());
  EXPECT_FALSE(incident["times"]["resolved"].is_null());
  EXPECT_FALSE(incident["response_times"]["to_resolve_seconds"].is_null());

  const auto timeline = client.Get("/api/v1/incidents/" + id + "/timeline");
  ASSERT_TRUE(timeline);
  ASSERT_EQ(timeline->status, 200) << timeline->body;
  std::map<std::string, std::string> actor_of;
  const json events = json::parse(timeline->body)["events"];
  for (const json& event : events)
    actor_of[event["kind"].get<std::string>()] = event["actor"].get<std::string>();
  EXPECT_EQ(actor_of["incident_opened"], "sloe");
  EXPECT_EQ(actor_of["alert_fired"], "sloe");
  EXPECT_EQ(actor_of["state_changed"], "alice");
  EXPECT_EQ(actor_of["note"], "alice");
  EXPECT_EQ(actor_of["action_item"], "alice");

  // Only the admin reads the audit log; it names who changed what, and the refused attempt too.
  const auto not_admin = client.Get("/api/v1/audit");
  ASSERT_TRUE(not_admin);
  EXPECT_EQ(not_admin->status, 403);
  httplib::Client admin("127.0.0.1", agent.port());
  admin.set_bearer_token_auth(kAdmin);
  const auto audit = admin.Get("/api/v1/audit?limit=100");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  EXPECT_NE(audit->body.find("\"grafana\""), std::string::npos) << audit->body;
  EXPECT_NE(audit->body.find("/api/v1/incidents/" + id + "/timeline"), std::string::npos);
  EXPECT_EQ(audit->body.find(kResponder), std::string::npos) << "a token is in the audit log";
  EXPECT_EQ(agent.log().find(kResponder), std::string::npos) << "a token is in the log";

  agent.stop(SIGTERM);
  std::filesystem::remove_all(dir);
}

}  // namespace

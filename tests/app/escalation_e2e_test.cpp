// A page from outside reaches the on-call person and stops when they acknowledge — through the
// real `sloe run` process, its HTTP API, the outbox and a real webhook receiver on loopback.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "agent_process.h"
#include "cli_util.h"

namespace {

using namespace std::chrono_literals;

std::string run_cli(const std::string& arguments, int* exit_code) {
  sloe::testing::CommandResult result = sloe::testing::run_sloe(arguments);
  *exit_code = result.exit_code;
  return std::move(result.output);
}

// Records every POST: path and body.
class Receiver {
 public:
  Receiver() {
    server_.Post(R"(/hooks/(.+))", [this](const httplib::Request& request, httplib::Response&) {
      const std::lock_guard lock(mutex_);
      posts_.emplace_back(request.matches[1].str(), request.body);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::pair<std::string, std::string>> posts() {
    const std::lock_guard lock(mutex_);
    return posts_;
  }
  // Waits until a POST to `hook` arrives; its body, or "" after the timeout.
  std::string wait_for(const std::string& hook, std::chrono::seconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& [path, body] : posts()) {
        if (path == hook)
          return body;
      }
      std::this_thread::sleep_for(50ms);
    }
    return "";
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> posts_;
};

std::string query_param(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  if (at == std::string::npos)
    return "";
  const auto begin = at + name.size() + 1;
  return url.substr(begin, url.find('&', begin) - begin);
}

TEST(EscalationEndToEnd, APageFromPrometheusReachesWhoeverIsOnCallUntilAcknowledged) {
  Receiver receiver;
  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-escalation-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "slo");
  std::filesystem::create_directories(dir / "alerts");
  const std::string hooks = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks/";
  std::ofstream(dir / "alerts" / "alertmanager.yml") << R"(route:
  receiver: nobody
  group_by: [alertname, service]
  group_wait: 1s
  routes:
    - matchers: ['severity="page"']
      receiver: pager
receivers:
  - name: nobody
  - name: pager
    webhook_configs: [{ url: ")" + hooks + R"(channel" }]
  - name: page-alice
    webhook_configs: [{ url: ")" + hooks + R"(alice" }]
  - name: page-lead
    webhook_configs: [{ url: ")" + hooks + R"(lead" }]
)";
  std::ofstream(dir / "alerts" / "oncall.yaml") << R"(users:
  - { name: alice, receiver: page-alice }
  - { name: lead, receiver: page-lead }
rotations:
  - { name: solo, users: [alice], shift_length: 1w, start: 2026-01-05T09:00, time_zone: UTC }
schedules:
  - { name: primary, layers: [{ rotation: solo }] }
escalation_policies:
  - name: primary-then-lead
    attach_to_receivers: [pager]
    steps:
      - { schedules: [primary], wait: 1h }
      - { users: [lead] }
# Silences kept as code mute as API silences do.
silences:
  - matchers: ['service="batch"']
    ends_at: 2099-01-01T00:00:00Z
    created_by: ops
    comment: batch alerts are noise until the rewrite lands
)";
  {
    sloe::testing::AgentProcess agent(dir);
    ASSERT_NE(agent.port(), 0) << agent.log();
    const std::string server = "http://127.0.0.1:" + std::to_string(agent.port());
    httplib::Client client("127.0.0.1", agent.port());

    // Prometheus (or Alertmanager's v2 API client) posts an alert.
    const auto posted =
        client.Post("/api/v2/alerts",
                    R"([{"labels":{"alertname":"HighErrorRate","service":"api","severity":"page"},
            "annotations":{"summary":"api 5xx above 5%"}},
           {"labels":{"alertname":"HighErrorRate","service":"batch","severity":"page"}}])",
                    "application/json");
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 200) << posted->body;

    // The route's receiver and, through the escalation policy, the person on call are paged.
    ASSERT_FALSE(receiver.wait_for("channel").empty()) << agent.log();
    const std::string paged = receiver.wait_for("alice");
    ASSERT_FALSE(paged.empty()) << agent.log();
    const nlohmann::json payload = nlohmann::json::parse(paged);
    EXPECT_EQ(payload["version"], "4");
    EXPECT_EQ(payload["receiver"], "page-alice");
    EXPECT_EQ(payload["commonLabels"]["alertname"], "HighErrorRate");
    const std::string ack_url = payload["alerts"][0]["annotations"]["ack_url"];
    ASSERT_EQ(ack_url.rfind(server + "/api/v1/ack?", 0), 0u) << ack_url;
    EXPECT_EQ(payload["alerts"][0]["annotations"]["escalation"],
              "primary-then-lead step 1/2, pass 1/1");

    int code = 0;
    std::string listed = run_cli("escalations list --server " + server, &code);
    EXPECT_EQ(code, 0) << listed;
    EXPECT_NE(listed.find("active"), std::string::npos) << listed;

    // The link: GET shows a confirmation page and changes nothing; a forged one is refused.
    const std::string path_and_query = ack_url.substr(server.size());
    const auto page = client.Get(path_and_query);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("<form method=\"post\">"), std::string::npos) << page->body;
    const std::string sig = query_param(ack_url, "sig");
    std::string forged = path_and_query;
    forged.replace(forged.find(sig), sig.size(), std::string(sig.size(), 'A'));
    const auto refused = client.Post(forged);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << refused->body;
    listed = run_cli("escalations list --server " + server + " --json", &code);
    EXPECT_NE(listed.find("\"state\":\"active\""), std::string::npos) << listed;

    // Acknowledging through the link stops the escalation; a second ack is a conflict.
    const auto acknowledged = client.Post(path_and_query);
    ASSERT_TRUE(acknowledged);
    EXPECT_EQ(acknowledged->status, 200) << acknowledged->body;
    EXPECT_NE(acknowledged->body.find("\"state\":\"acknowledged\""), std::string::npos);
    const std::string id = query_param(ack_url, "subject");
    const std::string again =
        run_cli("escalations ack " + id + " --by bob --server " + server, &code);
    EXPECT_EQ(code, 1) << again;
    EXPECT_NE(again.find("409"), std::string::npos) << again;
    listed = run_cli("escalations list --server " + server, &code);
    EXPECT_NE(listed.find("acknowledged"), std::string::npos) << listed;
    EXPECT_NE(listed.find("signed link"), std::string::npos) << listed;

    // Metrics count what was delivered (refreshed on every evaluation tick).
    const std::string sent = "sloe_notifications_sent_total{receiver=\"page-alice\"} 1";
    std::string exposition;
    for (int i = 0; i < 100 && exposition.find(sent) == std::string::npos; ++i) {
      std::this_thread::sleep_for(50ms);
      const auto metrics = client.Get("/metrics");
      ASSERT_TRUE(metrics);
      exposition = metrics->body;
    }
    EXPECT_NE(exposition.find(sent), std::string::npos) << exposition;
  }
  // The lead was never paged: the acknowledgement came before step 2. The silenced batch alert
  // reached nobody.
  for (const auto& [path, body] : receiver.posts()) {
    EXPECT_NE(path, "lead");
    EXPECT_EQ(body.find("\"batch\""), std::string::npos) << body;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

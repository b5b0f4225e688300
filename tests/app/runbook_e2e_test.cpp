// Issue 5's "done when", through the real binary: an SLO whose probe target fails burns its budget
// fast enough to page; the page opens an incident; the incident's "open" trigger starts the
// runbook matching the page, whose steps call a local HTTP server, run an allowlisted command,
// wait for a responder's approval over the API, call the server again, and end with a manual
// step ticked over the API. The incident's timeline then holds every step's start and result,
// with who did it and what it printed; once resolved with an action item, its postmortem in
// Markdown, JSON and HTML shows those steps, the error budget consumed and the action item.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent_process.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kResponder = "sloe_rb_e2e_responder_token_0123456789abcdef";

// The service the SLO probes (always failing) and the runbook's http steps call.
class LocalTarget {
 public:
  LocalTarget() {
    server_.Get("/checkout", [](const httplib::Request&, httplib::Response& response) {
      response.status = 500;
      response.set_content("broken", "text/plain");
    });
    server_.Post("/drain", [this](const httplib::Request& request, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      calls_.push_back("drain incident=" + request.get_param_value("incident"));
      response.set_content("drained checkout-2", "text/plain");
    });
    server_.Get("/healthy", [this](const httplib::Request&, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      calls_.push_back("healthy");
      response.set_content("all green", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  LocalTarget(const LocalTarget&) = delete;
  LocalTarget& operator=(const LocalTarget&) = delete;
  ~LocalTarget() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> calls() {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

// Polls until `done` holds for what `read` returns (the agent works on its own threads), or a
// generous deadline passes; returns the last value read.
json poll(const std::function<json()>& read, const std::function<bool(const json&)>& done) {
  json last;
  for (int attempt = 0; attempt < 300; ++attempt) {
    last = read();
    if (done(last))
      return last;
    std::this_thread::sleep_for(100ms);
  }
  return last;
}

json get_json(httplib::Client& client, const std::string& path) {
  const auto response = client.Get(path);
  if (!response || response->status != 200)
    return json();
  return json::parse(response->body, nullptr, false);
}

std::string field(const json& event, const std::string& name) {
  const json& fields = event["fields"];
  return fields.contains(name) ? fields[name].get<std::string>() : std::string();
}

TEST(RunbookEndToEnd, ABurningSloRunsItsRunbookWithHttpCommandAndApproval) {
  LocalTarget target;
  ASSERT_GT(target.port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(target.port());
  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-runbook-e2e-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "slo");
  std::filesystem::create_directories(dir / "runbooks");
  std::ofstream(dir / "slo" / "checkout.yaml") << R"(probes:
  - name: checkout
    interval: 100ms
    timeout: 100ms
    http: { url: )" << base << R"(/checkout }
slos:
  - name: checkout-availability
    service: checkout
    objective: 99
    sli: { availability: { probe: checkout } }
)";
  std::ofstream(dir / "sloe.yaml") << R"(runbooks:
  allowed_commands: [/bin/echo]
)";
  std::ofstream(dir / "runbooks" / "checkout-burn.md") << R"(---
title: Checkout burning its budget
applies_to:
  matchers: ['alertname="ErrorBudgetBurn"', 'service="checkout"']
triggers: [open]
steps:
  - id: drain
    title: Drain the bad instance
    http:
      method: POST
      url: ")" << base << R"(/drain?incident={{incident_id}}"
  - id: restart
    title: Restart the checkout workers
    command:
      program: /bin/echo
      args: [restarted, "{{service}}", "{{severity}}"]
  - id: approve-traffic
    title: Approve sending traffic back
    approval: {prompt: "Send traffic back to the drained instance?", expires: 30m}
  - id: confirm
    title: Confirm checkout is healthy
    http: {url: )" << base << R"(/healthy}
  - id: tell-support
    title: Tell support the checkout is back
    manual: true
---
# Checkout burning its budget

## Mitigation
Drain, restart, confirm.
)";

  ::setenv("SLOE_API_TOKENS", (std::string("alice:responder:") + kResponder).c_str(), 1);
  sloe::testing::AgentProcess agent(dir);
  ::unsetenv("SLOE_API_TOKENS");
  ASSERT_NE(agent.port(), 0) << agent.log();
  httplib::Client client("127.0.0.1", agent.port());
  client.set_bearer_token_auth(kResponder);

  // The failing probe pages; the page opens an incident for checkout.
  const json incidents = poll(
      [&] { return get_json(client, "/api/v1/incidents"); },
      [](const json& body) { return body.contains("incidents") && !body["incidents"].empty(); });
  ASSERT_TRUE(incidents.contains("incidents")) << agent.log();
  ASSERT_EQ(incidents["incidents"].size(), 1u) << incidents.dump();
  const std::string id = std::to_string(incidents["incidents"][0]["id"].get<int>());
  const std::string runs_path = "/api/v1/incidents/" + id + "/runbooks";

  // The open trigger started the runbook; its automated steps ran up to the approval.
  json runs = poll([&] { return get_json(client, runs_path); },
                   [](const json& body) {
                     return body.contains("runs") && body["runs"].size() == 1 &&
                            body["runs"][0]["state"] == "waiting_approval";
                   });
  ASSERT_TRUE(runs.contains("runs")) << agent.log();
  ASSERT_EQ(runs["runs"].size(), 1u) << runs.dump();
  const json& run = runs["runs"][0];
  ASSERT_EQ(run["state"], "waiting_approval") << runs.dump() << agent.log();
  EXPECT_EQ(run["runbook"], "checkout-burn");
  EXPECT_EQ(run["trigger"], "open");
  EXPECT_EQ(run["steps"][0]["state"], "succeeded");
  EXPECT_EQ(run["steps"][1]["state"], "succeeded");
  EXPECT_NE(run["steps"][1]["output"].get<std::string>().find("restarted checkout SEV2"),
            std::string::npos)
      << run.dump();
  EXPECT_EQ(run["steps"][2]["state"], "waiting_approval");
  EXPECT_EQ(run["steps"][3]["state"], "pending");
  EXPECT_EQ(target.calls(), std::vector<std::string>{"drain incident=" + id});
  const std::string run_id = std::to_string(run["id"].get<int>());
  const std::string steps_path = runs_path + "/" + run_id + "/steps/";

  // A responder approves; the next http step runs. Ticking the manual step completes the run.
  const auto approved = client.Post(steps_path + "approve-traffic/approve", "", "application/json");
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  runs = poll([&] { return get_json(client, runs_path); },
              [](const json& body) {
                return body.contains("runs") && body["runs"][0]["steps"][3]["state"] == "succeeded";
              });
  ASSERT_EQ(runs["runs"][0]["steps"][3]["state"], "succeeded") << runs.dump();
  EXPECT_EQ(target.calls(), (std::vector<std::string>{"drain incident=" + id, "healthy"}));
  const auto ticked = client.Post(steps_path + "5/tick", "", "application/json");
  ASSERT_TRUE(ticked);
  ASSERT_EQ(ticked->status, 200) << ticked->body;
  EXPECT_EQ(json::parse(ticked->body)["state"], "completed") << ticked->body;
  // Approving again is a conflict: the step already moved on.
  const auto again = client.Post(steps_path + "approve-traffic/approve", "", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;

  // The timeline holds each step's start and result, with actor and output.
  const json timeline = get_json(client, "/api/v1/incidents/" + id + "/timeline?limit=1000");
  ASSERT_TRUE(timeline.contains("events")) << timeline.dump();
  std::map<std::string, json> by_step_result;
  std::vector<std::string> order;
  for (const json& event : timeline["events"]) {
    if (event["kind"] != "runbook_step")
      continue;
    EXPECT_EQ(field(event, "runbook"), "checkout-burn");
    EXPECT_EQ(field(event, "run"), run_id);
    const std::string step = field(event, "step").empty() ? "run" : field(event, "step");
    const std::string key = step + ":" + field(event, "result");
    order.push_back(key);
    by_step_result[key] = event;
  }
  const std::vector<std::string> expected = {
      "run:run_started",          "drain:started",     "drain:succeeded",
      "restart:started",          "restart:succeeded", "approve-traffic:approval_requested",
      "approve-traffic:approved", "confirm:started",   "confirm:succeeded",
      "tell-support:done",        "run:run_completed"};
  EXPECT_EQ(order, expected) << timeline.dump(2);
  EXPECT_EQ(by_step_result["run:run_started"]["actor"], "sloe");
  EXPECT_EQ(by_step_result["drain:started"]["actor"], "sloe");
  EXPECT_NE(by_step_result["drain:succeeded"]["text"].get<std::string>().find("drained checkout-2"),
            std::string::npos)
      << by_step_result["drain:succeeded"].dump();
  EXPECT_NE(by_step_result["restart:succeeded"]["text"].get<std::string>().find(
                "restarted checkout SEV2"),
            std::string::npos)
      << by_step_result["restart:succeeded"].dump();
  EXPECT_EQ(by_step_result["approve-traffic:approved"]["actor"], "alice");
  EXPECT_EQ(by_step_result["confirm:succeeded"]["actor"], "sloe");
  EXPECT_EQ(by_step_result["tell-support:done"]["actor"], "alice");

  // The postmortem of this incident, once resolved with an action item, in all three formats:
  // the runbook's steps on the timeline, the error budget the incident consumed, the action item.
  const std::string incident_path = "/api/v1/incidents/" + id;
  const auto action =
      client.Post(incident_path + "/actions",
                  R"({"title": "Alert on drained instances left out of rotation", "owner": "alice",
                      "due": "2026-12-01T00:00:00Z", "priority": "P2", "type": "preventive"})",
                  "application/json");
  ASSERT_TRUE(action);
  ASSERT_EQ(action->status, 201) << action->body;
  const json current = get_json(client, incident_path);
  ASSERT_TRUE(current.contains("version")) << current.dump();
  const auto resolved = client.Patch(
      incident_path, json{{"version", current["version"]}, {"state", "resolved"}}.dump(),
      "application/json");
  ASSERT_TRUE(resolved);
  ASSERT_EQ(resolved->status, 200) << resolved->body;

  const auto exported = [&](const std::string& format) {
    const auto response = client.Get(incident_path + "/postmortem?format=" + format);
    EXPECT_TRUE(response);
    EXPECT_EQ(response ? response->status : 0, 200) << (response ? response->body : "");
    return response ? response->body : std::string();
  };
  const json document = json::parse(exported("json"), nullptr, false);
  ASSERT_TRUE(document.is_object());
  ASSERT_EQ(document["slos"].size(), 1u) << document.dump(2);
  const json& slo = document["slos"][0];
  EXPECT_EQ(slo["name"], "checkout-availability");
  EXPECT_TRUE(slo["has_data"].get<bool>());
  // Every probe failed while the incident was open: it consumed budget, and a 99% SLO whose
  // window holds only failures has none left.
  EXPECT_GT(slo["budget_consumed_ratio"].get<double>(), 0) << slo.dump();
  EXPECT_LT(slo["budget_left_ratio"].get<double>(), 0) << slo.dump();
  bool restart_on_timeline = false;
  for (const json& row : document["timeline"]) {
    if (row["kind"] == "runbook_step" &&
        row["text"].get<std::string>().find("restart") != std::string::npos)
      restart_on_timeline = true;
  }
  EXPECT_TRUE(restart_on_timeline) << document["timeline"].dump(2);
  ASSERT_EQ(document["actions"].size(), 1u) << document.dump(2);
  EXPECT_EQ(document["actions"][0]["owner"], "alice");

  const std::string markdown = exported("md");
  const std::string html = exported("html");
  for (const std::string* text : {&markdown, &html}) {
    EXPECT_NE(text->find("checkout-availability"), std::string::npos) << *text;
    EXPECT_NE(text->find(slo["budget_consumed"].get<std::string>()), std::string::npos) << *text;
    EXPECT_NE(text->find("Alert on drained instances left out of rotation"), std::string::npos);
    EXPECT_NE(text->find("Restart the checkout workers"), std::string::npos) << *text;
  }
  if (std::filesystem::exists("/usr/bin/xmllint")) {
    const auto html_file = dir / "postmortem.html";
    std::ofstream(html_file) << html;
    const std::string check = "/usr/bin/xmllint --noout " + html_file.string() + " 2>&1";
    EXPECT_EQ(std::system(check.c_str()), 0) << "xmllint rejects the exported HTML";
  }

  agent.stop(SIGTERM);
  std::filesystem::remove_all(dir);
}

}  // namespace

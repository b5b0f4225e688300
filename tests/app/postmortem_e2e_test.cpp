// Postmortems through the real binary: an incident on a service whose SLO is failing is declared,
// worked (note, action item), given a narrative with `sloe postmortem narrative`, and exported in
// Markdown, JSON and HTML — with the CLI and the API — showing every section, the timeline, the
// action items and the SLO's numbers. A replacement template in <config>/templates/ is used.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "agent_process.h"
#include "cli_util.h"

namespace {

using nlohmann::json;
using sloe::testing::run_sloe;

constexpr const char* kResponder = "sloe_pm_responder_token_0123456789abcdef";
constexpr const char* kViewer = "sloe_pm_viewer_token_0123456789abcdef";

// A target whose /pay always fails: the checkout SLO burns while the incident is open.
class FailingTarget {
 public:
  FailingTarget() {
    server_.Get("/pay", [](const httplib::Request&, httplib::Response& response) {
      response.status = 503;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FailingTarget() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

sloe::testing::CommandResult sloe_as(const std::string& token, const std::string& arguments) {
  ::setenv("SLOE_TOKEN", token.c_str(), 1);
  auto result = run_sloe(arguments);
  ::unsetenv("SLOE_TOKEN");
  return result;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_contains(const std::string& text, const std::string& part, const std::string& what) {
  EXPECT_NE(text.find(part), std::string::npos) << what << " lacks '" << part << "':\n" << text;
}

class PostmortemEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sloe-postmortem-e2e-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "slo");
    std::ofstream(dir_ / "slo" / "checkout.yaml") << R"(probes:
  - name: pay
    interval: 100ms
    timeout: 100ms
    http: { url: http://127.0.0.1:)" + std::to_string(target_.port()) +
                                                         R"(/pay }
slos:
  - name: checkout-availability
    service: checkout
    objective: 99.9
    sli: { availability: { probe: pay } }
)";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  FailingTarget target_;
  std::filesystem::path dir_;
};

TEST_F(PostmortemEndToEnd, ANarratedIncidentExportsInEveryFormat) {
  ::setenv("SLOE_API_TOKENS",
           (std::string("alice:responder:") + kResponder + ",grafana:viewer:" + kViewer).c_str(),
           1);
  sloe::testing::AgentProcess agent(dir_);
  ::unsetenv("SLOE_API_TOKENS");
  ASSERT_NE(agent.port(), 0) << agent.log();
  const std::string server = " --server http://127.0.0.1:" + std::to_string(agent.port());
  httplib::Client responder("127.0.0.1", agent.port());
  responder.set_bearer_token_auth(kResponder);
  httplib::Client viewer("127.0.0.1", agent.port());
  viewer.set_bearer_token_auth(kViewer);

  const auto declared = responder.Post(
      "/api/v1/incidents",
      R"({"title": "Checkout payments failing", "severity": "SEV2", "service": "checkout",
          "summary": "Every payment answers 503", "commander": "alice"})",
      "application/json");
  ASSERT_TRUE(declared);
  ASSERT_EQ(declared->status, 201) << declared->body;
  const std::string id = std::to_string(json::parse(declared->body)["id"].get<int>());
  const std::string path = "/api/v1/incidents/" + id;

  for (const std::string& step :
       {"incident note " + id + " \"rolled back release 2026.11.23-2\" --pin",
        "incident action add " + id +
            " --title \"Alert on 503 per pod\" --owner alice --due 2026-12-01 --type detective"}) {
    const auto done = sloe_as(kResponder, step + server);
    ASSERT_EQ(done.exit_code, 0) << step << ":\n" << done.output;
  }

  // The narrative from a file; a secret pasted into it is redacted before it is stored.
  const auto narrative_file = dir_ / "narrative.json";
  std::ofstream(narrative_file) << R"({
    "root_cause": "A config push removed the payment provider's host",
    "contributing_factors": ["no canary for config", "password=hunter2hunter2 in the push"],
    "resolution": "Rolled the config back",
    "went_well": ["the page reached alice in a minute"],
    "went_wrong": ["the rollback took 20 minutes"],
    "got_lucky": ["it happened at low traffic"],
    "links": ["https://tickets.example/PAY-42"]
  })";
  const auto viewer_put = sloe_as(
      kViewer, "postmortem narrative " + id + " --file " + narrative_file.string() + server);
  EXPECT_NE(viewer_put.exit_code, 0) << viewer_put.output;
  expect_contains(viewer_put.output, "403", "a viewer's narrative write");
  const auto put = sloe_as(
      kResponder, "postmortem narrative " + id + " --file " + narrative_file.string() + server);
  ASSERT_EQ(put.exit_code, 0) << put.output;
  expect_contains(put.output, "version 1", "the first narrative write");
  // A second write reads the version first, so it does not need to name it.
  const auto again = sloe_as(
      kResponder, "postmortem narrative " + id + " --file " + narrative_file.string() + server);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  expect_contains(again.output, "version 2", "the second narrative write");
  const auto stored = viewer.Get(path + "/postmortem/narrative");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  const json narrative = json::parse(stored->body);
  EXPECT_EQ(narrative["updated_by"], "alice");
  EXPECT_EQ(stored->body.find("hunter2hunter2"), std::string::npos) << stored->body;

  // The SLO's failures reach the incident window once a few probes have run since declaring.
  json document;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto exported = viewer.Get(path + "/postmortem?format=json");
    ASSERT_TRUE(exported);
    ASSERT_EQ(exported->status, 200) << exported->body;
    EXPECT_EQ(exported->get_header_value("Content-Type"), "application/json");
    document = json::parse(exported->body);
    if (!document["slos"].empty() && document["slos"][0]["total_events"] != "0")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(document["incident_id"].get<int>(), std::stoi(id));
  EXPECT_EQ(document["title"], "Checkout payments failing");
  EXPECT_EQ(document["root_cause"], "A config push removed the payment provider's host");
  ASSERT_EQ(document["slos"].size(), 1u) << document.dump(2);
  EXPECT_EQ(document["slos"][0]["name"], "checkout-availability");
  EXPECT_NE(document["slos"][0]["total_events"], "0") << document.dump(2);
  EXPECT_EQ(document["slos"][0]["bad_events"], document["slos"][0]["total_events"]);
  ASSERT_EQ(document["actions"].size(), 1u);
  EXPECT_EQ(document["actions"][0]["title"], "Alert on 503 per pod");
  expect_contains(document["timeline"].dump(), "rolled back release 2026.11.23-2", "the timeline");

  // Markdown and HTML from the CLI, to files.
  for (const std::string format : {"md", "html"}) {
    const auto out = dir_ / ("postmortem." + format);
    const auto exported =
        sloe_as(kViewer, "postmortem " + id + " --format " + format + " --tz Europe/Berlin --out " +
                             out.string() + server);
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    const std::string text = read(out);
    const std::string heading = format == "md" ? "## " : "<h2>";
    for (const char* section :
         {"Summary", "Impact", "Detection", "Response timeline", "Root cause", "Resolution",
          "Lessons learned", "Action items", "Supporting links"}) {
      expect_contains(text, heading + section, format);
    }
    expect_contains(text, "Checkout payments failing", format);
    expect_contains(text, "rolled back release 2026.11.23-2", format);
    expect_contains(text, "Alert on 503 per pod", format);
    expect_contains(text, "checkout-availability", format);
    expect_contains(text, "the rollback took 20 minutes", format);
    expect_contains(text, "https://tickets.example/PAY-42", format);
    expect_contains(text, "CET", format);  // the second zone beside UTC
    EXPECT_EQ(text.find("hunter2hunter2"), std::string::npos) << format;
  }

  // The same from the API, with the documented content types; bad parameters are named.
  const auto markdown = viewer.Get(path + "/postmortem");
  ASSERT_TRUE(markdown);
  EXPECT_EQ(markdown->status, 200);
  EXPECT_EQ(markdown->get_header_value("Content-Type"), "text/markdown; charset=utf-8");
  expect_contains(markdown->body, "## Action items", "the API's Markdown");
  const auto html = viewer.Get(path + "/postmortem?format=html");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->get_header_value("Content-Type"), "text/html; charset=utf-8");
  expect_contains(html->body, "<h2>Response timeline</h2>", "the API's HTML");
  const auto bad_zone = viewer.Get(path + "/postmortem?tz=Mars/Olympus");
  ASSERT_TRUE(bad_zone);
  EXPECT_EQ(bad_zone->status, 400);
  expect_contains(bad_zone->body, "\"field\":\"tz\"", "an unknown zone");
  const auto unknown = viewer.Get("/api/v1/incidents/999/postmortem");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  // A template rendered by the CLI from the exported JSON.
  const auto template_file = dir_ / "short.mustache";
  std::ofstream(template_file) << "PM {{incident_id}}: {{title}}\n"
                                  "{{#actions}}- {{title}} ({{owner}})\n{{/actions}}";
  const auto templated =
      sloe_as(kViewer, "postmortem " + id + " --template " + template_file.string() + server);
  ASSERT_EQ(templated.exit_code, 0) << templated.output;
  expect_contains(templated.output, "PM " + id + ": Checkout payments failing", "the template");
  expect_contains(templated.output, "- Alert on 503 per pod (alice)", "the template");

  agent.stop(SIGTERM);
}

TEST_F(PostmortemEndToEnd, AReplacementTemplateInTheConfigFolderIsUsed) {
  std::filesystem::create_directories(dir_ / "templates");
  std::ofstream(dir_ / "templates" / "postmortem.md.mustache")
      << "Our own layout for {{title}} ({{severity}})\n";
  sloe::testing::AgentProcess agent(dir_);
  ASSERT_NE(agent.port(), 0) << agent.log();
  httplib::Client client("127.0.0.1", agent.port());
  const auto declared = client.Post(
      "/api/v1/incidents", R"({"title": "Slow search", "severity": "SEV3"})", "application/json");
  ASSERT_TRUE(declared);
  ASSERT_EQ(declared->status, 201) << declared->body;
  const std::string id = std::to_string(json::parse(declared->body)["id"].get<int>());
  const auto exported =
      run_sloe("postmortem " + id + " --url http://127.0.0.1:" + std::to_string(agent.port()));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_EQ(exported.output, "Our own layout for Slow search (SEV3)\n");
  // HTML has no replacement here: the built-in template answers.
  const auto html = client.Get("/api/v1/incidents/" + id + "/postmortem?format=html");
  ASSERT_TRUE(html);
  expect_contains(html->body, "<h2>Action items</h2>", "the built-in HTML");
  agent.stop(SIGTERM);
}

}  // namespace

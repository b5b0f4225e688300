// The runbook endpoints and the runbook page over a real socket, answering through an in-memory
// RunbookService: shapes documented in src/api/runbook_json.h, status codes (201, 400 naming the
// field, 404, 409, 503), and a page that is self-contained, escaped and well-formed.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fake_runbook_service.h"
#include "runbook_page.h"
#include "sloe/api/server.h"
#include "sloe/config/loader.h"
#include "sloe/core/time_format.h"
#include "xml_check.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kNow = parse_rfc3339("2026-11-23T10:00:00.250Z").value();
const std::string kSecretHeaderValue = "s3cr3t-header-value";

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items())
    keys.insert(key);
  return keys;
}

class RunbookApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_.add_incident(7);
    server_.set_runbook_routes(RunbookRoutes{&service_, &clock_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }

  json expect(int status, const httplib::Result& response) {
    EXPECT_TRUE(response);
    if (!response)
      return json();
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
    EXPECT_FALSE(contains(response->body, kSecretHeaderValue)) << "answer holds a header value";
    return json::parse(response->body, nullptr, false);
  }
  json get(const std::string& path, int status = 200) { return expect(status, client_->Get(path)); }
  json post(const std::string& path, const std::string& body, int status) {
    return expect(status, client_->Post(path, body, "application/json"));
  }
  // The error of a refused answer: its status and the field it names.
  void refused(const json& body, const std::string& field) {
    ASSERT_TRUE(body.is_object() && body.contains("error")) << body;
    EXPECT_EQ(body["error"].value("field", ""), field) << body;
    EXPECT_FALSE(body["error"].value("message", "").empty()) << body;
  }

  json start_run() {
    return post("/api/v1/incidents/7/runbooks", R"({"runbook": "slo-fast-burn"})", 201);
  }
  std::string step_path(const std::string& step, const std::string& action, int run = 1) {
    return "/api/v1/incidents/7/runbooks/" + std::to_string(run) + "/steps/" + step + "/" + action;
  }

  ManualClock clock_{kNow};
  testing::FakeRunbookService service_{clock_,
                                       {testing::sample_runbook(), testing::plain_runbook()}};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RunbookApiTest, ListNamesEveryRunbookWithItsStepsButNotItsSections) {
  const json list = get("/api/v1/runbooks");
  ASSERT_EQ(list["runbooks"].size(), 2u);
  EXPECT_EQ(list["runbooks"][0]["name"], "backup-restore");  // name order
  const json& book = list["runbooks"][1];
  EXPECT_EQ(keys_of(book), (std::set<std::string>{"name", "title", "file", "url", "applies_to",
                                                  "triggers", "recovery", "steps"}));
  EXPECT_EQ(book["title"], "Error budget fast burn");
  EXPECT_EQ(book["url"], "/runbooks/slo-fast-burn");
  EXPECT_EQ(book["applies_to"]["matchers"],
            json({"alertname=\"ErrorBudgetBurn\"", "severity=~\"page|ticket\""}));
  EXPECT_EQ(book["applies_to"]["services"], json({"checkout"}));
  EXPECT_EQ(book["applies_to"]["severities"], json({"SEV1", "SEV2"}));
  EXPECT_EQ(book["triggers"], json({"open", "severity_change"}));
  EXPECT_EQ(book["recovery"], json({{"rpo", "1d"}, {"rto", "1h"}}));
  ASSERT_EQ(book["steps"].size(), 5u);
  EXPECT_EQ(list["runbooks"][0]["recovery"], json({{"rpo", nullptr}, {"rto", nullptr}}));
  EXPECT_EQ(list["runbooks"][0]["applies_to"]["matchers"], json::array());
  EXPECT_EQ(list["runbooks"][0]["steps"], json::array());

  const json other_params = get("/api/v1/runbooks?name=x", 400);
  refused(other_params, "name");
}

TEST_F(RunbookApiTest, EachStepKindShowsWhatItDoesButNoHeaderValue) {
  const json steps = get("/api/v1/runbooks/slo-fast-burn")["steps"];
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0], json({{"index", 1},
                            {"id", "look"},
                            {"title", "Look at the dashboard"},
                            {"description", ""},
                            {"kind", "manual"},
                            {"automated", false}}));
  EXPECT_EQ(steps[1]["kind"], "http");
  EXPECT_EQ(steps[1]["automated"], true);
  EXPECT_EQ(steps[1]["method"], "GET");
  EXPECT_EQ(steps[1]["url"], "https://checkout.internal/healthz?incident={{incident_id}}");
  EXPECT_EQ(steps[1]["header_names"], json({"Authorization", "X-Api-Key"}));
  EXPECT_EQ(steps[1]["expect_status"], json({"200-299", "304"}));
  EXPECT_EQ(steps[1]["timeout"], "10s");
  EXPECT_FALSE(steps[1].contains("headers"));
  EXPECT_FALSE(contains(steps.dump(), "CHECKOUT_API_KEY")) << "not even the variable's name";
  EXPECT_EQ(steps[2]["kind"], "approval");
  EXPECT_EQ(steps[2]["prompt"], "Restart checkout?");
  EXPECT_EQ(steps[2]["expires"], "15m");
  EXPECT_EQ(steps[3]["kind"], "command");
  EXPECT_EQ(steps[3]["program"], "/usr/bin/systemctl");
  EXPECT_EQ(steps[3]["args"], json({"restart", "checkout service"}));
  EXPECT_EQ(steps[3]["timeout"], "1m");
  EXPECT_EQ(steps[3]["description"], "Restarts **every** replica.");
  EXPECT_EQ(steps[4]["kind"], "notify");
  EXPECT_EQ(steps[4]["receiver"], "team-payments");
  EXPECT_EQ(steps[4]["index"], 5);
}

TEST_F(RunbookApiTest, OneRunbookCarriesItsSectionsAndAnUnknownOneIs404) {
  const json book = get("/api/v1/runbooks/slo-fast-burn");
  EXPECT_EQ(book["name"], "slo-fast-burn");
  ASSERT_TRUE(book.contains("sections"));
  EXPECT_EQ(keys_of(book["sections"]),
            (std::set<std::string>{"meaning", "impact", "diagnosis", "mitigation"}));
  EXPECT_EQ(book["sections"]["mitigation"],
            "Roll back with `sloe deploy rollback` & tell the team.");
  refused(get("/api/v1/runbooks/no-such-book", 404), "name");

  service_.set_unavailable(true);
  const json down = get("/api/v1/runbooks/slo-fast-burn", 503);
  EXPECT_TRUE(contains(down["error"]["message"].get<std::string>(), "retry"));
}

TEST_F(RunbookApiTest, StartingARunAnswers201WithTheRun) {
  const json run = start_run();
  EXPECT_EQ(keys_of(run),
            (std::set<std::string>{"id", "incident_id", "runbook", "trigger", "state", "started_by",
                                   "created_at", "updated_at", "version", "steps"}));
  EXPECT_EQ(run["id"], 1);
  EXPECT_EQ(run["incident_id"], 7);
  EXPECT_EQ(run["runbook"], "slo-fast-burn");
  EXPECT_EQ(run["trigger"], "manual");
  EXPECT_EQ(run["state"], "active");
  EXPECT_EQ(run["started_by"], "anonymous");  // authentication off
  EXPECT_EQ(run["created_at"], "2026-11-23T10:00:00.250Z");
  ASSERT_EQ(run["steps"].size(), 5u);
  const json& first = run["steps"][0];
  EXPECT_EQ(keys_of(first),
            (std::set<std::string>{"index", "id", "state", "attempts", "started_at", "finished_at",
                                   "expires_at", "actor", "output", "error", "status_code"}));
  EXPECT_EQ(first["index"], 1);
  EXPECT_EQ(first["id"], "look");
  EXPECT_EQ(first["state"], "pending");
  EXPECT_TRUE(first["started_at"].is_null());
  EXPECT_EQ(service_.last_actor(), "anonymous");

  const json runs = get("/api/v1/incidents/7/runbooks");
  ASSERT_EQ(runs["runs"].size(), 1u);
  EXPECT_EQ(runs["runs"][0], run);
}

TEST_F(RunbookApiTest, StartRequestsAreValidatedAndRefusalsNameTheField) {
  const std::string path = "/api/v1/incidents/7/runbooks";
  refused(post(path, "", 400), "");
  refused(post(path, "[]", 400), "");
  refused(post(path, "{}", 400), "runbook");
  refused(post(path, R"({"runbook": 3})", 400), "runbook");
  refused(post(path, R"({"runbook": ""})", 400), "runbook");
  refused(post(path, R"({"runbook": "slo-fast-burn", "by": "me"})", 400), "by");
  refused(post(path, R"({"runbook": "nope"})", 404), "runbook");
  refused(post("/api/v1/incidents/8/runbooks", R"({"runbook": "slo-fast-burn"})", 404), "id");
  refused(post("/api/v1/incidents/abc/runbooks", R"({"runbook": "slo-fast-burn"})", 404), "id");
  refused(get("/api/v1/incidents/0/runbooks", 404), "id");
  refused(get("/api/v1/incidents/8/runbooks", 404), "id");
}

TEST_F(RunbookApiTest, StepActionsMapToTheServiceAndItsRefusals) {
  start_run();
  // Tick the checklist item, by id.
  json run = post(step_path("look", "tick"), "", 200);
  EXPECT_EQ(run["steps"][0]["state"], "done");
  EXPECT_EQ(run["steps"][0]["actor"], "anonymous");
  ASSERT_TRUE(service_.last_act().has_value());
  EXPECT_EQ(service_.last_act()->step, "look");
  EXPECT_EQ(service_.last_act()->action, StepAction::kTick);
  EXPECT_EQ(service_.last_act()->run_id, 1);

  // Ticking it again, approving an approval not requested yet, ticking an http step: 409.
  refused(post(step_path("look", "tick"), "", 409), "state");
  refused(post(step_path("approve-restart", "approve"), "{}", 409), "state");
  refused(post(step_path("2", "tick"), "", 409), "step");

  // Skipping the http step (by its number) reaches the approval, which can then be approved.
  run = post(step_path("2", "skip"), "", 200);
  EXPECT_EQ(run["steps"][1]["state"], "skipped");
  EXPECT_EQ(run["steps"][2]["state"], "waiting_approval");
  EXPECT_EQ(run["steps"][2]["expires_at"], "2026-11-23T10:15:00.250Z");
  EXPECT_EQ(run["state"], "waiting_approval");
  run = post(step_path("approve-restart", "approve"), "", 200);
  EXPECT_EQ(run["steps"][2]["state"], "succeeded");
  EXPECT_EQ(service_.last_act()->action, StepAction::kApprove);

  for (const auto& [text, action] :
       {std::pair{"reject", StepAction::kReject}, std::pair{"retry", StepAction::kRetry}}) {
    post(step_path("restart", text), "", 409);
    EXPECT_EQ(service_.last_act()->action, action);
  }
}

TEST_F(RunbookApiTest, BadStepActionOrRunAreRefusedBeforeTheService) {
  start_run();
  const json bad_action = post(step_path("look", "approves"), "", 400);
  refused(bad_action, "action");
  EXPECT_TRUE(contains(bad_action["error"]["message"].get<std::string>(), "'approve'"))
      << bad_action;
  refused(post(step_path("Look!", "tick"), "", 400), "step");
  refused(post(step_path(std::string(65, 'a'), "tick"), "", 400), "step");
  refused(post(step_path("look", "tick"), R"({"comment": "x"})", 400), "comment");
  refused(post(step_path("look", "tick"), "not json", 400), "");
  EXPECT_FALSE(service_.last_act().has_value()) << "a refused request reached the service";

  refused(post("/api/v1/incidents/7/runbooks/x/steps/look/tick", "", 404), "run");
  refused(post(step_path("look", "tick", 9), "", 404), "run");
  refused(post(step_path("no-such-step", "tick"), "", 404), "step");
  refused(post(step_path("6", "tick"), "", 404), "step");
  refused(post("/api/v1/incidents/8/runbooks/1/steps/look/tick", "", 404), "id");

  service_.set_unavailable(true);
  post(step_path("look", "tick"), "", 503);
}

class RunbookPageTest : public RunbookApiTest {};

TEST_F(RunbookPageTest, TheRunbookPageIsSelfContainedEscapedAndWellFormed) {
  const auto response = client_->Get("/runbooks/slo-fast-burn");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(
      contains(response->get_header_value("Content-Security-Policy"), "default-src 'none'"));
  EXPECT_EQ(response->get_header_value("X-Content-Type-Options"), "nosniff");
  const std::string& html = response->body;

  // What a responder needs: title, applies-to, recovery targets, sections, numbered steps.
  EXPECT_TRUE(contains(html, "<h1>Error budget fast burn</h1>")) << html;
  EXPECT_TRUE(contains(html, "<code>alertname=&quot;ErrorBudgetBurn&quot;</code>"));
  EXPECT_TRUE(contains(html, "<code>checkout</code>"));
  EXPECT_TRUE(contains(html, "SEV1 or SEV2"));
  EXPECT_TRUE(contains(html, "RPO 1d"));
  EXPECT_TRUE(contains(html, "RTO 1h"));
  for (const char* heading : {"Meaning", "Impact", "Diagnosis", "Mitigation", "Steps"})
    EXPECT_TRUE(contains(html, std::string("<h2>") + heading + "</h2>")) << heading;
  EXPECT_TRUE(contains(html, "<ol class=\"steps\">"));
  EXPECT_LT(html.find("Look at the dashboard"), html.find("Check the health endpoint"));
  EXPECT_LT(html.find("Check the health endpoint"), html.find("Tell the team"));
  EXPECT_TRUE(contains(html,
                       "<code>GET https://checkout.internal/healthz?incident={{incident_id}}"
                       "</code>"));
  EXPECT_TRUE(contains(html, "<code>Authorization</code>"));
  EXPECT_TRUE(contains(html, "<code>/usr/bin/systemctl restart &#39;checkout service&#39;</code>"));
  EXPECT_TRUE(contains(html, "<code>team-payments</code>"));
  EXPECT_TRUE(contains(html, "Restart checkout?"));
  EXPECT_TRUE(contains(html, "Restarts <strong>every</strong> replica."));
  EXPECT_TRUE(contains(html, "<a href=\"https://grafana.example/d/checkout\">the dashboard</a>"));
  EXPECT_TRUE(contains(html, "<pre><code class=\"language-sh\">"));

  // Nothing runs, nothing loads, nothing leaks.
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_FALSE(contains(html, "href=\"javascript:")) << html;
  EXPECT_FALSE(contains(html, " src=")) << html;
  EXPECT_FALSE(contains(html, "<link")) << html;
  EXPECT_FALSE(contains(html, "@import")) << html;
  EXPECT_FALSE(contains(html, kSecretHeaderValue));
  EXPECT_FALSE(contains(html, "CHECKOUT_API_KEY"));
  EXPECT_TRUE(contains(html, "@media print"));

  if (testing::have_xmllint()) {
    EXPECT_EQ(testing::xml_errors(html), "");
  }
}

TEST_F(RunbookPageTest, ARunbookWithoutSectionsShowsItsBody) {
  const auto response = client_->Get("/runbooks/backup-restore");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  EXPECT_TRUE(contains(response->body, "Run <code>sloe backup</code>.")) << response->body;
  EXPECT_TRUE(contains(response->body, "nothing automatically")) << response->body;
  EXPECT_TRUE(contains(response->body, "none stated")) << response->body;
  EXPECT_FALSE(contains(response->body, "<h2>Meaning</h2>"));
  if (testing::have_xmllint()) {
    EXPECT_EQ(testing::xml_errors(response->body), "");
  }
}

TEST_F(RunbookPageTest, AnUnknownRunbookIsA404PageThatEscapesTheName) {
  const auto response = client_->Get("/runbooks/%3Cscript%3Ealert(1)");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_FALSE(contains(response->body, "<script")) << response->body;
  EXPECT_TRUE(contains(response->body, "No runbook named")) << response->body;
  if (testing::have_xmllint()) {
    EXPECT_EQ(testing::xml_errors(response->body), "");
  }
}

TEST(ShippedRunbooks, EveryShippedRunbookRendersAsAWellFormedPage) {
  const config::LoadResult loaded = config::load_config(SLOE_SOURCE_DIR);
  ASSERT_TRUE(loaded.ok());
  ASSERT_GE(loaded.config->runbooks.size(), 5u);
  for (const runbook::Runbook& book : loaded.config->runbooks) {
    SCOPED_TRACE(book.name);
    const std::string html = runbook_page_html(book);
    EXPECT_TRUE(contains(html, "<h1>")) << html;
    EXPECT_FALSE(contains(html, "<script"));
    if (testing::have_xmllint()) {
      EXPECT_EQ(testing::xml_errors(html), "");
    }
  }
}

}  // namespace
}  // namespace sloe::api

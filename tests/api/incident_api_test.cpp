// The incident endpoints over a real socket, answering through an in-memory IncidentService:
// request parsing (a 400 naming each bad field), status codes (201, 404, 409, 503), filters,
// pages, and the JSON shapes documented in src/api/incident_json.h.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fake_incident_service.h"
#include "incident_routes.h"
#include "sloe/api/server.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kNow = parse_rfc3339("2026-11-23T10:00:00.250Z").value();
constexpr const char* kIncidents = "/api/v1/incidents";

class IncidentApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_incident_routes(IncidentRoutes{&service_, &clock_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }

  static json parsed(const httplib::Result& response) {
    EXPECT_TRUE(response) << "no answer";
    if (!response)
      return json();
    EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
    return json::parse(response->body);
  }

  json expect(int status, const httplib::Result& response) {
    EXPECT_TRUE(response);
    if (!response)
      return json();
    EXPECT_EQ(response->status, status) << response->body;
    return parsed(response);
  }

  json get(const std::string& path, int status = 200) { return expect(status, client_->Get(path)); }
  json post(const std::string& path, const json& body, int status = 201) {
    return expect(status, client_->Post(path, body.dump(), "application/json"));
  }
  json patch(const std::string& path, const json& body, int status = 200) {
    return expect(status, client_->Patch(path, body.dump(), "application/json"));
  }

  json declare(const json& body) { return post(kIncidents, body); }
  json declare_titled(const std::string& title) {
    return declare(json{{"title", title}, {"severity", "SEV2"}});
  }

  // The error of a refused answer: checks the status and the field it names ("" for none).
  static json refused(int status, const httplib::Result& response, const std::string& field,
                      const std::string& what) {
    EXPECT_TRUE(response) << what;
    if (!response)
      return json();
    EXPECT_EQ(response->status, status) << what << " -> " << response->body;
    const json body = json::parse(response->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << what << " -> " << response->body;
    if (!body.is_object() || !body.contains("error"))
      return json();
    const json error = body["error"];
    EXPECT_EQ(error.value("field", ""), field) << what << " -> " << response->body;
    EXPECT_FALSE(error.value("message", "").empty()) << what;
    return error;
  }

  json bad_post(const std::string& path, const std::string& body, const std::string& field) {
    return refused(400, client_->Post(path, body, "application/json"), field, body);
  }
  json bad_patch(const std::string& path, const std::string& body, const std::string& field,
                 int status = 400) {
    return refused(status, client_->Patch(path, body, "application/json"), field, body);
  }
  json bad_get(const std::string& path, const std::string& field, int status = 400) {
    return refused(status, client_->Get(path), field, path);
  }

  ManualClock clock_{kNow};
  testing::FakeIncidentService service_{clock_};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(IncidentApiTest, DeclareAnswers201WithTheDocumentedIncidentShape) {
  const auto response = client_->Post(kIncidents,
                                      json{{"title", "Checkout errors"},
                                           {"severity", "SEV2"},
                                           {"summary", "5xx on /pay"},
                                           {"service", "checkout"},
                                           {"impact_started", "2026-11-23T11:55:00+02:00"},
                                           {"labels", {{"team", "payments"}}},
                                           {"commander", "alice"}}
                                          .dump(),
                                      "application/json");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 201) << response->body;
  EXPECT_EQ(response->get_header_value("Location"), "/api/v1/incidents/1");
  const json incident = parsed(response);

  const std::set<std::string> keys{"id",         "title",      "summary",    "service",
                                   "state",      "severity",   "test",       "version",
                                   "labels",     "times",      "roles",      "role_history",
                                   "created_at", "updated_at", "created_by", "response_times"};
  std::set<std::string> actual;
  for (const auto& [key, value] : incident.items())
    actual.insert(key);
  EXPECT_EQ(actual, keys);

  EXPECT_EQ(incident["id"], 1);
  EXPECT_EQ(incident["title"], "Checkout errors");
  EXPECT_EQ(incident["summary"], "5xx on /pay");
  EXPECT_EQ(incident["service"], "checkout");
  EXPECT_EQ(incident["state"], "triage");
  EXPECT_EQ(incident["severity"], "SEV2");
  EXPECT_EQ(incident["test"], false);
  EXPECT_EQ(incident["version"], 1);
  EXPECT_EQ(incident["labels"], (json{{"team", "payments"}}));
  // UTC with milliseconds; the offset in the request is converted.
  EXPECT_EQ(incident["times"]["impact_started"], "2026-11-23T09:55:00.000Z");
  EXPECT_EQ(incident["times"]["detected"], "2026-11-23T10:00:00.250Z");
  EXPECT_TRUE(incident["times"]["acknowledged"].is_null());
  EXPECT_TRUE(incident["times"]["closed"].is_null());
  EXPECT_EQ(incident["roles"], (json{{"commander", "alice"}}));
  ASSERT_EQ(incident["role_history"].size(), 1u);
  EXPECT_EQ(incident["role_history"][0], (json{{"role", "commander"},
                                               {"person", "alice"},
                                               {"since", "2026-11-23T10:00:00.250Z"},
                                               {"until", nullptr},
                                               {"assigned_by", "anonymous"}}));
  EXPECT_EQ(incident["created_at"], "2026-11-23T10:00:00.250Z");
  EXPECT_EQ(incident["created_by"], "anonymous");  // authentication off: the anonymous principal
  EXPECT_DOUBLE_EQ(incident["response_times"]["to_detect_seconds"].get<double>(), 300.25);
  EXPECT_TRUE(incident["response_times"]["to_acknowledge_seconds"].is_null());
  EXPECT_TRUE(incident["response_times"]["to_resolve_seconds"].is_null());
  EXPECT_EQ(service_.last_actor(), "anonymous");
}

TEST_F(IncidentApiTest, DeclareDefaultsToSev3AndANonTestIncident) {
  const json incident = declare(json{{"title", "Latency"}});
  EXPECT_EQ(incident["severity"], "SEV3");
  EXPECT_EQ(incident["test"], false);
  EXPECT_EQ(incident["roles"], json::object());
  EXPECT_EQ(declare(json{{"title", "Drill"}, {"test", true}, {"severity", "sev1"}})["severity"],
            "SEV1");
}

TEST_F(IncidentApiTest, DeclareRefusesEachBadFieldByName) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", ""},
      {"[1, 2]", ""},
      {R"({})", "title"},
      {R"({"title": ""})", "title"},
      {R"({"title": 7})", "title"},
      {R"({"title": "x", "severity": "SEV5"})", "severity"},
      {R"({"title": "x", "severity": 1})", "severity"},
      {R"({"title": "x", "summary": ["a"]})", "summary"},
      {R"({"title": "x", "service": null})", "service"},
      {R"({"title": "x", "impact_started": "yesterday"})", "impact_started"},
      {R"({"title": "x", "impact_started": "2026-11-23T10:00:00"})", "impact_started"},
      {R"({"title": "x", "test": "yes"})", "test"},
      {R"({"title": "x", "labels": ["a"]})", "labels"},
      {R"({"title": "x", "labels": {"bad-name": "v"}})", "labels.bad-name"},
      {R"({"title": "x", "labels": {"team": 5}})", "labels.team"},
      {R"({"title": "x", "commander": {}})", "commander"},
      {R"({"title": "x", "sevrity": "SEV1"})", "sevrity"},
  };
  for (const auto& [body, field] : cases)
    bad_post(kIncidents, body, field);
  const json typo = bad_post(kIncidents, R"({"title": "x", "sevrity": "SEV1"})", "sevrity");
  EXPECT_NE(typo["message"].get<std::string>().find("did you mean 'severity'?"), std::string::npos)
      << typo;
  // The service's own rules come back as 400 too, naming the field it gave.
  bad_post(kIncidents, json{{"title", std::string(201, 'x')}}.dump(), "title");
  EXPECT_EQ(get(kIncidents)["incidents"].size(), 0u) << "nothing was declared";
}

TEST_F(IncidentApiTest, GetAnswersTheDetailOr404NamingTheId) {
  declare_titled("Checkout errors");
  service_.link_alert(1, "0123456789abcdef");
  post("/api/v1/incidents/1/actions", json{{"title", "Add a queue alert"}});
  const json detail = get("/api/v1/incidents/1");
  EXPECT_EQ(detail["id"], 1);
  EXPECT_EQ(detail["alert_fingerprints"], json::array({"0123456789abcdef"}));
  EXPECT_EQ(detail["open_action_items"], 1);
  EXPECT_EQ(detail["title"], "Checkout errors");

  bad_get("/api/v1/incidents/2", "id", 404);
  bad_get("/api/v1/incidents/abc", "id", 404);
  bad_get("/api/v1/incidents/0", "id", 404);
  bad_get("/api/v1/incidents/99999999999999999999", "id", 404);
  bad_get("/api/v1/incidents/1?verbose=true", "verbose");
}

TEST_F(IncidentApiTest, PatchChangesStateSeverityRolesAndTimesWithTheCurrentVersion) {
  declare(json{{"title", "Checkout errors"}, {"commander", "alice"}});
  clock_.advance(90s);
  const json updated =
      patch("/api/v1/incidents/1", json{{"version", 1},
                                        {"state", "investigating"},
                                        {"severity", "SEV1"},
                                        {"title", "Checkout down"},
                                        {"roles", {{"scribe", "bob"}, {"commander", ""}}},
                                        {"times", {{"mitigated", "2026-11-23T10:05:00Z"}}}});
  EXPECT_EQ(updated["version"], 2);
  EXPECT_EQ(updated["state"], "investigating");
  EXPECT_EQ(updated["severity"], "SEV1");
  EXPECT_EQ(updated["title"], "Checkout down");
  EXPECT_EQ(updated["roles"], (json{{"scribe", "bob"}}));
  ASSERT_EQ(updated["role_history"].size(), 2u);
  EXPECT_EQ(updated["role_history"][0]["role"], "commander");
  EXPECT_EQ(updated["role_history"][0]["until"], "2026-11-23T10:01:30.250Z");
  EXPECT_EQ(updated["times"]["acknowledged"], "2026-11-23T10:01:30.250Z");
  EXPECT_EQ(updated["times"]["mitigated"], "2026-11-23T10:05:00.000Z");
  EXPECT_DOUBLE_EQ(updated["response_times"]["to_acknowledge_seconds"].get<double>(), 90.0);
  EXPECT_EQ(updated["updated_at"], "2026-11-23T10:01:30.250Z");
  EXPECT_EQ(get("/api/v1/incidents/1")["version"], 2);
}

TEST_F(IncidentApiTest, PatchRequiresAnIntegerVersionAndAnswers409WhenItIsStale) {
  declare_titled("Checkout errors");
  const json missing = bad_patch("/api/v1/incidents/1", R"({"state": "investigating"})", "version");
  EXPECT_NE(missing["message"].get<std::string>().find("required"), std::string::npos);
  bad_patch("/api/v1/incidents/1", R"({"version": "1", "state": "resolved"})", "version");
  bad_patch("/api/v1/incidents/1", R"({"version": 1.5})", "version");
  bad_patch("/api/v1/incidents/1", R"({"version": 0})", "version");
  bad_patch("/api/v1/incidents/1", R"({"version": -3})", "version");

  patch("/api/v1/incidents/1", json{{"version", 1}, {"state", "investigating"}});
  const json stale =
      bad_patch("/api/v1/incidents/1", R"({"version": 1, "state": "resolved"})", "version", 409);
  EXPECT_NE(stale["message"].get<std::string>().find("version 2"), std::string::npos) << stale;
  EXPECT_EQ(get("/api/v1/incidents/1")["state"], "investigating")
      << "the stale edit changed nothing";
  bad_patch("/api/v1/incidents/7", R"({"version": 1, "state": "resolved"})", "id", 404);
  bad_patch("/api/v1/incidents/x", R"({"version": 1})", "id", 404);
}

TEST_F(IncidentApiTest, PatchRefusesEachBadFieldByName) {
  declare_titled("Checkout errors");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{", ""},
      {R"({"version": 1, "state": "fixed"})", "state"},
      {R"({"version": 1, "severity": "high"})", "severity"},
      {R"({"version": 1, "title": 3})", "title"},
      {R"({"version": 1, "summary": false})", "summary"},
      {R"({"version": 1, "test": 1})", "test"},
      {R"({"version": 1, "times": "now"})", "times"},
      {R"({"version": 1, "times": {"mitigated": "soon"}})", "times.mitigated"},
      {R"({"version": 1, "times": {"resolved": null}})", "times.resolved"},
      {R"({"version": 1, "times": {"closed": "2026-11-23T10:00:00Z"}})", "times.closed"},
      {R"({"version": 1, "times": {"mitgated": "2026-11-23T10:00:00Z"}})", "times.mitgated"},
      {R"({"version": 1, "roles": ["bob"]})", "roles"},
      {R"({"version": 1, "roles": {"Scribe": "bob"}})", "roles.Scribe"},
      {R"({"version": 1, "roles": {"scribe": 5}})", "roles.scribe"},
      {R"({"version": 1, "roles": {"scribe": null}})", "roles.scribe"},
      {R"({"version": 1, "stat": "resolved"})", "stat"},
  };
  for (const auto& [body, field] : cases)
    bad_patch("/api/v1/incidents/1", body, field);
  const json typo = bad_patch("/api/v1/incidents/1",
                              R"({"version": 1, "times": {"mitgated": "2026-11-23T10:00:00Z"}})",
                              "times.mitgated");
  EXPECT_NE(typo["message"].get<std::string>().find("did you mean 'times.mitigated'?"),
            std::string::npos)
      << typo;
  EXPECT_EQ(get("/api/v1/incidents/1")["version"], 1) << "no refused patch changed anything";
}

TEST_F(IncidentApiTest, ListPassesEveryFilterToTheServiceAsTypedValues) {
  get(std::string(kIncidents) +
      "?state=monitoring&severity=SEV2&service=checkout&since=2026-11-01T00:00:00Z"
      "&until=2026-11-24T00:00:00%2B01:00&tests=false&limit=20&before=17");
  const IncidentFilter filter = service_.last_filter();
  EXPECT_EQ(filter.state, incident::State::kMonitoring);
  EXPECT_EQ(filter.severity, incident::Severity::kSev2);
  EXPECT_EQ(filter.service, "checkout");
  EXPECT_EQ(filter.since, parse_rfc3339("2026-11-01T00:00:00Z").value());
  EXPECT_EQ(filter.until, parse_rfc3339("2026-11-23T23:00:00Z").value());
  EXPECT_FALSE(filter.include_tests);
  EXPECT_EQ(filter.limit, 20u);
  EXPECT_EQ(filter.before_id, 17);

  get(kIncidents);
  const IncidentFilter defaults = service_.last_filter();
  EXPECT_FALSE(defaults.state);
  EXPECT_FALSE(defaults.severity);
  EXPECT_TRUE(defaults.include_tests);
  EXPECT_EQ(defaults.limit, 50u);
  EXPECT_EQ(defaults.before_id, 0);
}

TEST_F(IncidentApiTest, ListFiltersSelectIncidents) {
  declare(json{{"title", "a"}, {"severity", "SEV1"}, {"service", "checkout"}});
  declare(json{{"title", "b"}, {"severity", "SEV2"}, {"service", "search"}});
  declare(json{{"title", "drill"}, {"severity", "SEV2"}, {"test", true}});
  patch("/api/v1/incidents/2", json{{"version", 1}, {"state", "resolved"}});

  auto titles = [this](const std::string& query) {
    std::vector<std::string> out;
    const json body = get(std::string(kIncidents) + query);
    for (const json& incident : body["incidents"])
      out.push_back(incident["title"]);
    return out;
  };
  EXPECT_EQ(titles(""), (std::vector<std::string>{"drill", "b", "a"}));
  EXPECT_EQ(titles("?severity=SEV2"), (std::vector<std::string>{"drill", "b"}));
  EXPECT_EQ(titles("?severity=SEV2&tests=false"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(titles("?state=resolved"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(titles("?service=checkout"), (std::vector<std::string>{"a"}));
}

TEST_F(IncidentApiTest, ListRefusesEachBadQueryParameterByName) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"state=fixed", "state"},
      {"severity=critical", "severity"},
      {"since=yesterday", "since"},
      {"until=2026-11-23", "until"},
      {"since=2026-11-23T00:00:00Z&until=2026-11-22T00:00:00Z", "until"},
      {"tests=yes", "tests"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=ten", "limit"},
      {"before=-1", "before"},
      {"before=abc", "before"},
      {"sevrity=SEV1", "sevrity"},
  };
  for (const auto& [query, field] : cases)
    bad_get(std::string(kIncidents) + "?" + query, field);
  const json typo = bad_get(std::string(kIncidents) + "?sevrity=SEV1", "sevrity");
  EXPECT_NE(typo["message"].get<std::string>().find("did you mean 'severity'?"), std::string::npos);
  get(std::string(kIncidents) + "?limit=1000");
}

TEST_F(IncidentApiTest, PagesFollowTheNextCursorNewestFirstWithoutRepeats) {
  for (int i = 1; i <= 5; ++i)
    declare_titled("incident " + std::to_string(i));
  std::vector<int> ids;
  std::string query = "?limit=2";
  int pages = 0;
  while (pages < 10) {
    const json page = get(std::string(kIncidents) + query);
    ++pages;
    EXPECT_LE(page["incidents"].size(), 2u);
    for (const json& incident : page["incidents"])
      ids.push_back(incident["id"]);
    if (page["next"].is_null())
      break;
    ASSERT_TRUE(page["next"].is_string()) << page;
    query = "?limit=2&before=" + page["next"].get<std::string>();
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<int>{5, 4, 3, 2, 1}));
}

TEST_F(IncidentApiTest, TimelineListsEventsAndNotesCanBeAddedEditedAndPinned) {
  declare_titled("Checkout errors");
  clock_.advance(1s);
  const auto created =
      client_->Post("/api/v1/incidents/1/timeline",
                    R"({"text": "Rolled back to v41", "pinned": true})", "application/json");
  ASSERT_EQ(created->status, 201) << created->body;
  const json note = parsed(created);
  EXPECT_EQ(note, (json{{"id", 2},
                        {"at", "2026-11-23T10:00:01.250Z"},
                        {"actor", "anonymous"},
                        {"kind", "note"},
                        {"text", "Rolled back to v41"},
                        {"fields", json::object()},
                        {"pinned", true},
                        {"revision", 1}}));

  const json timeline = get("/api/v1/incidents/1/timeline");
  ASSERT_EQ(timeline["events"].size(), 2u);
  EXPECT_EQ(timeline["events"][0]["kind"], "incident_declared");
  EXPECT_EQ(timeline["events"][1]["text"], "Rolled back to v41");
  EXPECT_TRUE(timeline["next"].is_null());

  const json edited = patch("/api/v1/incidents/1/timeline/2",
                            json{{"text", "Rolled back to v40"}, {"revision", 1}});
  EXPECT_EQ(edited["revision"], 2);
  EXPECT_EQ(edited["text"], "Rolled back to v40");
  EXPECT_EQ(edited["pinned"], true);
  EXPECT_EQ(patch("/api/v1/incidents/1/timeline/2", json{{"pinned", false}})["pinned"], false);
  bad_patch("/api/v1/incidents/1/timeline/2", R"({"text": "again", "revision": 1})", "revision",
            409);

  const json revisions = get("/api/v1/incidents/1/timeline/2/revisions");
  ASSERT_EQ(revisions["revisions"].size(), 1u);
  EXPECT_EQ(revisions["revisions"][0], (json{{"event_id", 2},
                                             {"revision", 1},
                                             {"text", "Rolled back to v41"},
                                             {"edited_by", "anonymous"},
                                             {"edited_at", "2026-11-23T10:00:01.250Z"}}));
}

TEST_F(IncidentApiTest, TimelineRefusesBadNotesAndUnknownEvents) {
  declare_titled("Checkout errors");
  bad_post("/api/v1/incidents/1/timeline", R"({})", "text");
  bad_post("/api/v1/incidents/1/timeline", R"({"text": ""})", "text");
  bad_post("/api/v1/incidents/1/timeline", R"({"text": "x", "pinned": "yes"})", "pinned");
  bad_post("/api/v1/incidents/1/timeline", R"({"txt": "x"})", "txt");
  bad_post("/api/v1/incidents/1/timeline", R"("x")", "");
  refused(404,
          client_->Post("/api/v1/incidents/9/timeline", R"({"text": "x"})", "application/json"),
          "id", "unknown incident");
  bad_patch("/api/v1/incidents/1/timeline/1", R"({})", "text");
  bad_patch("/api/v1/incidents/1/timeline/1", R"({"revision": 0, "text": "x"})", "revision");
  bad_patch("/api/v1/incidents/1/timeline/1", R"({"text": "x"})", "event") /* not a note */;
  bad_patch("/api/v1/incidents/1/timeline/42", R"({"text": "x"})", "event", 404);
  bad_patch("/api/v1/incidents/1/timeline/first", R"({"text": "x"})", "event", 404);
  bad_get("/api/v1/incidents/1/timeline?after=x", "after");
  bad_get("/api/v1/incidents/1/timeline?limit=0", "limit");
  bad_get("/api/v1/incidents/1/timeline?since=2026-11-23T00:00:00Z", "since");
  bad_get("/api/v1/incidents/9/timeline", "id", 404);
}

TEST_F(IncidentApiTest, TimelinePagesFollowTheAfterCursor) {
  declare_titled("Checkout errors");
  for (int i = 0; i < 4; ++i)
    post("/api/v1/incidents/1/timeline", json{{"text", "note " + std::to_string(i)}});
  std::vector<int> ids;
  std::string query = "?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    const json page = get("/api/v1/incidents/1/timeline" + query);
    for (const json& event : page["events"])
      ids.push_back(event["id"]);
    if (page["next"].is_null())
      break;
    query = "?limit=2&after=" + page["next"].get<std::string>();
  }
  EXPECT_EQ(ids, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST_F(IncidentApiTest, ActionItemsAreAddedUpdatedWithAVersionAndListedWhenOverdue) {
  declare_titled("Checkout errors");
  declare_titled("Search slow");
  const json item =
      post("/api/v1/incidents/1/actions", json{{"title", "Alert on queue depth"},
                                               {"owner", "bob"},
                                               {"due", "2026-11-24T00:00:00Z"},
                                               {"priority", "P2"},
                                               {"type", "preventive"},
                                               {"ticket_url", "https://tracker.example/OPS-1"}});
  EXPECT_EQ(item, (json{{"id", 1},
                        {"incident_id", 1},
                        {"title", "Alert on queue depth"},
                        {"owner", "bob"},
                        {"due", "2026-11-24T00:00:00.000Z"},
                        {"priority", "P2"},
                        {"type", "preventive"},
                        {"status", "open"},
                        {"ticket_url", "https://tracker.example/OPS-1"},
                        {"version", 1},
                        {"created_at", "2026-11-23T10:00:00.250Z"},
                        {"updated_at", "2026-11-23T10:00:00.250Z"},
                        {"created_by", "anonymous"},
                        {"overdue", false}}));
  const json defaults = post("/api/v1/incidents/2/actions", json{{"title", "Add an index"}});
  EXPECT_EQ(defaults["priority"], "P3");
  EXPECT_EQ(defaults["type"], "corrective");
  EXPECT_TRUE(defaults["due"].is_null());

  EXPECT_EQ(get("/api/v1/incidents/1/actions")["actions"].size(), 1u);
  EXPECT_EQ(get("/api/v1/actions/overdue")["actions"], json::array());
  clock_.advance(24h);
  const json overdue = get("/api/v1/actions/overdue")["actions"];
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0]["id"], 1);
  EXPECT_EQ(overdue[0]["overdue"], true);

  const json done = patch("/api/v1/incidents/1/actions/1",
                          json{{"version", 1}, {"status", "done"}, {"owner", "carol"}});
  EXPECT_EQ(done["status"], "done");
  EXPECT_EQ(done["owner"], "carol");
  EXPECT_EQ(done["version"], 2);
  EXPECT_EQ(done["overdue"], false);
  EXPECT_EQ(get("/api/v1/actions/overdue")["actions"], json::array());
  bad_patch("/api/v1/incidents/1/actions/1", R"({"version": 1, "status": "open"})", "version", 409);
  const json cleared =
      patch("/api/v1/incidents/1/actions/1", json{{"version", 2}, {"due", nullptr}});
  EXPECT_TRUE(cleared["due"].is_null());
}

TEST_F(IncidentApiTest, ActionItemsRefuseEachBadFieldByName) {
  declare_titled("Checkout errors");
  const std::string actions = "/api/v1/incidents/1/actions";
  const std::vector<std::pair<std::string, std::string>> drafts{
      {R"({"owner": "bob"})", "title"},
      {R"({"title": ""})", "title"},
      {R"({"title": "x", "owner": 1})", "owner"},
      {R"({"title": "x", "due": "2026-12-01"})", "due"},
      {R"({"title": "x", "due": null})", "due"},
      {R"({"title": "x", "priority": "high"})", "priority"},
      {R"({"title": "x", "type": "detect"})", "type"},
      {R"({"title": "x", "ticket_url": 5})", "ticket_url"},
      {R"({"title": "x", "ticket_url": "ftp://x"})", "ticket_url"},  // the service's rule
      {R"({"title": "x", "status": "done"})", "status"},
  };
  for (const auto& [body, field] : drafts)
    bad_post(actions, body, field);
  post(actions, json{{"title", "x"}});
  const std::vector<std::pair<std::string, std::string>> patches{
      {R"({"status": "done"})", "version"},
      {R"({"version": 1, "status": "finished"})", "status"},
      {R"({"version": 1, "due": "friday"})", "due"},
      {R"({"version": 1, "priority": 2})", "priority"},
      {R"({"version": 1, "titel": "y"})", "titel"},
  };
  for (const auto& [body, field] : patches)
    bad_patch(actions + "/1", body, field);
  bad_patch(actions + "/2", R"({"version": 1})", "action", 404);
  bad_patch(actions + "/two", R"({"version": 1})", "action", 404);
  bad_patch("/api/v1/incidents/5/actions/1", R"({"version": 1})", "id", 404);
  bad_get("/api/v1/incidents/5/actions", "id", 404);
  EXPECT_EQ(get(actions)["actions"][0]["version"], 1);
}

TEST_F(IncidentApiTest, StatsListEverySeverityWithNullFiguresWhenThereIsNoData) {
  std::vector<incident::SeverityStats> stats(4);
  for (int i = 0; i < 4; ++i)
    stats[static_cast<std::size_t>(i)].severity = static_cast<incident::Severity>(i + 1);
  stats[0].incidents = 3;
  stats[0].to_detect = incident::Summary{3, 120.5, 600};
  service_.set_stats(stats);
  const json body = get("/api/v1/incidents/stats");
  ASSERT_EQ(body["severities"].size(), 4u);
  EXPECT_EQ(
      body["severities"][0],
      (json{
          {"severity", "SEV1"},
          {"incidents", 3},
          {"to_detect", {{"count", 3}, {"median_seconds", 120.5}, {"p90_seconds", 600.0}}},
          {"to_acknowledge", {{"count", 0}, {"median_seconds", nullptr}, {"p90_seconds", nullptr}}},
          {"to_mitigate", {{"count", 0}, {"median_seconds", nullptr}, {"p90_seconds", nullptr}}},
          {"to_resolve", {{"count", 0}, {"median_seconds", nullptr}, {"p90_seconds", nullptr}}}}));
  EXPECT_EQ(body["severities"][3]["severity"], "SEV4");
}

TEST_F(IncidentApiTest, AnUnavailableServiceAnswers503AndTheClientMayRetry) {
  declare_titled("Checkout errors");
  service_.set_unavailable(true);
  refused(503, client_->Post(kIncidents, R"({"title": "x"})", "application/json"), "", "declare");
  refused(503, client_->Get(kIncidents), "", "list");
  refused(503,
          client_->Patch("/api/v1/incidents/1", R"({"version": 1, "state": "resolved"})",
                         "application/json"),
          "", "patch");
  service_.set_unavailable(false);
  EXPECT_EQ(get("/api/v1/incidents/1")["state"], "triage");
}

}  // namespace
}  // namespace sloe::api

namespace sloe::api {
namespace {

// What the role-matrix test relies on: every incident route is on the Router, reads for viewers,
// changes for responders.
TEST(IncidentRoutes, ReadsNeedAViewerAndChangesAResponder) {
  Router router(nullptr);
  ManualClock clock{kNow};
  testing::FakeIncidentService service{clock};
  install_incident_routes(router, IncidentRoutes{&service, &clock});
  std::set<std::string> registered;
  for (const RouteInfo& route : router.routes()) {
    registered.insert(route.method + " " + route.pattern);
    EXPECT_EQ(route.access, route.method == "GET" ? Access::kViewer : Access::kResponder)
        << route.method << " " << route.pattern;
  }
  const std::set<std::string> expected{
      "GET /api/v1/incidents",
      "POST /api/v1/incidents",
      "GET /api/v1/incidents/stats",
      "GET /api/v1/incidents/([^/]+)",
      "PATCH /api/v1/incidents/([^/]+)",
      "GET /api/v1/incidents/([^/]+)/timeline",
      "POST /api/v1/incidents/([^/]+)/timeline",
      "PATCH /api/v1/incidents/([^/]+)/timeline/([^/]+)",
      "GET /api/v1/incidents/([^/]+)/timeline/([^/]+)/revisions",
      "GET /api/v1/incidents/([^/]+)/actions",
      "POST /api/v1/incidents/([^/]+)/actions",
      "PATCH /api/v1/incidents/([^/]+)/actions/([^/]+)",
      "GET /api/v1/actions/overdue",
  };
  EXPECT_EQ(registered, expected);
}

}  // namespace
}  // namespace sloe::api

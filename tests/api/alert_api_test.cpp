#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "sloe/alert/fingerprint.h"
#include "sloe/api/server.h"
#include "sloe/app/alert_intake.h"
#include "sloe/core/time_format.h"
#include "sloe/store/alert_log.h"
#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kT0 = from_unix_seconds(1'800'000'000);

std::string at(TimePoint t) {
  return format_rfc3339(t);
}

// A sink that refuses everything, for the "never 2xx unless recorded" rule.
class FailingSink final : public AlertSink {
 public:
  Status accept(std::vector<alert::Alert>, std::string_view) override {
    ++calls;
    return Error{"disk full"};
  }
  std::vector<ReceivedAlert> current(TimePoint) const override { return {}; }
  std::atomic<int> calls{0};
};

class AlertApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_database();
    start_server();
  }
  void TearDown() override { stop_server(); }

  void open_database() {
    auto db = store::Database::open(dir_.file("sloe.db"), store::sloe_migrations());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
  }

  void start_server(AlertSink* sink = nullptr) {
    auto intake = app::DurableAlertIntake::open(
        *db_, db_mutex_, clock_,
        [this](const std::vector<alert::Alert>& alerts) { forwarded_ += alerts.size(); });
    ASSERT_TRUE(intake.ok()) << intake.error().message;
    intake_ = std::move(intake).value();
    auto silences = app::DurableSilences::open(
        *db_, db_mutex_, [this] { return "silence-" + std::to_string(++ids_); });
    ASSERT_TRUE(silences.ok()) << silences.error().message;
    silences_ = std::move(silences).value();

    server_ = std::make_unique<ApiServer>(board_, metrics_);
    AlertRoutes routes;
    routes.alerts = sink != nullptr ? sink : intake_.get();
    routes.silences = silences_.get();
    routes.clock = &clock_;
    server_->set_alert_routes(routes);
    ServerOptions options;
    options.port = 0;
    options.max_body_bytes = std::size_t{64} * 1024;
    ASSERT_TRUE(server_->start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  void stop_server() {
    if (server_)
      server_->stop();
    server_.reset();
    intake_.reset();
    silences_.reset();
  }

  void restart() {
    stop_server();
    db_.reset();
    open_database();
    start_server();
  }

  httplib::Result post(const std::string& path, const json& body) {
    return client_->Post(path, body.dump(), "application/json");
  }

  std::vector<store::AlertRecord> stored() {
    const std::lock_guard lock(db_mutex_);
    auto loaded = store::AlertLog(*db_).load_active(TimePoint{});
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? std::move(loaded).value() : std::vector<store::AlertRecord>{};
  }

  json get_alerts(const std::string& query = "") {
    auto response = client_->Get(("/api/v2/alerts" + query));
    EXPECT_EQ(response->status, 200) << response->body;
    return json::parse(response->body);
  }

  static json webhook(json alerts) {
    return {{"version", "4"},
            {"groupKey", "{}:{alertname=\"HighErrorRate\"}"},
            {"status", "firing"},
            {"receiver", "sloe"},
            {"groupLabels", {{"alertname", "HighErrorRate"}}},
            {"commonLabels", json::object()},
            {"commonAnnotations", json::object()},
            {"externalURL", "http://alertmanager:9093"},
            {"alerts", std::move(alerts)}};
  }

  static json firing(const std::string& service) {
    const Labels labels{{"alertname", "HighErrorRate"}, {"service", service}};
    return {{"status", "firing"},
            {"labels", labels},
            {"annotations", {{"summary", "errors on " + service}}},
            {"startsAt", at(kT0 - 10min)},
            {"endsAt", "0001-01-01T00:00:00Z"},
            {"generatorURL", "http://prometheus/graph"},
            {"fingerprint", alert::fingerprint_hex(labels)}};
  }

  static json silence_body(const std::string& service) {
    return {{"matchers", {{{"name", "service"}, {"value", service}, {"isRegex", false}}}},
            {"startsAt", at(kT0)},
            {"endsAt", at(kT0 + 1h)},
            {"createdBy", "alice"},
            {"comment", "deploy"}};
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::mutex db_mutex_;
  ManualClock clock_{kT0};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  std::unique_ptr<app::DurableAlertIntake> intake_;
  std::unique_ptr<app::DurableSilences> silences_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::atomic<std::size_t> forwarded_{0};
  int ids_ = 0;
};

TEST_F(AlertApiTest, WebhookAlertsAreStoredAndListed) {
  json resolved = firing("web");
  resolved["status"] = "resolved";
  resolved["endsAt"] = at(kT0 - 1min);
  const auto response =
      post("/api/v1/alerts/alertmanager", webhook({firing("api"), firing("db"), resolved}));
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(json::parse(response->body)["accepted"], 3);
  // The intake answers once the batch is committed, then forwards it on its writer thread.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (forwarded_ < 3u && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(forwarded_, 3u);

  const auto rows = stored();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.source, "alertmanager-webhook");
    EXPECT_EQ(row.starts_at, kT0 - 10min);
    EXPECT_EQ(row.ends_at.has_value(), row.labels.at("service") == "web");
  }

  const json current = get_alerts();
  ASSERT_EQ(current.size(), 2u);  // the resolved one is not current
  for (const json& a : current) {
    EXPECT_EQ(a["status"]["state"], "active");
    EXPECT_EQ(a["fingerprint"], alert::fingerprint_hex(a["labels"].get<Labels>()));
    EXPECT_EQ(a["startsAt"], format_rfc3339(kT0 - 10min, Rfc3339Precision::kMillis));
  }
  const json filtered = get_alerts(R"(?filter=service%3D%22db%22)");
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0]["labels"]["service"], "db");
}

TEST_F(AlertApiTest, V2AlertsDefaultTheirTimesAsAlertmanagerDoes) {
  const json body = json::array({{{"labels", {{"alertname", "DiskFull"}, {"instance", "a"}}}},
                                 {{"labels", {{"alertname", "DiskFull"}, {"instance", "b"}}},
                                  {"annotations", {{"summary", "disk b"}}},
                                  {"startsAt", at(kT0 - 1h)},
                                  {"endsAt", at(kT0 + 1h)},
                                  {"generatorURL", "http://x"}}});
  const auto response = post("/api/v2/alerts", body);
  ASSERT_EQ(response->status, 200) << response->body;

  auto rows = stored();
  ASSERT_EQ(rows.size(), 2u);
  std::sort(rows.begin(), rows.end(), [](const auto& l, const auto& r) {
    return l.labels.at("instance") < r.labels.at("instance");
  });
  EXPECT_EQ(rows[0].starts_at, kT0);
  EXPECT_EQ(rows[0].ends_at, kT0 + 5min);  // resolve_timeout
  EXPECT_EQ(rows[0].source, "api-v2");
  EXPECT_EQ(rows[1].starts_at, kT0 - 1h);
  EXPECT_EQ(rows[1].ends_at, kT0 + 1h);
  EXPECT_EQ(rows[1].annotations.at("summary"), "disk b");

  // Unless re-sent, the first one resolves after the timeout.
  clock_.advance(6min);
  ASSERT_EQ(get_alerts().size(), 1u);
}

TEST_F(AlertApiTest, ReSendingAFiringAlertContinuesItInsteadOfStartingAnother) {
  const json alert = json::array({{{"labels", {{"alertname", "DiskFull"}}}}});
  ASSERT_EQ(post("/api/v2/alerts", alert)->status, 200);
  clock_.advance(1min);
  ASSERT_EQ(post("/api/v2/alerts", alert)->status, 200);
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at, kT0);
  EXPECT_EQ(rows[0].ends_at, kT0 + 6min);
  EXPECT_EQ(rows[0].received_at, kT0 + 1min);

  // After it timed out, the same labels start a new period.
  clock_.advance(10min);
  ASSERT_EQ(post("/api/v2/alerts", alert)->status, 200);
  EXPECT_EQ(stored().size(), 2u);
}

TEST_F(AlertApiTest, CurrentAlertsSurviveARestart) {
  ASSERT_EQ(post("/api/v1/alerts/alertmanager", webhook({firing("api")}))->status, 200);
  restart();
  const json current = get_alerts();
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0]["labels"]["service"], "api");
  EXPECT_EQ(current[0]["source"], "alertmanager-webhook");
}

struct Malformed {
  std::string name;
  std::string path;
  std::string body;
  std::string field;
};

std::vector<Malformed> malformed_bodies() {
  const std::string v2 = "/api/v2/alerts";
  const std::string hook = "/api/v1/alerts/alertmanager";
  const std::string ok = R"({"labels":{"alertname":"A"}})";
  return {
      {"not json", v2, "[{\"labels\":", ""},
      {"object instead of array", v2, ok, ""},
      {"element not an object", v2, "[" + ok + ",3]", "alerts[1]"},
      {"labels missing", v2, "[" + ok + R"(,{"annotations":{}}])", "alerts[1].labels"},
      {"labels empty", v2, R"([{"labels":{}}])", "alerts[0].labels"},
      {"labels not an object", v2, R"([{"labels":["a"]}])", "alerts[0].labels"},
      {"invalid label name", v2, R"([{"labels":{"1st":"x"}}])", "alerts[0].labels.1st"},
      {"label value not a string", v2, R"([{"labels":{"a":1}}])", "alerts[0].labels.a"},
      {"invalid annotation name", v2, R"([{"labels":{"a":"b"},"annotations":{"a-b":"x"}}])",
       "alerts[0].annotations.a-b"},
      {"bad startsAt", v2, R"([{"labels":{"a":"b"},"startsAt":"yesterday"}])",
       "alerts[0].startsAt"},
      {"startsAt not a string", v2, R"([{"labels":{"a":"b"},"startsAt":17}])",
       "alerts[0].startsAt"},
      {"ends before it starts", v2,
       R"([{"labels":{"a":"b"},"startsAt":"2027-01-01T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}])",
       "alerts[0].endsAt"},
      {"generatorURL not a string", v2, R"([{"labels":{"a":"b"},"generatorURL":false}])",
       "alerts[0].generatorURL"},
      {"webhook without alerts", hook, R"({"version":"4"})", "alerts"},
      {"webhook of another version", hook, R"({"version":"3","alerts":[]})", "version"},
      {"webhook status unknown", hook,
       R"({"alerts":[{"status":"burning","labels":{"a":"b"},"startsAt":"2026-01-01T00:00:00Z"}]})",
       "alerts[0].status"},
      {"webhook without startsAt", hook, R"({"alerts":[{"status":"firing","labels":{"a":"b"}}]})",
       "alerts[0].startsAt"},
      {"webhook fingerprint mismatch", hook,
       R"({"alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2026-01-01T00:00:00Z",)"
       R"("fingerprint":"0123456789abcdef"}]})",
       "alerts[0].fingerprint"},
  };
}

TEST_F(AlertApiTest, MalformedBodiesAreRejectedWithTheFieldAndNothingIsStored) {
  for (const Malformed& bad : malformed_bodies()) {
    SCOPED_TRACE(bad.name);
    const auto response = client_->Post(bad.path, bad.body, "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << response->body;
    const json error = json::parse(response->body)["error"];
    EXPECT_FALSE(error["message"].get<std::string>().empty());
    EXPECT_EQ(error.value("field", ""), bad.field) << error.dump();
  }
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(forwarded_, 0u);
}

TEST_F(AlertApiTest, OversizedBodiesAre413) {
  json alerts = json::array();
  for (int i = 0; i < 2000; ++i)
    alerts.push_back({{"labels", {{"alertname", "A"}, {"i", std::to_string(i)}}}});
  const auto response = post("/api/v2/alerts", alerts);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(json::parse(response->body).contains("error"));
  EXPECT_TRUE(stored().empty());
}

TEST_F(AlertApiTest, AStorageFailureIs503AndStoresNothing) {
  {
    const std::lock_guard lock(db_mutex_);
    // Fails the second insert of a batch, after the first has been written.
    ASSERT_TRUE(db_->exec("CREATE TRIGGER refuse BEFORE INSERT ON received_alerts "
                          "WHEN (SELECT COUNT(*) FROM received_alerts) >= 1 "
                          "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
                    .ok());
  }
  const auto response = post("/api/v1/alerts/alertmanager", webhook({firing("api"), firing("db")}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503) << response->body;
  EXPECT_TRUE(stored().empty());
  EXPECT_TRUE(get_alerts().empty());
  EXPECT_EQ(forwarded_, 0u);
}

TEST_F(AlertApiTest, AFailingSinkNeverGetsA2xx) {
  stop_server();
  FailingSink sink;
  start_server(&sink);
  const auto response = post("/api/v2/alerts", json::array({{{"labels", {{"a", "b"}}}}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(sink.calls, 1);
}

TEST_F(AlertApiTest, ConcurrentRequestsAreAllCommitted) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server_->port());
      for (int i = 0; i < kPerThread; ++i) {
        const json body = json::array(
            {{{"labels",
               {{"alertname", "A"}, {"t", std::to_string(t)}, {"i", std::to_string(i)}}}}});
        const auto response = client.Post("/api/v2/alerts", body.dump(), "application/json");
        if (response && response->status == 200)
          ++ok;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(ok, kThreads * kPerThread);
  EXPECT_EQ(stored().size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_LE(intake_->commits(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(AlertApiTest, SilencesCanBeCreatedReadExtendedAndExpired) {
  const auto created = post("/api/v2/silences", silence_body("api"));
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string id = json::parse(created->body)["silenceID"];

  auto fetched = client_->Get(("/api/v2/silence/" + id));
  ASSERT_EQ(fetched->status, 200);
  json silence = json::parse(fetched->body);
  EXPECT_EQ(silence["status"]["state"], "active");
  EXPECT_EQ(silence["createdBy"], "alice");
  EXPECT_EQ(silence["matchers"][0]["name"], "service");
  EXPECT_EQ(silence["matchers"][0]["isEqual"], true);

  // Extending it keeps the id (same matchers, same start).
  json extend = silence_body("api");
  extend["id"] = id;
  extend["endsAt"] = at(kT0 + 3h);
  const auto extended = post("/api/v2/silences", extend);
  ASSERT_EQ(extended->status, 200) << extended->body;
  EXPECT_EQ(json::parse(extended->body)["silenceID"], id);

  ASSERT_EQ(post("/api/v2/silences", silence_body("web"))->status, 200);
  const auto listed = client_->Get("/api/v2/silences?filter=service%3D%22web%22");
  ASSERT_EQ(listed->status, 200);
  ASSERT_EQ(json::parse(listed->body).size(), 1u);
  EXPECT_EQ(json::parse(client_->Get("/api/v2/silences")->body).size(), 2u);

  clock_.advance(1min);
  ASSERT_EQ(client_->Delete(("/api/v2/silence/" + id))->status, 200);
  silence = json::parse(client_->Get(("/api/v2/silence/" + id))->body);
  EXPECT_EQ(silence["status"]["state"], "expired");
  EXPECT_EQ(silence["endsAt"], format_rfc3339(kT0 + 1min, Rfc3339Precision::kMillis));
  EXPECT_EQ(client_->Delete(("/api/v2/silence/" + id))->status, 400);  // already expired

  EXPECT_EQ(client_->Get("/api/v2/silence/unknown")->status, 404);
  EXPECT_EQ(client_->Delete("/api/v2/silence/unknown")->status, 404);
  json unknown = silence_body("api");
  unknown["id"] = "unknown";
  EXPECT_EQ(post("/api/v2/silences", unknown)->status, 404);

  // Everything survives a restart.
  restart();
  const json after = json::parse(client_->Get("/api/v2/silences")->body);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0]["status"]["state"], "active");  // web, still active, listed first
  EXPECT_EQ(after[1]["id"], id);
}

TEST_F(AlertApiTest, SilencedAlertsAreListedAsSuppressed) {
  ASSERT_EQ(post("/api/v1/alerts/alertmanager", webhook({firing("api"), firing("db")}))->status,
            200);
  const auto created = post("/api/v2/silences", silence_body("api"));
  const std::string id = json::parse(created->body)["silenceID"];
  const json current = get_alerts("?filter=service%3D%22api%22");
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0]["status"]["state"], "suppressed");
  EXPECT_EQ(current[0]["status"]["silencedBy"], json::array({id}));
  EXPECT_EQ(get_alerts("?silenced=false").size(), 1u);
  EXPECT_EQ(get_alerts("?active=false").size(), 1u);
  EXPECT_EQ(client_->Get("/api/v2/alerts?filter=1service%3D%22api%22")->status, 400);
  EXPECT_EQ(client_->Get("/api/v2/alerts?active=maybe")->status, 400);
}

TEST_F(AlertApiTest, ASilenceThatCannotBeStoredIs503AndChangesNothing) {
  const auto created = post("/api/v2/silences", silence_body("api"));
  ASSERT_EQ(created->status, 200);
  const std::string id = json::parse(created->body)["silenceID"];
  {
    const std::lock_guard lock(db_mutex_);
    ASSERT_TRUE(db_->exec("CREATE TRIGGER refuse_insert BEFORE INSERT ON silences "
                          "BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
                          "CREATE TRIGGER refuse_update BEFORE UPDATE ON silences "
                          "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
                    .ok());
  }
  EXPECT_EQ(post("/api/v2/silences", silence_body("web"))->status, 503);
  json edit = silence_body("db");  // new matchers: would expire the first and create another
  edit["id"] = id;
  EXPECT_EQ(post("/api/v2/silences", edit)->status, 503);
  EXPECT_EQ(client_->Delete("/api/v2/silence/" + id)->status, 503);

  const json listed = json::parse(client_->Get("/api/v2/silences")->body);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_EQ(listed[0]["status"]["state"], "active");
}

TEST_F(AlertApiTest, InvalidSilencesAreRejectedWithTheField) {
  struct Case {
    std::string name;
    std::function<void(json&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no matchers", [](json& s) { s["matchers"] = json::array(); }, "matchers"},
      {"matches everything",
       [](json& s) {
         s["matchers"] = {{{"name", "a"}, {"value", ".*"}, {"isRegex", true}}};
       },
       "matchers"},
      {"bad regex",
       [](json& s) {
         s["matchers"] = {{{"name", "a"}, {"value", "(x"}, {"isRegex", true}}};
       },
       "matchers[0]"},
      {"bad label name", [](json& s) { s["matchers"][0]["name"] = "a-b"; }, "matchers[0]"},
      {"isRegex not a bool", [](json& s) { s["matchers"][0]["isRegex"] = "yes"; },
       "matchers[0].isRegex"},
      {"no createdBy", [](json& s) { s.erase("createdBy"); }, "createdBy"},
      {"empty comment", [](json& s) { s["comment"] = ""; }, "comment"},
      {"bad endsAt", [](json& s) { s["endsAt"] = "soon"; }, "endsAt"},
      {"ends before start", [](json& s) { s["endsAt"] = at(kT0 - 1h); }, "endsAt"},
      {"not json", [](json& s) { s = "{"; }, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    json body = silence_body("api");
    c.spoil(body);
    const std::string text = body.is_string() ? body.get<std::string>() : body.dump();
    const auto response = client_->Post("/api/v2/silences", text, "application/json");
    ASSERT_EQ(response->status, 400) << response->body;
    EXPECT_EQ(json::parse(response->body)["error"].value("field", ""), c.field);
  }
  // Valid in form but already over: refused by the registry.
  json past = silence_body("api");
  past["startsAt"] = at(kT0 - 2h);
  past["endsAt"] = at(kT0 - 1h);
  EXPECT_EQ(post("/api/v2/silences", past)->status, 400);
  EXPECT_EQ(json::parse(client_->Get("/api/v2/silences")->body).size(), 0u);
}

}  // namespace
}  // namespace sloe::api

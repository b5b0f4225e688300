// The on-call override and who-is-on-call endpoints over a real socket, with the durable SQLite
// implementation (app::OncallOverrides).
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "sloe/api/server.h"
#include "sloe/app/oncall_overrides.h"
#include "sloe/core/time_format.h"
#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// 2026-11-23 is handoff 22 of the daily alice/bob rotation: alice's day.
const TimePoint kNow = parse_rfc3339("2026-11-23T12:00:00Z").value();

std::string at(TimePoint t) {
  return format_rfc3339(t);
}

oncall::OncallConfig configured() {
  oncall::OncallConfig config;
  for (const char* name : {"alice", "bob", "carol"})
    config.users.push_back(oncall::User{name, "", ""});
  oncall::Rotation daily;
  daily.name = "daily";
  daily.users = {"alice", "bob"};
  daily.shift_length = 24h;
  daily.start = oncall::LocalDateTime{2026, 11, 1, 0, 0, 0};
  config.rotations.push_back(daily);
  config.schedules.push_back(oncall::Schedule{"primary", {oncall::Layer{"daily", {}}}, {}});
  return config;
}

class OncallApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start() {
    auto db = store::Database::open(dir_.file("sloe.db"), store::sloe_migrations());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    auto overrides = app::OncallOverrides::open(*db_, db_mutex_, configured());
    ASSERT_TRUE(overrides.ok()) << overrides.error().message;
    overrides_ = std::move(overrides).value();
    server_ = std::make_unique<ApiServer>(board_, metrics_);
    server_->set_oncall_routes(OncallRoutes{overrides_.get(), &clock_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_->start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  void stop() {
    if (server_)
      server_->stop();
    server_.reset();
    overrides_.reset();
    db_.reset();
  }

  static json body(const std::string& user, TimePoint start, TimePoint end) {
    return {{"schedule", "primary"}, {"mode", "replace"}, {"user", user},
            {"start", at(start)},    {"end", at(end)},    {"created_by", "ops-lead"}};
  }

  httplib::Result post(const std::string& text) {
    return client_->Post("/api/v1/oncall/overrides", text, "application/json");
  }

  // POSTs the body, expects a 400 naming `field` ("": the body as a whole), returns the message.
  std::string rejected(const std::string& text, const std::string& field) {
    const auto response = post(text);
    EXPECT_EQ(response->status, 400) << text << " -> " << response->body;
    const json error = json::parse(response->body)["error"];
    // error_json leaves "field" out when the whole body is at fault.
    EXPECT_EQ(error.value("field", ""), field) << text << " -> " << response->body;
    return error["message"].get<std::string>();
  }

  json who(const std::string& query) {
    const auto response = client_->Get("/api/v1/oncall/who?" + query);
    EXPECT_EQ(response->status, 200) << response->body;
    return json::parse(response->body);
  }

  json list() {
    const auto response = client_->Get("/api/v1/oncall/overrides");
    EXPECT_EQ(response->status, 200) << response->body;
    return json::parse(response->body)["overrides"];
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::mutex db_mutex_;
  ManualClock clock_{kNow};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  std::unique_ptr<app::OncallOverrides> overrides_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(OncallApiTest, AnOverrideChangesWhoIsOnCallUntilDeleted) {
  EXPECT_EQ(who("schedule=primary")["users"], json::array({"alice"}));

  const auto created = post(body("carol", kNow - 1h, kNow + 2h).dump());
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = json::parse(created->body)["id"];
  ASSERT_FALSE(id.empty());

  const json listed = list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], id);
  EXPECT_EQ(listed[0]["user"], "carol");
  EXPECT_EQ(listed[0]["mode"], "replace");
  EXPECT_EQ(listed[0]["created_by"], "ops-lead");
  EXPECT_EQ(parse_rfc3339(listed[0]["end"].get<std::string>()).value(), kNow + 2h);

  const json now = who("schedule=primary");
  EXPECT_EQ(now["users"], json::array({"carol"}));
  EXPECT_EQ(parse_rfc3339(now["until"].get<std::string>()).value(), kNow + 2h);
  EXPECT_EQ(who("schedule=primary&at=" + at(kNow + 3h))["users"], json::array({"alice"}));

  const auto deleted = client_->Delete("/api/v1/oncall/overrides/" + id);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(json::parse(deleted->body)["user"], "carol");
  EXPECT_EQ(who("schedule=primary")["users"], json::array({"alice"}));
  EXPECT_TRUE(list().empty());

  const auto again = client_->Delete("/api/v1/oncall/overrides/" + id);
  EXPECT_EQ(again->status, 404);
  EXPECT_EQ(json::parse(again->body)["error"]["field"], "id");
}

TEST_F(OncallApiTest, AdditionsAndDefaultReplaceModeSurviveARestart) {
  json add = body("bob", kNow, kNow + 1h);
  add["mode"] = "add";
  ASSERT_EQ(post(add.dump())->status, 201);
  json implicit = body("carol", kNow + 24h, kNow + 25h);
  implicit.erase("mode");
  implicit["replaces"] = "bob";
  ASSERT_EQ(post(implicit.dump())->status, 201);

  stop();
  start();

  EXPECT_EQ(list().size(), 2u);
  EXPECT_EQ(who("schedule=primary")["users"], json::array({"alice", "bob"}));
  EXPECT_EQ(who("schedule=primary&at=" + at(kNow + 24h))["users"], json::array({"carol"}));
}

TEST_F(OncallApiTest, EveryInvalidInputIsA400NamingTheFieldAndChangesNothing) {
  rejected("not json", "");
  rejected("[1]", "");
  json b = body("carol", kNow, kNow + 1h);
  b.erase("user");
  rejected(b.dump(), "user");
  b = body("carol", kNow, kNow + 1h);
  b["user"] = 7;
  rejected(b.dump(), "user");
  b = body("carol", kNow, kNow + 1h);
  b["mode"] = "swap";
  EXPECT_NE(rejected(b.dump(), "mode").find("expected replace or add"), std::string::npos);
  b = body("carol", kNow, kNow + 1h);
  b["start"] = "tomorrow";
  rejected(b.dump(), "start");
  b = body("carol", kNow, kNow + 1h);
  b["end"] = "2026-11-23T13:00";  // no offset
  rejected(b.dump(), "end");
  b = body("carol", kNow, kNow + 1h);
  b["reason"] = "holiday";
  rejected(b.dump(), "reason");
  b = body("carol", kNow, kNow + 1h);
  b.erase("created_by");
  rejected(b.dump(), "created_by");
  b = body("carol", kNow, kNow + 1h);
  b["mode"] = "add";
  b["replaces"] = "alice";
  rejected(b.dump(), "replaces");
  // Checks against the configuration, by the service.
  b = body("carol", kNow, kNow + 1h);
  b["schedule"] = "primry";
  EXPECT_NE(rejected(b.dump(), "schedule").find("did you mean 'primary'?"), std::string::npos);
  rejected(body("mallory", kNow, kNow + 1h).dump(), "user");
  b = body("carol", kNow, kNow + 1h);
  b["replaces"] = "carol";
  rejected(b.dump(), "replaces");
  rejected(body("carol", kNow + 1h, kNow).dump(), "end");
  rejected(body("carol", kNow - 2h, kNow - 1h).dump(), "end");

  EXPECT_TRUE(list().empty());
  EXPECT_EQ(who("schedule=primary")["users"], json::array({"alice"}));
}

TEST_F(OncallApiTest, WhoChecksItsQuery) {
  auto response = client_->Get("/api/v1/oncall/who");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(json::parse(response->body)["error"]["field"], "schedule");
  response = client_->Get("/api/v1/oncall/who?schedule=primary&at=yesterday");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(json::parse(response->body)["error"]["field"], "at");
  response = client_->Get("/api/v1/oncall/who?schedule=tertiary");
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(json::parse(response->body)["error"]["field"], "schedule");
  // Bob's turn tomorrow, and when it ends.
  const json tomorrow = who("schedule=primary&at=2026-11-24T06:00:00Z");
  EXPECT_EQ(tomorrow["users"], json::array({"bob"}));
  EXPECT_EQ(tomorrow["until"], "2026-11-25T00:00:00.000Z");
}

}  // namespace
}  // namespace sloe::api

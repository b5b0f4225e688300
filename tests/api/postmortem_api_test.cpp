// The postmortem endpoints over a real socket, answering through an in-memory service: formats
// and their content types, the tz parameter reaching the service, 400s naming format / tz / the
// narrative's fields, 404 for unknown incidents, 409 for a stale narrative version.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "fake_postmortem_service.h"
#include "sloe/api/server.h"

namespace sloe::api {
namespace {

using nlohmann::json;

constexpr const char* kPostmortem = "/api/v1/incidents/1/postmortem";
constexpr const char* kNarrative = "/api/v1/incidents/1/postmortem/narrative";

class PostmortemApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_postmortem_routes(PostmortemRoutes{&service_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }

  // The error field of a refused answer, after checking its status.
  static std::string refused_field(int status, const httplib::Result& response) {
    EXPECT_TRUE(response);
    if (!response)
      return "<no answer>";
    EXPECT_EQ(response->status, status) << response->body;
    const json body = json::parse(response->body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << response->body;
    if (!body.is_object() || !body.contains("error"))
      return "<no error>";
    EXPECT_FALSE(body["error"].value("message", "").empty());
    return body["error"].value("field", "");
  }

  httplib::Result put(const json& body) {
    return client_->Put(kNarrative, body.dump(), "application/json");
  }

  testing::FakePostmortemService service_{2};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(PostmortemApiTest, MarkdownIsTheDefaultFormat) {
  const auto response = client_->Get(kPostmortem);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/markdown; charset=utf-8");
  EXPECT_EQ(response->body.rfind("# Postmortem 1\nzone default\n", 0), 0u) << response->body;
}

TEST_F(PostmortemApiTest, EachFormatHasItsContentType) {
  for (const auto& [format, type] :
       {std::pair{"md", "text/markdown; charset=utf-8"}, std::pair{"json", "application/json"},
        std::pair{"html", "text/html; charset=utf-8"}}) {
    const auto response = client_->Get(std::string(kPostmortem) + "?format=" + format);
    ASSERT_TRUE(response) << format;
    EXPECT_EQ(response->status, 200) << format;
    EXPECT_EQ(response->get_header_value("Content-Type"), type) << format;
  }
  const auto document = client_->Get(std::string(kPostmortem) + "?format=json");
  ASSERT_TRUE(document);
  EXPECT_EQ(json::parse(document->body)["incident_id"], 1);
}

TEST_F(PostmortemApiTest, ZoneReachesTheServiceAsGiven) {
  const auto zoned = client_->Get(std::string(kPostmortem) + "?format=json&tz=Europe/Berlin");
  ASSERT_TRUE(zoned);
  EXPECT_EQ(json::parse(zoned->body)["zone"], "Europe/Berlin");
  const auto none = client_->Get(std::string(kPostmortem) + "?tz=");
  ASSERT_TRUE(none);
  EXPECT_NE(none->body.find("zone ''"), std::string::npos) << none->body;
}

TEST_F(PostmortemApiTest, BadQueriesAreRefusedNamingTheParameter) {
  EXPECT_EQ(refused_field(400, client_->Get(std::string(kPostmortem) + "?format=pdf")), "format");
  EXPECT_EQ(refused_field(400, client_->Get(std::string(kPostmortem) + "?tz=Mars/Olympus")), "tz");
  EXPECT_EQ(refused_field(400, client_->Get(std::string(kPostmortem) + "?fromat=md")), "fromat");
  EXPECT_EQ(refused_field(404, client_->Get("/api/v1/incidents/9/postmortem")), "id");
  EXPECT_EQ(refused_field(404, client_->Get("/api/v1/incidents/x/postmortem")), "id");
  EXPECT_EQ(refused_field(404, client_->Get("/api/v1/incidents/9/postmortem/narrative")), "id");
}

TEST_F(PostmortemApiTest, NarrativeStartsEmptyAtVersionZero) {
  const auto response = client_->Get(kNarrative);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  const json body = json::parse(response->body);
  EXPECT_EQ(body["version"], 0);
  EXPECT_EQ(body["root_cause"], "");
  EXPECT_EQ(body["went_well"], json::array());
  EXPECT_TRUE(body["updated_at"].is_null());
}

TEST_F(PostmortemApiTest, PutStoresEveryFieldAndAnswersTheNewVersion) {
  const json written{{"version", 0},
                     {"summary", "Checkout failed"},
                     {"root_cause", "bad config"},
                     {"contributing_factors", {"no canary"}},
                     {"resolution", "rollback"},
                     {"went_well", {"fast page", "clear runbook"}},
                     {"went_wrong", {"slow rollback"}},
                     {"got_lucky", {"low traffic"}},
                     {"links", {"https://tickets.example/1"}},
                     {"authors", {"alice"}}};
  const auto response = put(written);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const json stored = json::parse(response->body);
  EXPECT_EQ(stored["version"], 1);
  EXPECT_EQ(stored["updated_by"], "anonymous");
  EXPECT_EQ(service_.last_actor(), "anonymous");
  EXPECT_EQ(stored["updated_at"], "2027-01-15T08:00:00.000Z");
  for (const char* key : {"summary", "root_cause", "contributing_factors", "resolution",
                          "went_well", "went_wrong", "got_lucky", "links", "authors"}) {
    EXPECT_EQ(stored[key], written[key]) << key;
  }
  const json read = json::parse(client_->Get(kNarrative)->body);
  EXPECT_EQ(read, stored);
  // What was read may be sent back with an edit (updated_by/updated_at are ignored).
  json edited = read;
  edited["root_cause"] = "a config push";
  const auto second = put(edited);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(json::parse(second->body)["version"], 2);
  EXPECT_NE(client_->Get(kPostmortem)->body.find("root cause: a config push"), std::string::npos);
}

TEST_F(PostmortemApiTest, StaleVersionIsAConflict) {
  ASSERT_EQ(put(json{{"version", 0}, {"root_cause", "first"}})->status, 200);
  EXPECT_EQ(refused_field(409, put(json{{"version", 0}, {"root_cause", "second"}})), "version");
  service_.conflict_next_puts(1);
  EXPECT_EQ(refused_field(409, put(json{{"version", 1}, {"root_cause", "third"}})), "version");
}

TEST_F(PostmortemApiTest, BadBodiesAreRefusedNamingTheField) {
  const auto bad = [&](const std::string& body) {
    return refused_field(400, client_->Put(kNarrative, body, "application/json"));
  };
  EXPECT_EQ(bad("not json"), "");
  EXPECT_EQ(bad("[1]"), "");
  EXPECT_EQ(bad(R"({"root_cause": "x"})"), "version");
  EXPECT_EQ(bad(R"({"version": -1})"), "version");
  EXPECT_EQ(bad(R"({"version": "1"})"), "version");
  EXPECT_EQ(bad(R"({"version": 0, "root_cause": 3})"), "root_cause");
  EXPECT_EQ(bad(R"({"version": 0, "went_well": "one"})"), "went_well");
  EXPECT_EQ(bad(R"({"version": 0, "links": ["ok", 2]})"), "links[1]");
  EXPECT_EQ(bad(R"({"version": 0, "root_cuase": "x"})"), "root_cuase");
}

}  // namespace
}  // namespace sloe::api

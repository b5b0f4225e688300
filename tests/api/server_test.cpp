#include "sloe/api/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace sloe::api {
namespace {

using namespace std::chrono_literals;

Board one_slo_board() {
  sli::EventWindow events(24h * 30);
  const TimePoint now = from_unix_seconds(1'800'000'000);
  for (int minute = 0; minute < 120; ++minute) {
    events.record(now - std::chrono::minutes(minute), sli::Counts{90, 100});
  }
  SloReport report;
  report.name = "checkout-availability";
  report.service = "checkout";
  report.sli_kind = "availability";
  report.probe = "checkout-http";
  report.objective = slo::Objective{0.999, 24h * 30};
  report.status = slo::evaluate(report.objective, events, now);
  return Board{now, 0.001, {report}};
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }
  void TearDown() override { server_.stop(); }

  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiServerTest, HealthIsAlwaysOkButReadinessWaitsForAnEvaluation) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 503);
  EXPECT_EQ(client_->Get("/api/v1/slos")->status, 503);
  board_.publish(one_slo_board());
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
}

TEST_F(ApiServerTest, ServesSloStatusAsJson) {
  board_.publish(one_slo_board());
  const auto response = client_->Get("/api/v1/slos");
  ASSERT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(response->body);
  ASSERT_EQ(body["slos"].size(), 1u);
  const auto& slo = body["slos"][0];
  EXPECT_EQ(slo["name"], "checkout-availability");
  EXPECT_EQ(slo["window"], "30d");
  EXPECT_NEAR(slo["sli_value"].get<double>(), 0.9, 1e-9);
  // 10% errors against a 0.1% budget: a burn rate of 100 in every window that has data.
  EXPECT_NEAR(slo["burn_rates"]["1h"].get<double>(), 100.0, 1e-6);
  EXPECT_TRUE(slo["page"].get<bool>());
  EXPECT_LT(slo["error_budget"]["remaining_ratio"].get<double>(), 0.0);
  EXPECT_EQ(slo["alerts"].size(), 4u);
}

TEST_F(ApiServerTest, UnknownSloAndUnknownRouteAnswerJsonErrors) {
  board_.publish(one_slo_board());
  const auto missing = client_->Get("/api/v1/slos/nope");
  ASSERT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"]["field"], "name");
  const auto single = client_->Get("/api/v1/slos/checkout-availability");
  ASSERT_EQ(single->status, 200);
  EXPECT_EQ(nlohmann::json::parse(single->body)["slos"].size(), 1u);
  const auto no_route = client_->Get("/api/v1/nothing");
  ASSERT_EQ(no_route->status, 404);
  EXPECT_TRUE(nlohmann::json::parse(no_route->body).contains("error"));
}

TEST(ListenAddress, ParsesHostPortForms) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:9465")->port, 9465);
  EXPECT_EQ(parse_listen_address(":8080")->host, "0.0.0.0");
  EXPECT_EQ(parse_listen_address("[::1]:0")->host, "::1");
  EXPECT_NE(parse_listen_address("localhost").error().message.find("needs a port"),
            std::string::npos);
  EXPECT_NE(parse_listen_address("h:70000").error().message.find("invalid port"),
            std::string::npos);
}

TEST(ApiServer, ReportsAnAddressInUse) {
  StatusBoard board;
  AgentMetrics metrics("test");
  ApiServer first(board, metrics);
  ApiServer second(board, metrics);
  ServerOptions options;
  options.port = 0;
  ASSERT_TRUE(first.start(options).ok());
  options.port = first.port();
  const Status status = second.start(options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace sloe::api

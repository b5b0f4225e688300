#include "sloe/app/agent.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sloe/config/loader.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;

// A real HTTP service on loopback: /ok always answers 200, /flaky answers 500 every other time.
class TargetService {
 public:
  TargetService() {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("ok", "text/plain");
    });
    server_.Get("/flaky", [this](const httplib::Request&, httplib::Response& r) {
      r.status = (flaky_count_++ % 2 == 0) ? 200 : 500;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 2000 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(1ms);
  }
  ~TargetService() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::atomic<int> flaky_count_{0};
  int port_ = 0;
};

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = std::filesystem::temp_directory_path() /
                ("sloe-agent-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(data_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  config::Config load(int port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    const std::string yaml = R"(
probes:
  - name: ok
    interval: 100ms
    timeout: 100ms
    http: { url: )" + base + R"(/ok }
  - name: flaky
    interval: 100ms
    timeout: 100ms
    http: { url: )" + base + R"(/flaky }
slos:
  - name: ok-availability
    service: ok
    objective: 99.9
    sli: { availability: { probe: ok } }
  - name: flaky-availability
    service: flaky
    objective: 99
    window: 7d
    sli: { availability: { probe: flaky } }
)";
    config::LoadResult loaded = config::load_config_from_strings({{"slo/test.yaml", yaml}});
    EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? ""
                                                            : loaded.diagnostics[0].to_string());
    return std::move(*loaded.config);
  }

  AgentOptions options() const {
    AgentOptions options;
    options.data_dir = data_dir_.string();
    options.listen.port = 0;
    options.evaluation_interval = 100ms;
    options.jitter_seed = 42;
    return options;
  }

  // Polls the agent's own API until `done` holds or a generous deadline passes.
  static nlohmann::json wait_for_status(int port,
                                        const std::function<bool(const nlohmann::json&)>& done) {
    httplib::Client client("127.0.0.1", port);
    nlohmann::json last;
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (auto response = client.Get("/api/v1/slos"); response && response->status == 200) {
        last = nlohmann::json::parse(response->body);
        if (done(last))
          return last;
      }
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }

  static const nlohmann::json& slo_named(const nlohmann::json& status, const std::string& name) {
    for (const auto& slo : status["slos"]) {
      if (slo["name"] == name)
        return slo;
    }
    throw std::runtime_error("no SLO " + name);
  }

  std::filesystem::path data_dir_;
  SystemClock clock_;
};

TEST_F(AgentTest, ProbesFeedSlosAndTheApiAndMetricsShowThem) {
  TargetService target;
  auto agent = Agent::create(clock_, load(target.port()), options());
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  ASSERT_TRUE((*agent)->start().ok());

  const auto status = wait_for_status((*agent)->port(), [](const nlohmann::json& s) {
    for (const auto& slo : s["slos"]) {
      if (slo["events"]["total"].get<double>() < 8)
        return false;
    }
    return true;
  });
  const auto& ok = slo_named(status, "ok-availability");
  const auto& flaky = slo_named(status, "flaky-availability");
  EXPECT_GE(ok["events"]["total"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(ok["sli_value"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(ok["burn_rates"]["5m"].get<double>(), 0.0);
  // Half the flaky probes fail against a 1% budget: a burn rate near 50, which pages.
  EXPECT_NEAR(flaky["sli_value"].get<double>(), 0.5, 0.15);
  EXPECT_GT(flaky["burn_rates"]["5m"].get<double>(), 30);
  EXPECT_TRUE(flaky["page"].get<bool>());

  httplib::Client client("127.0.0.1", (*agent)->port());
  const auto metrics = client.Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("probe_success{probe=\"ok\""), std::string::npos);
  EXPECT_NE(metrics->body.find(
                "sloe_slo_burn_rate{service=\"flaky\",slo=\"flaky-availability\",window=\"1h\"}"),
            std::string::npos);
  (*agent)->stop();
}

TEST_F(AgentTest, HistorySurvivesARestart) {
  TargetService target;
  double total_before = 0;
  {
    auto agent = Agent::create(clock_, load(target.port()), options());
    ASSERT_TRUE(agent.ok()) << agent.error().message;
    ASSERT_TRUE((*agent)->start().ok());
    wait_for_status((*agent)->port(), [](const nlohmann::json& s) {
      return slo_named(s, "flaky-availability")["events"]["total"].get<double>() >= 6;
    });
    (*agent)->stop();  // the shutdown path saves history
    const auto board = (*agent)->board().snapshot();
    for (const auto& report : board->slos) {
      if (report.name == "flaky-availability")
        total_before = report.status.window_counts.total;
    }
  }
  ASSERT_GE(total_before, 6);
  auto restarted = Agent::create(clock_, load(target.port()), options());
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_EQ((*restarted)->restored_slo_count(), 2u);
  (*restarted)->evaluate_now();
  const auto board = (*restarted)->board().snapshot();
  ASSERT_NE(board, nullptr);
  for (const auto& report : board->slos) {
    if (report.name == "flaky-availability") {
      EXPECT_DOUBLE_EQ(report.status.window_counts.total, total_before);
    }
  }
}

TEST_F(AgentTest, AMissingSecretStopsTheAgentBeforeItStarts) {
  const std::string yaml = R"(
probes:
  - name: private
    http:
      url: http://127.0.0.1:1/
      headers: { Authorization: { env: SLOE_TEST_SURELY_UNSET_VARIABLE } }
)";
  config::LoadResult loaded = config::load_config_from_strings({{"slo/p.yaml", yaml}});
  ASSERT_TRUE(loaded.ok());
  auto agent = Agent::create(clock_, std::move(*loaded.config), options());
  ASSERT_FALSE(agent.ok());
  EXPECT_NE(agent.error().message.find("SLOE_TEST_SURELY_UNSET_VARIABLE"), std::string::npos)
      << agent.error().message;
}

}  // namespace
}  // namespace sloe::app

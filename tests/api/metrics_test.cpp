#include "sloe/api/metrics.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace sloe::api {
namespace {

using namespace std::chrono_literals;

std::string populated_metrics_text() {
  AgentMetrics metrics("1.2.3");
  probe::ProbeResult http;
  http.probe = "checkout-http";
  http.target = "https://shop.example/health";
  http.success = true;
  http.duration_seconds = 0.125;
  http.phases = {{"resolve", 0.001},
                 {"connect", 0.01},
                 {"tls", 0.05},
                 {"processing", 0.06},
                 {"transfer", 0.004}};
  http.http_status = 200;
  http.http_version = 11;
  http.tls_earliest_cert_expiry = from_unix_seconds(1'900'000'000);
  metrics.observe_probe(http);
  probe::ProbeResult dns;
  dns.probe = "example-dns";
  dns.target = "example.com";
  dns.success = false;
  dns.failure = "NXDOMAIN";
  metrics.observe_probe(dns);
  metrics.observe_sli_event("checkout-availability", "checkout", true);
  metrics.observe_sli_event("checkout-availability", "checkout", false);

  sli::EventWindow events(24h * 30);
  const TimePoint now = from_unix_seconds(1'800'000'000);
  events.record(now - 1min, sli::Counts{99, 100});
  SloReport report;
  report.name = "checkout-availability";
  report.service = "checkout";
  report.objective = slo::Objective{0.999, 24h * 30};
  report.status = slo::evaluate(report.objective, events, now);
  SloReport empty = report;
  empty.name = "idle";
  empty.status = slo::evaluate(report.objective, sli::EventWindow(24h * 30), now);
  metrics.observe_board(Board{now, 0.002, {report, empty}});
  return metrics.render();
}

// The value of the series whose text (name and labels) is exactly `series`; NaN if absent.
double sample_value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos)
    return std::numeric_limits<double>::quiet_NaN();
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(AgentMetrics, ExposesBlackboxCompatibleProbeMetrics) {
  const std::string text = populated_metrics_text();
  EXPECT_NE(
      text.find("probe_success{probe=\"checkout-http\",target=\"https://shop.example/health\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("probe_http_duration_seconds{phase=\"tls\",probe=\"checkout-http\""),
            std::string::npos);
  EXPECT_NE(text.find("probe_http_status_code{probe=\"checkout-http\""), std::string::npos);
  EXPECT_NE(text.find("probe_ssl_earliest_cert_expiry{probe=\"checkout-http\",target=\"https://"
                      "shop.example/health\"} 1900000000"),
            std::string::npos);
  EXPECT_NE(text.find("probe_success{probe=\"example-dns\",target=\"example.com\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("sloe_probe_results_total{probe=\"example-dns\",result=\"failure\"} 1"),
            std::string::npos);
}

TEST(AgentMetrics, ExposesSloFiguresPerWindow) {
  const std::string text = populated_metrics_text();
  EXPECT_NE(
      text.find(
          "sloe_slo_objective_ratio{service=\"checkout\",slo=\"checkout-availability\"} 0.999"),
      std::string::npos)
      << text;
  // 1% errors against a 0.1% budget.
  EXPECT_NEAR(
      sample_value(
          text,
          "sloe_slo_burn_rate{service=\"checkout\",slo=\"checkout-availability\",window=\"5m\"}"),
      10.0, 1e-9);
  EXPECT_NE(
      text.find(
          "sloe_slo_sli_ratio{service=\"checkout\",slo=\"checkout-availability\",window=\"30d\"}"),
      std::string::npos);
  EXPECT_NE(text.find("sloe_slo_alert_condition{alert=\"page-fast\""), std::string::npos);
  EXPECT_NE(
      text.find("sloe_slo_time_to_exhaustion_seconds{service=\"checkout\",slo=\"idle\"} +Inf"),
      std::string::npos);
  EXPECT_NE(
      text.find("sloe_slo_events_total{service=\"checkout\",slo=\"checkout-availability\"} 2"),
      std::string::npos);
  EXPECT_NE(
      text.find("sloe_slo_good_events_total{service=\"checkout\",slo=\"checkout-availability\"} 1"),
      std::string::npos);
}

// The real judge of the exposition format: Prometheus's own linter.
TEST(AgentMetrics, PassesPromtoolCheckMetrics) {
  const std::string text = populated_metrics_text();
  const auto path = std::filesystem::temp_directory_path() /
                    ("sloe-metrics-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path) << text;
  const std::string command = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    output += buffer.data();
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  ASSERT_NE(WEXITSTATUS(status), 127) << "promtool not found: run scripts/install-deps.sh --test";
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
}

}  // namespace
}  // namespace sloe::api

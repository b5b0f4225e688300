// `sloe rules` against the real Prometheus tooling: promtool accepts the generated rule file, the
// page alert fires exactly when the SRE Workbook says it should, and the burn rates Prometheus
// records agree with the ones sloe computes in-process for the same series.
// Skipped only when promtool is not installed (Debian package prometheus).
#include "sloe/app/prometheus_rules.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/loader.h"
#include "sloe/core/text.h"
#include "sloe/sli/event_window.h"
#include "sloe/slo/evaluator.h"

namespace sloe::app {
namespace {

using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPromtool = "/usr/bin/promtool";

struct Output {
  int exit_code;
  std::string text;  // stdout and stderr
};

Output run(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    text += buffer.data();
  const int status = ::pclose(pipe);
  return Output{WEXITSTATUS(status), text};
}

class TempDir {
 public:
  TempDir() {
    dir_ = std::filesystem::temp_directory_path() /
           ("sloe-rules-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  std::string path() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

config::Config load(const std::string& slo_yaml) {
  config::LoadResult loaded = config::load_config_from_strings({{"slo/slos.yaml", slo_yaml}});
  std::string problems;
  for (const config::Diagnostic& diagnostic : loaded.diagnostics)
    problems += diagnostic.to_string() + "\n";
  EXPECT_TRUE(loaded.ok()) << problems;
  return loaded.ok() ? *loaded.config : config::Config{};
}

constexpr const char* kCheckoutSlo = R"(
probes:
  - name: shop
    http: { url: "http://127.0.0.1:1/" }
slos:
  - name: checkout-availability
    service: shop
    objective: 99.9
    window: 30d
    runbook_url: https://runbooks.example/checkout?step={{first}}
    labels: { team: payments }
    sli:
      availability: { probe: shop }
  - name: search-availability
    service: search
    objective: 99.5
    window: 30d
    sli:
      availability: { probe: shop }
)";

constexpr const char* kSloName = "checkout-availability";
constexpr const char* kSearchSlo = "search-availability";
// The labels every rule of the checkout SLO carries, as promtool prints label sets.
constexpr const char* kRuleLabels =
    R"({service="shop", slo="checkout-availability", team="payments"})";

class PrometheusRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPromtool))
      GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }

  // promtool's verdict on a rule file; the output is returned for failure messages.
  static Output check_rules(const std::string& rules_path) {
    return run(std::string(kPromtool) + " check rules " + rules_path);
  }

  TempDir dir_;
};

// ---- (a) promtool accepts what sloe generates ----

TEST_F(PrometheusRulesTest, PromtoolAcceptsTheRulesForTheShippedDemoConfiguration) {
  const std::string out = dir_.path() + "/demo-rules.yml";
  const Output generated = run(std::string(SLOE_BINARY) + " rules --config " + SLOE_SOURCE_DIR +
                               " --external-url http://sloe.example:9465/ --out " + out);
  ASSERT_EQ(generated.exit_code, 0) << generated.text;
  const Output checked = check_rules(out);
  EXPECT_EQ(checked.exit_code, 0) << checked.text;
  EXPECT_NE(checked.text.find("SUCCESS"), std::string::npos) << checked.text;

  std::ifstream file(out);
  std::ostringstream contents;
  contents << file.rdbuf();  // not istreambuf_iterator: GCC 12 -O2 warns falsely
  const std::string text = contents.str();
  EXPECT_NE(text.find("slo_url: \"http://sloe.example:9465/api/v1/slos/"), std::string::npos);
}

TEST_F(PrometheusRulesTest, RulesCommandRefusesAnInvalidConfiguration) {
  dir_.write("slo/bad.yaml", "slos:\n  - name: x\n    objective: 150\n");
  const Output generated = run(std::string(SLOE_BINARY) + " rules --config " + dir_.path());
  EXPECT_EQ(generated.exit_code, 1) << generated.text;
  EXPECT_NE(generated.text.find("bad.yaml"), std::string::npos) << generated.text;
}

TEST_F(PrometheusRulesTest, PromtoolAcceptsSeveralSlosWithOtherWindowsAndThresholdsFollowThem) {
  const config::Config config = load(R"(
probes:
  - name: api
    tcp: { address: "127.0.0.1:1" }
slos:
  - name: api-28d
    service: api
    objective: 99.95
    window: 28d
    labels: { team: core, tier: "1" }
    runbook_url: https://runbooks.example/api
    sli: { availability: { probe: api } }
  - name: api-7d
    service: api
    objective: 99
    window: 7d
    sli: { availability: { probe: api } }
  - name: api-1d
    service: "api \"edge\""
    objective: 95
    window: 1d
    sli: { availability: { probe: api } }
)");
  ASSERT_EQ(config.slos.size(), 3U);
  const std::string text = prometheus_rules(config, {});
  const Output checked = check_rules(dir_.write("rules.yml", text));
  ASSERT_EQ(checked.exit_code, 0) << checked.text << "\n" << text;
  // 3 SLOs; each has 7 error ratios (+1 for a window that is not a burn window), 7 burn rates,
  // 4 metadata rules and 2 alerts. The 1d SLO window is one of the burn windows.
  EXPECT_NE(checked.text.find("SUCCESS: 62 rules found"), std::string::npos) << checked.text;

  // Thresholds are sloe's own for each window, compared against the same doubles.
  for (const config::SloSpec& spec : config.slos) {
    slo::Objective objective{spec.objective, duration_cast<seconds>(spec.window)};
    for (const slo::AlertCondition& condition : slo::alert_policy(objective)) {
      const std::string comparison = burn_rate_rule_name(condition.long_window) + "{slo=\"" +
                                     spec.name + "\"} > " + format_double(condition.threshold);
      EXPECT_NE(text.find(comparison), std::string::npos) << comparison;
    }
  }
  EXPECT_NE(text.find("> 13.44\n"), std::string::npos);  // page-fast for 28d
  EXPECT_NE(text.find("> 3.36\n"), std::string::npos);   // page-fast for 7d
  EXPECT_NE(text.find(error_ratio_rule_name(days{28}) + "\""), std::string::npos);
  EXPECT_NE(text.find(error_ratio_rule_name(days{7}) + "\""), std::string::npos);
}

// ---- (b) and (c): promtool test rules on series sloe's counters would have ----

// Per-minute traffic: every minute `total` events, `bad` of them bad.
struct Phase {
  int minutes;
  double total;
  double bad;
};

// The counters of one SLO, sampled every minute from 0 (both 0 at t=0), and the same events fed
// to sloe's EventWindow. Sample m holds every event up to minute m; in-process, the events of
// minute m are recorded at m*60s - 30s, inside ((m-1)min, m min]. A rolling window ending on a
// whole minute then holds the same events in both: Prometheus (2.x) reads the samples in
// [t-w, t] and takes last - first, i.e. the events of (t-w, t]; sloe sums (t-w, t], whose oldest
// 1-minute bucket is covered whole. Both counters share sample times and start at 0, so rate()'s
// extrapolation multiplies good and total by the same factor (here 1) and cancels in bad/total.
// Windows above 6h are read from sloe's hourly buckets, interpolated across the oldest one; the
// instants below keep that bucket in steady traffic, where the interpolation is exact.
class Scenario {
 public:
  explicit Scenario(std::vector<Phase> phases, std::string slo = kSloName,
                    std::string service = "shop")
      : phases_(std::move(phases)), slo_(std::move(slo)), service_(std::move(service)) {}

  int length_minutes() const {
    int length = 0;
    for (const Phase& phase : phases_)
      length += phase.minutes;
    return length;
  }

  // promtool input_series for both counters, with the labels sloe's /metrics gives them.
  std::string input_series() const {
    std::string total_values = "0";
    std::string good_values = "0";
    double total = 0;
    double good = 0;
    for (const Phase& phase : phases_) {
      for (int i = 0; i < phase.minutes; ++i) {
        total += phase.total;
        good += phase.total - phase.bad;
        total_values += " " + format_double(total);
        good_values += " " + format_double(good);
      }
    }
    const std::string labels =
        "{slo=\"" + slo_ + "\",service=\"" + service_ + "\",instance=\"sloe:9465\"}";
    return "      - series: 'sloe_slo_events_total" + labels + "'\n        values: '" +
           total_values + "'\n      - series: 'sloe_slo_good_events_total" + labels +
           "'\n        values: '" + good_values + "'\n";
  }

  // sloe's evaluation at each instant (whole minutes, ascending), from the same events.
  std::vector<slo::Status> evaluate(const slo::Objective& objective,
                                    const std::vector<int>& at_minutes) const {
    sli::EventWindow events(objective.window);
    std::vector<slo::Status> statuses;
    std::size_t next = 0;
    int minute = 0;
    const TimePoint epoch{};
    for (const Phase& phase : phases_) {
      for (int i = 0; i < phase.minutes && next < at_minutes.size(); ++i) {
        ++minute;
        events.record(epoch + minutes{minute} - seconds{30},
                      sli::Counts{phase.total - phase.bad, phase.total});
        while (next < at_minutes.size() && at_minutes[next] == minute) {
          statuses.push_back(slo::evaluate(objective, events, epoch + minutes{minute}));
          ++next;
        }
      }
    }
    EXPECT_EQ(statuses.size(), at_minutes.size()) << "instants beyond the scenario";
    return statuses;
  }

 private:
  std::vector<Phase> phases_;
  std::string slo_;
  std::string service_;
};

// The objective exactly as sloe's agent builds it from the configuration (agent.cpp).
slo::Objective objective_of(const std::string& slo_name) {
  const config::Config config = load(kCheckoutSlo);
  for (const config::SloSpec& spec : config.slos) {
    if (spec.name == slo_name)
      return slo::Objective{spec.objective, duration_cast<seconds>(spec.window)};
  }
  ADD_FAILURE() << "no SLO " << slo_name;
  return {};
}

slo::Objective checkout_objective() {
  return objective_of(kSloName);
}

std::string minutes_text(int minute) {
  return std::to_string(minute) + "m";
}

std::string alert_test(int minute, const std::string& expected_alerts) {
  return "      - eval_time: " + minutes_text(minute) +
         "\n        alertname: ErrorBudgetBurn\n        exp_alerts:" + expected_alerts + "\n";
}

// What promtool's `humanize` prints for a burn rate in [1, 1000): Go's %.4g.
std::string humanized(double value) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.4g", value);
  return buffer.data();
}

std::string page_alert(double long_burn) {
  const std::string burn = humanized(long_burn);
  return R"(
          - exp_labels:
              severity: page
              slo: checkout-availability
              service: shop
              team: payments
            exp_annotations:
              summary: "checkout-availability (shop) is burning its error budget )" +
         burn + R"(x as fast as it can afford"
              description: "The error budget burns faster than the page thresholds allow: page-fast 14.4x over 1h and 5m; page-slow 6x over 6h and 30m; long-window burn now )" +
         burn + R"(x. Objective 99.9% over 30d."
              runbook_url: "https://runbooks.example/checkout?step={{first}}"
              slo_url: "http://sloe.example:9465/api/v1/slos/checkout-availability"
)";
}

// One promql_expr_test asserting that a recorded value equals sloe's within 1e-9 (relative for
// values above 1). `<= bool` yields 1 or 0 whatever promtool's own float comparison is.
std::string agrees(const std::string& rule, int minute, double sloe_value) {
  const std::string tolerance = format_double(1e-9 * std::max(1.0, std::abs(sloe_value)));
  return "      - eval_time: " + minutes_text(minute) + "\n        expr: 'abs(" + rule + "{slo=\"" +
         kSloName + "\"} - " + format_double(sloe_value) + ") <= bool " + tolerance +
         "'\n        exp_samples:\n          - labels: '" + kRuleLabels +
         "'\n            value: 1\n";
}

struct TestRun {
  Output output;
  std::string test_file;
};

class PrometheusRulesScenarioTest : public PrometheusRulesTest {
 protected:
  // Writes the rules for kCheckoutSlo and one promtool test per (scenario, body), then runs it.
  TestRun promtool_test(const std::vector<std::pair<const Scenario*, std::string>>& tests) {
    PrometheusRulesOptions options;
    options.external_url = "http://sloe.example:9465";
    dir_.write("rules.yml", prometheus_rules(load(kCheckoutSlo), options));
    std::string file = "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n";
    for (const auto& [scenario, body] : tests) {
      file += "  - interval: 1m\n    input_series:\n" + scenario->input_series() + body;
    }
    const std::string path = dir_.write("rules_test.yml", file);
    return TestRun{run("cd " + dir_.path() + " && " + kPromtool + " test rules " + path), file};
  }
};

// Three days of healthy traffic, so the long windows (1d, 3d) hold a steady history.
constexpr int kHistory = 3 * 24 * 60;
constexpr double kPerMinute = 1000;

TEST_F(PrometheusRulesScenarioTest, PageFiresWhenTheWorkbookSaysForA15xBurnAndStopsOnRecovery) {
  // 15x for 99.9%: 1.5% of events bad. page-fast needs the 1h burn above 14.4, i.e. 57.6 of the
  // last 60 minutes at 15x: the Workbook's detection time 1h * 14.4 / 15. With 1-minute samples
  // the first instant is minute 58 (1h burn 14.5, 5m burn 15). page-slow (6h above 6) would need
  // 144 minutes; after 2h of burn, recovery drops the 5m burn under 14.4 within a minute. The
  // 1d and 3d burns stay under 3 and 1, so no ticket.
  const Scenario scenario({{kHistory, kPerMinute, 0}, {120, kPerMinute, 15}, {30, kPerMinute, 0}});
  const int burn_start = kHistory;
  const std::vector<int> instants = {burn_start + 57, burn_start + 58, burn_start + 120,
                                     burn_start + 121};
  const std::vector<slo::Status> sloe = scenario.evaluate(checkout_objective(), instants);
  ASSERT_EQ(sloe.size(), 4U);
  // sloe's own evaluator says the same.
  EXPECT_FALSE(sloe[0].page());
  EXPECT_TRUE(sloe[1].page());
  EXPECT_TRUE(sloe[2].page());
  EXPECT_FALSE(sloe[3].page());
  for (const slo::Status& status : sloe)
    EXPECT_FALSE(status.ticket());

  std::string body = "    alert_rule_test:\n";
  body += alert_test(instants[0], " []");
  body += alert_test(instants[1], page_alert(sloe[1].conditions[0].long_burn));
  body += alert_test(instants[2], page_alert(sloe[2].conditions[0].long_burn));
  body += alert_test(instants[3], " []");
  const TestRun result = promtool_test({{&scenario, body}});
  EXPECT_EQ(result.output.exit_code, 0) << result.output.text;
  EXPECT_NE(result.output.text.find("SUCCESS"), std::string::npos) << result.output.text;
  EXPECT_NEAR(sloe[1].conditions[0].long_burn, 14.5, 1e-9);
}

TEST_F(PrometheusRulesScenarioTest, SteadyBurnAtOrBelowTheThresholdsStaysQuiet) {
  // 1x spends the budget exactly over the window: no condition is strictly above its threshold
  // (ticket-slow's is 1), so neither sloe nor Prometheus pages or tickets, at any time. This runs
  // on the 99.5% SLO, 5 bad events in 1000: the configuration turns 99.5 into exactly the double
  // 0.995, so the budget is the double 1 - 0.995 in both. (99.9 is read as 99.9 / 100, one ulp
  // above the double 0.999; its budget is then a hair small and an exact 1x computes as
  // 1.0000000000001 in sloe and in Prometheus alike: both would ticket.)
  const Scenario at_budget({{kHistory + 120, kPerMinute, 5}}, kSearchSlo, "search");
  // 14x, just under page-fast's 14.4: no page from page-fast however long it lasts; page-slow
  // (6h above 6) takes over after 6h * 6 / 14 = 154.3 minutes. (Exactly 14.4x sits ON the
  // threshold: "strictly above" says no page, but the verdict would then rest on the last bit of
  // a double -- Prometheus divides rates, sloe counts -- so the test pins both sides instead.)
  const Scenario just_under({{kHistory, kPerMinute, 0}, {160, kPerMinute, 14}});

  const std::vector<int> quiet_instants = {60, 24 * 60, kHistory, kHistory + 120};
  for (const slo::Status& status : at_budget.evaluate(objective_of(kSearchSlo), quiet_instants)) {
    EXPECT_FALSE(status.page());
    EXPECT_FALSE(status.ticket());
  }
  const std::vector<int> under_instants = {kHistory + 60, kHistory + 154, kHistory + 155};
  const std::vector<slo::Status> under = just_under.evaluate(checkout_objective(), under_instants);
  ASSERT_EQ(under.size(), 3U);
  EXPECT_FALSE(under[0].page());
  EXPECT_FALSE(under[1].page());
  EXPECT_TRUE(under[2].page());
  EXPECT_FALSE(under[2].conditions[0].firing);  // page-fast
  EXPECT_TRUE(under[2].conditions[1].firing);   // page-slow

  std::string quiet = "    alert_rule_test:\n";
  for (const int minute : quiet_instants)
    quiet += alert_test(minute, " []");
  std::string under_body = "    alert_rule_test:\n";
  under_body += alert_test(under_instants[0], " []");
  under_body += alert_test(under_instants[1], " []");
  // Only page-slow holds, so the alert's value is the 6h burn.
  under_body += alert_test(under_instants[2], page_alert(under[2].conditions[1].long_burn));
  const TestRun result = promtool_test({{&at_budget, quiet}, {&just_under, under_body}});
  EXPECT_EQ(result.output.exit_code, 0) << result.output.text;
}

TEST_F(PrometheusRulesScenarioTest, RecordedBurnRatesAgreeWithSloesInProcessEvaluation) {
  // Traffic that changes: healthy, a 15x burn, a partial recovery at 3x with more traffic, then
  // healthy again. At each instant every burn-rate window and the budget remaining must agree.
  const Scenario scenario({{kHistory, kPerMinute, 0},
                           {90, kPerMinute, 15},
                           {60, 3 * kPerMinute, 9},
                           {30, kPerMinute, 0}});
  const std::vector<int> instants = {kHistory - 10, kHistory + 7,   kHistory + 45,
                                     kHistory + 95, kHistory + 150, kHistory + 180};
  const std::vector<slo::Status> sloe = scenario.evaluate(checkout_objective(), instants);
  ASSERT_EQ(sloe.size(), instants.size());

  std::string body = "    promql_expr_test:\n";
  int checks = 0;
  for (std::size_t i = 0; i < instants.size(); ++i) {
    for (const slo::BurnRate& burn : sloe[i].burn_rates) {
      // A window with no bad events is a plain 0 in both; the others carry the real comparison.
      body += agrees(burn_rate_rule_name(burn.window), instants[i], burn.burn_rate);
      body += agrees(error_ratio_rule_name(burn.window), instants[i], burn.error_ratio);
      checks += 2;
    }
    body +=
        agrees(std::string(kBudgetRemainingRuleName), instants[i], sloe[i].budget_remaining_ratio);
    ++checks;
  }
  // The instants include burns well away from 0 and 1, or the comparison would prove little.
  EXPECT_GT(sloe[2].burn_rate(minutes{5})->burn_rate, 14.0);
  EXPECT_GT(sloe[4].burn_rate(minutes{30})->burn_rate, 1.0);
  EXPECT_LT(sloe[4].burn_rate(minutes{30})->burn_rate, 14.0);
  EXPECT_LT(sloe[5].budget_remaining_ratio, 1.0);
  EXPECT_EQ(checks, 6 * 15);

  const TestRun result = promtool_test({{&scenario, body}});
  EXPECT_EQ(result.output.exit_code, 0) << result.output.text;
  EXPECT_NE(result.output.text.find("SUCCESS"), std::string::npos) << result.output.text;
}

}  // namespace
}  // namespace sloe::app

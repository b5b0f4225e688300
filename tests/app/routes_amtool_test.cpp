// Parity with the real Alertmanager: the same configuration and label sets through
// `amtool config routes test|show` and `sloe routes test|show` must give the same receivers, in
// the same order, and the same printed tree. Skipped only when amtool is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Nested routes, continue at several depths, regex and negative matchers, deprecated match and
// match_re, empty-string matchers, unquoted values, several matchers in one string, nodes that
// inherit their receiver, a matcher-less child, group_by '...'.
constexpr const char* kConfig = R"(global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="page"']
      receiver: pager-audit
      continue: true
      group_by: ['...']
    - matchers: ['team="db"', 'service=~"pg|mysql"']
      receiver: db
      routes:
        - matchers: ['severity=~"page|critical"', 'env!="dev"']
          receiver: db-pager
        - matchers: ['instance=""']
          receiver: db-no-instance
          continue: true
        - matchers: ['region=~"eu-.*"']
          receiver: db-eu
    - match:
        team: web
      match_re:
        service: 'api|web|api-v2'
      routes:
        - matchers: [env=prod, 'severity!~"warning|ticket"']
          receiver: web-prod-urgent
        - matchers: ['env=~"dev|staging"']
          continue: true
          receiver: web-nonprod
        - receiver: web-catchall
          matchers: ['region!=""']
    - matchers: ['team=~"[a-c]"']
      continue: true
      receiver: letters
      routes:
        - matchers: ['team="a"']
          receiver: team-a
          continue: true
        - matchers: ['team="a", severity="page"']
          receiver: team-a-page
        - matchers: ['severity!="page"']
          routes:
            - matchers: ['env="prod"']
              receiver: letters-prod
            - group_wait: 1m
              continue: true
            - matchers: ['{region="us-east",instance!=""}']
              receiver: letters-us
    - matchers: ['env="prod"', 'service!~"api.*"']
      receiver: prod-non-api
    - receiver: tail
      matchers: ['region="us-east"']
      continue: true
    - matchers: ['service=""']
      receiver: no-service
receivers:
  - name: default
  - name: pager-audit
  - name: db
  - name: db-pager
  - name: db-no-instance
  - name: db-eu
  - name: web-prod-urgent
  - name: web-nonprod
  - name: web-catchall
  - name: letters
  - name: team-a
  - name: team-a-page
  - name: letters-prod
  - name: letters-us
  - name: prod-non-api
  - name: tail
  - name: no-service
)";

struct Output {
  int exit_code;
  std::string text;  // stdout only
};

Output finish(FILE* pipe) {
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    text += buffer.data();
  const int status = ::pclose(pipe);
  return Output{WEXITSTATUS(status), text};
}

Output run(const std::string& command) {
  return finish(::popen((command + " 2>/dev/null").c_str(), "r"));
}

// Both commands run at the same time (each prints a line or two, far below a pipe's buffer).
std::pair<Output, Output> run_both(const std::string& first, const std::string& second) {
  FILE* a = ::popen((first + " 2>/dev/null").c_str(), "r");
  FILE* b = ::popen((second + " 2>/dev/null").c_str(), "r");
  Output first_output = finish(a);
  return {first_output, finish(b)};
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : text) {
    if (c == separator || c == '\n') {
      if (!current.empty())
        out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty())
    out.push_back(current);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string find_amtool() {
  for (const char* candidate : {"/usr/bin/amtool", "/usr/local/bin/amtool"}) {
    if (::access(candidate, X_OK) == 0)
      return candidate;
  }
  return "";
}

// Label arguments: a deterministic pseudo-random walk over a small vocabulary (so that most
// routes are hit, including their empty and absent cases), plus hand-picked edge cases.
std::vector<std::vector<std::string>> label_sets() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> vocabulary{
      {"team", {"a", "b", "c", "db", "web", "", "-"}},
      {"severity", {"page", "critical", "warning", "ticket", "", "-"}},
      {"service", {"pg", "mysql", "api", "api-v2", "web", "", "-"}},
      {"env", {"prod", "dev", "staging", "-"}},
      {"region", {"eu-west", "eu-", "us-east", "", "-"}},
      {"instance", {"", "host:9100", "-"}},
  };
  std::vector<std::vector<std::string>> sets{
      {},
      {"team=db", "service=pg"},
      {"team=db", "service=pg", "instance=x", "region=eu-central"},
      {"team=\"db\"", "service=\"mysql\"", "severity=\"page\"", "env=\"prod\""},
      {"team = web", "service=api-v2", "env=prod", "severity=page"},
      {"team=a", "severity=page"},
      {"team=a", "severity=page", "env=prod"},
      {"team=b", "env=prod", "region=us-east", "instance=h"},
      {"service=api v2"},
      {"team=a", "team=web", "service=web", "env=dev"},  // the last team wins
      {"severity="},
      {"env=prod", "service=apix"},
      {"weird:name=1", "team=c"},
  };
  std::mt19937 random(20261123);  // fixed seed: the same sets on every run and machine
  while (sets.size() < 230) {
    std::vector<std::string> set;
    for (const auto& [name, values] : vocabulary) {
      const std::string& value = values[random() % values.size()];
      if (value != "-")
        set.push_back(name + "=" + value);
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

class RoutesParity : public ::testing::Test {
 protected:
  void SetUp() override {
    amtool_ = find_amtool();
    if (amtool_.empty())
      GTEST_SKIP() << "amtool not installed (Debian package prometheus-alertmanager); the "
                      "routing parity test needs the real Alertmanager tool";
    dir_ = fs::temp_directory_path() / ("sloe-routes-parity-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "slo");
    fs::create_directories(dir_ / "alerts");
    std::ofstream(dir_ / "alerts" / "alertmanager.yml") << kConfig;
  }
  void TearDown() override {
    if (!dir_.empty())
      fs::remove_all(dir_);
  }

  std::string amtool_config() const {
    return " --config.file=" + shell_quote((dir_ / "alerts" / "alertmanager.yml").string());
  }
  std::string sloe_config() const { return " --config " + shell_quote(dir_.string()); }

  std::string amtool_;
  fs::path dir_;
};

TEST_F(RoutesParity, ReceiversMatchAmtoolForEveryLabelSet) {
  std::set<std::string> distinct_outcomes;
  std::size_t compared = 0;
  for (const std::vector<std::string>& set : label_sets()) {
    std::string arguments;
    for (const std::string& label : set)
      arguments += " " + shell_quote(label);
    const auto [expected, actual] =
        run_both(amtool_ + " config routes test" + amtool_config() + arguments,
                 std::string(SLOE_BINARY) + " routes test" + sloe_config() + arguments);
    ASSERT_EQ(expected.exit_code, 0) << "amtool failed for" << arguments;
    ASSERT_EQ(actual.exit_code, 0) << "sloe failed for" << arguments;
    // amtool prints the receivers comma-separated on one line; sloe one per line.
    const std::vector<std::string> want = split(expected.text, ',');
    const std::vector<std::string> got = split(actual.text, '\n');
    EXPECT_EQ(got, want) << "labels:" << arguments;
    distinct_outcomes.insert(join(want));
    ++compared;
  }
  EXPECT_GE(compared, 200u);
  // The label sets must exercise the tree, not land on the default receiver every time.
  EXPECT_GE(distinct_outcomes.size(), 20u);
}

// The shipped routing tree is plain Alertmanager configuration: amtool accepts it and routes the
// demo's alerts where sloe does.
TEST_F(RoutesParity, TheShippedTreeIsValidForAmtoolAndRoutesAlike) {
  const std::string shipped = std::string(SLOE_SOURCE_DIR) + "/alerts/alertmanager.yml";
  const Output checked = run(amtool_ + " check-config " + shell_quote(shipped));
  EXPECT_EQ(checked.exit_code, 0) << checked.text;
  for (const std::string labels :
       {" severity=page slo=demo-checkout-availability", " severity=ticket", " team=x"}) {
    const auto [expected, actual] =
        run_both(amtool_ + " config routes test --config.file=" + shell_quote(shipped) + labels,
                 std::string(SLOE_BINARY) + " routes test --config " +
                     shell_quote(SLOE_SOURCE_DIR) + labels);
    EXPECT_EQ(split(actual.text, '\n'), split(expected.text, ',')) << labels;
  }
}

TEST_F(RoutesParity, VerifyReceiversAgreesWithAmtool) {
  for (const std::string& expected : {std::string("db,db-eu"), std::string("db")}) {
    const std::string arguments = " team=db service=pg region=eu-west";
    const Output am = run(amtool_ + " config routes test" + amtool_config() +
                          " --verify.receivers=" + expected + arguments);
    const Output sl = run(std::string(SLOE_BINARY) + " routes test" + sloe_config() +
                          " --verify-receivers " + expected + arguments);
    EXPECT_EQ(sl.exit_code, am.exit_code) << expected;
    EXPECT_NE(sl.text.find("db-eu"), std::string::npos);
  }
}

TEST_F(RoutesParity, ShowAndMatchingTreePrintTheSameTreeAsAmtool) {
  const Output am_show = run(amtool_ + " config routes show" + amtool_config());
  const Output sl_show = run(std::string(SLOE_BINARY) + " routes show" + sloe_config());
  ASSERT_EQ(am_show.exit_code, 0);
  EXPECT_EQ(sl_show.exit_code, 0);
  EXPECT_EQ(sl_show.text, am_show.text);

  const std::string arguments = " team=a severity=warning env=staging region=us-east instance=h";
  const Output am_tree = run(amtool_ + " config routes test --tree" + amtool_config() + arguments);
  const Output sl_tree =
      run(std::string(SLOE_BINARY) + " routes test --tree" + sloe_config() + arguments);
  // Same tree; then the receivers line(s), which differ only in the separator.
  const std::size_t am_end = am_tree.text.rfind("\n\n");
  const std::size_t sl_end = sl_tree.text.rfind("\n\n");
  ASSERT_NE(am_end, std::string::npos) << am_tree.text;
  ASSERT_NE(sl_end, std::string::npos) << sl_tree.text;
  EXPECT_EQ(sl_tree.text.substr(0, sl_end), am_tree.text.substr(0, am_end));
  EXPECT_EQ(split(sl_tree.text.substr(sl_end), '\n'), split(am_tree.text.substr(am_end), ','));
}

// The command's own contract, without amtool.
class RoutesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sloe-routes-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "slo");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_alerts(const std::string& text) const {
    fs::create_directories(dir_ / "alerts");
    std::ofstream(dir_ / "alerts" / "alertmanager.yml") << text;
  }
  Output sloe(const std::string& arguments, bool with_stderr = false) const {
    const std::string command = std::string(SLOE_BINARY) + " " + arguments + " --config " +
                                shell_quote(dir_.string()) +
                                (with_stderr ? " 2>&1" : " 2>/dev/null");
    return finish(::popen(command.c_str(), "r"));
  }

  fs::path dir_;
};

TEST_F(RoutesCli, InvalidConfigurationPrintsDiagnosticsAndExitsOne) {
  write_alerts("route:\n  receiver: nobody\nreceivers: [{name: team}]\n");
  const Output result = sloe("routes test team=a", /*with_stderr=*/true);
  EXPECT_EQ(result.exit_code, 1) << result.text;
  EXPECT_NE(result.text.find("alertmanager.yml:2:13: error: undefined receiver 'nobody'"),
            std::string::npos)
      << result.text;
  EXPECT_EQ(sloe("routes show").exit_code, 1);
}

TEST_F(RoutesCli, NoAlertmanagerDocumentIsAnError) {
  const Output result = sloe("routes test team=a", /*with_stderr=*/true);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.text.find("no routing tree"), std::string::npos) << result.text;
}

TEST_F(RoutesCli, LabelsAreReadAsAmtoolReadsThem) {
  write_alerts(R"(route:
  receiver: default
  routes:
    - matchers: ['msg="say \"hi\""']
      receiver: quoted
    - matchers: ['team="a b"']
      receiver: spaced
receivers: [{name: default}, {name: quoted}, {name: spaced}]
)");
  EXPECT_EQ(sloe(R"(routes test 'msg="say \"hi\""')").text, "quoted\n");
  EXPECT_EQ(sloe("routes test ' team = a b '").text, "spaced\n");
  EXPECT_EQ(sloe("routes test team=x team='a b'").text, "spaced\n");  // the last one wins
  EXPECT_EQ(sloe("routes test").text, "default\n");
  EXPECT_EQ(sloe("routes test 'team!=a'").exit_code, 1);
  EXPECT_EQ(sloe("routes test 'msg=\"unterminated'").exit_code, 1);
  EXPECT_EQ(sloe("routes test '1team=a'").exit_code, 1);
}

}  // namespace

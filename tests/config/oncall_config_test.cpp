// On-call documents under alerts/: what a valid file turns into, and every mistake reported at
// the node that holds it.
#include <gtest/gtest.h>

#include "sloe/config/oncall_loader.h"
#include "sloe/core/time_format.h"
#include "sloe/oncall/schedule.h"
#include "sloe/oncall/time_zone.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

OncallLoadResult load(const std::string& text, const std::string& name = "alerts/oncall.yaml") {
  return load_oncall_from_strings({{name, text}});
}

std::string all_diagnostics(const OncallLoadResult& result) {
  std::string out;
  for (const Diagnostic& d : result.diagnostics)
    out += "  " + d.to_string() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

std::size_t count(const OncallLoadResult& result, Diagnostic::Severity severity) {
  return static_cast<std::size_t>(
      std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                    [&](const Diagnostic& d) { return d.severity == severity; }));
}

// Passes when an error at the (occurrence-th) place `needle` appears in text contains fragment.
::testing::AssertionResult HasErrorAt(const OncallLoadResult& result, std::string_view text,
                                      std::string_view needle, std::string_view fragment,
                                      int occurrence = 1) {
  std::size_t at = std::string_view::npos;
  for (std::size_t from = 0; occurrence > 0; --occurrence, from = at + 1) {
    at = text.find(needle, from);
    if (at == std::string_view::npos)
      return ::testing::AssertionFailure() << "'" << needle << "' is not in the test text";
  }
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < at; ++i) {
    column = text[i] == '\n' ? 1 : column + 1;
    line += text[i] == '\n' ? 1 : 0;
  }
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::kError && d.location.line == line &&
        d.location.column == column && d.message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no error at " << line << ":" << column
                                       << " containing \"" << fragment << "\"; diagnostics:\n"
                                       << all_diagnostics(result);
}

TimePoint at(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339).value();
}

constexpr const char* kUsers = R"(users:
  - name: alice
    display_name: Alice Tamm
    receiver: demo-pager
  - { name: bob, receiver: demo-pager }
  - { name: carol, receiver: demo-pager }
  - { name: dave, receiver: dave-phone }
)";

constexpr const char* kRotations = R"(rotations:
  - name: weekly
    users: [alice, bob, carol]
    shift_length: 1w
    start: 2026-11-02T09:00
    time_zone: Europe/Tallinn
  - name: daytime
    users: [dave]
    shift_length: 1d
    start: 2026-11-02T00:00
    time_zone: Europe/Tallinn
)";

TEST(OncallConfig, AValidConfigurationIsReadCompletely) {
  const std::string text = std::string(kUsers) + kRotations + R"(schedules:
  - name: primary
    layers:
      - rotation: weekly
      - rotation: daytime
        restrictions:
          - { days: [mon-fri], from: "09:00", to: "17:00" }
          - { from: sat 10:00, to: sat 12:00 }
          - days: sun
overrides:
  - schedule: primary
    user: dave
    replaces: bob
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00
  - schedule: primary
    mode: add
    user: carol
    start: 2026-11-03T08:00:00Z
    end: 2026-11-03T10:00:00Z
escalation_policies:
  - name: sre-page
    steps:
      - schedules: primary
        wait: 10m
      - users: [carol, dave]
        receivers: [sre-chat]
        wait: 20m
    repeat: 2
)";
  const OncallLoadResult result = load(text);
  ASSERT_TRUE(result.ok()) << all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << all_diagnostics(result);
  const oncall::OncallConfig& c = *result.oncall;
  ASSERT_EQ(c.users.size(), 4u);
  EXPECT_EQ(c.users[0].display_name, "Alice Tamm");
  EXPECT_EQ(c.users[3].receiver, "dave-phone");
  ASSERT_EQ(c.rotations.size(), 2u);
  EXPECT_EQ(c.rotations[0].users, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(c.rotations[0].shift_length, hours(24 * 7));
  EXPECT_EQ(c.rotations[0].time_zone, "Europe/Tallinn");
  EXPECT_EQ(oncall::format_local_date_time(c.rotations[0].start), "2026-11-02T09:00");
  ASSERT_EQ(c.schedules.size(), 1u);
  const oncall::Schedule& s = c.schedules[0];
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_TRUE(s.layers[0].restrictions.empty());
  // Five weekdays, one Saturday window, one whole Sunday.
  ASSERT_EQ(s.layers[1].restrictions.size(), 7u);
  EXPECT_EQ(s.layers[1].restrictions[0], (oncall::WeeklyWindow{hours(9), hours(17)}));
  EXPECT_EQ(s.layers[1].restrictions[5],
            (oncall::WeeklyWindow{hours(5 * 24 + 10), hours(5 * 24 + 12)}));
  EXPECT_EQ(s.layers[1].restrictions[6], (oncall::WeeklyWindow{hours(6 * 24), oncall::kWeek}));
  ASSERT_EQ(s.overrides.size(), 2u);
  EXPECT_EQ(s.overrides[0].mode, oncall::Override::Mode::kReplace);
  EXPECT_EQ(s.overrides[0].replaces, "bob");
  // Wall-clock times without an offset are read in the zone of the schedule's first layer.
  EXPECT_EQ(s.overrides[0].start, at("2026-11-09T10:00:00Z"));
  EXPECT_EQ(s.overrides[1].mode, oncall::Override::Mode::kAdd);
  EXPECT_EQ(s.overrides[1].start, at("2026-11-03T08:00:00Z"));
  ASSERT_EQ(c.escalation_policies.size(), 1u);
  const oncall::EscalationPolicy& p = c.escalation_policies[0];
  EXPECT_EQ(p.repeat, 2);
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].wait, minutes(10));
  ASSERT_EQ(p.steps[1].targets.size(), 3u);
  EXPECT_EQ(p.steps[1].targets[2].kind, oncall::EscalationTarget::Kind::kReceiver);
  EXPECT_EQ(p.steps[1].targets[2].name, "sre-chat");

  // And it means what it says: Tuesday 2026-11-03 10:00 Tallinn is dave's daytime.
  EXPECT_EQ(oncall::who(c, "primary", at("2026-11-03T08:00:00Z")),
            (std::vector<std::string>{"dave", "carol"}));
  EXPECT_EQ(oncall::who(c, "primary", at("2026-11-03T16:00:00Z")),
            (std::vector<std::string>{"alice"}));
}

TEST(OncallConfig, DefinitionsMayReferenceEachOtherAcrossFilesAndRouteDocumentsAreSkipped) {
  const std::string alertmanager = R"(route:
  receiver: demo-pager
receivers:
  - name: demo-pager
---
)" + std::string(kUsers);
  const std::string rotations = kRotations;
  const std::string schedules =
      "schedules:\n  - name: primary\n    layers: [{ rotation: weekly }]\n";
  const auto result = load_oncall_from_strings({{"alerts/a.yaml", schedules},
                                                {"alerts/b.yaml", alertmanager},
                                                {"alerts/c.yaml", rotations}});
  ASSERT_TRUE(result.ok()) << all_diagnostics(result);
  EXPECT_EQ(result.oncall->users.size(), 4u);
  EXPECT_EQ(result.oncall->schedules[0].layers[0].rotation, "weekly");
}

TEST(OncallConfig, NoOnCallDocumentsIsAnEmptyValidConfiguration) {
  const auto result = load("route:\n  receiver: x\nreceivers: [{ name: x }]\n");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.oncall->empty());
  config::testing::TempDir dir;
  const auto missing = load_oncall(dir.path().string());
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing.oncall->empty());
}

TEST(OncallConfig, LoadsFromTheAlertsFolder) {
  config::testing::TempDir dir;
  dir.write("alerts/people.yaml", kUsers);
  dir.write("alerts/team/rotations.yml", kRotations);
  dir.write("alerts/.backup.yaml", "this: is: not: yaml");
  dir.write("alerts/schedules.yaml",
            "schedules:\n  - name: primary\n    layers: [{ rotation: wekly }]\n");
  const auto result = load_oncall(dir.path().string());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << all_diagnostics(result);
  const Diagnostic& d = result.diagnostics[0];
  EXPECT_EQ(d.location.file, (dir.path() / "alerts/schedules.yaml").generic_string());
  EXPECT_EQ(d.location.line, 3);
  EXPECT_EQ(d.message, "unknown rotation 'wekly'; did you mean 'weekly'?");
}

TEST(OncallConfig, UnknownReferencesSuggestTheClosestName) {
  const std::string text = std::string(kUsers) + R"(rotations:
  - name: weekly
    users: [alice, bobb, zed]
    shift_length: 1w
    start: 2026-11-02T09:00
    time_zone: Europe/Tallinn
schedules:
  - name: primary
    layers:
      - rotation: weeklyy
overrides:
  - schedule: primry
    user: carol
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00
  - schedule: primary
    user: erin
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00
escalation_policies:
  - name: p
    steps:
      - schedules: [secondary]
        users: [carl]
)";
  const auto result = load(text);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(HasErrorAt(result, text, "bobb", "unknown user 'bobb'; did you mean 'bob'?"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "zed", "unknown user 'zed' (defined: alice, bob, carol, dave)"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "weeklyy", "unknown rotation 'weeklyy'; did you mean 'weekly'?"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "primry", "unknown schedule 'primry'; did you mean 'primary'?"));
  EXPECT_TRUE(HasErrorAt(result, text, "erin", "unknown user 'erin'"));
  EXPECT_TRUE(HasErrorAt(result, text, "secondary", "unknown schedule 'secondary'"));
  EXPECT_TRUE(HasErrorAt(result, text, "carl", "unknown user 'carl'; did you mean 'carol'?"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 7u) << all_diagnostics(result);
}

TEST(OncallConfig, TimeZonesAndDurationsAreValidated) {
  const std::string text = std::string(kUsers) + R"(rotations:
  - name: a
    users: [alice]
    shift_length: 1 week
    start: 2026-11-02T09:00
    time_zone: Europe/Talinn
  - name: b
    users: [alice]
    shift_length: 30m
    start: 2026-11-02T09:00:00+02:00
    time_zone: Mars/Olympus_Mons
  - name: c
    users: []
    shift_length: 1d
    start: 2026-02-30T09:00
    time_zone: UTC
escalation_policies:
  - name: p
    steps:
      - users: alice
        wait: soon
      - users: bob
        wait: 0s
      - users: carol
    repeat: 1
)";
  const auto result = load(text);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(HasErrorAt(result, text, "1 week", "shift_length: expected a duration like 30s"));
  EXPECT_TRUE(HasErrorAt(result, text, "Europe/Talinn",
                         "unknown time zone 'Europe/Talinn'; did you mean 'Europe/Tallinn'?"));
  EXPECT_TRUE(HasErrorAt(result, text, "30m", "shift_length 30m is too short; the minimum is 1h"));
  EXPECT_TRUE(HasErrorAt(result, text, "2026-11-02T09:00:00+02:00", "has a UTC offset"));
  EXPECT_TRUE(HasErrorAt(result, text, "Mars/Olympus_Mons", "unknown time zone"));
  EXPECT_TRUE(HasErrorAt(result, text, "[]", "rotation 'c' has no users"));
  EXPECT_TRUE(HasErrorAt(result, text, "2026-02-30T09:00", "start: no such date"));
  EXPECT_TRUE(HasErrorAt(result, text, "soon", "wait: expected a duration like 30s, got 'soon'"));
  EXPECT_TRUE(HasErrorAt(result, text, "0s", "wait must be longer than 0s"));
  // The last step waits before the repetition, so it needs a wait too.
  EXPECT_TRUE(HasErrorAt(result, text, "users: carol",
                         "step 3 of escalation policy 'p' needs 'wait': how long to wait for an "
                         "acknowledgement before the policy repeats"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 10u) << all_diagnostics(result);
}

TEST(OncallConfig, DayRangesMayWrapOverTheWeekend) {
  const std::string text = std::string(kUsers) + kRotations + R"(schedules:
  - name: s
    layers:
      - rotation: weekly
        restrictions:
          - { days: fri-mon, from: "22:00", to: "06:00" }
)";
  const auto result = load(text);
  ASSERT_TRUE(result.ok()) << all_diagnostics(result);
  const auto& windows = result.oncall->schedules[0].layers[0].restrictions;
  ASSERT_EQ(windows.size(), 4u);  // fri, sat, sun, mon nights
  EXPECT_EQ(windows[0], (oncall::WeeklyWindow{hours(4 * 24 + 22), hours(5 * 24 + 6)}));
  EXPECT_EQ(windows[2], (oncall::WeeklyWindow{hours(6 * 24 + 22), hours(6)}));  // over Sunday
  EXPECT_EQ(windows[3], (oncall::WeeklyWindow{hours(22), hours(24 + 6)}));
}

TEST(OncallConfig, MalformedRestrictionsSayWhatToWrite) {
  const std::string text = std::string(kUsers) + kRotations + R"(schedules:
  - name: s
    layers:
      - rotation: weekly
        restrictions:
          - { from: "25:00", to: "17:00" }
          - { from: "09:00", to: fri 17:00 }
          - { days: [mon], from: mon 09:00, to: fri 17:00 }
          - { from: "09:00" }
          - { days: [funday] }
          - { from: "09:00", to: "09:00" }
          - { from: mon 09:00, to: mon 09:00 }
          - {}
          - { form: "09:00", to: "10:00" }
)";
  const auto result = load(text);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(
      HasErrorAt(result, text, "\"25:00\"", "from: expected hh:mm between 00:00 and 24:00"));
  EXPECT_TRUE(HasErrorAt(result, text, "fri 17:00 }",
                         "must both name a weekday (fri 18:00 to mon 08:00) or neither"));
  EXPECT_TRUE(HasErrorAt(result, text, "days: [mon]", "days cannot be combined with from/to"));
  EXPECT_TRUE(HasErrorAt(result, text, "{ from: \"09:00\" }", "has 'from' but no 'to'"));
  EXPECT_TRUE(HasErrorAt(result, text, "funday", "'funday' is not a weekday"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"09:00\" }", "from and to are both '09:00'", 2));
  EXPECT_TRUE(HasErrorAt(result, text, "mon 09:00 }", "is empty"));
  EXPECT_TRUE(HasErrorAt(result, text, "{}", "is empty; give from and to"));
  EXPECT_TRUE(HasErrorAt(result, text, "form", "unknown key 'form'"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 10u) << all_diagnostics(result);
}

TEST(OncallConfig, OverridesThatCouldNeverApplyAreErrors) {
  const std::string text = std::string(kUsers) + kRotations + R"(schedules:
  - name: primary
    layers: [{ rotation: weekly }]
overrides:
  - schedule: primary
    user: carol
    replaces: dave
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00
  - schedule: primary
    user: carol
    start: 2026-11-10T12:00
    end: 2026-11-10T12:00
  - schedule: primary
    user: carol
    mode: add
    replaces: alice
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00
  - schedule: primary
    user: carol
    mode: swap
    start: tomorrow
    end: 2026-11-10T12:00
    time_zone: Europe/Tallin
)";
  const auto result = load(text);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(HasErrorAt(result, text, "dave\n",
                         "override replaces 'dave', who is in none of the rotations of schedule "
                         "'primary' (alice, bob, carol), so it would never take effect"));
  EXPECT_TRUE(HasErrorAt(result, text, "2026-11-10T12:00\n",
                         "override end 2026-11-10T12:00 is not after its start", 3));
  EXPECT_TRUE(HasErrorAt(result, text, "replaces: alice", "'replaces' does not apply to mode add"));
  EXPECT_TRUE(HasErrorAt(result, text, "swap", "mode: expected replace or add, got 'swap'"));
  EXPECT_TRUE(HasErrorAt(result, text, "Europe/Tallin\n", "did you mean 'Europe/Tallinn'?"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 5u) << all_diagnostics(result);
}

TEST(OncallConfig, OverrideTimesAreWallClockOrRfc3339) {
  const std::string text = std::string(kUsers) + R"(schedules:
  - name: empty
    layers: [{ rotation: nothing }]
overrides:
  - schedule: empty
    user: carol
    start: 2026-11-09T12:00
    end: 2026-11-10T12:00:00+02:00
  - schedule: empty
    user: carol
    start: next week
    end: 2026-11-10T12:00:00Z
    time_zone: UTC
)";
  const auto result = load(text);
  // The zone would come from the rotation: one error at its name, none at the times.
  EXPECT_TRUE(HasErrorAt(result, text, "nothing", "unknown rotation 'nothing'"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "next week", "start: 'next week' is neither a wall-clock time"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 2u) << all_diagnostics(result);
}

TEST(OncallConfig, EscalationPoliciesNeedStepsWithTargets) {
  const std::string text = std::string(kUsers) + R"(escalation_policies:
  - name: none
    steps: []
  - name: hollow
    steps:
      - wait: 5m
      - users: alice
  - name: missing
  - name: loops
    steps: [{ users: alice, wait: 1m }]
    repeat: 10
  - name: fraction
    steps: [{ users: alice, wait: 1m }]
    repeat: 1.5
)";
  const auto result = load(text);
  EXPECT_TRUE(HasErrorAt(result, text, "[]", "escalation policy 'none' has no steps"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "wait: 5m", "step 1 of escalation policy 'hollow' has no targets"));
  EXPECT_TRUE(HasErrorAt(result, text, "name: missing",
                         "escalation policy 'missing' is missing required key 'steps'"));
  EXPECT_TRUE(HasErrorAt(result, text, "10", "repeat 10 must be a whole number from 0 to 9"));
  EXPECT_TRUE(HasErrorAt(result, text, "1.5", "repeat 1.5 must be a whole number"));
  EXPECT_EQ(count(result, Diagnostic::Severity::kError), 5u) << all_diagnostics(result);
}

TEST(OncallConfig, DuplicateNamesPointAtTheFirstDefinition) {
  const auto result = load_oncall_from_strings(
      {{"alerts/a.yaml", kUsers}, {"alerts/b.yaml", "users:\n  - { name: bob, receiver: x }\n"}});
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << all_diagnostics(result);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "alerts/b.yaml:2:13: error: duplicate user name 'bob' (first defined at "
            "alerts/a.yaml:5:13)");
}

TEST(OncallConfig, TopLevelMistakes) {
  const std::string text = R"(user:
  - name: alice
receivers:
  - name: x
schedules: 3
)";
  const auto result = load(text);
  EXPECT_TRUE(HasErrorAt(result, text, "user:",
                         "unknown key 'user' in an on-call document; did "
                         "you mean 'users'?"));
  EXPECT_TRUE(HasErrorAt(result, text, "receivers",
                         "'receivers' belongs to the Alertmanager configuration"));
  EXPECT_TRUE(HasErrorAt(result, text, "3", "schedules: expected a list, got '3'"));
  const auto syntax = load("users: [alice\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.diagnostics[0].message.find("YAML syntax error"), std::string::npos);
  const auto scalar = load("just text\n");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.diagnostics[0].message.find("expected a mapping"), std::string::npos);
}

TEST(OncallConfig, AUserWithoutReceiverIsAWarningOnly) {
  const auto result = load("users:\n  - name: alice\n");
  ASSERT_TRUE(result.ok()) << all_diagnostics(result);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            "alerts/oncall.yaml:2:11: warning: user 'alice' has no receiver, so no notification "
            "can reach them; name the route-tree receiver that pages them");
}

TEST(OncallConfig, TheShippedExampleLoadsWithoutADiagnostic) {
  const auto result = load_oncall(SLOE_SOURCE_DIR);
  ASSERT_TRUE(result.ok()) << all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << all_diagnostics(result);
  const oncall::OncallConfig& c = *result.oncall;
  EXPECT_NE(c.find_user("alice"), nullptr);
  EXPECT_NE(c.find_user("bob"), nullptr);
  EXPECT_NE(c.find_user("carol"), nullptr);
  const oncall::EscalationPolicy* page = c.find_policy("sre-page");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->steps.size(), 2u);
}

}  // namespace
}  // namespace sloe::config

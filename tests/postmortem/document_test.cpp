#include "sloe/postmortem/document.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sloe/core/time_format.h"
#include "sloe/postmortem/format.h"

namespace sloe::postmortem {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
namespace kind = incident::event_kind;

TimePoint at(const char* rfc3339) {
  auto parsed = parse_rfc3339(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? *parsed : TimePoint{};
}

incident::TimelineEvent event(const char* when, std::string actor, std::string_view event_kind,
                              std::string text, Labels fields = {}) {
  incident::TimelineEvent e;
  e.at = at(when);
  e.actor = std::move(actor);
  e.kind = std::string(event_kind);
  e.text = std::move(text);
  e.fields = std::move(fields);
  return e;
}

BuildInput declared_input() {
  BuildInput input;
  input.incident.id = 3;
  input.incident.title = "Search is slow";
  input.incident.summary = "p99 latency above 2s";
  input.incident.state = incident::State::kInvestigating;
  input.incident.severity = incident::Severity::kSev3;
  input.incident.times.impact_started = at("2026-11-23T10:00:00Z");
  input.incident.times.detected = at("2026-11-23T10:05:00Z");
  input.incident.created_by = "dana";
  input.timeline.push_back(event("2026-11-23T10:05:00Z", "dana", kind::kDeclared, "Search is slow",
                                 Labels{{"severity", "SEV3"}}));
  input.now = at("2026-11-23T11:35:20Z");
  return input;
}

TEST(FormatTest, ElapsedShowsTheTwoLargestUnits) {
  EXPECT_EQ(format_elapsed(hours(1) + minutes(23) + seconds(9)), "1h 23m");
  EXPECT_EQ(format_elapsed(hours(2)), "2h");
  EXPECT_EQ(format_elapsed(minutes(5) + seconds(30)), "5m 30s");
  EXPECT_EQ(format_elapsed(seconds(45)), "45s");
  EXPECT_EQ(format_elapsed(hours(76) + minutes(10)), "3d 4h");
  EXPECT_EQ(format_elapsed(hours(24) + seconds(10)), "1d");
  EXPECT_EQ(format_elapsed(Duration{}), "0s");
  EXPECT_EQ(format_elapsed(-minutes(3)), "0s");
  EXPECT_EQ(format_elapsed(std::chrono::milliseconds(999)), "0s");
}

TEST(FormatTest, PercentHasOneDecimalAndIsNeverNaN) {
  EXPECT_EQ(format_percent(0.42), "42.0%");
  EXPECT_EQ(format_percent(-0.035), "-3.5%");
  EXPECT_EQ(format_percent(1), "100.0%");
  EXPECT_EQ(format_percent(0.00049), "0.0%");
  EXPECT_EQ(format_percent(0.12345), "12.3%");
  EXPECT_EQ(format_percent(std::nan("")), "0.0%");
  EXPECT_EQ(format_percent(std::numeric_limits<double>::infinity()), "0.0%");
  EXPECT_EQ(format_percent(1e300), "100000000000000.0%");
}

TEST(FormatTest, ObjectiveUsesTheDigitsItNeeds) {
  EXPECT_EQ(format_objective(0.999), "99.9%");
  EXPECT_EQ(format_objective(0.9995), "99.95%");
  EXPECT_EQ(format_objective(0.99), "99%");
  EXPECT_EQ(format_objective(0.99999), "99.999%");
}

TEST(FormatTest, CountsHaveThousandsSeparators) {
  EXPECT_EQ(format_count(1234), "1,234");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000000), "1,000,000");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(-1234.4), "-1,234");
  EXPECT_EQ(format_count(std::nan("")), "0");
}

TEST(FormatTest, UtcTimesAndDates) {
  EXPECT_EQ(format_utc(at("2026-11-23T14:02:05.987Z")), "2026-11-23 14:02:05 UTC");
  EXPECT_EQ(format_utc_date(at("2026-11-23T23:59:59+00:00")), "2026-11-23");
  EXPECT_EQ(format_utc_date(at("2026-11-24T00:30:00+02:00")), "2026-11-23");
}

SloInput slo(double objective, double good_during, double total_during, double good_window,
             double total_window) {
  SloInput input;
  input.name = "checkout-availability";
  input.service = "checkout";
  input.objective = objective;
  input.window = hours(24 * 30);
  input.during_incident = {good_during, total_during};
  input.window_at_end = {good_window, total_window};
  input.has_data = true;
  return input;
}

TEST(ComputeImpactTest, BudgetConsumedDuringAndLeftAfter) {
  // Allowed bad over the window: 0.001 * 1,000,000 = 1,000.
  const SloImpact impact = compute_impact(slo(0.999, 9700, 10000, 999200, 1000000));
  EXPECT_NEAR(impact.budget_consumed_ratio, 0.3, 1e-9);
  EXPECT_NEAR(impact.budget_left_ratio, 0.2, 1e-9);
  EXPECT_EQ(impact.budget_consumed, "30.0%");
  EXPECT_EQ(impact.budget_left, "20.0%");
  EXPECT_EQ(impact.bad_events, "300");
  EXPECT_EQ(impact.total_events, "10,000");
  EXPECT_EQ(impact.objective, "99.9%");
  EXPECT_EQ(impact.window, "30d");
  EXPECT_TRUE(impact.has_data);
}

TEST(ComputeImpactTest, BudgetLeftGoesNegativeWhenOverspent) {
  const SloImpact impact = compute_impact(slo(0.99, 0, 1000, 980000, 1000000));
  EXPECT_NEAR(impact.budget_left_ratio, -1.0, 1e-9);
  EXPECT_EQ(impact.budget_left, "-100.0%");
  EXPECT_NEAR(impact.budget_consumed_ratio, 0.1, 1e-9);
}

TEST(ComputeImpactTest, EmptyWindowConsumesNothing) {
  const SloImpact impact = compute_impact(slo(0.999, 0, 0, 0, 0));
  EXPECT_EQ(impact.budget_consumed_ratio, 0);
  EXPECT_EQ(impact.budget_left_ratio, 1);
  EXPECT_EQ(impact.budget_consumed, "0.0%");
  EXPECT_EQ(impact.budget_left, "100.0%");
}

TEST(ComputeImpactTest, NeverNaNOrInfinite) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  for (const SloInput& input :
       {slo(1.0, 90, 100, 900, 1000), slo(1.0, 100, 100, 1000, 1000), slo(nan, 1, 2, 3, 4),
        slo(0.999, nan, inf, nan, inf), slo(0.999, 5, 1, 5, 1), slo(1.5, 1, 2, 3, 4),
        slo(0.999, -10, -5, -3, -1)}) {
    const SloImpact impact = compute_impact(input);
    EXPECT_TRUE(std::isfinite(impact.budget_consumed_ratio)) << impact.budget_consumed;
    EXPECT_TRUE(std::isfinite(impact.budget_left_ratio)) << impact.budget_left;
    EXPECT_EQ(impact.budget_consumed.find("nan"), std::string::npos);
  }
  // A 100% objective allows no bad event: one bad event spends all of it.
  const SloImpact strict = compute_impact(slo(1.0, 90, 100, 900, 1000));
  EXPECT_EQ(strict.budget_consumed_ratio, 1);
  EXPECT_EQ(strict.budget_left_ratio, 0);
}

TEST(ComputeImpactTest, WithoutDataNoFiguresAreClaimed) {
  SloInput input = slo(0.999, 0, 100, 0, 1000);
  input.has_data = false;
  const SloImpact impact = compute_impact(input);
  EXPECT_FALSE(impact.has_data);
  EXPECT_EQ(impact.budget_consumed, "");
  EXPECT_EQ(impact.budget_left, "");
  EXPECT_EQ(impact.bad_events, "");
  EXPECT_EQ(impact.objective, "99.9%");
}

TEST(BuildTest, UnknownSecondZoneIsAnErrorNamingIt) {
  BuildInput input = declared_input();
  input.second_zone = "Europe/Berln";
  auto doc = build(input);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("Europe/Berln"), std::string::npos);
  EXPECT_NE(doc.error().message.find("Europe/Berlin"), std::string::npos);  // did you mean
}

TEST(BuildTest, DeclaredIncidentHeaderAndFigures) {
  auto doc = build(declared_input());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->incident_id, 3);
  EXPECT_EQ(doc->severity, "SEV3");
  EXPECT_EQ(doc->status, "investigating");
  EXPECT_EQ(doc->detection, "Declared by dana");
  EXPECT_EQ(doc->summary, "p99 latency above 2s");  // no narrative summary: the incident's
  EXPECT_EQ(doc->started, "2026-11-23 10:00:00 UTC");
  EXPECT_EQ(doc->resolved, "");
  // Still open: impact start to now.
  EXPECT_EQ(doc->duration, "1h 35m");
  EXPECT_EQ(doc->time_to_detect, "5m");
  EXPECT_EQ(doc->time_to_acknowledge, "");
  EXPECT_EQ(doc->generated_at, "2026-11-23 11:35:20 UTC");
  EXPECT_EQ(doc->commander, "");
  ASSERT_EQ(doc->timeline.size(), 1u);
  EXPECT_EQ(doc->timeline[0].text, "declared: Search is slow (SEV3)");
  EXPECT_EQ(doc->timeline[0].at_second, "");
}

TEST(BuildTest, NarrativeOverridesSummaryAndAuthors) {
  BuildInput input = declared_input();
  input.narrative.summary = "Written later";
  input.narrative.authors = {"erin"};
  input.narrative.links = {"https://grafana.example.com/d/search"};
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->summary, "Written later");
  EXPECT_EQ(doc->authors, std::vector<std::string>{"erin"});
  EXPECT_EQ(doc->links, input.narrative.links);
}

TEST(BuildTest, AuthorsDefaultToThePeopleOnTheTimeline) {
  BuildInput input = declared_input();
  input.timeline.push_back(event("2026-11-23T10:06:00Z", "pager-team", kind::kNotificationSent,
                                 "notified pager-team", Labels{{"receiver", "pager-team"}}));
  input.timeline.push_back(event("2026-11-23T10:07:00Z", "sloe", kind::kRunbookStep, "probe"));
  input.timeline.push_back(event("2026-11-23T10:08:00Z", "frank", kind::kNote, "looking"));
  input.timeline.push_back(event("2026-11-23T10:09:00Z", "dana", kind::kNote, "again"));
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->authors, (std::vector<std::string>{"dana", "frank"}));
}

TEST(BuildTest, CommanderIsTheCurrentOrElseTheLastHolder) {
  BuildInput input = declared_input();
  input.incident.roles.push_back(
      {"commander", "gina", at("2026-11-23T10:05:00Z"), at("2026-11-23T10:30:00Z"), "dana"});
  input.incident.roles.push_back(
      {"commander", "hugo", at("2026-11-23T10:30:00Z"), at("2026-11-23T11:00:00Z"), "dana"});
  input.incident.roles.push_back({"scribe", "ivan", at("2026-11-23T11:00:00Z"), std::nullopt, ""});
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->commander, "hugo");
  input.incident.roles.push_back(
      {"commander", "gina", at("2026-11-23T11:00:00Z"), std::nullopt, "hugo"});
  doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->commander, "gina");
}

TEST(BuildTest, DetectionNamesTheAlertAndItsSlo) {
  BuildInput input = declared_input();
  input.timeline.clear();
  input.incident.created_by = "sloe";
  input.timeline.push_back(event("2026-11-23T10:05:00Z", "sloe", kind::kOpenedByAlert,
                                 "opened by alert ErrorBudgetBurn (policy pages)",
                                 Labels{{"alertname", "ErrorBudgetBurn"},
                                        {"policy", "pages"},
                                        {"severity", "SEV2"},
                                        {"fingerprint", "00000000000000ab"}}));
  input.timeline.push_back(event("2026-11-23T10:05:00Z", "sloe", kind::kAlertFired,
                                 "alert ErrorBudgetBurn fired",
                                 Labels{{"alertname", "ErrorBudgetBurn"},
                                        {"slo", "search-latency"},
                                        {"severity", "page"},
                                        {"fingerprint", "00000000000000ab"}}));
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->detection,
            "Alert ErrorBudgetBurn (slo=search-latency, severity=page) opened the incident "
            "(incident policy pages)");
  ASSERT_EQ(doc->timeline.size(), 2u);
  EXPECT_EQ(doc->timeline[1].text,
            "alert ErrorBudgetBurn (slo=search-latency, severity=page) fired");
}

TEST(BuildTest, TimelineIsChronologicalAndOneLinePerEvent) {
  BuildInput input = declared_input();
  auto late = event("2026-11-23T10:20:00Z", "dana", kind::kNote, "first line\n\nsecond   line\r\n");
  late.pinned = true;
  late.id = 9;
  input.timeline.push_back(late);
  auto early =
      event("2026-11-23T10:10:00Z", "sloe", kind::kRunbookStep, "Roll back\nerror: lock held\n",
            Labels{{"runbook", "fast-burn"},
                   {"step", "rollback"},
                   {"result", "failed"},
                   {"attempt", "2"},
                   {"status_code", "1"}});
  early.id = 10;
  input.timeline.push_back(early);
  input.timeline.push_back(event("2026-11-23T10:11:00Z", "sloe", kind::kRunbookStep, "Page",
                                 Labels{{"runbook", "fast-burn"},
                                        {"step", "page"},
                                        {"result", "succeeded"},
                                        {"attempt", "1"},
                                        {"status_code", "0"}}));
  input.timeline.push_back(event("2026-11-23T10:12:00Z", "dana", kind::kNote,
                                 std::string(400, 'x') + "\xC3\xA9" + std::string(10, 'y')));
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->timeline.size(), 5u);
  EXPECT_EQ(doc->timeline[1].text,
            "runbook fast-burn step rollback: failed (attempt 2, status 1) — Roll back error: lock "
            "held");
  EXPECT_EQ(doc->timeline[2].text, "runbook fast-burn step page: succeeded — Page");
  EXPECT_EQ(doc->timeline[3].text.find('\n'), std::string::npos);
  EXPECT_LT(doc->timeline[3].text.size(), 300u);
  EXPECT_EQ(doc->timeline[3].text.substr(doc->timeline[3].text.size() - 3), "…");
  EXPECT_EQ(doc->timeline[4].text, "first line second line");
  EXPECT_TRUE(doc->timeline[4].pinned);
  EXPECT_EQ(doc->timeline[4].kind, "note");
  EXPECT_EQ(doc->timeline[4].actor, "dana");
}

TEST(BuildTest, SecondZoneColumnShowsTheLocalDateWhenItDiffers) {
  BuildInput input = declared_input();
  input.second_zone = "Europe/Berlin";
  input.timeline.push_back(event("2026-11-23T23:30:05Z", "dana", kind::kNote, "late"));
  input.timeline.push_back(event("2026-07-01T12:00:00Z", "dana", kind::kNote, "summer"));
  auto doc = build(input);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_EQ(doc->timeline.size(), 3u);
  EXPECT_EQ(doc->timeline[0].at_second, "14:00:00 CEST");
  EXPECT_EQ(doc->timeline[1].at_second, "11:05:00 CET");
  EXPECT_EQ(doc->timeline[2].at_second, "2026-11-24 00:30:05 CET");
  EXPECT_EQ(doc->second_zone, "Europe/Berlin");
}

TEST(BuildTest, ActionRowsAndOverdue) {
  BuildInput input = declared_input();
  incident::ActionItem late;
  late.id = 5;
  late.title = "Add a canary";
  late.owner = "dana";
  late.due = at("2026-11-23T00:00:00Z");
  late.priority = incident::Priority::kP1;
  late.type = incident::ActionType::kPreventive;
  incident::ActionItem done = late;
  done.id = 6;
  done.status = incident::ActionStatus::kDone;
  incident::ActionItem undated = late;
  undated.id = 7;
  undated.due.reset();
  input.actions = {late, done, undated};
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->actions.size(), 3u);
  EXPECT_TRUE(doc->actions[0].overdue);
  EXPECT_EQ(doc->actions[0].due, "2026-11-23");
  EXPECT_EQ(doc->actions[0].priority, "P1");
  EXPECT_EQ(doc->actions[0].type, "preventive");
  EXPECT_EQ(doc->actions[0].status, "open");
  EXPECT_FALSE(doc->actions[1].overdue);  // done
  EXPECT_FALSE(doc->actions[2].overdue);  // no due date
  EXPECT_EQ(doc->actions[2].due, "");
}

TEST(BuildTest, ResolvedIncidentDurationEndsAtResolution) {
  BuildInput input = declared_input();
  input.incident.state = incident::State::kResolved;
  input.incident.times.acknowledged = at("2026-11-23T10:06:30Z");
  input.incident.times.mitigated = at("2026-11-23T10:40:00Z");
  input.incident.times.resolved = at("2026-11-23T12:00:00Z");
  input.now = at("2026-12-01T00:00:00Z");
  input.slos.push_back(slo(0.999, 9700, 10000, 999200, 1000000));
  auto doc = build(input);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->duration, "2h");
  EXPECT_EQ(doc->time_to_acknowledge, "1m 30s");
  EXPECT_EQ(doc->time_to_mitigate, "40m");
  EXPECT_EQ(doc->time_to_resolve, "2h");
  ASSERT_EQ(doc->slos.size(), 1u);
  EXPECT_EQ(doc->slos[0].budget_consumed, "30.0%");
}

}  // namespace
}  // namespace sloe::postmortem

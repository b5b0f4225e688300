#include "sloe/incident/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>

#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"
#include "sloe/incident/lifecycle.h"

namespace sloe::incident {
namespace {

using std::chrono::minutes;
using ::testing::HasSubstr;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

alert::Alert page(Labels labels) {
  alert::Alert alert;
  alert.labels = std::move(labels);
  alert.starts_at = kT0 - minutes(3);
  return alert;
}

IncidentPolicy policy_matching(std::string name, std::string matchers, std::string group_by) {
  IncidentPolicy policy;
  policy.name = std::move(name);
  policy.matchers = alert::parse_matchers(matchers).value();
  policy.group_by = std::move(group_by);
  return policy;
}

TEST(PolicyTest, DefaultPolicyOpensSev2IncidentsForPagesPerService) {
  const std::vector<IncidentPolicy> policies = default_policies();
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_EQ(policies[0].name, "page");
  EXPECT_EQ(policies[0].severity, Severity::kSev2);
  EXPECT_EQ(policies[0].group_by, "service");
  EXPECT_EQ(match_policy(policies, {{"alertname", "HighErrorRate"}, {"severity", "page"}}),
            &policies[0]);
  EXPECT_EQ(match_policy(policies, {{"alertname", "DiskFilling"}, {"severity", "ticket"}}),
            nullptr);
  EXPECT_EQ(match_policy(policies, {{"alertname", "NoSeverity"}}), nullptr);
}

TEST(PolicyTest, FirstMatchingPolicyWins) {
  const std::vector<IncidentPolicy> policies = {
      policy_matching("database", R"({severity="page", team="db"})", "cluster"),
      policy_matching("page", R"({severity=~"page|critical"})", "service"),
  };
  EXPECT_EQ(match_policy(policies, {{"severity", "page"}, {"team", "db"}}), &policies[0]);
  EXPECT_EQ(match_policy(policies, {{"severity", "critical"}, {"team", "db"}}), &policies[1]);
  EXPECT_EQ(match_policy(policies, {{"severity", "info"}}), nullptr);
  EXPECT_EQ(match_policy({}, {{"severity", "page"}}), nullptr);
}

TEST(PolicyTest, DedupKeyUsesTheGroupByLabelElseTheAlertname) {
  const IncidentPolicy policy = default_policies().front();
  EXPECT_EQ(dedup_key(policy, {{"alertname", "HighErrorRate"}, {"service", "checkout"}}),
            "page/service=checkout");
  // Two different alerts for the same service share one key, so they join one incident.
  EXPECT_EQ(dedup_key(policy, {{"alertname", "HighLatency"}, {"service", "checkout"}}),
            "page/service=checkout");
  EXPECT_EQ(dedup_key(policy, {{"alertname", "HighErrorRate"}}), "page/alertname=HighErrorRate");
  EXPECT_EQ(dedup_key(policy, {{"alertname", "HighErrorRate"}, {"service", ""}}),
            "page/alertname=HighErrorRate");
  const IncidentPolicy by_cluster = policy_matching("database", "", "cluster");
  EXPECT_EQ(dedup_key(by_cluster, {{"cluster", "eu-1"}, {"service", "checkout"}}),
            "database/cluster=eu-1");
}

TEST(OpenFromAlertTest, TitleFromSummaryTimesFromTheAlert) {
  const IncidentPolicy policy = default_policies().front();
  alert::Alert alert =
      page({{"alertname", "HighErrorRate"}, {"service", "checkout"}, {"severity", "page"}});
  alert.annotations = {{"summary", "Checkout error budget burning 14x"}};
  const Change<Incident> change = open_from_alert(policy, alert, kT0);
  const Incident& incident = change.record;
  EXPECT_EQ(incident.title, "Checkout error budget burning 14x");
  EXPECT_EQ(incident.service, "checkout");
  EXPECT_EQ(incident.severity, Severity::kSev2);
  EXPECT_EQ(incident.state, State::kTriage);
  EXPECT_EQ(incident.times.impact_started, kT0 - minutes(3));
  EXPECT_EQ(incident.times.detected, kT0);
  EXPECT_FALSE(incident.times.acknowledged);
  EXPECT_EQ(incident.created_by, "sloe");
  EXPECT_EQ(incident.created_at, kT0);
  EXPECT_EQ(incident.labels, alert.labels);
  EXPECT_EQ(incident.dedup_key, "page/service=checkout");
  EXPECT_EQ(incident.version, 1);

  ASSERT_EQ(change.events.size(), 2u);
  EXPECT_EQ(change.events[0].kind, event_kind::kOpenedByAlert);
  EXPECT_EQ(change.events[0].fields.at("alertname"), "HighErrorRate");
  EXPECT_EQ(change.events[0].fields.at("policy"), "page");
  EXPECT_EQ(change.events[0].actor, "sloe");
  EXPECT_EQ(change.events[1].kind, event_kind::kAlertFired);
  for (const TimelineEvent& event : change.events) {
    EXPECT_EQ(event.at, kT0);
    EXPECT_EQ(event.incident_id, 0);
  }
}

TEST(OpenFromAlertTest, TitleWithoutSummaryNamesAlertAndService) {
  const IncidentPolicy policy = default_policies().front();
  EXPECT_EQ(
      open_from_alert(policy, page({{"alertname", "HighErrorRate"}, {"service", "checkout"}}), kT0)
          .record.title,
      "HighErrorRate on checkout");
  const Change<Incident> no_service =
      open_from_alert(policy, page({{"alertname", "HighErrorRate"}}), kT0);
  EXPECT_EQ(no_service.record.title, "HighErrorRate");
  EXPECT_EQ(no_service.record.service, "");
  EXPECT_EQ(no_service.record.dedup_key, "page/alertname=HighErrorRate");
}

TEST(OpenFromAlertTest, LongOrMultiLineSummariesMakeAValidTitle) {
  const IncidentPolicy policy = default_policies().front();
  alert::Alert alert = page({{"alertname", "HighErrorRate"}});
  alert.annotations = {{"summary", "first line\nsecond line"}};
  EXPECT_EQ(open_from_alert(policy, alert, kT0).record.title, "first line second line");

  std::string long_summary;
  for (int i = 0; i < 300; ++i)
    long_summary += "é";
  alert.annotations = {{"summary", long_summary}};
  const Incident incident = open_from_alert(policy, alert, kT0).record;
  EXPECT_THAT(incident.title, ::testing::EndsWith("…"));
  // The title passes the lifecycle's own title rule (1..200 characters, one line).
  IncidentPatch same_title;
  same_title.title = incident.title;
  EXPECT_TRUE(std::holds_alternative<Change<Incident>>(
      apply_patch(incident, same_title, "bob", kT0 + minutes(1))));
  same_title.title = incident.title + "x";
  EXPECT_FALSE(std::holds_alternative<Change<Incident>>(
      apply_patch(incident, same_title, "bob", kT0 + minutes(1))));
}

TEST(OpenFromAlertTest, ImpactNeverStartsAfterDetection) {
  const IncidentPolicy policy = default_policies().front();
  alert::Alert ahead = page({{"alertname", "HighErrorRate"}});
  ahead.starts_at = kT0 + minutes(2);  // the sender's clock runs ahead of ours
  EXPECT_EQ(open_from_alert(policy, ahead, kT0).record.times.impact_started, kT0);
  alert::Alert unset = page({{"alertname", "HighErrorRate"}});
  unset.starts_at = TimePoint{};
  EXPECT_EQ(open_from_alert(policy, unset, kT0).record.times.impact_started, kT0);
}

TEST(OpenFromAlertTest, PolicySeverityAndGroupByApply) {
  IncidentPolicy policy = policy_matching("database", R"({team="db"})", "cluster");
  policy.severity = Severity::kSev1;
  const Incident incident =
      open_from_alert(policy, page({{"alertname", "ReplicaLag"}, {"cluster", "eu-1"}}), kT0).record;
  EXPECT_EQ(incident.severity, Severity::kSev1);
  EXPECT_EQ(incident.service, "eu-1");
  EXPECT_EQ(incident.dedup_key, "database/cluster=eu-1");
}

TEST(AlertEventTest, FiredEventCarriesLabelsFingerprintAndStart) {
  const alert::Alert alert = page({{"alertname", "HighErrorRate"}, {"service", "checkout"}});
  const TimelineEvent event = alert_event(7, alert, false, "alertmanager", kT0);
  EXPECT_EQ(event.kind, event_kind::kAlertFired);
  EXPECT_EQ(event.incident_id, 7);
  EXPECT_EQ(event.actor, "alertmanager");
  EXPECT_EQ(event.at, kT0);
  EXPECT_THAT(event.text, HasSubstr("HighErrorRate"));
  EXPECT_EQ(event.fields.at("alertname"), "HighErrorRate");
  EXPECT_EQ(event.fields.at("service"), "checkout");
  EXPECT_EQ(event.fields.at("fingerprint"), alert::fingerprint_hex(alert.labels));
  EXPECT_EQ(event.fields.at("starts_at"),
            format_rfc3339(kT0 - minutes(3), Rfc3339Precision::kMillis));
  EXPECT_EQ(event.fields.count("ends_at"), 0u);
}

TEST(AlertEventTest, ResolvedEventCarriesTheEnd) {
  alert::Alert alert = page({{"alertname", "HighErrorRate"}});
  alert.ends_at = kT0 - minutes(1);
  const TimelineEvent event = alert_event(7, alert, true, "alertmanager", kT0);
  EXPECT_EQ(event.kind, event_kind::kAlertResolved);
  EXPECT_THAT(event.text, HasSubstr("resolved"));
  EXPECT_EQ(event.fields.at("ends_at"),
            format_rfc3339(kT0 - minutes(1), Rfc3339Precision::kMillis));
  // Without an end time, the moment sloe learned of the resolution stands in.
  alert.ends_at.reset();
  EXPECT_EQ(alert_event(7, alert, true, "alertmanager", kT0).fields.at("ends_at"),
            format_rfc3339(kT0, Rfc3339Precision::kMillis));
}

}  // namespace
}  // namespace sloe::incident

#include "sloe/route/inhibit.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sloe/alert/fingerprint.h"

namespace sloe::route {
namespace {

using std::chrono::minutes;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

std::vector<alert::Matcher> matchers(std::string_view text) {
  auto parsed = alert::parse_matchers(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? std::move(parsed).value() : std::vector<alert::Matcher>{};
}

InhibitRule rule(std::string_view source, std::string_view target, std::vector<std::string> equal) {
  return InhibitRule{matchers(source), matchers(target), std::move(equal)};
}

alert::Alert firing(Labels labels) {
  alert::Alert a;
  a.labels = std::move(labels);
  a.starts_at = kT0;
  return a;
}

TEST(InhibitorTest, FiringSourceMutesTargetsWithEqualLabels) {
  Inhibitor inhibitor({rule(R"(alertname="ClusterDown")", R"(severity="warning")", {"cluster"})});
  inhibitor.update(firing({{"alertname", "ClusterDown"}, {"cluster", "a"}}));

  EXPECT_TRUE(inhibitor.is_inhibited(
      {{"alertname", "Latency"}, {"severity", "warning"}, {"cluster", "a"}}, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited(
      {{"alertname", "Latency"}, {"severity", "warning"}, {"cluster", "b"}}, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited(
      {{"alertname", "Latency"}, {"severity", "page"}, {"cluster", "a"}}, kT0));
}

TEST(InhibitorTest, ResolvedSourcesDoNotInhibit) {
  Inhibitor inhibitor({rule(R"(alertname="ClusterDown")", R"(severity="warning")", {"cluster"})});
  alert::Alert source = firing({{"alertname", "ClusterDown"}, {"cluster", "a"}});
  source.ends_at = kT0 + minutes(5);  // expected end, as Prometheus sends it
  inhibitor.update(source);
  const Labels target{{"severity", "warning"}, {"cluster", "a"}};

  EXPECT_TRUE(inhibitor.is_inhibited(target, kT0 + minutes(4)));
  EXPECT_FALSE(inhibitor.is_inhibited(target, kT0 + minutes(5)));

  source.ends_at = kT0 + minutes(1);  // resolved explicitly
  inhibitor.update(source);
  EXPECT_FALSE(inhibitor.is_inhibited(target, kT0 + minutes(2)));
  EXPECT_EQ(inhibitor.source_alert_count(), 1u);
  inhibitor.collect_garbage(kT0 + minutes(2));
  EXPECT_EQ(inhibitor.source_alert_count(), 0u);
}

TEST(InhibitorTest, MissingEqualLabelsCountAsEqual) {
  Inhibitor inhibitor({rule(R"(alertname="ClusterDown")", R"(severity="warning")", {"cluster"})});
  inhibitor.update(firing({{"alertname", "ClusterDown"}}));

  EXPECT_TRUE(inhibitor.is_inhibited({{"severity", "warning"}}, kT0));
  EXPECT_TRUE(inhibitor.is_inhibited({{"severity", "warning"}, {"cluster", ""}}, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited({{"severity", "warning"}, {"cluster", "a"}}, kT0));
}

TEST(InhibitorTest, NoEqualLabelsMeansAnyFiringSource) {
  Inhibitor inhibitor({rule(R"(alertname="Maintenance")", R"(severity!="page")", {})});
  EXPECT_FALSE(inhibitor.is_inhibited({{"severity", "ticket"}}, kT0));
  inhibitor.update(firing({{"alertname", "Maintenance"}, {"dc", "x"}}));
  EXPECT_TRUE(inhibitor.is_inhibited({{"severity", "ticket"}, {"dc", "y"}}, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited({{"severity", "page"}}, kT0));
}

TEST(InhibitorTest, AlertMatchingBothSidesDoesNotInhibitItselfOrItsPeers) {
  // A critical alert matches both sides: it mutes warnings for its instance, but neither
  // itself nor another critical alert of the same instance.
  Inhibitor inhibitor(
      {rule(R"(severity="critical")", R"(severity=~"critical|warning")", {"instance"})});
  const Labels critical_a{{"alertname", "DiskFull"}, {"severity", "critical"}, {"instance", "1"}};
  const Labels critical_b{{"alertname", "NodeDown"}, {"severity", "critical"}, {"instance", "1"}};
  const Labels warning{{"alertname", "DiskFilling"}, {"severity", "warning"}, {"instance", "1"}};
  inhibitor.update(firing(critical_a));
  inhibitor.update(firing(critical_b));

  EXPECT_FALSE(inhibitor.is_inhibited(critical_a, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited(critical_b, kT0));
  EXPECT_TRUE(inhibitor.is_inhibited(warning, kT0));
}

TEST(InhibitorTest, TwoSidedAlertIsInhibitedBySourceOnlyAlert) {
  Inhibitor inhibitor({rule(R"(alertname="Outage")", R"(team="db")", {})});
  const Labels two_sided{{"alertname", "Outage"}, {"team", "db"}};
  const Labels source_only{{"alertname", "Outage"}, {"team", "web"}};
  inhibitor.update(firing(two_sided));
  EXPECT_FALSE(inhibitor.is_inhibited(two_sided, kT0));

  inhibitor.update(firing(source_only));
  EXPECT_TRUE(inhibitor.is_inhibited(two_sided, kT0));
  EXPECT_EQ(inhibitor.inhibited_by(two_sided, kT0), alert::fingerprint(source_only));
  EXPECT_FALSE(inhibitor.is_inhibited(source_only, kT0));  // it does not match the target side
}

TEST(InhibitorTest, OnlySourceAlertsAreKeptAndAnyRuleCanInhibit) {
  Inhibitor inhibitor({rule(R"(alertname="A")", R"(severity="warning")", {"cluster"}),
                       rule(R"(alertname="B")", R"(severity="info")", {})});
  inhibitor.update(firing({{"alertname", "Unrelated"}}));
  EXPECT_EQ(inhibitor.source_alert_count(), 0u);

  inhibitor.update(firing({{"alertname", "B"}}));
  EXPECT_EQ(inhibitor.source_alert_count(), 1u);
  EXPECT_TRUE(inhibitor.is_inhibited({{"severity", "info"}}, kT0));
  EXPECT_FALSE(inhibitor.is_inhibited({{"severity", "warning"}, {"cluster", "x"}}, kT0));
  EXPECT_EQ(inhibitor.inhibited_by({{"severity", "warning"}}, kT0), std::nullopt);
}

TEST(InhibitorTest, UpdateReplacesTheEarlierVersion) {
  Inhibitor inhibitor({rule(R"(alertname="ClusterDown")", R"(severity="warning")", {})});
  alert::Alert source = firing({{"alertname", "ClusterDown"}});
  source.ends_at = kT0;
  inhibitor.update(source);
  EXPECT_FALSE(inhibitor.is_inhibited({{"severity", "warning"}}, kT0 + minutes(1)));
  source.ends_at.reset();  // fires again
  inhibitor.update(source);
  EXPECT_TRUE(inhibitor.is_inhibited({{"severity", "warning"}}, kT0 + minutes(1)));
  EXPECT_EQ(inhibitor.source_alert_count(), 1u);
}

}  // namespace
}  // namespace sloe::route

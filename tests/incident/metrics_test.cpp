#include "sloe/incident/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

namespace sloe::incident {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

// An incident whose impact started at kT0 and was resolved `to_resolve` later.
Incident resolved_after(Duration to_resolve, Severity severity = Severity::kSev2) {
  Incident incident;
  incident.severity = severity;
  incident.times.impact_started = kT0;
  incident.times.resolved = kT0 + to_resolve;
  return incident;
}

TEST(ResponseTimesTest, EachFigureFromItsTwoEnds) {
  Incident incident;
  incident.times.impact_started = kT0;
  incident.times.detected = kT0 + minutes(2);
  incident.times.acknowledged = kT0 + minutes(5);
  incident.times.mitigated = kT0 + minutes(30);
  incident.times.resolved = kT0 + minutes(45);
  const ResponseTimes times = response_times(incident);
  EXPECT_EQ(times.to_detect, minutes(2));
  EXPECT_EQ(times.to_acknowledge, minutes(3));  // from detection, not from impact
  EXPECT_EQ(times.to_mitigate, minutes(30));
  EXPECT_EQ(times.to_resolve, minutes(45));
}

TEST(ResponseTimesTest, MissingEndsAndNegativeDifferencesAreAbsent) {
  Incident incident;
  incident.times.impact_started = kT0;
  incident.times.detected = kT0 - minutes(1);  // impact edited to after detection
  incident.times.mitigated = kT0;              // zero is a real figure
  const ResponseTimes times = response_times(incident);
  EXPECT_FALSE(times.to_detect);
  EXPECT_FALSE(times.to_acknowledge);
  EXPECT_EQ(times.to_mitigate, Duration::zero());
  EXPECT_FALSE(times.to_resolve);

  Incident no_impact;
  no_impact.times.detected = kT0;
  no_impact.times.acknowledged = kT0 + seconds(30);
  const ResponseTimes partial = response_times(no_impact);
  EXPECT_FALSE(partial.to_detect);
  EXPECT_EQ(partial.to_acknowledge, seconds(30));
}

TEST(SummarizeTest, AlwaysFourSeveritiesInOrder) {
  const std::vector<SeverityStats> stats = summarize({});
  ASSERT_EQ(stats.size(), 4u);
  for (std::size_t i = 0; i < stats.size(); ++i) {
    EXPECT_EQ(stats[i].severity, static_cast<Severity>(i + 1));
    EXPECT_EQ(stats[i].incidents, 0u);
    EXPECT_EQ(stats[i].to_resolve.count, 0u);
    EXPECT_EQ(stats[i].to_resolve.median_seconds, 0);
    EXPECT_EQ(stats[i].to_resolve.p90_seconds, 0);
  }
}

TEST(SummarizeTest, NearestRankMedianAndP90OfTenValues) {
  // 10, 20, ..., 100 minutes, in shuffled order.
  std::vector<Incident> incidents;
  for (int i = 1; i <= 10; ++i)
    incidents.push_back(resolved_after(minutes(10 * i)));
  std::mt19937 random(42);
  std::shuffle(incidents.begin(), incidents.end(), random);
  const SeverityStats sev2 = summarize(incidents)[1];
  EXPECT_EQ(sev2.severity, Severity::kSev2);
  EXPECT_EQ(sev2.incidents, 10u);
  EXPECT_EQ(sev2.to_resolve.count, 10u);
  EXPECT_DOUBLE_EQ(sev2.to_resolve.median_seconds, 50 * 60);  // rank ceil(5) = 5
  EXPECT_DOUBLE_EQ(sev2.to_resolve.p90_seconds, 90 * 60);     // rank ceil(9) = 9
}

TEST(SummarizeTest, NearestRankOnOddAndTinySets) {
  std::vector<Incident> five;
  for (int s : {50, 10, 40, 20, 30})
    five.push_back(resolved_after(seconds(s), Severity::kSev1));
  const SeverityStats sev1 = summarize(five)[0];
  EXPECT_DOUBLE_EQ(sev1.to_resolve.median_seconds, 30);  // rank ceil(2.5) = 3
  EXPECT_DOUBLE_EQ(sev1.to_resolve.p90_seconds, 50);     // rank ceil(4.5) = 5

  // Seven values: 0.9 × 7 = 6.3, so the 90th percentile is rank 7, the largest value.
  std::vector<Incident> seven;
  for (int s : {1, 2, 3, 4, 5, 6, 70})
    seven.push_back(resolved_after(seconds(s), Severity::kSev1));
  EXPECT_DOUBLE_EQ(summarize(seven)[0].to_resolve.p90_seconds, 70);
  EXPECT_DOUBLE_EQ(summarize(seven)[0].to_resolve.median_seconds, 4);

  const SeverityStats one = summarize({resolved_after(seconds(7), Severity::kSev4)})[3];
  EXPECT_EQ(one.to_resolve.count, 1u);
  EXPECT_DOUBLE_EQ(one.to_resolve.median_seconds, 7);
  EXPECT_DOUBLE_EQ(one.to_resolve.p90_seconds, 7);

  // Two values: the nearest-rank median is the lower one, not their mean.
  const SeverityStats two = summarize({resolved_after(seconds(10), Severity::kSev3),
                                       resolved_after(seconds(20), Severity::kSev3)})[2];
  EXPECT_DOUBLE_EQ(two.to_resolve.median_seconds, 10);
  EXPECT_DOUBLE_EQ(two.to_resolve.p90_seconds, 20);
}

TEST(SummarizeTest, TestIncidentsAreExcluded) {
  std::vector<Incident> incidents = {resolved_after(minutes(10)), resolved_after(minutes(20))};
  Incident drill = resolved_after(minutes(500));
  drill.test = true;
  incidents.push_back(drill);
  incidents.push_back(drill);
  const SeverityStats sev2 = summarize(incidents)[1];
  EXPECT_EQ(sev2.incidents, 2u);
  EXPECT_EQ(sev2.to_resolve.count, 2u);
  EXPECT_DOUBLE_EQ(sev2.to_resolve.p90_seconds, 20 * 60);
}

TEST(SummarizeTest, SeveritiesAndFiguresAreCountedSeparately) {
  Incident open_incident;  // detected and acknowledged, not yet mitigated
  open_incident.severity = Severity::kSev2;
  open_incident.times.impact_started = kT0;
  open_incident.times.detected = kT0 + minutes(1);
  open_incident.times.acknowledged = kT0 + minutes(4);
  Incident backwards = resolved_after(minutes(-5));  // negative: no figure
  const std::vector<SeverityStats> stats =
      summarize({open_incident, backwards, resolved_after(minutes(60), Severity::kSev1),
                 resolved_after(minutes(30))});
  EXPECT_EQ(stats[0].incidents, 1u);
  EXPECT_DOUBLE_EQ(stats[0].to_resolve.median_seconds, 3600);
  const SeverityStats& sev2 = stats[1];
  EXPECT_EQ(sev2.incidents, 3u);
  EXPECT_EQ(sev2.to_detect.count, 1u);
  EXPECT_DOUBLE_EQ(sev2.to_detect.median_seconds, 60);
  EXPECT_EQ(sev2.to_acknowledge.count, 1u);
  EXPECT_DOUBLE_EQ(sev2.to_acknowledge.p90_seconds, 180);
  EXPECT_EQ(sev2.to_mitigate.count, 0u);
  EXPECT_EQ(sev2.to_resolve.count, 1u);  // the backwards one has no figure
  EXPECT_DOUBLE_EQ(sev2.to_resolve.median_seconds, 1800);
  EXPECT_EQ(stats[2].incidents, 0u);
}

TEST(SummarizeTest, SubSecondPrecisionIsKept) {
  const SeverityStats sev2 = summarize({resolved_after(std::chrono::milliseconds(1500))})[1];
  EXPECT_DOUBLE_EQ(sev2.to_resolve.median_seconds, 1.5);
}

}  // namespace
}  // namespace sloe::incident

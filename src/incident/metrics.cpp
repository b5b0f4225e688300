#include "sloe/incident/metrics.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>

namespace sloe::incident {
namespace {

std::optional<Duration> between(const std::optional<TimePoint>& start,
                                const std::optional<TimePoint>& end) {
  if (!start || !end || *end < *start)
    return std::nullopt;
  return *end - *start;
}

// Nearest-rank percentile of sorted values: the value at 1-based rank ceil(percent/100 × n),
// computed in integers so that e.g. the 90th of 10 values is rank 9 exactly.
// The median is the nearest-rank 50th percentile too (for an even count the lower of the two
// middle values, not their mean), so both figures are durations some incident actually had.
// REQUIRES: sorted is sorted ascending and non-empty; 0 < percent <= 100.
double nearest_rank(const std::vector<double>& sorted, std::size_t percent) {
  const std::size_t rank = (percent * sorted.size() + 99) / 100;
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Summary summarize_seconds(std::vector<double> seconds) {
  Summary summary;
  summary.count = seconds.size();
  if (seconds.empty())
    return summary;
  std::sort(seconds.begin(), seconds.end());
  summary.median_seconds = nearest_rank(seconds, 50);
  summary.p90_seconds = nearest_rank(seconds, 90);
  return summary;
}

double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

ResponseTimes response_times(const Incident& incident) {
  const Timestamps& t = incident.times;
  ResponseTimes times;
  times.to_detect = between(t.impact_started, t.detected);
  times.to_acknowledge = between(t.detected, t.acknowledged);
  times.to_mitigate = between(t.impact_started, t.mitigated);
  times.to_resolve = between(t.impact_started, t.resolved);
  return times;
}

std::vector<SeverityStats> summarize(const std::vector<Incident>& incidents) {
  constexpr std::array<Severity, 4> kSeverities{Severity::kSev1, Severity::kSev2, Severity::kSev3,
                                                Severity::kSev4};
  std::vector<SeverityStats> stats;
  stats.reserve(kSeverities.size());
  for (Severity severity : kSeverities) {
    SeverityStats entry;
    entry.severity = severity;
    std::vector<double> detect, acknowledge, mitigate, resolve;
    for (const Incident& incident : incidents) {
      if (incident.test || incident.severity != severity)
        continue;
      ++entry.incidents;
      const ResponseTimes times = response_times(incident);
      if (times.to_detect)
        detect.push_back(to_seconds(*times.to_detect));
      if (times.to_acknowledge)
        acknowledge.push_back(to_seconds(*times.to_acknowledge));
      if (times.to_mitigate)
        mitigate.push_back(to_seconds(*times.to_mitigate));
      if (times.to_resolve)
        resolve.push_back(to_seconds(*times.to_resolve));
    }
    entry.to_detect = summarize_seconds(std::move(detect));
    entry.to_acknowledge = summarize_seconds(std::move(acknowledge));
    entry.to_mitigate = summarize_seconds(std::move(mitigate));
    entry.to_resolve = summarize_seconds(std::move(resolve));
    stats.push_back(entry);
  }
  return stats;
}

}  // namespace sloe::incident

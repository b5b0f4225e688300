// Response-time metrics of incidents (the "time to ..." figures responders are measured by):
//   time to detect      = detected − impact_started
//   time to acknowledge = acknowledged − detected
//   time to mitigate    = mitigated − impact_started
//   time to resolve     = resolved − impact_started
// A figure is absent when either end is unset or the difference is negative.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "sloe/incident/model.h"

namespace sloe::incident {

struct ResponseTimes {
  std::optional<Duration> to_detect;
  std::optional<Duration> to_acknowledge;
  std::optional<Duration> to_mitigate;
  std::optional<Duration> to_resolve;
};

ResponseTimes response_times(const Incident& incident);

// Median and 90th percentile (nearest-rank) of the incidents that have the figure.
struct Summary {
  std::size_t count = 0;
  double median_seconds = 0;
  double p90_seconds = 0;
};

struct SeverityStats {
  Severity severity = Severity::kSev1;
  std::size_t incidents = 0;  // non-test incidents of this severity
  Summary to_detect;
  Summary to_acknowledge;
  Summary to_mitigate;
  Summary to_resolve;
};

// One entry per severity SEV1..SEV4 (always four, in order); test incidents are excluded.
std::vector<SeverityStats> summarize(const std::vector<Incident>& incidents);

}  // namespace sloe::incident

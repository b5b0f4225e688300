// eval_bench: cost of one evaluator tick and memory per SLO at scale.
//
// Builds N EventWindows (default 10,000) holding 30 days of history each (an event every 30s,
// seeded as per-minute aggregates), then times full evaluation ticks -- evaluate() for every SLO,
// keeping each Status as the real evaluator publishes them -- and reports memory per SLO both as
// EventWindow::memory_bytes() and as the process's RSS growth (Linux /proc/self/status VmRSS).
//
// Usage: sloe_eval_bench [slos] [ticks]      Targets: <= 50 ms per tick, <= 20 KB per SLO.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/sli/event_window.h"
#include "sloe/slo/evaluator.h"

namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// Resident set size in KiB, or -1 where /proc is unavailable.
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

double ms_since(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

// Deterministic, cheap per-SLO variety (no <random> state per window needed).
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  const int slo_count = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 5;
  if (slo_count <= 0 || ticks <= 0) {
    std::fprintf(stderr, "usage: %s [slos > 0] [ticks > 0]\n", argv[0]);
    return 2;
  }
  const std::chrono::seconds history = 30 * 24h;
  const sloe::TimePoint start = sloe::from_unix_seconds(1'700'006'400);
  const sloe::TimePoint end = start + history;

  const long rss_before = rss_kib();
  const auto seed_started = Steady::now();
  std::vector<sloe::sli::EventWindow> windows;
  std::vector<sloe::slo::Objective> objectives;
  windows.reserve(static_cast<std::size_t>(slo_count));
  objectives.reserve(static_cast<std::size_t>(slo_count));
  const double targets[] = {0.999, 0.99, 0.9995, 0.95};
  for (int i = 0; i < slo_count; ++i) {
    const std::uint64_t h = mix(static_cast<std::uint64_t>(i) + 1);
    objectives.push_back(sloe::slo::Objective{targets[h % 4], history});
    windows.emplace_back(history);
    sloe::sli::EventWindow& window = windows.back();
    // Two events a minute; a slice of SLOs fail a fraction of them, some in a recent incident.
    const std::uint64_t fail_every = 50 + h % 5000;
    const bool recent_incident = h % 7 == 0;
    for (std::int64_t m = 0; m < history / 1min; ++m) {
      const bool incident = recent_incident && m > history / 1min - 90;
      const double bad = incident ? 1 : ((static_cast<std::uint64_t>(m) + h) % fail_every == 0);
      window.record(start + std::chrono::minutes{m} + 30s, sloe::sli::Counts{2 - bad, 2});
    }
  }
  const double seed_ms = ms_since(seed_started);
  const long rss_after = rss_kib();

  std::size_t memory_total = 0;
  for (const auto& window : windows)
    memory_total += window.memory_bytes();

  std::vector<sloe::slo::Status> statuses(windows.size());
  std::vector<double> tick_ms;
  std::size_t paging = 0;
  for (int tick = -1; tick < ticks; ++tick) {  // tick -1 warms caches and allocations
    const sloe::TimePoint now = end + std::chrono::seconds{10 * (tick + 1)};
    const auto tick_started = Steady::now();
    paging = 0;
    for (std::size_t i = 0; i < windows.size(); ++i) {
      statuses[i] = sloe::slo::evaluate(objectives[i], windows[i], now);
      paging += statuses[i].page() ? 1 : 0;
    }
    if (tick >= 0)
      tick_ms.push_back(ms_since(tick_started));
  }
  std::vector<double> sorted = tick_ms;
  std::sort(sorted.begin(), sorted.end());

  const double avg_bytes = static_cast<double>(memory_total) / slo_count;
  const double rss_delta_bytes =
      rss_before >= 0 && rss_after >= 0 ? static_cast<double>(rss_after - rss_before) * 1024 : -1;
  std::printf("SLOs:                 %d\n", slo_count);
  std::printf(
      "history:              30d per SLO, event every 30s (seeded as per-minute "
      "aggregates in %.0f ms)\n",
      seed_ms);
  std::printf("ticks timed:          %d (after 1 warm-up)\n", ticks);
  std::printf("ms per tick:          median %.2f, min %.2f, max %.2f  (target <= 50)\n",
              sorted[sorted.size() / 2], sorted.front(), sorted.back());
  std::printf("us per SLO:           median %.3f\n", sorted[sorted.size() / 2] * 1000 / slo_count);
  std::printf("memory per SLO:       %.0f bytes memory_bytes() avg  (target <= 20480)\n",
              avg_bytes);
  std::printf("RSS delta per SLO:    %.0f bytes (%ld KiB -> %ld KiB)\n",
              rss_delta_bytes / slo_count, rss_before, rss_after);
  std::printf("SLOs paging:          %zu\n", paging);
  const bool ok = sorted[sorted.size() / 2] <= 50 && avg_bytes <= 20480;
  std::printf("result:               %s\n", ok ? "within targets" : "OVER TARGET");
  return 0;
}

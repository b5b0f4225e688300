#include "sloe/probe/engine.h"

#include <atomic>
#include <random>
#include <thread>

#include "prepared_probe.h"
#include "probe_loop.h"
#include "schedule.h"

namespace sloe::probe {
namespace {

// The loop wakes at least this often even when nothing is due, so a clock that is moved by hand
// (ManualClock) is noticed; with the real clock it costs one idle wake-up per second.
constexpr Duration kMaxIdleWait = std::chrono::seconds(1);

}  // namespace

struct Engine::Impl {
  Impl(const Clock& clock_in, ResultSink sink_in, EngineOptions options_in)
      : clock(clock_in), sink(std::move(sink_in)), options(options_in) {}

  void run(std::uint64_t seed) {
    std::vector<Duration> intervals;
    intervals.reserve(probes.size());
    for (const detail::PreparedProbe& probe : probes) {
      intervals.push_back(probe.probe.spec.interval);
    }
    detail::Schedule schedule(intervals, clock.monotonic(), seed);
    std::vector<bool> in_flight(probes.size(), false);

    while (!stop_requested.load(std::memory_order_acquire)) {
      for (const std::size_t index : schedule.take_due(clock.monotonic())) {
        // A probe still running, or a full loop, skips this slot rather than queueing a burst.
        if (in_flight[index] || loop->in_flight() >= options.max_in_flight)
          continue;
        in_flight[index] = true;
        started.fetch_add(1, std::memory_order_relaxed);
        loop->begin(probes[index], [this, index, &in_flight](ProbeResult&& result) {
          in_flight[index] = false;
          if (!result.success)
            failed.fetch_add(1, std::memory_order_relaxed);
          completed.fetch_add(1, std::memory_order_relaxed);
          if (sink)
            sink(result);
        });
      }
      Duration wait = kMaxIdleWait;
      if (const std::optional<MonoTime> next = schedule.next_due()) {
        wait = std::clamp<Duration>(*next - clock.monotonic(), Duration::zero(), kMaxIdleWait);
      }
      loop->poll(wait);
    }
    loop->cancel_all();
  }

  const Clock& clock;
  ResultSink sink;
  EngineOptions options;
  std::vector<detail::PreparedProbe> probes;
  std::unique_ptr<detail::ProbeLoop> loop;
  std::thread thread;
  bool started_once = false;
  std::atomic<bool> stop_requested{false};
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
};

Engine::Engine(const Clock& clock, const std::vector<ResolvedProbe>& probes, ResultSink sink,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(clock, std::move(sink), options)) {
  impl_->probes.reserve(probes.size());
  for (const ResolvedProbe& probe : probes)
    impl_->probes.push_back(detail::prepare_probe(probe));
}

Engine::~Engine() {
  stop();
}

Status Engine::start() {
  if (impl_->started_once)
    return Error{"the probe engine was already started; it runs once"};
  Result<std::unique_ptr<detail::ProbeLoop>> loop =
      detail::ProbeLoop::create(impl_->clock, impl_->options.reuse_connections);
  if (!loop)
    return Error{"cannot start the probe loop: " + loop.error().message};
  impl_->loop = std::move(loop).value();
  impl_->started_once = true;
  std::uint64_t seed = impl_->options.jitter_seed;
  if (seed == 0) {
    std::random_device entropy;
    seed = (std::uint64_t{entropy()} << 32) | entropy();
  }
  impl_->thread = std::thread([impl = impl_.get(), seed] { impl->run(seed); });
  return {};
}

void Engine::stop() {
  impl_->stop_requested.store(true, std::memory_order_release);
  if (impl_->thread.joinable()) {
    impl_->loop->wake();
    impl_->thread.join();
  }
  impl_->loop.reset();
}

Engine::Stats Engine::stats() const {
  return Stats{impl_->started.load(std::memory_order_relaxed),
               impl_->completed.load(std::memory_order_relaxed),
               impl_->failed.load(std::memory_order_relaxed)};
}

ProbeResult run_once(const Clock& clock, const ResolvedProbe& probe) {
  const detail::PreparedProbe prepared = detail::prepare_probe(probe);
  Result<std::unique_ptr<detail::ProbeLoop>> loop = detail::ProbeLoop::create(clock, false);
  if (!loop) {
    ProbeResult result;
    result.probe = probe.spec.name;
    result.target = prepared.target;
    result.started_at = clock.now();
    result.failure = "cannot start the probe loop: " + loop.error().message;
    return result;
  }
  std::optional<ProbeResult> outcome;
  (*loop)->begin(prepared, [&outcome](ProbeResult&& result) { outcome = std::move(result); });
  while (!outcome)
    (*loop)->poll(kMaxIdleWait);
  return std::move(*outcome);
}

}  // namespace sloe::probe

// The Engine on real sockets: cadence, jitter, overrun skipping, stop latency, stats.
// These tests wait on real time (bounded polling), as real sockets require.
#include "sloe/probe/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <mutex>

#include "schedule.h"
#include "test_servers.h"

namespace sloe::probe {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Collects results from the engine thread.
class Collector {
 public:
  ResultSink sink() {
    return [this](const ProbeResult& result) {
      const std::lock_guard lock(mutex_);
      results_[result.probe].push_back(result);
    };
  }
  std::vector<ProbeResult> of(const std::string& probe) {
    const std::lock_guard lock(mutex_);
    return results_[probe];
  }
  std::size_t count(const std::string& probe) { return of(probe).size(); }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<ProbeResult>> results_;
};

ResolvedProbe named(ResolvedProbe probe, std::string name, std::chrono::milliseconds interval) {
  probe.spec.name = std::move(name);
  probe.spec.interval = interval;
  return probe;
}

// Polls `done` every 5ms for at most `limit`.
template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server_.server().Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      server_.sleep_unless_released(5s);
      res.set_content("late", "text/plain");
    });
    server_.server().Get("/350ms", [this](const httplib::Request&, httplib::Response& res) {
      server_.sleep_unless_released(350ms);
      res.set_content("done", "text/plain");
    });
    server_.start();
  }

  SystemClock clock_;
  testing::TestHttpServer server_;
  Collector collector_;
};

TEST_F(EngineTest, EachProbeRunsAtItsOwnInterval) {
  testing::TestDnsServer dns(testing::DnsBehaviour::kAnswerA);
  std::vector<ResolvedProbe> probes = {
      named(testing::http_probe(server_.url("/ok")), "http", 100ms),
      named(testing::tcp_probe(server_.port()), "tcp", 150ms),
      named(testing::dns_probe(dns.address(), "example.com"), "dns", 200ms),
  };
  EngineOptions options;
  options.jitter_seed = 1;
  Engine engine(clock_, std::move(probes), collector_.sink(), options);
  ASSERT_TRUE(engine.start().ok());
  std::this_thread::sleep_for(1s);
  engine.stop();

  // Over 1s a probe gets about 1s/interval runs: one more or less for where its jittered first
  // slot fell and a run cut off by stop(); a little slack for a loaded machine. Far more would
  // mean bursts, far fewer a stalled loop.
  const std::map<std::string, int> expected = {{"http", 10}, {"tcp", 7}, {"dns", 5}};
  std::size_t total = 0;
  for (const auto& [name, runs] : expected) {
    const std::vector<ProbeResult> results = collector_.of(name);
    total += results.size();
    EXPECT_GE(static_cast<int>(results.size()), runs - 3) << name;
    EXPECT_LE(static_cast<int>(results.size()), runs + 1) << name;
    for (const ProbeResult& result : results)
      EXPECT_TRUE(result.success) << result.failure;
  }
  const Engine::Stats stats = engine.stats();
  EXPECT_EQ(stats.completed, total);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_GE(stats.started, stats.completed);
  EXPECT_LE(stats.started, stats.completed + 3);  // at most one cancelled run per probe
}

TEST_F(EngineTest, FirstRunsFollowTheSeededJitter) {
  constexpr std::uint64_t kSeed = 42;
  const std::vector<Duration> intervals(4, 400ms);
  std::vector<ResolvedProbe> probes;
  for (int i = 0; i < 4; ++i) {
    probes.push_back(named(testing::tcp_probe(server_.port()), "p" + std::to_string(i), 400ms));
  }
  EngineOptions options;
  options.jitter_seed = kSeed;
  Engine engine(clock_, std::move(probes), collector_.sink(), options);
  ASSERT_TRUE(engine.start().ok());
  ASSERT_TRUE(wait_until(
      [&] {
        for (int i = 0; i < 4; ++i) {
          if (collector_.count("p" + std::to_string(i)) == 0)
            return false;
        }
        return true;
      },
      2s));
  engine.stop();

  // The engine draws first-run offsets exactly as a Schedule with the same seed does; the gaps
  // between first runs must match the gaps between those offsets.
  const detail::Schedule reference(intervals, MonoTime{}, kSeed);
  const TimePoint first0 = collector_.of("p0").front().started_at;
  const MonoTime offset0 = reference.due(0);
  std::set<MonoTime> distinct;
  for (std::size_t i = 0; i < 4; ++i) {
    distinct.insert(reference.due(i));
    const Duration expected_gap = reference.due(i) - offset0;
    const Duration actual_gap = collector_.of("p" + std::to_string(i)).front().started_at - first0;
    EXPECT_NEAR(std::chrono::duration<double>(actual_gap).count(),
                std::chrono::duration<double>(expected_gap).count(), 0.04)
        << "probe " << i;
  }
  EXPECT_EQ(distinct.size(), 4u);
}

TEST_F(EngineTest, OverrunningProbeSkipsSlotsInsteadOfBursting) {
  std::vector<ResolvedProbe> probes = {
      named(testing::http_probe(server_.url("/350ms")), "slowish", 100ms)};
  Engine engine(clock_, std::move(probes), collector_.sink());
  ASSERT_TRUE(engine.start().ok());
  std::this_thread::sleep_for(1200ms);
  engine.stop();
  // Each run takes 350ms and the next starts at the first 100ms slot after it: ~3 runs, never
  // the 12 that a catch-up burst would make.
  const std::size_t runs = collector_.count("slowish");
  EXPECT_GE(runs, 2u);
  EXPECT_LE(runs, 4u);
  const Engine::Stats stats = engine.stats();
  EXPECT_LE(stats.started, stats.completed + 1);
}

TEST_F(EngineTest, StopIsPromptWithSlowProbesInFlight) {
  std::vector<ResolvedProbe> probes;
  for (int i = 0; i < 3; ++i) {
    probes.push_back(
        named(testing::http_probe(server_.url("/slow"), 10s), "slow" + std::to_string(i), 100ms));
  }
  Engine engine(clock_, std::move(probes), collector_.sink());
  ASSERT_TRUE(engine.start().ok());
  ASSERT_TRUE(wait_until([&] { return engine.stats().started >= 3; }, 2s));
  const auto before = std::chrono::steady_clock::now();
  engine.stop();
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, 1s);
  EXPECT_EQ(engine.stats().completed, 0u) << "cancelled runs must not be reported";
  engine.stop();  // idempotent
}

TEST_F(EngineTest, FailuresAreCountedAndReported) {
  const int port = testing::closed_tcp_port();
  std::vector<ResolvedProbe> probes = {named(testing::tcp_probe(port), "down", 100ms)};
  Engine engine(clock_, std::move(probes), collector_.sink());
  ASSERT_TRUE(engine.start().ok());
  ASSERT_TRUE(wait_until([&] { return engine.stats().completed >= 3; }, 2s));
  engine.stop();
  const Engine::Stats stats = engine.stats();
  EXPECT_EQ(stats.failed, stats.completed);
  for (const ProbeResult& result : collector_.of("down")) {
    EXPECT_EQ(result.failure, "connection refused");
  }
}

TEST_F(EngineTest, RunsOnceAndStopsSafely) {
  Engine never_started(clock_, {}, collector_.sink());
  never_started.stop();

  Engine engine(clock_, {named(testing::tcp_probe(server_.port()), "tcp", 1h)}, collector_.sink());
  ASSERT_TRUE(engine.start().ok());
  const Status again = engine.start();
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message, HasSubstr("already started"));
  // Destructor stops the running engine.
}

}  // namespace
}  // namespace sloe::probe

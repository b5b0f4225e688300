// Engine: runs every configured probe on its interval, all on one event-loop thread.
//
// HTTP(S) and TCP probes use libcurl's multi socket interface, DNS probes a small UDP client, all
// multiplexed on one epoll loop; nothing on that thread sleeps or blocks. Each probe's first run
// is offset by a seeded random jitter in [0, interval) so probes sharing an interval do not fire
// together; later runs keep a fixed cadence from that first slot (next = previous slot +
// interval). A probe still running when its next slot comes skips that slot instead of bursting
// to catch up; slots missed while the loop was busy are skipped the same way.
//
// Thread-safety: construct, start() and stop() from one owner thread. stats() may be called from
// any thread. The sink runs only on the engine thread.
//
// Ownership: the Engine owns its probes; the Clock must outlive the Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/model.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/probe/result.h"

namespace sloe::probe {

// A probe whose secrets have already been read: the engine never touches the environment or
// secret files, so a missing secret is reported once at startup, not on every run.
struct ResolvedProbe {
  config::ProbeSpec spec;
  // Final HTTP header values, in order (the spec's own header list is not consulted).
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password
};

struct EngineOptions {
  std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
  // false (default): every run opens a fresh connection and resolves the name afresh, so each
  // sample includes resolve, connect and TLS cost, as a new user would see it.
  bool reuse_connections = false;
  // Runs in flight at once; a probe due while the limit is reached skips that slot.
  std::size_t max_in_flight = 4096;
};

// Called once per finished run, on the engine thread. Must return quickly and must not throw.
using ResultSink = std::function<void(const ProbeResult&)>;

class Engine {
 public:
  // Prepares every probe up front (body regexes compiled, DNS server parsed, /etc/resolv.conf
  // read when a DNS probe names no server), so runs only do I/O. A probe that cannot be prepared
  // still runs on schedule and fails every run with the reason ("probe cannot run: ...").
  Engine(const Clock& clock, const std::vector<ResolvedProbe>& probes, ResultSink sink,
         EngineOptions options = {});
  ~Engine();  // stop()s

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Spawns the loop thread. Errors if libcurl or the event loop cannot be set up, or if the
  // engine was started before (an Engine runs once).
  Status start();

  // Wakes the loop, cancels runs in flight (their results are not delivered) and joins the
  // thread. Returns promptly whatever the probes are doing. Idempotent; safe without start().
  void stop();

  struct Stats {
    std::uint64_t started = 0;    // runs begun
    std::uint64_t completed = 0;  // results delivered to the sink, successful or not
    std::uint64_t failed = 0;     // of those completed, how many had success == false
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs one probe once, synchronously, on a private loop: for `sloe probe` and tests.
// REQUIRES: clock's monotonic time advances in real time (SystemClock), since the run's timeout
// is measured on it.
ProbeResult run_once(const Clock& clock, const ResolvedProbe& probe);

}  // namespace sloe::probe

// ProbeLoop: one epoll loop that drives probe runs: curl transfers through the multi socket
// interface and DNS queries over UDP. It runs what it is told to; when to run is the caller's
// business (Engine's schedule, or run_once).
//
// Thread-safety: everything runs on the thread that calls poll(), except wake(), which any thread
// may call.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "prepared_probe.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/probe/result.h"

namespace sloe::probe::detail {

class ProbeLoop {
 public:
  using Done = std::function<void(ProbeResult&&)>;

  // Sets up epoll, the wake-up eventfd and the curl multi handle. Run timeouts are measured on
  // clock.monotonic(); curl additionally enforces the same timeout on real time.
  static Result<std::unique_ptr<ProbeLoop>> create(const Clock& clock, bool reuse_connections);
  virtual ~ProbeLoop() = default;  // cancels runs in flight without calling their Done

  // Starts one run. on_done is called exactly once, from a later poll(), unless the run is
  // cancelled first. Failures to even start are delivered the same way.
  // REQUIRES: probe outlives the run.
  virtual void begin(const PreparedProbe& probe, Done on_done) = 0;

  // Waits for I/O, a curl timer or a run's deadline, for at most max_wait, then does all the
  // work that is ready and delivers finished runs. Returns early when woken.
  virtual void poll(Duration max_wait) = 0;

  // Makes a concurrent or the next poll() return promptly. Thread-safe.
  virtual void wake() = 0;

  // Abandons every run in flight; their Done callbacks are dropped, not called.
  virtual void cancel_all() = 0;

  virtual std::size_t in_flight() const = 0;
};

}  // namespace sloe::probe::detail

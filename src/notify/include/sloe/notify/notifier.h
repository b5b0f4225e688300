// Notifier: drains the outbox. For every due row it resolves the receiver's secrets from the
// ReceiverRegistry, sends the request through a Sender, and records the outcome: sent, retry at
// a later time (see retry.h), or failed for good. Each receiver has a token bucket (its
// RateLimit); a row over the limit stays pending and goes when a token is there.
//
// Delivery is at least once: a crash between a send and its record resends the row after the
// restart, with the same Idempotency-Key header. Rows of one stream (receiver, integration, group
// key) go in enqueue order; while the oldest is waiting for a retry, the later ones wait too.
// Within one drain an integration that failed with a retryable error is not tried again: its
// other due rows are postponed to the failed row's next attempt, so a receiver that is down costs
// one timeout per drain, not one per row.
//
// Run it either by calling drain_once(now) (tests, with a ManualClock) or with start()/stop(),
// which run drains on a background thread until stopped.
//
// Thread-safety: every method may be called from any thread; drains never overlap.
// Ownership: borrows everything given to the constructor. REQUIRES: they outlive the Notifier
// (stop() it first).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sloe/alert/notification.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/notify/outbox.h"
#include "sloe/notify/retry.h"
#include "sloe/notify/sender.h"
#include "sloe/notify/targets.h"

namespace sloe::notify {

enum class LogLevel { kInfo, kWarning, kError };

struct NotifierOptions {
  RetryPolicy retry;
  // Uniform numbers in [0, 1) for the backoff jitter; default: a seeded std::mt19937_64.
  std::function<double()> random;
  // Where the notifier reports what a person should know (permanent failures, retries). Messages
  // name the receiver, integration and row, never a secret. Default: dropped.
  std::function<void(LogLevel, const std::string&)> log;
  // Sent and failed rows are deleted this long after they finished.
  Duration retention = std::chrono::hours(24 * 7);
  // The background thread drains at least this often, even if nothing woke it.
  std::chrono::milliseconds idle_poll{1000};
  // Told when a row is finished: delivered, or failed for good (reason never holds a secret).
  // Optional; called on the draining thread (e.g. to put the outcome on an incident's timeline).
  std::function<void(const OutboxEntry& row, bool delivered, const std::string& reason,
                     TimePoint at)>
      on_finished;
};

// Counters since the Notifier was made, per receiver, and the outbox gauges as of the last drain.
struct ReceiverCounters {
  std::uint64_t sent = 0;      // delivered
  std::uint64_t failed = 0;    // failed for good
  std::uint64_t retried = 0;   // attempts that failed and will be retried
  std::uint64_t deferred = 0;  // rows held back by the rate limit (once per drain)
};

struct NotifyStats {
  std::map<std::string, ReceiverCounters> receivers;
  std::int64_t outbox_depth = 0;              // pending rows
  Duration oldest_pending_age = Duration{0};  // 0 when none pend
};

struct DrainReport {
  std::size_t sent = 0;
  std::size_t retried = 0;
  std::size_t failed = 0;
  std::size_t deferred = 0;
  // When there may be more to do: the earliest pending row's next attempt or a rate-limited
  // receiver's next token; nullopt when nothing is pending.
  std::optional<TimePoint> next_wake;
};

class Notifier {
 public:
  Notifier(Outbox& outbox, const ReceiverRegistry& registry, Sender& sender, const Clock& clock,
           NotifierOptions options = {});
  ~Notifier();  // stops the background thread if running
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Looks up notification.receiver, queues the notification in the outbox (durable when this
  // returns ok) and wakes the background thread. An unknown receiver is an error.
  Result<EnqueueResult> enqueue(const alert::GroupNotification& notification);
  // Queues a PagerDuty acknowledge for the group (see Outbox::enqueue_acknowledge).
  Result<EnqueueResult> enqueue_acknowledge(std::string_view receiver, std::string_view group_key,
                                            TimePoint at);

  // Delivers every row due at now, as the rate limits allow. Errors are database errors; send
  // failures are outcomes recorded on the rows.
  Result<DrainReport> drain_once(TimePoint now);

  // Runs drains on a background thread: after each, waits until the next wake time (by clock),
  // idle_poll, wake() or stop(). REQUIRES: not already started.
  void start();
  // Stops and joins the background thread; an in-flight request finishes (or times out) first.
  void stop();
  // Makes the background thread drain now.
  void wake();

  NotifyStats stats() const;

 private:
  void run();
  void log(LogLevel level, const std::string& message) const;
  void finished(const OutboxEntry& row, bool delivered, const std::string& reason,
                TimePoint at) const;

  Outbox& outbox_;
  const ReceiverRegistry& registry_;
  Sender& sender_;
  const Clock& clock_;
  NotifierOptions options_;

  std::mutex drain_mutex_;  // one drain at a time; guards buckets_ and last_prune_
  std::map<std::string, TokenBucket> buckets_;
  std::optional<TimePoint> last_prune_;

  mutable std::mutex stats_mutex_;
  NotifyStats stats_;

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace sloe::notify

// Outbox: the durable queue of notifications to deliver, in the notification_outbox table
// (schema migration 2).
//
// enqueue() renders one request body per integration of the receiver and writes all of them in
// one transaction before anything is sent; once it returns ok, the notifications survive a crash
// and are delivered after a restart. Each row carries an idempotency key computed from what was
// notified (receiver, integration index, group key, notification time, and each alert's
// fingerprint, status, start and end), so enqueueing the same notification again adds nothing;
// the key also travels with every attempt as the Idempotency-Key header, so a receiver can drop
// the duplicate that at-least-once delivery produces after a crash between sending and recording.
//
// Rows never hold secrets: a row names its receiver and integration index, and the notifier
// resolves the URL, routing key and headers from the ReceiverRegistry when it sends.
//
// Rows of one stream (receiver, integration, group key) are delivered in enqueue order: due()
// offers only the oldest pending row of each stream.
//
// Thread-safety: every method may be called from any thread; calls are serialised internally.
// Ownership: borrows the Database. REQUIRES: the Database outlives the Outbox, was opened with
// migrations including version 2, and nothing else uses it concurrently (give the Outbox its own
// connection to the database file; SQLite coordinates connections).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/alert/notification.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/notify/targets.h"
#include "sloe/store/database.h"

namespace sloe::notify {

enum class OutboxState { kPending, kSent, kFailed };

std::string_view to_string(OutboxState state);

struct OutboxEntry {
  std::int64_t id = 0;  // increases in enqueue order
  std::string idempotency_key;
  std::string receiver;
  std::size_t integration_index = 0;
  IntegrationKind kind = IntegrationKind::kWebhook;
  std::string group_key;
  std::string body;         // the request body, without secrets (PagerDuty: without routing_key)
  TimePoint notified_at{};  // the notification's time
  TimePoint created_at{};   // when it was enqueued
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;                // why the last attempt failed; never contains a secret
  std::optional<TimePoint> finished_at;  // when it was sent or failed for good
};

struct EnqueueResult {
  std::size_t inserted = 0;    // new rows
  std::size_t duplicates = 0;  // rows already in the outbox (same idempotency key)
  std::size_t skipped = 0;     // integrations with nothing to send (send_resolved false)
};

struct OutboxDepth {
  std::int64_t pending = 0;
  std::optional<TimePoint> oldest_pending_created_at;
};

class Outbox {
 public:
  explicit Outbox(store::Database& db) : db_(db) {}

  // Queues notification for every integration of receiver (times are stored at millisecond
  // precision). REQUIRES: receiver.name == notification.receiver (checked: an error otherwise).
  Result<EnqueueResult> enqueue(const alert::GroupNotification& notification,
                                const Receiver& receiver, TimePoint now);

  // Queues a PagerDuty "acknowledge" of the group's incident for every PagerDuty integration of
  // receiver; `at` identifies the acknowledgement (the same at twice is one acknowledgement).
  Result<EnqueueResult> enqueue_acknowledge(const Receiver& receiver, std::string_view group_key,
                                            TimePoint at, TimePoint now);

  // The oldest pending row of each stream whose next attempt is due at now, in id order, at most
  // limit of them.
  Result<std::vector<OutboxEntry>> due(TimePoint now, std::size_t limit = 1000);
  // The earliest next attempt among the streams' oldest pending rows; nullopt when none pend.
  Result<std::optional<TimePoint>> next_attempt();

  Status mark_sent(std::int64_t id, int attempts, TimePoint at);
  Status mark_retry(std::int64_t id, int attempts, TimePoint next_attempt_at,
                    std::string_view error);
  Status mark_failed(std::int64_t id, int attempts, TimePoint at, std::string_view error);
  // Moves a row's next attempt without counting an attempt (rate limit, receiver backing off).
  Status postpone(std::int64_t id, TimePoint next_attempt_at);

  // Rows in id order, all states or one.
  Result<std::vector<OutboxEntry>> list(std::optional<OutboxState> state = std::nullopt);
  Result<OutboxDepth> depth();
  // Deletes sent and failed rows that finished before `before`; returns how many.
  Result<std::int64_t> prune(TimePoint before);

 private:
  Status insert(const OutboxEntry& entry, EnqueueResult& result);

  store::Database& db_;
  std::mutex mutex_;
};

}  // namespace sloe::notify

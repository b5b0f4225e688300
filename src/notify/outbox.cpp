#include "sloe/notify/outbox.h"

#include <variant>

#include "sha256.h"
#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"
#include "sloe/notify/payload.h"

namespace sloe::notify {
namespace {

constexpr const char* kColumns =
    "id, idempotency_key, receiver, integration_index, integration_kind, group_key, body, "
    "notified_at, created_at, state, attempts, next_attempt_at, last_error, finished_at";

// The oldest pending row of every stream.
constexpr const char* kStreamHeads =
    "SELECT MIN(id) FROM notification_outbox WHERE state = 'pending'"
    " GROUP BY receiver, integration_index, group_key";

std::string stored_time(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

std::string nanos(TimePoint t) {
  return std::to_string(t.time_since_epoch().count());
}

// Deterministic from what was notified, so the same notification enqueued twice has one key.
std::string idempotency_key(const std::string& receiver, std::size_t index, IntegrationKind kind,
                            std::string_view group_key, std::string_view what, TimePoint at,
                            const std::vector<alert::Alert>& alerts) {
  std::string canonical;
  const auto field = [&canonical](std::string_view value) {
    canonical += value;
    canonical += '\x1f';
  };
  field(receiver);
  field(std::to_string(index));
  field(to_string(kind));
  field(group_key);
  field(what);
  field(nanos(at));
  for (const alert::Alert& a : alerts) {
    field(alert::fingerprint_hex(a.labels));
    field(a.resolved_at(at) ? "resolved" : "firing");
    field(nanos(a.starts_at));
    field(a.ends_at ? nanos(*a.ends_at) : "-");
    canonical += '\x1e';
  }
  return detail::sha256_hex(canonical).substr(0, 32);
}

bool send_resolved(const Integration& integration) {
  return std::visit([](const auto& target) { return target.send_resolved; }, integration);
}

std::string render(const alert::GroupNotification& visible, const Integration& integration) {
  if (const auto* webhook = std::get_if<WebhookTarget>(&integration))
    return webhook_payload(visible, webhook->max_alerts);
  if (const auto* slack = std::get_if<SlackTarget>(&integration))
    return slack_payload(visible, *slack);
  return pagerduty_event(visible, std::get<PagerDutyTarget>(integration));
}

Result<TimePoint> read_time(const store::Statement& row, int column) {
  auto parsed = parse_rfc3339(row.column_text(column));
  if (!parsed.ok())
    return Error{"notification_outbox: bad time in column " + std::to_string(column) + ": " +
                 parsed.error().message};
  return *parsed;
}

Result<OutboxEntry> read_entry(const store::Statement& row) {
  OutboxEntry entry;
  entry.id = row.column_int64(0);
  entry.idempotency_key = row.column_text(1);
  entry.receiver = row.column_text(2);
  entry.integration_index = static_cast<std::size_t>(row.column_int64(3));
  const auto kind = parse_integration_kind(row.column_text(4));
  if (!kind)
    return Error{"notification_outbox row " + std::to_string(entry.id) +
                 ": unknown integration kind '" + row.column_text(4) + "'"};
  entry.kind = *kind;
  entry.group_key = row.column_text(5);
  entry.body = row.column_text(6);
  for (auto [column, target] : {std::pair{7, &entry.notified_at}, std::pair{8, &entry.created_at},
                                std::pair{11, &entry.next_attempt_at}}) {
    auto t = read_time(row, column);
    if (!t.ok())
      return t.error();
    *target = *t;
  }
  const std::string state = row.column_text(9);
  entry.state = state == "sent"     ? OutboxState::kSent
                : state == "failed" ? OutboxState::kFailed
                                    : OutboxState::kPending;
  entry.attempts = static_cast<int>(row.column_int64(10));
  entry.last_error = row.column_text(12);
  if (!row.column_is_null(13)) {
    auto finished = read_time(row, 13);
    if (!finished.ok())
      return finished.error();
    entry.finished_at = *finished;
  }
  return entry;
}

Result<std::vector<OutboxEntry>> read_all(store::Statement& statement) {
  std::vector<OutboxEntry> entries;
  while (true) {
    auto more = statement.step();
    if (!more.ok())
      return more.error();
    if (!*more)
      return entries;
    auto entry = read_entry(statement);
    if (!entry.ok())
      return entry.error();
    entries.push_back(std::move(*entry));
  }
}

// Runs a statement that returns no rows, binding the given values in order.
template <typename... Values>
Status run(store::Database& db, std::string_view sql, const Values&... values) {
  auto statement = db.prepare(sql);
  if (!statement.ok())
    return statement.error();
  int index = 0;
  Status bound;
  ((bound.ok() ? (bound = statement->bind(++index, values), 0) : 0), ...);
  if (!bound.ok())
    return bound;
  auto done = statement->step();
  if (!done.ok())
    return done.error();
  return {};
}

// A row ready to insert: pending, due now, keyed by what it notifies (`what`: "notify" or
// "acknowledge") so that enqueueing the same notification again is a no-op.
OutboxEntry pending_entry(const Receiver& receiver, std::size_t index, IntegrationKind kind,
                          std::string_view group_key, std::string_view what, TimePoint at,
                          const std::vector<alert::Alert>& alerts, std::string body,
                          TimePoint now) {
  OutboxEntry entry;
  entry.kind = kind;
  entry.idempotency_key = idempotency_key(receiver.name, index, kind, group_key, what, at, alerts);
  entry.receiver = receiver.name;
  entry.integration_index = index;
  entry.group_key = std::string(group_key);
  entry.body = std::move(body);
  entry.notified_at = at;
  entry.created_at = now;
  entry.next_attempt_at = now;
  return entry;
}

}  // namespace

std::string_view to_string(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kFailed:
      return "failed";
  }
  return "unknown";
}

Status Outbox::insert(const OutboxEntry& entry, EnqueueResult& result) {
  Status inserted =
      run(db_,
          "INSERT INTO notification_outbox(idempotency_key, receiver, integration_index, "
          "integration_kind, group_key, body, notified_at, created_at, state, attempts, "
          "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?) "
          "ON CONFLICT(idempotency_key) DO NOTHING",
          std::string_view(entry.idempotency_key), std::string_view(entry.receiver),
          entry.integration_index, to_string(entry.kind), std::string_view(entry.group_key),
          std::string_view(entry.body), std::string_view(stored_time(entry.notified_at)),
          std::string_view(stored_time(entry.created_at)),
          std::string_view(stored_time(entry.next_attempt_at)));
  if (!inserted.ok())
    return inserted;
  if (db_.changes() > 0)
    ++result.inserted;
  else
    ++result.duplicates;
  return {};
}

Result<EnqueueResult> Outbox::enqueue(const alert::GroupNotification& notification,
                                      const Receiver& receiver, TimePoint now) {
  if (receiver.name != notification.receiver) {
    return Error{"notification for receiver '" + notification.receiver + "' given receiver '" +
                 receiver.name + "'"};
  }
  std::lock_guard lock(mutex_);
  EnqueueResult result;
  const Status written = db_.transaction([&](store::Database&) -> Status {
    for (std::size_t index = 0; index < receiver.integrations.size(); ++index) {
      const Integration& integration = receiver.integrations[index];
      const auto visible = visible_alerts(notification, send_resolved(integration));
      if (!visible) {
        ++result.skipped;
        continue;
      }
      const OutboxEntry entry =
          pending_entry(receiver, index, kind_of(integration), notification.group_key, "notify",
                        notification.at, visible->alerts, render(*visible, integration), now);
      if (Status s = insert(entry, result); !s.ok())
        return s;
    }
    return {};
  });
  if (!written.ok())
    return written.error();
  return result;
}

Result<EnqueueResult> Outbox::enqueue_acknowledge(const Receiver& receiver,
                                                  std::string_view group_key, TimePoint at,
                                                  TimePoint now) {
  std::lock_guard lock(mutex_);
  EnqueueResult result;
  const Status written = db_.transaction([&](store::Database&) -> Status {
    for (std::size_t index = 0; index < receiver.integrations.size(); ++index) {
      if (!std::holds_alternative<PagerDutyTarget>(receiver.integrations[index])) {
        ++result.skipped;
        continue;
      }
      const OutboxEntry entry =
          pending_entry(receiver, index, IntegrationKind::kPagerDuty, group_key, "acknowledge", at,
                        {}, pagerduty_acknowledge_event(group_key), now);
      if (Status s = insert(entry, result); !s.ok())
        return s;
    }
    return {};
  });
  if (!written.ok())
    return written.error();
  return result;
}

Result<std::vector<OutboxEntry>> Outbox::due(TimePoint now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto statement =
      db_.prepare(std::string("SELECT ") + kColumns + " FROM notification_outbox WHERE id IN (" +
                  kStreamHeads + ") AND next_attempt_at <= ? ORDER BY id LIMIT ?");
  if (!statement.ok())
    return statement.error();
  if (Status s = statement->bind(1, std::string_view(stored_time(now))); !s.ok())
    return s.error();
  if (Status s = statement->bind(2, limit); !s.ok())
    return s.error();
  return read_all(*statement);
}

Result<std::optional<TimePoint>> Outbox::next_attempt() {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(
      std::string("SELECT MIN(next_attempt_at) FROM notification_outbox WHERE id IN (") +
      kStreamHeads + ")");
  if (!statement.ok())
    return statement.error();
  auto row = statement->step();
  if (!row.ok())
    return row.error();
  if (!*row || statement->column_is_null(0))
    return std::optional<TimePoint>{};
  auto t = read_time(*statement, 0);
  if (!t.ok())
    return t.error();
  return std::optional<TimePoint>{*t};
}

Status Outbox::mark_sent(std::int64_t id, int attempts, TimePoint at) {
  std::lock_guard lock(mutex_);
  return run(db_,
             "UPDATE notification_outbox SET state = 'sent', attempts = ?, finished_at = ?,"
             " last_error = '' WHERE id = ?",
             attempts, std::string_view(stored_time(at)), id);
}

Status Outbox::mark_retry(std::int64_t id, int attempts, TimePoint next_attempt_at,
                          std::string_view error) {
  std::lock_guard lock(mutex_);
  return run(db_,
             "UPDATE notification_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?"
             " WHERE id = ?",
             attempts, std::string_view(stored_time(next_attempt_at)), error, id);
}

Status Outbox::mark_failed(std::int64_t id, int attempts, TimePoint at, std::string_view error) {
  std::lock_guard lock(mutex_);
  return run(db_,
             "UPDATE notification_outbox SET state = 'failed', attempts = ?, finished_at = ?,"
             " last_error = ? WHERE id = ?",
             attempts, std::string_view(stored_time(at)), error, id);
}

Status Outbox::postpone(std::int64_t id, TimePoint next_attempt_at) {
  std::lock_guard lock(mutex_);
  return run(db_, "UPDATE notification_outbox SET next_attempt_at = ? WHERE id = ?",
             std::string_view(stored_time(next_attempt_at)), id);
}

Result<std::vector<OutboxEntry>> Outbox::list(std::optional<OutboxState> state) {
  std::lock_guard lock(mutex_);
  std::string sql = std::string("SELECT ") + kColumns + " FROM notification_outbox";
  if (state)
    sql += " WHERE state = ?";
  sql += " ORDER BY id";
  auto statement = db_.prepare(sql);
  if (!statement.ok())
    return statement.error();
  if (state) {
    if (Status s = statement->bind(1, to_string(*state)); !s.ok())
      return s.error();
  }
  return read_all(*statement);
}

Result<OutboxDepth> Outbox::depth() {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(
      "SELECT COUNT(*), MIN(created_at) FROM notification_outbox WHERE state = 'pending'");
  if (!statement.ok())
    return statement.error();
  auto row = statement->step();
  if (!row.ok())
    return row.error();
  OutboxDepth depth;
  if (!*row)
    return depth;
  depth.pending = statement->column_int64(0);
  if (!statement->column_is_null(1)) {
    auto t = read_time(*statement, 1);
    if (!t.ok())
      return t.error();
    depth.oldest_pending_created_at = *t;
  }
  return depth;
}

Result<std::int64_t> Outbox::prune(TimePoint before) {
  std::lock_guard lock(mutex_);
  const Status deleted = run(
      db_, "DELETE FROM notification_outbox WHERE state IN ('sent', 'failed') AND finished_at < ?",
      std::string_view(stored_time(before)));
  if (!deleted.ok())
    return deleted.error();
  return db_.changes();
}

}  // namespace sloe::notify

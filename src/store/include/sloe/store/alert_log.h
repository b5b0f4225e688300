// AlertLog: the durable record of alerts sloe received (Alertmanager webhook, the v2 alerts API,
// or sloe's own evaluator), so an alert acknowledged with 2xx survives a crash and the set of
// current alerts can be rebuilt at start.
//
// Rows live in received_alerts (schema migration 3), one per (fingerprint, starts_at): the same
// alert re-sent while it fires updates its row (annotations, ends_at, source, received_at); a
// new firing period of the same label set is a new row.
//
// Labels and annotations are stored as text in Prometheus' series notation, {a="1",b="x\"y"},
// with \\, \" and \n escaped and names in sorted order: readable in the sqlite3 shell, and
// parsed back without a JSON library in the store.
//
// Thread-safety: as for the Database it wraps (one thread at a time).
// Ownership: borrows the Database. REQUIRES: the Database outlives the log and was opened with
// sloe_migrations() (or any list that includes migration 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"
#include "sloe/store/database.h"

namespace sloe::store {

struct AlertRecord {
  std::uint64_t fingerprint = 0;  // of labels; stored as 16 hex digits
  Labels labels;
  Labels annotations;
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;  // unset: active until told otherwise
  std::string generator_url;
  std::string source;  // "alertmanager-webhook", "api-v2", "sloe"
  TimePoint received_at{};
};

class AlertLog {
 public:
  explicit AlertLog(Database& db) : db_(db) {}

  // Inserts or updates every record in one transaction: after a failure or crash either all of
  // them are stored or none. Nested inside a caller's transaction(), they commit with it.
  Status upsert(const std::vector<AlertRecord>& records);

  // Every record not resolved at now (ends_at unset or after now), oldest received first.
  // A fingerprint may appear more than once (e.g. a period whose start moved earlier); the
  // caller merges them.
  Result<std::vector<AlertRecord>> load_active(TimePoint now);

  // Deletes records resolved at or before `before`; returns how many.
  Result<std::int64_t> prune_resolved(TimePoint before);

 private:
  Database& db_;
};

// The text form of a label set used by the log, and its inverse (exposed for tests and tools).
std::string encode_labels(const Labels& labels);
Result<Labels> decode_labels(std::string_view text);

}  // namespace sloe::store

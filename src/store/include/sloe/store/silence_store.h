// SilenceStore: persists silences so they survive a restart (table silences, schema migration 3).
//
// The store keeps what the route module decides, field by field; matchers are stored as the
// matcher-list text the route module writes and parses (e.g. {service="api",severity=~"page"}),
// so this module needs neither the alert module nor a JSON library.
//
// Thread-safety: as for the Database it wraps (one thread at a time).
// Ownership: borrows the Database. REQUIRES: the Database outlives the store and was opened with
// sloe_migrations() (or any list that includes migration 3).
#pragma once

#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/store/database.h"

namespace sloe::store {

struct SilenceRecord {
  std::string id;
  std::string matchers;  // matcher-list text
  TimePoint starts_at{};
  TimePoint ends_at{};
  std::string created_by;
  std::string comment;
  TimePoint updated_at{};
};

class SilenceStore {
 public:
  explicit SilenceStore(Database& db) : db_(db) {}

  // Inserts or replaces each record by id, all in one transaction.
  Status put_all(const std::vector<SilenceRecord>& records);
  // Every stored silence, ordered by id.
  Result<std::vector<SilenceRecord>> load_all();
  // Deletes the given ids (e.g. garbage-collected silences) in one transaction.
  Status remove(const std::vector<std::string>& ids);

 private:
  Database& db_;
};

}  // namespace sloe::store

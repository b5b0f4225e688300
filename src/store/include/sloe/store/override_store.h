// OverrideStore: persists on-call overrides made through the API so they survive a restart
// (table oncall_overrides, schema migration 4). Overrides written in alerts/*.yaml are not stored:
// the files are their home.
//
// The store keeps the fields as given, without checking them against the on-call configuration
// (the app module validates before writing); mode is the text "add" or "replace", so this module
// needs neither the oncall module nor a JSON library.
//
// Thread-safety: as for the Database it wraps (one thread at a time).
// Ownership: borrows the Database. REQUIRES: the Database outlives the store and was opened with
// sloe_migrations() (or any list that includes migration 4).
#pragma once

#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/store/database.h"

namespace sloe::store {

struct OverrideRecord {
  std::string id;
  std::string schedule;
  std::string mode;  // "add" or "replace" (a CHECK constraint refuses anything else)
  std::string user;
  std::string replaces;  // "" for none
  TimePoint starts_at{};
  TimePoint ends_at{};
  std::string created_by;
  TimePoint created_at{};
};

class OverrideStore {
 public:
  explicit OverrideStore(Database& db) : db_(db) {}

  // Inserts or replaces the record by id.
  Status put(const OverrideRecord& record);
  // Deletes the given ids in one transaction; ids that are not stored are ignored.
  Status remove(const std::vector<std::string>& ids);
  // Every stored override, ordered by starts_at, then id.
  Result<std::vector<OverrideRecord>> load_all();

 private:
  Database& db_;
};

}  // namespace sloe::store

// SliSnapshotStore: persists each SLO's SLI history as an opaque blob, so that a restart keeps the
// full SLO window (e.g. 30 days) instead of starting from nothing.
//
// The blobs are whatever the sli module serialises; this store neither reads nor versions them.
// Each snapshot is keyed by SLO name in the sli_snapshots table (schema migration 1).
//
// Thread-safety: as for the Database it wraps (one thread at a time).
// Ownership: borrows the Database. REQUIRES: the Database outlives the store and was opened with
// sloe_migrations() (or any list that includes migration 1).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/store/database.h"

namespace sloe::store {

class SliSnapshotStore {
 public:
  explicit SliSnapshotStore(Database& db) : db_(db) {}

  // Writes every (slo name, blob) pair, replacing an SLO's previous snapshot, in one transaction:
  // after a failure or crash the store holds either all of the new snapshots or none of them.
  // saved_at is recorded with each row. SLOs not mentioned keep their stored snapshot.
  Status put_all(const std::vector<std::pair<std::string, std::string>>& snapshots,
                 TimePoint saved_at);

  // Every stored snapshot, by SLO name.
  Result<std::map<std::string, std::string>> load_all();

  // Deletes the snapshots of every SLO not named in keep (e.g. SLOs removed from the
  // configuration), in one transaction.
  Status remove_except(const std::vector<std::string>& keep);

 private:
  Database& db_;
};

}  // namespace sloe::store

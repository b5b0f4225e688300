// RunbookStore: durable runbook runs — one row per run of a runbook on an incident, one row per
// step of it (state, attempts, output, actor, times). The timeline entries of the same transition
// go to IncidentStore::append in the same transaction (the caller's Database::transaction), so a
// run's state and its timeline never disagree after a crash.
//
// Tables: runbook_runs, runbook_step_runs (schema migration 7). Output is stored as given (the
// caller truncates and redacts it first).
//
// Every method runs in the caller's transaction when there is one, or commits on its own.
// Thread-safety: as for the Database (one thread at a time). Ownership: borrows the Database,
// opened with sloe_migrations() (migration 7 included).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sloe/core/result.h"
#include "sloe/runbook/run.h"
#include "sloe/store/database.h"

namespace sloe::store {

class RunbookStore {
 public:
  explicit RunbookStore(Database& db);
  ~RunbookStore();
  RunbookStore(const RunbookStore&) = delete;
  RunbookStore& operator=(const RunbookStore&) = delete;

  // Inserts a run and its steps; returns it with id assigned. REQUIRES: the incident exists.
  Result<runbook::Run> create(const runbook::Run& run);
  Result<std::optional<runbook::Run>> get(std::int64_t run_id);
  // Runs of one incident, oldest first.
  Result<std::vector<runbook::Run>> for_incident(std::int64_t incident_id);
  // Runs not completed (to resume after a restart and to expire approvals), oldest first.
  Result<std::vector<runbook::Run>> unfinished();
  // Writes `updated` (run row and every step row) over the run whose stored version is
  // expected_version. Returns false, writing nothing, when the version differs.
  Result<bool> update(const runbook::Run& updated, std::int64_t expected_version);

 private:
  struct Statements;
  Database& db_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace sloe::store

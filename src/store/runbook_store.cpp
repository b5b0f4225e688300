#include "sloe/store/runbook_store.h"

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "statements.h"

namespace sloe::store {

using detail::bind_all;
using detail::cached;
using detail::column_optional_time;
using detail::from_millis;
using detail::optional_millis;
using detail::read_all;
using detail::ResetOnExit;
using detail::run_to_end;
using detail::to_millis;

using runbook::Run;
using runbook::StepRun;

namespace {

constexpr std::string_view kRunColumns =
    "id, incident_id, runbook, trigger_kind, started_by, state, version, created_at, updated_at";

constexpr std::string_view kStepColumns =
    "step_id, state, attempts, started_at, finished_at, expires_at, actor, output, error, "
    "status_code";

std::string select_runs(std::string_view rest) {
  return "SELECT " + std::string(kRunColumns) + " FROM runbook_runs " + std::string(rest);
}

// Reads a row selected with kRunColumns (steps are loaded separately).
Result<Run> read_run(const Statement& row) {
  Run run;
  run.id = row.column_int64(0);
  const auto unreadable = [&](const std::string& what) {
    return Error{"runbook run " + std::to_string(run.id) + " has an unreadable " + what};
  };
  run.incident_id = row.column_int64(1);
  run.runbook = row.column_text(2);
  auto trigger = runbook::parse_trigger(row.column_text(3));
  if (!trigger)
    return unreadable("trigger '" + row.column_text(3) + "'");
  run.trigger = *trigger;
  run.started_by = row.column_text(4);
  auto state = runbook::parse_run_state(row.column_text(5));
  if (!state)
    return unreadable("state '" + row.column_text(5) + "'");
  run.state = *state;
  run.version = row.column_int64(6);
  run.created_at = from_millis(row.column_int64(7));
  run.updated_at = from_millis(row.column_int64(8));
  return run;
}

// Reads a row selected with kStepColumns; run_id names the run in errors.
Result<StepRun> read_step(const Statement& row, std::int64_t run_id) {
  StepRun step;
  step.step_id = row.column_text(0);
  auto state = runbook::parse_step_state(row.column_text(1));
  if (!state) {
    return Error{"runbook run " + std::to_string(run_id) + " step '" + step.step_id +
                 "' has an unreadable state '" + row.column_text(1) + "'"};
  }
  step.state = *state;
  step.attempts = static_cast<int>(row.column_int64(2));
  step.started_at = column_optional_time(row, 3);
  step.finished_at = column_optional_time(row, 4);
  step.expires_at = column_optional_time(row, 5);
  step.actor = row.column_text(6);
  step.output = row.column_text(7);
  step.error = row.column_text(8);
  step.status_code = static_cast<int>(row.column_int64(9));
  return step;
}

// Parameters 1..7 of the run insert and update statements: every column but id and incident_id
// (a run stays on the incident it was created for).
Status bind_run_fields(Statement& statement, const Run& run) {
  return bind_all(statement, {std::string_view(run.runbook), runbook::to_string(run.trigger),
                              std::string_view(run.started_by), runbook::to_string(run.state),
                              run.version, to_millis(run.created_at), to_millis(run.updated_at)});
}

constexpr std::string_view kInsertRun =
    "INSERT INTO runbook_runs(runbook, trigger_kind, started_by, state, version, created_at, "
    "updated_at, incident_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr std::string_view kUpdateRun =
    "UPDATE runbook_runs SET runbook = ?1, trigger_kind = ?2, started_by = ?3, state = ?4, "
    "version = ?5, created_at = ?6, updated_at = ?7 WHERE id = ?8 AND version = ?9";

}  // namespace

struct RunbookStore::Statements {
  std::optional<Statement> insert_run;
  std::optional<Statement> update_run;
  std::optional<Statement> select_run;
  std::optional<Statement> select_for_incident;
  std::optional<Statement> select_unfinished;
  std::optional<Statement> select_steps;
  std::optional<Statement> delete_steps;
  std::optional<Statement> insert_step;
};

RunbookStore::RunbookStore(Database& db) : db_(db), statements_(std::make_unique<Statements>()) {}

RunbookStore::~RunbookStore() = default;

namespace {

Status load_steps(Database& db, std::optional<Statement>& slot, Run& run) {
  auto select = cached(db, slot,
                       "SELECT " + std::string(kStepColumns) +
                           " FROM runbook_step_runs WHERE run_id = ? ORDER BY position");
  if (!select)
    return select.error();
  Statement& statement = **select;
  ResetOnExit reset(statement);
  if (Status bound = statement.bind(1, run.id); !bound)
    return bound;
  const std::int64_t run_id = run.id;
  auto steps = read_all<StepRun>(statement, "",
                                 [run_id](const Statement& row) { return read_step(row, run_id); });
  if (!steps)
    return steps.error();
  run.steps = std::move(steps).value();
  return {};
}

// Replaces the step rows of run.id with run.steps. REQUIRES: inside a transaction.
Status write_steps(Database& db, std::optional<Statement>& delete_slot,
                   std::optional<Statement>& insert_slot, const Run& run) {
  auto remove = cached(db, delete_slot, "DELETE FROM runbook_step_runs WHERE run_id = ?");
  if (!remove)
    return remove.error();
  {
    ResetOnExit reset(**remove);
    if (Status bound = (*remove)->bind(1, run.id); !bound)
      return bound;
    if (Status done = run_to_end(**remove); !done)
      return done;
  }
  auto insert = cached(db, insert_slot,
                       "INSERT INTO runbook_step_runs(run_id, position, step_id, state, attempts, "
                       "started_at, finished_at, expires_at, actor, output, error, status_code) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert)
    return insert.error();
  std::int64_t position = 0;
  for (const StepRun& step : run.steps) {
    ResetOnExit reset(**insert);
    Status bound = bind_all(
        **insert,
        {run.id, position++, std::string_view(step.step_id), runbook::to_string(step.state),
         static_cast<std::int64_t>(step.attempts), optional_millis(step.started_at),
         optional_millis(step.finished_at), optional_millis(step.expires_at),
         std::string_view(step.actor), std::string_view(step.output), std::string_view(step.error),
         static_cast<std::int64_t>(step.status_code)});
    if (!bound)
      return bound;
    if (Status done = run_to_end(**insert); !done)
      return Error{"step '" + step.step_id + "': " + done.error().message};
  }
  return {};
}

}  // namespace

Result<Run> RunbookStore::create(const Run& run) {
  Run stored = run;
  Status created = db_.transaction([&](Database& db) -> Status {
    auto insert = cached(db, statements_->insert_run, kInsertRun);
    if (!insert)
      return insert.error();
    {
      ResetOnExit reset(**insert);
      Status bound = bind_run_fields(**insert, stored);
      if (bound)
        bound = (*insert)->bind(8, stored.incident_id);
      if (!bound)
        return bound;
      if (Status done = run_to_end(**insert); !done)
        return done;
    }
    stored.id = db.last_insert_rowid();
    return write_steps(db, statements_->delete_steps, statements_->insert_step, stored);
  });
  if (!created) {
    return Error{"creating run of runbook '" + run.runbook + "' on incident " +
                 std::to_string(run.incident_id) + ": " + created.error().message};
  }
  return stored;
}

Result<std::optional<Run>> RunbookStore::get(std::int64_t run_id) {
  const auto failed = [run_id](const Error& error) {
    return Error{"reading runbook run " + std::to_string(run_id) + ": " + error.message};
  };
  auto select = cached(db_, statements_->select_run, select_runs("WHERE id = ?"));
  if (!select)
    return failed(select.error());
  std::optional<Run> found;
  {
    ResetOnExit reset(**select);
    if (Status bound = (*select)->bind(1, run_id); !bound)
      return failed(bound.error());
    auto rows = read_all<Run>(**select, "", read_run);
    if (!rows)
      return failed(rows.error());
    if (rows->empty())
      return std::optional<Run>{};
    found = std::move(rows->front());
  }
  if (Status steps = load_steps(db_, statements_->select_steps, *found); !steps)
    return failed(steps.error());
  return found;
}

namespace {

// Reads every run select yields, then the steps of each (after select is reset, so no read is
// left open while the next statement runs).
Result<std::vector<Run>> read_runs(Database& db, Statement& select,
                                   std::optional<Statement>& steps_slot) {
  std::vector<Run> runs;
  {
    ResetOnExit reset(select);
    auto rows = read_all<Run>(select, "", read_run);
    if (!rows)
      return rows.error();
    runs = std::move(rows).value();
  }
  for (Run& run : runs) {
    if (Status steps = load_steps(db, steps_slot, run); !steps)
      return steps.error();
  }
  return runs;
}

}  // namespace

Result<std::vector<Run>> RunbookStore::for_incident(std::int64_t incident_id) {
  const auto failed = [incident_id](const Error& error) {
    return Error{"reading the runbook runs of incident " + std::to_string(incident_id) + ": " +
                 error.message};
  };
  auto select = cached(db_, statements_->select_for_incident,
                       select_runs("WHERE incident_id = ? ORDER BY id"));
  if (!select)
    return failed(select.error());
  if (Status bound = (*select)->bind(1, incident_id); !bound) {
    (*select)->reset();
    return failed(bound.error());
  }
  auto runs = read_runs(db_, **select, statements_->select_steps);
  if (!runs)
    return failed(runs.error());
  return runs;
}

Result<std::vector<Run>> RunbookStore::unfinished() {
  const auto failed = [](const Error& error) {
    return Error{"reading unfinished runbook runs: " + error.message};
  };
  auto select = cached(db_, statements_->select_unfinished,
                       select_runs("WHERE state <> 'completed' ORDER BY id"));
  if (!select)
    return failed(select.error());
  auto runs = read_runs(db_, **select, statements_->select_steps);
  if (!runs)
    return failed(runs.error());
  return runs;
}

Result<bool> RunbookStore::update(const Run& updated, std::int64_t expected_version) {
  bool written = false;
  Status done = db_.transaction([&](Database& db) -> Status {
    auto statement = cached(db, statements_->update_run, kUpdateRun);
    if (!statement)
      return statement.error();
    {
      ResetOnExit reset(**statement);
      Status bound = bind_run_fields(**statement, updated);
      if (bound)
        bound = (*statement)->bind(8, updated.id);
      if (bound)
        bound = (*statement)->bind(9, expected_version);
      if (!bound)
        return bound;
      if (Status ran = run_to_end(**statement); !ran)
        return ran;
    }
    if (db.changes() != 1)
      return {};  // stale (or no such run): nothing written
    written = true;
    return write_steps(db, statements_->delete_steps, statements_->insert_step, updated);
  });
  if (!done) {
    return Error{"updating runbook run " + std::to_string(updated.id) + ": " +
                 done.error().message};
  }
  return written;
}

}  // namespace sloe::store

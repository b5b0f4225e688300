// RunbookService: the durable implementation of api::RunbookService — it starts runs (by hand or
// on an incident's triggers), performs their automated steps on its own worker threads, expires
// approvals on tick(), and records every transition on the incident's timeline.
//
// Durability: the service owns one Database connection to the agent's file (WAL; the incident
// service writes through connections of its own and a busy writer is waited for, see database.h).
// Each transition — the run's rows (store::RunbookStore) and the transition's StepEvents as
// incident::TimelineEvent{kind = kRunbookStep} (store::IncidentStore::append) — is written in ONE
// transaction that first re-reads the run, so a run's state and its timeline never disagree, and
// an answer is returned only after the commit. A version-checked update that finds the row changed
// (another process on the same file) is re-read and re-applied; a person's action that the fresh
// state no longer allows is refused with kConflict.
//
// Steps: the rules are runbook/run.h's. Automated steps are performed by the injected StepExecutor
// on Options::workers threads: the steps of one run one at a time and in order, different runs in
// parallel. A mutating call records its transition and returns; it never waits for a step.
//
// Triggers (on_trigger, wired to IncidentService::Options::on_trigger): only queued by the caller;
// a worker then reads the incident and the labels of its linked alerts and starts the runbooks
// runbook::triggered_by names. A runbook that already has an unfinished run on the incident is not
// started again, and "open" starts a runbook at most once per incident.
//
// Restart: open() recovers every unfinished run (a step that was running when the process ended
// becomes failed, "interrupted", for a person to retry or skip) and continues the runs that can.
//
// Redaction: step output is redacted by the executor; the service passes the output and error of
// every outcome and the text of every timeline entry through Options::redactor as well
// (idempotent), so nothing that came from outside reaches the database unredacted.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/api/runbooks.h"
#include "sloe/app/step_executor.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"
#include "sloe/incident/redact.h"
#include "sloe/runbook/model.h"

namespace sloe::app {

class RunbookService final : public api::RunbookService {
 public:
  struct Options {
    std::size_t workers = 4;  // threads performing steps and handling triggers (at least 1)
    incident::Redactor redactor;
    // Told about things a person should know (a trigger not handled, a step result not stored).
    std::function<void(const std::string&)> warn;
  };

  // Opens a connection to the database file at db_path (migrating it), recovers the unfinished
  // runs, starts the workers and lets them continue those runs.
  // REQUIRES: clock and executor outlive the service; the directory of db_path exists.
  static Result<std::unique_ptr<RunbookService>> open(const std::string& db_path,
                                                      const Clock& clock,
                                                      std::vector<runbook::Runbook> runbooks,
                                                      StepExecutor& executor, Options options);
  ~RunbookService() override;  // stop()
  RunbookService(const RunbookService&) = delete;
  RunbookService& operator=(const RunbookService&) = delete;

  // Lets each worker finish the step it performs (so it may wait up to that step's timeout), then
  // ends them; queued triggers are dropped (with a warning). Later mutating calls answer
  // kUnavailable. Idempotent.
  void stop();

  // IncidentService::Options::on_trigger: queues the trigger ("open", "severity_change") and
  // returns at once. Unknown triggers are ignored.
  void on_trigger(const incident::Incident& incident, std::string_view trigger);

  // Housekeeping: advances every unfinished run (expiring overdue approvals) and lets the workers
  // continue any run that can. Returns how many runs changed.
  Result<std::size_t> tick();

  // Blocks until no trigger is queued and no run is queued or being driven (tests).
  void wait_idle();

  std::vector<runbook::Runbook> runbooks() const override;
  api::Answer<runbook::Runbook> runbook(const std::string& name) const override;
  api::Answer<std::vector<runbook::Run>> runs(std::int64_t incident_id) const override;
  api::Answer<runbook::Run> start(std::int64_t incident_id, const std::string& runbook_name,
                                  const std::string& actor) override;
  api::Answer<runbook::Run> act(std::int64_t incident_id, std::int64_t run_id,
                                const std::string& step, api::StepAction action,
                                const std::string& actor) override;

 private:
  struct Impl;
  explicit RunbookService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

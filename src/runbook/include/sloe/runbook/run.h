// Runbook runs: which runbooks apply to an incident, and the rules by which a run's steps advance.
// Pure functions over values: the caller (app::RunbookService) stores the results and performs the
// automated steps; nothing here does I/O or reads a clock.
//
// Ordering rules of a run:
// - Automated steps (http, command, notify) run one at a time, in file order. The next automated
//   step runs only when every earlier automated step and every earlier approval has succeeded
//   (or was skipped). A failed automated step, or an approval rejected or expired, stops the run
//   there (state kBlocked) until a responder retries or skips that one step.
// - An approval step is requested (kWaitingApproval, expires_at = now + expires_after) as soon as
//   every earlier automated step and approval has succeeded; approving it lets the run go on.
// - Manual steps are a checklist: ticked (kDone) by a responder in any order at any time; they
//   never hold up automated steps. A run is kCompleted when every step is done, succeeded or
//   skipped.
// Every transition yields the timeline entry that records it (StepEvent), so the caller writes
// both in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"
#include "sloe/runbook/model.h"

namespace sloe::runbook {

// Whether `book` applies to the incident, given the labels of the alerts linked to it (and the
// incident's own labels, which count as one more label set). See AppliesTo.
bool applies(const Runbook& book, const incident::Incident& incident,
             const std::vector<Labels>& alert_labels);
// The runbooks that `trigger` starts for this incident: those that apply and list the trigger,
// in the given order. Every runbook may be started by hand, so kManual needs no listing.
std::vector<const Runbook*> triggered_by(const std::vector<Runbook>& books, Trigger trigger,
                                         const incident::Incident& incident,
                                         const std::vector<Labels>& alert_labels);
// The first runbook whose matchers all match these alert labels (AppliesTo::matchers non-empty),
// for an alert's runbook_url; nullptr when none.
const Runbook* for_alert(const std::vector<Runbook>& books, const Labels& alert_labels);

enum class StepState {
  kPending,          // not reached yet
  kRunning,          // an automated step being performed
  kSucceeded,        // automated step ok, approval approved
  kFailed,           // automated step failed (see StepRun::error)
  kWaitingApproval,  // approval requested, not answered yet
  kRejected,         // approval refused
  kExpired,          // approval not answered before expires_at
  kDone,             // manual step ticked
  kSkipped,          // a responder skipped it
};
// "pending", "running", "succeeded", "failed", "waiting_approval", "rejected", "expired", "done",
// "skipped".
std::string_view to_string(StepState state);
std::optional<StepState> parse_step_state(std::string_view text);

struct StepRun {
  std::string step_id;
  StepState state = StepState::kPending;
  int attempts = 0;  // automated steps: times started; approvals: times requested
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::optional<TimePoint> expires_at;  // approvals while waiting
  std::string actor;    // who ticked/approved/rejected/skipped/retried last, or "sloe"
  std::string output;   // captured output, truncated and redacted by the caller before storing
  std::string error;    // why it failed, empty otherwise
  int status_code = 0;  // http: response status; command: exit status; 0 otherwise
};

enum class RunState { kActive, kWaitingApproval, kBlocked, kCompleted };
// "active", "waiting_approval", "blocked", "completed".
std::string_view to_string(RunState state);
std::optional<RunState> parse_run_state(std::string_view text);

struct Run {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t incident_id = 0;
  std::string runbook;  // Runbook::name
  Trigger trigger = Trigger::kManual;
  std::string started_by;
  TimePoint created_at{};
  TimePoint updated_at{};
  RunState state = RunState::kActive;
  std::vector<StepRun> steps;  // parallel to the runbook's steps
  std::int64_t version = 1;    // +1 on every change (optimistic concurrency in the store)
};

// One timeline entry of a run (incident::event_kind::kRunbookStep). fields: runbook, run, step,
// step_kind, result (started | succeeded | failed | approval_requested | approved | rejected |
// expired | done | skipped | retried | run_started | run_completed), attempt, and status_code
// where one applies; text: the step title and, for results, the (redacted) output or error.
struct StepEvent {
  TimePoint at{};
  std::string actor;
  std::string text;
  Labels fields;
};

// What a transition produced: the run after it and the timeline entries to append.
struct Transition {
  Run run;
  std::vector<StepEvent> events;
};

// A refused transition; field names the request part at fault ("step", "state", ...).
struct Refused {
  std::string field;
  std::string message;
};
template <typename T>
using Change = std::variant<T, Refused>;

// A new run (every step pending) plus its run_started event (fields also carry `trigger`), then
// advanced (approvals reached are requested). actor: who started it ("sloe" for a trigger). The
// run has no id yet: its events carry run "0", which the caller replaces once the store assigned
// one.
Transition start(const Runbook& book, std::int64_t incident_id, Trigger trigger,
                 const std::string& actor, TimePoint now);

// Requests reached approvals, expires overdue ones, recomputes Run::state. Idempotent; call after
// every other transition (they do it themselves) and on a timer (expiry).
Transition advance(const Runbook& book, Run run, TimePoint now);

// The automated step that should be performed now (kPending, every earlier automated step and
// approval succeeded or skipped), or nullopt. The caller then calls begin(), performs it, and
// calls finish().
std::optional<std::size_t> next_automated(const Runbook& book, const Run& run);

Change<Transition> begin(const Runbook& book, Run run, std::size_t step, TimePoint now);

struct StepOutcome {
  bool ok = false;
  std::string output;  // already truncated and redacted
  std::string error;   // when !ok: why (timeout, exit status 3, expected 200 got 503, ...)
  int status_code = 0;
};
// REQUIRES: the step is kRunning (else Refused).
Change<Transition> finish(const Runbook& book, Run run, std::size_t step,
                          const StepOutcome& outcome, TimePoint now);

// A person's answer. approve/reject: the step is kWaitingApproval and now < expires_at. tick: a
// manual step (pending → done; done again is refused). skip: any step not succeeded/done/running.
// retry: a failed, rejected or expired step goes back to pending (its attempts kept).
Change<Transition> approve(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                           TimePoint now);
Change<Transition> reject(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                          TimePoint now);
Change<Transition> tick(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                        TimePoint now);
Change<Transition> skip(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                        TimePoint now);
Change<Transition> retry(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                         TimePoint now);

// A run interrupted by a restart: every kRunning step becomes kFailed ("interrupted: sloe
// restarted while the step ran"), so a person decides whether to retry it.
Transition recover(const Runbook& book, Run run, TimePoint now);

// The values placeholders take for one incident.
struct Placeholders {
  std::string incident_id;
  std::string service;
  std::string severity;
  std::string runbook;
};
// Replaces {{incident_id}}, {{service}}, {{severity}} and {{runbook}}; other text is unchanged.
std::string expand_placeholders(std::string_view text, const Placeholders& values);

}  // namespace sloe::runbook

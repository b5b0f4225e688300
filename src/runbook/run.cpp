#include "sloe/runbook/run.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "sloe/alert/matcher.h"
#include "sloe/core/time_format.h"

namespace sloe::runbook {
namespace {

// --- Applicability ----------------------------------------------------------------------------

bool any_label_set_matches(const std::vector<alert::Matcher>& matchers,
                           const incident::Incident& incident,
                           const std::vector<Labels>& alert_labels) {
  if (alert::matches_all(matchers, incident.labels))
    return true;
  return std::any_of(alert_labels.begin(), alert_labels.end(), [&matchers](const Labels& labels) {
    return alert::matches_all(matchers, labels);
  });
}

bool lists(const std::vector<Trigger>& triggers, Trigger trigger) {
  return std::find(triggers.begin(), triggers.end(), trigger) != triggers.end();
}

// --- Step classification ----------------------------------------------------------------------

// The runbook step that run step `index` stands for, or nullptr when the runbook no longer has it
// (the file changed since the run started: same position, different id, or fewer steps).
const Step* book_step(const Runbook& book, const Run& run, std::size_t index) {
  if (index >= book.steps.size() || index >= run.steps.size())
    return nullptr;
  const Step& step = book.steps[index];
  return step.id == run.steps[index].step_id ? &step : nullptr;
}

// Steps that hold up every later automated step and approval until they succeed or are skipped.
bool is_gate(const Step* step) {
  return step != nullptr && (step->automated() || step->kind() == StepKind::kApproval);
}

bool passed(StepState state) {
  return state == StepState::kSucceeded || state == StepState::kSkipped;
}

bool finished(StepState state) {
  return state == StepState::kSucceeded || state == StepState::kDone ||
         state == StepState::kSkipped;
}

bool stopped(StepState state) {
  return state == StepState::kFailed || state == StepState::kRejected ||
         state == StepState::kExpired;
}

// Index of the first gate that has not passed yet: the point the run has reached. nullopt when
// every gate passed.
std::optional<std::size_t> frontier(const Runbook& book, const Run& run) {
  for (std::size_t i = 0; i < run.steps.size(); ++i) {
    if (is_gate(book_step(book, run, i)) && !passed(run.steps[i].state))
      return i;
  }
  return std::nullopt;
}

// --- Events -----------------------------------------------------------------------------------

std::string step_text(const Step* step, const StepRun& step_run) {
  return step != nullptr ? step->title : step_run.step_id;
}

StepEvent run_event(const Runbook& book, const Run& run, std::string_view result,
                    const std::string& actor, TimePoint now) {
  StepEvent event;
  event.at = now;
  event.actor = actor;
  event.text = book.title.empty() ? book.name : book.title;
  event.fields = Labels{
      {"runbook", run.runbook}, {"run", std::to_string(run.id)}, {"result", std::string(result)}};
  return event;
}

StepEvent step_event(const Runbook& book, const Run& run, std::size_t index,
                     std::string_view result, const std::string& actor, TimePoint now) {
  const Step* step = book_step(book, run, index);
  const StepRun& step_run = run.steps[index];
  StepEvent event;
  event.at = now;
  event.actor = actor;
  event.text = step_text(step, step_run);
  event.fields = Labels{{"runbook", run.runbook},
                        {"run", std::to_string(run.id)},
                        {"step", step_run.step_id},
                        {"step_kind", step != nullptr ? std::string(to_string(step->kind())) : ""},
                        {"result", std::string(result)},
                        {"attempt", std::to_string(step_run.attempts)}};
  return event;
}

// --- Settling ---------------------------------------------------------------------------------

RunState state_of(const Run& run) {
  const auto& steps = run.steps;
  if (std::all_of(steps.begin(), steps.end(), [](const StepRun& s) { return finished(s.state); }))
    return RunState::kCompleted;
  if (std::any_of(steps.begin(), steps.end(), [](const StepRun& s) { return stopped(s.state); }))
    return RunState::kBlocked;
  if (std::any_of(steps.begin(), steps.end(),
                  [](const StepRun& s) { return s.state == StepState::kWaitingApproval; }))
    return RunState::kWaitingApproval;
  return RunState::kActive;
}

// advance() without the bookkeeping: expires overdue approvals, requests the approval the run
// has reached, recomputes the run state. Appends what happened to events; true if anything
// changed.
bool settle(const Runbook& book, Run& run, TimePoint now, std::vector<StepEvent>& events) {
  bool changed = false;
  for (std::size_t i = 0; i < run.steps.size(); ++i) {
    StepRun& step_run = run.steps[i];
    if (step_run.state != StepState::kWaitingApproval || !step_run.expires_at ||
        now < *step_run.expires_at)
      continue;
    step_run.state = StepState::kExpired;
    step_run.finished_at = now;
    step_run.actor = "sloe";
    step_run.error = "not approved before " + format_rfc3339(*step_run.expires_at);
    StepEvent event = step_event(book, run, i, "expired", "sloe", now);
    event.text += ": " + step_run.error;
    events.push_back(std::move(event));
    changed = true;
  }

  if (const auto reached = frontier(book, run)) {
    const Step* step = book_step(book, run, *reached);
    StepRun& step_run = run.steps[*reached];
    if (step->kind() == StepKind::kApproval && step_run.state == StepState::kPending) {
      const auto& approval = std::get<ApprovalStep>(step->action);
      step_run.state = StepState::kWaitingApproval;
      step_run.attempts += 1;
      step_run.started_at = now;
      step_run.finished_at.reset();
      step_run.expires_at = now + approval.expires_after;
      step_run.error.clear();
      StepEvent event = step_event(book, run, *reached, "approval_requested", "sloe", now);
      if (!approval.prompt.empty())
        event.text += ": " + approval.prompt;
      events.push_back(std::move(event));
      changed = true;
    }
  }

  const RunState next = state_of(run);
  if (next != run.state) {
    if (next == RunState::kCompleted)
      events.push_back(run_event(book, run, "run_completed", "sloe", now));
    run.state = next;
    changed = true;
  }
  return changed;
}

// Finishes a transition that changed the run: settles it, stamps it and bumps its version once.
Transition conclude(const Runbook& book, Run run, std::vector<StepEvent> events, TimePoint now) {
  settle(book, run, now, events);
  run.updated_at = now;
  run.version += 1;
  return Transition{std::move(run), std::move(events)};
}

// --- Refusals ---------------------------------------------------------------------------------

std::string step_label(const Run& run, std::size_t index) {
  return "step " + std::to_string(index + 1) + " (" + run.steps[index].step_id + ")";
}

// The runbook step at index, or the refusal explaining why there is none.
std::variant<const Step*, Refused> find_step(const Runbook& book, const Run& run,
                                             std::size_t index) {
  if (index >= run.steps.size()) {
    return Refused{"step", "run " + std::to_string(run.id) + " has " +
                               std::to_string(run.steps.size()) + " steps; there is no step " +
                               std::to_string(index + 1)};
  }
  if (const Step* step = book_step(book, run, index))
    return step;
  return Refused{"runbook", "runbook " + run.runbook + " changed since run " +
                                std::to_string(run.id) + " started: " + step_label(run, index) +
                                " is no longer in it; start a new run"};
}

Refused wrong_state(const Run& run, std::size_t index, std::string_view wanted) {
  return Refused{"state", step_label(run, index) + " is " +
                              std::string(to_string(run.steps[index].state)) + "; " +
                              std::string(wanted)};
}

}  // namespace

// --- Public functions -------------------------------------------------------------------------

bool applies(const Runbook& book, const incident::Incident& incident,
             const std::vector<Labels>& alert_labels) {
  const AppliesTo& to = book.applies_to;
  if (to.empty())
    return false;
  if (!to.matchers.empty() && !any_label_set_matches(to.matchers, incident, alert_labels))
    return false;
  if (!to.services.empty() &&
      std::find(to.services.begin(), to.services.end(), incident.service) == to.services.end())
    return false;
  if (!to.severities.empty() && std::find(to.severities.begin(), to.severities.end(),
                                          incident.severity) == to.severities.end())
    return false;
  return true;
}

std::vector<const Runbook*> triggered_by(const std::vector<Runbook>& books, Trigger trigger,
                                         const incident::Incident& incident,
                                         const std::vector<Labels>& alert_labels) {
  std::vector<const Runbook*> started;
  for (const Runbook& book : books) {
    const bool listed = trigger == Trigger::kManual || lists(book.triggers, trigger);
    if (listed && applies(book, incident, alert_labels))
      started.push_back(&book);
  }
  return started;
}

const Runbook* for_alert(const std::vector<Runbook>& books, const Labels& alert_labels) {
  for (const Runbook& book : books) {
    const auto& matchers = book.applies_to.matchers;
    if (!matchers.empty() && alert::matches_all(matchers, alert_labels))
      return &book;
  }
  return nullptr;
}

std::string_view to_string(StepState state) {
  switch (state) {
    case StepState::kPending:
      return "pending";
    case StepState::kRunning:
      return "running";
    case StepState::kSucceeded:
      return "succeeded";
    case StepState::kFailed:
      return "failed";
    case StepState::kWaitingApproval:
      return "waiting_approval";
    case StepState::kRejected:
      return "rejected";
    case StepState::kExpired:
      return "expired";
    case StepState::kDone:
      return "done";
    case StepState::kSkipped:
      return "skipped";
  }
  return "pending";
}

std::optional<StepState> parse_step_state(std::string_view text) {
  constexpr std::array kAll{
      StepState::kPending,         StepState::kRunning,  StepState::kSucceeded, StepState::kFailed,
      StepState::kWaitingApproval, StepState::kRejected, StepState::kExpired,   StepState::kDone,
      StepState::kSkipped};
  for (const StepState state : kAll) {
    if (text == to_string(state))
      return state;
  }
  return std::nullopt;
}

std::string_view to_string(RunState state) {
  switch (state) {
    case RunState::kActive:
      return "active";
    case RunState::kWaitingApproval:
      return "waiting_approval";
    case RunState::kBlocked:
      return "blocked";
    case RunState::kCompleted:
      return "completed";
  }
  return "active";
}

std::optional<RunState> parse_run_state(std::string_view text) {
  for (const RunState state :
       {RunState::kActive, RunState::kWaitingApproval, RunState::kBlocked, RunState::kCompleted}) {
    if (text == to_string(state))
      return state;
  }
  return std::nullopt;
}

Transition start(const Runbook& book, std::int64_t incident_id, Trigger trigger,
                 const std::string& actor, TimePoint now) {
  Run run;
  run.incident_id = incident_id;
  run.runbook = book.name;
  run.trigger = trigger;
  run.started_by = actor;
  run.created_at = now;
  run.updated_at = now;
  run.state = RunState::kActive;
  run.steps.reserve(book.steps.size());
  for (const Step& step : book.steps) {
    StepRun step_run;
    step_run.step_id = step.id;
    run.steps.push_back(std::move(step_run));
  }
  std::vector<StepEvent> events;
  StepEvent started = run_event(book, run, "run_started", actor, now);
  started.fields.emplace("trigger", std::string(to_string(trigger)));
  events.push_back(std::move(started));
  settle(book, run, now, events);
  return Transition{std::move(run), std::move(events)};
}

Transition advance(const Runbook& book, Run run, TimePoint now) {
  std::vector<StepEvent> events;
  if (settle(book, run, now, events)) {
    run.updated_at = now;
    run.version += 1;
  }
  return Transition{std::move(run), std::move(events)};
}

std::optional<std::size_t> next_automated(const Runbook& book, const Run& run) {
  const auto reached = frontier(book, run);
  if (!reached)
    return std::nullopt;
  const Step* step = book_step(book, run, *reached);
  if (step->automated() && run.steps[*reached].state == StepState::kPending)
    return reached;
  return std::nullopt;
}

Change<Transition> begin(const Runbook& book, Run run, std::size_t step, TimePoint now) {
  auto found = find_step(book, run, step);
  if (auto* refused = std::get_if<Refused>(&found))
    return std::move(*refused);
  if (next_automated(book, run) != step) {
    if (!std::get<const Step*>(found)->automated())
      return Refused{"step", step_label(run, step) + " is not an automated step"};
    if (run.steps[step].state != StepState::kPending)
      return wrong_state(run, step, "only a pending step can begin");
    return Refused{"step", step_label(run, step) +
                               " cannot run yet: an earlier automated step or approval has not "
                               "succeeded"};
  }
  StepRun& step_run = run.steps[step];
  step_run.state = StepState::kRunning;
  step_run.attempts += 1;
  step_run.started_at = now;
  step_run.finished_at.reset();
  step_run.actor = "sloe";
  step_run.output.clear();
  step_run.error.clear();
  step_run.status_code = 0;
  std::vector<StepEvent> events{step_event(book, run, step, "started", "sloe", now)};
  return conclude(book, std::move(run), std::move(events), now);
}

Change<Transition> finish(const Runbook& book, Run run, std::size_t step,
                          const StepOutcome& outcome, TimePoint now) {
  auto found = find_step(book, run, step);
  if (auto* refused = std::get_if<Refused>(&found))
    return std::move(*refused);
  StepRun& step_run = run.steps[step];
  if (step_run.state != StepState::kRunning)
    return wrong_state(run, step, "only a running step can finish");
  step_run.state = outcome.ok ? StepState::kSucceeded : StepState::kFailed;
  step_run.finished_at = now;
  step_run.output = outcome.output;
  step_run.error = outcome.ok ? std::string() : outcome.error;
  step_run.status_code = outcome.status_code;

  StepEvent event = step_event(book, run, step, outcome.ok ? "succeeded" : "failed", "sloe", now);
  const StepKind kind = std::get<const Step*>(found)->kind();
  if (kind == StepKind::kHttp || kind == StepKind::kCommand)
    event.fields.emplace("status_code", std::to_string(outcome.status_code));
  if (!outcome.ok && !outcome.error.empty())
    event.text += ": " + outcome.error;
  if (!outcome.output.empty())
    event.text += "\n" + outcome.output;
  return conclude(book, std::move(run), {std::move(event)}, now);
}

namespace {

// approve() and reject(): the answer to a waiting approval.
Change<Transition> answer(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                          TimePoint now, bool approved) {
  auto found = find_step(book, run, step);
  if (auto* refused = std::get_if<Refused>(&found))
    return std::move(*refused);
  StepRun& step_run = run.steps[step];
  if (std::get<const Step*>(found)->kind() != StepKind::kApproval)
    return Refused{"step", step_label(run, step) + " is not an approval step"};
  if (step_run.state != StepState::kWaitingApproval)
    return wrong_state(run, step, "only an approval that is waiting can be answered");
  if (step_run.expires_at && now >= *step_run.expires_at) {
    return Refused{"state", step_label(run, step) + " expired at " +
                                format_rfc3339(*step_run.expires_at) +
                                "; retry it to request approval again"};
  }
  step_run.state = approved ? StepState::kSucceeded : StepState::kRejected;
  step_run.finished_at = now;
  step_run.actor = actor;
  std::vector<StepEvent> events{
      step_event(book, run, step, approved ? "approved" : "rejected", actor, now)};
  return conclude(book, std::move(run), std::move(events), now);
}

}  // namespace

Change<Transition> approve(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                           TimePoint now) {
  return answer(book, std::move(run), step, actor, now, true);
}

Change<Transition> reject(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                          TimePoint now) {
  return answer(book, std::move(run), step, actor, now, false);
}

Change<Transition> tick(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                        TimePoint now) {
  auto found = find_step(book, run, step);
  if (auto* refused = std::get_if<Refused>(&found))
    return std::move(*refused);
  if (std::get<const Step*>(found)->kind() != StepKind::kManual)
    return Refused{"step", step_label(run, step) +
                               " is not a manual step; only checklist items "
                               "are ticked"};
  StepRun& step_run = run.steps[step];
  if (step_run.state != StepState::kPending)
    return wrong_state(run, step, "only a pending checklist item can be ticked");
  step_run.state = StepState::kDone;
  step_run.finished_at = now;
  step_run.actor = actor;
  std::vector<StepEvent> events{step_event(book, run, step, "done", actor, now)};
  return conclude(book, std::move(run), std::move(events), now);
}

Change<Transition> skip(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                        TimePoint now) {
  // A step the runbook no longer has may still be skipped: that is how such a run completes.
  if (auto found = find_step(book, run, step); step >= run.steps.size())
    return std::get<Refused>(std::move(found));
  StepRun& step_run = run.steps[step];
  if (finished(step_run.state) || step_run.state == StepState::kRunning)
    return wrong_state(run, step, "a step that is running or finished cannot be skipped");
  step_run.state = StepState::kSkipped;
  step_run.finished_at = now;
  step_run.actor = actor;
  std::vector<StepEvent> events{step_event(book, run, step, "skipped", actor, now)};
  return conclude(book, std::move(run), std::move(events), now);
}

Change<Transition> retry(const Runbook& book, Run run, std::size_t step, const std::string& actor,
                         TimePoint now) {
  auto found = find_step(book, run, step);
  if (auto* refused = std::get_if<Refused>(&found))
    return std::move(*refused);
  StepRun& step_run = run.steps[step];
  if (!stopped(step_run.state))
    return wrong_state(run, step, "only a failed, rejected or expired step can be retried");
  std::vector<StepEvent> events{step_event(book, run, step, "retried", actor, now)};
  step_run.state = StepState::kPending;
  step_run.started_at.reset();
  step_run.finished_at.reset();
  step_run.expires_at.reset();
  step_run.actor = actor;
  step_run.output.clear();
  step_run.error.clear();
  step_run.status_code = 0;
  return conclude(book, std::move(run), std::move(events), now);
}

Transition recover(const Runbook& book, Run run, TimePoint now) {
  std::vector<StepEvent> events;
  for (std::size_t i = 0; i < run.steps.size(); ++i) {
    StepRun& step_run = run.steps[i];
    if (step_run.state != StepState::kRunning)
      continue;
    step_run.state = StepState::kFailed;
    step_run.finished_at = now;
    step_run.actor = "sloe";
    step_run.error = "interrupted: sloe restarted while the step ran";
    StepEvent event = step_event(book, run, i, "failed", "sloe", now);
    event.text += ": " + step_run.error;
    events.push_back(std::move(event));
  }
  const bool settled = settle(book, run, now, events);
  if (settled || !events.empty()) {
    run.updated_at = now;
    run.version += 1;
  }
  return Transition{std::move(run), std::move(events)};
}

std::string expand_placeholders(std::string_view text, const Placeholders& values) {
  const std::array<std::pair<std::string_view, const std::string*>, 4> names{{
      {"{{incident_id}}", &values.incident_id},
      {"{{service}}", &values.service},
      {"{{severity}}", &values.severity},
      {"{{runbook}}", &values.runbook},
  }};
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '{') {
      for (const auto& [token, value] : names) {
        if (text.substr(i, token.size()) == token) {
          out += *value;
          i += token.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced)
      out += text[i++];
  }
  return out;
}

}  // namespace sloe::runbook

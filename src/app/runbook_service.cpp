#include "sloe/app/runbook_service.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <variant>

#include "sloe/store/alert_log.h"
#include "sloe/store/database.h"
#include "sloe/store/incident_store.h"
#include "sloe/store/runbook_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using api::Refusal;
using runbook::Run;
using runbook::RunState;
using runbook::StepRun;
using runbook::Transition;
using store::Database;

constexpr std::string_view kSystemActor = "sloe";
// How often a transition is re-applied when another process changed the run meanwhile.
constexpr int kStaleRetries = 5;
// How often recording a step's result is tried before the run is left for recovery.
constexpr int kFinishAttempts = 3;

api::Refused unavailable(const Error& error) {
  return api::Refused{Refusal::kUnavailable, error.message, ""};
}
api::Refused incident_not_found(std::int64_t id) {
  return api::Refused{Refusal::kNotFound, "incident " + std::to_string(id) + " not found", ""};
}
api::Refused run_not_found(std::int64_t incident_id, std::int64_t run_id) {
  return api::Refused{
      Refusal::kNotFound,
      "incident " + std::to_string(incident_id) + " has no runbook run " + std::to_string(run_id),
      "run"};
}

bool same_step(const StepRun& a, const StepRun& b) {
  return a.step_id == b.step_id && a.state == b.state && a.attempts == b.attempts &&
         a.started_at == b.started_at && a.finished_at == b.finished_at &&
         a.expires_at == b.expires_at && a.actor == b.actor && a.output == b.output &&
         a.error == b.error && a.status_code == b.status_code;
}

// Whether a transition changed anything worth writing.
bool changed(const Run& before, const Transition& after) {
  if (!after.events.empty() || before.state != after.run.state ||
      before.steps.size() != after.run.steps.size()) {
    return true;
  }
  for (std::size_t i = 0; i < before.steps.size(); ++i) {
    if (!same_step(before.steps[i], after.run.steps[i]))
      return true;
  }
  return false;
}

// The step a request names: its id, or its 1-based index.
std::optional<std::size_t> find_step(const runbook::Runbook& book, const std::string& step) {
  for (std::size_t i = 0; i < book.steps.size(); ++i) {
    if (book.steps[i].id == step)
      return i;
  }
  std::size_t index = 0;
  const char* end = step.data() + step.size();
  const auto [parsed_to, error] = std::from_chars(step.data(), end, index);
  if (error != std::errc() || parsed_to != end || index < 1 || index > book.steps.size())
    return std::nullopt;
  return index - 1;
}

// Labels of the alerts linked to an incident (incident_alerts, migration 5), as the alert log
// stored them (received_alerts, migration 3). A fingerprint names one label set, so joining on it
// alone is enough; the two tables write starts_at differently.
Result<std::vector<Labels>> linked_alert_labels(Database& db, std::int64_t incident_id) {
  auto select = db.prepare(
      "SELECT DISTINCT r.labels FROM incident_alerts a "
      "JOIN received_alerts r ON r.fingerprint = a.fingerprint "
      "WHERE a.incident_id = ? ORDER BY r.labels");
  if (!select)
    return select.error();
  if (Status bound = select->bind(1, incident_id); !bound)
    return bound.error();
  std::vector<Labels> out;
  while (true) {
    auto row = select->step();
    if (!row)
      return row.error();
    if (!*row)
      break;
    auto labels = store::decode_labels(select->column_text(0));
    if (!labels)
      return Error{"alert labels of incident " + std::to_string(incident_id) + ": " +
                   labels.error().message};
    out.push_back(std::move(labels).value());
  }
  return out;
}

}  // namespace

struct RunbookService::Impl {
  // What a rule decides for the freshly read run: a transition to write, or a refusal.
  using Decision = std::variant<Transition, api::Refused>;
  using Rule = std::function<Decision(const runbook::Runbook&, const Run&)>;

  struct Applied {
    std::optional<Run> run;  // after the rule (as stored)
    std::optional<api::Refused> refused;
    bool written = false;
  };

  struct TriggerJob {
    std::int64_t incident_id = 0;
    runbook::Trigger trigger = runbook::Trigger::kOpen;
  };

  Impl(const Clock& clock_in, std::vector<runbook::Runbook> books_in, StepExecutor& executor_in,
       Options options_in, std::unique_ptr<Database> db_in)
      : clock(clock_in),
        books(std::move(books_in)),
        executor(executor_in),
        options(std::move(options_in)),
        db(std::move(db_in)),
        run_store(*db),
        incident_store(*db) {
    std::sort(books.begin(), books.end(),
              [](const runbook::Runbook& a, const runbook::Runbook& b) { return a.name < b.name; });
  }

  const runbook::Runbook* find_book(const std::string& name) const {
    const auto found = std::lower_bound(
        books.begin(), books.end(), name,
        [](const runbook::Runbook& book, const std::string& wanted) { return book.name < wanted; });
    return found != books.end() && found->name == name ? &*found : nullptr;
  }

  void warn(const std::string& message) const {
    if (options.warn)
      options.warn(message);
  }

  // The transition's entries as timeline events of the run's incident. Run ids are assigned by
  // the store after run::start() built its events, so the run field is filled in here.
  std::vector<incident::TimelineEvent> timeline_events(
      const Run& run, std::vector<runbook::StepEvent> events) const {
    std::vector<incident::TimelineEvent> out;
    out.reserve(events.size());
    for (runbook::StepEvent& step_event : events) {
      incident::TimelineEvent event;
      event.incident_id = run.incident_id;
      event.at = step_event.at;
      event.actor = std::move(step_event.actor);
      event.kind = std::string(incident::event_kind::kRunbookStep);
      event.text = options.redactor.redact(step_event.text);
      event.fields = std::move(step_event.fields);
      event.fields["run"] = std::to_string(run.id);
      out.push_back(std::move(event));
    }
    return out;
  }

  // Re-reads the run inside one transaction, applies rule to it and, when that changed anything,
  // writes the run and the transition's timeline entries together. incident_id, when non-zero,
  // must be the run's incident (else kNotFound).
  Result<Applied> mutate(std::int64_t run_id, std::int64_t incident_id, const Rule& rule) {
    const std::lock_guard lock(db_mutex);
    for (int attempt = 0; attempt < kStaleRetries; ++attempt) {
      Applied applied;
      bool stale = false;
      const Status written = transaction([&]() -> Status {
        auto current = run_store.get(run_id);
        if (!current)
          return current.error();
        if (!*current || (incident_id != 0 && (*current)->incident_id != incident_id)) {
          applied.refused = run_not_found(incident_id, run_id);
          return {};
        }
        const Run& before = **current;
        const runbook::Runbook* book = find_book(before.runbook);
        if (book == nullptr) {
          applied.refused =
              api::Refused{Refusal::kConflict,
                           "runbook '" + before.runbook + "' of run " + std::to_string(run_id) +
                               " is no longer loaded: restore its file to act on this run",
                           "runbook"};
          return {};
        }
        Decision decision = rule(*book, before);
        if (auto* refused = std::get_if<api::Refused>(&decision)) {
          applied.refused = std::move(*refused);
          return {};
        }
        Transition transition = std::get<Transition>(std::move(decision));
        if (!changed(before, transition)) {
          applied.run = before;
          return {};
        }
        transition.run.id = before.id;
        transition.run.version = before.version + 1;
        auto updated = run_store.update(transition.run, before.version);
        if (!updated)
          return updated.error();
        if (!*updated) {
          stale = true;
          return {};
        }
        std::vector<incident::TimelineEvent> events =
            timeline_events(transition.run, std::move(transition.events));
        if (Status appended = incident_store.append(events); !appended)
          return appended;
        applied.run = std::move(transition.run);
        applied.written = true;
        return {};
      });
      if (!written)
        return written.error();
      if (!stale)
        return applied;
    }
    return Error{"runbook run " + std::to_string(run_id) + " kept changing while being updated"};
  }

  // REQUIRES: db_mutex held.
  Status transaction(const std::function<Status()>& body) {
    try {
      return db->transaction([&](Database&) { return body(); });
    } catch (const std::exception& e) {
      return Error{std::string("runbook write failed: ") + e.what()};
    }
  }

  // Starts `book` on the incident in one transaction. Refused (kConflict) when the runbook has an
  // unfinished run there, and, for the open trigger, when it was ever started by that trigger.
  api::Answer<Run> start_run(std::int64_t incident_id, const runbook::Runbook& book,
                             runbook::Trigger trigger, const std::string& actor) {
    std::optional<Run> out;
    std::optional<api::Refused> refused;
    {
      const std::lock_guard lock(db_mutex);
      const Status written = transaction([&]() -> Status {
        auto found = incident_store.get(incident_id);
        if (!found)
          return found.error();
        if (!*found) {
          refused = incident_not_found(incident_id);
          return {};
        }
        auto existing = run_store.for_incident(incident_id);
        if (!existing)
          return existing.error();
        for (const Run& run : *existing) {
          if (run.runbook != book.name)
            continue;
          if (run.state != RunState::kCompleted) {
            refused = api::Refused{Refusal::kConflict,
                                   "runbook '" + book.name + "' already has an unfinished run (" +
                                       std::to_string(run.id) + ") on incident " +
                                       std::to_string(incident_id) + ": act on that one",
                                   "runbook"};
            return {};
          }
          if (trigger == runbook::Trigger::kOpen && run.trigger == runbook::Trigger::kOpen) {
            refused = api::Refused{Refusal::kConflict,
                                   "runbook '" + book.name + "' already ran when incident " +
                                       std::to_string(incident_id) + " opened",
                                   "runbook"};
            return {};
          }
        }
        Transition started = runbook::start(book, incident_id, trigger, actor, clock.now());
        auto created = run_store.create(started.run);
        if (!created)
          return created.error();
        std::vector<incident::TimelineEvent> events =
            timeline_events(*created, std::move(started.events));
        if (Status appended = incident_store.append(events); !appended)
          return appended;
        out = std::move(created).value();
        return {};
      });
      if (refused)
        return *refused;
      if (!written)
        return unavailable(written.error());
    }
    if (!out)
      return api::Refused{Refusal::kUnavailable, "the runbook service produced no answer", ""};
    schedule(out->id);
    return std::move(*out);
  }

  // --- work queue ------------------------------------------------------------------------------

  void schedule(std::int64_t run_id) {
    {
      const std::lock_guard lock(work_mutex);
      if (stopping)
        return;
      if (busy.contains(run_id)) {
        again.insert(run_id);
        return;
      }
      if (!queued.insert(run_id).second)
        return;
      ready.push_back(run_id);
    }
    work_changed.notify_one();
  }

  void work() {
    std::unique_lock lock(work_mutex);
    while (true) {
      work_changed.wait(lock, [this] { return stopping || !triggers.empty() || !ready.empty(); });
      if (stopping)
        return;
      if (!triggers.empty()) {
        const TriggerJob job = triggers.front();
        triggers.pop_front();
        ++handling;
        lock.unlock();
        handle_trigger(job);
        lock.lock();
        --handling;
      } else {
        const std::int64_t run_id = ready.front();
        ready.pop_front();
        queued.erase(run_id);
        busy.insert(run_id);
        lock.unlock();
        drive(run_id);
        lock.lock();
        busy.erase(run_id);
        if (again.erase(run_id) > 0 && queued.insert(run_id).second) {
          ready.push_back(run_id);
          work_changed.notify_one();
        }
      }
      became_idle.notify_all();
    }
  }

  bool stopping_now() {
    const std::lock_guard lock(work_mutex);
    return stopping;
  }

  // --- performing steps ------------------------------------------------------------------------

  StepContext context_for(const Run& run) {
    StepContext context;
    context.runbook = run.runbook;
    context.incident.id = run.incident_id;
    {
      const std::lock_guard lock(db_mutex);
      auto found = incident_store.get(run.incident_id);
      if (found && *found)
        context.incident = std::move(**found);
    }
    context.placeholders.incident_id = std::to_string(run.incident_id);
    context.placeholders.service = context.incident.service;
    context.placeholders.severity = std::string(incident::to_string(context.incident.severity));
    context.placeholders.runbook = run.runbook;
    return context;
  }

  // Performs the run's automated steps that are due, one at a time, until none is.
  void drive(std::int64_t run_id) {
    while (!stopping_now()) {
      std::optional<std::size_t> step;
      auto begun = mutate(run_id, 0, [&](const runbook::Runbook& book, const Run& current) {
        step.reset();
        const TimePoint now = clock.now();
        Transition advanced = runbook::advance(book, current, now);
        const std::optional<std::size_t> next = runbook::next_automated(book, advanced.run);
        if (!next)
          return Decision(std::move(advanced));
        auto began = runbook::begin(book, advanced.run, *next, now);
        if (auto* refused = std::get_if<runbook::Refused>(&began)) {
          warn("runbook run " + std::to_string(run_id) + ": step " + std::to_string(*next + 1) +
               " cannot begin: " + refused->message);
          return Decision(std::move(advanced));
        }
        Transition started = std::get<Transition>(std::move(began));
        advanced.events.insert(advanced.events.end(),
                               std::make_move_iterator(started.events.begin()),
                               std::make_move_iterator(started.events.end()));
        advanced.run = std::move(started.run);
        step = next;
        return Decision(std::move(advanced));
      });
      if (!begun) {
        warn("runbook run " + std::to_string(run_id) +
             ": starting its next step failed: " + begun.error().message);
        return;
      }
      if (begun->refused || !begun->run || !step || !begun->written)
        return;
      const Run& run = *begun->run;
      const runbook::Runbook* book = find_book(run.runbook);
      if (book == nullptr)
        return;
      runbook::StepOutcome outcome;
      try {
        outcome = executor.perform(book->steps[*step], context_for(run));
      } catch (const std::exception& e) {
        outcome = runbook::StepOutcome{false, "", std::string("step failed: ") + e.what(), 0};
      }
      outcome.output = options.redactor.redact(outcome.output);
      outcome.error = options.redactor.redact(outcome.error);
      if (!record_outcome(run_id, *step, outcome))
        return;
    }
  }

  bool record_outcome(std::int64_t run_id, std::size_t step, const runbook::StepOutcome& outcome) {
    std::string last_error;
    for (int attempt = 0; attempt < kFinishAttempts; ++attempt) {
      auto finished = mutate(run_id, 0, [&](const runbook::Runbook& book, const Run& current) {
        auto change = runbook::finish(book, current, step, outcome, clock.now());
        if (auto* refused = std::get_if<runbook::Refused>(&change))
          return Decision(api::Refused{Refusal::kConflict, refused->message, refused->field});
        return Decision(std::get<Transition>(std::move(change)));
      });
      if (finished) {
        if (finished->refused) {
          warn("runbook run " + std::to_string(run_id) + ": the result of step " +
               std::to_string(step + 1) + " was not recorded: " + finished->refused->message);
          return false;
        }
        return true;
      }
      last_error = finished.error().message;
    }
    warn("runbook run " + std::to_string(run_id) + ": recording the result of step " +
         std::to_string(step + 1) + " failed (" + last_error +
         "); it stays running until sloe restarts and marks it interrupted");
    return false;
  }

  // --- triggers --------------------------------------------------------------------------------

  void handle_trigger(const TriggerJob& job) {
    incident::Incident found;
    std::vector<Labels> alert_labels;
    {
      const std::lock_guard lock(db_mutex);
      auto incident = incident_store.get(job.incident_id);
      if (!incident || !*incident) {
        warn("runbook trigger for incident " + std::to_string(job.incident_id) + " not handled: " +
             (incident ? std::string("no such incident") : incident.error().message));
        return;
      }
      found = std::move(**incident);
      auto labels = linked_alert_labels(*db, job.incident_id);
      if (!labels) {
        warn("runbook trigger for incident " + std::to_string(job.incident_id) +
             " not handled: " + labels.error().message);
        return;
      }
      alert_labels = std::move(labels).value();
    }
    for (const runbook::Runbook* book :
         runbook::triggered_by(books, job.trigger, found, alert_labels)) {
      auto started = start_run(job.incident_id, *book, job.trigger, std::string(kSystemActor));
      if (const auto* refused = std::get_if<api::Refused>(&started)) {
        if (refused->reason != Refusal::kConflict) {
          warn("starting runbook '" + book->name + "' on incident " +
               std::to_string(job.incident_id) + " failed: " + refused->message);
        }
      }
    }
  }

  const Clock& clock;
  std::vector<runbook::Runbook> books;  // by name; read-only after construction
  StepExecutor& executor;
  Options options;

  std::mutex db_mutex;  // guards the connection and both stores
  std::unique_ptr<Database> db;
  store::RunbookStore run_store;
  store::IncidentStore incident_store;

  std::mutex work_mutex;  // guards everything below
  std::condition_variable work_changed;
  std::condition_variable became_idle;
  std::deque<TriggerJob> triggers;
  std::deque<std::int64_t> ready;  // runs to drive, each at most once (queued)
  std::set<std::int64_t> queued;
  std::set<std::int64_t> busy;   // runs a worker drives now
  std::set<std::int64_t> again;  // busy runs to drive once more when their worker is done
  std::size_t handling = 0;      // triggers being handled
  bool stopping = false;
  std::vector<std::thread> workers;
};

Result<std::unique_ptr<RunbookService>> RunbookService::open(const std::string& db_path,
                                                             const Clock& clock,
                                                             std::vector<runbook::Runbook> runbooks,
                                                             StepExecutor& executor,
                                                             Options options) {
  auto db = Database::open(db_path, store::sloe_migrations());
  if (!db)
    return Error{"opening the runbook database: " + db.error().message};
  auto impl = std::make_unique<Impl>(clock, std::move(runbooks), executor, std::move(options),
                                     std::move(db).value());

  // Runs a previous process left unfinished: a step it was performing is failed ("interrupted").
  std::vector<std::int64_t> unfinished;
  {
    auto runs = [&] {
      const std::lock_guard lock(impl->db_mutex);
      return impl->run_store.unfinished();
    }();
    if (!runs)
      return Error{"reading unfinished runbook runs: " + runs.error().message};
    for (const Run& run : *runs)
      unfinished.push_back(run.id);
  }
  for (const std::int64_t run_id : unfinished) {
    auto recovered = impl->mutate(run_id, 0, [&](const runbook::Runbook& book, const Run& current) {
      return Impl::Decision(runbook::recover(book, current, clock.now()));
    });
    if (!recovered)
      return Error{"recovering runbook run " + std::to_string(run_id) + ": " +
                   recovered.error().message};
    if (recovered->refused)
      impl->warn("runbook run " + std::to_string(run_id) + ": " + recovered->refused->message);
  }

  const std::size_t workers = std::max<std::size_t>(1, impl->options.workers);
  Impl* raw = impl.get();
  for (std::size_t i = 0; i < workers; ++i)
    impl->workers.emplace_back([raw] { raw->work(); });
  for (const std::int64_t run_id : unfinished)
    impl->schedule(run_id);
  return std::unique_ptr<RunbookService>(new RunbookService(std::move(impl)));
}

RunbookService::RunbookService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RunbookService::~RunbookService() {
  stop();
}

void RunbookService::stop() {
  std::size_t dropped = 0;
  {
    const std::lock_guard lock(impl_->work_mutex);
    if (impl_->stopping)
      return;
    impl_->stopping = true;
    dropped = impl_->triggers.size();
    impl_->triggers.clear();
  }
  impl_->work_changed.notify_all();
  impl_->became_idle.notify_all();
  for (std::thread& worker : impl_->workers) {
    if (worker.joinable())
      worker.join();
  }
  if (dropped > 0)
    impl_->warn(std::to_string(dropped) + " runbook triggers were not handled before shutdown");
}

void RunbookService::on_trigger(const incident::Incident& incident, std::string_view trigger) {
  const std::optional<runbook::Trigger> parsed = runbook::parse_trigger(trigger);
  if (!parsed || *parsed == runbook::Trigger::kManual)
    return;
  {
    const std::lock_guard lock(impl_->work_mutex);
    if (impl_->stopping)
      return;
    impl_->triggers.push_back(Impl::TriggerJob{incident.id, *parsed});
  }
  impl_->work_changed.notify_one();
}

Result<std::size_t> RunbookService::tick() {
  if (impl_->stopping_now())
    return Error{"the runbook service is shutting down"};
  std::vector<std::int64_t> unfinished;
  {
    const std::lock_guard lock(impl_->db_mutex);
    auto runs = impl_->run_store.unfinished();
    if (!runs)
      return runs.error();
    for (const Run& run : *runs)
      unfinished.push_back(run.id);
  }
  std::size_t changed_runs = 0;
  const Clock& clock = impl_->clock;
  for (const std::int64_t run_id : unfinished) {
    auto advanced = impl_->mutate(run_id, 0, [&](const runbook::Runbook& book, const Run& current) {
      return Impl::Decision(runbook::advance(book, current, clock.now()));
    });
    if (!advanced)
      return advanced.error();
    if (advanced->written)
      ++changed_runs;
    if (advanced->run) {
      const runbook::Runbook* book = impl_->find_book(advanced->run->runbook);
      if (book != nullptr && runbook::next_automated(*book, *advanced->run))
        impl_->schedule(run_id);
    }
  }
  return changed_runs;
}

void RunbookService::wait_idle() {
  std::unique_lock lock(impl_->work_mutex);
  impl_->became_idle.wait(lock, [this] {
    return impl_->stopping || (impl_->triggers.empty() && impl_->ready.empty() &&
                               impl_->busy.empty() && impl_->handling == 0);
  });
}

std::vector<runbook::Runbook> RunbookService::runbooks() const {
  return impl_->books;
}

api::Answer<runbook::Runbook> RunbookService::runbook(const std::string& name) const {
  const runbook::Runbook* book = impl_->find_book(name);
  if (book == nullptr)
    return api::Refused{Refusal::kNotFound, "no runbook named '" + name + "'", "runbook"};
  return *book;
}

api::Answer<std::vector<Run>> RunbookService::runs(std::int64_t incident_id) const {
  const std::lock_guard lock(impl_->db_mutex);
  auto found = impl_->incident_store.get(incident_id);
  if (!found)
    return unavailable(found.error());
  if (!*found)
    return incident_not_found(incident_id);
  auto runs = impl_->run_store.for_incident(incident_id);
  if (!runs)
    return unavailable(runs.error());
  return std::move(runs).value();
}

api::Answer<Run> RunbookService::start(std::int64_t incident_id, const std::string& runbook_name,
                                       const std::string& actor) {
  const runbook::Runbook* book = impl_->find_book(runbook_name);
  if (book == nullptr)
    return api::Refused{Refusal::kNotFound, "no runbook named '" + runbook_name + "'", "runbook"};
  if (impl_->stopping_now())
    return api::Refused{Refusal::kUnavailable, "the runbook service is shutting down", ""};
  return impl_->start_run(incident_id, *book, runbook::Trigger::kManual, actor);
}

api::Answer<Run> RunbookService::act(std::int64_t incident_id, std::int64_t run_id,
                                     const std::string& step, api::StepAction action,
                                     const std::string& actor) {
  if (impl_->stopping_now())
    return api::Refused{Refusal::kUnavailable, "the runbook service is shutting down", ""};
  const Clock& clock = impl_->clock;
  auto applied = impl_->mutate(
      run_id, incident_id, [&](const runbook::Runbook& book, const Run& current) -> Impl::Decision {
        const std::optional<std::size_t> index = find_step(book, step);
        if (!index) {
          return api::Refused{Refusal::kNotFound,
                              "runbook '" + book.name + "' has no step '" + step +
                                  "' (give its id or its 1-based index)",
                              "step"};
        }
        const TimePoint now = clock.now();
        runbook::Change<Transition> change = [&] {
          switch (action) {
            case api::StepAction::kApprove:
              return runbook::approve(book, current, *index, actor, now);
            case api::StepAction::kReject:
              return runbook::reject(book, current, *index, actor, now);
            case api::StepAction::kTick:
              return runbook::tick(book, current, *index, actor, now);
            case api::StepAction::kSkip:
              return runbook::skip(book, current, *index, actor, now);
            case api::StepAction::kRetry:
              break;
          }
          return runbook::retry(book, current, *index, actor, now);
        }();
        if (auto* refused = std::get_if<runbook::Refused>(&change))
          return api::Refused{Refusal::kConflict, refused->message, refused->field};
        return std::get<Transition>(std::move(change));
      });
  if (!applied)
    return unavailable(applied.error());
  if (applied->refused)
    return *applied->refused;
  if (!applied->run)
    return api::Refused{Refusal::kUnavailable, "the runbook service produced no answer", ""};
  impl_->schedule(run_id);
  return std::move(*applied->run);
}

}  // namespace sloe::app

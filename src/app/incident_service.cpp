#include "sloe/app/incident_service.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"
#include "sloe/incident/lifecycle.h"
#include "sloe/store/database.h"
#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using api::Refusal;
using api::Refused;
using store::Database;
using store::IncidentStore;

constexpr std::string_view kSystemActor = "sloe";
constexpr std::size_t kTimelineScan = 10000;  // the store's largest timeline page

Refused unavailable(const Error& error) {
  return Refused{Refusal::kUnavailable, error.message, ""};
}
Refused not_found(std::int64_t id) {
  return Refused{Refusal::kNotFound, "incident " + std::to_string(id) + " not found", ""};
}
Refused invalid(const incident::Invalid& why) {
  return Refused{Refusal::kInvalid, why.message, why.field};
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Turns what an operation produced into the caller's answer.
template <typename T>
api::Answer<T> answer(const Status& written, std::optional<T>& out,
                      const std::optional<Refused>& refused) {
  if (refused)
    return *refused;
  if (!written)
    return unavailable(written.error());
  if (!out)
    return Refused{Refusal::kUnavailable, "the incident service produced no answer", ""};
  return std::move(*out);
}

// The part every versioned edit shares, run inside the writer: a stale expected_version is a
// conflict (409), an invalid change is refused (400), an unchanged record is answered as it is,
// and a changed one is written only if nobody changed it meanwhile, with its events appended to
// incident_id's timeline. `what` names the record in messages ("incident 7").
template <typename Record, typename Rule, typename Update>
Status apply_versioned(IncidentStore& store, const Record& current, std::int64_t incident_id,
                       std::int64_t expected_version, const std::string& what, const Rule& rule,
                       const Update& update, std::optional<Record>& out,
                       std::optional<Refused>& refused) {
  if (current.version != expected_version) {
    refused = Refused{Refusal::kConflict,
                      what + " is at version " + std::to_string(current.version) + ", not " +
                          std::to_string(expected_version) + ": reload and retry",
                      "version"};
    return {};
  }
  auto checked = rule(current);
  if (const auto* why = std::get_if<incident::Invalid>(&checked)) {
    refused = invalid(*why);
    return {};
  }
  auto change = std::get<incident::Change<Record>>(std::move(checked));
  if (change.events.empty()) {
    out = std::move(change.record);
    return {};
  }
  Result<bool> updated = update(change.record);
  if (!updated)
    return updated.error();
  if (!*updated) {
    refused =
        Refused{Refusal::kConflict, what + " changed concurrently: reload and retry", "version"};
    return {};
  }
  for (incident::TimelineEvent& event : change.events)
    event.incident_id = incident_id;
  if (Status appended = store.append(change.events); !appended)
    return appended;
  out = std::move(change.record);
  return {};
}

}  // namespace

struct IncidentService::Impl {
  using Operation = std::function<Status(Database&, IncidentStore&)>;

  // One caller's operation waiting for (or done by) the writer. Lives on the caller's stack.
  struct Pending {
    Operation run;
    Status result;
    Status committed;
    bool done = false;
  };

  Impl(const Clock& clock_in, Options options_in, std::unique_ptr<Database> writer_db_in,
       std::unique_ptr<Database> reader_db_in)
      : clock(clock_in),
        options(std::move(options_in)),
        writer_db(std::move(writer_db_in)),
        writer_store(*writer_db),
        reader_db(std::move(reader_db_in)),
        reader_store(*reader_db) {}

  // Runs every operation in the writer, each in its own savepoint, and returns once the
  // transactions holding them have committed: one Status per operation (its own failure, or the
  // commit's).
  std::vector<Status> write_all(std::vector<Operation> operations) {
    std::vector<Pending> pending(operations.size());
    for (std::size_t i = 0; i < operations.size(); ++i)
      pending[i].run = std::move(operations[i]);
    std::unique_lock lock(queue_mutex);
    if (stopping) {
      return std::vector<Status>(pending.size(),
                                 Status(Error{"the incident service is shutting down"}));
    }
    for (Pending& p : pending)
      queue.push_back(&p);
    queue_changed.notify_one();
    answered.wait(lock, [&] {
      return std::all_of(pending.begin(), pending.end(), [](const Pending& p) { return p.done; });
    });
    std::vector<Status> results;
    results.reserve(pending.size());
    for (Pending& p : pending)
      results.push_back(!p.committed ? p.committed : p.result);
    return results;
  }

  Status write(Operation operation) {
    std::vector<Operation> one;
    one.push_back(std::move(operation));
    return std::move(write_all(std::move(one)).front());
  }

  void run_writer() {
    std::unique_lock lock(queue_mutex);
    while (true) {
      queue_changed.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty())
        return;
      std::vector<Pending*> batch;
      while (!queue.empty() && batch.size() < std::max<std::size_t>(1, options.max_batch)) {
        batch.push_back(queue.front());
        queue.pop_front();
      }
      lock.unlock();
      Status committed = commit_batch(batch);
      fire_triggers(committed);
      lock.lock();
      ++commit_count;
      for (Pending* p : batch) {
        p->committed = committed;
        p->done = true;
      }
      answered.notify_all();
    }
  }

  Status commit_batch(const std::vector<Pending*>& batch) {
    try {
      return writer_db->transaction([&](Database& db) -> Status {
        for (Pending* p : batch) {
          const std::size_t triggers_before = triggers.size();
          p->result = db.transaction([&](Database& inner) -> Status {
            try {
              return p->run(inner, writer_store);
            } catch (const std::exception& e) {
              return Error{std::string("incident write failed: ") + e.what()};
            }
          });
          if (!p->result)
            triggers.resize(triggers_before);  // its writes were undone
        }
        return {};
      });
    } catch (const std::exception& e) {
      return Error{std::string("incident transaction failed: ") + e.what()};
    }
  }

  // Runbook triggers of the batch just written: told only once it committed. Writer thread only.
  void fire_triggers(const Status& committed) {
    std::vector<std::pair<incident::Incident, std::string>> fired;
    fired.swap(triggers);
    if (!committed || !options.on_trigger)
      return;
    for (const auto& [record, trigger] : fired)
      options.on_trigger(record, trigger);
  }

  void stop() {
    {
      const std::lock_guard lock(queue_mutex);
      if (stopping)
        return;
      stopping = true;
    }
    queue_changed.notify_all();
    if (writer.joinable())
      writer.join();
  }

  void warn(const std::string& message) const {
    if (options.warn)
      options.warn(message);
  }

  // --- redaction -------------------------------------------------------------------------------

  std::string redact(const std::string& text) const { return options.redactor.redact(text); }

  alert::Alert redacted(const alert::Alert& original) const {
    alert::Alert copy = original;
    copy.labels = options.redactor.redact(original.labels);
    copy.annotations = options.redactor.redact(original.annotations);
    copy.generator_url = redact(original.generator_url);
    return copy;
  }

  // Events built from a redacted alert name the fingerprint of what was received, so they match
  // the alert's links and the alert APIs.
  static void name_fingerprint(std::vector<incident::TimelineEvent>& events,
                               const std::string& fingerprint) {
    for (incident::TimelineEvent& event : events) {
      if (event.fields.contains("fingerprint"))
        event.fields["fingerprint"] = fingerprint;
    }
  }

  // --- alerts ----------------------------------------------------------------------------------

  static Status join(IncidentStore& store, std::int64_t incident_id, const alert::Alert& original,
                     const alert::Alert& clean, TimePoint now) {
    auto linked = store.link_alert(incident_id, original.fingerprint(), original.starts_at);
    if (!linked)
      return linked.error();
    if (!*linked)
      return {};  // a repeat of a period already on an incident
    std::vector<incident::TimelineEvent> events{
        incident::alert_event(incident_id, clean, false, kSystemActor, now)};
    name_fingerprint(events, alert::fingerprint_hex(original.labels));
    return store.append(events);
  }

  Status record_firing(Database& db, IncidentStore& store, const incident::IncidentPolicy& policy,
                       const alert::Alert& original, TimePoint now) {
    auto linked = store.incident_for_alert(original.fingerprint(), original.starts_at);
    if (!linked)
      return linked.error();
    if (*linked)
      return {};
    const alert::Alert clean = redacted(original);
    const std::string key = incident::dedup_key(policy, clean.labels);
    auto open = store.find_open(key);
    if (!open)
      return open.error();
    if (*open)
      return join(store, (*open)->id, original, clean, now);

    incident::Change<incident::Incident> change = incident::open_from_alert(policy, clean, now);
    change.record.dedup_key = key;
    name_fingerprint(change.events, alert::fingerprint_hex(original.labels));
    std::optional<incident::Incident> created;
    Status inserted = db.transaction([&](Database&) -> Status {
      auto stored = store.create(change.record, change.events);
      if (!stored)
        return stored.error();
      created = std::move(stored).value();
      return {};
    });
    if (!inserted) {
      if (!starts_with(inserted.error().message, "duplicate open incident"))
        return inserted;
      // Another writer on the same file opened it first: join theirs.
      auto theirs = store.find_open(key);
      if (!theirs)
        return theirs.error();
      if (!*theirs)
        return inserted;
      return join(store, (*theirs)->id, original, clean, now);
    }
    auto link = store.link_alert(created->id, original.fingerprint(), original.starts_at);
    if (!link)
      return link.error();
    triggers.emplace_back(*created, "open");
    return {};
  }

  Status record_resolved(IncidentStore& store, const alert::Alert& original, TimePoint now) {
    auto linked = store.incident_for_alert(original.fingerprint(), original.starts_at);
    if (!linked)
      return linked.error();
    if (!*linked)
      return {};
    const std::int64_t incident_id = **linked;
    std::vector<incident::TimelineEvent> events{
        incident::alert_event(incident_id, redacted(original), true, kSystemActor, now)};
    name_fingerprint(events, alert::fingerprint_hex(original.labels));
    const incident::TimelineEvent& resolved = events.front();
    // Once per period: the intake forwards a resolved alert each time it is sent again.
    auto timeline = store.timeline(incident_id, 0, kTimelineScan);
    if (!timeline)
      return timeline.error();
    const auto field = [](const incident::TimelineEvent& e, std::string_view name) {
      const auto found = e.fields.find(name);
      return found == e.fields.end() ? std::string() : found->second;
    };
    for (const incident::TimelineEvent& earlier : *timeline) {
      if (earlier.kind == incident::event_kind::kAlertResolved &&
          field(earlier, "fingerprint") == field(resolved, "fingerprint") &&
          field(earlier, "starts_at") == field(resolved, "starts_at")) {
        return {};
      }
    }
    return store.append(events);
  }

  // --- notifications ---------------------------------------------------------------------------

  // Incidents the alerts are linked to (reads only).
  std::set<std::int64_t> incidents_of(const std::vector<alert::Alert>& alerts) const {
    std::set<std::int64_t> ids;
    const std::lock_guard lock(read_mutex);
    for (const alert::Alert& a : alerts) {
      auto linked = reader_store.incident_for_alert(a.fingerprint(), a.starts_at);
      if (linked && *linked)
        ids.insert(**linked);
    }
    return ids;
  }

  Status append_event(std::int64_t incident_id, incident::TimelineEvent event) {
    event.incident_id = incident_id;
    return write([event](Database&, IncidentStore& store) -> Status {
      std::vector<incident::TimelineEvent> events{event};
      return store.append(events);
    });
  }

  // --- reads -----------------------------------------------------------------------------------

  // The incident, or kNotFound / kUnavailable. REQUIRES: read_mutex held.
  std::optional<Refused> check_exists(std::int64_t id) const {
    auto found = reader_store.get(id);
    if (!found)
      return unavailable(found.error());
    if (!*found)
      return not_found(id);
    return std::nullopt;
  }

  const Clock& clock;
  Options options;

  std::unique_ptr<Database> writer_db;
  IncidentStore writer_store;  // used only by the writer thread
  // Runbook triggers (incident, "open" | "severity_change") of the batch being written; used only
  // by the writer thread.
  std::vector<std::pair<incident::Incident, std::string>> triggers;

  mutable std::mutex read_mutex;  // guards the reader connection
  std::unique_ptr<Database> reader_db;
  mutable IncidentStore reader_store;

  std::mutex queue_mutex;  // guards the queue, stopping, commit_count and every Pending
  std::condition_variable queue_changed;
  std::condition_variable answered;
  std::deque<Pending*> queue;
  bool stopping = false;
  std::uint64_t commit_count = 0;
  std::thread writer;

  // (receiver, group key) → incidents its alerts are linked to, learned at enqueue.
  std::mutex groups_mutex;
  std::map<std::pair<std::string, std::string>, std::set<std::int64_t>> incidents_of_group;
};

Result<std::unique_ptr<IncidentService>> IncidentService::open(const std::string& db_path,
                                                               const Clock& clock,
                                                               Options options) {
  auto writer_db = Database::open(db_path, store::sloe_migrations());
  if (!writer_db)
    return Error{"opening the incident database: " + writer_db.error().message};
  auto reader_db = Database::open(db_path, store::sloe_migrations());
  if (!reader_db)
    return Error{"opening the incident database: " + reader_db.error().message};
  auto impl = std::make_unique<Impl>(clock, std::move(options), std::move(writer_db).value(),
                                     std::move(reader_db).value());
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->run_writer(); });
  return std::unique_ptr<IncidentService>(new IncidentService(std::move(impl)));
}

IncidentService::IncidentService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IncidentService::~IncidentService() {
  stop();
}

void IncidentService::stop() {
  impl_->stop();
}

std::uint64_t IncidentService::commits() const {
  const std::lock_guard lock(impl_->queue_mutex);
  return impl_->commit_count;
}

// --- reads ---------------------------------------------------------------------------------------

api::Answer<api::IncidentList> IncidentService::list(const api::IncidentFilter& filter) const {
  if (filter.limit < 1 || filter.limit > 1000)
    return Refused{Refusal::kInvalid, "limit must be between 1 and 1000", "limit"};
  store::IncidentQuery query;
  query.state = filter.state;
  query.severity = filter.severity;
  query.service = filter.service;
  query.since = filter.since;
  query.until = filter.until;
  query.include_tests = filter.include_tests;
  query.before_id = filter.before_id;
  query.limit = filter.limit;
  const std::lock_guard lock(impl_->read_mutex);
  auto page = impl_->reader_store.list(query);
  if (!page)
    return unavailable(page.error());
  return api::IncidentList{std::move(page->incidents), page->next_before_id};
}

api::Answer<api::IncidentDetail> IncidentService::get(std::int64_t id) const {
  const std::lock_guard lock(impl_->read_mutex);
  auto found = impl_->reader_store.get(id);
  if (!found)
    return unavailable(found.error());
  if (!*found)
    return not_found(id);
  api::IncidentDetail detail;
  detail.incident = std::move(**found);
  // The linked alerts, as their kAlertFired events name them (first link first).
  auto events = impl_->reader_store.timeline(id, 0, kTimelineScan);
  if (!events)
    return unavailable(events.error());
  std::set<std::string> seen;
  for (const incident::TimelineEvent& event : *events) {
    if (event.kind != incident::event_kind::kAlertFired)
      continue;
    const auto fingerprint = event.fields.find("fingerprint");
    if (fingerprint != event.fields.end() && seen.insert(fingerprint->second).second)
      detail.alert_fingerprints.push_back(fingerprint->second);
  }
  auto items = impl_->reader_store.actions(id);
  if (!items)
    return unavailable(items.error());
  detail.open_action_items = static_cast<std::size_t>(
      std::count_if(items->begin(), items->end(), [](const incident::ActionItem& item) {
        return item.status == incident::ActionStatus::kOpen ||
               item.status == incident::ActionStatus::kInProgress;
      }));
  return detail;
}

api::Answer<std::vector<incident::TimelineEvent>> IncidentService::timeline(
    std::int64_t id, std::int64_t after_id, std::size_t limit) const {
  if (limit < 1 || limit > kTimelineScan)
    return Refused{Refusal::kInvalid, "limit must be between 1 and 10000", "limit"};
  const std::lock_guard lock(impl_->read_mutex);
  if (auto refused = impl_->check_exists(id))
    return *refused;
  auto events = impl_->reader_store.timeline(id, after_id, limit);
  if (!events)
    return unavailable(events.error());
  return std::move(events).value();
}

api::Answer<std::vector<incident::NoteRevision>> IncidentService::note_revisions(
    std::int64_t id, std::int64_t event_id) const {
  const std::lock_guard lock(impl_->read_mutex);
  auto event = impl_->reader_store.event(event_id);
  if (!event)
    return unavailable(event.error());
  if (!*event || (*event)->incident_id != id || (*event)->kind != incident::event_kind::kNote) {
    return Refused{Refusal::kNotFound,
                   "incident " + std::to_string(id) + " has no note " + std::to_string(event_id),
                   ""};
  }
  auto revisions = impl_->reader_store.note_revisions(event_id);
  if (!revisions)
    return unavailable(revisions.error());
  return std::move(revisions).value();
}

api::Answer<std::vector<incident::ActionItem>> IncidentService::actions(std::int64_t id) const {
  const std::lock_guard lock(impl_->read_mutex);
  if (auto refused = impl_->check_exists(id))
    return *refused;
  auto items = impl_->reader_store.actions(id);
  if (!items)
    return unavailable(items.error());
  return std::move(items).value();
}

api::Answer<std::vector<incident::ActionItem>> IncidentService::overdue_actions() const {
  const TimePoint now = impl_->clock.now();
  const std::lock_guard lock(impl_->read_mutex);
  auto items = impl_->reader_store.overdue(now);
  if (!items)
    return unavailable(items.error());
  return std::move(items).value();
}

api::Answer<std::vector<incident::SeverityStats>> IncidentService::stats() const {
  const std::lock_guard lock(impl_->read_mutex);
  auto all = impl_->reader_store.all();
  if (!all)
    return unavailable(all.error());
  return incident::summarize(*all);
}

Result<api::IncidentMetricFigures> IncidentService::figures() const {
  std::vector<incident::Incident> all;
  {
    const std::lock_guard lock(impl_->read_mutex);
    auto read = impl_->reader_store.all();
    if (!read)
      return read.error();
    all = std::move(read).value();
  }
  api::IncidentMetricFigures figures;
  std::map<std::string, std::array<double, 4>> sums;
  for (const incident::Incident& incident : all) {
    if (incident.test)
      continue;
    const std::string severity(incident::to_string(incident.severity));
    if (incident::is_open(incident.state))
      ++figures.open[severity];
    const incident::ResponseTimes times = incident::response_times(incident);
    std::array<double, 4>& sum = sums[severity];
    std::size_t i = 0;
    for (const std::optional<Duration>& figure :
         {times.to_detect, times.to_acknowledge, times.to_mitigate, times.to_resolve}) {
      if (figure)
        sum[i] += std::chrono::duration<double>(*figure).count();
      ++i;
    }
  }
  for (const incident::SeverityStats& stats : incident::summarize(all)) {
    const std::string severity(incident::to_string(stats.severity));
    figures.open.try_emplace(severity, 0);
    const std::array<double, 4> sum =
        sums.contains(severity) ? sums[severity] : std::array<double, 4>{};
    const std::pair<const char*, const incident::Summary*> named[] = {
        {"detect", &stats.to_detect},
        {"acknowledge", &stats.to_acknowledge},
        {"mitigate", &stats.to_mitigate},
        {"resolve", &stats.to_resolve}};
    for (std::size_t i = 0; i < 4; ++i) {
      const incident::Summary& summary = *named[i].second;
      figures.times[named[i].first][severity] = api::IncidentMetricFigures::Times{
          summary.count, sum[i], summary.median_seconds, summary.p90_seconds};
    }
  }
  return figures;
}

// --- writes --------------------------------------------------------------------------------------

api::Answer<incident::Incident> IncidentService::declare(const incident::Declaration& declaration,
                                                         const std::string& actor) {
  incident::Declaration clean = declaration;
  clean.title = impl_->redact(declaration.title);
  clean.summary = impl_->redact(declaration.summary);
  clean.service = impl_->redact(declaration.service);
  clean.labels = impl_->options.redactor.redact(declaration.labels);
  auto checked = incident::declare(clean, actor, impl_->clock.now());
  if (const auto* why = std::get_if<incident::Invalid>(&checked))
    return invalid(*why);
  auto change = std::get<incident::Change<incident::Incident>>(std::move(checked));
  // The service's pages join a declared incident: keyed as the first policy keys them (none
  // without policies, since then no alert joins anything).
  if (!clean.service.empty()) {
    const auto& policies = impl_->options.policies;
    change.record.dedup_key =
        policies.empty() ? std::string()
                         : incident::dedup_key(policies.front(),
                                               Labels{{policies.front().group_by, clean.service}});
  }

  std::optional<incident::Incident> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    std::vector<incident::TimelineEvent> events = change.events;
    auto created = store.create(change.record, events);
    if (!created) {
      if (starts_with(created.error().message, "duplicate open incident")) {
        auto open = store.find_open(change.record.dedup_key);
        const std::string which =
            open.ok() && *open ? " (incident " + std::to_string((*open)->id) + ")" : "";
        refused = Refused{Refusal::kConflict,
                          "service '" + clean.service + "' already has an open incident" + which +
                              ": update that one instead",
                          "service"};
      }
      return created.error();
    }
    out = std::move(created).value();
    impl_->triggers.emplace_back(*out, "open");
    return {};
  });
  return answer(written, out, refused);
}

api::Answer<incident::Incident> IncidentService::update(std::int64_t id,
                                                        std::int64_t expected_version,
                                                        const incident::IncidentPatch& patch,
                                                        const std::string& actor) {
  incident::IncidentPatch clean = patch;
  if (patch.title)
    clean.title = impl_->redact(*patch.title);
  if (patch.summary)
    clean.summary = impl_->redact(*patch.summary);
  const TimePoint now = impl_->clock.now();

  std::optional<incident::Incident> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    auto current = store.get(id);
    if (!current)
      return current.error();
    if (!*current) {
      refused = not_found(id);
      return {};
    }
    const incident::Severity severity_before = (*current)->severity;
    Status applied = apply_versioned(
        store, **current, id, expected_version, "incident " + std::to_string(id),
        [&](const incident::Incident& record) {
          return incident::apply_patch(record, clean, actor, now);
        },
        [&](const incident::Incident& changed) { return store.update(changed, expected_version); },
        out, refused);
    if (applied && out && !refused && out->severity != severity_before)
      impl_->triggers.emplace_back(*out, "severity_change");
    return applied;
  });
  return answer(written, out, refused);
}

api::Answer<incident::TimelineEvent> IncidentService::add_note(std::int64_t id,
                                                               const std::string& text, bool pinned,
                                                               const std::string& actor) {
  auto checked = incident::new_note(id, impl_->redact(text), pinned, actor, impl_->clock.now());
  if (const auto* why = std::get_if<incident::Invalid>(&checked))
    return invalid(*why);
  const incident::TimelineEvent note = std::get<incident::TimelineEvent>(std::move(checked));

  std::optional<incident::TimelineEvent> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    auto current = store.get(id);
    if (!current)
      return current.error();
    if (!*current) {
      refused = not_found(id);
      return {};
    }
    std::vector<incident::TimelineEvent> events{note};
    if (Status appended = store.append(events); !appended)
      return appended;
    out = std::move(events.front());
    return {};
  });
  return answer(written, out, refused);
}

api::Answer<incident::TimelineEvent> IncidentService::edit_note(
    std::int64_t id, std::int64_t event_id, int expected_revision,
    const std::optional<std::string>& text, std::optional<bool> pinned, const std::string& actor) {
  const TimePoint now = impl_->clock.now();
  std::optional<std::string> clean_text;
  if (text) {
    // The same rules as a new note (trimmed, 1..65536 bytes).
    auto checked = incident::new_note(id, impl_->redact(*text), false, actor, now);
    if (const auto* why = std::get_if<incident::Invalid>(&checked))
      return invalid(*why);
    clean_text = std::get<incident::TimelineEvent>(checked).text;
  }

  std::optional<incident::TimelineEvent> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    auto event = store.event(event_id);
    if (!event)
      return event.error();
    if (!*event || (*event)->incident_id != id || (*event)->kind != incident::event_kind::kNote) {
      refused = Refused{
          Refusal::kNotFound,
          "incident " + std::to_string(id) + " has no note " + std::to_string(event_id), ""};
      return {};
    }
    incident::TimelineEvent edited = **event;
    if (expected_revision != 0 && edited.revision != expected_revision) {
      refused = Refused{Refusal::kConflict,
                        "note " + std::to_string(event_id) + " is at revision " +
                            std::to_string(edited.revision) + ", not " +
                            std::to_string(expected_revision) + ": reload and retry",
                        "revision"};
      return {};
    }
    const bool text_changes = clean_text && *clean_text != edited.text;
    const bool pin_changes = pinned && *pinned != edited.pinned;
    if (!text_changes && !pin_changes) {
      out = std::move(edited);
      return {};
    }
    if (text_changes)
      edited.text = *clean_text;
    if (pinned)
      edited.pinned = *pinned;
    if (Status saved = store.edit_note(edited, actor, now); !saved)
      return saved;
    incident::TimelineEvent record;
    record.incident_id = id;
    record.at = now;
    record.actor = actor;
    record.kind = std::string(incident::event_kind::kNoteEdited);
    record.fields = {{"note_id", std::to_string(event_id)},
                     {"text_changed", text_changes ? "true" : "false"},
                     {"pinned", edited.pinned ? "true" : "false"}};
    std::vector<incident::TimelineEvent> events{record};
    if (Status appended = store.append(events); !appended)
      return appended;
    auto stored = store.event(event_id);
    if (!stored)
      return stored.error();
    if (!*stored)
      return Error{"note " + std::to_string(event_id) + " vanished while being edited"};
    out = std::move(**stored);
    return {};
  });
  return answer(written, out, refused);
}

api::Answer<incident::ActionItem> IncidentService::add_action(std::int64_t id,
                                                              const incident::ActionDraft& draft,
                                                              const std::string& actor) {
  incident::ActionDraft clean = draft;
  clean.title = impl_->redact(draft.title);
  clean.ticket_url = impl_->redact(draft.ticket_url);
  auto checked = incident::new_action(id, clean, actor, impl_->clock.now());
  if (const auto* why = std::get_if<incident::Invalid>(&checked))
    return invalid(*why);
  auto change = std::get<incident::Change<incident::ActionItem>>(std::move(checked));

  std::optional<incident::ActionItem> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    auto current = store.get(id);
    if (!current)
      return current.error();
    if (!*current) {
      refused = not_found(id);
      return {};
    }
    auto added = store.add_action(change.record);
    if (!added)
      return added.error();
    std::vector<incident::TimelineEvent> events = change.events;
    for (incident::TimelineEvent& event : events) {
      event.incident_id = id;
      event.fields["action_id"] = std::to_string(added->id);
    }
    if (Status appended = store.append(events); !appended)
      return appended;
    out = std::move(added).value();
    return {};
  });
  return answer(written, out, refused);
}

api::Answer<incident::ActionItem> IncidentService::update_action(std::int64_t id,
                                                                 std::int64_t action_id,
                                                                 std::int64_t expected_version,
                                                                 const incident::ActionPatch& patch,
                                                                 const std::string& actor) {
  incident::ActionPatch clean = patch;
  if (patch.title)
    clean.title = impl_->redact(*patch.title);
  if (patch.ticket_url)
    clean.ticket_url = impl_->redact(*patch.ticket_url);
  const TimePoint now = impl_->clock.now();

  std::optional<incident::ActionItem> out;
  std::optional<Refused> refused;
  const Status written = impl_->write([&](Database&, IncidentStore& store) -> Status {
    auto current = store.action(action_id);
    if (!current)
      return current.error();
    if (!*current || (*current)->incident_id != id) {
      refused = Refused{
          Refusal::kNotFound,
          "incident " + std::to_string(id) + " has no action item " + std::to_string(action_id),
          ""};
      return {};
    }
    return apply_versioned(
        store, **current, id, expected_version, "action item " + std::to_string(action_id),
        [&](const incident::ActionItem& record) {
          return incident::apply_action_patch(record, clean, actor, now);
        },
        [&](const incident::ActionItem& changed) {
          return store.update_action(changed, expected_version);
        },
        out, refused);
  });
  return answer(written, out, refused);
}

// --- alerts and notifications --------------------------------------------------------------------

Status IncidentService::on_alerts(const std::vector<alert::Alert>& alerts, TimePoint now) {
  std::vector<Impl::Operation> operations;
  Impl* impl = impl_.get();
  for (const alert::Alert& a : alerts) {
    if (a.resolved_at(now)) {
      operations.push_back([impl, a, now](Database&, IncidentStore& store) {
        return impl->record_resolved(store, a, now);
      });
      continue;
    }
    const incident::IncidentPolicy* policy =
        incident::match_policy(impl->options.policies, a.labels);
    if (policy == nullptr)
      continue;
    operations.push_back([impl, policy, a, now](Database& db, IncidentStore& store) {
      return impl->record_firing(db, store, *policy, a, now);
    });
  }
  if (operations.empty())
    return {};
  std::string failures;
  for (const Status& status : impl_->write_all(std::move(operations))) {
    if (!status)
      failures += (failures.empty() ? "" : "; ") + status.error().message;
  }
  if (!failures.empty())
    return Error{"recording alerts on incidents failed: " + failures};
  return {};
}

void IncidentService::notification_enqueued(const alert::GroupNotification& notification) {
  std::set<std::int64_t> ids = impl_->incidents_of(notification.alerts);
  const std::lock_guard lock(impl_->groups_mutex);
  const auto key = std::make_pair(notification.receiver, notification.group_key);
  if (ids.empty()) {
    impl_->incidents_of_group.erase(key);
  } else {
    impl_->incidents_of_group[key] = std::move(ids);
  }
}

void IncidentService::notification_delivered(const std::string& receiver,
                                             const std::string& group_key, bool delivered,
                                             const std::string& reason, TimePoint at) {
  std::set<std::int64_t> ids;
  {
    const std::lock_guard lock(impl_->groups_mutex);
    const auto found = impl_->incidents_of_group.find(std::make_pair(receiver, group_key));
    if (found == impl_->incidents_of_group.end())
      return;
    ids = found->second;
  }
  for (const std::int64_t id : ids) {
    incident::TimelineEvent event;
    event.at = at;
    event.actor = receiver;
    event.kind = std::string(delivered ? incident::event_kind::kNotificationSent
                                       : incident::event_kind::kNotificationFailed);
    event.text = delivered ? "notified " + receiver : "notifying " + receiver + " failed";
    event.fields = {{"receiver", receiver}, {"group_key", impl_->redact(group_key)}};
    if (!delivered)
      event.fields["reason"] = impl_->redact(reason);
    if (Status appended = impl_->append_event(id, std::move(event)); !appended) {
      impl_->warn("incident " + std::to_string(id) +
                  ": recording a notification failed: " + appended.error().message);
    }
  }
}

void IncidentService::escalation_acknowledged(const alert::GroupNotification& latest,
                                              const std::string& by, TimePoint at) {
  for (const std::int64_t id : impl_->incidents_of(latest.alerts)) {
    const std::string receiver = latest.receiver;
    Status written =
        impl_->write([id, receiver, by, at](Database&, IncidentStore& store) -> Status {
          auto current = store.get(id);
          if (!current)
            return current.error();
          if (!*current)
            return {};
          std::vector<incident::TimelineEvent> events;
          incident::TimelineEvent acknowledged;
          acknowledged.incident_id = id;
          acknowledged.at = at;
          acknowledged.actor = by;
          acknowledged.kind = std::string(incident::event_kind::kNotificationAcknowledged);
          acknowledged.text = by;
          acknowledged.text += " acknowledged the page to ";
          acknowledged.text += receiver;
          acknowledged.fields = {{"receiver", receiver}, {"by", by}};
          events.push_back(std::move(acknowledged));
          if (!(*current)->times.acknowledged) {
            incident::IncidentPatch patch;
            patch.acknowledged = at;
            auto checked = incident::apply_patch(**current, patch, by, at);
            if (auto* change = std::get_if<incident::Change<incident::Incident>>(&checked);
                change != nullptr && !change->events.empty()) {
              auto updated = store.update(change->record, (*current)->version);
              if (!updated)
                return updated.error();
              if (*updated) {
                for (incident::TimelineEvent& event : change->events) {
                  event.incident_id = id;
                  events.push_back(std::move(event));
                }
              }
            }
          }
          return store.append(events);
        });
    if (!written) {
      impl_->warn("incident " + std::to_string(id) +
                  ": recording an acknowledgement failed: " + written.error().message);
    }
  }
}

// --- reminders -----------------------------------------------------------------------------------

Result<std::size_t> IncidentService::remind_overdue(TimePoint now) {
  std::vector<incident::ActionItem> overdue;
  {
    const std::lock_guard lock(impl_->read_mutex);
    auto items = impl_->reader_store.overdue(now);
    if (!items)
      return items.error();
    overdue = std::move(items).value();
  }
  const Options& options = impl_->options;
  std::size_t sent = 0;
  for (const incident::ActionItem& item : overdue) {
    if (item.reminded_at && now - *item.reminded_at < options.remind_every)
      continue;
    std::string receiver = options.default_receiver;
    if (!item.owner.empty() && options.has_receiver && options.has_receiver("page-" + item.owner))
      receiver = "page-" + item.owner;
    const std::string what = "action item " + std::to_string(item.id) + " of incident " +
                             std::to_string(item.incident_id);
    if (receiver.empty() || !options.notify) {
      impl_->warn(what + " is overdue but no receiver is configured to remind '" + item.owner +
                  "'");
      continue;
    }
    alert::GroupNotification reminder;
    reminder.receiver = receiver;
    reminder.group_key = "{}:{action_id=\"" + std::to_string(item.id) + "\"}";
    reminder.group_labels = {{"action_id", std::to_string(item.id)}};
    reminder.at = now;
    alert::Alert overdue_alert;
    overdue_alert.labels = {{"alertname", "IncidentActionItemOverdue"},
                            {"action_id", std::to_string(item.id)},
                            {"incident", std::to_string(item.incident_id)},
                            {"priority", std::string(incident::to_string(item.priority))}};
    if (!item.owner.empty())
      overdue_alert.labels["owner"] = item.owner;
    overdue_alert.annotations = {
        {"summary", "Overdue: " + item.title},
        {"due", item.due ? format_rfc3339(*item.due) : std::string()},
    };
    if (!item.ticket_url.empty())
      overdue_alert.annotations["ticket_url"] = item.ticket_url;
    overdue_alert.starts_at = item.due.value_or(now);
    reminder.alerts.push_back(std::move(overdue_alert));
    if (Status queued = options.notify(reminder); !queued) {
      std::string warning = "reminding " + receiver;
      warning += " of " + what;
      warning += " failed: " + queued.error().message;
      impl_->warn(warning);
      continue;
    }
    const std::int64_t action_id = item.id;
    const std::int64_t incident_id = item.incident_id;
    const std::string owner = item.owner;
    Status marked = impl_->write([=](Database&, IncidentStore& store) -> Status {
      if (Status done = store.mark_reminded(action_id, now); !done)
        return done;
      incident::TimelineEvent event;
      event.incident_id = incident_id;
      event.at = now;
      event.actor = std::string(kSystemActor);
      event.kind = std::string(incident::event_kind::kActionItem);
      event.text = "reminded " + (owner.empty() ? receiver : owner) + " of overdue action item " +
                   std::to_string(action_id);
      event.fields = {
          {"action_id", std::to_string(action_id)}, {"change", "reminded"}, {"receiver", receiver}};
      std::vector<incident::TimelineEvent> events{std::move(event)};
      return store.append(events);
    });
    if (!marked)
      return marked.error();
    ++sent;
  }
  return sent;
}

}  // namespace sloe::app

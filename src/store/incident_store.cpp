#include "sloe/store/incident_store.h"

#include <chrono>
#include <initializer_list>
#include <utility>
#include <variant>

#include "sloe/store/alert_log.h"
#include "statements.h"
#include "stored_text.h"

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
using detail::Value;

using incident::ActionItem;
using incident::Incident;
using incident::NoteRevision;
using incident::RoleAssignment;
using incident::TimelineEvent;

namespace {

constexpr std::size_t kMaxPageSize = 1000;
constexpr std::size_t kMaxTimelinePage = 10000;

// The partial unique index of migration 5 names its column in SQLite's message.
constexpr std::string_view kOpenDedupViolation = "UNIQUE constraint failed: incidents.dedup_key";

bool is_duplicate_open(const Error& error) {
  return error.message.find(kOpenDedupViolation) != std::string::npos;
}

Error duplicate_open(const std::string& dedup_key) {
  return Error{"duplicate open incident: another open incident has dedup_key '" + dedup_key + "'"};
}

constexpr std::string_view kIncidentColumns =
    "id, title, summary, service, state, severity, test, impact_started_at, detected_at, "
    "acknowledged_at, mitigated_at, resolved_at, closed_at, labels, dedup_key, version, "
    "created_at, updated_at, created_by";

constexpr std::string_view kEventColumns =
    "id, incident_id, at, actor, kind, text, fields, pinned, revision";

constexpr std::string_view kActionColumns =
    "id, incident_id, title, owner, due, priority, type, status, ticket_url, version, created_at, "
    "updated_at, created_by, reminded_at";

// Reads a row selected with kIncidentColumns (roles are loaded separately).
Result<Incident> read_incident(const Statement& row) {
  Incident incident;
  incident.id = row.column_int64(0);
  const auto unreadable = [&](const std::string& what) {
    return Error{"incident " + std::to_string(incident.id) + " has an unreadable " + what};
  };
  incident.title = row.column_text(1);
  incident.summary = row.column_text(2);
  incident.service = row.column_text(3);
  auto state = incident::parse_state(row.column_text(4));
  if (!state)
    return unreadable("state '" + row.column_text(4) + "'");
  incident.state = *state;
  const std::int64_t severity = row.column_int64(5);
  if (severity < 1 || severity > 4)
    return unreadable("severity " + std::to_string(severity));
  incident.severity = static_cast<incident::Severity>(severity);
  incident.test = row.column_int64(6) != 0;
  incident.times.impact_started = column_optional_time(row, 7);
  incident.times.detected = column_optional_time(row, 8);
  incident.times.acknowledged = column_optional_time(row, 9);
  incident.times.mitigated = column_optional_time(row, 10);
  incident.times.resolved = column_optional_time(row, 11);
  incident.times.closed = column_optional_time(row, 12);
  auto labels = decode_labels(row.column_text(13));
  if (!labels)
    return unreadable("label set: " + labels.error().message);
  incident.labels = std::move(labels).value();
  incident.dedup_key = row.column_text(14);
  incident.version = row.column_int64(15);
  incident.created_at = from_millis(row.column_int64(16));
  incident.updated_at = from_millis(row.column_int64(17));
  incident.created_by = row.column_text(18);
  return incident;
}

Result<TimelineEvent> read_event(const Statement& row) {
  TimelineEvent event;
  event.id = row.column_int64(0);
  event.incident_id = row.column_int64(1);
  event.at = from_millis(row.column_int64(2));
  event.actor = row.column_text(3);
  event.kind = row.column_text(4);
  event.text = row.column_text(5);
  auto fields = decode_labels(row.column_text(6));
  if (!fields) {
    return Error{"timeline event " + std::to_string(event.id) +
                 " has unreadable fields: " + fields.error().message};
  }
  event.fields = std::move(fields).value();
  event.pinned = row.column_int64(7) != 0;
  event.revision = static_cast<int>(row.column_int64(8));
  return event;
}

Result<ActionItem> read_action(const Statement& row) {
  ActionItem item;
  item.id = row.column_int64(0);
  const auto unreadable = [&](const std::string& what) {
    return Error{"action item " + std::to_string(item.id) + " has an unreadable " + what};
  };
  item.incident_id = row.column_int64(1);
  item.title = row.column_text(2);
  item.owner = row.column_text(3);
  item.due = column_optional_time(row, 4);
  const std::int64_t priority = row.column_int64(5);
  if (priority < 1 || priority > 4)
    return unreadable("priority " + std::to_string(priority));
  item.priority = static_cast<incident::Priority>(priority);
  auto type = incident::parse_action_type(row.column_text(6));
  if (!type)
    return unreadable("type '" + row.column_text(6) + "'");
  item.type = *type;
  auto status = incident::parse_action_status(row.column_text(7));
  if (!status)
    return unreadable("status '" + row.column_text(7) + "'");
  item.status = *status;
  item.ticket_url = row.column_text(8);
  item.version = row.column_int64(9);
  item.created_at = from_millis(row.column_int64(10));
  item.updated_at = from_millis(row.column_int64(11));
  item.created_by = row.column_text(12);
  item.reminded_at = column_optional_time(row, 13);
  return item;
}

}  // namespace

struct IncidentStore::Statements {
  std::optional<Statement> insert_incident;
  std::optional<Statement> update_incident;
  std::optional<Statement> select_incident;
  std::optional<Statement> select_open;
  std::optional<Statement> select_roles;
  std::optional<Statement> delete_roles;
  std::optional<Statement> insert_role;
  std::optional<Statement> insert_event;
  std::optional<Statement> select_timeline;
  std::optional<Statement> select_event;
  std::optional<Statement> insert_link;
  std::optional<Statement> select_link;
  std::optional<Statement> insert_action;
  std::optional<Statement> update_action;
  std::optional<Statement> select_action;
  std::optional<Statement> select_actions;
};

IncidentStore::IncidentStore(Database& db) : db_(db), statements_(std::make_unique<Statements>()) {}

IncidentStore::~IncidentStore() = default;

namespace {

// Runs select (its parameter 1 is an id) and reads its one row, if any, with read: a
// Result<Row>(Statement&). `what` names the row in errors ("timeline event 12").
template <typename Row, typename Read>
Result<std::optional<Row>> select_by_id(Statement& select, std::int64_t id, const std::string& what,
                                        const Read& read) {
  ResetOnExit reset(select);
  if (Status bound = select.bind(1, id); !bound)
    return bound.error();
  auto row = select.step();
  if (!row)
    return Error{"reading " + what + ": " + row.error().message};
  if (!*row)
    return std::optional<Row>{};
  auto value = read(select);
  if (!value)
    return value.error();
  return std::optional<Row>(std::move(value).value());
}

std::string select_sql(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

}  // namespace

// ---- helpers shared by the methods (members so they reach the statement cache) ----

namespace {

Status load_roles(Database& db, std::optional<Statement>& slot, Incident& incident) {
  auto select = cached(db, slot,
                       "SELECT role, person, since, until, assigned_by FROM incident_roles "
                       "WHERE incident_id = ? ORDER BY position");
  if (!select)
    return select.error();
  Statement& statement = **select;
  ResetOnExit reset(statement);
  if (Status bound = statement.bind(1, incident.id); !bound)
    return bound;
  auto roles = read_all<RoleAssignment>(statement, "", [](const Statement& row) {
    RoleAssignment role;
    role.role = row.column_text(0);
    role.person = row.column_text(1);
    role.since = from_millis(row.column_int64(2));
    role.until = column_optional_time(row, 3);
    role.assigned_by = row.column_text(4);
    return Result<RoleAssignment>(std::move(role));
  });
  if (!roles)
    return roles.error();
  incident.roles = std::move(roles).value();
  return {};
}

Status write_roles(Database& db, std::optional<Statement>& delete_slot,
                   std::optional<Statement>& insert_slot, const Incident& incident) {
  auto remove = cached(db, delete_slot, "DELETE FROM incident_roles WHERE incident_id = ?");
  if (!remove)
    return remove.error();
  {
    ResetOnExit reset(**remove);
    if (Status bound = (*remove)->bind(1, incident.id); !bound)
      return bound;
    if (Status done = run_to_end(**remove); !done)
      return done;
  }
  auto insert = cached(db, insert_slot,
                       "INSERT INTO incident_roles(incident_id, position, role, person, since, "
                       "until, assigned_by) VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!insert)
    return insert.error();
  std::int64_t position = 0;
  for (const RoleAssignment& role : incident.roles) {
    ResetOnExit reset(**insert);
    Status bound =
        bind_all(**insert, {incident.id, position++, role.role, role.person, to_millis(role.since),
                            optional_millis(role.until), role.assigned_by});
    if (!bound)
      return bound;
    if (Status done = run_to_end(**insert); !done)
      return done;
  }
  return {};
}

// Binds every column of incidents but id, created_at and created_by, in the order the insert
// and update statements below name them (parameters 1..16).
Status bind_incident_fields(Statement& statement, const Incident& incident,
                            const std::string& labels) {
  const incident::Timestamps& times = incident.times;
  return bind_all(
      statement,
      {std::string_view(incident.title), std::string_view(incident.summary),
       std::string_view(incident.service), incident::to_string(incident.state),
       static_cast<std::int64_t>(incident.severity),
       static_cast<std::int64_t>(incident.test ? 1 : 0), optional_millis(times.impact_started),
       optional_millis(times.detected), optional_millis(times.acknowledged),
       optional_millis(times.mitigated), optional_millis(times.resolved),
       optional_millis(times.closed), std::string_view(labels),
       std::string_view(incident.dedup_key), incident.version, to_millis(incident.updated_at)});
}

constexpr std::string_view kInsertIncident =
    "INSERT INTO incidents(title, summary, service, state, severity, test, impact_started_at, "
    "detected_at, acknowledged_at, mitigated_at, resolved_at, closed_at, labels, dedup_key, "
    "version, updated_at, created_at, created_by) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

constexpr std::string_view kUpdateIncident =
    "UPDATE incidents SET title = ?1, summary = ?2, service = ?3, state = ?4, severity = ?5, "
    "test = ?6, impact_started_at = ?7, detected_at = ?8, acknowledged_at = ?9, "
    "mitigated_at = ?10, resolved_at = ?11, closed_at = ?12, labels = ?13, dedup_key = ?14, "
    "version = ?15, updated_at = ?16 WHERE id = ?17 AND version = ?18";

}  // namespace

Result<Incident> IncidentStore::create(const Incident& incident,
                                       std::vector<TimelineEvent>& events) {
  Incident stored = incident;
  std::vector<TimelineEvent> written = events;
  Status created = db_.transaction([&](Database& db) -> Status {
    auto insert = cached(db, statements_->insert_incident, kInsertIncident);
    if (!insert)
      return insert.error();
    {
      ResetOnExit reset(**insert);
      const std::string labels = encode_labels(stored.labels);
      if (Status bound = bind_incident_fields(**insert, stored, labels); !bound)
        return bound;
      if (Status bound = (*insert)->bind(17, to_millis(stored.created_at)); !bound)
        return bound;
      if (Status bound = (*insert)->bind(18, std::string_view(stored.created_by)); !bound)
        return bound;
      if (Status done = run_to_end(**insert); !done) {
        if (is_duplicate_open(done.error()))
          return duplicate_open(stored.dedup_key);
        return done;
      }
    }
    stored.id = db.last_insert_rowid();
    if (Status roles = write_roles(db, statements_->delete_roles, statements_->insert_role, stored);
        !roles) {
      return roles;
    }
    for (TimelineEvent& event : written)
      event.incident_id = stored.id;
    return append(written);
  });
  if (!created) {
    if (created.error().message.rfind("duplicate open incident", 0) == 0)
      return created.error();
    return Error{"creating incident '" + incident.title + "': " + created.error().message};
  }
  events = std::move(written);
  return stored;
}

Result<std::optional<Incident>> IncidentStore::get(std::int64_t id) {
  auto select = cached(db_, statements_->select_incident,
                       select_sql(kIncidentColumns, "FROM incidents WHERE id = ?"));
  if (!select)
    return Error{"reading incident " + std::to_string(id) + ": " + select.error().message};
  auto read = select_by_id<Incident>(**select, id, "incident " + std::to_string(id), read_incident);
  if (!read || !*read)
    return read;
  std::optional<Incident> found = std::move(read).value();
  if (Status roles = load_roles(db_, statements_->select_roles, *found); !roles)
    return Error{"reading incident " + std::to_string(id) + " roles: " + roles.error().message};
  return found;
}

Result<std::optional<Incident>> IncidentStore::find_open(const std::string& dedup_key) {
  if (dedup_key.empty())
    return std::optional<Incident>{};
  auto select = cached(db_, statements_->select_open,
                       "SELECT id FROM incidents WHERE dedup_key = ? AND dedup_key <> '' AND "
                       "state NOT IN ('resolved', 'closed')");
  if (!select)
    return Error{"finding open incident: " + select.error().message};
  std::int64_t id = 0;
  {
    ResetOnExit reset(**select);
    if (Status bound = (*select)->bind(1, std::string_view(dedup_key)); !bound)
      return bound.error();
    auto row = (*select)->step();
    if (!row)
      return Error{"finding open incident: " + row.error().message};
    if (!*row)
      return std::optional<Incident>{};
    id = (*select)->column_int64(0);
  }
  return get(id);
}

Result<IncidentPage> IncidentStore::list(const IncidentQuery& query) {
  if (query.limit < 1 || query.limit > kMaxPageSize) {
    return Error{"limit must be between 1 and " + std::to_string(kMaxPageSize) + ", got " +
                 std::to_string(query.limit)};
  }
  // Only the filters asked for, so SQLite can pick the index that fits.
  std::string where = "WHERE 1";
  std::vector<Value> values;
  const std::string state =
      query.state ? std::string(incident::to_string(*query.state)) : std::string();
  if (query.state) {
    where += " AND state = ?";
    values.emplace_back(std::string_view(state));
  }
  if (query.severity) {
    where += " AND severity = ?";
    values.emplace_back(static_cast<std::int64_t>(*query.severity));
  }
  if (!query.service.empty()) {
    where += " AND service = ?";
    values.emplace_back(std::string_view(query.service));
  }
  if (query.since) {
    where += " AND created_at >= ?";
    values.emplace_back(to_millis(*query.since));
  }
  if (query.until) {
    where += " AND created_at < ?";
    values.emplace_back(to_millis(*query.until));
  }
  if (!query.include_tests)
    where += " AND test = 0";
  if (query.before_id > 0) {
    where += " AND id < ?";
    values.emplace_back(query.before_id);
  }
  where += " ORDER BY id DESC LIMIT ?";
  values.emplace_back(static_cast<std::int64_t>(query.limit + 1));  // one more: is there a next?

  auto select = db_.prepare(select_sql(kIncidentColumns, "FROM incidents " + where));
  if (!select)
    return Error{"listing incidents: " + select.error().message};
  int index = 1;
  for (const Value& value : values) {
    Status bound = std::visit([&](const auto& v) { return select->bind(index, v); }, value);
    if (!bound)
      return bound.error();
    ++index;
  }
  IncidentPage page;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"listing incidents: " + row.error().message};
    if (!*row)
      break;
    if (page.incidents.size() == query.limit) {
      page.next_before_id = page.incidents.back().id;
      break;
    }
    auto incident = read_incident(*select);
    if (!incident)
      return incident.error();
    page.incidents.push_back(std::move(incident).value());
  }
  select->reset();
  for (Incident& incident : page.incidents) {
    if (Status roles = load_roles(db_, statements_->select_roles, incident); !roles)
      return Error{"listing incidents: " + roles.error().message};
  }
  return page;
}

Result<std::vector<Incident>> IncidentStore::all() {
  auto select = db_.prepare(select_sql(kIncidentColumns, "FROM incidents ORDER BY id"));
  if (!select)
    return Error{"reading incidents: " + select.error().message};
  auto read = read_all<Incident>(*select, "reading incidents", read_incident);
  if (!read)
    return read.error();
  std::vector<Incident> incidents = std::move(read).value();
  select->reset();
  for (Incident& incident : incidents) {
    if (Status roles = load_roles(db_, statements_->select_roles, incident); !roles)
      return Error{"reading incidents: " + roles.error().message};
  }
  return incidents;
}

Result<bool> IncidentStore::update(const Incident& updated, std::int64_t expected_version) {
  bool written = false;
  Status done = db_.transaction([&](Database& db) -> Status {
    auto statement = cached(db, statements_->update_incident, kUpdateIncident);
    if (!statement)
      return statement.error();
    {
      ResetOnExit reset(**statement);
      const std::string labels = encode_labels(updated.labels);
      if (Status bound = bind_incident_fields(**statement, updated, labels); !bound)
        return bound;
      if (Status bound = (*statement)->bind(17, updated.id); !bound)
        return bound;
      if (Status bound = (*statement)->bind(18, expected_version); !bound)
        return bound;
      if (Status ran = run_to_end(**statement); !ran) {
        if (is_duplicate_open(ran.error()))
          return duplicate_open(updated.dedup_key);
        return ran;
      }
    }
    if (db.changes() == 0)
      return {};  // stale version (or no such incident): nothing written
    written = true;
    return write_roles(db, statements_->delete_roles, statements_->insert_role, updated);
  });
  if (!done) {
    if (done.error().message.rfind("duplicate open incident", 0) == 0)
      return done.error();
    return Error{"updating incident " + std::to_string(updated.id) + ": " + done.error().message};
  }
  return written;
}

Status IncidentStore::append(std::vector<TimelineEvent>& events) {
  if (events.empty())
    return {};
  std::vector<std::int64_t> ids;
  ids.reserve(events.size());
  const auto write_all = [&](Database& db) -> Status {
    auto insert = cached(db, statements_->insert_event,
                         "INSERT INTO timeline_events(incident_id, at, actor, kind, text, fields, "
                         "pinned, revision) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert)
      return insert.error();
    for (const TimelineEvent& event : events) {
      ResetOnExit reset(**insert);
      const std::string fields = encode_labels(event.fields);
      Status bound =
          bind_all(**insert, {event.incident_id, to_millis(event.at), std::string_view(event.actor),
                              std::string_view(event.kind), std::string_view(event.text),
                              std::string_view(fields), static_cast<std::int64_t>(event.pinned),
                              static_cast<std::int64_t>(event.revision)});
      if (!bound)
        return bound;
      if (Status done = run_to_end(**insert); !done) {
        return Error{"incident " + std::to_string(event.incident_id) + " event '" + event.kind +
                     "': " + done.error().message};
      }
      ids.push_back(db.last_insert_rowid());
    }
    return {};
  };
  // One event needs no transaction of its own: the insert is atomic.
  Status written = events.size() == 1 ? write_all(db_) : db_.transaction(write_all);
  if (!written)
    return Error{"appending to the timeline: " + written.error().message};
  for (std::size_t i = 0; i < events.size(); ++i)
    events[i].id = ids[i];
  return {};
}

Result<std::vector<TimelineEvent>> IncidentStore::timeline(std::int64_t incident_id,
                                                           std::int64_t after_id,
                                                           std::size_t limit) {
  if (limit < 1 || limit > kMaxTimelinePage) {
    return Error{"limit must be between 1 and " + std::to_string(kMaxTimelinePage) + ", got " +
                 std::to_string(limit)};
  }
  auto select = cached(
      db_, statements_->select_timeline,
      select_sql(kEventColumns,
                 "FROM timeline_events WHERE incident_id = ? AND id > ? ORDER BY id LIMIT ?"));
  if (!select)
    return Error{"reading the timeline: " + select.error().message};
  ResetOnExit reset(**select);
  if (Status bound = bind_all(**select, {incident_id, after_id, static_cast<std::int64_t>(limit)});
      !bound) {
    return bound.error();
  }
  return read_all<TimelineEvent>(
      **select, "reading the timeline of incident " + std::to_string(incident_id), read_event);
}

Result<std::optional<TimelineEvent>> IncidentStore::event(std::int64_t event_id) {
  auto select = cached(db_, statements_->select_event,
                       select_sql(kEventColumns, "FROM timeline_events WHERE id = ?"));
  if (!select)
    return Error{"reading timeline event: " + select.error().message};
  return select_by_id<TimelineEvent>(**select, event_id,
                                     "timeline event " + std::to_string(event_id), read_event);
}

Status IncidentStore::edit_note(const TimelineEvent& edited, const std::string& editor,
                                TimePoint at) {
  Status done = db_.transaction([&](Database& db) -> Status {
    auto current = event(edited.id);
    if (!current)
      return current.error();
    if (!*current)
      return Error{"no timeline event " + std::to_string(edited.id)};
    const TimelineEvent& stored = **current;
    if (stored.kind != incident::event_kind::kNote)
      return Error{"timeline event " + std::to_string(edited.id) + " is not a note"};
    int revision = stored.revision;
    if (edited.text != stored.text) {
      auto keep = db.prepare(
          "INSERT INTO note_revisions(event_id, revision, text, edited_by, edited_at) "
          "VALUES(?, ?, ?, ?, ?)");
      if (!keep)
        return keep.error();
      if (Status bound = bind_all(
              *keep, {stored.id, static_cast<std::int64_t>(stored.revision),
                      std::string_view(stored.text), std::string_view(editor), to_millis(at)});
          !bound) {
        return bound;
      }
      if (Status ran = run_to_end(*keep); !ran)
        return ran;
      ++revision;
    }
    auto change =
        db.prepare("UPDATE timeline_events SET text = ?, pinned = ?, revision = ? WHERE id = ?");
    if (!change)
      return change.error();
    if (Status bound = bind_all(
            *change, {std::string_view(edited.text), static_cast<std::int64_t>(edited.pinned),
                      static_cast<std::int64_t>(revision), stored.id});
        !bound) {
      return bound;
    }
    return run_to_end(*change);
  });
  if (!done)
    return Error{"editing note " + std::to_string(edited.id) + ": " + done.error().message};
  return {};
}

Result<std::vector<NoteRevision>> IncidentStore::note_revisions(std::int64_t event_id) {
  auto select = db_.prepare(
      "SELECT revision, text, edited_by, edited_at FROM note_revisions WHERE event_id = ? "
      "ORDER BY revision");
  if (!select)
    return Error{"reading note revisions: " + select.error().message};
  if (Status bound = select->bind(1, event_id); !bound)
    return bound.error();
  return read_all<NoteRevision>(*select, "reading note revisions",
                                [event_id](const Statement& row) {
                                  NoteRevision revision;
                                  revision.event_id = event_id;
                                  revision.revision = static_cast<int>(row.column_int64(0));
                                  revision.text = row.column_text(1);
                                  revision.edited_by = row.column_text(2);
                                  revision.edited_at = from_millis(row.column_int64(3));
                                  return Result<NoteRevision>(std::move(revision));
                                });
}

Result<bool> IncidentStore::link_alert(std::int64_t incident_id, std::uint64_t fingerprint,
                                       TimePoint starts_at) {
  auto insert = cached(db_, statements_->insert_link,
                       "INSERT INTO incident_alerts(fingerprint, starts_at, incident_id) "
                       "VALUES(?, ?, ?) ON CONFLICT(fingerprint, starts_at) DO NOTHING");
  if (!insert)
    return Error{"linking alert: " + insert.error().message};
  ResetOnExit reset(**insert);
  const std::string fingerprint_hex = detail::fingerprint_text(fingerprint);
  if (Status bound = bind_all(
          **insert, {std::string_view(fingerprint_hex), to_millis(starts_at), incident_id});
      !bound) {
    return bound.error();
  }
  if (Status done = run_to_end(**insert); !done) {
    return Error{"linking alert " + fingerprint_hex + " to incident " +
                 std::to_string(incident_id) + ": " + done.error().message};
  }
  return db_.changes() == 1;
}

Result<std::optional<std::int64_t>> IncidentStore::incident_for_alert(std::uint64_t fingerprint,
                                                                      TimePoint starts_at) {
  auto select = cached(db_, statements_->select_link,
                       "SELECT incident_id FROM incident_alerts WHERE fingerprint = ? AND "
                       "starts_at = ?");
  if (!select)
    return Error{"finding alert's incident: " + select.error().message};
  ResetOnExit reset(**select);
  const std::string fingerprint_hex = detail::fingerprint_text(fingerprint);
  if (Status bound = bind_all(**select, {std::string_view(fingerprint_hex), to_millis(starts_at)});
      !bound) {
    return bound.error();
  }
  auto row = (*select)->step();
  if (!row)
    return Error{"finding alert " + fingerprint_hex + "'s incident: " + row.error().message};
  if (!*row)
    return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>((*select)->column_int64(0));
}

namespace {

// Parameters 1..11 of the action insert and update statements.
Status bind_action_fields(Statement& statement, const ActionItem& item) {
  return bind_all(
      statement,
      {std::string_view(item.title), std::string_view(item.owner), optional_millis(item.due),
       static_cast<std::int64_t>(item.priority), incident::to_string(item.type),
       incident::to_string(item.status), std::string_view(item.ticket_url), item.version,
       to_millis(item.updated_at), optional_millis(item.reminded_at), item.incident_id});
}

}  // namespace

Result<ActionItem> IncidentStore::add_action(const ActionItem& item) {
  auto insert =
      cached(db_, statements_->insert_action,
             "INSERT INTO action_items(title, owner, due, priority, type, status, "
             "ticket_url, version, updated_at, reminded_at, incident_id, created_at, "
             "created_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert)
    return Error{"adding action item: " + insert.error().message};
  ResetOnExit reset(**insert);
  Status bound = bind_action_fields(**insert, item);
  if (bound)
    bound = (*insert)->bind(12, to_millis(item.created_at));
  if (bound)
    bound = (*insert)->bind(13, std::string_view(item.created_by));
  if (!bound)
    return bound.error();
  if (Status done = run_to_end(**insert); !done) {
    return Error{"adding action item to incident " + std::to_string(item.incident_id) + ": " +
                 done.error().message};
  }
  ActionItem stored = item;
  stored.id = db_.last_insert_rowid();
  return stored;
}

Result<std::optional<ActionItem>> IncidentStore::action(std::int64_t action_id) {
  auto select = cached(db_, statements_->select_action,
                       select_sql(kActionColumns, "FROM action_items WHERE id = ?"));
  if (!select)
    return Error{"reading action item: " + select.error().message};
  return select_by_id<ActionItem>(**select, action_id, "action item " + std::to_string(action_id),
                                  read_action);
}

namespace {

Result<std::vector<ActionItem>> read_actions(Statement& statement) {
  return read_all<ActionItem>(statement, "", read_action);
}

}  // namespace

Result<std::vector<ActionItem>> IncidentStore::actions(std::int64_t incident_id) {
  auto select =
      cached(db_, statements_->select_actions,
             select_sql(kActionColumns, "FROM action_items WHERE incident_id = ? ORDER BY id"));
  if (!select)
    return Error{"reading action items: " + select.error().message};
  ResetOnExit reset(**select);
  if (Status bound = (*select)->bind(1, incident_id); !bound)
    return bound.error();
  auto items = read_actions(**select);
  if (!items) {
    return Error{"reading action items of incident " + std::to_string(incident_id) + ": " +
                 items.error().message};
  }
  return items;
}

Result<bool> IncidentStore::update_action(const ActionItem& updated,
                                          std::int64_t expected_version) {
  auto statement = cached(db_, statements_->update_action,
                          "UPDATE action_items SET title = ?1, owner = ?2, due = ?3, "
                          "priority = ?4, type = ?5, status = ?6, ticket_url = ?7, version = ?8, "
                          "updated_at = ?9, reminded_at = ?10 "
                          "WHERE incident_id = ?11 AND id = ?12 AND version = ?13");
  if (!statement)
    return Error{"updating action item: " + statement.error().message};
  ResetOnExit reset(**statement);
  Status bound = bind_action_fields(**statement, updated);
  if (bound)
    bound = (*statement)->bind(12, updated.id);
  if (bound)
    bound = (*statement)->bind(13, expected_version);
  if (!bound)
    return bound.error();
  if (Status done = run_to_end(**statement); !done) {
    return Error{"updating action item " + std::to_string(updated.id) + ": " +
                 done.error().message};
  }
  return db_.changes() == 1;
}

Result<std::vector<ActionItem>> IncidentStore::overdue(TimePoint now) {
  auto select = db_.prepare(select_sql(
      kActionColumns,
      "FROM action_items WHERE status IN ('open', 'in_progress') AND due IS NOT NULL AND due < ? "
      "ORDER BY due, id"));
  if (!select)
    return Error{"reading overdue action items: " + select.error().message};
  if (Status bound = select->bind(1, to_millis(now)); !bound)
    return bound.error();
  auto items = read_actions(*select);
  if (!items)
    return Error{"reading overdue action items: " + items.error().message};
  return items;
}

Status IncidentStore::mark_reminded(std::int64_t action_id, TimePoint at) {
  auto statement = db_.prepare("UPDATE action_items SET reminded_at = ? WHERE id = ?");
  if (!statement)
    return Error{"marking action item reminded: " + statement.error().message};
  if (Status bound = bind_all(*statement, {to_millis(at), action_id}); !bound)
    return bound;
  if (Status done = run_to_end(*statement); !done) {
    return Error{"marking action item " + std::to_string(action_id) +
                 " reminded: " + done.error().message};
  }
  if (db_.changes() == 0)
    return Error{"no action item " + std::to_string(action_id)};
  return {};
}

}  // namespace sloe::store

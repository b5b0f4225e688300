// IncidentStore: the durable incident record — incidents, their role history, the append-only
// timeline (with note revisions), action items, and the alerts linked to each incident.
// AuditLog: who changed what, when, from where.
//
// Tables: incidents, incident_roles, incident_alerts, timeline_events, note_revisions,
// action_items (schema migration 5) and audit_log (migration 6). Labels/fields are stored in Prometheus' series
// notation, as in alert_log.h; times as integer Unix milliseconds (UTC).
//
// Open incidents are unique per dedup_key (a partial unique index over incidents whose state is
// not resolved/closed and whose key is not empty), and an alert period (fingerprint, starts_at)
// links to at most one incident: two writers racing to open the same incident cannot both succeed.
//
// Every method runs in the caller's transaction when there is one (Database::transaction), or
// commits on its own otherwise. Thread-safety: as for the Database (one thread at a time).
// Ownership: borrows the Database, opened with sloe_migrations() (migrations 5 and 6 included).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"
#include "sloe/store/database.h"

namespace sloe::store {

struct IncidentQuery {
  std::optional<incident::State> state;
  std::optional<incident::Severity> severity;
  std::string service;             // empty: any
  std::optional<TimePoint> since;  // created_at >= since
  std::optional<TimePoint> until;  // created_at < until
  bool include_tests = true;
  std::int64_t before_id = 0;  // pagination cursor: only ids below it; 0: from the newest
  std::size_t limit = 50;      // 1..1000
};

struct IncidentPage {
  std::vector<incident::Incident> incidents;  // newest (highest id) first
  std::int64_t next_before_id = 0;            // 0: no more pages
};

class IncidentStore {
 public:
  // Statements are prepared on first use and kept. REQUIRES: db outlives the store.
  explicit IncidentStore(Database& db);
  ~IncidentStore();
  IncidentStore(const IncidentStore&) = delete;
  IncidentStore& operator=(const IncidentStore&) = delete;

  // Inserts a new incident (id assigned, roles included) and its events (incident_id filled in).
  // Fails with a message starting "duplicate open incident" when another open incident has the
  // same non-empty dedup_key. Returns the stored incident.
  Result<incident::Incident> create(const incident::Incident& incident,
                                    std::vector<incident::TimelineEvent>& events);

  Result<std::optional<incident::Incident>> get(std::int64_t id);
  // The open incident (state not resolved/closed) with this dedup_key, if any.
  Result<std::optional<incident::Incident>> find_open(const std::string& dedup_key);
  Result<IncidentPage> list(const IncidentQuery& query);
  // Every incident (for the response-time metrics); test incidents included.
  Result<std::vector<incident::Incident>> all();

  // Writes updated over the row whose version is expected_version (updated.version is what gets
  // stored, normally expected_version + 1) and replaces its role history with updated.roles.
  // Returns false, writing nothing, when the stored version differs (a concurrent edit).
  Result<bool> update(const incident::Incident& updated, std::int64_t expected_version);

  // Appends events (ids assigned into them). REQUIRES: each event's incident exists.
  Status append(std::vector<incident::TimelineEvent>& events);
  // Events of an incident in id order, those with id > after_id, at most limit (1..10000).
  Result<std::vector<incident::TimelineEvent>> timeline(std::int64_t incident_id,
                                                        std::int64_t after_id, std::size_t limit);
  Result<std::optional<incident::TimelineEvent>> event(std::int64_t event_id);
  // Replaces a note's text/pinned flag, keeping the previous text as a NoteRevision; the event's
  // revision goes up by one when the text changed. REQUIRES: the event is a note.
  // A pinned-flag-only change keeps the revision and adds no NoteRevision.
  Status edit_note(const incident::TimelineEvent& edited, const std::string& editor, TimePoint at);
  // The superseded texts of a note, oldest first: revision r's text, and the editor and time of
  // the edit that replaced it (the current text is the event's own).
  Result<std::vector<incident::NoteRevision>> note_revisions(std::int64_t event_id);

  // Links an alert period to an incident. Returns false when that period is already linked
  // (to this or another incident): the caller then treats the alert as a repeat.
  Result<bool> link_alert(std::int64_t incident_id, std::uint64_t fingerprint, TimePoint starts_at);
  // The incident an alert period is linked to, if any.
  Result<std::optional<std::int64_t>> incident_for_alert(std::uint64_t fingerprint,
                                                         TimePoint starts_at);

  Result<incident::ActionItem> add_action(const incident::ActionItem& item);
  Result<std::optional<incident::ActionItem>> action(std::int64_t action_id);
  Result<std::vector<incident::ActionItem>> actions(std::int64_t incident_id);
  // As update(): false when the stored version differs.
  Result<bool> update_action(const incident::ActionItem& updated, std::int64_t expected_version);
  // Open/in-progress items due before now, across incidents, most overdue first.
  Result<std::vector<incident::ActionItem>> overdue(TimePoint now);
  Status mark_reminded(std::int64_t action_id, TimePoint at);

 private:
  struct Statements;  // prepared statements, cached (incident_store.cpp)
  Database& db_;
  std::unique_ptr<Statements> statements_;
};

// One mutating request, as the audit log keeps it. Never holds a request body or a credential.
struct AuditEntry {
  std::int64_t id = 0;
  TimePoint at{};
  std::string actor;   // token name, "anonymous" (no auth configured), "webhook"
  std::string role;    // viewer / responder / admin / webhook / none
  std::string method;  // POST, PATCH, PUT, DELETE
  std::string path;    // without the query string
  int status = 0;      // HTTP status answered
  std::string remote;  // client address "ip:port"
  std::string detail;  // short, redacted: e.g. "incident 12 state → resolved"
};

class AuditLog {
 public:
  explicit AuditLog(Database& db) : db_(db) {}
  Status append(const AuditEntry& entry);
  // Newest first; entries with id < before_id (0: from the newest), at most limit.
  Result<std::vector<AuditEntry>> list(std::int64_t before_id, std::size_t limit);

 private:
  Database& db_;
};

}  // namespace sloe::store

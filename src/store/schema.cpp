#include "sloe/store/schema.h"

namespace sloe::store {

const std::vector<Migration>& sloe_migrations() {
  static const std::vector<Migration> migrations{
      {1, "sli_snapshots",
       "CREATE TABLE sli_snapshots("
       "  slo TEXT PRIMARY KEY,"
       "  data BLOB NOT NULL,"
       "  saved_at TEXT NOT NULL"  // UTC RFC 3339
       ");"},
      // Notifications waiting for delivery or kept for a while after it (notify::Outbox). Rows
      // name a receiver and an integration index, never a secret; times are UTC RFC 3339 with
      // milliseconds, so they compare as text.
      {2, "notification_outbox",
       "CREATE TABLE notification_outbox("
       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
       "  idempotency_key TEXT NOT NULL UNIQUE,"
       "  receiver TEXT NOT NULL,"
       "  integration_index INTEGER NOT NULL,"
       "  integration_kind TEXT NOT NULL,"
       "  group_key TEXT NOT NULL,"
       "  body TEXT NOT NULL,"
       "  notified_at TEXT NOT NULL,"
       "  created_at TEXT NOT NULL,"
       "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),"
       "  attempts INTEGER NOT NULL DEFAULT 0,"
       "  next_attempt_at TEXT NOT NULL,"
       "  last_error TEXT NOT NULL DEFAULT '',"
       "  finished_at TEXT"
       ");"
       "CREATE INDEX notification_outbox_stream"
       "  ON notification_outbox(state, receiver, integration_index, group_key, id);"},
      {3, "received_alerts_and_silences",
       // Times are UTC RFC 3339 with nanoseconds (fixed width, so text order is time order).
       "CREATE TABLE received_alerts("
       "  fingerprint TEXT NOT NULL,"  // 16 hex digits
       "  starts_at TEXT NOT NULL,"
       "  labels TEXT NOT NULL,"  // {a="1",b="2"}, see alert_log.h
       "  annotations TEXT NOT NULL,"
       "  ends_at TEXT,"  // NULL while active
       "  generator_url TEXT NOT NULL,"
       "  source TEXT NOT NULL,"
       "  received_at TEXT NOT NULL,"
       "  PRIMARY KEY(fingerprint, starts_at)"
       ") WITHOUT ROWID;"
       "CREATE TABLE silences("
       "  id TEXT PRIMARY KEY,"
       "  matchers TEXT NOT NULL,"
       "  starts_at TEXT NOT NULL,"
       "  ends_at TEXT NOT NULL,"
       "  created_by TEXT NOT NULL,"
       "  comment TEXT NOT NULL,"
       "  updated_at TEXT NOT NULL"
       ");"},
      // On-call overrides made through the API (config-file overrides are not stored). Times are
      // UTC RFC 3339 with nanoseconds, like received_alerts.
      {4, "oncall_overrides",
       "CREATE TABLE oncall_overrides("
       "  id TEXT PRIMARY KEY,"
       "  schedule TEXT NOT NULL,"
       "  mode TEXT NOT NULL CHECK (mode IN ('add', 'replace')),"
       "  user TEXT NOT NULL,"
       "  replaces TEXT NOT NULL,"  // '' when the override takes over from whoever is on call
       "  starts_at TEXT NOT NULL,"
       "  ends_at TEXT NOT NULL,"
       "  created_by TEXT NOT NULL,"
       "  created_at TEXT NOT NULL"
       ");"},
      // Incidents (store::IncidentStore). Times are integer Unix milliseconds (UTC); labels and
      // fields are in series notation like received_alerts. States are the lifecycle's names,
      // severities 1..4 (SEV1..SEV4), action items' priorities 1..4 (P1..P4).
      {5, "incidents",
       "CREATE TABLE incidents("
       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
       "  title TEXT NOT NULL,"
       "  summary TEXT NOT NULL,"
       "  service TEXT NOT NULL,"
       "  state TEXT NOT NULL CHECK (state IN ('triage', 'investigating', 'identified',"
       "    'monitoring', 'resolved', 'closed')),"
       "  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
       "  test INTEGER NOT NULL CHECK (test IN (0, 1)),"
       "  impact_started_at INTEGER,"
       "  detected_at INTEGER,"
       "  acknowledged_at INTEGER,"
       "  mitigated_at INTEGER,"
       "  resolved_at INTEGER,"
       "  closed_at INTEGER,"
       "  labels TEXT NOT NULL,"
       "  dedup_key TEXT NOT NULL,"
       "  version INTEGER NOT NULL,"
       "  created_at INTEGER NOT NULL,"
       "  updated_at INTEGER NOT NULL,"
       "  created_by TEXT NOT NULL"
       ");"
       // Two writers racing to open the same incident: the second insert fails here.
       "CREATE UNIQUE INDEX incidents_open_dedup_key ON incidents(dedup_key)"
       "  WHERE dedup_key <> '' AND state NOT IN ('resolved', 'closed');"
       "CREATE INDEX incidents_by_state ON incidents(state, id);"
       "CREATE INDEX incidents_by_severity ON incidents(severity, id);"
       "CREATE INDEX incidents_by_service ON incidents(service, id);"
       "CREATE INDEX incidents_by_created_at ON incidents(created_at);"
       // Role history, in the order of Incident::roles (position).
       "CREATE TABLE incident_roles("
       "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
       "  position INTEGER NOT NULL,"
       "  role TEXT NOT NULL,"
       "  person TEXT NOT NULL,"
       "  since INTEGER NOT NULL,"
       "  until INTEGER,"
       "  assigned_by TEXT NOT NULL,"
       "  PRIMARY KEY(incident_id, position)"
       ") WITHOUT ROWID;"
       // An alert period (fingerprint as 16 hex digits, startsAt) joins at most one incident.
       "CREATE TABLE incident_alerts("
       "  fingerprint TEXT NOT NULL,"
       "  starts_at INTEGER NOT NULL,"
       "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
       "  UNIQUE(fingerprint, starts_at)"
       ");"
       "CREATE INDEX incident_alerts_by_incident ON incident_alerts(incident_id);"
       // Append-only (rows are never deleted), so plain rowids already increase with insertion.
       "CREATE TABLE timeline_events("
       "  id INTEGER PRIMARY KEY,"
       "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
       "  at INTEGER NOT NULL,"
       "  actor TEXT NOT NULL,"
       "  kind TEXT NOT NULL,"
       "  text TEXT NOT NULL,"
       "  fields TEXT NOT NULL,"
       "  pinned INTEGER NOT NULL CHECK (pinned IN (0, 1)),"
       "  revision INTEGER NOT NULL"
       ");"
       "CREATE INDEX timeline_events_by_incident ON timeline_events(incident_id, id);"
       // Earlier texts of edited notes: revision `revision` had `text` until edited_by replaced it
       // at edited_at.
       "CREATE TABLE note_revisions("
       "  event_id INTEGER NOT NULL REFERENCES timeline_events(id),"
       "  revision INTEGER NOT NULL,"
       "  text TEXT NOT NULL,"
       "  edited_by TEXT NOT NULL,"
       "  edited_at INTEGER NOT NULL,"
       "  PRIMARY KEY(event_id, revision)"
       ") WITHOUT ROWID;"
       "CREATE TABLE action_items("
       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
       "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
       "  title TEXT NOT NULL,"
       "  owner TEXT NOT NULL,"
       "  due INTEGER,"
       "  priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),"
       "  type TEXT NOT NULL CHECK (type IN ('detective', 'preventive', 'corrective')),"
       "  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'wont_do')),"
       "  ticket_url TEXT NOT NULL,"
       "  version INTEGER NOT NULL,"
       "  created_at INTEGER NOT NULL,"
       "  updated_at INTEGER NOT NULL,"
       "  created_by TEXT NOT NULL,"
       "  reminded_at INTEGER"
       ");"
       "CREATE INDEX action_items_by_incident ON action_items(incident_id, id);"
       "CREATE INDEX action_items_overdue ON action_items(status, due);"},
      // Every mutating API request (store::AuditLog): who, what, when, from where. Never a body
      // or a credential. Times are Unix milliseconds (UTC); ids only grow (AUTOINCREMENT), so a
      // page boundary stays valid while new records arrive.
      {6, "audit_log",
       "CREATE TABLE audit_log("
       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
       "  at INTEGER NOT NULL,"
       "  actor TEXT NOT NULL,"
       "  role TEXT NOT NULL,"
       "  method TEXT NOT NULL,"
       "  path TEXT NOT NULL,"
       "  status INTEGER NOT NULL,"
       "  remote TEXT NOT NULL,"
       "  detail TEXT NOT NULL DEFAULT ''"
       ");"},
      // Runbook runs (store::RunbookStore): one row per run of a runbook on an incident, one per
      // step of it, in the runbook's step order (position). Times are integer Unix milliseconds
      // (UTC); states and triggers are run.h's and model.h's names. output is stored already
      // truncated and redacted.
      {7, "runbook_runs",
       "CREATE TABLE runbook_runs("
       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
       "  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
       "  runbook TEXT NOT NULL,"
       "  trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('open', 'severity_change', "
       "'manual')),"
       "  started_by TEXT NOT NULL,"
       "  state TEXT NOT NULL CHECK (state IN ('active', 'waiting_approval', 'blocked', "
       "'completed')),"
       "  version INTEGER NOT NULL,"
       "  created_at INTEGER NOT NULL,"
       "  updated_at INTEGER NOT NULL"
       ");"
       "CREATE INDEX runbook_runs_by_incident ON runbook_runs(incident_id, id);"
       "CREATE INDEX runbook_runs_by_state ON runbook_runs(state, id);"
       "CREATE TABLE runbook_step_runs("
       "  run_id INTEGER NOT NULL REFERENCES runbook_runs(id),"
       "  position INTEGER NOT NULL,"
       "  step_id TEXT NOT NULL,"
       "  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', "
       "'waiting_approval', 'rejected', 'expired', 'done', 'skipped')),"
       "  attempts INTEGER NOT NULL,"
       "  started_at INTEGER,"
       "  finished_at INTEGER,"
       "  expires_at INTEGER,"
       "  actor TEXT NOT NULL,"
       "  output TEXT NOT NULL,"
       "  error TEXT NOT NULL,"
       "  status_code INTEGER NOT NULL,"
       "  PRIMARY KEY(run_id, position)"
       ") WITHOUT ROWID;"},
      // What people write in a postmortem (store::PostmortemStore), one row per incident. List
      // fields hold a length-prefixed encoding ("<bytes>:<text>" per item); times are Unix
      // milliseconds (UTC); version grows by one on every write (optimistic concurrency).
      {8, "postmortem_narratives",
       "CREATE TABLE postmortem_narratives("
       "  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),"
       "  summary TEXT NOT NULL,"
       "  root_cause TEXT NOT NULL,"
       "  contributing_factors TEXT NOT NULL,"
       "  resolution TEXT NOT NULL,"
       "  went_well TEXT NOT NULL,"
       "  went_wrong TEXT NOT NULL,"
       "  got_lucky TEXT NOT NULL,"
       "  links TEXT NOT NULL,"
       "  authors TEXT NOT NULL,"
       "  version INTEGER NOT NULL CHECK (version >= 1),"
       "  updated_by TEXT NOT NULL,"
       "  updated_at INTEGER"
       ");"},
  };
  return migrations;
}

}  // namespace sloe::store

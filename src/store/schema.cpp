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
  };
  return migrations;
}

}  // namespace sloe::store

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
      // Version 2 is taken by another branch of issue 3; versions need only increase.
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
  };
  return migrations;
}

}  // namespace sloe::store

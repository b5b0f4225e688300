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
  };
  return migrations;
}

}  // namespace sloe::store

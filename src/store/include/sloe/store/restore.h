// Checking a database file and putting a backup in place of a data directory's database: the
// store side of `sloe backup` / `sloe restore` (the copy itself is Database::backup_to).
//
// Thread-safety: free functions on files; run one restore per data directory at a time.
#pragma once

#include <cstdint>
#include <string>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::store {

struct DatabaseFileInfo {
  int schema_version = 0;       // highest migration recorded in schema_migrations
  std::int64_t page_count = 0;  // SQLite pages
  std::int64_t size_bytes = 0;  // of the file
};

// Checks that path is a whole sloe database that a binary knowing migrations up to
// newest_known_version can use: a SQLite file whose PRAGMA integrity_check is "ok", holding
// schema_migrations, at a version not above newest_known_version. Every error names path.
// Opens the file (SQLite may create and remove its -wal/-shm beside it) but changes no row.
Result<DatabaseFileInfo> inspect_database_file(const std::string& path, int newest_known_version);

// The highest migration recorded in the sloe database at path, read without changing the file
// (no integrity check: cheap on a large live database). Errors name path.
Result<int> database_schema_version(const std::string& path);

struct RestoreOptions {
  // Replace the current database even when it cannot be opened (damaged, not a database); it is
  // kept aside all the same. Without a readable database sloe cannot tell whether an agent is
  // using it, so stop the agent first.
  bool force = false;
};

struct RestoreOutcome {
  DatabaseFileInfo restored;
  std::string previous_kept_as;  // where the replaced database went; empty when there was none
};

// Replaces db_path (e.g. DATA/sloe.db) with a copy of backup_path:
//   1. copies the backup beside db_path and checks the copy (inspect_database_file), so the
//      backup file itself is never modified and a bad one changes nothing;
//   2. takes an exclusive lock on the current database, which fails when any other connection
//      (a running agent) has it open: refused with an error naming db_path;
//   3. folds the current database's write-ahead log into it and renames it to
//      db_path.before-restore-<UTC yyyymmddThhmmssZ> (from now);
//   4. renames the checked copy (fsynced) over db_path and syncs the directory, so db_path is at
//      every moment either the old database or the whole restored one.
// The data directory is created when missing. Older schemas are fine: the agent migrates them
// when it next opens the database.
Result<RestoreOutcome> restore_database(const std::string& backup_path, const std::string& db_path,
                                        int newest_known_version, TimePoint now,
                                        const RestoreOptions& options);

}  // namespace sloe::store

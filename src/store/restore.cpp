#include "sloe/store/restore.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>

namespace sloe::store {
namespace {

namespace fs = std::filesystem;

// An agent's connection holds a shared lock for as long as it is open; waiting a little only
// rides over a short-lived reader such as a concurrent `sloe backup` finishing.
constexpr int kLockWaitMillis = 1000;
constexpr const char* kSidecars[] = {"-wal", "-shm", "-journal"};

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

struct SqlFailure {
  int code;
  std::string message;
};

// Opens an existing file (never creates one).
std::optional<SqlFailure> open_existing(const std::string& path, Connection& out) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  out.reset(raw);
  if (rc != SQLITE_OK)
    return SqlFailure{rc, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)};
  sqlite3_extended_result_codes(raw, 0);
  return std::nullopt;
}

// The first column of the first row of sql ("" when there is none), or the failure.
std::optional<SqlFailure> query_text(sqlite3* db, const char* sql, std::string& text) {
  sqlite3_stmt* raw = nullptr;
  if (const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr); rc != SQLITE_OK)
    return SqlFailure{rc, sqlite3_errmsg(db)};
  const int rc = sqlite3_step(raw);
  text.clear();
  if (rc == SQLITE_ROW && sqlite3_column_text(raw, 0))
    text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
  std::optional<SqlFailure> failure;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    failure = SqlFailure{rc, sqlite3_errmsg(db)};
  sqlite3_finalize(raw);
  return failure;
}

std::optional<SqlFailure> exec(sqlite3* db, const char* sql) {
  if (const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return SqlFailure{rc, sqlite3_errmsg(db)};
  return std::nullopt;
}

bool is_busy(const SqlFailure& failure) {
  return failure.code == SQLITE_BUSY || failure.code == SQLITE_LOCKED;
}

void fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

void remove_with_sidecars(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  for (const char* sidecar : kSidecars)
    fs::remove(path + sidecar, ec);
}

// inspect_database_file, naming the file `shown` in errors; with make_standalone, also switches
// the file to a rollback journal so it carries no write-ahead log beside it.
Result<DatabaseFileInfo> inspect(const std::string& path, const std::string& shown,
                                 int newest_known_version, bool make_standalone) {
  const auto fail = [&shown](const std::string& why) { return Error{shown + ": " + why}; };
  std::error_code ec;
  if (!fs::exists(path, ec))
    return fail("no such file");
  if (!fs::is_regular_file(path, ec))
    return fail("not a regular file");
  DatabaseFileInfo info;
  info.size_bytes = static_cast<std::int64_t>(fs::file_size(path, ec));

  Connection db;
  if (auto failed = open_existing(path, db))
    return fail("cannot open: " + failed->message);
  sqlite3_busy_timeout(db.get(), 5000);
  std::string text;
  if (auto failed = query_text(db.get(), "PRAGMA integrity_check", text)) {
    if (failed->code == SQLITE_NOTADB)
      return fail("not a SQLite database");
    return fail("cannot read: " + failed->message);
  }
  if (text != "ok")
    return fail("damaged (SQLite integrity_check: " + text + ")");
  if (auto failed = query_text(db.get(),
                               "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name = 'schema_migrations'",
                               text)) {
    return fail("cannot read: " + failed->message);
  }
  if (text != "1")
    return fail("not a sloe database (it has no schema_migrations table)");
  if (auto failed =
          query_text(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", text)) {
    return fail("cannot read schema_migrations: " + failed->message);
  }
  info.schema_version = std::stoi(text);
  if (info.schema_version > newest_known_version) {
    return fail("schema version " + std::to_string(info.schema_version) +
                " is newer than this sloe knows (" + std::to_string(newest_known_version) +
                "); use a newer sloe");
  }
  if (auto failed = query_text(db.get(), "PRAGMA page_count", text))
    return fail("cannot read: " + failed->message);
  info.page_count = std::stoll(text);
  if (make_standalone) {
    if (auto failed = query_text(db.get(), "PRAGMA journal_mode=DELETE", text))
      return fail("cannot fold its write-ahead log: " + failed->message);
  }
  return info;
}

std::string utc_stamp(TimePoint now) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

// A name beside db_path that nothing uses yet.
std::string kept_name(const std::string& db_path, TimePoint now) {
  const std::string base = db_path + ".before-restore-" + utc_stamp(now);
  std::string name = base;
  std::error_code ec;
  for (int n = 2; fs::exists(name, ec); ++n)
    name = base + "-" + std::to_string(n);
  return name;
}

}  // namespace

Result<int> database_schema_version(const std::string& path) {
  const auto fail = [&path](const std::string& why) { return Error{path + ": " + why}; };
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return fail("no such file");
  Connection db;
  if (auto failed = open_existing(path, db))
    return fail("cannot open: " + failed->message);
  sqlite3_busy_timeout(db.get(), 5000);
  std::string text;
  if (auto failed =
          query_text(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", text)) {
    if (failed->code == SQLITE_NOTADB)
      return fail("not a SQLite database");
    return fail("not a sloe database (" + failed->message + ")");
  }
  return std::stoi(text);
}

Result<DatabaseFileInfo> inspect_database_file(const std::string& path, int newest_known_version) {
  return inspect(path, path, newest_known_version, /*make_standalone=*/false);
}

Result<RestoreOutcome> restore_database(const std::string& backup_path, const std::string& db_path,
                                        int newest_known_version, TimePoint now,
                                        const RestoreOptions& options) {
  const auto refuse = [&db_path](const std::string& why) {
    return Error{"cannot restore " + db_path + ": " + why};
  };
  std::error_code ec;
  if (!fs::exists(backup_path, ec))
    return Error{"cannot restore from " + backup_path + ": no such file"};
  if (!fs::is_regular_file(backup_path, ec))
    return Error{"cannot restore from " + backup_path + ": not a regular file"};
  fs::path directory = fs::path(db_path).parent_path();
  if (directory.empty())
    directory = ".";
  fs::create_directories(directory, ec);
  if (ec)
    return refuse("cannot create directory " + directory.string() + ": " + ec.message());

  // 1. A checked, self-contained copy beside the target, so the final step is one rename.
  const std::string staged = db_path + ".restoring";
  remove_with_sidecars(staged);
  fs::copy_file(backup_path, staged, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    remove_with_sidecars(staged);
    return refuse("cannot copy " + backup_path + " to " + staged + ": " + ec.message());
  }
  auto info = inspect(staged, backup_path, newest_known_version, /*make_standalone=*/true);
  if (!info) {
    remove_with_sidecars(staged);
    return Error{"cannot restore from " + info.error().message};
  }
  for (const char* sidecar : kSidecars)
    fs::remove(staged + sidecar, ec);
  fsync_path(staged, O_RDONLY);

  // 2. Exclusive use of the current database: fails while an agent has it open, and keeps one
  // from opening it until the swap is done.
  Connection current;
  // Leaving WAL mode under an exclusive lock leaves an emptied rollback journal of our own.
  const bool had_journal = fs::exists(db_path + "-journal", ec);
  if (fs::exists(db_path, ec)) {
    std::optional<SqlFailure> failed = open_existing(db_path, current);
    std::string mode;
    if (!failed) {
      sqlite3_busy_timeout(current.get(), kLockWaitMillis);
      failed = exec(current.get(), "PRAGMA locking_mode=EXCLUSIVE");
    }
    // 3. Leaving WAL mode checkpoints the log into the file and deletes it: the file kept aside
    // is then whole on its own.
    if (!failed)
      failed = query_text(current.get(), "PRAGMA journal_mode=DELETE", mode);
    if (!failed)
      failed = exec(current.get(), "BEGIN EXCLUSIVE; COMMIT");
    if (failed && is_busy(*failed)) {
      remove_with_sidecars(staged);
      return refuse(
          "it is in use by another process (is `sloe run` using this data directory? "
          "stop it first)");
    }
    if (failed) {
      if (!options.force) {
        remove_with_sidecars(staged);
        return refuse("the current database cannot be read (" + failed->message +
                      "); --force replaces it anyway, keeping it aside");
      }
      current.reset();
    }
  }

  RestoreOutcome outcome;
  outcome.restored = *info;
  if (fs::exists(db_path, ec)) {
    outcome.previous_kept_as = kept_name(db_path, now);
    fs::rename(db_path, outcome.previous_kept_as, ec);
    if (ec) {
      remove_with_sidecars(staged);
      return refuse("cannot move the current database to " + outcome.previous_kept_as + ": " +
                    ec.message());
    }
  }
  // A log left beside db_path would be replayed into the restored file: move it with the old one
  // (or, with no old database, aside on its own). The -shm index holds no data: removed.
  const std::string sidecar_base =
      outcome.previous_kept_as.empty() ? kept_name(db_path, now) : outcome.previous_kept_as;
  fs::remove(db_path + "-shm", ec);
  for (const char* sidecar : {"-wal", "-journal"}) {
    if (fs::exists(db_path + sidecar, ec))
      fs::rename(db_path + sidecar, sidecar_base + sidecar, ec);
    if (ec) {
      remove_with_sidecars(staged);
      return refuse("cannot move " + db_path + sidecar + " aside: " + ec.message());
    }
  }

  // 4. The swap.
  fs::rename(staged, db_path, ec);
  if (ec) {
    const std::string reason = ec.message();
    if (!outcome.previous_kept_as.empty())
      fs::rename(outcome.previous_kept_as, db_path, ec);
    remove_with_sidecars(staged);
    return refuse("cannot move the restored database into place: " + reason);
  }
  fsync_path(directory, O_RDONLY | O_DIRECTORY);
  current.reset();
  if (!had_journal && !outcome.previous_kept_as.empty())
    fs::remove(outcome.previous_kept_as + "-journal", ec);
  return outcome;
}

}  // namespace sloe::store

#include "sloe/store/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

namespace sloe::store {
namespace {

constexpr int kBusyTimeoutMillis = 5000;
// 1024 pages (4 MiB at the default page size) per backup step: progress often enough to watch.
constexpr int kBackupPagesPerStep = 1024;

// Enough of a statement to recognise it in an error message.
std::string snippet(std::string_view sql) {
  constexpr std::size_t kMax = 80;
  std::string out;
  for (char c : sql.substr(0, kMax))
    out += (c == '\n' || c == '\t') ? ' ' : c;
  const auto first = out.find_first_not_of(' ');
  out.erase(0, first == std::string::npos ? out.size() : first);
  if (sql.size() > kMax)
    out += "...";
  return out;
}

std::string statement_sql(sqlite3_stmt* statement) {
  const char* sql = sqlite3_sql(statement);
  return sql ? snippet(sql) : std::string{};
}

// Migrations are compiled into the binary; a malformed list is a programming error, but reporting
// it beats corrupting a user's schema history.
Status validate(const std::vector<Migration>& migrations) {
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= previous) {
      return Error{"invalid migration list: version " + std::to_string(migration.version) + " (" +
                   migration.name + ") must be positive and above " + std::to_string(previous)};
    }
    previous = migration.version;
  }
  return {};
}

// Makes a completed rename survive a power loss.
void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using OwnedConnection = std::unique_ptr<sqlite3, ConnectionCloser>;

// Runs one statement on a connection that is not (yet) a Database and returns its single text
// result.
Result<std::string> query_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Error{sqlite3_errmsg(db)};
  }
  const int rc = sqlite3_step(raw);
  std::string text;
  if (rc == SQLITE_ROW && sqlite3_column_text(raw, 0)) {
    text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
  }
  sqlite3_finalize(raw);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return Error{sqlite3_errmsg(db)};
  return text;
}

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Status Statement::check_bind(int rc, int index) const {
  if (rc == SQLITE_OK)
    return {};
  if (rc == SQLITE_RANGE) {
    return Error{"parameter " + std::to_string(index) + " is out of range: the statement has " +
                 std::to_string(sqlite3_bind_parameter_count(statement_)) +
                 " parameters (in: " + statement_sql(statement_) + ")"};
  }
  return Error{"cannot bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc) +
               " (in: " + statement_sql(statement_) + ")"};
}

Status Statement::integer_too_large(int index) const {
  return Error{"parameter " + std::to_string(index) +
               " is an unsigned integer too large for SQLite's 64-bit signed INTEGER (in: " +
               statement_sql(statement_) + ")"};
}

Status Statement::bind_int64(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(statement_, index, value), index);
}

Status Statement::bind(int index, double value) {
  return check_bind(sqlite3_bind_double(statement_, index, value), index);
}

// A null data pointer would bind NULL, so empty values point at a real (empty) string.
Status Statement::bind(int index, std::string_view text) {
  const char* data = text.data() ? text.data() : "";
  return check_bind(
      sqlite3_bind_text64(statement_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

Status Statement::bind(int index, Blob blob) {
  const char* data = blob.bytes.data() ? blob.bytes.data() : "";
  return check_bind(
      sqlite3_bind_blob64(statement_, index, data, blob.bytes.size(), SQLITE_TRANSIENT), index);
}

Status Statement::bind(int index, std::nullptr_t) {
  return check_bind(sqlite3_bind_null(statement_, index), index);
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  std::string message = sqlite3_errmsg(sqlite3_db_handle(statement_));
  sqlite3_reset(statement_);  // leave it reusable; the error is already captured
  return Error{message + " (in: " + statement_sql(statement_) + ")"};
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string Statement::column_text(int column) const {
  // Pointer first, then size: the documented order when a conversion may happen.
  const unsigned char* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (!text)
    return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::string Statement::column_blob(int column) const {
  const void* blob = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (!blob)
    return {};
  return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int Statement::column_count() const {
  return sqlite3_column_count(statement_);
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

// ---- Database ----

Result<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                 const std::vector<Migration>& migrations) {
  const auto cannot_open = [&path](const std::string& reason) {
    return Error{"cannot open database at " + path + ": " + reason};
  };
  if (Status valid = validate(migrations); !valid)
    return cannot_open(valid.error().message);

  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (directory.empty())
    directory = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return cannot_open("directory " + directory.string() +
                       " does not exist (create the data directory first)");
  }

  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // The handle is owned even when opening failed: it carries the error and must be closed.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK)
    return cannot_open(raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  if (Status configured = db->configure(); !configured) {
    return cannot_open(configured.error().message);
  }
  if (Status migrated = db->migrate(migrations); !migrated) {
    return cannot_open(migrated.error().message);
  }
  return db;
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

Status Database::configure() {
  sqlite3_busy_timeout(db_, kBusyTimeoutMillis);
  // journal_mode answers with the mode in force, which is not WAL when WAL is unavailable (e.g.
  // an in-memory database): durability promises depend on it, so insist.
  auto mode = query_text(db_, "PRAGMA journal_mode=WAL");
  if (!mode)
    return mode.error();
  if (*mode != "wal")
    return Error{"cannot enable WAL journal mode (got '" + *mode + "')"};
  return exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Status Database::migrate(const std::vector<Migration>& migrations) {
  if (Status created =
          exec("CREATE TABLE IF NOT EXISTS schema_migrations("
               "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !created) {
    return created;
  }
  const auto read_version = [this]() -> Result<int> {
    auto statement = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!statement)
      return statement.error();
    auto row = statement->step();
    if (!row)
      return row.error();
    return static_cast<int>(statement->column_int64(0));
  };
  auto current = read_version();
  if (!current)
    return current.error();
  schema_version_ = *current;
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (schema_version_ > known) {
    return Error{"database schema version " + std::to_string(schema_version_) +
                 " is newer than this sloe (" + std::to_string(known) + "); upgrade sloe"};
  }

  for (const Migration& migration : migrations) {
    if (migration.version <= schema_version_)
      continue;
    Status applied = transaction([&](Database& db) -> Status {
      // Another process may have migrated since we looked; the write lock is ours now.
      auto latest = read_version();
      if (!latest)
        return latest.error();
      if (*latest >= migration.version)
        return {};
      if (Status ran = db.exec(migration.sql); !ran)
        return ran;
      auto record = db.prepare(
          "INSERT INTO schema_migrations(version, name, applied_at) "
          "VALUES(?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
      if (!record)
        return record.error();
      if (Status bound = record->bind(1, migration.version); !bound)
        return bound;
      if (Status bound = record->bind(2, std::string_view(migration.name)); !bound)
        return bound;
      auto done = record->step();
      if (!done)
        return done.error();
      return {};
    });
    if (!applied) {
      return Error{"migration " + std::to_string(migration.version) + " (" + migration.name +
                   ") failed: " + applied.error().message +
                   "; the database stays at schema version " + std::to_string(schema_version_)};
    }
    schema_version_ = migration.version;
  }
  return {};
}

Status Database::exec(std::string_view sql) {
  const std::string terminated(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, terminated.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK)
    return {};
  std::string reason = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Error{reason + " (in: " + snippet(sql) + ")"};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail) != SQLITE_OK) {
    return Error{std::string(sqlite3_errmsg(db_)) + " (in: " + snippet(sql) + ")"};
  }
  if (!raw)
    return Error{"empty SQL statement (in: " + snippet(sql) + ")"};
  Statement statement(raw);

  // Whatever follows the first statement must compile to nothing, or it would be silently ignored.
  const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  sqlite3_stmt* extra = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &extra, nullptr);
  sqlite3_finalize(extra);
  if (rc != SQLITE_OK || extra) {
    return Error{"prepare() takes one SQL statement, but more follows: " + snippet(rest)};
  }
  return statement;
}

Status Database::transaction(const std::function<Status(Database&)>& body) {
  const bool outermost = transaction_depth_ == 0;
  const std::string savepoint = "sloe_nested_" + std::to_string(transaction_depth_);
  if (outermost) {
    if (!sqlite3_get_autocommit(db_)) {
      return Error{"transaction() cannot start: a transaction begun with exec() is still open"};
    }
    if (Status begun = exec("BEGIN IMMEDIATE"); !begun) {
      return Error{"cannot begin transaction: " + begun.error().message};
    }
  } else if (Status begun = exec("SAVEPOINT " + savepoint); !begun) {
    return Error{"cannot begin nested transaction: " + begun.error().message};
  }
  ++transaction_depth_;

  const auto undo = [&] {
    // SQLite rolls a whole transaction back by itself after some errors (disk full, I/O error);
    // then there is nothing left to undo.
    if (sqlite3_get_autocommit(db_))
      return;
    if (outermost) {
      (void)exec("ROLLBACK");
    } else {
      (void)exec("ROLLBACK TO " + savepoint);
      (void)exec("RELEASE " + savepoint);
    }
  };

  Status result;
  try {
    result = body(*this);
  } catch (...) {
    --transaction_depth_;
    undo();
    throw;
  }
  --transaction_depth_;
  if (!result) {
    undo();
    return result;
  }
  if (sqlite3_get_autocommit(db_)) {
    return Error{"transaction was rolled back by SQLite before it could commit: " +
                 std::string(sqlite3_errmsg(db_))};
  }
  if (Status committed = exec(outermost ? std::string("COMMIT") : "RELEASE " + savepoint);
      !committed) {
    undo();
    return Error{"cannot commit transaction: " + committed.error().message};
  }
  return {};
}

Status Database::backup_to(const std::string& path, const BackupProgress& progress) {
  const auto cannot_back_up = [&path](const std::string& reason) {
    return Error{"cannot back up database to " + path + ": " + reason};
  };
  if (transaction_depth_ > 0 || !sqlite3_get_autocommit(db_)) {
    return cannot_back_up("a transaction is open on this connection; back up outside it");
  }
  const std::string partial = path + ".partial";
  std::error_code ec;
  std::filesystem::remove(partial, ec);  // left over from an interrupted backup, if any

  Status copied = [&]() -> Status {
    sqlite3* raw = nullptr;
    const int opened =
        sqlite3_open_v2(partial.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    OwnedConnection destination(raw);
    if (opened != SQLITE_OK)
      return Error{raw ? sqlite3_errmsg(raw) : sqlite3_errstr(opened)};
    if (sqlite3_exec(raw, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error{sqlite3_errmsg(raw)};
    }
    // A read transaction held across every step pins one snapshot (WAL lets other connections
    // write meanwhile): the backup neither restarts on their writes nor mixes two states.
    if (sqlite3_exec(db_, "BEGIN; SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
      const std::string reason = sqlite3_errmsg(db_);
      if (!sqlite3_get_autocommit(db_))
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return Error{"cannot start reading: " + reason};
    }
    sqlite3_backup* backup = sqlite3_backup_init(raw, "main", db_, "main");
    if (!backup) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return Error{sqlite3_errmsg(raw)};
    }
    int stepped = SQLITE_OK;
    while (stepped == SQLITE_OK) {
      stepped = sqlite3_backup_step(backup, kBackupPagesPerStep);
      if (progress && (stepped == SQLITE_OK || stepped == SQLITE_DONE)) {
        const int total = sqlite3_backup_pagecount(backup);
        progress(total - sqlite3_backup_remaining(backup), total);
      }
    }
    sqlite3_backup_finish(backup);
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);  // ends the read transaction
    if (stepped != SQLITE_DONE)
      return Error{sqlite3_errstr(stepped)};
    return {};
  }();
  if (!copied) {
    std::filesystem::remove(partial, ec);
    return cannot_back_up(copied.error().message);
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    const std::string reason = ec.message();
    std::filesystem::remove(partial, ec);
    return cannot_back_up(reason);
  }
  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  sync_directory(directory.empty() ? std::filesystem::path(".") : directory);
  return {};
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

}  // namespace sloe::store

// Database: one SQLite connection to sloe's database file, with numbered schema migrations,
// prepared statements, transactions and online backup.
//
// Durability: the connection runs in WAL journal mode with synchronous=FULL, so a transaction
// whose commit returned ok is on disk and survives a crash or power loss. foreign_keys is ON and
// a busy connection waits up to 5 s for another writer before failing with "database is locked".
//
// Thread-safety: a Database and its Statements are used by one thread at a time. Callers that
// share one across threads serialise every call with their own mutex (the agent does). Separate
// Databases on the same file, in this or another process, may be used concurrently.
//
// Ownership: open() hands out the only owner of the connection. A Statement borrows its Database:
// REQUIRES: every Statement is destroyed before the Database that prepared it.
//
// SQLite itself stays behind this header; sqlite3.h is included only by the .cpp files.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sloe/core/result.h"

// Opaque SQLite handles: declared, never defined here, so callers do not see sqlite3.h.
struct sqlite3;
struct sqlite3_stmt;

namespace sloe::store {

// One step of the schema. Versions are positive, strictly increasing and never reused or edited
// once released: a database records which versions it has applied.
// REQUIRES: sql does not contain BEGIN/COMMIT/ROLLBACK; open() wraps each migration in its own
// transaction.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Bytes to bind as a BLOB rather than TEXT; may contain NULs. Borrowed only for the bind() call.
struct Blob {
  std::string_view bytes;
};

// A prepared SQL statement. Parameters are numbered from 1 ("?" or "?NNN"), result columns from 0,
// as in SQLite. A bind() lasts until reset(); binding the same index again replaces the value.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds integers of any width; an unsigned value above INT64_MAX is an error, not a wrap.
  template <std::integral Integer>
  Status bind(int index, Integer value) {
    if constexpr (std::is_unsigned_v<Integer> && sizeof(Integer) >= sizeof(std::int64_t)) {
      if (value > static_cast<Integer>(std::numeric_limits<std::int64_t>::max())) {
        return integer_too_large(index);
      }
    }
    return bind_int64(index, static_cast<std::int64_t>(value));
  }
  Status bind(int index, double value);
  Status bind(int index, std::string_view text);  // TEXT; SQLite copies the bytes
  Status bind(int index, Blob blob);              // BLOB; SQLite copies the bytes
  Status bind(int index, std::nullptr_t);         // NULL

  // Runs the statement one step: true when a result row is available, false when done.
  // An error (constraint violated, disk full, busy past the timeout) names the statement; the
  // statement is then reset and may be run again.
  Result<bool> step();

  // REQUIRES: the last step() returned true and 0 <= column < column_count(). Values convert
  // as in SQLite (e.g. column_int64 of TEXT "12" is 12).
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  std::string column_blob(int column) const;  // the exact bytes, NULs included; "" for NULL
  bool column_is_null(int column) const;
  int column_count() const;

  // Makes the statement ready to run again from the start, with every parameter NULL.
  void reset();

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  Status bind_int64(int index, std::int64_t value);
  Status integer_too_large(int index) const;
  Status check_bind(int rc, int index) const;

  sqlite3_stmt* statement_ = nullptr;  // owned; finalized by the destructor
};

class Database {
 public:
  // Opens (creating if missing) the database file at path and brings its schema up to date:
  // each migration with a version above the database's is applied in its own transaction and
  // recorded in schema_migrations(version, name, applied_at). A failing migration is rolled back
  // and reported; the database stays at the last version that succeeded.
  // Refuses a database whose schema is newer than the newest migration given: an older binary
  // must not write to a schema it does not understand.
  // REQUIRES: path's directory exists (the caller creates the data directory); migrations are
  // sorted by strictly increasing positive version (checked: an error otherwise).
  static Result<std::unique_ptr<Database>> open(const std::string& path,
                                                const std::vector<Migration>& migrations);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more SQL statements that return no rows of interest.
  Status exec(std::string_view sql);

  // Prepares exactly one SQL statement (trailing whitespace, comments and ';' are fine).
  Result<Statement> prepare(std::string_view sql);

  // Runs body inside BEGIN IMMEDIATE ... COMMIT: everything body wrote is committed together if
  // it returns ok, and rolled back if it returns an error (which is returned) or throws (which is
  // rethrown after the rollback). A nested call runs as a SAVEPOINT: its failure undoes only its
  // own writes, and its writes become durable only when the outermost transaction commits.
  Status transaction(const std::function<Status(Database&)>& body);

  // Writes a consistent copy of the committed database to path using SQLite's online backup
  // API. The copy is written beside path and renamed over it only when complete, so path holds
  // either its previous contents or a whole backup.
  // The pages are copied in steps under one read transaction held from the first step to the
  // last, so writers on other connections go on meanwhile and the copy is the snapshot of the
  // moment the backup began. progress, when set, is called after each step with the pages copied
  // so far and the total.
  // REQUIRES: not called from inside transaction() (checked: an error otherwise).
  using BackupProgress = std::function<void(std::int64_t copied_pages, std::int64_t total_pages)>;
  Status backup_to(const std::string& path, const BackupProgress& progress = {});

  // The file this connection opened, as given to open().
  const std::string& path() const { return path_; }
  // Highest migration version applied to this database (0 when none).
  int schema_version() const { return schema_version_; }
  // Rowid of the most recent successful INSERT on this connection.
  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
  std::int64_t changes() const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status configure();
  Status migrate(const std::vector<Migration>& migrations);

  sqlite3* db_;  // owned; closed by the destructor
  std::string path_;
  int schema_version_ = 0;
  int transaction_depth_ = 0;
};

}  // namespace sloe::store

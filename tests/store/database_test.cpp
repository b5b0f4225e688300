#include "sloe/store/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sloe/core/time_format.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

const std::vector<Migration> kNoMigrations;

std::unique_ptr<Database> open_or_die(const std::string& path,
                                      const std::vector<Migration>& migrations = kNoMigrations) {
  auto db = Database::open(path, migrations);
  if (!db) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  return std::move(db).value();
}

void exec_or_die(Database& db, std::string_view sql) {
  Status done = db.exec(sql);
  ASSERT_TRUE(done.ok()) << done.error().message;
}

// The single value of a one-row, one-column query, as text.
std::string query_text(Database& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  if (!statement)
    return "prepare failed: " + statement.error().message;
  auto row = statement->step();
  if (!row)
    return "step failed: " + row.error().message;
  if (!*row)
    return "no row";
  return statement->column_text(0);
}

std::int64_t query_int(Database& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  EXPECT_TRUE(statement.ok()) << statement.error().message;
  if (!statement)
    return -1;
  auto row = statement->step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return statement->column_int64(0);
}

bool table_exists(Database& db, const std::string& table) {
  return query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                           table + "'") == 1;
}

Status insert_item(Database& db, std::int64_t id, std::string_view name) {
  auto insert = db.prepare("INSERT INTO items(id, name) VALUES(?, ?)");
  if (!insert)
    return insert.error();
  if (Status s = insert->bind(1, id); !s)
    return s;
  if (Status s = insert->bind(2, name); !s)
    return s;
  auto done = insert->step();
  if (!done)
    return done.error();
  return {};
}

const std::vector<Migration> kItemsSchema{
    {1, "items", "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"},
};

// ---- open ----

TEST(DatabaseOpen, CreatesTheFileInWalModeWithDurableSettings) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  EXPECT_TRUE(std::filesystem::exists(dir.file("sloe.db")));
  EXPECT_EQ(query_text(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_int(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(query_int(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(*db, "PRAGMA busy_timeout"), 5000);
  EXPECT_EQ(db->path(), dir.file("sloe.db"));
  EXPECT_EQ(db->schema_version(), 0);
}

TEST(DatabaseOpen, NamesThePathAndReasonWhenTheDirectoryIsMissing) {
  TempDir dir;
  const std::string path = dir.file("missing/sloe.db");
  auto db = Database::open(path, kNoMigrations);
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.error().message, HasSubstr("cannot open database at " + path + ": "));
  EXPECT_THAT(db.error().message, HasSubstr("does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing")));  // the caller creates it, not us
}

TEST(DatabaseOpen, RejectsAFileThatIsNotADatabase) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  std::ofstream(path) << "this is a text file, not SQLite, and it is long enough to have a header";
  auto db = Database::open(path, kNoMigrations);
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.error().message, HasSubstr("cannot open database at " + path + ": "));
  EXPECT_THAT(db.error().message, HasSubstr("not a database"));
}

TEST(DatabaseOpen, RejectsAMigrationListOutOfOrder) {
  TempDir dir;
  auto db = Database::open(dir.file("sloe.db"), {{2, "b", ""}, {1, "a", ""}});
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.error().message, HasSubstr("invalid migration list: version 1 (a)"));
  auto duplicate = Database::open(dir.file("sloe.db"), {{1, "a", ""}, {1, "b", ""}});
  EXPECT_FALSE(duplicate.ok());
}

// ---- migrations ----

TEST(DatabaseMigrations, AppliesEachMigrationAndRecordsIt) {
  TempDir dir;
  const std::vector<Migration> migrations{
      {1, "items", "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"},
      {2, "item_tags",
       "CREATE TABLE tags(item INTEGER REFERENCES items(id)); "
       "CREATE INDEX tags_item ON tags(item);"},
  };
  auto db = open_or_die(dir.file("sloe.db"), migrations);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), 2);
  EXPECT_TRUE(table_exists(*db, "items"));
  EXPECT_TRUE(table_exists(*db, "tags"));

  auto rows = db->prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1");
  ASSERT_TRUE(rows.ok());
  for (const Migration& expected : migrations) {
    ASSERT_TRUE(rows->step().value());
    EXPECT_EQ(rows->column_int64(0), expected.version);
    EXPECT_EQ(rows->column_text(1), expected.name);
    auto applied_at = parse_rfc3339(rows->column_text(2));
    EXPECT_TRUE(applied_at.ok()) << rows->column_text(2);
  }
  EXPECT_FALSE(rows->step().value());
}

TEST(DatabaseMigrations, ReopeningKeepsDataAndDoesNotRerunMigrations) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  // Rerunning this migration would fail (the table exists) or duplicate its seed row.
  const std::vector<Migration> migrations{
      {1, "seeded",
       "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL); "
       "INSERT INTO items(name) VALUES('seed');"},
  };
  {
    auto db = open_or_die(path, migrations);
    ASSERT_TRUE(db);
    ASSERT_TRUE(insert_item(*db, 42, "added").ok());
  }
  auto db = open_or_die(path, migrations);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), 1);
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 2);
  EXPECT_EQ(query_text(*db, "SELECT name FROM items WHERE id = 42"), "added");
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM schema_migrations"), 1);
}

TEST(DatabaseMigrations, ReopeningWithANewerBinaryAppliesOnlyTheNewMigrations) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  std::vector<Migration> migrations = kItemsSchema;
  {
    auto db = open_or_die(path, migrations);
    ASSERT_TRUE(db);
    ASSERT_TRUE(insert_item(*db, 1, "kept").ok());
    exec_or_die(*db, "UPDATE schema_migrations SET applied_at = '2020-01-01T00:00:00Z'");
  }
  migrations.push_back({2, "item_notes", "ALTER TABLE items ADD COLUMN note TEXT;"});
  auto db = open_or_die(path, migrations);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), 2);
  EXPECT_EQ(query_text(*db, "SELECT name FROM items WHERE id = 1"), "kept");
  EXPECT_EQ(query_text(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            "2020-01-01T00:00:00Z");
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM schema_migrations"), 2);
  exec_or_die(*db, "UPDATE items SET note = 'new column works'");
}

TEST(DatabaseMigrations, AFailingMigrationRollsBackAndLeavesTheVersionUnchanged) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  std::vector<Migration> migrations = kItemsSchema;
  migrations.push_back({2, "broken",
                        "CREATE TABLE half_done(x INTEGER); "
                        "INSERT INTO no_such_table VALUES(1);"});
  auto failed = Database::open(path, migrations);
  ASSERT_FALSE(failed.ok());
  const std::string& message = failed.error().message;
  EXPECT_THAT(message, HasSubstr("cannot open database at " + path));
  EXPECT_THAT(message, HasSubstr("migration 2 (broken) failed"));
  EXPECT_THAT(message, HasSubstr("no such table: no_such_table"));
  EXPECT_THAT(message, HasSubstr("stays at schema version 1"));

  auto db = open_or_die(path, kItemsSchema);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version(), 1);
  EXPECT_TRUE(table_exists(*db, "items"));
  EXPECT_FALSE(table_exists(*db, "half_done"));  // the first half of migration 2 was undone
  EXPECT_EQ(query_int(*db, "SELECT MAX(version) FROM schema_migrations"), 1);
}

TEST(DatabaseMigrations, RefusesADatabaseNewerThanTheBinary) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  std::vector<Migration> migrations;
  for (int version = 1; version <= 7; ++version) {
    migrations.push_back({version, "m" + std::to_string(version),
                          "CREATE TABLE t" + std::to_string(version) + "(x);"});
  }
  ASSERT_TRUE(open_or_die(path, migrations));
  migrations.resize(5);
  auto db = Database::open(path, migrations);
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.error().message,
              HasSubstr("database schema version 7 is newer than this sloe (5); upgrade sloe"));
  auto without_migrations = Database::open(path, kNoMigrations);
  ASSERT_FALSE(without_migrations.ok());
  EXPECT_THAT(without_migrations.error().message, HasSubstr("newer than this sloe (0)"));
}

// ---- statements ----

TEST(DatabaseStatements, BindAndReadEveryType) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  exec_or_die(*db, "CREATE TABLE v(i INTEGER, d REAL, t TEXT, b BLOB, n TEXT)");
  const std::string blob("\0a\0\xff\0", 5);
  const std::int64_t big = std::numeric_limits<std::int64_t>::min();
  auto insert = db->prepare("INSERT INTO v VALUES(?1, ?2, ?3, ?4, ?5)");
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  ASSERT_TRUE(insert->bind(1, big).ok());
  ASSERT_TRUE(insert->bind(2, 0.1).ok());
  ASSERT_TRUE(insert->bind(3, "h\xc3\xa9llo, w\xc3\xb6rld").ok());
  ASSERT_TRUE(insert->bind(4, Blob{blob}).ok());
  ASSERT_TRUE(insert->bind(5, nullptr).ok());
  ASSERT_FALSE(insert->step().value());
  EXPECT_EQ(db->changes(), 1);

  auto select = db->prepare("SELECT i, d, t, b, n, typeof(b), typeof(t) FROM v");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_count(), 7);
  EXPECT_EQ(select->column_int64(0), big);
  EXPECT_EQ(select->column_double(1), 0.1);
  EXPECT_EQ(select->column_text(2), "h\xc3\xa9llo, w\xc3\xb6rld");
  EXPECT_EQ(select->column_blob(3), blob);
  EXPECT_TRUE(select->column_is_null(4));
  EXPECT_FALSE(select->column_is_null(3));
  EXPECT_EQ(select->column_text(4), "");
  EXPECT_EQ(select->column_text(5), "blob");
  EXPECT_EQ(select->column_text(6), "text");
  EXPECT_FALSE(select->step().value());
}

TEST(DatabaseStatements, EmptyTextAndEmptyBlobAreNotNull) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  auto select = db->prepare("SELECT ?1 IS NULL, typeof(?1), ?2 IS NULL, typeof(?2)");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->bind(1, std::string_view{}).ok());
  ASSERT_TRUE(select->bind(2, Blob{}).ok());
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_int64(0), 0);
  EXPECT_EQ(select->column_text(1), "text");
  EXPECT_EQ(select->column_int64(2), 0);
  EXPECT_EQ(select->column_text(3), "blob");
}

TEST(DatabaseStatements, BindErrorsSayWhichParameterAndWhy) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  auto select = db->prepare("SELECT ?");
  ASSERT_TRUE(select.ok());
  Status out_of_range = select->bind(2, 1);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.error().message, HasSubstr("parameter 2 is out of range"));
  EXPECT_THAT(out_of_range.error().message, HasSubstr("1 parameters"));
  EXPECT_THAT(out_of_range.error().message, HasSubstr("SELECT ?"));

  Status too_large = select->bind(1, std::numeric_limits<std::uint64_t>::max());
  ASSERT_FALSE(too_large.ok());
  EXPECT_THAT(too_large.error().message, HasSubstr("too large"));
  EXPECT_TRUE(select->bind(1, std::uint64_t{1} << 62).ok());
}

TEST(DatabaseStatements, PrepareRejectsBadSqlEmptySqlAndSeveralStatements) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  auto syntax = db->prepare("SELEC 1");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.error().message, HasSubstr("syntax error"));
  EXPECT_THAT(syntax.error().message, HasSubstr("SELEC 1"));

  auto empty = db->prepare("  -- nothing\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().message, HasSubstr("empty SQL statement"));

  auto several = db->prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(several.ok());
  EXPECT_THAT(several.error().message, HasSubstr("one SQL statement"));
  EXPECT_THAT(several.error().message, HasSubstr("SELECT 2"));

  EXPECT_TRUE(db->prepare("SELECT 1;  -- trailing comment\n").ok());
}

TEST(DatabaseStatements, ResetRunsAgainWithParametersCleared) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  auto insert = db->prepare("INSERT INTO items(id, name) VALUES(?, ?)");
  ASSERT_TRUE(insert.ok());
  for (int id = 1; id <= 3; ++id) {
    insert->reset();
    ASSERT_TRUE(insert->bind(1, id).ok());
    ASSERT_TRUE(insert->bind(2, "item " + std::to_string(id)).ok());
    ASSERT_TRUE(insert->step().ok());
    EXPECT_EQ(db->last_insert_rowid(), id);
  }
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 3);

  insert->reset();  // clears the bindings: name is NULL now, which the schema forbids
  ASSERT_TRUE(insert->bind(1, 4).ok());
  auto null_name = insert->step();
  ASSERT_FALSE(null_name.ok());
  EXPECT_THAT(null_name.error().message, HasSubstr("NOT NULL constraint failed: items.name"));
}

TEST(DatabaseStatements, StepReportsConstraintViolationsWithTheStatement) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  ASSERT_TRUE(insert_item(*db, 1, "same").ok());
  Status duplicate = insert_item(*db, 2, "same");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.error().message, HasSubstr("UNIQUE constraint failed: items.name"));
  EXPECT_THAT(duplicate.error().message, HasSubstr("INSERT INTO items"));
}

TEST(DatabaseStatements, ForeignKeysAreEnforced) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  exec_or_die(*db, "CREATE TABLE tags(item INTEGER NOT NULL REFERENCES items(id))");
  Status orphan = db->exec("INSERT INTO tags VALUES(99)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_THAT(orphan.error().message, HasSubstr("FOREIGN KEY constraint failed"));
}

TEST(DatabaseStatements, ExecErrorsNameTheStatement) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"));
  ASSERT_TRUE(db);
  Status missing = db->exec("DELETE FROM nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("no such table: nowhere"));
  EXPECT_THAT(missing.error().message, HasSubstr("DELETE FROM nowhere"));
}

// ---- transactions ----

TEST(DatabaseTransactions, CommitWhenTheBodySucceeds) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  auto db = open_or_die(path, kItemsSchema);
  ASSERT_TRUE(db);
  auto other = open_or_die(path, kItemsSchema);
  ASSERT_TRUE(other);
  Status done = db->transaction([&](Database& tx) -> Status {
    if (Status s = insert_item(tx, 1, "a"); !s)
      return s;
    // Another connection does not see the write before the commit.
    EXPECT_EQ(query_int(*other, "SELECT COUNT(*) FROM items"), 0);
    return insert_item(tx, 2, "b");
  });
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(query_int(*other, "SELECT COUNT(*) FROM items"), 2);
}

TEST(DatabaseTransactions, AnErrorRollsBackTheBodyAndKeepsEarlierData) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  ASSERT_TRUE(insert_item(*db, 1, "earlier").ok());
  Status failed = db->transaction([](Database& tx) -> Status {
    if (Status s = insert_item(tx, 2, "half"); !s)
      return s;
    if (Status s = tx.exec("UPDATE items SET name = 'changed' WHERE id = 1"); !s)
      return s;
    return insert_item(tx, 2, "again");  // primary key taken: the body fails here
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("UNIQUE constraint failed"));
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(query_text(*db, "SELECT name FROM items WHERE id = 1"), "earlier");
  // The connection is usable again afterwards.
  EXPECT_TRUE(db->transaction([](Database& tx) { return insert_item(tx, 2, "after"); }).ok());
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 2);
}

TEST(DatabaseTransactions, AnExceptionRollsBackAndIsRethrown) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  EXPECT_THROW((void)db->transaction([](Database& tx) -> Status {
    EXPECT_TRUE(insert_item(tx, 1, "doomed").ok());
    throw std::runtime_error("bug in the body");
  }),
               std::runtime_error);
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 0);
  EXPECT_TRUE(db->transaction([](Database& tx) { return insert_item(tx, 1, "after"); }).ok());
}

TEST(DatabaseTransactions, ANestedFailureUndoesOnlyItsOwnWrites) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  Status outer = db->transaction([](Database& tx) -> Status {
    if (Status s = insert_item(tx, 1, "outer"); !s)
      return s;
    Status inner = tx.transaction([](Database& nested) -> Status {
      if (Status s = insert_item(nested, 2, "inner"); !s)
        return s;
      return Error{"inner gave up"};
    });
    EXPECT_FALSE(inner.ok());
    Status inner_ok = tx.transaction([](Database& nested) { return insert_item(nested, 3, "ok"); });
    EXPECT_TRUE(inner_ok.ok());
    return {};
  });
  ASSERT_TRUE(outer.ok()) << outer.error().message;
  EXPECT_EQ(query_text(*db, "SELECT group_concat(id) FROM (SELECT id FROM items ORDER BY id)"),
            "1,3");
}

TEST(DatabaseTransactions, AFailingOuterBodyUndoesCommittedNestedWrites) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  Status outer = db->transaction([](Database& tx) -> Status {
    EXPECT_TRUE(tx.transaction([](Database& nested) { return insert_item(nested, 1, "a"); }).ok());
    return Error{"outer gave up"};
  });
  ASSERT_FALSE(outer.ok());
  EXPECT_EQ(outer.error().message, "outer gave up");
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 0);
}

// ---- backup ----

TEST(DatabaseBackup, ProducesADatabaseWithIdenticalRows) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  exec_or_die(*db, "CREATE TABLE blobs(k INTEGER PRIMARY KEY, v BLOB)");
  for (int id = 1; id <= 200; ++id)
    ASSERT_TRUE(insert_item(*db, id, "n" + std::to_string(id)).ok());
  auto insert_blob = db->prepare("INSERT INTO blobs VALUES(1, ?)");
  ASSERT_TRUE(insert_blob.ok());
  const std::string bytes("x\0y\0z", 5);
  ASSERT_TRUE(insert_blob->bind(1, Blob{bytes}).ok());
  ASSERT_TRUE(insert_blob->step().ok());

  const std::string backup_path = dir.file("backup.db");
  Status backed_up = db->backup_to(backup_path);
  ASSERT_TRUE(backed_up.ok()) << backed_up.error().message;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "backup.db" || name.starts_with("sloe.db")) << "left behind: " << name;
  }

  auto copy = open_or_die(backup_path, kItemsSchema);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->schema_version(), 1);
  const std::string all_items =
      "SELECT group_concat(id || '=' || name, ',') FROM (SELECT * FROM items ORDER BY id)";
  EXPECT_EQ(query_text(*copy, all_items), query_text(*db, all_items));
  EXPECT_EQ(query_int(*copy, "SELECT COUNT(*) FROM items"), 200);
  EXPECT_EQ(query_text(*copy, "SELECT hex(v) FROM blobs"), "780079007A");  // "x\0y\0z"
  EXPECT_EQ(query_text(*copy, "PRAGMA integrity_check"), "ok");
}

TEST(DatabaseBackup, ReplacesAnEarlierBackup) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  const std::string backup_path = dir.file("backup.db");
  ASSERT_TRUE(insert_item(*db, 1, "first").ok());
  ASSERT_TRUE(db->backup_to(backup_path).ok());
  ASSERT_TRUE(insert_item(*db, 2, "second").ok());
  ASSERT_TRUE(db->backup_to(backup_path).ok());
  auto copy = open_or_die(backup_path, kItemsSchema);
  ASSERT_TRUE(copy);
  EXPECT_EQ(query_int(*copy, "SELECT COUNT(*) FROM items"), 2);
}

TEST(DatabaseBackup, CopiesInStepsOneSnapshotWhileAnotherConnectionWrites) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  auto writer = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db && writer);
  // ~6 MB: more than one step of pages.
  Status filled = db->transaction([&](Database& tx) -> Status {
    for (int id = 1; id <= 1500; ++id) {
      if (Status inserted = insert_item(tx, id, std::to_string(id) + std::string(4000, 'a'));
          !inserted)
        return inserted;
    }
    return {};
  });
  ASSERT_TRUE(filled.ok()) << filled.error().message;

  // Each progress call comes between two steps: a write there must neither wait for the backup
  // nor show up in it.
  std::vector<std::int64_t> copied;
  std::int64_t total_pages = 0;
  int next_id = 10'000;
  Status backed_up =
      db->backup_to(dir.file("backup.db"), [&](std::int64_t pages, std::int64_t total) {
        copied.push_back(pages);
        total_pages = total;
        EXPECT_TRUE(
            insert_item(*writer, next_id, std::to_string(next_id) + std::string(4000, 'b')).ok());
        ++next_id;
      });
  ASSERT_TRUE(backed_up.ok()) << backed_up.error().message;
  ASSERT_GE(copied.size(), 2u);
  EXPECT_TRUE(std::is_sorted(copied.begin(), copied.end()));
  EXPECT_EQ(copied.back(), total_pages);
  EXPECT_EQ(query_int(*db, "SELECT COUNT(*) FROM items"), 1500 + static_cast<int>(copied.size()));

  auto copy = open_or_die(dir.file("backup.db"), kItemsSchema);
  ASSERT_TRUE(copy);
  EXPECT_EQ(query_int(*copy, "SELECT COUNT(*) FROM items"), 1500);
  EXPECT_EQ(query_int(*copy, "SELECT MAX(id) FROM items"), 1500);
  EXPECT_EQ(query_text(*copy, "PRAGMA integrity_check"), "ok");
}

TEST(DatabaseBackup, FailsClearlyInsideATransactionOrIntoAMissingDirectory) {
  TempDir dir;
  auto db = open_or_die(dir.file("sloe.db"), kItemsSchema);
  ASSERT_TRUE(db);
  Status inside = db->transaction([&](Database& tx) { return tx.backup_to(dir.file("b.db")); });
  ASSERT_FALSE(inside.ok());
  EXPECT_THAT(inside.error().message, HasSubstr("transaction is open"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.db")));

  Status missing_dir = db->backup_to(dir.file("nope/b.db"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_THAT(missing_dir.error().message, HasSubstr("cannot back up database to "));
}

}  // namespace
}  // namespace sloe::store

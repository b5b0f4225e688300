// `sloe backup` / `sloe restore` through the real binary, on databases written by the store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "cli_util.h"
#include "sloe/store/database.h"
#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"

namespace sloe {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::run_sloe;

const TimePoint kT0 = from_unix_seconds(1'800'000'000.0);
constexpr int kEventsPerBatch = 10;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sloe-backup-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<store::Database> open_db(
    const std::string& path,
    const std::vector<store::Migration>& migrations = store::sloe_migrations()) {
  auto opened = store::Database::open(path, migrations);
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(opened).value();
}

incident::Incident make_incident(const std::string& service, const std::string& dedup_key) {
  incident::Incident incident;
  incident.title = service + " is failing";
  incident.service = service;
  incident.severity = incident::Severity::kSev2;
  incident.times.detected = kT0;
  incident.roles = {{"commander", "alice", kT0, std::nullopt, "sloe"}};
  incident.labels = {{"service", service}};
  incident.dedup_key = dedup_key;
  incident.created_at = kT0;
  incident.updated_at = kT0;
  incident.created_by = "sloe";
  return incident;
}

incident::TimelineEvent make_event(std::int64_t incident_id, const std::string& kind,
                                   const std::string& text) {
  incident::TimelineEvent event;
  event.incident_id = incident_id;
  event.at = kT0;
  event.actor = "alice";
  event.kind = kind;
  event.text = text;
  return event;
}

// Every row of every table (sqlite_sequence aside), each row as one string, sorted; rows of
// `table` for which skip returns true are left out.
using Dump = std::map<std::string, std::vector<std::string>>;
Dump dump(store::Database& db,
          const std::function<bool(const std::string& table, const std::string& row)>& skip) {
  Dump out;
  auto tables = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' "
      "ORDER BY name");
  EXPECT_TRUE(tables.ok());
  while (tables && *tables->step()) {
    const std::string table = tables->column_text(0);
    auto rows = db.prepare("SELECT * FROM " + table);
    EXPECT_TRUE(rows.ok()) << table;
    std::vector<std::string>& dumped = out[table];
    while (rows && *rows->step()) {
      std::string row;
      for (int c = 0; c < rows->column_count(); ++c)
        row += (rows->column_is_null(c) ? "NULL" : "'" + rows->column_text(c) + "'") + "|";
      if (!skip(table, row))
        dumped.push_back(row);
    }
    std::sort(dumped.begin(), dumped.end());
  }
  return out;
}

std::int64_t query_int(store::Database& db, const std::string& sql) {
  auto statement = db.prepare(sql);
  EXPECT_TRUE(statement.ok()) << sql;
  if (!statement)
    return -1;
  auto row = statement->step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return statement->column_int64(0);
}

// A data folder whose database holds a little of everything the incident store writes, and
// ~6 MB of timeline so the backup takes several steps.
struct SourceData {
  std::int64_t counter_action_id = 0;  // bumped by every writer transaction
  std::int64_t incident_id = 0;
};

SourceData fill(store::Database& db) {
  SourceData data;
  store::IncidentStore incidents(db);
  std::vector<incident::TimelineEvent> events{make_event(0, "incident_opened", "opened")};
  auto first = incidents.create(make_incident("checkout", "page/checkout"), events);
  EXPECT_TRUE(first.ok());
  auto second = incidents.create(make_incident("search", ""), events);
  EXPECT_TRUE(second.ok());
  if (!first || !second)
    return data;
  data.incident_id = first->id;
  std::vector<incident::TimelineEvent> notes{make_event(first->id, "note", "db slow")};
  EXPECT_TRUE(incidents.append(notes).ok());
  incident::TimelineEvent edited = notes[0];
  edited.text = "db slow: locks";
  EXPECT_TRUE(incidents.edit_note(edited, "bob", kT0 + 1min).ok());
  EXPECT_TRUE(incidents.link_alert(first->id, 0xabcdef0123456789ULL, kT0).ok());
  incident::ActionItem item;
  item.incident_id = first->id;
  item.title = "batch 0";
  item.owner = "bob";
  item.due = kT0 + 24h;
  item.created_at = kT0;
  item.updated_at = kT0;
  auto counter = incidents.add_action(item);
  EXPECT_TRUE(counter.ok());
  data.counter_action_id = counter ? counter->id : 0;
  item.title = "other";
  EXPECT_TRUE(incidents.add_action(item).ok());

  const std::string filler(1000, 'x');
  Status bulk = db.transaction([&](store::Database&) -> Status {
    std::vector<incident::TimelineEvent> batch;
    for (int i = 0; i < 6000; ++i)
      batch.push_back(make_event(second->id, "runbook_step", filler + std::to_string(i)));
    return incidents.append(batch);
  });
  EXPECT_TRUE(bulk.ok()) << bulk.error().message;
  return data;
}

// Writes transactions of kEventsPerBatch timeline events plus one action item update (its version
// is 1 + the number of committed batches) until stopped.
class Writer {
 public:
  Writer(const std::string& path, SourceData data) : path_(path), data_(data) {
    thread_ = std::thread([this] { run(); });
  }
  ~Writer() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable())
      thread_.join();
  }
  int committed() const { return committed_.load(); }

 private:
  void run() {
    auto db = open_db(path_);
    if (!db)
      return;
    store::IncidentStore incidents(*db);
    for (int batch = 1; !stopping_; ++batch) {
      Status written = db->transaction([&](store::Database&) -> Status {
        std::vector<incident::TimelineEvent> events;
        for (int i = 0; i < kEventsPerBatch; ++i)
          events.push_back(make_event(data_.incident_id, "load", "batch " + std::to_string(batch)));
        if (Status appended = incidents.append(events); !appended)
          return appended;
        auto item = incidents.action(data_.counter_action_id);
        if (!item || !item->has_value())
          return Error{"counter action item missing"};
        incident::ActionItem next = **item;
        next.title = "batch " + std::to_string(batch);
        next.version = batch + 1;
        auto updated = incidents.update_action(next, batch);
        if (!updated)
          return updated.error();
        return *updated ? Status{} : Error{"counter version conflict"};
      });
      if (!written) {
        ADD_FAILURE() << written.error().message;
        return;
      }
      committed_ = batch;
    }
  }

  std::string path_;
  SourceData data_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> committed_{0};
  std::thread thread_;
};

TEST(BackupCli, BackupWhileWritingIsAConsistentSnapshotThatRestoresRowForRow) {
  TempDir source;
  TempDir target;
  TempDir backups;
  const std::string source_db = source.file("sloe.db");
  SourceData data;
  {
    auto db = open_db(source_db);
    ASSERT_NE(db, nullptr);
    data = fill(*db);
  }
  ASSERT_GT(data.counter_action_id, 0);

  Writer writer(source_db, data);
  while (writer.committed() < 3)
    std::this_thread::yield();
  const std::string backup_file = backups.file("sloe-backup.db");
  const auto backed_up = run_sloe("backup --data " + source.path() + " --out " + backup_file);
  const int committed_after_backup = writer.committed();
  writer.stop();
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.output;
  EXPECT_THAT(backed_up.output, HasSubstr("pages"));
  EXPECT_THAT(backed_up.output, HasSubstr("copied "));  // progress lines
  EXPECT_THAT(backed_up.output, HasSubstr(backup_file));

  const auto restored = run_sloe("restore --data " + target.path() + " --from " + backup_file);
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_THAT(restored.output, HasSubstr("restored " + target.file("sloe.db")));
  EXPECT_THAT(restored.output, ::testing::Not(HasSubstr("kept as")));  // nothing to keep

  auto copy = open_db(target.file("sloe.db"));
  auto original = open_db(source_db);
  ASSERT_NE(copy, nullptr);
  ASSERT_NE(original, nullptr);

  // No partial transaction: whole batches only, and the action item written in the same
  // transactions agrees with the number of batches.
  const std::int64_t load_events =
      query_int(*copy, "SELECT COUNT(*) FROM timeline_events WHERE kind = 'load'");
  EXPECT_EQ(load_events % kEventsPerBatch, 0);
  const std::int64_t batches = load_events / kEventsPerBatch;
  EXPECT_GE(batches, 3);
  EXPECT_LE(batches, committed_after_backup);
  EXPECT_EQ(query_int(*copy, "SELECT version FROM action_items WHERE id = " +
                                 std::to_string(data.counter_action_id)),
            batches + 1);

  // Row for row, the copy is the source as it was at that moment: the source minus the batches
  // committed later (timeline rows above the copy's last id, and the counter row, which the copy
  // must hold at its own batch count).
  const std::int64_t last_id = query_int(*copy, "SELECT MAX(id) FROM timeline_events");
  const std::string counter_prefix = "'" + std::to_string(data.counter_action_id) + "'|";
  const auto skip_later = [&](const std::string& table, const std::string& row) {
    if (table == "action_items")
      return row.rfind(counter_prefix, 0) == 0;
    if (table == "timeline_events")
      return std::stoll(row.substr(1)) > last_id;
    return false;
  };
  const Dump expected = dump(*original, skip_later);
  const Dump actual = dump(*copy, skip_later);
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [table, rows] : expected) {
    ASSERT_TRUE(actual.count(table)) << table;
    EXPECT_EQ(actual.at(table).size(), rows.size()) << table;
    EXPECT_TRUE(actual.at(table) == rows) << "table " << table << " differs";
  }
  EXPECT_GE(expected.at("timeline_events").size(), 6000u);
  EXPECT_EQ(expected.at("incidents").size(), 2u);
  EXPECT_EQ(expected.at("note_revisions").size(), 1u);
  EXPECT_EQ(expected.at("incident_alerts").size(), 1u);
  EXPECT_EQ(expected.at("action_items").size(), 1u);  // the other one; counter checked above

  // The restored database is a working one: the store reads it.
  store::IncidentStore incidents(*copy);
  auto open = incidents.find_open("page/checkout");
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->roles.size(), 1u);
}

TEST(BackupCli, LeavesAnOlderSchemaAsItIsAndRefusesANewerOne) {
  TempDir older;
  std::vector<store::Migration> first_four;
  for (const store::Migration& migration : store::sloe_migrations()) {
    if (migration.version <= 4)
      first_four.push_back(migration);
  }
  ASSERT_NE(open_db(older.file("sloe.db"), first_four), nullptr);
  const auto backed_up =
      run_sloe("backup --data " + older.path() + " --out " + older.file("backup.db"));
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.output;
  EXPECT_THAT(backed_up.output, HasSubstr("schema version 4"));
  // Reopened with the same four migrations, so this check itself upgrades nothing.
  auto source = open_db(older.file("sloe.db"), first_four);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->schema_version(), 4);
  EXPECT_EQ(query_int(*source, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'incidents'"), 0);

  TempDir newer;
  std::vector<store::Migration> future = store::sloe_migrations();
  future.push_back({999, "from_the_future", "CREATE TABLE future(x)"});
  ASSERT_NE(open_db(newer.file("sloe.db"), future), nullptr);
  const auto refused =
      run_sloe("backup --data " + newer.path() + " --out " + newer.file("backup.db"));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.output, HasSubstr(newer.file("sloe.db") + ": schema version 999 is newer"));
  EXPECT_FALSE(std::filesystem::exists(newer.file("backup.db")));
}

class RestoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // A backup holding one incident, and a data folder holding another.
    {
      auto db = open_db(backups_.file("source.db"));
      ASSERT_NE(db, nullptr);
      store::IncidentStore incidents(*db);
      std::vector<incident::TimelineEvent> none;
      ASSERT_TRUE(incidents.create(make_incident("from-backup", "k"), none).ok());
      ASSERT_TRUE(db->backup_to(backup_file()).ok());
    }
    auto db = open_db(data_db());
    ASSERT_NE(db, nullptr);
    store::IncidentStore incidents(*db);
    std::vector<incident::TimelineEvent> none;
    ASSERT_TRUE(incidents.create(make_incident("current", "k"), none).ok());
  }

  std::string data_db() const { return data_.file("sloe.db"); }
  std::string backup_file() const { return backups_.file("backup.db"); }

  // The service of the only incident in the database at path.
  std::string only_service(const std::string& path) {
    auto db = open_db(path);
    if (!db)
      return "unreadable";
    store::IncidentStore incidents(*db);
    auto all = incidents.all();
    if (!all || all->size() != 1)
      return "not exactly one incident";
    return all->front().service;
  }

  void expect_untouched() {
    EXPECT_EQ(only_service(data_db()), "current");
    EXPECT_FALSE(std::filesystem::exists(data_db() + ".restoring"));
  }

  TempDir data_;
  TempDir backups_;
};

TEST_F(RestoreCli, RefusesWhileTheDatabaseIsOpenAndKeepsThePreviousOneAside) {
  {
    auto agent = open_db(data_db());  // what a running agent holds
    ASSERT_NE(agent, nullptr);
    const auto refused = run_sloe("restore --data " + data_.path() + " --from " + backup_file());
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_THAT(refused.output, HasSubstr(data_db()));
    EXPECT_THAT(refused.output, HasSubstr("in use"));
    const auto forced =
        run_sloe("restore --force --data " + data_.path() + " --from " + backup_file());
    EXPECT_EQ(forced.exit_code, 2) << forced.output;  // --force never overrides a live agent
  }
  expect_untouched();

  const auto restored = run_sloe("restore --data " + data_.path() + " --from " + backup_file());
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_EQ(only_service(data_db()), "from-backup");
  std::vector<std::string> kept;
  for (const auto& entry : std::filesystem::directory_iterator(data_.path())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sloe.db.before-restore-", 0) == 0)
      kept.push_back(entry.path().string());
  }
  ASSERT_EQ(kept.size(), 1u) << ::testing::PrintToString(kept);
  EXPECT_THAT(restored.output, HasSubstr("previous database kept as " + kept[0]));
  EXPECT_EQ(only_service(kept[0]), "current");
  // No log of the old database may survive beside the restored one.
  EXPECT_FALSE(std::filesystem::exists(data_db() + "-journal"));
}

TEST_F(RestoreCli, BadBackupFilesAreRefusedWithTheirNameAndChangeNothing) {
  const std::string missing = backups_.file("no-such.db");
  auto result = run_sloe("restore --data " + data_.path() + " --from " + missing);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr(missing + ": no such file"));
  expect_untouched();

  const std::string text = backups_.file("notes.txt");
  std::ofstream(text) << std::string(8192, 'z');
  result = run_sloe("restore --data " + data_.path() + " --from " + text);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr(text + ": not a SQLite database"));
  expect_untouched();

  const std::string foreign = backups_.file("foreign.db");
  {
    auto db = open_db(foreign, {});
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->exec("DROP TABLE schema_migrations; CREATE TABLE t(x)").ok());
  }
  result = run_sloe("restore --data " + data_.path() + " --from " + foreign);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr(foreign + ": not a sloe database"));
  expect_untouched();

  const std::string newer = backups_.file("newer.db");
  {
    std::vector<store::Migration> future = store::sloe_migrations();
    future.push_back({999, "from_the_future", "CREATE TABLE future(x)"});
    ASSERT_NE(open_db(newer, future), nullptr);
  }
  result = run_sloe("restore --data " + data_.path() + " --from " + newer);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr(newer + ": schema version 999 is newer"));
  expect_untouched();

  const auto no_data =
      run_sloe("backup --data " + backups_.file("empty") + " --out " + backups_.file("out.db"));
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_THAT(no_data.output, HasSubstr("no database at " + backups_.file("empty")));
}

TEST_F(RestoreCli, ForceReplacesADamagedDatabaseAndKeepsItAside) {
  std::filesystem::remove(data_db() + "-wal");
  std::filesystem::remove(data_db() + "-shm");
  std::ofstream(data_db(), std::ios::trunc) << std::string(8192, 'z');  // not a database now
  const auto refused = run_sloe("restore --data " + data_.path() + " --from " + backup_file());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.output, HasSubstr("--force"));
  const auto forced =
      run_sloe("restore --force --data " + data_.path() + " --from " + backup_file());
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_THAT(forced.output, HasSubstr("previous database kept as"));
  EXPECT_EQ(only_service(data_db()), "from-backup");
}

}  // namespace
}  // namespace sloe

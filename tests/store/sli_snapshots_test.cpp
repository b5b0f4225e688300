#include "sloe/store/sli_snapshots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using namespace std::chrono;
using Snapshots = std::vector<std::pair<std::string, std::string>>;
using Loaded = std::map<std::string, std::string>;

const TimePoint kSavedAt = sys_days{2026y / November / 23} + 9h + 30min;

// Every byte value, NULs included, the way a binary serialisation looks.
std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes += static_cast<char>(i);
  bytes += std::string(3, '\0');
  return bytes;
}

class SliSnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    db_.reset();
    auto opened = Database::open(dir_.file("sloe.db"), sloe_migrations());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }

  Loaded load() {
    auto loaded = SliSnapshotStore(*db_).load_all();
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? *loaded : Loaded{};
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SliSnapshotStoreTest, PutAllThenLoadAllRoundTripsBinaryBlobs) {
  SliSnapshotStore store(*db_);
  const Snapshots snapshots{
      {"api-availability", all_bytes()}, {"api-latency", std::string("\0\0\0", 3)}, {"empty", ""}};
  Status saved = store.put_all(snapshots, kSavedAt);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(load(), Loaded(snapshots.begin(), snapshots.end()));
  EXPECT_EQ(load().at("api-availability").size(), 259u);
}

TEST_F(SliSnapshotStoreTest, RecordsSavedAtAsUtcRfc3339) {
  ASSERT_TRUE(SliSnapshotStore(*db_).put_all({{"a", "x"}}, kSavedAt + 250ms).ok());
  auto select = db_->prepare("SELECT saved_at, typeof(data) FROM sli_snapshots WHERE slo = 'a'");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->step().value());
  EXPECT_EQ(select->column_text(0), "2026-11-23T09:30:00Z");
  EXPECT_EQ(select->column_text(1), "blob");
}

TEST_F(SliSnapshotStoreTest, PutAllReplacesNamedSlosAndKeepsTheOthers) {
  SliSnapshotStore store(*db_);
  ASSERT_TRUE(store.put_all({{"a", "a1"}, {"b", "b1"}}, kSavedAt).ok());
  ASSERT_TRUE(store.put_all({{"a", "a2"}}, kSavedAt + 60s).ok());
  EXPECT_EQ(load(), (Loaded{{"a", "a2"}, {"b", "b1"}}));
  ASSERT_TRUE(store.put_all({}, kSavedAt + 120s).ok());
  EXPECT_EQ(load(), (Loaded{{"a", "a2"}, {"b", "b1"}}));
}

TEST_F(SliSnapshotStoreTest, PutAllIsAllOrNothing) {
  SliSnapshotStore store(*db_);
  ASSERT_TRUE(store.put_all({{"a", "old a"}}, kSavedAt).ok());
  // Inject a failure on the second of three writes.
  ASSERT_TRUE(
      db_->exec("CREATE TRIGGER fail_poison BEFORE INSERT ON sli_snapshots "
                "WHEN NEW.slo = 'poison' BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
          .ok());
  Status failed = store.put_all({{"a", "new a"}, {"poison", "p"}, {"c", "new c"}}, kSavedAt + 60s);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("saving SLI snapshots"));
  EXPECT_THAT(failed.error().message, HasSubstr("slo poison"));
  EXPECT_THAT(failed.error().message, HasSubstr("injected failure"));
  EXPECT_EQ(load(), (Loaded{{"a", "old a"}}));  // "a" was not overwritten, "c" not added

  ASSERT_TRUE(db_->exec("DROP TRIGGER fail_poison").ok());
  ASSERT_TRUE(store.put_all({{"a", "new a"}, {"poison", "p"}}, kSavedAt + 120s).ok());
  EXPECT_EQ(load(), (Loaded{{"a", "new a"}, {"poison", "p"}}));
}

TEST_F(SliSnapshotStoreTest, SnapshotsSurviveReopening) {
  ASSERT_TRUE(SliSnapshotStore(*db_).put_all({{"a", all_bytes()}}, kSavedAt).ok());
  reopen();
  EXPECT_EQ(load(), (Loaded{{"a", all_bytes()}}));
}

TEST_F(SliSnapshotStoreTest, RemoveExceptDeletesOnlyUnlistedSlos) {
  SliSnapshotStore store(*db_);
  ASSERT_TRUE(store.put_all({{"a", "1"}, {"b", "2"}, {"c", "3"}}, kSavedAt).ok());
  ASSERT_TRUE(store.remove_except({"a", "c", "not-stored"}).ok());
  EXPECT_EQ(load(), (Loaded{{"a", "1"}, {"c", "3"}}));
  ASSERT_TRUE(store.remove_except({}).ok());
  EXPECT_TRUE(load().empty());
}

TEST_F(SliSnapshotStoreTest, LoadAllOfAFreshDatabaseIsEmpty) {
  EXPECT_TRUE(load().empty());
}

TEST(SloeMigrations, AreNumberedFromOneWithoutGapsAndCreateSliSnapshots) {
  const std::vector<Migration>& migrations = sloe_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i + 1));
    EXPECT_FALSE(migrations[i].name.empty());
  }
  EXPECT_EQ(migrations[0].name, "sli_snapshots");

  TempDir dir;
  auto db = Database::open(dir.file("sloe.db"), migrations);
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_EQ((*db)->schema_version(), migrations.back().version);
  auto columns =
      (*db)->prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('sli_snapshots')");
  ASSERT_TRUE(columns.ok()) << columns.error().message;
  std::vector<std::string> described;
  while (columns->step().value()) {
    described.push_back(columns->column_text(0) + " " + columns->column_text(1) + " " +
                        std::to_string(columns->column_int64(2)) + " " +
                        std::to_string(columns->column_int64(3)));
  }
  EXPECT_EQ(described,
            (std::vector<std::string>{"slo TEXT 0 1", "data BLOB 1 0", "saved_at TEXT 1 0"}));
}

}  // namespace
}  // namespace sloe::store

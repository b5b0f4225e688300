#include <gtest/gtest.h>

#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

const TimePoint kT0 = from_unix_seconds(1'800'000'000) + std::chrono::milliseconds(250);

AuditEntry entry(const std::string& actor, const std::string& path, int status) {
  AuditEntry e;
  e.at = kT0;
  e.actor = actor;
  e.role = "admin";
  e.method = "POST";
  e.path = path;
  e.status = status;
  e.remote = "[::1]:40112";
  e.detail = "silence created";
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(dir_.file("sloe.db"), sloe_migrations());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(AuditLogTest, KeepsEveryFieldAndListsNewestFirst) {
  AuditLog log(*db_);
  ASSERT_TRUE(log.append(entry("alice", "/api/v2/silences", 200)).ok());
  ASSERT_TRUE(log.append(entry("bob", "/api/v1/oncall/overrides", 403)).ok());
  auto listed = log.list(0, 10);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  const AuditEntry& newest = (*listed)[0];
  EXPECT_EQ(newest.actor, "bob");
  EXPECT_EQ(newest.status, 403);
  EXPECT_GT(newest.id, (*listed)[1].id);
  const AuditEntry& oldest = (*listed)[1];
  EXPECT_EQ(oldest.at, kT0);  // millisecond precision kept
  EXPECT_EQ(oldest.role, "admin");
  EXPECT_EQ(oldest.method, "POST");
  EXPECT_EQ(oldest.path, "/api/v2/silences");
  EXPECT_EQ(oldest.remote, "[::1]:40112");
  EXPECT_EQ(oldest.detail, "silence created");
}

TEST_F(AuditLogTest, PagesBackwardsFromAnId) {
  AuditLog log(*db_);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(log.append(entry("user" + std::to_string(i), "/p", 200)).ok());
  auto first = log.list(0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].actor, "user4");
  EXPECT_EQ((*first)[1].actor, "user3");
  auto second = log.list(first->back().id, 2);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].actor, "user2");
  auto last = log.list((*second)[1].id, 10);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0].actor, "user0");
}

TEST_F(AuditLogTest, SurvivesReopeningTheDatabase) {
  ASSERT_TRUE(AuditLog(*db_).append(entry("alice", "/api/v2/silences", 200)).ok());
  db_.reset();
  auto reopened = Database::open(dir_.file("sloe.db"), sloe_migrations());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto listed = AuditLog(**reopened).list(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].actor, "alice");
}

}  // namespace
}  // namespace sloe::store

#include "sloe/app/audit_writer.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sloe/app/agent.h"
#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = from_unix_seconds(1'800'000'000);

api::AuditRecord record_number(int n) {
  api::AuditRecord record;
  record.at = kT0 + std::chrono::seconds(n);
  record.principal = {"ada", "admin"};
  record.method = "POST";
  record.path = "/api/v2/silences/" + std::to_string(n);
  record.status = 200;
  record.remote = "127.0.0.1:5000";
  return record;
}

class AuditWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sloe-audit-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string db_path() const { return (dir_ / "sloe.db").string(); }

  std::unique_ptr<AuditWriter> open(AuditWriter::Options options = {}) {
    if (!options.warn) {
      options.warn = [this](const std::string& message) {
        const std::lock_guard lock(warnings_mutex_);
        warnings_.push_back(message);
      };
    }
    auto writer = AuditWriter::open(db_path(), std::move(options));
    EXPECT_TRUE(writer.ok()) << writer.error().message;
    return writer.ok() ? std::move(writer).value() : nullptr;
  }

  // What another connection finds in the table.
  std::vector<store::AuditEntry> stored() {
    auto db = store::Database::open(db_path(), store::sloe_migrations());
    EXPECT_TRUE(db.ok());
    auto entries = store::AuditLog(**db).list(0, 100000);
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? std::move(entries).value() : std::vector<store::AuditEntry>{};
  }

  std::vector<std::string> warnings() {
    const std::lock_guard lock(warnings_mutex_);
    return warnings_;
  }

  std::filesystem::path dir_;
  std::mutex warnings_mutex_;
  std::vector<std::string> warnings_;
};

TEST_F(AuditWriterTest, WritesEveryRecordFromManyThreadsAndListsNewestFirst) {
  AuditWriter::Options options;
  options.batch_size = 64;
  auto writer = open(options);
  writer->start();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < 250; ++i)
        writer->record(record_number(t * 1000 + i));
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  auto listed = writer->list(0, 5);  // sees everything recorded before the call
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 5u);
  EXPECT_GT((*listed)[0].id, (*listed)[4].id);
  EXPECT_EQ(writer->written(), 1000u);
  EXPECT_EQ(writer->dropped(), 0u);
  const auto& newest = (*listed)[0].record;
  EXPECT_EQ(newest.principal.name, "ada");
  EXPECT_EQ(newest.principal.role, "admin");
  EXPECT_EQ(newest.method, "POST");
  EXPECT_EQ(newest.remote, "127.0.0.1:5000");
  writer->stop();
  EXPECT_EQ(stored().size(), 1000u);
  EXPECT_TRUE(warnings().empty());
}

TEST_F(AuditWriterTest, StopWritesWhatIsStillQueued) {
  auto writer = open();
  for (int i = 0; i < 3; ++i)
    writer->record(record_number(i));  // never started: all still queued
  writer->stop();
  const auto entries = stored();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].path, "/api/v2/silences/2");
  EXPECT_EQ(entries[0].at, kT0 + 2s);
}

TEST_F(AuditWriterTest, AFullQueueDropsLoudly) {
  AuditWriter::Options options;
  options.queue_capacity = 2;
  auto writer = open(options);
  for (int i = 0; i < 5; ++i)
    writer->record(record_number(i));
  EXPECT_EQ(writer->dropped(), 3u);
  writer->flush();
  EXPECT_EQ(writer->written(), 2u);
  const auto warned = warnings();
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].find("3 records dropped"), std::string::npos) << warned[0];
}

// The agent with tokens: requests are authenticated, audited to the database, readable by
// admins, and no token reaches the database file.
TEST_F(AuditWriterTest, TheAgentAuditsAuthenticatedRequestsWithoutStoringTokens) {
  const std::string admin_token = "sloe_agent_admin_token_0123456789";
  const std::string viewer_token = "sloe_agent_viewer_token_0123456789";
  auto auth =
      api::Authenticator::create({{"ada", api::Role::kAdmin, api::hash_token(admin_token)},
                                  {"vera", api::Role::kViewer, api::hash_token(viewer_token)}},
                                 {});
  ASSERT_TRUE(auth.ok());
  AgentOptions options;
  options.data_dir = dir_.string();
  options.listen.port = 0;
  options.auth = auth.value();
  SystemClock clock;
  auto agent = Agent::create(clock, config::Config{}, options);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  ASSERT_TRUE((*agent)->start().ok());

  httplib::Client client("127.0.0.1", (*agent)->port());
  const httplib::Headers admin{{"Authorization", "Bearer " + admin_token}};
  const httplib::Headers viewer{{"Authorization", "Bearer " + viewer_token}};
  EXPECT_EQ(client.Get("/api/v1/slos")->status, 401);
  EXPECT_EQ(client.Get("/api/v1/slos", viewer)->status, 200);
  EXPECT_EQ(client.Post("/api/v2/silences", viewer, "{}", "application/json")->status, 403);
  EXPECT_EQ(client.Post("/api/v2/silences", admin, "{}", "application/json")->status, 400);

  const auto audit = client.Get("/api/v1/audit", admin);
  ASSERT_EQ(audit->status, 200) << audit->body;
  const auto entries = nlohmann::json::parse(audit->body)["entries"];
  ASSERT_EQ(entries.size(), 2u) << audit->body;
  EXPECT_EQ(entries[0]["actor"], "ada");
  EXPECT_EQ(entries[0]["status"], 400);
  EXPECT_EQ(entries[1]["actor"], "vera");
  EXPECT_EQ(entries[1]["status"], 403);
  (*agent)->stop();

  for (const char* file : {"sloe.db", "sloe.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(admin_token), std::string::npos) << file;
    EXPECT_EQ(bytes.str().find(viewer_token), std::string::npos) << file;
  }
  EXPECT_EQ(stored().size(), 2u);
}

TEST_F(AuditWriterTest, TheAgentRefusesAnOpenApiOffLoopback) {
  AgentOptions options;
  options.data_dir = dir_.string();
  options.listen.host = "0.0.0.0";
  options.listen.port = 0;
  SystemClock clock;
  auto agent = Agent::create(clock, config::Config{}, options);
  ASSERT_FALSE(agent.ok());
  EXPECT_NE(agent.error().message.find("--tokens"), std::string::npos) << agent.error().message;
  EXPECT_NE(agent.error().message.find("SLOE_API_TOKENS"), std::string::npos);
}

}  // namespace
}  // namespace sloe::app

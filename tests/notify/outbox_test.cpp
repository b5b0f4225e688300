#include "sloe/notify/outbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <iterator>

#include "sloe/notify/payload.h"
#include "test_util.h"

namespace sloe::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using testing::kStart;
using testing::make_notification;

const std::string kSlackUrl = "https://hooks.slack.com/services/T000/B000/XXXXSLACKSECRET";
const std::string kRoutingKey = "PDROUTINGKEYSECRET0123456789abcd";
const std::string kBearer = "Bearer WEBHOOKTOKENSECRET";

Receiver team_api() {
  WebhookTarget webhook;
  webhook.url = "http://127.0.0.1:9/hook?token=URLSECRET";
  webhook.headers = {{"Authorization", kBearer}};
  SlackTarget slack;
  slack.webhook_url = kSlackUrl;
  PagerDutyTarget pagerduty;
  pagerduty.routing_key = kRoutingKey;
  return Receiver{"team-api", {webhook, slack, pagerduty}, RateLimit{}};
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    outbox_.reset();
    db_.reset();
    db_ = testing::open_database(dir_.file("sloe.db"));
    ASSERT_NE(db_, nullptr);
    outbox_ = std::make_unique<Outbox>(*db_);
  }
  std::vector<OutboxEntry> rows(std::optional<OutboxState> state = std::nullopt) {
    auto listed = outbox_->list(state);
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    return listed.ok() ? *listed : std::vector<OutboxEntry>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, OneRowPerIntegrationWithTheRenderedBody) {
  const auto n = make_notification("team-api", "api", kStart);
  auto result = outbox_->enqueue(n, team_api(), kStart + 1s);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->inserted, 3u);
  const auto all = rows();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind, IntegrationKind::kWebhook);
  EXPECT_EQ(all[0].body, webhook_payload(n));
  EXPECT_EQ(all[1].kind, IntegrationKind::kSlack);
  EXPECT_EQ(all[1].body, slack_payload(n, SlackTarget{}));
  EXPECT_EQ(all[2].kind, IntegrationKind::kPagerDuty);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].integration_index, i);
    EXPECT_EQ(all[i].receiver, "team-api");
    EXPECT_EQ(all[i].group_key, n.group_key);
    EXPECT_EQ(all[i].state, OutboxState::kPending);
    EXPECT_EQ(all[i].attempts, 0);
    EXPECT_EQ(all[i].notified_at, kStart);
    EXPECT_EQ(all[i].created_at, kStart + 1s);
    EXPECT_EQ(all[i].next_attempt_at, kStart + 1s);
    EXPECT_EQ(all[i].idempotency_key.size(), 32u);
  }
  EXPECT_NE(all[0].idempotency_key, all[1].idempotency_key);
}

TEST_F(OutboxTest, NoSecretIsStored) {
  ASSERT_TRUE(
      outbox_->enqueue(make_notification("team-api", "api", kStart), team_api(), kStart).ok());
  // Read the file itself: nothing in any table, index or the WAL may hold a secret.
  outbox_.reset();
  db_.reset();
  std::ostringstream contents;
  for (const char* name : {"sloe.db", "sloe.db-wal"}) {
    std::ifstream file(dir_.file(name), std::ios::binary);
    contents << file.rdbuf();
  }
  const std::string bytes = std::move(contents).str();
  EXPECT_THAT(bytes, HasSubstr("team-api"));  // the file was read at all
  for (const std::string& secret : {std::string("XXXXSLACKSECRET"), kRoutingKey,
                                    std::string("WEBHOOKTOKENSECRET"), std::string("URLSECRET")})
    EXPECT_THAT(bytes, Not(HasSubstr(secret)));
}

TEST_F(OutboxTest, EnqueueingTheSameNotificationAgainAddsNothing) {
  const auto n = make_notification("team-api", "api", kStart);
  ASSERT_TRUE(outbox_->enqueue(n, team_api(), kStart).ok());
  auto again = outbox_->enqueue(n, team_api(), kStart + 10s);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, 3u);
  EXPECT_EQ(rows().size(), 3u);

  // A later notification of the same group, or a changed alert state, is new.
  auto later = outbox_->enqueue(make_notification("team-api", "api", kStart + 5min), team_api(),
                                kStart + 5min);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->inserted, 3u);
  auto resolved = n;
  resolved.alerts[0].ends_at = kStart;
  auto changed = outbox_->enqueue(resolved, team_api(), kStart + 6min);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->inserted, 2u);  // Slack does not send resolved alerts by default
  EXPECT_EQ(changed->skipped, 1u);
}

TEST_F(OutboxTest, ReceiverMustMatchTheNotification) {
  auto result = outbox_->enqueue(make_notification("team-web", "web", kStart), team_api(), kStart);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("team-web"));
  EXPECT_TRUE(rows().empty());
}

TEST_F(OutboxTest, DueOffersOnlyTheOldestPendingRowOfEachStream) {
  Receiver hook{"team-api", {WebhookTarget{"http://127.0.0.1:9/", true, 0, {}}}, RateLimit{}};
  ASSERT_TRUE(outbox_->enqueue(make_notification("team-api", "api", kStart), hook, kStart).ok());
  ASSERT_TRUE(
      outbox_->enqueue(make_notification("team-api", "api", kStart + 1min), hook, kStart).ok());
  ASSERT_TRUE(outbox_->enqueue(make_notification("team-api", "web", kStart), hook, kStart).ok());
  auto due = outbox_->due(kStart);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, 1);
  EXPECT_EQ((*due)[1].id, 3);

  // Postponing the head holds back its stream; sending it lets the next one through.
  ASSERT_TRUE(outbox_->postpone(1, kStart + 1min).ok());
  due = outbox_->due(kStart);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, 3);
  auto next = outbox_->next_attempt();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kStart);

  ASSERT_TRUE(outbox_->mark_sent(1, 1, kStart).ok());
  due = outbox_->due(kStart);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, 2);
}

TEST_F(OutboxTest, RowsSurviveReopeningTheDatabase) {
  ASSERT_TRUE(
      outbox_->enqueue(make_notification("team-api", "api", kStart), team_api(), kStart).ok());
  ASSERT_TRUE(outbox_->mark_retry(1, 2, kStart + 30s, "HTTP 503").ok());
  reopen();
  const auto pending = rows(OutboxState::kPending);
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].attempts, 2);
  EXPECT_EQ(pending[0].next_attempt_at, kStart + 30s);
  EXPECT_EQ(pending[0].last_error, "HTTP 503");
  auto depth = outbox_->depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->pending, 3);
  EXPECT_EQ(depth->oldest_pending_created_at, kStart);
}

TEST_F(OutboxTest, PruneDeletesOnlyFinishedRowsOlderThanTheCutoff) {
  ASSERT_TRUE(
      outbox_->enqueue(make_notification("team-api", "api", kStart), team_api(), kStart).ok());
  ASSERT_TRUE(outbox_->mark_sent(1, 1, kStart).ok());
  ASSERT_TRUE(outbox_->mark_failed(2, 1, kStart + 2h, "HTTP 404").ok());
  auto pruned = outbox_->prune(kStart + 1h);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  const auto left = rows();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].state, OutboxState::kFailed);
  EXPECT_EQ(left[0].last_error, "HTTP 404");
  EXPECT_EQ(left[1].state, OutboxState::kPending);
}

TEST_F(OutboxTest, AcknowledgeGoesToPagerDutyIntegrationsOnly) {
  auto result = outbox_->enqueue_acknowledge(team_api(), "{}:{service=\"api\"}", kStart, kStart);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->inserted, 1u);
  EXPECT_EQ(result->skipped, 2u);
  const auto all = rows();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].integration_index, 2u);
  EXPECT_EQ(all[0].body, pagerduty_acknowledge_event("{}:{service=\"api\"}"));
  auto again = outbox_->enqueue_acknowledge(team_api(), "{}:{service=\"api\"}", kStart, kStart);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1u);
}

}  // namespace
}  // namespace sloe::notify

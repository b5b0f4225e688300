#include "sloe/notify/notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <nlohmann/json.hpp>

#include "sloe/notify/payload.h"
#include "test_util.h"

namespace sloe::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using testing::header;
using testing::kStart;
using testing::make_notification;
using testing::ScriptedSender;
using Json = nlohmann::json;

const std::string kRoutingKey = "PDROUTINGKEYSECRET0123456789abcd";
const std::string kSlackUrl = "https://hooks.slack.com/services/T000/B000/XXXXSLACKSECRET";

Receiver webhook_receiver(std::string name, RateLimit limit = RateLimit{1000.0, 1000.0}) {
  return Receiver{std::move(name), {WebhookTarget{"http://hooks.test/alert", true, 0, {}}}, limit};
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() : clock_(kStart) {
    registry_.replace({webhook_receiver("team-api")});
    reopen();
  }

  void reopen() {
    notifier_.reset();
    outbox_.reset();
    db_.reset();
    db_ = testing::open_database(dir_.file("sloe.db"));
    outbox_ = std::make_unique<Outbox>(*db_);
    NotifierOptions options;
    options.random = [] { return 0.5; };
    options.log = [this](LogLevel level, const std::string& message) {
      logs_.push_back({level, message});
    };
    notifier_ = std::make_unique<Notifier>(*outbox_, registry_, sender_, clock_, options);
  }

  void enqueue(const alert::GroupNotification& n) {
    auto result = notifier_->enqueue(n);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }

  DrainReport drain() {
    auto report = notifier_->drain_once(clock_.now());
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : DrainReport{};
  }

  std::vector<OutboxEntry> rows() {
    auto listed = outbox_->list();
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? *listed : std::vector<OutboxEntry>{};
  }

  testing::TempDir dir_;
  ManualClock clock_;
  ReceiverRegistry registry_;
  ScriptedSender sender_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Notifier> notifier_;
  std::vector<std::pair<LogLevel, std::string>> logs_;
};

TEST_F(NotifierTest, DeliversWithSecretsResolvedAtSendTime) {
  PagerDutyTarget pagerduty;
  pagerduty.routing_key = kRoutingKey;
  SlackTarget slack;
  slack.webhook_url = kSlackUrl;
  WebhookTarget webhook{"http://hooks.test/alert", true, 0, {{"Authorization", "Bearer T0KEN"}}};
  registry_.replace({Receiver{"team-api", {webhook, slack, pagerduty}, RateLimit{}}});
  enqueue(make_notification("team-api", "api", kStart));

  const DrainReport report = drain();
  EXPECT_EQ(report.sent, 3u);
  const auto requests = sender_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].url, "http://hooks.test/alert");
  EXPECT_EQ(header(requests[0], "Authorization"), "Bearer T0KEN");
  EXPECT_EQ(header(requests[0], "Content-Type"), "application/json");
  EXPECT_EQ(requests[1].url, kSlackUrl);
  EXPECT_EQ(requests[2].url, "https://events.pagerduty.com/v2/enqueue");
  const auto event = nlohmann::ordered_json::parse(requests[2].body);
  EXPECT_EQ(event.begin().key(), "routing_key");
  EXPECT_EQ(event["routing_key"], kRoutingKey);
  EXPECT_EQ(event["event_action"], "trigger");

  const auto stored = rows();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(header(requests[i], "Idempotency-Key"), stored[i].idempotency_key);
    EXPECT_EQ(stored[i].state, OutboxState::kSent);
    EXPECT_EQ(stored[i].attempts, 1);
    EXPECT_EQ(stored[i].finished_at, kStart);
  }
  EXPECT_EQ(notifier_->stats().receivers.at("team-api").sent, 3u);
  EXPECT_EQ(notifier_->stats().outbox_depth, 0);
  EXPECT_FALSE(report.next_wake.has_value());
}

TEST_F(NotifierTest, ServerErrorIsRetriedAfterJitteredBackoff) {
  sender_.then(ScriptedSender::status(503, "upstream down"));
  sender_.then(ScriptedSender::status(502));
  enqueue(make_notification("team-api", "api", kStart));

  DrainReport report = drain();
  EXPECT_EQ(report.retried, 1u);
  // Attempt 1 failed: random 0.5 of a 1 s ceiling.
  EXPECT_EQ(report.next_wake, kStart + 500ms);
  EXPECT_EQ(rows()[0].last_error, "HTTP 503: upstream down");
  EXPECT_EQ(rows()[0].attempts, 1);

  clock_.advance(499ms);
  EXPECT_EQ(drain().sent + drain().retried, 0u);
  clock_.advance(1ms);
  report = drain();
  EXPECT_EQ(report.retried, 1u);
  EXPECT_EQ(report.next_wake, kStart + 500ms + 1s);  // attempt 2: 0.5 of 2 s
  clock_.advance(1s);
  EXPECT_EQ(drain().sent, 1u);
  EXPECT_EQ(rows()[0].attempts, 3);
  EXPECT_EQ(rows()[0].state, OutboxState::kSent);
  EXPECT_EQ(notifier_->stats().receivers.at("team-api").retried, 2u);
  EXPECT_EQ(sender_.requests().size(), 3u);
}

TEST_F(NotifierTest, RetryAfterIsHonoured) {
  SendResult throttled = ScriptedSender::status(429);
  throttled.retry_after = 30s;
  sender_.then(throttled);
  enqueue(make_notification("team-api", "api", kStart));
  EXPECT_EQ(drain().next_wake, kStart + 30s);
  clock_.advance(29s);
  drain();
  EXPECT_EQ(sender_.requests().size(), 1u);
  clock_.advance(1s);
  EXPECT_EQ(drain().sent, 1u);
}

TEST_F(NotifierTest, ClientErrorFailsForGoodWithoutLeakingSecrets) {
  PagerDutyTarget pagerduty;
  pagerduty.routing_key = kRoutingKey;
  registry_.replace({Receiver{"team-api", {pagerduty}, RateLimit{}}});
  sender_.then(ScriptedSender::status(400, "invalid routing key " + kRoutingKey));
  enqueue(make_notification("team-api", "api", kStart));

  const DrainReport report = drain();
  EXPECT_EQ(report.failed, 1u);
  const auto stored = rows();
  EXPECT_EQ(stored[0].state, OutboxState::kFailed);
  EXPECT_EQ(stored[0].last_error, "HTTP 400: invalid routing key <redacted>");
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_EQ(logs_[0].first, LogLevel::kError);
  EXPECT_THAT(logs_[0].second, HasSubstr("receiver 'team-api' pagerduty #0"));
  EXPECT_THAT(logs_[0].second, Not(HasSubstr(kRoutingKey)));
  clock_.advance(1h);
  drain();
  EXPECT_EQ(sender_.requests().size(), 1u);
  EXPECT_EQ(notifier_->stats().receivers.at("team-api").failed, 1u);
}

TEST_F(NotifierTest, GivesUpAfterMaxAge) {
  sender_.otherwise(ScriptedSender::refused());
  enqueue(make_notification("team-api", "api", kStart));
  int drains = 0;
  while (rows()[0].state == OutboxState::kPending && drains < 1000) {
    const DrainReport report = drain();
    ASSERT_TRUE(report.next_wake.has_value() || rows()[0].state != OutboxState::kPending);
    if (report.next_wake)
      clock_.set(std::max(*report.next_wake, clock_.now()));
    ++drains;
  }
  const OutboxEntry row = rows()[0];
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(*row.finished_at, kStart + 24h);  // the last attempt lands exactly on the deadline
  EXPECT_THAT(row.last_error, HasSubstr("gave up after 86400s"));
  EXPECT_THAT(row.last_error, HasSubstr("Connection refused"));
  // Capped backoff: roughly 24h / (0.5 * 5min) attempts, far fewer than one per second.
  EXPECT_LT(row.attempts, 700);
  EXPECT_GT(row.attempts, 500);
}

TEST_F(NotifierTest, RateLimitDefersInsteadOfDropping) {
  registry_.replace({webhook_receiver("team-api", RateLimit{1.0, 2.0})});
  for (int i = 0; i < 5; ++i)
    enqueue(make_notification("team-api", "svc" + std::to_string(i), kStart));

  DrainReport report = drain();
  EXPECT_EQ(report.sent, 2u);
  EXPECT_EQ(report.deferred, 3u);
  EXPECT_EQ(report.next_wake, kStart + 1s);
  std::vector<TimePoint> sent_at(2, kStart);
  while (sender_.requests().size() < 5) {
    ASSERT_TRUE(report.next_wake.has_value());
    clock_.set(*report.next_wake);
    const std::size_t before = sender_.requests().size();
    report = drain();
    for (std::size_t i = before; i < sender_.requests().size(); ++i)
      sent_at.push_back(clock_.now());
  }
  EXPECT_THAT(sent_at, ElementsAre(kStart, kStart, kStart + 1s, kStart + 2s, kStart + 3s));
  for (const OutboxEntry& row : rows())
    EXPECT_EQ(row.state, OutboxState::kSent);
  EXPECT_GE(notifier_->stats().receivers.at("team-api").deferred, 3u);
}

TEST_F(NotifierTest, LaterNotificationsOfAGroupWaitForTheEarlierOne) {
  sender_.then(ScriptedSender::status(503));
  enqueue(make_notification("team-api", "api", kStart, "first"));
  enqueue(make_notification("team-api", "api", kStart + 1s, "second"));
  registry_.replace({webhook_receiver("team-api"), webhook_receiver("team-web")});
  enqueue(make_notification("team-web", "web", kStart));

  DrainReport report = drain();
  EXPECT_EQ(report.retried, 1u);
  EXPECT_EQ(report.sent, 1u);  // team-web's group is independent
  clock_.advance(1s);
  report = drain();
  EXPECT_EQ(report.sent, 2u);
  std::vector<std::string> summaries;
  for (const OutboxRequest& request : sender_.requests())
    summaries.push_back(Json::parse(request.body)["alerts"][0]["annotations"]["summary"]);
  EXPECT_THAT(summaries, ElementsAre("first", "error budget burning", "first", "second"));
}

TEST_F(NotifierTest, UnknownReceiverIsAnEnqueueError) {
  auto result = notifier_->enqueue(make_notification("nobody", "api", kStart));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("'nobody'"));
}

TEST_F(NotifierTest, IntegrationRemovedByReloadFailsItsRows) {
  enqueue(make_notification("team-api", "api", kStart));
  registry_.replace({Receiver{"team-api", {SlackTarget{kSlackUrl, "", "", false}}, RateLimit{}}});
  EXPECT_EQ(drain().failed, 1u);
  EXPECT_TRUE(sender_.requests().empty());
  EXPECT_THAT(rows()[0].last_error, HasSubstr("no longer has this integration"));
}

TEST_F(NotifierTest, AReceiverThatIsDownCostsOneAttemptPerDrain) {
  sender_.otherwise(ScriptedSender::refused());
  for (int i = 0; i < 4; ++i)
    enqueue(make_notification("team-api", "svc" + std::to_string(i), kStart));
  const DrainReport report = drain();
  EXPECT_EQ(report.retried, 1u);
  EXPECT_EQ(sender_.requests().size(), 1u);
  for (const OutboxEntry& row : rows())
    EXPECT_EQ(row.next_attempt_at, kStart + 500ms);
  sender_.otherwise(ScriptedSender::status(200));
  clock_.advance(500ms);
  EXPECT_EQ(drain().sent, 4u);
}

TEST_F(NotifierTest, PendingRowsAreDeliveredAfterARestart) {
  sender_.otherwise(ScriptedSender::refused());
  enqueue(make_notification("team-api", "api", kStart));
  enqueue(make_notification("team-api", "web", kStart));
  drain();
  const std::string key = rows()[0].idempotency_key;

  reopen();  // as after a crash: a new connection, a new notifier
  sender_.otherwise(ScriptedSender::status(200));
  clock_.advance(10s);
  EXPECT_EQ(drain().sent, 2u);
  const auto requests = sender_.requests();
  EXPECT_EQ(header(requests.back(), "Idempotency-Key"), rows()[1].idempotency_key);
  EXPECT_EQ(header(requests[requests.size() - 2], "Idempotency-Key"), key);
}

TEST_F(NotifierTest, StatsReportDepthAndOldestPendingAge) {
  sender_.otherwise(ScriptedSender::status(503));
  enqueue(make_notification("team-api", "api", kStart));
  clock_.advance(90s);
  drain();
  const NotifyStats stats = notifier_->stats();
  EXPECT_EQ(stats.outbox_depth, 1);
  EXPECT_EQ(stats.oldest_pending_age, 90s);
}

TEST_F(NotifierTest, BackgroundThreadDeliversWhatIsEnqueued) {
  std::mutex mutex;
  std::condition_variable delivered;
  class SignallingSender final : public Sender {
   public:
    SignallingSender(std::mutex& m, std::condition_variable& cv) : mutex_(m), cv_(cv) {}
    SendResult send(const OutboxRequest&) override {
      std::lock_guard lock(mutex_);
      ++count;
      cv_.notify_all();
      return ScriptedSender::status(200);
    }
    int count = 0;

   private:
    std::mutex& mutex_;
    std::condition_variable& cv_;
  } sender(mutex, delivered);
  Notifier notifier(*outbox_, registry_, sender, clock_, NotifierOptions{});
  notifier.start();
  ASSERT_TRUE(notifier.enqueue(make_notification("team-api", "api", kStart)).ok());
  {
    std::unique_lock lock(mutex);
    // Generous bound against a hung test, not a timing assertion.
    EXPECT_TRUE(delivered.wait_for(lock, 30s, [&] { return sender.count == 1; }));
  }
  notifier.stop();
  EXPECT_EQ(rows()[0].state, OutboxState::kSent);
}

}  // namespace
}  // namespace sloe::notify

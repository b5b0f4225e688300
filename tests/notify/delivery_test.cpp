// Delivery end to end: the notifier with the real CurlSender against a cpp-httplib receiver on
// 127.0.0.1, with simulated time (ManualClock) and no sleeping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "sloe/notify/notifier.h"
#include "test_util.h"

namespace sloe::notify {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;
using testing::kStart;
using testing::make_notification;
using Json = nlohmann::json;

// A webhook receiver that records every request and answers as its mode says.
class HookServer {
 public:
  enum class Mode { kOk, kUnavailable, kThrottled, kRejecting };

  struct Received {
    std::string idempotency_key;
    std::string body;
    int status;
    TimePoint at;  // the test clock's time when it arrived
  };

  // Listens on 127.0.0.1:port (0 = any free port).
  HookServer(const Clock& clock, int port = 0) : clock_(clock) {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      switch (mode_) {
        case Mode::kOk:
          response.status = 200;
          break;
        case Mode::kUnavailable:
          response.status = 503;
          response.set_content("maintenance", "text/plain");
          break;
        case Mode::kThrottled:
          response.status = 429;
          response.set_header("Retry-After", "30");
          break;
        case Mode::kRejecting:
          response.status = 400;
          response.set_content("{\"error\":\"bad payload\"}", "application/json");
          break;
      }
      received_.push_back({request.get_header_value("Idempotency-Key"), request.body,
                           response.status, clock_.now()});
    });
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else if (server_.bind_to_port("127.0.0.1", port)) {
      port_ = port;
    }
    EXPECT_GT(port_, 0) << "cannot listen on 127.0.0.1:" << port;
    if (port_ > 0)
      thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  HookServer(const HookServer&) = delete;
  HookServer& operator=(const HookServer&) = delete;
  ~HookServer() { stop(); }

  void stop() {
    server_.stop();
    if (thread_.joinable())
      thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void set_mode(Mode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  const Clock& clock_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  mutable std::mutex mutex_;
  Mode mode_ = Mode::kOk;
  std::vector<Received> received_;
};

class DeliveryTest : public ::testing::Test {
 protected:
  DeliveryTest() : clock_(kStart), server_(std::make_unique<HookServer>(clock_)) {
    url_ = server_->url();
    set_receiver(RateLimit{});
    CurlSenderOptions options;
    options.timeout = 10s;
    options.connect_timeout = 5s;
    sender_ = std::make_unique<CurlSender>(options);
    open();
  }

  void set_receiver(RateLimit limit) {
    registry_.replace({Receiver{"team-api", {WebhookTarget{url_, true, 0, {}}}, limit}});
  }

  void open() {
    db_ = testing::open_database(dir_.file("sloe.db"));
    outbox_ = std::make_unique<Outbox>(*db_);
    NotifierOptions options;
    options.random = [engine = std::make_shared<std::mt19937_64>(20261123)] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
    notifier_ = std::make_unique<Notifier>(*outbox_, registry_, *sender_, clock_, options);
  }

  // As if the process died: everything in memory is gone, only the database file remains.
  void crash_and_restart() {
    notifier_.reset();
    outbox_.reset();
    db_.reset();
    open();
  }

  DrainReport drain() {
    auto report = notifier_->drain_once(clock_.now());
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : DrainReport{};
  }

  std::vector<OutboxEntry> rows(std::optional<OutboxState> state = std::nullopt) {
    auto listed = outbox_->list(state);
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? *listed : std::vector<OutboxEntry>{};
  }

  // Drains every `step` of simulated time until nothing is pending or `limit` has passed.
  void drain_until_empty(Duration step, Duration limit) {
    const TimePoint until = clock_.now() + limit;
    while (!rows(OutboxState::kPending).empty() && clock_.now() < until) {
      drain();
      clock_.advance(step);
    }
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<HookServer> server_;
  std::string url_;
  ReceiverRegistry registry_;
  std::unique_ptr<CurlSender> sender_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Notifier> notifier_;
};

alert::GroupNotification numbered(const std::string& service, int seq, TimePoint at) {
  auto n = make_notification("team-api", service, at);
  n.alerts[0].annotations["seq"] = std::to_string(seq);
  return n;
}

TEST_F(DeliveryTest, TenMinuteOutageThenEveryNotificationExactlyOnceInOrderPerGroup) {
  const int port = server_->port();
  server_->stop();  // first five minutes: nothing listens (connection refused)

  const std::vector<std::string> services{"api", "web", "db", "queue"};
  int enqueued = 0;
  for (Duration t{0}; t < 10min; t += 10s) {
    if (t == 5min) {  // next five minutes: up again but answering 503
      server_ = std::make_unique<HookServer>(clock_, port);
      ASSERT_EQ(server_->port(), port);
      server_->set_mode(HookServer::Mode::kUnavailable);
    }
    if (t % 30s == Duration{0} && enqueued < 20) {
      const std::string& service = services[enqueued % services.size()];
      auto result = notifier_->enqueue(numbered(service, enqueued, clock_.now()));
      ASSERT_TRUE(result.ok()) << result.error().message;
      ASSERT_EQ(result->inserted, 1u);
      ++enqueued;
    }
    drain();
    clock_.advance(10s);
  }
  ASSERT_EQ(enqueued, 20);
  ASSERT_EQ(rows(OutboxState::kPending).size(), 20u);
  const auto during_outage = server_->received();
  ASSERT_FALSE(during_outage.empty());  // the 503 phase was really exercised
  for (const auto& r : during_outage)
    EXPECT_EQ(r.status, 503);
  EXPECT_GT(notifier_->stats().receivers.at("team-api").retried, 0u);
  EXPECT_EQ(notifier_->stats().outbox_depth, 20);

  server_->set_mode(HookServer::Mode::kOk);
  drain_until_empty(10s, 30min);

  // Every notification arrived exactly once with a 200, identified by its Idempotency-Key.
  std::map<std::string, int> delivered;
  std::map<std::string, std::vector<int>> seq_by_group;
  for (const auto& r : server_->received()) {
    if (r.status != 200)
      continue;
    ++delivered[r.idempotency_key];
    const Json body = Json::parse(r.body);
    seq_by_group[body["groupKey"]].push_back(
        std::stoi(std::string(body["alerts"][0]["annotations"]["seq"])));
  }
  std::set<std::string> keys;
  for (const OutboxEntry& row : rows()) {
    EXPECT_EQ(row.state, OutboxState::kSent) << row.last_error;
    keys.insert(row.idempotency_key);
  }
  ASSERT_EQ(keys.size(), 20u);
  ASSERT_EQ(delivered.size(), 20u);
  for (const auto& [key, times] : delivered) {
    EXPECT_EQ(times, 1) << key;
    EXPECT_EQ(keys.count(key), 1u) << key;
  }
  ASSERT_EQ(seq_by_group.size(), 4u);
  for (const auto& [group, seqs] : seq_by_group) {
    EXPECT_EQ(seqs.size(), 5u) << group;
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << group;
  }
  EXPECT_EQ(notifier_->stats().receivers.at("team-api").sent, 20u);
  EXPECT_EQ(notifier_->stats().outbox_depth, 0);
}

TEST_F(DeliveryTest, PendingRowsSurviveACrashAndAreDeliveredAfterRestart) {
  server_->set_mode(HookServer::Mode::kUnavailable);
  for (int i = 0; i < 3; ++i) {
    auto result = notifier_->enqueue(numbered("api", i, clock_.now()));
    ASSERT_TRUE(result.ok());
    ASSERT_EQ(result->inserted, 1u);
    clock_.advance(1s);
  }
  drain();
  crash_and_restart();
  ASSERT_EQ(rows(OutboxState::kPending).size(), 3u);
  server_->set_mode(HookServer::Mode::kOk);
  drain_until_empty(1s, 10min);
  std::vector<std::string> delivered;
  for (const auto& r : server_->received()) {
    if (r.status == 200)
      delivered.push_back(r.idempotency_key);
  }
  const auto sent = rows(OutboxState::kSent);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_THAT(delivered, ElementsAre(sent[0].idempotency_key, sent[1].idempotency_key,
                                     sent[2].idempotency_key));
}

TEST_F(DeliveryTest, TooManyRequestsWaitsForRetryAfter) {
  server_->set_mode(HookServer::Mode::kThrottled);
  ASSERT_TRUE(notifier_->enqueue(numbered("api", 0, clock_.now())).ok());
  const DrainReport report = drain();
  EXPECT_EQ(report.retried, 1u);
  EXPECT_EQ(report.next_wake, kStart + 30s);
  EXPECT_EQ(rows()[0].last_error, "HTTP 429");
  server_->set_mode(HookServer::Mode::kOk);
  clock_.advance(29s);
  drain();
  EXPECT_EQ(server_->received().size(), 1u);
  clock_.advance(1s);
  EXPECT_EQ(drain().sent, 1u);
  EXPECT_EQ(server_->received().back().status, 200);
}

TEST_F(DeliveryTest, BadRequestFailsForGood) {
  server_->set_mode(HookServer::Mode::kRejecting);
  ASSERT_TRUE(notifier_->enqueue(numbered("api", 0, clock_.now())).ok());
  EXPECT_EQ(drain().failed, 1u);
  const OutboxEntry row = rows()[0];
  EXPECT_EQ(row.state, OutboxState::kFailed);
  EXPECT_EQ(row.last_error, "HTTP 400: {\"error\":\"bad payload\"}");
  clock_.advance(1h);
  drain();
  EXPECT_EQ(server_->received().size(), 1u);
}

TEST_F(DeliveryTest, RateLimitSpacesRequests) {
  set_receiver(RateLimit{0.5, 2.0});  // one every 2 s after a burst of 2
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(notifier_->enqueue(numbered("svc" + std::to_string(i), i, clock_.now())).ok());
  DrainReport report = drain();
  while (report.next_wake) {
    clock_.set(std::max(clock_.now(), *report.next_wake));
    report = drain();
  }
  std::vector<Duration> arrivals;
  for (const auto& r : server_->received())
    arrivals.push_back(r.at - kStart);
  EXPECT_THAT(arrivals,
              ElementsAre(Duration{0}, Duration{0}, Duration{2s}, Duration{4s}, Duration{6s}));
}

TEST_F(DeliveryTest, WebhookBodyIsTheStoredPayload) {
  const auto n = numbered("api", 0, clock_.now());
  ASSERT_TRUE(notifier_->enqueue(n).ok());
  drain();
  ASSERT_EQ(server_->received().size(), 1u);
  EXPECT_EQ(server_->received()[0].body, rows()[0].body);
  const Json body = Json::parse(server_->received()[0].body);
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["receiver"], "team-api");
}

}  // namespace
}  // namespace sloe::notify

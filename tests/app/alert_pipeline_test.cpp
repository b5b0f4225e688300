// The alert pipeline end to end in one process, with a ManualClock: routing tree, grouping
// timers, inhibition, silences, the durable outbox, and escalation through on-call schedules
// until someone acknowledges. Requests "sent" are recorded by a fake sender instead of HTTP.
#include "sloe/app/alert_pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "../store/temp_dir.h"
#include "sloe/api/signed_link.h"
#include "sloe/config/loader.h"
#include "sloe/core/time_format.h"
#include "sloe/notify/outbox.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRouting = R"(route:
  receiver: nobody
  group_by: [slo, severity]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="page"']
      receiver: pager
    - matchers: ['severity="ticket"']
      receiver: tickets
receivers:
  - name: nobody
  - name: pager
    escalation_policy: page-sre
    webhook_configs: [{ url: "http://hooks.test/pager" }]
  - name: tickets
    webhook_configs: [{ url: "http://hooks.test/tickets" }]
  - name: page-alice
    webhook_configs: [{ url: "http://hooks.test/alice" }]
  - name: page-bob
    webhook_configs: [{ url: "http://hooks.test/bob" }]
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="ticket"']
    equal: [slo]
)";

constexpr const char* kOncall = R"(users:
  - { name: alice, receiver: page-alice }
  - { name: bob, receiver: page-bob }
rotations:
  - name: weekly
    users: [alice, bob]
    shift_length: 1w
    start: 2026-01-05T09:00
    time_zone: Europe/Tallinn
schedules:
  - name: primary
    layers: [{ rotation: weekly }]
escalation_policies:
  - name: page-sre
    steps:
      - schedules: [primary]
        wait: 10m
      - users: [bob]
        wait: 10m
    repeat: 1
)";

// Records every request; answers 200.
class RecordingSender final : public notify::Sender {
 public:
  notify::SendResult send(const notify::OutboxRequest& request) override {
    const std::lock_guard lock(mutex_);
    urls_.push_back(request.url);
    bodies_.push_back(request.body);
    return notify::SendResult{200, "", std::nullopt, ""};
  }
  std::vector<std::string> take_urls() {
    const std::lock_guard lock(mutex_);
    bodies_.clear();
    return std::exchange(urls_, {});
  }
  std::vector<std::string> bodies() {
    const std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> urls_;
  std::vector<std::string> bodies_;
};

class AlertPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = config::load_config_from_strings(
        {{"alerts/alertmanager.yml", kRouting}, {"alerts/oncall.yaml", kOncall}});
    ASSERT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? ""
                                                            : loaded.diagnostics[0].to_string());
    config_ = std::move(*loaded.config);
    auto receivers = build_receivers(*config_.alerting, "");
    ASSERT_TRUE(receivers.ok()) << receivers.error().message;
    registry_.replace(std::move(receivers).value());
    auto db = store::Database::open(dir_.file("sloe.db"), store::sloe_migrations());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    outbox_ = std::make_unique<notify::Outbox>(*db_);
    notifier_ = std::make_unique<notify::Notifier>(*outbox_, registry_, sender_, clock_);
    AlertPipeline::Options options;
    options.external_url = "http://sloe.test:9465";
    options.link_key = std::string(32, 'k');
    auto pipeline = AlertPipeline::create(
        clock_, config_, *notifier_,
        [this](const Labels& labels, TimePoint) { return labels.contains("silenced"); }, options);
    ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
    pipeline_ = std::move(pipeline).value();
  }

  // Advances the clock, runs the pipeline and drains the outbox; returns the URLs posted to.
  std::vector<std::string> step(Duration by) {
    clock_.advance(by);
    pipeline_->process();
    EXPECT_TRUE(notifier_->drain_once(clock_.now()).ok());
    return sender_.take_urls();
  }

  alert::Alert burn(const std::string& severity, const std::string& slo = "checkout") {
    alert::Alert a;
    a.labels = {{"alertname", "ErrorBudgetBurn"}, {"slo", slo}, {"severity", severity}};
    a.annotations = {{"summary", slo + " burns its budget"}};
    a.starts_at = clock_.now();
    return a;
  }

  // Monday 2026-11-23 12:00 UTC: week 46 of the two-person rotation, so alice is on call.
  ManualClock clock_{*parse_rfc3339("2026-11-23T12:00:00Z")};
  store::testing::TempDir dir_;
  config::Config config_;
  notify::ReceiverRegistry registry_;
  RecordingSender sender_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<notify::Outbox> outbox_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<AlertPipeline> pipeline_;
};

using Urls = std::vector<std::string>;

TEST_F(AlertPipelineTest, APageIsGroupedRoutedAndEscalatedUntilAcknowledged) {
  pipeline_->ingest({burn("page")});
  EXPECT_EQ(step(0s), Urls{});
  EXPECT_EQ(step(29s), Urls{}) << "group_wait holds the first notification";
  // group_wait over: the receiver's webhook and step 1 (the schedule: alice this week).
  EXPECT_EQ(step(1s), (Urls{"http://hooks.test/pager", "http://hooks.test/alice"}));
  const auto escalations = pipeline_->escalations();
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].state, "active");
  EXPECT_EQ(escalations[0].policy, "page-sre");
  EXPECT_EQ(escalations[0].id, escalation_id("pager", escalations[0].group_key));

  // Nobody answers: step 2 (bob named directly) 10 minutes later, then the policy repeats.
  EXPECT_EQ(step(9min), Urls{});
  EXPECT_EQ(step(1min), Urls{"http://hooks.test/bob"});
  EXPECT_EQ(step(10min), Urls{"http://hooks.test/alice"});  // pass 2, step 1

  auto acknowledged = pipeline_->acknowledge(escalations[0].id, "bob");
  ASSERT_TRUE(acknowledged.ok()) << acknowledged.error().message;
  EXPECT_EQ(acknowledged->state, "acknowledged");
  EXPECT_EQ(acknowledged->acknowledged_by, "bob");
  // No more pages, although pass 2's second step was due 10 minutes later.
  EXPECT_EQ(step(30min), Urls{});
  EXPECT_FALSE(pipeline_->acknowledge(escalations[0].id, "alice").ok());
  EXPECT_FALSE(pipeline_->acknowledge("0000000000000000", "alice").ok());
}

TEST_F(AlertPipelineTest, EscalationNotificationsCarryASignedAckLink) {
  pipeline_->ingest({burn("page")});
  step(0s);
  step(30s);
  const std::vector<std::string> bodies = [&] {
    clock_.advance(10min);
    pipeline_->process();
    EXPECT_TRUE(notifier_->drain_once(clock_.now()).ok());
    return sender_.bodies();
  }();
  ASSERT_EQ(bodies.size(), 1u);
  const nlohmann::json payload = nlohmann::json::parse(bodies[0]);
  const nlohmann::json& annotations = payload["alerts"][0]["annotations"];
  EXPECT_EQ(annotations["escalation"], "page-sre step 2/2, pass 1/2");
  const std::string ack_url = annotations["ack_url"];
  ASSERT_EQ(ack_url.rfind("http://sloe.test:9465/api/v1/ack?subject=", 0), 0u) << ack_url;
  // The link verifies for this escalation and no other.
  const std::string id = pipeline_->escalations()[0].id;
  api::SignedLink link;
  link.subject = id;
  const auto expires_at = ack_url.find("&expires=");
  const auto sig_at = ack_url.find("&sig=");
  link.expires_unix = std::stoll(ack_url.substr(expires_at + 9, sig_at - expires_at - 9));
  link.signature = ack_url.substr(sig_at + 5);
  EXPECT_TRUE(api::verify_link(std::string(32, 'k'), "ack", link, clock_.now()).ok());
  link.subject = "0000000000000000";
  EXPECT_FALSE(api::verify_link(std::string(32, 'k'), "ack", link, clock_.now()).ok());
}

TEST_F(AlertPipelineTest, ResolutionEndsTheEscalationAndIsNotifiedOnce) {
  alert::Alert page = burn("page");
  pipeline_->ingest({page});
  step(0s);
  step(30s);
  page.ends_at = clock_.now() + 1min;
  pipeline_->ingest({page});
  // The next group_interval flush reports the resolution to the receiver; no more pages.
  EXPECT_EQ(step(5min), Urls{"http://hooks.test/pager"});
  EXPECT_EQ(pipeline_->escalations()[0].state, "resolved");
  EXPECT_EQ(step(1h), Urls{});
}

TEST_F(AlertPipelineTest, TicketsAreInhibitedByAPageForTheSameSloOnly) {
  pipeline_->ingest({burn("page"), burn("ticket"), burn("ticket", "search")});
  step(0s);
  const Urls sent = step(30s);
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "http://hooks.test/tickets"), 1)
      << "only the search ticket; checkout's is inhibited by its page";
}

TEST_F(AlertPipelineTest, SilencedAlertsReachNobody) {
  alert::Alert page = burn("page");
  page.labels["silenced"] = "yes";
  pipeline_->ingest({page});
  EXPECT_EQ(step(0s), Urls{});
  EXPECT_EQ(step(30s), Urls{});
  EXPECT_EQ(step(1h), Urls{});
}

TEST_F(AlertPipelineTest, RepeatedIngestsOfTheSameAlertDoNotRenotify) {
  const alert::Alert page = burn("page");
  pipeline_->ingest({page});
  step(0s);
  step(30s);
  for (int i = 0; i < 5; ++i) {
    pipeline_->ingest({page});
    const Urls sent = step(1min);
    EXPECT_EQ(std::count(sent.begin(), sent.end(), "http://hooks.test/pager"), 0);
  }
}

}  // namespace
}  // namespace sloe::app

#include "sloe/app/incident_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "../store/temp_dir.h"
#include "sloe/alert/fingerprint.h"
#include "sloe/api/metrics.h"
#include "sloe/app/agent.h"
#include "sloe/app/alert_pipeline.h"
#include "sloe/config/loader.h"
#include "sloe/core/time_format.h"
#include "sloe/notify/outbox.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::SizeIs;

namespace kind = incident::event_kind;

TimePoint at(const char* text) {
  return parse_rfc3339(text).value();
}

template <typename T>
T value_of(api::Answer<T> answer) {
  if (const auto* refused = std::get_if<api::Refused>(&answer)) {
    ADD_FAILURE() << "refused: " << refused->message << " (field '" << refused->field << "')";
    return T{};
  }
  return std::get<T>(std::move(answer));
}

template <typename T>
std::optional<api::Refusal> refusal_of(const api::Answer<T>& answer) {
  if (const auto* refused = std::get_if<api::Refused>(&answer))
    return refused->reason;
  return std::nullopt;
}

alert::Alert page(const std::string& alertname, const std::string& service, TimePoint starts_at) {
  alert::Alert a;
  a.labels = {{"alertname", alertname}, {"service", service}, {"severity", "page"}};
  a.annotations = {{"summary", alertname + " on " + service}};
  a.starts_at = starts_at;
  return a;
}

std::vector<incident::TimelineEvent> events_of_kind(
    const std::vector<incident::TimelineEvent>& events, std::string_view wanted) {
  std::vector<incident::TimelineEvent> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out),
               [wanted](const incident::TimelineEvent& e) { return e.kind == wanted; });
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class IncidentServiceTest : public ::testing::Test {
 protected:
  IncidentServiceTest() : clock_(at("2026-11-23T10:00:00Z")) {}

  void SetUp() override { open(); }

  void open() {
    service_.reset();
    IncidentService::Options options;
    options.notify = [this](const alert::GroupNotification& notification) -> Status {
      const std::lock_guard lock(sent_mutex_);
      sent_.push_back(notification);
      return {};
    };
    options.has_receiver = [](std::string_view name) { return name == "page-alice"; };
    options.default_receiver = "team";
    auto opened = IncidentService::open(db_path(), clock_, std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    service_ = std::move(opened).value();
  }

  std::string db_path() const { return dir_.file("sloe.db"); }

  incident::Incident declare(const std::string& title,
                             incident::Severity severity = incident::Severity::kSev2) {
    incident::Declaration declaration;
    declaration.title = title;
    declaration.severity = severity;
    return value_of(service_->declare(declaration, "alice"));
  }

  std::vector<incident::TimelineEvent> timeline(std::int64_t id) {
    return value_of(service_->timeline(id, 0, 10000));
  }

  std::vector<incident::Incident> all_incidents() {
    api::IncidentFilter filter;
    filter.limit = 1000;
    return value_of(service_->list(filter)).incidents;
  }

  store::testing::TempDir dir_;
  ManualClock clock_;
  std::mutex sent_mutex_;
  std::vector<alert::GroupNotification> sent_;
  std::unique_ptr<IncidentService> service_;
};

TEST_F(IncidentServiceTest, DeclaresUpdatesAndRefusesStaleVersions) {
  const incident::Incident declared = declare("Checkout is down", incident::Severity::kSev1);
  EXPECT_GT(declared.id, 0);
  EXPECT_EQ(declared.version, 1);
  EXPECT_EQ(declared.state, incident::State::kTriage);

  clock_.advance(5min);
  incident::IncidentPatch patch;
  patch.state = incident::State::kInvestigating;
  const incident::Incident updated = value_of(service_->update(declared.id, 1, patch, "bob"));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.state, incident::State::kInvestigating);
  EXPECT_EQ(updated.times.acknowledged, clock_.now());

  // A second editor still holding version 1 loses, and nothing changes.
  incident::IncidentPatch stale;
  stale.severity = incident::Severity::kSev3;
  EXPECT_EQ(refusal_of(service_->update(declared.id, 1, stale, "carol")), api::Refusal::kConflict);
  EXPECT_EQ(refusal_of(service_->update(declared.id + 100, 1, stale, "carol")),
            api::Refusal::kNotFound);
  incident::Declaration untitled;
  EXPECT_EQ(refusal_of(service_->declare(untitled, "alice")), api::Refusal::kInvalid);

  const api::IncidentDetail detail = value_of(service_->get(declared.id));
  EXPECT_EQ(detail.incident.version, 2);
  EXPECT_EQ(detail.incident.severity, incident::Severity::kSev1);
  const auto events = timeline(declared.id);
  EXPECT_THAT(events_of_kind(events, kind::kDeclared), SizeIs(1));
  EXPECT_THAT(events_of_kind(events, kind::kStateChanged), SizeIs(1));
  EXPECT_THAT(events_of_kind(events, kind::kSeverityChanged), SizeIs(0));
}

TEST_F(IncidentServiceTest, ConcurrentEditsOfOneVersionHaveOneWinner) {
  const incident::Incident declared = declare("Latency");
  std::vector<std::thread> threads;
  std::atomic<int> won{0};
  std::atomic<int> conflicted{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      incident::IncidentPatch patch;
      patch.summary = "editor " + std::to_string(i);
      const auto answer = service_->update(declared.id, 1, patch, "editor");
      if (refusal_of(answer) == api::Refusal::kConflict) {
        ++conflicted;
      } else if (!refusal_of(answer)) {
        ++won;
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), 7);
  EXPECT_EQ(value_of(service_->get(declared.id)).incident.version, 2);
}

TEST_F(IncidentServiceTest, NotesAreEditedWithHistoryAndRevisionChecks) {
  const incident::Incident declared = declare("Errors");
  const incident::TimelineEvent note =
      value_of(service_->add_note(declared.id, "restarted the pods", false, "bob"));
  EXPECT_GT(note.id, 0);
  EXPECT_EQ(note.kind, kind::kNote);
  EXPECT_EQ(note.revision, 1);
  EXPECT_EQ(refusal_of(service_->add_note(declared.id + 100, "x", false, "bob")),
            api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(service_->add_note(declared.id, "   ", false, "bob")),
            api::Refusal::kInvalid);

  clock_.advance(1min);
  const incident::TimelineEvent edited = value_of(service_->edit_note(
      declared.id, note.id, 1, std::string("restarted the api pods"), true, "carol"));
  EXPECT_EQ(edited.text, "restarted the api pods");
  EXPECT_TRUE(edited.pinned);
  EXPECT_EQ(edited.revision, 2);
  EXPECT_EQ(refusal_of(service_->edit_note(declared.id, note.id, 1, std::string("again"),
                                           std::nullopt, "dave")),
            api::Refusal::kConflict);
  const auto revisions = value_of(service_->note_revisions(declared.id, note.id));
  ASSERT_FALSE(revisions.empty());
  EXPECT_EQ(revisions.front().text, "restarted the pods");
  EXPECT_THAT(events_of_kind(timeline(declared.id), kind::kNoteEdited), SizeIs(1));
  // A declared event is not a note.
  const auto first = timeline(declared.id).front();
  EXPECT_EQ(refusal_of(service_->edit_note(declared.id, first.id, 0, std::string("no"),
                                           std::nullopt, "dave")),
            api::Refusal::kNotFound);
}

TEST_F(IncidentServiceTest, ActionItemsUpdateWithVersionsAndListOverdue) {
  const incident::Incident declared = declare("Disk full");
  incident::ActionDraft draft;
  draft.title = "Alert on disk usage";
  draft.owner = "alice";
  draft.due = clock_.now() + 24h;
  draft.type = incident::ActionType::kDetective;
  const incident::ActionItem item = value_of(service_->add_action(declared.id, draft, "bob"));
  EXPECT_GT(item.id, 0);
  EXPECT_EQ(item.status, incident::ActionStatus::kOpen);

  incident::ActionPatch patch;
  patch.status = incident::ActionStatus::kInProgress;
  const incident::ActionItem moved =
      value_of(service_->update_action(declared.id, item.id, item.version, patch, "alice"));
  EXPECT_EQ(moved.status, incident::ActionStatus::kInProgress);
  EXPECT_EQ(moved.version, item.version + 1);
  EXPECT_EQ(refusal_of(service_->update_action(declared.id, item.id, item.version, patch, "x")),
            api::Refusal::kConflict);
  EXPECT_EQ(
      refusal_of(service_->update_action(declared.id + 1, item.id, moved.version, patch, "x")),
      api::Refusal::kNotFound);

  EXPECT_THAT(value_of(service_->overdue_actions()), SizeIs(0));
  clock_.advance(25h);
  const auto overdue = value_of(service_->overdue_actions());
  ASSERT_THAT(overdue, SizeIs(1));
  EXPECT_EQ(overdue.front().id, item.id);
  EXPECT_EQ(value_of(service_->get(declared.id)).open_action_items, 1u);
  EXPECT_THAT(events_of_kind(timeline(declared.id), kind::kActionItem), SizeIs(2));
}

TEST_F(IncidentServiceTest, AlertsOpenOneIncidentPerServiceAndJoinIt) {
  const TimePoint start = clock_.now() - 3min;
  const alert::Alert api_errors = page("HighErrorRate", "api", start);
  const alert::Alert api_latency = page("HighLatency", "api", start);
  const alert::Alert web_errors = page("HighErrorRate", "web", start);
  alert::Alert ticket = page("Slow", "api", start);
  ticket.labels["severity"] = "ticket";
  ASSERT_TRUE(service_->on_alerts({api_errors, web_errors, ticket}, clock_.now()).ok());
  clock_.advance(1min);
  ASSERT_TRUE(service_->on_alerts({api_latency, api_errors}, clock_.now()).ok());

  const auto incidents = all_incidents();
  ASSERT_THAT(incidents, SizeIs(2));
  std::map<std::string, incident::Incident> by_service;
  for (const incident::Incident& i : incidents)
    by_service[i.service] = i;
  ASSERT_TRUE(by_service.contains("api"));
  ASSERT_TRUE(by_service.contains("web"));
  EXPECT_EQ(by_service["api"].created_by, "sloe");
  EXPECT_EQ(by_service["api"].times.impact_started, start);

  const api::IncidentDetail api_detail = value_of(service_->get(by_service["api"].id));
  EXPECT_THAT(api_detail.alert_fingerprints,
              ElementsAre(alert::fingerprint_hex(api_errors.labels),
                          alert::fingerprint_hex(api_latency.labels)));
  EXPECT_THAT(events_of_kind(timeline(by_service["api"].id), kind::kAlertFired), SizeIs(2));

  // A responder declaring for a service with an open incident is pointed at it; a declared
  // incident for another service absorbs that service's pages.
  incident::Declaration again;
  again.title = "api broken";
  again.service = "api";
  EXPECT_EQ(refusal_of(service_->declare(again, "bob")), api::Refusal::kConflict);
  incident::Declaration db_declared;
  db_declared.title = "db slow";
  db_declared.service = "db";
  const incident::Incident db_incident = value_of(service_->declare(db_declared, "bob"));
  ASSERT_TRUE(service_->on_alerts({page("ReplicationLag", "db", start)}, clock_.now()).ok());
  EXPECT_THAT(value_of(service_->get(db_incident.id)).alert_fingerprints, SizeIs(1));
  EXPECT_THAT(all_incidents(), SizeIs(3));

  // Once the incident is resolved, the next page for the service opens a new one.
  incident::IncidentPatch resolve;
  resolve.state = incident::State::kResolved;
  value_of(service_->update(by_service["api"].id, by_service["api"].version, resolve, "bob"));
  ASSERT_TRUE(service_->on_alerts({page("HighErrorRate", "api", clock_.now())}, clock_.now()).ok());
  EXPECT_THAT(all_incidents(), SizeIs(4));
}

TEST_F(IncidentServiceTest, TheSameAlertFromEightThreadsOpensOneIncident) {
  const alert::Alert alert = page("HighErrorRate", "api", clock_.now());
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { EXPECT_TRUE(service_->on_alerts({alert}, clock_.now()).ok()); });
  }
  for (std::thread& t : threads)
    t.join();
  const auto incidents = all_incidents();
  ASSERT_THAT(incidents, SizeIs(1));
  const api::IncidentDetail detail = value_of(service_->get(incidents.front().id));
  EXPECT_THAT(detail.alert_fingerprints, SizeIs(1));
  EXPECT_THAT(events_of_kind(timeline(incidents.front().id), kind::kAlertFired), SizeIs(1));
}

TEST_F(IncidentServiceTest, AResolvedAlertLandsOnItsIncidentOnce) {
  alert::Alert alert = page("HighErrorRate", "api", clock_.now());
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());
  clock_.advance(10min);
  alert.ends_at = clock_.now();
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());
  clock_.advance(1min);
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());  // sent again: no second event
  // A resolved alert that never opened an incident changes nothing.
  alert::Alert stranger = page("Other", "db", clock_.now() - 5min);
  stranger.ends_at = clock_.now();
  ASSERT_TRUE(service_->on_alerts({stranger}, clock_.now()).ok());

  const auto incidents = all_incidents();
  ASSERT_THAT(incidents, SizeIs(1));
  const auto resolved = events_of_kind(timeline(incidents.front().id), kind::kAlertResolved);
  ASSERT_THAT(resolved, SizeIs(1));
  EXPECT_EQ(resolved.front().fields.at("fingerprint"), alert::fingerprint_hex(alert.labels));
}

TEST_F(IncidentServiceTest, NotificationsAndAcknowledgementsLandOnTheTimeline) {
  const alert::Alert alert = page("HighErrorRate", "api", clock_.now());
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());
  const std::int64_t id = all_incidents().front().id;

  alert::GroupNotification notification;
  notification.receiver = "pager";
  notification.group_key = "{}:{service=\"api\"}";
  notification.alerts = {alert};
  notification.at = clock_.now();
  service_->notification_enqueued(notification);
  service_->notification_delivered("pager", notification.group_key, true, "", clock_.now());
  service_->notification_delivered("pager", notification.group_key, false, "HTTP 500",
                                   clock_.now());
  service_->notification_delivered("pager", "{}:{service=\"other\"}", true, "", clock_.now());
  clock_.advance(3min);
  service_->escalation_acknowledged(notification, "alice", clock_.now());

  const auto events = timeline(id);
  EXPECT_THAT(events_of_kind(events, kind::kNotificationSent), SizeIs(1));
  const auto failed = events_of_kind(events, kind::kNotificationFailed);
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_EQ(failed.front().fields.at("receiver"), "pager");
  const auto acknowledged = events_of_kind(events, kind::kNotificationAcknowledged);
  ASSERT_THAT(acknowledged, SizeIs(1));
  EXPECT_EQ(acknowledged.front().actor, "alice");
  EXPECT_EQ(value_of(service_->get(id)).incident.times.acknowledged, clock_.now());
}

TEST_F(IncidentServiceTest, SecretsAndAddressesNeverReachTheDatabaseFiles) {
  const std::string email = "jane.doe@example.com";
  const std::string token = "s3cr3tT0kenValue0123456789abcdef";
  const incident::Incident declared = declare("Login failing for " + email);
  value_of(service_->add_note(declared.id,
                              "curl -H 'Authorization: Bearer " + token + "' failed; ask " + email,
                              false, "bob"));
  alert::Alert alert = page("HighErrorRate", "api", clock_.now());
  alert.annotations["description"] = "reported by " + email;
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());

  const auto notes = events_of_kind(timeline(declared.id), kind::kNote);
  ASSERT_THAT(notes, SizeIs(1));
  EXPECT_EQ(notes.front().text.find(token), std::string::npos);
  EXPECT_NE(notes.front().text.find("[REDACTED:"), std::string::npos);

  // Raw bytes: the main file and the write-ahead log, while open and after closing. The redacted
  // note is there (so these are the bytes that hold it); the secrets are not.
  std::string written;
  for (const std::string& path : {db_path(), db_path() + "-wal"}) {
    const std::string bytes = file_bytes(path);
    EXPECT_EQ(bytes.find(email), std::string::npos) << path;
    EXPECT_EQ(bytes.find(token), std::string::npos) << path;
    written += bytes;
  }
  EXPECT_NE(written.find("[REDACTED:"), std::string::npos);
  EXPECT_NE(written.find("failed; ask"), std::string::npos);
  service_.reset();
  const std::string closed = file_bytes(db_path());
  EXPECT_EQ(closed.find(email), std::string::npos);
  EXPECT_EQ(closed.find(token), std::string::npos);
  EXPECT_NE(closed.find("failed; ask"), std::string::npos);
}

TEST_F(IncidentServiceTest, GroupCommitKeepsEveryNoteInOrderPerThread) {
  const incident::Incident declared = declare("Load test");
  constexpr int kThreads = 16;
  constexpr int kNotes = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kNotes; ++n) {
        const auto answer = service_->add_note(
            declared.id, "thread " + std::to_string(t) + " note " + std::to_string(n), false,
            "writer" + std::to_string(t));
        EXPECT_FALSE(refusal_of(answer).has_value());
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  const std::uint64_t commits = service_->commits();
  RecordProperty("commits", static_cast<int>(commits));

  // Durable: a fresh service on the same file sees every note, each thread's in its order.
  open();
  const auto notes = events_of_kind(timeline(declared.id), kind::kNote);
  ASSERT_THAT(notes, SizeIs(kThreads * kNotes));
  std::map<std::string, int> next;
  for (const incident::TimelineEvent& note : notes) {
    const int expected = next[note.actor]++;
    EXPECT_EQ(note.text.substr(note.text.rfind(' ') + 1), std::to_string(expected)) << note.actor;
  }
  EXPECT_THAT(next, SizeIs(kThreads));
  // Group commit: callers waiting at the same moment share a transaction.
  EXPECT_LT(commits, static_cast<std::uint64_t>(kThreads * kNotes));
}

TEST_F(IncidentServiceTest, OverdueOwnersAreRemindedOncePerDay) {
  const incident::Incident declared = declare("Outage");
  incident::ActionDraft alices;
  alices.title = "Add a runbook";
  alices.owner = "alice";
  alices.due = clock_.now() + 1h;
  const incident::ActionItem alice_item =
      value_of(service_->add_action(declared.id, alices, "bob"));
  incident::ActionDraft bobs = alices;
  bobs.owner = "bob";
  bobs.due = clock_.now() + 2h;
  value_of(service_->add_action(declared.id, bobs, "bob"));
  incident::ActionDraft done = alices;
  done.owner = "carol";
  const incident::ActionItem carol_item = value_of(service_->add_action(declared.id, done, "bob"));
  incident::ActionPatch finish;
  finish.status = incident::ActionStatus::kDone;
  value_of(service_->update_action(declared.id, carol_item.id, carol_item.version, finish, "c"));

  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 0u);
  clock_.advance(90min);  // alice's is overdue
  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 1u);
  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 0u);
  clock_.advance(1h);  // bob's too; alice was reminded an hour ago
  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 1u);
  clock_.advance(22h);
  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 0u);
  clock_.advance(1h + 1min);  // a day after alice's reminder
  EXPECT_EQ(service_->remind_overdue(clock_.now()).value(), 1u);

  ASSERT_THAT(sent_, SizeIs(3));
  EXPECT_EQ(sent_[0].receiver, "page-alice");
  EXPECT_EQ(sent_[1].receiver, "team");  // bob has no page-bob receiver
  EXPECT_EQ(sent_[2].receiver, "page-alice");
  ASSERT_THAT(sent_[0].alerts, SizeIs(1));
  EXPECT_EQ(sent_[0].alerts[0].labels.at("action_id"), std::to_string(alice_item.id));
  const auto reminded = events_of_kind(timeline(declared.id), kind::kActionItem);
  EXPECT_EQ(std::count_if(reminded.begin(), reminded.end(),
                          [](const incident::TimelineEvent& e) {
                            const auto change = e.fields.find("change");
                            return change != e.fields.end() && change->second == "reminded";
                          }),
            3);
}

TEST_F(IncidentServiceTest, FiguresCountOpenIncidentsWithoutTests) {
  declare("One", incident::Severity::kSev1);
  declare("Two", incident::Severity::kSev1);
  incident::Declaration drill;
  drill.title = "Game day";
  drill.severity = incident::Severity::kSev1;
  drill.test = true;
  value_of(service_->declare(drill, "alice"));
  const api::IncidentMetricFigures figures = service_->figures().value();
  EXPECT_EQ(figures.open.at("SEV1"), 2);
  EXPECT_EQ(figures.open.at("SEV4"), 0);
  ASSERT_TRUE(figures.times.contains("detect"));
  EXPECT_EQ(figures.times.at("detect").at("SEV1").count, 2u);  // the drill is not counted

  api::AgentMetrics metrics("test");
  metrics.observe_incidents(figures);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("sloe_incidents_open{severity=\"SEV1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("sloe_incidents_open{severity=\"SEV4\"} 0"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sloe_incident_time_to_detect_seconds summary"), std::string::npos);
  for (const char* figure : {"detect", "acknowledge", "mitigate", "resolve"}) {
    for (const char* quantile : {"0.5", "0.9"}) {
      const std::string series = std::string("sloe_incident_time_to_") + figure +
                                 "_seconds{severity=\"SEV1\",quantile=\"" + quantile + "\"}";
      EXPECT_NE(text.find(series), std::string::npos) << series;
    }
  }
  if (const char* out = std::getenv("SLOE_METRICS_DUMP")) {
    std::ofstream(out) << text;
  }
}

TEST_F(IncidentServiceTest, WritesAfterStopAreRefused) {
  const incident::Incident declared = declare("Before");
  service_->stop();
  EXPECT_EQ(refusal_of(service_->add_note(declared.id, "late", false, "bob")),
            api::Refusal::kUnavailable);
  EXPECT_EQ(value_of(service_->get(declared.id)).incident.title, "Before");
}

// The seams, end to end with a ManualClock: the pipeline's enqueue/ack observers and the
// notifier's delivery observer put a page's notifications on the incident its alert opened.
constexpr const char* kRouting = R"(route:
  receiver: pager
  group_by: [service]
  group_wait: 30s
receivers:
  - name: pager
    escalation_policy: page-sre
    webhook_configs: [{ url: "http://hooks.test/pager" }]
  - name: page-alice
    webhook_configs: [{ url: "http://hooks.test/alice" }]
)";
constexpr const char* kOncall = R"(users:
  - { name: alice, receiver: page-alice }
escalation_policies:
  - name: page-sre
    steps:
      - users: [alice]
        wait: 10m
)";

class AcceptingSender final : public notify::Sender {
 public:
  notify::SendResult send(const notify::OutboxRequest&) override {
    return notify::SendResult{200, "", std::nullopt, ""};
  }
};

TEST_F(IncidentServiceTest, PipelineNotificationsAndAcknowledgementsReachTheIncident) {
  auto loaded = config::load_config_from_strings(
      {{"alerts/alertmanager.yml", kRouting}, {"alerts/oncall.yaml", kOncall}});
  ASSERT_TRUE(loaded.ok());
  const config::Config config = std::move(*loaded.config);
  auto receivers = build_receivers(*config.alerting, "");
  ASSERT_TRUE(receivers.ok()) << receivers.error().message;
  notify::ReceiverRegistry registry;
  registry.replace(std::move(receivers).value());
  auto db = store::Database::open(dir_.file("sloe.db"), store::sloe_migrations());
  ASSERT_TRUE(db.ok()) << db.error().message;
  notify::Outbox outbox(**db);
  AcceptingSender sender;
  IncidentService* incidents = service_.get();
  notify::NotifierOptions notifier_options;
  notifier_options.on_finished = [incidents](const notify::OutboxEntry& row, bool delivered,
                                             const std::string& reason, TimePoint at) {
    incidents->notification_delivered(row.receiver, row.group_key, delivered, reason, at);
  };
  notify::Notifier notifier(outbox, registry, sender, clock_, notifier_options);
  AlertPipeline::Options options;
  options.on_enqueued = [incidents](const alert::GroupNotification& notification) {
    incidents->notification_enqueued(notification);
  };
  options.on_acknowledged = [incidents](const alert::GroupNotification& latest,
                                        const std::string& by, TimePoint at) {
    incidents->escalation_acknowledged(latest, by, at);
  };
  auto pipeline = AlertPipeline::create(clock_, config, notifier, nullptr, options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;

  const alert::Alert alert = page("HighErrorRate", "checkout", clock_.now());
  ASSERT_TRUE(service_->on_alerts({alert}, clock_.now()).ok());
  (*pipeline)->ingest({alert});
  (*pipeline)->process();  // routed now; the group waits group_wait
  clock_.advance(30s);
  (*pipeline)->process();
  ASSERT_TRUE(notifier.drain_once(clock_.now()).ok());

  const auto incidents_now = all_incidents();
  ASSERT_THAT(incidents_now, SizeIs(1));
  const std::int64_t id = incidents_now.front().id;
  const auto sent = events_of_kind(timeline(id), kind::kNotificationSent);
  std::vector<std::string> receivers_notified;
  for (const incident::TimelineEvent& event : sent)
    receivers_notified.push_back(event.fields.at("receiver"));
  std::sort(receivers_notified.begin(), receivers_notified.end());
  EXPECT_THAT(receivers_notified, ElementsAre("page-alice", "pager"));

  clock_.advance(2min);
  const auto escalations = (*pipeline)->escalations();
  ASSERT_THAT(escalations, SizeIs(1));
  ASSERT_TRUE((*pipeline)->acknowledge(escalations.front().id, "alice").ok());
  EXPECT_THAT(events_of_kind(timeline(id), kind::kNotificationAcknowledged), SizeIs(1));
  EXPECT_EQ(value_of(service_->get(id)).incident.times.acknowledged, clock_.now());
}

// The agent's wiring: an alert received over HTTP opens an incident (durably, redacted), and
// /metrics counts it.
TEST(AgentIncidentsTest, AReceivedPageOpensAnIncidentThatMetricsCount) {
  store::testing::TempDir dir;
  SystemClock clock;
  auto loaded = config::load_config_from_strings(
      {{"alerts/alertmanager.yml", "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n"}});
  ASSERT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].to_string());
  AgentOptions options;
  options.data_dir = dir.path().string();
  options.listen.port = 0;
  options.evaluation_interval = 50ms;
  auto agent = Agent::create(clock, std::move(*loaded.config), options);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  ASSERT_TRUE((*agent)->start().ok());

  httplib::Client client("127.0.0.1", (*agent)->port());
  const auto posted = client.Post(
      "/api/v2/alerts",
      R"([{"labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "page"},
          "annotations": {"summary": "checkout errors, ask ops@example.com"}}])",
      "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  // The evaluator refreshes /metrics on its interval; wait for it (generous deadline).
  const std::string open_series = "sloe_incidents_open{severity=\"SEV2\"} 1";
  std::string metrics;
  for (int attempt = 0; attempt < 200 && metrics.find(open_series) == std::string::npos;
       ++attempt) {
    if (auto got = client.Get("/metrics"); got && got->status == 200)
      metrics = got->body;
    if (metrics.find(open_series) == std::string::npos)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(metrics.find(open_series), std::string::npos) << metrics;
  (*agent)->stop();
  agent->reset();

  auto reopened = IncidentService::open(dir.file("sloe.db"), clock, IncidentService::Options{});
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  api::IncidentFilter filter;
  const auto incidents = value_of((*reopened)->list(filter)).incidents;
  ASSERT_THAT(incidents, SizeIs(1));
  EXPECT_EQ(incidents.front().service, "checkout");
  EXPECT_EQ(incidents.front().title.find("ops@example.com"), std::string::npos);
}

}  // namespace
}  // namespace sloe::app

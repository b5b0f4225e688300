#include "sloe/store/incident_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using namespace std::chrono_literals;
using incident::ActionItem;
using incident::ActionStatus;
using incident::Incident;
using incident::Severity;
using incident::State;
using incident::TimelineEvent;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Millisecond precision: what the store keeps.
const TimePoint kT0 = from_unix_seconds(1'800'000'000.0) + 123ms;

std::unique_ptr<Database> open_db(const std::string& path) {
  auto opened = Database::open(path, sloe_migrations());
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(opened).value();
}

Incident full_incident(const std::string& dedup_key) {
  Incident incident;
  incident.title = "Checkout \"errors\"\nabove budget";
  incident.summary = "5xx on /pay";
  incident.service = "checkout";
  incident.state = State::kInvestigating;
  incident.severity = Severity::kSev2;
  incident.test = false;
  incident.times.impact_started = kT0 - 5min;
  incident.times.detected = kT0;
  incident.times.acknowledged = kT0 + 2min;
  incident.times.mitigated = kT0 + 20min;
  // resolved and closed stay unset: optional columns must come back unset.
  incident.roles = {
      {"commander", "alice", kT0, kT0 + 10min, "sloe"},
      {"commander", "bob", kT0 + 10min, std::nullopt, "alice"},
      {"scribe", "carol", kT0 + 1min, std::nullopt, "bob"},
  };
  incident.labels = {
      {"alertname", "HighErrorRate"}, {"service", "checkout"}, {"note", "a\\b=\"c\""}};
  incident.dedup_key = dedup_key;
  incident.version = 1;
  incident.created_at = kT0;
  incident.updated_at = kT0 + 1s;
  incident.created_by = "sloe";
  return incident;
}

Incident simple_incident(const std::string& service, Severity severity, TimePoint created,
                         bool test = false) {
  Incident incident;
  incident.title = service + " down";
  incident.service = service;
  incident.severity = severity;
  incident.test = test;
  incident.created_at = created;
  incident.updated_at = created;
  incident.created_by = "alice";
  return incident;
}

TimelineEvent note(std::int64_t incident_id, TimePoint at, const std::string& text) {
  TimelineEvent event;
  event.incident_id = incident_id;
  event.at = at;
  event.actor = "alice";
  event.kind = std::string(incident::event_kind::kNote);
  event.text = text;
  return event;
}

ActionItem action_item(std::int64_t incident_id, const std::string& title,
                       std::optional<TimePoint> due) {
  ActionItem item;
  item.incident_id = incident_id;
  item.title = title;
  item.owner = "bob";
  item.due = due;
  item.priority = incident::Priority::kP2;
  item.type = incident::ActionType::kPreventive;
  item.ticket_url = "https://tracker.example/T-1";
  item.created_at = kT0;
  item.updated_at = kT0;
  item.created_by = "alice";
  return item;
}

void expect_same(const Incident& a, const Incident& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.times.impact_started, b.times.impact_started);
  EXPECT_EQ(a.times.detected, b.times.detected);
  EXPECT_EQ(a.times.acknowledged, b.times.acknowledged);
  EXPECT_EQ(a.times.mitigated, b.times.mitigated);
  EXPECT_EQ(a.times.resolved, b.times.resolved);
  EXPECT_EQ(a.times.closed, b.times.closed);
  ASSERT_EQ(a.roles.size(), b.roles.size());
  for (std::size_t i = 0; i < a.roles.size(); ++i) {
    EXPECT_EQ(a.roles[i].role, b.roles[i].role) << i;
    EXPECT_EQ(a.roles[i].person, b.roles[i].person) << i;
    EXPECT_EQ(a.roles[i].since, b.roles[i].since) << i;
    EXPECT_EQ(a.roles[i].until, b.roles[i].until) << i;
    EXPECT_EQ(a.roles[i].assigned_by, b.roles[i].assigned_by) << i;
  }
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.dedup_key, b.dedup_key);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.created_by, b.created_by);
}

class IncidentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  // Closes and reopens the file: everything asserted afterwards came from disk.
  void reopen() {
    store_.reset();
    db_.reset();
    db_ = open_db(path());
    ASSERT_NE(db_, nullptr);
    store_ = std::make_unique<IncidentStore>(*db_);
  }

  std::string path() const { return dir_.file("sloe.db"); }

  Incident create(const Incident& incident, std::vector<TimelineEvent> events = {}) {
    auto created = store_->create(incident, events);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? *created : Incident{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<IncidentStore> store_;
};

TEST_F(IncidentStoreTest, CreateAssignsIdsAndEveryFieldSurvivesReopen) {
  TimelineEvent opened;
  opened.at = kT0;
  opened.actor = "sloe";
  opened.kind = std::string(incident::event_kind::kOpenedByAlert);
  opened.fields = {{"alertname", "HighErrorRate"}, {"quote", "\"x\"\ny"}};
  opened.pinned = true;
  std::vector<TimelineEvent> events{opened, note(0, kT0 + 1s, "first note")};

  const Incident original = full_incident("page/checkout");
  auto created = store_->create(original, events);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, 0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_GT(events[0].id, 0);
  EXPECT_GT(events[1].id, events[0].id);
  EXPECT_EQ(events[0].incident_id, created->id);
  EXPECT_EQ(events[1].incident_id, created->id);

  reopen();
  auto loaded = store_->get(created->id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  Incident expected = original;
  expected.id = created->id;
  expect_same(**loaded, expected);
  EXPECT_EQ(incident::current_holder(**loaded, "commander"), "bob");

  auto timeline = store_->timeline(created->id, 0, 100);
  ASSERT_TRUE(timeline.ok()) << timeline.error().message;
  ASSERT_EQ(timeline->size(), 2u);
  const TimelineEvent& first = (*timeline)[0];
  EXPECT_EQ(first.id, events[0].id);
  EXPECT_EQ(first.at, kT0);
  EXPECT_EQ(first.actor, "sloe");
  EXPECT_EQ(first.kind, "incident_opened");
  EXPECT_EQ(first.fields, opened.fields);
  EXPECT_TRUE(first.pinned);
  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ((*timeline)[1].text, "first note");

  auto missing = store_->get(created->id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(IncidentStoreTest, OptionalTimestampsRoundTripWhenSetAndWhenUnset) {
  Incident none = simple_incident("a", Severity::kSev4, kT0);
  Incident all = simple_incident("b", Severity::kSev1, kT0);
  all.state = State::kClosed;
  all.times = {kT0 - 1h, kT0, kT0 + 1min, kT0 + 2min, kT0 + 3min, kT0 + 4min};
  const Incident a = create(none);
  const Incident b = create(all);
  reopen();
  auto loaded_a = store_->get(a.id);
  auto loaded_b = store_->get(b.id);
  ASSERT_TRUE(loaded_a.ok() && loaded_a->has_value());
  ASSERT_TRUE(loaded_b.ok() && loaded_b->has_value());
  expect_same(**loaded_a, a);
  expect_same(**loaded_b, b);
  EXPECT_FALSE((*loaded_a)->times.detected.has_value());
  EXPECT_EQ((*loaded_b)->times.closed, kT0 + 4min);
}

TEST_F(IncidentStoreTest, SecondOpenIncidentWithTheSameDedupKeyFailsUntilTheFirstResolves) {
  Incident first = create(full_incident("page/checkout"));
  std::vector<TimelineEvent> events{note(0, kT0, "should not be written")};
  auto duplicate = store_->create(full_incident("page/checkout"), events);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.error().message, StartsWith("duplicate open incident"));
  EXPECT_EQ(events[0].id, 0);  // nothing of the failed create was written
  auto all = store_->all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);

  // Empty keys never collide.
  create(full_incident(""));
  create(full_incident(""));

  auto open = store_->find_open("page/checkout");
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->id, first.id);

  Incident resolved = first;
  resolved.state = State::kResolved;
  resolved.times.resolved = kT0 + 1h;
  resolved.version = first.version + 1;
  auto updated = store_->update(resolved, first.version);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_TRUE(*updated);
  open = store_->find_open("page/checkout");
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->has_value());

  const Incident second = create(full_incident("page/checkout"));
  EXPECT_GT(second.id, first.id);

  // Reopening the first while the second is open would make two open: refused.
  Incident reopened = resolved;
  reopened.state = State::kInvestigating;
  reopened.version = resolved.version + 1;
  auto refused = store_->update(reopened, resolved.version);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, StartsWith("duplicate open incident"));
}

TEST_F(IncidentStoreTest, RacingCreatesOnTwoConnectionsOpenExactlyOneIncident) {
  constexpr int kRounds = 20;
  std::unique_ptr<Database> other_db = open_db(path());
  ASSERT_NE(other_db, nullptr);
  IncidentStore other(*other_db);
  std::atomic<int> successes{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> other_errors{0};
  const auto racer = [&](IncidentStore& store, int round) {
    std::vector<TimelineEvent> events{note(0, kT0, "opened")};
    auto created = store.create(full_incident("race/" + std::to_string(round)), events);
    if (created) {
      ++successes;
    } else if (created.error().message.rfind("duplicate open incident", 0) == 0) {
      ++duplicates;
    } else {
      ++other_errors;
      ADD_FAILURE() << created.error().message;
    }
  };
  for (int round = 0; round < kRounds; ++round) {
    std::thread a(racer, std::ref(*store_), round);
    std::thread b(racer, std::ref(other), round);
    a.join();
    b.join();
  }
  EXPECT_EQ(successes.load(), kRounds);
  EXPECT_EQ(duplicates.load(), kRounds);
  EXPECT_EQ(other_errors.load(), 0);
  auto all = store_->all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), static_cast<std::size_t>(kRounds));
}

TEST_F(IncidentStoreTest, UpdateComparesVersionsAndReplacesRoleHistory) {
  const Incident stored = create(full_incident("k"));
  Incident edit = stored;
  edit.title = "renamed";
  edit.severity = Severity::kSev1;
  edit.roles.push_back({"communications", "dave", kT0 + 3min, std::nullopt, "bob"});
  edit.roles[2].until = kT0 + 3min;
  edit.version = stored.version + 1;
  edit.updated_at = kT0 + 5min;
  auto first = store_->update(edit, stored.version);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);

  // A second writer still holding version 1 loses and writes nothing.
  Incident stale = stored;
  stale.title = "stale";
  stale.roles.clear();
  stale.version = stored.version + 1;
  auto second = store_->update(stale, stored.version);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);

  reopen();
  auto loaded = store_->get(stored.id);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  expect_same(**loaded, edit);
  EXPECT_EQ((*loaded)->version, 2);
}

TEST_F(IncidentStoreTest, ListFiltersAndPagesNewestFirst) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    Incident incident =
        simple_incident(i % 2 == 0 ? "api" : "web", i < 4 ? Severity::kSev1 : Severity::kSev3,
                        kT0 + std::chrono::minutes(i), i == 6);
    if (i == 1)
      incident.state = State::kResolved;
    ids.push_back(create(incident).id);
  }
  const auto list_ids = [&](const IncidentQuery& query) {
    std::vector<std::int64_t> out;
    auto page = store_->list(query);
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (page) {
      for (const Incident& incident : page->incidents)
        out.push_back(incident.id);
    }
    return out;
  };
  IncidentQuery api;
  api.service = "api";
  EXPECT_THAT(list_ids(api), ElementsAre(ids[6], ids[4], ids[2], ids[0]));
  api.include_tests = false;
  EXPECT_THAT(list_ids(api), ElementsAre(ids[4], ids[2], ids[0]));

  IncidentQuery sev1;
  sev1.severity = Severity::kSev1;
  EXPECT_THAT(list_ids(sev1), ElementsAre(ids[3], ids[2], ids[1], ids[0]));

  IncidentQuery resolved;
  resolved.state = State::kResolved;
  EXPECT_THAT(list_ids(resolved), ElementsAre(ids[1]));

  IncidentQuery window;
  window.since = kT0 + 2min;
  window.until = kT0 + 5min;
  EXPECT_THAT(list_ids(window), ElementsAre(ids[4], ids[3], ids[2]));

  // Pages of 3 walk all seven without overlap; the last page says there is no more.
  IncidentQuery paged;
  paged.limit = 3;
  std::vector<std::int64_t> walked;
  int pages = 0;
  while (true) {
    auto page = store_->list(paged);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ++pages;
    for (const Incident& incident : page->incidents)
      walked.push_back(incident.id);
    if (page->next_before_id == 0)
      break;
    EXPECT_EQ(page->next_before_id, page->incidents.back().id);
    paged.before_id = page->next_before_id;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(walked, ElementsAre(ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]));

  // Exactly limit rows left: no phantom next page.
  IncidentQuery exact;
  exact.limit = 7;
  auto whole = store_->list(exact);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->incidents.size(), 7u);
  EXPECT_EQ(whole->next_before_id, 0);

  IncidentQuery too_big;
  too_big.limit = 1001;
  auto refused = store_->list(too_big);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("limit"));
}

TEST_F(IncidentStoreTest, TimelineAppendsInOrderAndPagesByAfterId) {
  const Incident stored = create(simple_incident("api", Severity::kSev2, kT0));
  std::vector<TimelineEvent> batch;
  for (int i = 0; i < 25; ++i)
    batch.push_back(note(stored.id, kT0 + std::chrono::seconds(i), "n" + std::to_string(i)));
  ASSERT_TRUE(store_->append(batch).ok());
  for (std::size_t i = 1; i < batch.size(); ++i)
    EXPECT_GT(batch[i].id, batch[i - 1].id);

  // Inside a caller's transaction (group commit), appends commit with it.
  Status grouped = db_->transaction([&](Database&) -> Status {
    for (int i = 0; i < 5; ++i) {
      std::vector<TimelineEvent> one{note(stored.id, kT0 + 1min, "grouped")};
      if (Status appended = store_->append(one); !appended)
        return appended;
    }
    return {};
  });
  ASSERT_TRUE(grouped.ok()) << grouped.error().message;

  reopen();
  auto first = store_->timeline(stored.id, 0, 10);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 10u);
  EXPECT_EQ(first->front().text, "n0");
  auto rest = store_->timeline(stored.id, first->back().id, 10000);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 20u);
  EXPECT_EQ(rest->front().text, "n10");
  EXPECT_EQ(rest->back().text, "grouped");

  std::vector<TimelineEvent> orphan{note(stored.id + 99, kT0, "no incident")};
  EXPECT_FALSE(store_->append(orphan).ok());
  EXPECT_FALSE(store_->timeline(stored.id, 0, 0).ok());
}

TEST_F(IncidentStoreTest, EditingANoteKeepsEveryEarlierText) {
  const Incident stored = create(simple_incident("api", Severity::kSev2, kT0));
  std::vector<TimelineEvent> events{note(stored.id, kT0, "db is slow")};
  ASSERT_TRUE(store_->append(events).ok());
  TimelineEvent edited = events[0];
  edited.text = "db is slow: lock contention";
  ASSERT_TRUE(store_->edit_note(edited, "bob", kT0 + 1min).ok());
  edited.pinned = true;  // pin only: no new revision
  ASSERT_TRUE(store_->edit_note(edited, "carol", kT0 + 2min).ok());
  edited.text = "root cause: lock contention on orders";
  ASSERT_TRUE(store_->edit_note(edited, "carol", kT0 + 3min).ok());

  reopen();
  auto current = store_->event(events[0].id);
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->text, "root cause: lock contention on orders");
  EXPECT_TRUE((*current)->pinned);
  EXPECT_EQ((*current)->revision, 3);

  auto revisions = store_->note_revisions(events[0].id);
  ASSERT_TRUE(revisions.ok()) << revisions.error().message;
  ASSERT_EQ(revisions->size(), 2u);
  EXPECT_EQ((*revisions)[0].revision, 1);
  EXPECT_EQ((*revisions)[0].text, "db is slow");
  EXPECT_EQ((*revisions)[0].edited_by, "bob");
  EXPECT_EQ((*revisions)[0].edited_at, kT0 + 1min);
  EXPECT_EQ((*revisions)[1].revision, 2);
  EXPECT_EQ((*revisions)[1].text, "db is slow: lock contention");
  EXPECT_EQ((*revisions)[1].edited_by, "carol");

  // Only notes are editable.
  std::vector<TimelineEvent> other{note(stored.id, kT0, "x")};
  other[0].kind = std::string(incident::event_kind::kStateChanged);
  ASSERT_TRUE(store_->append(other).ok());
  other[0].text = "rewritten history";
  auto refused = store_->edit_note(other[0], "mallory", kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("not a note"));
}

TEST_F(IncidentStoreTest, AnAlertPeriodLinksToOneIncidentOnly) {
  const Incident a = create(simple_incident("api", Severity::kSev2, kT0));
  const Incident b = create(simple_incident("web", Severity::kSev2, kT0));
  const std::uint64_t fingerprint = 0xfedcba9876543210ULL;  // above INT64_MAX
  auto linked = store_->link_alert(a.id, fingerprint, kT0);
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_TRUE(*linked);
  auto again = store_->link_alert(a.id, fingerprint, kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto elsewhere = store_->link_alert(b.id, fingerprint, kT0);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(*elsewhere);
  // A new firing period of the same alert is a new link.
  auto next_period = store_->link_alert(b.id, fingerprint, kT0 + 1h);
  ASSERT_TRUE(next_period.ok());
  EXPECT_TRUE(*next_period);

  reopen();
  auto found = store_->incident_for_alert(fingerprint, kT0);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, a.id);
  found = store_->incident_for_alert(fingerprint, kT0 + 1h);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, b.id);
  found = store_->incident_for_alert(fingerprint, kT0 + 2h);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(IncidentStoreTest, ActionItemsRoundTripAndUpdatesCompareVersions) {
  const Incident stored = create(simple_incident("api", Severity::kSev2, kT0));
  auto added = store_->add_action(action_item(stored.id, "add alert on queue depth", kT0 + 24h));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_GT(added->id, 0);
  auto undated = store_->add_action(action_item(stored.id, "write runbook", std::nullopt));
  ASSERT_TRUE(undated.ok());

  ActionItem edit = *added;
  edit.status = ActionStatus::kInProgress;
  edit.owner = "carol";
  edit.version = added->version + 1;
  edit.updated_at = kT0 + 1h;
  auto first = store_->update_action(edit, added->version);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  ActionItem stale = *added;
  stale.status = ActionStatus::kWontDo;
  stale.version = added->version + 1;
  auto second = store_->update_action(stale, added->version);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);

  reopen();
  auto items = store_->actions(stored.id);
  ASSERT_TRUE(items.ok()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  const ActionItem& loaded = (*items)[0];
  EXPECT_EQ(loaded.id, added->id);
  EXPECT_EQ(loaded.incident_id, stored.id);
  EXPECT_EQ(loaded.title, "add alert on queue depth");
  EXPECT_EQ(loaded.owner, "carol");
  EXPECT_EQ(loaded.due, kT0 + 24h);
  EXPECT_EQ(loaded.priority, incident::Priority::kP2);
  EXPECT_EQ(loaded.type, incident::ActionType::kPreventive);
  EXPECT_EQ(loaded.status, ActionStatus::kInProgress);
  EXPECT_EQ(loaded.ticket_url, "https://tracker.example/T-1");
  EXPECT_EQ(loaded.version, 2);
  EXPECT_EQ(loaded.created_at, kT0);
  EXPECT_EQ(loaded.updated_at, kT0 + 1h);
  EXPECT_EQ(loaded.created_by, "alice");
  EXPECT_FALSE(loaded.reminded_at.has_value());
  EXPECT_FALSE((*items)[1].due.has_value());

  auto one = store_->action(undated->id);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->title, "write runbook");
  auto none = store_->action(undated->id + 50);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(IncidentStoreTest, OverdueListsOpenItemsAcrossIncidentsMostOverdueFirst) {
  const Incident a = create(simple_incident("api", Severity::kSev2, kT0));
  const Incident b = create(simple_incident("web", Severity::kSev2, kT0));
  const TimePoint now = kT0 + 30 * 24h;
  const auto add = [&](std::int64_t incident_id, const std::string& title,
                       std::optional<TimePoint> due, ActionStatus status) {
    ActionItem item = action_item(incident_id, title, due);
    item.status = status;
    auto added = store_->add_action(item);
    EXPECT_TRUE(added.ok());
    return added ? added->id : 0;
  };
  const std::int64_t late_a = add(a.id, "late a", now - 2h, ActionStatus::kOpen);
  const std::int64_t later_b = add(b.id, "very late b", now - 48h, ActionStatus::kInProgress);
  add(a.id, "done", now - 72h, ActionStatus::kDone);
  add(b.id, "wont do", now - 72h, ActionStatus::kWontDo);
  add(a.id, "not due yet", now + 1h, ActionStatus::kOpen);
  add(b.id, "no due date", std::nullopt, ActionStatus::kOpen);
  add(b.id, "due exactly now", now, ActionStatus::kOpen);

  auto overdue = store_->overdue(now);
  ASSERT_TRUE(overdue.ok()) << overdue.error().message;
  ASSERT_EQ(overdue->size(), 2u);
  EXPECT_EQ((*overdue)[0].id, later_b);
  EXPECT_EQ((*overdue)[1].id, late_a);
  for (const ActionItem& item : *overdue)
    EXPECT_TRUE(incident::is_overdue(item, now)) << item.title;

  ASSERT_TRUE(store_->mark_reminded(late_a, now).ok());
  EXPECT_FALSE(store_->mark_reminded(late_a + 1000, now).ok());
  reopen();
  auto reminded = store_->action(late_a);
  ASSERT_TRUE(reminded.ok() && reminded->has_value());
  EXPECT_EQ((*reminded)->reminded_at, now);
  EXPECT_EQ((*reminded)->version, 1);  // a reminder is not an edit
}

}  // namespace
}  // namespace sloe::store

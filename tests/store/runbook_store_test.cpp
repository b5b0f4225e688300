#include "sloe/store/runbook_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using namespace std::chrono_literals;
using incident::Incident;
using incident::TimelineEvent;
using RunbookRun = runbook::Run;
using runbook::RunState;
using runbook::StepRun;
using runbook::StepState;
using runbook::Trigger;
using ::testing::HasSubstr;

// Millisecond precision: what the store keeps.
const TimePoint kT0 = from_unix_seconds(1'800'000'000.0) + 456ms;

Incident simple_incident(const std::string& service) {
  Incident incident;
  incident.title = service + " down";
  incident.service = service;
  incident.severity = incident::Severity::kSev2;
  incident.created_at = kT0;
  incident.updated_at = kT0;
  incident.created_by = "alice";
  return incident;
}

StepRun step(const std::string& id, StepState state) {
  StepRun run;
  run.step_id = id;
  run.state = state;
  return run;
}

// A run whose steps use every field, optional times both set and unset.
RunbookRun full_run(std::int64_t incident_id) {
  RunbookRun run;
  run.incident_id = incident_id;
  run.runbook = "error-budget-fast-burn";
  run.trigger = Trigger::kSeverityChange;
  run.started_by = "sloe";
  run.created_at = kT0;
  run.updated_at = kT0 + 3s;
  run.state = RunState::kWaitingApproval;
  run.version = 4;

  StepRun checked = step("check-dashboard", StepState::kDone);
  checked.actor = "alice";
  checked.finished_at = kT0 + 1s;

  StepRun probed = step("probe-health", StepState::kFailed);
  probed.attempts = 2;
  probed.started_at = kT0 + 1s;
  probed.finished_at = kT0 + 2s;
  probed.actor = "sloe";
  probed.output = "HTTP 503\n{\"status\": \"down\", \"why\": \"caf\xc3\xa9 'quoted'\"}";
  probed.error = "expected 200-299, got 503";
  probed.status_code = 503;

  StepRun approval = step("approve-failover", StepState::kWaitingApproval);
  approval.started_at = kT0 + 2s;
  approval.expires_at = kT0 + 32min;

  run.steps = {checked, probed, approval, step("failover", StepState::kPending)};
  return run;
}

void expect_same(const StepRun& a, const StepRun& b) {
  SCOPED_TRACE("step " + a.step_id);
  EXPECT_EQ(a.step_id, b.step_id);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.actor, b.actor);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.status_code, b.status_code);
}

void expect_same(const RunbookRun& a, const RunbookRun& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.incident_id, b.incident_id);
  EXPECT_EQ(a.runbook, b.runbook);
  EXPECT_EQ(a.trigger, b.trigger);
  EXPECT_EQ(a.started_by, b.started_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.version, b.version);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i)
    expect_same(a.steps[i], b.steps[i]);
}

std::vector<std::int64_t> ids(const std::vector<RunbookRun>& runs) {
  std::vector<std::int64_t> result;
  for (const RunbookRun& run : runs)
    result.push_back(run.id);
  return result;
}

TimelineEvent step_event(std::int64_t incident_id, const std::string& result) {
  TimelineEvent event;
  event.incident_id = incident_id;
  event.at = kT0 + 5s;
  event.actor = "sloe";
  event.kind = std::string(incident::event_kind::kRunbookStep);
  event.text = "Probe health";
  event.fields = {{"result", result}, {"runbook", "error-budget-fast-burn"}};
  return event;
}

class RunbookStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen();
    first_incident_ = create_incident("checkout");
    second_incident_ = create_incident("search");
  }

  // Closes and reopens the file: everything asserted afterwards came from disk.
  void reopen() {
    runs_.reset();
    incidents_.reset();
    db_.reset();
    auto opened = Database::open(dir_.file("sloe.db"), sloe_migrations());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
    incidents_ = std::make_unique<IncidentStore>(*db_);
    runs_ = std::make_unique<RunbookStore>(*db_);
  }

  std::int64_t create_incident(const std::string& service) {
    std::vector<TimelineEvent> none;
    auto created = incidents_->create(simple_incident(service), none);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? created->id : 0;
  }

  RunbookRun create(const RunbookRun& run) {
    auto created = runs_->create(run);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? *created : RunbookRun{};
  }

  RunbookRun load(std::int64_t run_id) {
    auto loaded = runs_->get(run_id);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded || !loaded->has_value()) {
      ADD_FAILURE() << "no run " << run_id;
      return RunbookRun{};
    }
    return **loaded;
  }

  std::size_t timeline_size(std::int64_t incident_id) {
    auto timeline = incidents_->timeline(incident_id, 0, 100);
    EXPECT_TRUE(timeline.ok()) << timeline.error().message;
    return timeline ? timeline->size() : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<IncidentStore> incidents_;
  std::unique_ptr<RunbookStore> runs_;
  std::int64_t first_incident_ = 0;
  std::int64_t second_incident_ = 0;
};

TEST_F(RunbookStoreTest, MigrationSevenCreatesTheRunTables) {
  EXPECT_GE(db_->schema_version(), 7);
  auto tables = db_->prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runbook_runs', "
      "'runbook_step_runs')");
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  auto row = tables->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(tables->column_int64(0), 2);
}

TEST_F(RunbookStoreTest, CreateAssignsAnIdAndEveryFieldSurvivesReopen) {
  const RunbookRun original = full_run(first_incident_);
  const RunbookRun created = create(original);
  EXPECT_GT(created.id, 0);

  reopen();
  RunbookRun expected = original;
  expected.id = created.id;
  expect_same(load(created.id), expected);
}

TEST_F(RunbookStoreTest, RunWithoutStepsRoundTrips) {
  RunbookRun bare;
  bare.incident_id = first_incident_;
  bare.runbook = "notes-only";
  bare.started_by = "bob";
  bare.created_at = kT0;
  bare.updated_at = kT0;
  bare.state = RunState::kCompleted;
  const RunbookRun created = create(bare);
  RunbookRun expected = bare;
  expected.id = created.id;
  expect_same(load(created.id), expected);
}

TEST_F(RunbookStoreTest, GetOfAnUnknownRunIsEmpty) {
  auto loaded = runs_->get(4242);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(RunbookStoreTest, CreateForAnUnknownIncidentFailsAndWritesNothing) {
  auto created = runs_->create(full_run(9999));
  ASSERT_FALSE(created.ok());
  EXPECT_THAT(created.error().message, HasSubstr("incident 9999"));
  auto unfinished = runs_->unfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.error().message;
  EXPECT_TRUE(unfinished->empty());
}

TEST_F(RunbookStoreTest, ForIncidentListsThatIncidentsRunsOldestFirstWithTheirSteps) {
  const RunbookRun first = create(full_run(first_incident_));
  const RunbookRun other = create(full_run(second_incident_));
  RunbookRun later_run = full_run(first_incident_);
  later_run.runbook = "probe-target-down";
  later_run.steps = {step("only", StepState::kPending)};
  const RunbookRun later = create(later_run);

  reopen();
  auto runs = runs_->for_incident(first_incident_);
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  EXPECT_EQ(ids(*runs), (std::vector<std::int64_t>{first.id, later.id}));
  ASSERT_EQ(runs->size(), 2u);
  expect_same((*runs)[0], first);
  expect_same((*runs)[1], later);

  auto of_second = runs_->for_incident(second_incident_);
  ASSERT_TRUE(of_second.ok()) << of_second.error().message;
  EXPECT_EQ(ids(*of_second), std::vector<std::int64_t>{other.id});

  auto of_none = runs_->for_incident(second_incident_ + 100);
  ASSERT_TRUE(of_none.ok()) << of_none.error().message;
  EXPECT_TRUE(of_none->empty());
}

TEST_F(RunbookStoreTest, UnfinishedListsEveryRunButCompletedOnesOldestFirst) {
  std::vector<std::int64_t> expected;
  for (RunState state : {RunState::kActive, RunState::kCompleted, RunState::kWaitingApproval,
                         RunState::kCompleted, RunState::kBlocked}) {
    RunbookRun run = full_run(state == RunState::kBlocked ? second_incident_ : first_incident_);
    run.state = state;
    const RunbookRun created = create(run);
    if (state != RunState::kCompleted)
      expected.push_back(created.id);
  }
  auto unfinished = runs_->unfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.error().message;
  EXPECT_EQ(ids(*unfinished), expected);
  for (const RunbookRun& run : *unfinished)
    EXPECT_EQ(run.steps.size(), 4u) << run.id;

  // Completing one through update takes it off the list.
  RunbookRun done = load(expected.front());
  done.state = RunState::kCompleted;
  done.version += 1;
  auto updated = runs_->update(done, done.version - 1);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_TRUE(*updated);
  auto after = runs_->unfinished();
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(ids(*after), (std::vector<std::int64_t>{expected[1], expected[2]}));
}

TEST_F(RunbookStoreTest, UpdateWritesTheRunAndEveryStepWhenTheVersionMatches) {
  const RunbookRun created = create(full_run(first_incident_));
  RunbookRun changed = created;
  changed.state = RunState::kActive;
  changed.updated_at = kT0 + 10min;
  changed.version = created.version + 1;
  changed.steps[1].state = StepState::kSkipped;
  changed.steps[1].actor = "bob";
  changed.steps[1].output.clear();
  changed.steps[1].error.clear();
  changed.steps[1].status_code = 0;
  changed.steps[1].started_at.reset();
  changed.steps[2].state = StepState::kSucceeded;
  changed.steps[2].expires_at.reset();
  changed.steps[2].finished_at = kT0 + 9min;
  changed.steps[2].actor = "carol";
  changed.steps[3].state = StepState::kRunning;
  changed.steps[3].attempts = 1;
  changed.steps[3].started_at = kT0 + 10min;

  auto updated = runs_->update(changed, created.version);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_TRUE(*updated);
  reopen();
  expect_same(load(created.id), changed);
}

TEST_F(RunbookStoreTest, StaleUpdateReturnsFalseAndWritesNothing) {
  const RunbookRun created = create(full_run(first_incident_));
  RunbookRun first_writer = created;
  first_writer.version = created.version + 1;
  first_writer.steps[3].state = StepState::kRunning;
  auto won = runs_->update(first_writer, created.version);
  ASSERT_TRUE(won.ok()) << won.error().message;
  ASSERT_TRUE(*won);

  // A second writer still holding the old version loses, and none of its changes land.
  RunbookRun second_writer = created;
  second_writer.version = created.version + 1;
  second_writer.state = RunState::kCompleted;
  second_writer.updated_at = kT0 + 1h;
  second_writer.steps[0].actor = "mallory";
  second_writer.steps[3].state = StepState::kSkipped;
  auto lost = runs_->update(second_writer, created.version);
  ASSERT_TRUE(lost.ok()) << lost.error().message;
  EXPECT_FALSE(*lost);

  reopen();
  expect_same(load(created.id), first_writer);
}

TEST_F(RunbookStoreTest, UpdateOfAnUnknownRunReturnsFalse) {
  RunbookRun ghost = full_run(first_incident_);
  ghost.id = 777;
  auto updated = runs_->update(ghost, ghost.version);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_FALSE(*updated);
  auto loaded = runs_->get(777);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(RunbookStoreTest, UpdateAndTimelineAppendCommitTogether) {
  const RunbookRun created = create(full_run(first_incident_));
  RunbookRun changed = created;
  changed.version = created.version + 1;
  changed.steps[3].state = StepState::kRunning;
  Status done = db_->transaction([&](Database&) -> Status {
    auto updated = runs_->update(changed, created.version);
    if (!updated)
      return updated.error();
    if (!*updated)
      return Error{"stale"};
    std::vector<TimelineEvent> events{step_event(first_incident_, "started")};
    return incidents_->append(events);
  });
  ASSERT_TRUE(done.ok()) << done.error().message;
  reopen();
  expect_same(load(created.id), changed);
  EXPECT_EQ(timeline_size(first_incident_), 1u);
}

TEST_F(RunbookStoreTest, AFailingTimelineAppendRollsBackTheRunUpdate) {
  const RunbookRun created = create(full_run(first_incident_));
  RunbookRun changed = created;
  changed.version = created.version + 1;
  changed.state = RunState::kActive;
  changed.steps[3].state = StepState::kRunning;
  Status done = db_->transaction([&](Database&) -> Status {
    auto updated = runs_->update(changed, created.version);
    if (!updated)
      return updated.error();
    EXPECT_TRUE(*updated);
    // The first event is fine; the second names an incident that does not exist, so the append
    // fails (foreign key) after the update was written in this transaction.
    std::vector<TimelineEvent> events{step_event(first_incident_, "started"),
                                      step_event(9999, "started")};
    return incidents_->append(events);
  });
  ASSERT_FALSE(done.ok());
  reopen();
  expect_same(load(created.id), created);
  EXPECT_EQ(timeline_size(first_incident_), 0u);
}

TEST_F(RunbookStoreTest, AFailingTimelineAppendRollsBackTheRunCreation) {
  Status done = db_->transaction([&](Database&) -> Status {
    auto created = runs_->create(full_run(first_incident_));
    if (!created)
      return created.error();
    std::vector<TimelineEvent> events{step_event(9999, "run_started")};
    return incidents_->append(events);
  });
  ASSERT_FALSE(done.ok());
  reopen();
  auto runs = runs_->for_incident(first_incident_);
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  EXPECT_TRUE(runs->empty());
  // Nor did any step row survive.
  auto steps = db_->prepare("SELECT count(*) FROM runbook_step_runs");
  ASSERT_TRUE(steps.ok()) << steps.error().message;
  auto row = steps->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(steps->column_int64(0), 0);
}

}  // namespace
}  // namespace sloe::store

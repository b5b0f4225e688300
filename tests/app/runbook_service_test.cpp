#include "sloe/app/runbook_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "../store/temp_dir.h"
#include "sloe/alert/matcher.h"
#include "sloe/app/incident_service.h"
#include "sloe/core/time_format.h"
#include "sloe/store/alert_log.h"
#include "sloe/store/database.h"
#include "sloe/store/runbook_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using runbook::RunState;
using runbook::StepState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

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

// --- runbooks ------------------------------------------------------------------------------------

runbook::Step http_step(const std::string& id) {
  runbook::Step step;
  step.id = id;
  step.title = "Check " + id;
  runbook::HttpStep http;
  http.url = "http://127.0.0.1:9/" + id;
  step.action = http;
  return step;
}

runbook::Step command_step(const std::string& id) {
  runbook::Step step;
  step.id = id;
  step.title = "Run " + id;
  runbook::CommandStep command;
  command.program = "/bin/echo";
  command.args = {id};
  step.action = command;
  return step;
}

runbook::Step approval_step(const std::string& id, Duration expires_after = 30min) {
  runbook::Step step;
  step.id = id;
  step.title = "Approve " + id;
  runbook::ApprovalStep approval;
  approval.prompt = "go on?";
  approval.expires_after = expires_after;
  step.action = approval;
  return step;
}

runbook::Step manual_step(const std::string& id) {
  runbook::Step step;
  step.id = id;
  step.title = "Do " + id;
  step.action = runbook::ManualStep{};
  return step;
}

runbook::Runbook book(const std::string& name, std::vector<runbook::Step> steps,
                      const std::string& matchers = "",
                      std::vector<runbook::Trigger> triggers = {runbook::Trigger::kOpen}) {
  runbook::Runbook out;
  out.name = name;
  out.title = "Runbook " + name;
  out.steps = std::move(steps);
  out.triggers = std::move(triggers);
  if (!matchers.empty())
    out.applies_to.matchers = alert::parse_matchers(matchers).value();
  return out;
}

// --- a scripted executor -------------------------------------------------------------------------

// Performs steps from a script: per step id, the outcomes to give in turn (then success). Records
// the order of calls. A step id in `hold` blocks inside perform() until release() is called.
class ScriptedExecutor final : public StepExecutor {
 public:
  runbook::StepOutcome perform(const runbook::Step& step, const StepContext& context) override {
    std::unique_lock lock(mutex_);
    calls_.push_back(step.id);
    contexts_.push_back(context);
    changed_.notify_all();
    if (hold_ == step.id) {
      holding_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !holding_; });
    }
    auto& queued = script_[step.id];
    if (queued.empty())
      return runbook::StepOutcome{true, "ok from " + step.id, "", 200};
    runbook::StepOutcome outcome = queued.front();
    queued.pop_front();
    return outcome;
  }

  void script(const std::string& step, runbook::StepOutcome outcome) {
    const std::lock_guard lock(mutex_);
    script_[step].push_back(std::move(outcome));
  }
  void hold(const std::string& step) {
    const std::lock_guard lock(mutex_);
    hold_ = step;
  }
  void wait_until_holding() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return holding_; });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    hold_.clear();
    holding_ = false;
    changed_.notify_all();
  }
  std::vector<std::string> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<StepContext> contexts() const {
    const std::lock_guard lock(mutex_);
    return contexts_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::deque<runbook::StepOutcome>> script_;
  std::vector<std::string> calls_;
  std::vector<StepContext> contexts_;
  std::string hold_;
  bool holding_ = false;
};

// --- fixture -------------------------------------------------------------------------------------

class RunbookServiceTest : public ::testing::Test {
 protected:
  RunbookServiceTest() : clock_(at("2026-11-23T10:00:00Z")) {}

  void SetUp() override {
    IncidentService::Options options;
    options.on_trigger = [this](const incident::Incident& incident, std::string_view trigger) {
      const std::lock_guard lock(trigger_mutex_);
      if (trigger_target_ != nullptr)
        trigger_target_->on_trigger(incident, trigger);
      triggers_seen_.emplace_back(incident.id, std::string(trigger));
    };
    auto opened = IncidentService::open(db_path(), clock_, std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    incidents_ = std::move(opened).value();
  }

  void TearDown() override {
    incidents_->stop();
    connect_triggers(nullptr);
  }

  std::string db_path() const { return dir_.file("sloe.db"); }

  std::unique_ptr<RunbookService> open_service(std::vector<runbook::Runbook> books,
                                               ScriptedExecutor& executor) {
    RunbookService::Options options;
    options.workers = 4;
    options.warn = [this](const std::string& message) {
      const std::lock_guard lock(trigger_mutex_);
      warnings_.push_back(message);
    };
    auto opened = RunbookService::open(db_path(), clock_, std::move(books), executor, options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  void connect_triggers(RunbookService* service) {
    const std::lock_guard lock(trigger_mutex_);
    trigger_target_ = service;
  }

  incident::Incident declare(const std::string& service_name = "checkout") {
    incident::Declaration declaration;
    declaration.title = "Checkout is down";
    declaration.service = service_name;
    declaration.severity = incident::Severity::kSev2;
    return value_of(incidents_->declare(declaration, "alice"));
  }

  // The runbook entries of an incident's timeline.
  std::vector<incident::TimelineEvent> runbook_events(std::int64_t incident_id) {
    auto events = value_of(incidents_->timeline(incident_id, 0, 10000));
    std::vector<incident::TimelineEvent> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out),
                 [](const incident::TimelineEvent& event) {
                   return event.kind == incident::event_kind::kRunbookStep;
                 });
    return out;
  }

  // "<step>:<result>" (or "run:<result>") of each runbook entry, in timeline order.
  std::vector<std::string> results(std::int64_t incident_id) {
    std::vector<std::string> out;
    for (const incident::TimelineEvent& event : runbook_events(incident_id)) {
      const auto step = event.fields.find("step");
      out.push_back((step == event.fields.end() ? std::string("run") : step->second) + ":" +
                    event.fields.at("result"));
    }
    return out;
  }

  store::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<IncidentService> incidents_;
  std::mutex trigger_mutex_;
  RunbookService* trigger_target_ = nullptr;
  std::vector<std::pair<std::int64_t, std::string>> triggers_seen_;
  std::vector<std::string> warnings_;
};

TEST_F(RunbookServiceTest, StartByHandRunsAutomatedStepsInOrderAndRecordsThemOnTheTimeline) {
  ScriptedExecutor executor;
  executor.script("check", {true, "HTTP 200\nall good", "", 200});
  auto service = open_service(
      {book("restart", {http_step("check"), command_step("restart"), manual_step("verify")})},
      executor);
  const incident::Incident incident = declare();

  const runbook::Run started = value_of(service->start(incident.id, "restart", "alice"));
  EXPECT_GT(started.id, 0);
  EXPECT_EQ(started.started_by, "alice");
  EXPECT_EQ(started.trigger, runbook::Trigger::kManual);
  service->wait_idle();

  EXPECT_THAT(executor.calls(), ElementsAre("check", "restart"));
  const std::vector<StepContext> contexts = executor.contexts();
  ASSERT_THAT(contexts, SizeIs(2));
  EXPECT_EQ(contexts[0].incident.id, incident.id);
  EXPECT_EQ(contexts[0].placeholders.incident_id, std::to_string(incident.id));
  EXPECT_EQ(contexts[0].placeholders.service, "checkout");
  EXPECT_EQ(contexts[0].placeholders.severity, "SEV2");
  EXPECT_EQ(contexts[0].runbook, "restart");

  const std::vector<runbook::Run> runs = value_of(service->runs(incident.id));
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].steps[0].state, StepState::kSucceeded);
  EXPECT_EQ(runs[0].steps[0].output, "HTTP 200\nall good");
  EXPECT_EQ(runs[0].steps[0].status_code, 200);
  EXPECT_EQ(runs[0].steps[1].state, StepState::kSucceeded);
  EXPECT_EQ(runs[0].steps[2].state, StepState::kPending);
  EXPECT_EQ(runs[0].state, RunState::kActive);

  EXPECT_THAT(results(incident.id),
              ElementsAre("run:run_started", "check:started", "check:succeeded", "restart:started",
                          "restart:succeeded"));
  const std::vector<incident::TimelineEvent> events = runbook_events(incident.id);
  EXPECT_EQ(events[0].actor, "alice");
  EXPECT_EQ(events[1].actor, "sloe");
  EXPECT_EQ(events[2].fields.at("runbook"), "restart");
  EXPECT_EQ(events[2].fields.at("run"), std::to_string(started.id));
  EXPECT_EQ(events[0].fields.at("run"), std::to_string(started.id));
  EXPECT_THAT(events[2].text, HasSubstr("all good"));

  // The manual step is ticked by a person; the run completes.
  const runbook::Run ticked =
      value_of(service->act(incident.id, started.id, "3", api::StepAction::kTick, "bob"));
  EXPECT_EQ(ticked.steps[2].state, StepState::kDone);
  EXPECT_EQ(ticked.state, RunState::kCompleted);
  EXPECT_THAT(results(incident.id), ::testing::Contains("verify:done"));
  EXPECT_THAT(results(incident.id).back(), "run:run_completed");
}

TEST_F(RunbookServiceTest, ApprovalHoldsTheNextStepUntilApproved) {
  ScriptedExecutor executor;
  auto service = open_service(
      {book("gated", {http_step("drain"), approval_step("go"), command_step("failover")})},
      executor);
  const incident::Incident incident = declare();
  const runbook::Run started = value_of(service->start(incident.id, "gated", "alice"));
  service->wait_idle();

  EXPECT_THAT(executor.calls(), ElementsAre("drain"));
  runbook::Run waiting = value_of(service->runs(incident.id)).front();
  EXPECT_EQ(waiting.steps[1].state, StepState::kWaitingApproval);
  EXPECT_EQ(waiting.state, RunState::kWaitingApproval);
  EXPECT_EQ(waiting.steps[1].expires_at, clock_.now() + 30min);

  clock_.advance(2min);
  const runbook::Run approved =
      value_of(service->act(incident.id, started.id, "go", api::StepAction::kApprove, "carol"));
  EXPECT_EQ(approved.steps[1].state, StepState::kSucceeded);
  EXPECT_EQ(approved.steps[1].actor, "carol");
  service->wait_idle();

  EXPECT_THAT(executor.calls(), ElementsAre("drain", "failover"));
  const runbook::Run done = value_of(service->runs(incident.id)).front();
  EXPECT_EQ(done.state, RunState::kCompleted);
  const auto events = runbook_events(incident.id);
  const auto approved_event = std::find_if(
      events.begin(), events.end(),
      [](const incident::TimelineEvent& event) { return event.fields.at("result") == "approved"; });
  ASSERT_NE(approved_event, events.end());
  EXPECT_EQ(approved_event->actor, "carol");
  EXPECT_EQ(approved_event->fields.at("step"), "go");
}

TEST_F(RunbookServiceTest, TickExpiresAnUnansweredApprovalAndRetryRequestsItAgain) {
  ScriptedExecutor executor;
  auto service = open_service(
      {book("gated", {approval_step("go", 10min), command_step("failover")})}, executor);
  const incident::Incident incident = declare();
  const runbook::Run started = value_of(service->start(incident.id, "gated", "alice"));
  service->wait_idle();

  clock_.advance(5min);
  EXPECT_EQ(service->tick().value(), 0u);  // not due yet
  clock_.advance(6min);
  EXPECT_EQ(service->tick().value(), 1u);
  service->wait_idle();

  runbook::Run expired = value_of(service->runs(incident.id)).front();
  EXPECT_EQ(expired.steps[0].state, StepState::kExpired);
  EXPECT_EQ(expired.state, RunState::kBlocked);
  EXPECT_THAT(results(incident.id), ::testing::Contains("go:expired"));
  EXPECT_EQ(
      refusal_of(service->act(incident.id, started.id, "go", api::StepAction::kApprove, "carol")),
      api::Refusal::kConflict);
  EXPECT_TRUE(executor.calls().empty());

  const runbook::Run retried =
      value_of(service->act(incident.id, started.id, "go", api::StepAction::kRetry, "carol"));
  EXPECT_EQ(retried.steps[0].state, StepState::kWaitingApproval);
  value_of(service->act(incident.id, started.id, "go", api::StepAction::kApprove, "carol"));
  service->wait_idle();
  EXPECT_THAT(executor.calls(), ElementsAre("failover"));
}

TEST_F(RunbookServiceTest, AFailedStepBlocksTheRunAndRetryRerunsOnlyThatStep) {
  ScriptedExecutor executor;
  executor.script("restart", {false, "exit 3", "exit status 3", 3});
  auto service = open_service(
      {book("restart", {http_step("check"), command_step("restart"), http_step("confirm")})},
      executor);
  const incident::Incident incident = declare();
  const runbook::Run started = value_of(service->start(incident.id, "restart", "alice"));
  service->wait_idle();

  EXPECT_THAT(executor.calls(), ElementsAre("check", "restart"));
  runbook::Run blocked = value_of(service->runs(incident.id)).front();
  EXPECT_EQ(blocked.state, RunState::kBlocked);
  EXPECT_EQ(blocked.steps[1].state, StepState::kFailed);
  EXPECT_EQ(blocked.steps[1].error, "exit status 3");
  EXPECT_EQ(blocked.steps[1].status_code, 3);
  EXPECT_EQ(blocked.steps[2].state, StepState::kPending);
  EXPECT_THAT(results(incident.id), ::testing::Contains("restart:failed"));

  value_of(service->act(incident.id, started.id, "restart", api::StepAction::kRetry, "bob"));
  service->wait_idle();
  EXPECT_THAT(executor.calls(), ElementsAre("check", "restart", "restart", "confirm"));
  const runbook::Run done = value_of(service->runs(incident.id)).front();
  EXPECT_EQ(done.state, RunState::kCompleted);
  EXPECT_EQ(done.steps[0].attempts, 1);
  EXPECT_EQ(done.steps[1].attempts, 2);
}

TEST_F(RunbookServiceTest, OpenTriggerStartsMatchingRunbooksOnceAndSeverityChangeReadsAlertLabels) {
  ScriptedExecutor executor;
  auto service =
      open_service({book("burn", {http_step("check")}, R"(alertname="HighErrorRate")"),
                    book("unrelated", {http_step("other")}, R"(alertname="DiskFull")"),
                    book("escalate", {command_step("page-more")}, R"(alertname="LatencyHigh")",
                         {runbook::Trigger::kSeverityChange})},
                   executor);
  connect_triggers(service.get());

  // An alert opens the incident; a second alert joins it (same service).
  store::AlertRecord first;
  first.labels = {{"alertname", "HighErrorRate"}, {"service", "checkout"}, {"severity", "page"}};
  first.starts_at = clock_.now();
  store::AlertRecord second = first;
  second.labels["alertname"] = "LatencyHigh";
  {
    auto db = store::Database::open(db_path(), store::sloe_migrations()).value();
    store::AlertLog log(*db);
    for (store::AlertRecord* record : {&first, &second}) {
      alert::Alert as_alert;
      as_alert.labels = record->labels;
      record->fingerprint = as_alert.fingerprint();
      record->received_at = clock_.now();
      record->source = "api-v2";
    }
    ASSERT_TRUE(log.upsert({first, second}).ok());
  }
  std::vector<alert::Alert> alerts;
  for (const store::AlertRecord* record : {&first, &second}) {
    alert::Alert a;
    a.labels = record->labels;
    a.starts_at = record->starts_at;
    alerts.push_back(a);
  }
  ASSERT_TRUE(incidents_->on_alerts({alerts[0]}, clock_.now()).ok());
  ASSERT_TRUE(incidents_->on_alerts({alerts[1]}, clock_.now()).ok());
  service->wait_idle();

  const std::vector<incident::Incident> opened =
      value_of(incidents_->list(api::IncidentFilter{})).incidents;
  ASSERT_THAT(opened, SizeIs(1));
  const std::int64_t id = opened[0].id;
  std::vector<runbook::Run> runs = value_of(service->runs(id));
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].runbook, "burn");
  EXPECT_EQ(runs[0].trigger, runbook::Trigger::kOpen);
  EXPECT_EQ(runs[0].started_by, "sloe");
  EXPECT_EQ(runs[0].state, RunState::kCompleted);

  // The same trigger again (a repeat delivery) starts nothing new.
  service->on_trigger(opened[0], "open");
  service->wait_idle();
  EXPECT_THAT(value_of(service->runs(id)), SizeIs(1));
  EXPECT_THAT(executor.calls(), ElementsAre("check"));

  // A severity change starts the runbook for the joined alert (found through its labels).
  incident::IncidentPatch patch;
  patch.severity = incident::Severity::kSev1;
  value_of(incidents_->update(id, opened[0].version, patch, "alice"));
  service->wait_idle();
  runs = value_of(service->runs(id));
  ASSERT_THAT(runs, SizeIs(2));
  EXPECT_EQ(runs[1].runbook, "escalate");
  EXPECT_EQ(runs[1].trigger, runbook::Trigger::kSeverityChange);
  EXPECT_THAT(executor.calls(), ElementsAre("check", "page-more"));

  const std::lock_guard lock(trigger_mutex_);
  EXPECT_THAT(triggers_seen_, ElementsAre(std::make_pair(id, std::string("open")),
                                          std::make_pair(id, std::string("severity_change"))));
}

TEST_F(RunbookServiceTest, ADeclaredIncidentTriggersOpen) {
  ScriptedExecutor executor;
  runbook::Runbook for_checkout = book("checkout", {http_step("check")});
  for_checkout.applies_to.services = {"checkout"};
  auto service = open_service({for_checkout}, executor);
  connect_triggers(service.get());
  const incident::Incident incident = declare("checkout");
  declare("search");
  service->wait_idle();
  EXPECT_THAT(value_of(service->runs(incident.id)), SizeIs(1));
  EXPECT_THAT(executor.calls(), ElementsAre("check"));
}

TEST_F(RunbookServiceTest, ARestartMarksAStepThatWasRunningAsInterrupted) {
  ScriptedExecutor executor;
  executor.hold("restart");
  const std::vector<runbook::Runbook> books = {
      book("restart", {http_step("check"), command_step("restart"), http_step("confirm")})};
  auto before = open_service(books, executor);
  const incident::Incident incident = declare();
  const runbook::Run started = value_of(before->start(incident.id, "restart", "alice"));
  executor.wait_until_holding();

  // The process "crashes" mid-step: a new service on the same file takes over.
  ScriptedExecutor after_executor;
  auto after = open_service(books, after_executor);
  runbook::Run recovered = value_of(after->runs(incident.id)).front();
  EXPECT_EQ(recovered.steps[0].state, StepState::kSucceeded);
  EXPECT_EQ(recovered.steps[1].state, StepState::kFailed);
  EXPECT_THAT(recovered.steps[1].error, HasSubstr("interrupted"));
  EXPECT_EQ(recovered.state, RunState::kBlocked);
  EXPECT_THAT(results(incident.id).back(), "restart:failed");

  // The old process's late result is not recorded over the recovery.
  executor.release();
  before->stop();
  EXPECT_EQ(value_of(after->runs(incident.id)).front().steps[1].state, StepState::kFailed);

  after->wait_idle();
  EXPECT_TRUE(after_executor.calls().empty());
  value_of(after->act(incident.id, started.id, "restart", api::StepAction::kRetry, "bob"));
  after->wait_idle();
  EXPECT_THAT(after_executor.calls(), ElementsAre("restart", "confirm"));
  EXPECT_EQ(value_of(after->runs(incident.id)).front().state, RunState::kCompleted);
}

TEST_F(RunbookServiceTest, ContinuesARunThatCanContinueAfterARestart) {
  ScriptedExecutor executor;
  const std::vector<runbook::Runbook> books = {
      book("gated", {approval_step("go"), command_step("failover")})};
  std::int64_t run_id = 0;
  const incident::Incident incident = declare();
  {
    auto before = open_service(books, executor);
    run_id = value_of(before->start(incident.id, "gated", "alice")).id;
    before->wait_idle();
    before->stop();
  }
  // Approved while no service ran (e.g. by another process on the file).
  {
    auto db = store::Database::open(db_path(), store::sloe_migrations()).value();
    store::RunbookStore store(*db);
    runbook::Run run = store.get(run_id).value().value();
    const runbook::Run approved =
        std::get<runbook::Transition>(runbook::approve(books[0], run, 0, "carol", clock_.now()))
            .run;
    ASSERT_TRUE(store.update(approved, run.version).value());
  }
  auto after = open_service(books, executor);
  after->wait_idle();
  EXPECT_THAT(executor.calls(), ElementsAre("failover"));
  EXPECT_EQ(value_of(after->runs(incident.id)).front().state, RunState::kCompleted);
}

TEST_F(RunbookServiceTest, RefusesWhatTheStateDoesNotAllow) {
  ScriptedExecutor executor;
  auto service = open_service(
      {book("gated", {http_step("drain"), approval_step("go"), manual_step("note")})}, executor);
  const incident::Incident incident = declare();
  const incident::Incident other = declare("search");

  EXPECT_EQ(refusal_of(service->start(incident.id, "nope", "alice")), api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(service->start(9999, "gated", "alice")), api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(service->runs(9999)), api::Refusal::kNotFound);
  const runbook::Run started = value_of(service->start(incident.id, "gated", "alice"));
  EXPECT_EQ(refusal_of(service->start(incident.id, "gated", "alice")), api::Refusal::kConflict);
  service->wait_idle();

  const auto act = [&](std::int64_t incident_id, const std::string& step, api::StepAction action) {
    return refusal_of(service->act(incident_id, started.id, step, action, "bob"));
  };
  EXPECT_EQ(act(incident.id, "drain", api::StepAction::kApprove), api::Refusal::kConflict);
  EXPECT_EQ(act(incident.id, "drain", api::StepAction::kTick), api::Refusal::kConflict);
  EXPECT_EQ(act(incident.id, "drain", api::StepAction::kRetry), api::Refusal::kConflict);
  EXPECT_EQ(act(incident.id, "missing", api::StepAction::kTick), api::Refusal::kNotFound);
  EXPECT_EQ(act(incident.id, "4", api::StepAction::kTick), api::Refusal::kNotFound);
  EXPECT_EQ(act(other.id, "go", api::StepAction::kApprove), api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(service->act(incident.id, 9999, "go", api::StepAction::kApprove, "bob")),
            api::Refusal::kNotFound);

  // Two people approve at once: one wins, the other is told the step moved on.
  std::optional<api::Refusal> first;
  std::optional<api::Refusal> second;
  std::thread a([&] { first = act(incident.id, "go", api::StepAction::kApprove); });
  std::thread b([&] { second = act(incident.id, "2", api::StepAction::kApprove); });
  a.join();
  b.join();
  EXPECT_NE(first.has_value(), second.has_value());
  EXPECT_EQ(first.value_or(*second), api::Refusal::kConflict);
  const auto events = runbook_events(incident.id);
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const incident::TimelineEvent& event) {
                            return event.fields.at("result") == "approved";
                          }),
            1);
}

TEST_F(RunbookServiceTest, StoppedServiceRefusesWrites) {
  ScriptedExecutor executor;
  auto service = open_service({book("gated", {approval_step("go")})}, executor);
  const incident::Incident incident = declare();
  service->stop();
  EXPECT_EQ(refusal_of(service->start(incident.id, "gated", "alice")), api::Refusal::kUnavailable);
  EXPECT_FALSE(service->tick().ok());
}

}  // namespace
}  // namespace sloe::app

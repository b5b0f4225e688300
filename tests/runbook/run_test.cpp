#include "sloe/runbook/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sloe::runbook {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

Step manual(std::string id) {
  Step step;
  step.id = id;
  step.title = "check " + id;
  step.action = ManualStep{};
  return step;
}

Step http(std::string id) {
  Step step;
  step.id = id;
  step.title = "call " + id;
  HttpStep action;
  action.url = "http://127.0.0.1:9/" + id;
  step.action = action;
  return step;
}

Step command(std::string id) {
  Step step;
  step.id = id;
  step.title = "run " + id;
  CommandStep action;
  action.program = "/bin/true";
  step.action = action;
  return step;
}

Step notify(std::string id) {
  Step step;
  step.id = id;
  step.title = "tell " + id;
  step.action = NotifyStep{"team", "hello"};
  return step;
}

Step approval(std::string id, Duration expires = minutes(30)) {
  Step step;
  step.id = id;
  step.title = "approve " + id;
  step.action = ApprovalStep{"Restart the fleet?", expires};
  return step;
}

Runbook book_with(std::vector<Step> steps) {
  Runbook book;
  book.name = "fast-burn";
  book.title = "Fast burn";
  book.steps = std::move(steps);
  return book;
}

template <typename T>
T accepted(Change<T> change) {
  if (const auto* refused = std::get_if<Refused>(&change))
    ADD_FAILURE() << "refused: " << refused->field << ": " << refused->message;
  return std::get<T>(std::move(change));
}

template <typename T>
Refused refused(Change<T> change) {
  if (std::holds_alternative<T>(change))
    ADD_FAILURE() << "accepted, expected a refusal";
  return std::get<Refused>(std::move(change));
}

std::vector<StepState> states(const Run& run) {
  std::vector<StepState> out;
  for (const StepRun& step : run.steps)
    out.push_back(step.state);
  return out;
}

std::vector<std::string> results(const std::vector<StepEvent>& events) {
  std::vector<std::string> out;
  for (const StepEvent& event : events)
    out.push_back(event.fields.at("result"));
  return out;
}

// A run stored with id 12 (as the store would return it).
Run started(const Runbook& book, TimePoint at = kT0) {
  runbook::Run run = start(book, 7, Trigger::kOpen, "sloe", at).run;
  run.id = 12;
  return run;
}

// Performs the automated step next_automated() names, with the given outcome.
Run perform(const Runbook& book, runbook::Run run, bool ok, TimePoint at = kT0) {
  const auto next = next_automated(book, run);
  EXPECT_TRUE(next.has_value());
  if (!next)
    return run;
  run = accepted(begin(book, std::move(run), *next, at)).run;
  StepOutcome outcome;
  outcome.ok = ok;
  outcome.status_code = ok ? 200 : 503;
  outcome.error = ok ? "" : "expected 200-299, got 503";
  return accepted(finish(book, std::move(run), *next, outcome, at)).run;
}

// --- start ----------------------------------------------------------------------------------

TEST(StartTest, NewRunIsPendingAndRecordsRunStarted) {
  const Runbook book = book_with({http("a"), manual("m")});
  const Transition t = start(book, 7, Trigger::kSeverityChange, "alice", kT0);
  EXPECT_EQ(t.run.incident_id, 7);
  EXPECT_EQ(t.run.runbook, "fast-burn");
  EXPECT_EQ(t.run.trigger, Trigger::kSeverityChange);
  EXPECT_EQ(t.run.started_by, "alice");
  EXPECT_EQ(t.run.created_at, kT0);
  EXPECT_EQ(t.run.state, RunState::kActive);
  EXPECT_EQ(t.run.version, 1);
  ASSERT_EQ(t.run.steps.size(), 2u);
  EXPECT_EQ(t.run.steps[0].step_id, "a");
  EXPECT_EQ(t.run.steps[1].step_id, "m");
  EXPECT_THAT(states(t.run), ElementsAre(StepState::kPending, StepState::kPending));
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].actor, "alice");
  EXPECT_EQ(t.events[0].at, kT0);
  EXPECT_EQ(t.events[0].text, "Fast burn");
  EXPECT_EQ(t.events[0].fields, (Labels{{"runbook", "fast-burn"},
                                        {"run", "0"},
                                        {"result", "run_started"},
                                        {"trigger", "severity_change"}}));
}

TEST(StartTest, FirstStepApprovalIsRequestedAtOnce) {
  const Runbook book = book_with({approval("ok", minutes(10)), http("a")});
  const Transition t = start(book, 7, Trigger::kOpen, "sloe", kT0);
  EXPECT_EQ(t.run.state, RunState::kWaitingApproval);
  EXPECT_EQ(t.run.steps[0].state, StepState::kWaitingApproval);
  EXPECT_EQ(t.run.steps[0].expires_at, kT0 + minutes(10));
  EXPECT_EQ(t.run.steps[0].attempts, 1);
  EXPECT_THAT(results(t.events), ElementsAre("run_started", "approval_requested"));
  EXPECT_EQ(t.events[1].text, "approve ok: Restart the fleet?");
  EXPECT_EQ(t.events[1].fields.at("step_kind"), "approval");
  EXPECT_FALSE(next_automated(book, t.run));
}

TEST(StartTest, RunbookWithOnlyManualStepsWaitsForTicks) {
  const Runbook book = book_with({manual("a"), manual("b")});
  runbook::Run run = started(book);
  EXPECT_EQ(run.state, RunState::kActive);
  EXPECT_FALSE(next_automated(book, run));
  run = accepted(tick(book, std::move(run), 1, "bob", kT0)).run;
  EXPECT_EQ(run.state, RunState::kActive);
  const Transition last = accepted(tick(book, std::move(run), 0, "bob", kT0 + minutes(1)));
  EXPECT_EQ(last.run.state, RunState::kCompleted);
  EXPECT_THAT(results(last.events), ElementsAre("done", "run_completed"));
  EXPECT_EQ(last.events[1].actor, "sloe");
}

TEST(StartTest, EmptyRunbookCompletesImmediately) {
  const Runbook book = book_with({});
  const Transition t = start(book, 7, Trigger::kManual, "alice", kT0);
  EXPECT_EQ(t.run.state, RunState::kCompleted);
  EXPECT_THAT(results(t.events), ElementsAre("run_started", "run_completed"));
}

// --- ordering -------------------------------------------------------------------------------

TEST(OrderingTest, AutomatedStepsRunOneAtATimeInFileOrder) {
  const Runbook book = book_with({http("a"), command("b"), notify("c")});
  runbook::Run run = started(book);
  EXPECT_EQ(next_automated(book, run), 0u);
  run = accepted(begin(book, std::move(run), 0, kT0)).run;
  EXPECT_EQ(run.steps[0].state, StepState::kRunning);
  EXPECT_EQ(run.state, RunState::kActive);
  // While one runs, nothing else is due and a later step cannot begin.
  EXPECT_FALSE(next_automated(book, run));
  EXPECT_EQ(refused(begin(book, run, 1, kT0)).field, "step");
  run = accepted(finish(book, std::move(run), 0, StepOutcome{true, "ok", "", 200}, kT0)).run;
  EXPECT_EQ(next_automated(book, run), 1u);
  run = perform(book, std::move(run), true);
  EXPECT_EQ(next_automated(book, run), 2u);
  run = perform(book, std::move(run), true);
  EXPECT_FALSE(next_automated(book, run));
  EXPECT_EQ(run.state, RunState::kCompleted);
}

TEST(OrderingTest, ApprovalGatesLaterAutomatedSteps) {
  const Runbook book = book_with({http("check"), approval("ok"), command("restart")});
  runbook::Run run = started(book);
  EXPECT_EQ(run.steps[1].state, StepState::kPending);  // not reached yet
  const Transition after_check = [&] {
    run = accepted(begin(book, std::move(run), 0, kT0)).run;
    return accepted(finish(book, std::move(run), 0, StepOutcome{true, "", "", 200}, kT0));
  }();
  run = after_check.run;
  EXPECT_THAT(results(after_check.events), ElementsAre("succeeded", "approval_requested"));
  EXPECT_EQ(run.state, RunState::kWaitingApproval);
  EXPECT_FALSE(next_automated(book, run));
  EXPECT_EQ(refused(begin(book, run, 2, kT0)).field, "step");

  const Transition approved = accepted(approve(book, std::move(run), 1, "carol", kT0 + minutes(5)));
  EXPECT_EQ(approved.run.steps[1].state, StepState::kSucceeded);
  EXPECT_EQ(approved.run.steps[1].actor, "carol");
  EXPECT_EQ(approved.run.state, RunState::kActive);
  EXPECT_EQ(next_automated(book, approved.run), 2u);
  ASSERT_EQ(approved.events.size(), 1u);
  EXPECT_EQ(approved.events[0].actor, "carol");
  EXPECT_EQ(approved.events[0].fields.at("result"), "approved");
}

TEST(OrderingTest, ApprovalIsNotRequestedBeforeEarlierAutomatedStepSucceeds) {
  const Runbook book = book_with({http("check"), approval("ok")});
  runbook::Run run = perform(book, started(book), false);
  EXPECT_EQ(run.steps[1].state, StepState::kPending);
  EXPECT_EQ(run.state, RunState::kBlocked);
}

TEST(OrderingTest, ManualStepsNeverBlockAutomatedSteps) {
  const Runbook book = book_with({manual("look"), http("a"), manual("tell"), command("b")});
  runbook::Run run = started(book);
  EXPECT_EQ(next_automated(book, run), 1u);
  run = perform(book, std::move(run), true);
  EXPECT_EQ(next_automated(book, run), 3u);
  run = perform(book, std::move(run), true);
  // Every automated step done, checklist still open: active, not completed.
  EXPECT_EQ(run.state, RunState::kActive);
  run = accepted(tick(book, std::move(run), 2, "bob", kT0)).run;
  run = accepted(tick(book, std::move(run), 0, "bob", kT0)).run;
  EXPECT_EQ(run.state, RunState::kCompleted);
}

TEST(OrderingTest, ManualStepsCanBeTickedWhileBlockedOrWaiting) {
  const Runbook book = book_with({http("a"), approval("ok"), manual("m")});
  runbook::Run run = perform(book, started(book), false);
  ASSERT_EQ(run.state, RunState::kBlocked);
  run = accepted(tick(book, std::move(run), 2, "bob", kT0)).run;
  EXPECT_EQ(run.steps[2].state, StepState::kDone);
  EXPECT_EQ(run.state, RunState::kBlocked);
}

TEST(OrderingTest, FailedStepBlocksUntilRetried) {
  const Runbook book = book_with({http("a"), command("b"), manual("m")});
  runbook::Run run = perform(book, started(book), false);
  EXPECT_EQ(run.steps[0].state, StepState::kFailed);
  EXPECT_EQ(run.steps[0].error, "expected 200-299, got 503");
  EXPECT_EQ(run.steps[0].status_code, 503);
  EXPECT_EQ(run.state, RunState::kBlocked);
  EXPECT_FALSE(next_automated(book, run));
  EXPECT_EQ(refused(begin(book, run, 1, kT0)).field, "step");

  const Transition retried = accepted(retry(book, std::move(run), 0, "bob", kT0 + minutes(1)));
  EXPECT_THAT(results(retried.events), ElementsAre("retried"));
  EXPECT_EQ(retried.events[0].actor, "bob");
  EXPECT_EQ(retried.events[0].fields.at("attempt"), "1");
  run = retried.run;
  EXPECT_EQ(run.steps[0].state, StepState::kPending);
  EXPECT_EQ(run.steps[0].attempts, 1);  // kept
  EXPECT_TRUE(run.steps[0].error.empty());
  EXPECT_EQ(run.state, RunState::kActive);
  EXPECT_EQ(next_automated(book, run), 0u);
  run = accepted(begin(book, std::move(run), 0, kT0 + minutes(2))).run;
  EXPECT_EQ(run.steps[0].attempts, 2);
}

TEST(OrderingTest, FailedStepBlocksUntilSkipped) {
  const Runbook book = book_with({http("a"), command("b")});
  runbook::Run run = perform(book, started(book), false);
  run = accepted(skip(book, std::move(run), 0, "bob", kT0)).run;
  EXPECT_EQ(run.steps[0].state, StepState::kSkipped);
  EXPECT_EQ(next_automated(book, run), 1u);
  run = perform(book, std::move(run), true);
  EXPECT_EQ(run.state, RunState::kCompleted);
}

TEST(OrderingTest, RetryTouchesOnlyThatStep) {
  const Runbook book = book_with({http("a"), http("b"), command("c"), manual("m")});
  runbook::Run run = perform(book, started(book), true);
  run = perform(book, std::move(run), false);
  run = accepted(tick(book, std::move(run), 3, "bob", kT0)).run;
  const runbook::Run before = run;
  run = accepted(retry(book, std::move(run), 1, "bob", kT0)).run;
  EXPECT_EQ(run.steps[0].state, before.steps[0].state);
  EXPECT_EQ(run.steps[0].attempts, before.steps[0].attempts);
  EXPECT_EQ(run.steps[0].status_code, 200);
  EXPECT_EQ(run.steps[2].state, StepState::kPending);
  EXPECT_EQ(run.steps[3].state, StepState::kDone);
  EXPECT_EQ(next_automated(book, run), 1u);
}

TEST(OrderingTest, RetryRefusedForStepsThatDidNotStop) {
  const Runbook book = book_with({http("a"), manual("m")});
  runbook::Run run = started(book);
  const Refused pending = refused(retry(book, run, 0, "bob", kT0));
  EXPECT_EQ(pending.field, "state");
  EXPECT_THAT(pending.message, HasSubstr("pending"));
  run = perform(book, std::move(run), true);
  EXPECT_EQ(refused(retry(book, run, 0, "bob", kT0)).field, "state");
}

TEST(OrderingTest, SkipAheadLetsLaterStepsRun) {
  const Runbook book = book_with({approval("ok"), http("a")});
  runbook::Run run = started(book);
  run = accepted(skip(book, std::move(run), 0, "admin", kT0)).run;
  EXPECT_EQ(run.steps[0].state, StepState::kSkipped);
  EXPECT_EQ(next_automated(book, run), 1u);
}

TEST(OrderingTest, SkipRefusedForRunningOrFinishedSteps) {
  const Runbook book = book_with({http("a"), manual("m"), http("b")});
  runbook::Run run = started(book);
  run = accepted(begin(book, std::move(run), 0, kT0)).run;
  EXPECT_EQ(refused(skip(book, run, 0, "bob", kT0)).field, "state");
  run = accepted(finish(book, std::move(run), 0, StepOutcome{true, "", "", 200}, kT0)).run;
  EXPECT_EQ(refused(skip(book, run, 0, "bob", kT0)).field, "state");
  run = accepted(tick(book, std::move(run), 1, "bob", kT0)).run;
  EXPECT_EQ(refused(skip(book, run, 1, "bob", kT0)).field, "state");
  run = accepted(skip(book, std::move(run), 2, "bob", kT0)).run;
  EXPECT_EQ(refused(skip(book, run, 2, "bob", kT0)).field, "state");
  EXPECT_EQ(run.state, RunState::kCompleted);
}

TEST(OrderingTest, TickOnlyPendingManualSteps) {
  const Runbook book = book_with({http("a"), manual("m")});
  runbook::Run run = started(book);
  EXPECT_EQ(refused(tick(book, run, 0, "bob", kT0)).field, "step");
  run = accepted(tick(book, std::move(run), 1, "bob", kT0)).run;
  const Refused again = refused(tick(book, run, 1, "bob", kT0));
  EXPECT_EQ(again.field, "state");
  EXPECT_THAT(again.message, HasSubstr("done"));
}

TEST(OrderingTest, StepOutOfRangeIsRefused) {
  const Runbook book = book_with({manual("m")});
  const runbook::Run run = started(book);
  for (auto change : {tick(book, run, 1, "bob", kT0), skip(book, run, 5, "bob", kT0),
                      retry(book, run, 1, "bob", kT0), approve(book, run, 1, "bob", kT0),
                      begin(book, run, 1, kT0)}) {
    EXPECT_EQ(refused(std::move(change)).field, "step");
  }
}

TEST(OrderingTest, RunbookChangedSinceStartRefusesStepsItNoLongerHas) {
  const Runbook before = book_with({http("a"), manual("m")});
  const Runbook after = book_with({http("renamed"), manual("m")});
  runbook::Run run = started(before);
  const Refused changed = refused(begin(after, run, 0, kT0));
  EXPECT_EQ(changed.field, "runbook");
  // The step it lost no longer gates anything, and can be skipped so the run completes.
  EXPECT_FALSE(next_automated(after, run));
  run = accepted(skip(after, std::move(run), 0, "bob", kT0)).run;
  run = accepted(tick(after, std::move(run), 1, "bob", kT0)).run;
  EXPECT_EQ(run.state, RunState::kCompleted);
}

TEST(OrderingTest, FinishRequiresRunningStep) {
  const Runbook book = book_with({http("a")});
  const runbook::Run run = started(book);
  const Refused not_running = refused(finish(book, run, 0, StepOutcome{true, "", "", 200}, kT0));
  EXPECT_EQ(not_running.field, "state");
}

// --- approvals ------------------------------------------------------------------------------

TEST(ApprovalTest, ExpiresThroughAdvanceAndBlocks) {
  const Runbook book = book_with({approval("ok", minutes(10)), http("a")});
  runbook::Run run = started(book);
  const Transition early = advance(book, run, kT0 + minutes(9));
  EXPECT_THAT(early.events, IsEmpty());
  EXPECT_EQ(early.run.version, run.version);
  EXPECT_EQ(early.run.steps[0].state, StepState::kWaitingApproval);

  const Transition expired = advance(book, run, kT0 + minutes(10));
  ASSERT_EQ(expired.events.size(), 1u);
  EXPECT_EQ(expired.events[0].fields.at("result"), "expired");
  EXPECT_EQ(expired.events[0].actor, "sloe");
  EXPECT_EQ(expired.run.steps[0].state, StepState::kExpired);
  EXPECT_EQ(expired.run.state, RunState::kBlocked);
  EXPECT_EQ(expired.run.version, run.version + 1);
  EXPECT_EQ(expired.run.updated_at, kT0 + minutes(10));
  EXPECT_FALSE(next_automated(book, expired.run));

  // Idempotent: nothing more happens on the next tick.
  const Transition again = advance(book, expired.run, kT0 + minutes(11));
  EXPECT_THAT(again.events, IsEmpty());
  EXPECT_EQ(again.run.version, expired.run.version);
}

TEST(ApprovalTest, ApproveAfterExpiryIsRefusedEvenBeforeAdvance) {
  const Runbook book = book_with({approval("ok", minutes(10))});
  const runbook::Run run = started(book);
  const Refused late = refused(approve(book, run, 0, "carol", kT0 + minutes(10)));
  EXPECT_EQ(late.field, "state");
  EXPECT_THAT(late.message, HasSubstr("expired"));
  const runbook::Run expired = advance(book, run, kT0 + minutes(10)).run;
  EXPECT_EQ(refused(approve(book, expired, 0, "carol", kT0 + minutes(11))).field, "state");
  EXPECT_EQ(refused(reject(book, expired, 0, "carol", kT0 + minutes(11))).field, "state");
}

TEST(ApprovalTest, RetryOfExpiredApprovalRequestsItAgain) {
  const Runbook book = book_with({approval("ok", minutes(10)), http("a")});
  runbook::Run run = advance(book, started(book), kT0 + minutes(10)).run;
  const Transition retried = accepted(retry(book, std::move(run), 0, "bob", kT0 + minutes(20)));
  EXPECT_THAT(results(retried.events), ElementsAre("retried", "approval_requested"));
  EXPECT_EQ(retried.run.steps[0].state, StepState::kWaitingApproval);
  EXPECT_EQ(retried.run.steps[0].expires_at, kT0 + minutes(30));
  EXPECT_EQ(retried.run.steps[0].attempts, 2);
  EXPECT_EQ(retried.events[1].fields.at("attempt"), "2");
  EXPECT_EQ(retried.run.state, RunState::kWaitingApproval);
  run = accepted(approve(book, retried.run, 0, "carol", kT0 + minutes(25))).run;
  EXPECT_EQ(next_automated(book, run), 1u);
}

TEST(ApprovalTest, RejectBlocksUntilRetried) {
  const Runbook book = book_with({approval("ok"), http("a")});
  const Transition rejected = accepted(reject(book, started(book), 0, "carol", kT0));
  EXPECT_EQ(rejected.run.steps[0].state, StepState::kRejected);
  EXPECT_EQ(rejected.run.steps[0].actor, "carol");
  EXPECT_EQ(rejected.run.state, RunState::kBlocked);
  EXPECT_FALSE(next_automated(book, rejected.run));
  EXPECT_THAT(results(rejected.events), ElementsAre("rejected"));
}

TEST(ApprovalTest, OnlyWaitingApprovalsCanBeAnswered) {
  const Runbook book = book_with({http("a"), approval("ok")});
  const runbook::Run run = started(book);
  EXPECT_EQ(refused(approve(book, run, 0, "carol", kT0)).field, "step");   // not an approval
  EXPECT_EQ(refused(approve(book, run, 1, "carol", kT0)).field, "state");  // not reached
}

TEST(ApprovalTest, SecondApprovalRequestedOnlyAfterFirstIsApproved) {
  const Runbook book = book_with({approval("one"), approval("two"), http("a")});
  runbook::Run run = started(book);
  EXPECT_EQ(run.steps[1].state, StepState::kPending);
  const Transition first = accepted(approve(book, std::move(run), 0, "carol", kT0 + minutes(1)));
  EXPECT_THAT(results(first.events), ElementsAre("approved", "approval_requested"));
  EXPECT_EQ(first.run.steps[1].expires_at, kT0 + minutes(31));
  EXPECT_EQ(first.run.version, 2);  // one transition, one version
}

// --- recover --------------------------------------------------------------------------------

TEST(RecoverTest, RunningStepBecomesFailed) {
  const Runbook book = book_with({http("a"), command("b")});
  runbook::Run run = accepted(begin(book, started(book), 0, kT0)).run;
  const Transition recovered = recover(book, run, kT0 + minutes(3));
  EXPECT_EQ(recovered.run.steps[0].state, StepState::kFailed);
  EXPECT_EQ(recovered.run.steps[0].error, "interrupted: sloe restarted while the step ran");
  EXPECT_EQ(recovered.run.steps[0].finished_at, kT0 + minutes(3));
  EXPECT_EQ(recovered.run.state, RunState::kBlocked);
  EXPECT_EQ(recovered.run.version, run.version + 1);
  ASSERT_EQ(recovered.events.size(), 1u);
  EXPECT_EQ(recovered.events[0].fields.at("result"), "failed");
  EXPECT_EQ(recovered.events[0].fields.at("step"), "a");
  EXPECT_THAT(recovered.events[0].text, HasSubstr("interrupted"));
  // The person decides: retry runs it again.
  run = accepted(retry(book, recovered.run, 0, "bob", kT0 + minutes(4))).run;
  EXPECT_EQ(next_automated(book, run), 0u);
}

TEST(RecoverTest, NothingRunningChangesNothing) {
  const Runbook book = book_with({http("a")});
  const runbook::Run run = started(book);
  const Transition recovered = recover(book, run, kT0 + minutes(3));
  EXPECT_THAT(recovered.events, IsEmpty());
  EXPECT_EQ(recovered.run.version, run.version);
}

// --- events ---------------------------------------------------------------------------------

TEST(EventTest, StepEventsCarryEveryField) {
  const Runbook book = book_with({http("check"), command("fix")});
  runbook::Run run = started(book);
  const Transition began = accepted(begin(book, std::move(run), 0, kT0 + seconds(1)));
  ASSERT_EQ(began.events.size(), 1u);
  EXPECT_EQ(began.events[0].at, kT0 + seconds(1));
  EXPECT_EQ(began.events[0].actor, "sloe");
  EXPECT_EQ(began.events[0].text, "call check");
  EXPECT_EQ(began.events[0].fields, (Labels{{"runbook", "fast-burn"},
                                            {"run", "12"},
                                            {"step", "check"},
                                            {"step_kind", "http"},
                                            {"result", "started"},
                                            {"attempt", "1"}}));
  EXPECT_EQ(began.run.steps[0].started_at, kT0 + seconds(1));
  EXPECT_EQ(began.run.steps[0].actor, "sloe");

  const Transition failed = accepted(finish(
      book, began.run, 0, StepOutcome{false, "Service Unavailable", "expected 200, got 503", 503},
      kT0 + seconds(2)));
  ASSERT_EQ(failed.events.size(), 1u);
  EXPECT_EQ(failed.events[0].fields, (Labels{{"runbook", "fast-burn"},
                                             {"run", "12"},
                                             {"step", "check"},
                                             {"step_kind", "http"},
                                             {"result", "failed"},
                                             {"attempt", "1"},
                                             {"status_code", "503"}}));
  EXPECT_EQ(failed.events[0].text, "call check: expected 200, got 503\nService Unavailable");
  EXPECT_EQ(failed.run.steps[0].output, "Service Unavailable");
  EXPECT_EQ(failed.run.steps[0].finished_at, kT0 + seconds(2));

  run = accepted(retry(book, failed.run, 0, "bob", kT0 + seconds(3))).run;
  run = accepted(begin(book, std::move(run), 0, kT0 + seconds(4))).run;
  const Transition ok =
      accepted(finish(book, std::move(run), 0, StepOutcome{true, "healthy", "", 200}, kT0));
  EXPECT_EQ(ok.events[0].fields.at("attempt"), "2");
  EXPECT_EQ(ok.events[0].fields.at("status_code"), "200");
  EXPECT_EQ(ok.events[0].fields.at("result"), "succeeded");
  EXPECT_EQ(ok.events[0].text, "call check\nhealthy");

  run = accepted(begin(book, ok.run, 1, kT0)).run;
  const Transition exit0 =
      accepted(finish(book, std::move(run), 1, StepOutcome{true, "", "", 0}, kT0));
  EXPECT_EQ(exit0.events[0].fields.at("step_kind"), "command");
  EXPECT_EQ(exit0.events[0].fields.at("status_code"), "0");
  EXPECT_THAT(results(exit0.events), ElementsAre("succeeded", "run_completed"));
  EXPECT_EQ(exit0.events[1].fields,
            (Labels{{"runbook", "fast-burn"}, {"run", "12"}, {"result", "run_completed"}}));
}

TEST(EventTest, NotifyAndPersonEventsHaveNoStatusCode) {
  const Runbook book = book_with({notify("n"), manual("m"), approval("ok")});
  runbook::Run run = accepted(begin(book, started(book), 0, kT0)).run;
  const Transition sent =
      accepted(finish(book, std::move(run), 0, StepOutcome{true, "", "", 0}, kT0));
  EXPECT_EQ(sent.events[0].fields.count("status_code"), 0u);
  EXPECT_EQ(sent.events[0].fields.at("step_kind"), "notify");
  const Transition ticked = accepted(tick(book, sent.run, 1, "bob", kT0));
  EXPECT_EQ(ticked.events[0].fields, (Labels{{"runbook", "fast-burn"},
                                             {"run", "12"},
                                             {"step", "m"},
                                             {"step_kind", "manual"},
                                             {"result", "done"},
                                             {"attempt", "0"}}));
  EXPECT_EQ(ticked.events[0].actor, "bob");
  const Transition skipped = accepted(skip(book, ticked.run, 2, "admin", kT0));
  EXPECT_EQ(skipped.events[0].fields.at("result"), "skipped");
  EXPECT_EQ(skipped.events[0].fields.at("step_kind"), "approval");
  EXPECT_EQ(skipped.events[0].actor, "admin");
}

TEST(EventTest, EveryTransitionBumpsVersionOnceAndStampsUpdatedAt) {
  const Runbook book = book_with({http("a"), manual("m")});
  runbook::Run run = started(book);
  EXPECT_EQ(run.version, 1);
  run = accepted(begin(book, std::move(run), 0, kT0 + seconds(1))).run;
  EXPECT_EQ(run.version, 2);
  EXPECT_EQ(run.updated_at, kT0 + seconds(1));
  run = accepted(finish(book, std::move(run), 0, StepOutcome{true, "", "", 200}, kT0 + seconds(2)))
            .run;
  EXPECT_EQ(run.version, 3);
  run = accepted(tick(book, std::move(run), 1, "bob", kT0 + seconds(3))).run;
  EXPECT_EQ(run.version, 4);
  EXPECT_EQ(run.updated_at, kT0 + seconds(3));
}

// --- applies / triggered_by / for_alert -----------------------------------------------------

alert::Matcher matcher(std::string_view text) {
  auto parsed = alert::parse_matcher(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return *parsed;
}

incident::Incident checkout_incident() {
  incident::Incident incident;
  incident.id = 7;
  incident.service = "checkout";
  incident.severity = incident::Severity::kSev2;
  return incident;
}

TEST(AppliesTest, EmptyAppliesToMatchesNothing) {
  const Runbook book = book_with({});
  EXPECT_FALSE(applies(book, checkout_incident(), {{{"alertname", "X"}}}));
}

TEST(AppliesTest, MatchersMustAllMatchOneLabelSet) {
  Runbook book = book_with({});
  book.applies_to.matchers = {matcher(R"(alertname="ErrorBudgetBurn")"),
                              matcher(R"(severity="page")")};
  const incident::Incident incident = checkout_incident();
  EXPECT_TRUE(applies(book, incident, {{{"alertname", "ErrorBudgetBurn"}, {"severity", "page"}}}));
  // Each matcher satisfied, but by different alerts: no.
  EXPECT_FALSE(
      applies(book, incident, {{{"alertname", "ErrorBudgetBurn"}}, {{"severity", "page"}}}));
  EXPECT_TRUE(applies(
      book, incident,
      {{{"alertname", "Other"}}, {{"alertname", "ErrorBudgetBurn"}, {"severity", "page"}}}));
  EXPECT_FALSE(applies(book, incident, {}));
}

TEST(AppliesTest, IncidentLabelsCountAsOneMoreLabelSet) {
  Runbook book = book_with({});
  book.applies_to.matchers = {matcher(R"(alertname=~"ProbeDown|ProbeFailed")")};
  incident::Incident incident = checkout_incident();
  incident.labels = {{"alertname", "ProbeFailed"}};
  EXPECT_TRUE(applies(book, incident, {}));
}

TEST(AppliesTest, ListsAreAndedEntriesOred) {
  Runbook book = book_with({});
  book.applies_to.services = {"search", "checkout"};
  book.applies_to.severities = {incident::Severity::kSev1, incident::Severity::kSev2};
  incident::Incident incident = checkout_incident();
  EXPECT_TRUE(applies(book, incident, {}));
  incident.severity = incident::Severity::kSev3;
  EXPECT_FALSE(applies(book, incident, {}));
  incident.severity = incident::Severity::kSev1;
  incident.service = "billing";
  EXPECT_FALSE(applies(book, incident, {}));

  book.applies_to.services = {"checkout"};
  book.applies_to.matchers = {matcher(R"(team="payments")")};
  incident.service = "checkout";
  EXPECT_FALSE(applies(book, incident, {{{"team", "search"}}}));
  EXPECT_TRUE(applies(book, incident, {{{"team", "payments"}}}));
}

TEST(TriggeredByTest, OnlyApplyingRunbooksListingTheTriggerInOrder) {
  Runbook open_only = book_with({});
  open_only.name = "open-only";
  open_only.applies_to.services = {"checkout"};
  Runbook both = open_only;
  both.name = "both";
  both.triggers = {Trigger::kOpen, Trigger::kSeverityChange};
  Runbook elsewhere = both;
  elsewhere.name = "elsewhere";
  elsewhere.applies_to.services = {"search"};
  Runbook by_hand = book_with({});
  by_hand.name = "by-hand";
  const std::vector<Runbook> books{open_only, both, elsewhere, by_hand};
  const incident::Incident incident = checkout_incident();

  auto names = [](const std::vector<const Runbook*>& found) {
    std::vector<std::string> out;
    for (const Runbook* book : found)
      out.push_back(book->name);
    return out;
  };
  EXPECT_THAT(names(triggered_by(books, Trigger::kOpen, incident, {})),
              ElementsAre("open-only", "both"));
  EXPECT_THAT(names(triggered_by(books, Trigger::kSeverityChange, incident, {})),
              ElementsAre("both"));
  EXPECT_THAT(names(triggered_by(books, Trigger::kManual, incident, {})),
              ElementsAre("open-only", "both"));
}

TEST(ForAlertTest, FirstRunbookWhoseMatchersMatch) {
  Runbook services_only = book_with({});
  services_only.name = "services-only";
  services_only.applies_to.services = {"checkout"};
  Runbook fast = book_with({});
  fast.name = "fast";
  fast.applies_to.matchers = {matcher(R"(alertname="ErrorBudgetBurn")"),
                              matcher(R"(severity="page")")};
  Runbook any_burn = book_with({});
  any_burn.name = "any-burn";
  any_burn.applies_to.matchers = {matcher(R"(alertname="ErrorBudgetBurn")")};
  const std::vector<Runbook> books{services_only, fast, any_burn};

  const Runbook* page = for_alert(books, {{"alertname", "ErrorBudgetBurn"}, {"severity", "page"}});
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->name, "fast");
  const Runbook* ticket =
      for_alert(books, {{"alertname", "ErrorBudgetBurn"}, {"severity", "ticket"}});
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(ticket->name, "any-burn");
  EXPECT_EQ(for_alert(books, {{"alertname", "Other"}, {"service", "checkout"}}), nullptr);
}

// --- names and placeholders -----------------------------------------------------------------

TEST(NamesTest, StatesRoundTrip) {
  for (const StepState state :
       {StepState::kPending, StepState::kRunning, StepState::kSucceeded, StepState::kFailed,
        StepState::kWaitingApproval, StepState::kRejected, StepState::kExpired, StepState::kDone,
        StepState::kSkipped}) {
    EXPECT_EQ(parse_step_state(to_string(state)), state);
  }
  for (const RunState state :
       {RunState::kActive, RunState::kWaitingApproval, RunState::kBlocked, RunState::kCompleted}) {
    EXPECT_EQ(parse_run_state(to_string(state)), state);
  }
  EXPECT_EQ(to_string(StepState::kWaitingApproval), "waiting_approval");
  EXPECT_FALSE(parse_step_state("Pending"));
  EXPECT_FALSE(parse_run_state(""));
}

TEST(PlaceholderTest, ReplacesKnownNamesOnly) {
  const Placeholders values{"42", "checkout", "SEV2", "fast-burn"};
  EXPECT_EQ(expand_placeholders(
                "http://h/i/{{incident_id}}?s={{service}}&v={{severity}}&r={{runbook}}", values),
            "http://h/i/42?s=checkout&v=SEV2&r=fast-burn");
  EXPECT_EQ(expand_placeholders("{{unknown}} {{ service }} {service} {{service", values),
            "{{unknown}} {{ service }} {service} {{service");
  EXPECT_EQ(expand_placeholders("{{{service}}}", values), "{checkout}");
  EXPECT_EQ(expand_placeholders("", values), "");
}

TEST(PlaceholderTest, ValuesAreNotExpandedAgain) {
  const Placeholders values{"1", "{{incident_id}}", "", ""};
  EXPECT_EQ(expand_placeholders("{{service}}/{{severity}}", values), "{{incident_id}}/");
}

}  // namespace
}  // namespace sloe::runbook

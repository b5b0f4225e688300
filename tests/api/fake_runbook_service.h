// An in-memory api::RunbookService for tests of the HTTP and CLI layers: the given runbooks, runs
// kept in memory and moved by the real run rules (runbook/run.h), so requests can be checked to
// reach the service as typed values and answers to come back as the documented JSON. Nothing is
// performed: automated steps stay where the rules leave them until a test moves them.
//
// Thread-safe (one mutex), as the server calls it from its thread pool.
#pragma once

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sloe/api/runbooks.h"

namespace sloe::api::testing {

class FakeRunbookService : public RunbookService {
 public:
  FakeRunbookService(const Clock& clock, std::vector<runbook::Runbook> books)
      : clock_(clock), books_(std::move(books)) {
    std::sort(books_.begin(), books_.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }

  // Incidents the service knows; runs() and start() answer kNotFound for any other.
  void add_incident(std::int64_t id) {
    std::lock_guard lock(mutex_);
    incidents_.push_back(id);
  }
  // Every call answers kUnavailable while set.
  void set_unavailable(bool unavailable) {
    std::lock_guard lock(mutex_);
    unavailable_ = unavailable;
  }

  struct ActCall {
    std::int64_t incident_id = 0;
    std::int64_t run_id = 0;
    std::string step;
    StepAction action = StepAction::kTick;
    std::string actor;
  };
  std::optional<ActCall> last_act() const {
    std::lock_guard lock(mutex_);
    return last_act_;
  }
  std::string last_actor() const {
    std::lock_guard lock(mutex_);
    return last_actor_;
  }
  // Replaces a stored run (a test moving automated steps along).
  void put_run(const runbook::Run& run) {
    std::lock_guard lock(mutex_);
    for (runbook::Run& stored : runs_) {
      if (stored.id == run.id)
        stored = run;
    }
  }

  std::vector<runbook::Runbook> runbooks() const override { return books_; }

  Answer<runbook::Runbook> runbook(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    if (const runbook::Runbook* book = find_book(name))
      return *book;
    return Refused{Refusal::kNotFound, "no runbook named '" + name + "'", "name"};
  }

  Answer<std::vector<runbook::Run>> runs(std::int64_t incident_id) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    if (!known_incident(incident_id))
      return no_incident(incident_id);
    std::vector<runbook::Run> out;
    for (const runbook::Run& run : runs_) {
      if (run.incident_id == incident_id)
        out.push_back(run);
    }
    return out;
  }

  Answer<runbook::Run> start(std::int64_t incident_id, const std::string& runbook_name,
                             const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (!known_incident(incident_id))
      return no_incident(incident_id);
    const runbook::Runbook* book = find_book(runbook_name);
    if (book == nullptr)
      return Refused{Refusal::kNotFound, "no runbook named '" + runbook_name + "'", "runbook"};
    runbook::Transition started =
        runbook::start(*book, incident_id, runbook::Trigger::kManual, actor, clock_.now());
    started.run.id = static_cast<std::int64_t>(runs_.size()) + 1;
    runs_.push_back(started.run);
    return started.run;
  }

  Answer<runbook::Run> act(std::int64_t incident_id, std::int64_t run_id, const std::string& step,
                           StepAction action, const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    last_act_ = ActCall{incident_id, run_id, step, action, actor};
    if (unavailable_)
      return down();
    if (!known_incident(incident_id))
      return no_incident(incident_id);
    auto found = std::find_if(runs_.begin(), runs_.end(), [&](const runbook::Run& run) {
      return run.id == run_id && run.incident_id == incident_id;
    });
    if (found == runs_.end()) {
      return Refused{
          Refusal::kNotFound,
          "incident " + std::to_string(incident_id) + " has no run " + std::to_string(run_id),
          "run"};
    }
    const runbook::Runbook* found_book = find_book(found->runbook);
    if (found_book == nullptr)
      return Refused{Refusal::kNotFound, "no runbook " + found->runbook, "runbook"};
    const runbook::Runbook& book = *found_book;
    const std::optional<std::size_t> index = step_index(book, step);
    if (!index) {
      return Refused{Refusal::kNotFound, "runbook " + book.name + " has no step '" + step + "'",
                     "step"};
    }
    const TimePoint now = clock_.now();
    runbook::Change<runbook::Transition> changed = [&] {
      switch (action) {
        case StepAction::kApprove:
          return runbook::approve(book, *found, *index, actor, now);
        case StepAction::kReject:
          return runbook::reject(book, *found, *index, actor, now);
        case StepAction::kTick:
          return runbook::tick(book, *found, *index, actor, now);
        case StepAction::kSkip:
          return runbook::skip(book, *found, *index, actor, now);
        case StepAction::kRetry:
          return runbook::retry(book, *found, *index, actor, now);
      }
      return runbook::tick(book, *found, *index, actor, now);
    }();
    if (const auto* refused = std::get_if<runbook::Refused>(&changed))
      return Refused{Refusal::kConflict, refused->message, refused->field};
    runbook::Run next = std::get<runbook::Transition>(changed).run;
    next.version = found->version + 1;
    next.updated_at = now;
    *found = next;
    return next;
  }

 private:
  static Refused down() { return Refused{Refusal::kUnavailable, "database is locked", ""}; }
  static Refused no_incident(std::int64_t id) {
    return Refused{Refusal::kNotFound, "no incident " + std::to_string(id), "id"};
  }
  bool known_incident(std::int64_t id) const {
    return std::find(incidents_.begin(), incidents_.end(), id) != incidents_.end();
  }
  const runbook::Runbook* find_book(const std::string& name) const {
    for (const runbook::Runbook& book : books_) {
      if (book.name == name)
        return &book;
    }
    return nullptr;
  }
  static std::optional<std::size_t> step_index(const runbook::Runbook& book,
                                               const std::string& step) {
    for (std::size_t i = 0; i < book.steps.size(); ++i) {
      if (book.steps[i].id == step)
        return i;
    }
    std::size_t number = 0;
    const auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), number);
    if (ec == std::errc{} && end == step.data() + step.size() && number >= 1 &&
        number <= book.steps.size()) {
      return number - 1;
    }
    return std::nullopt;
  }

  const Clock& clock_;
  std::vector<runbook::Runbook> books_;
  mutable std::mutex mutex_;
  std::vector<std::int64_t> incidents_;
  std::vector<runbook::Run> runs_;
  bool unavailable_ = false;
  std::optional<ActCall> last_act_;
  std::string last_actor_;
};

// A runbook with one step of every kind, sections holding markup that must stay text, and an
// http header whose value is a secret. Steps: 1 look (manual), 2 check-health (http),
// 3 approve-restart (approval), 4 restart (command), 5 tell-team (notify).
inline runbook::Runbook sample_runbook() {
  using namespace std::chrono_literals;
  runbook::Runbook book;
  book.name = "slo-fast-burn";
  book.title = "Error budget fast burn";
  book.file = "runbooks/slo-fast-burn.md";
  book.applies_to.matchers.push_back(
      alert::Matcher::create("alertname", alert::MatchType::kEqual, "ErrorBudgetBurn").value());
  book.applies_to.matchers.push_back(
      alert::Matcher::create("severity", alert::MatchType::kRegexMatch, "page|ticket").value());
  book.applies_to.services = {"checkout"};
  book.applies_to.severities = {incident::Severity::kSev1, incident::Severity::kSev2};
  book.triggers = {runbook::Trigger::kOpen, runbook::Trigger::kSeverityChange};
  book.recovery.rpo = std::chrono::hours(24);
  book.recovery.rto = std::chrono::hours(1);
  book.meaning = "The SLO burns its budget **fast**: <script>alert('x')</script> is text.";
  book.impact = "Users see errors.\n\n- checkout fails\n- retries pile up\n";
  book.diagnosis =
      "1. Open [the dashboard](https://grafana.example/d/checkout)\n"
      "2. Do not click [this](javascript:alert(1))\n\n"
      "```sh\ncurl -s https://checkout.internal/healthz | jq .status\n```\n";
  book.mitigation = "Roll back with `sloe deploy rollback` & tell the team.";
  book.body = book.meaning;

  runbook::Step look;
  look.id = "look";
  look.title = "Look at the dashboard";
  look.action = runbook::ManualStep{};
  runbook::Step check;
  check.id = "check-health";
  check.title = "Check the health endpoint";
  runbook::HttpStep http;
  http.url = "https://checkout.internal/healthz?incident={{incident_id}}";
  http.headers.push_back({"Authorization", "Bearer s3cr3t-header-value", ""});
  http.headers.push_back({"X-Api-Key", "", "CHECKOUT_API_KEY"});
  http.expect_status = {{200, 299}, {304, 304}};
  check.action = http;
  runbook::Step approval;
  approval.id = "approve-restart";
  approval.title = "Approve the restart";
  approval.action = runbook::ApprovalStep{"Restart checkout?", 15min};
  runbook::Step restart;
  restart.id = "restart";
  restart.title = "Restart checkout";
  restart.description = "Restarts **every** replica.";
  restart.action =
      runbook::CommandStep{"/usr/bin/systemctl", {"restart", "checkout service"}, 1min};
  runbook::Step tell;
  tell.id = "tell-team";
  tell.title = "Tell the team";
  tell.action = runbook::NotifyStep{"team-payments", "Checkout restarted for {{incident_id}}"};
  book.steps = {look, check, approval, restart, tell};
  return book;
}

// A runbook from a file without front matter: no steps, applies to nothing.
inline runbook::Runbook plain_runbook() {
  runbook::Runbook book;
  book.name = "backup-restore";
  book.title = "Backup and restore";
  book.file = "runbooks/backup-restore.md";
  book.triggers = {runbook::Trigger::kManual};
  book.body = "# Backup and restore\n\nRun `sloe backup`.\n";
  return book;
}

}  // namespace sloe::api::testing

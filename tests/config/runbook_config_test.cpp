// Runbook files (runbooks/*.md) and the sloe.yaml sections `runbooks:` and `postmortem:`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sloe/config/loader.h"
#include "sloe/runbook/run.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::HasError;
using ::testing::HasSubstr;
using testing::TempDir;

using Files = std::vector<std::pair<std::string, std::string>>;

const std::string kAllowCurl = R"(runbooks:
  allowed_commands: [/usr/bin/curl, /usr/local/bin/restart-web]
)";

const std::string kRoutingTree = R"(route:
  receiver: team
receivers:
  - name: team
  - name: pager
)";

LoadResult load_runbook(const std::string& text, const std::string& name = "runbooks/x.md") {
  return load_config_from_strings({{name, text}});
}

// A copy: callers pass temporaries.
runbook::Runbook only_runbook(const LoadResult& result) {
  EXPECT_TRUE(result.ok()) << testing::all_diagnostics(result);
  if (!result.ok() || result.config->runbooks.size() != 1) {
    ADD_FAILURE() << "expected exactly one runbook";
    return {};
  }
  return result.config->runbooks[0];
}

// --- Markdown and defaults -----------------------------------------------------------------------

TEST(RunbookFile, PlainMarkdownIsARunbookNamedAfterItsFile) {
  const LoadResult result = load_runbook(R"(
# Disk filling up

Intro text.

## Meaning
The disk is filling.

## impact
Writes fail soon.

```sh
# Mitigation inside a code block is not a heading
df -h
```

## Diagnosis ##
Run df.

### Details
Still diagnosis.

## Mitigation
Delete old logs.

## Notes
Not a known section.
)",
                                         "runbooks/disk-full.md");
  const runbook::Runbook book = only_runbook(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  EXPECT_EQ(book.name, "disk-full");
  EXPECT_EQ(book.title, "Disk filling up");
  EXPECT_EQ(book.file, "runbooks/disk-full.md");
  EXPECT_EQ(book.meaning, "The disk is filling.");
  EXPECT_EQ(book.impact,
            "Writes fail soon.\n\n```sh\n# Mitigation inside a code block is not a heading\ndf "
            "-h\n```");
  EXPECT_EQ(book.diagnosis, "Run df.\n\n### Details\nStill diagnosis.");
  EXPECT_EQ(book.mitigation, "Delete old logs.");
  EXPECT_EQ(book.body.substr(0, 17), "# Disk filling up");
  EXPECT_THAT(book.body, HasSubstr("## Notes\nNot a known section."));
  EXPECT_TRUE(book.applies_to.empty());
  EXPECT_THAT(book.triggers, ElementsAre(runbook::Trigger::kOpen));
  EXPECT_TRUE(book.steps.empty());
  EXPECT_FALSE(book.recovery.rpo);
  const auto& locations = result.config->runbook_locations;
  ASSERT_EQ(locations.size(), 1u);
  EXPECT_EQ(locations[0].file, "runbooks/disk-full.md");
  EXPECT_EQ(locations[0].line, 1);
}

TEST(RunbookFile, TitleFallsBackToTheName) {
  const runbook::Runbook book = only_runbook(load_runbook("Just text.\n", "runbooks/plain.md"));
  EXPECT_EQ(book.title, "plain");
  EXPECT_EQ(book.body, "Just text.\n");
}

TEST(RunbookFile, FrontMatterWithEverything) {
  const LoadResult result = load_config_from_strings({
      {"sloe.yaml", kAllowCurl},
      {"alerts/am.yml", kRoutingTree},
      {"runbooks/fast.md", R"(---
name: fast-burn
title: Error budget burning fast
applies_to:
  matchers: ['alertname="ErrorBudgetBurn"', 'severity=~"page|critical", team!="x"']
  services: [checkout, search]
  severities: [SEV1, SEV2]
triggers: [open, severity_change]
recovery: {rpo: 24h, rto: 30m}
steps:
  - title: Look at the dashboard
    manual: true
    description: |
      Open the SLO page.
  - id: health
    title: Check health
    http:
      url: http://127.0.0.1:9466/healthy?incident={{incident_id}}
      method: post
      headers:
        Accept: application/json
        Authorization: {env: HEALTH_TOKEN}
      body: '{"service": "{{service}}"}'
      expect_status: [200, "2xx", "200-204"]
      timeout: 5s
  - id: approve-restart
    title: Approve the restart
    approval: {prompt: "Restart the web tier?", expires: 15m}
  - id: restart
    title: Restart
    command:
      program: /usr/local/bin/restart-web
      args: [--service, "{{service}}"]
      timeout: 2m
  - title: Tell the team
    notify: {receiver: team, message: "Restarted {{service}}"}
---
# Ignored heading because the front matter names the title

## Meaning
Burning.
)"},
  });
  const runbook::Runbook book = only_runbook(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  EXPECT_EQ(book.name, "fast-burn");
  EXPECT_EQ(book.title, "Error budget burning fast");
  EXPECT_EQ(book.meaning, "Burning.");
  EXPECT_EQ(book.body.substr(0, 9), "# Ignored");
  ASSERT_EQ(book.applies_to.matchers.size(), 3u);
  EXPECT_EQ(book.applies_to.matchers[1].to_string(), R"(severity=~"page|critical")");
  EXPECT_EQ(book.applies_to.matchers[2].to_string(), R"(team!="x")");
  EXPECT_THAT(book.applies_to.services, ElementsAre("checkout", "search"));
  EXPECT_THAT(book.applies_to.severities,
              ElementsAre(incident::Severity::kSev1, incident::Severity::kSev2));
  EXPECT_THAT(book.triggers,
              ElementsAre(runbook::Trigger::kOpen, runbook::Trigger::kSeverityChange));
  EXPECT_EQ(book.recovery.rpo, hours(24));
  EXPECT_EQ(book.recovery.rto, minutes(30));

  ASSERT_EQ(book.steps.size(), 5u);
  EXPECT_EQ(book.steps[0].id, "step-1");
  EXPECT_EQ(book.steps[0].kind(), runbook::StepKind::kManual);
  EXPECT_EQ(book.steps[0].description, "Open the SLO page.\n");

  EXPECT_EQ(book.steps[1].id, "health");
  const auto& http = std::get<runbook::HttpStep>(book.steps[1].action);
  EXPECT_EQ(http.url, "http://127.0.0.1:9466/healthy?incident={{incident_id}}");
  EXPECT_EQ(http.method, "POST");
  ASSERT_EQ(http.headers.size(), 2u);
  EXPECT_EQ(http.headers[0].name, "Accept");
  EXPECT_EQ(http.headers[0].value, "application/json");
  EXPECT_EQ(http.headers[1].name, "Authorization");
  EXPECT_EQ(http.headers[1].value, "");
  EXPECT_EQ(http.headers[1].secret_env, "HEALTH_TOKEN");
  EXPECT_EQ(http.body, R"({"service": "{{service}}"})");
  EXPECT_THAT(http.expect_status,
              ElementsAre(std::pair{200, 200}, std::pair{200, 299}, std::pair{200, 204}));
  EXPECT_EQ(http.timeout, seconds(5));

  const auto& approval = std::get<runbook::ApprovalStep>(book.steps[2].action);
  EXPECT_EQ(approval.prompt, "Restart the web tier?");
  EXPECT_EQ(approval.expires_after, minutes(15));

  const auto& command = std::get<runbook::CommandStep>(book.steps[3].action);
  EXPECT_EQ(command.program, "/usr/local/bin/restart-web");
  EXPECT_THAT(command.args, ElementsAre("--service", "{{service}}"));
  EXPECT_EQ(command.timeout, minutes(2));

  EXPECT_EQ(book.steps[4].id, "step-5");
  const auto& notify = std::get<runbook::NotifyStep>(book.steps[4].action);
  EXPECT_EQ(notify.receiver, "team");
  EXPECT_EQ(notify.message, "Restarted {{service}}");
}

TEST(RunbookFile, DefaultsOfSteps) {
  const runbook::Runbook book = only_runbook(load_runbook(R"(---
steps:
  - title: Check
    http: {url: "https://example.com/"}
  - title: Approve
    approval: {}
---
)"));
  const auto& http = std::get<runbook::HttpStep>(book.steps[0].action);
  EXPECT_EQ(http.method, "GET");
  EXPECT_TRUE(http.expect_status.empty());
  EXPECT_EQ(http.timeout, seconds(10));
  const auto& approval = std::get<runbook::ApprovalStep>(book.steps[1].action);
  EXPECT_EQ(approval.expires_after, minutes(30));
  EXPECT_EQ(book.body, "");
}

TEST(RunbookFile, EmptyTriggersMeansByHandOnly) {
  const runbook::Runbook book = only_runbook(load_runbook("---\ntriggers: []\n---\n"));
  EXPECT_TRUE(book.triggers.empty());
}

TEST(RunbookFile, EmptyFrontMatterAndCrLf) {
  const runbook::Runbook& book =
      only_runbook(load_runbook("---\r\n---\r\n# Title\r\n\r\n## Meaning\r\nText\r\n"));
  EXPECT_EQ(book.title, "Title");
  EXPECT_EQ(book.meaning, "Text");
}

TEST(RunbookFile, LoadedRunbooksWorkWithTheRunRules) {
  const LoadResult result = load_runbook(R"(---
applies_to:
  matchers: ['alertname=~"ProbeDown|ProbeFailed"']
---
)");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const auto& books = result.config->runbooks;
  EXPECT_NE(runbook::for_alert(books, {{"alertname", "ProbeFailed"}}), nullptr);
  EXPECT_EQ(runbook::for_alert(books, {{"alertname", "Probe"}}), nullptr);
}

TEST(RunbookFile, SortedByNameAndNamesUnique) {
  const LoadResult sorted = load_config_from_strings({
      {"runbooks/a.md", "---\nname: zeta\n---\n"},
      {"runbooks/b.md", "---\nname: alpha\n---\n"},
  });
  ASSERT_TRUE(sorted.ok()) << testing::all_diagnostics(sorted);
  EXPECT_EQ(sorted.config->runbooks[0].name, "alpha");
  EXPECT_EQ(sorted.config->runbook_locations[0].file, "runbooks/b.md");
  EXPECT_EQ(sorted.config->runbooks[1].name, "zeta");

  const LoadResult duplicate = load_config_from_strings({
      {"runbooks/a.md", "plain\n"},
      {"runbooks/b.md", "---\nname: a\n---\n"},
  });
  EXPECT_FALSE(duplicate.ok());
  EXPECT_TRUE(
      HasError(duplicate, 2, 7, "duplicate runbook name 'a' (first defined at runbooks/a.md)"));
}

// --- Diagnostics ---------------------------------------------------------------------------------

TEST(RunbookFile, UnknownKeysAndWrongTypesPointAtTheLine) {
  const LoadResult result = load_runbook(R"(---
name: ok
aplies_to: {}
triggers: open
recovery: {rpo: soon, rto: 0s}
steps:
  - title: A
    manual: true
    colour: red
---
)");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(HasError(result, 3, 1, "unknown key 'aplies_to'"));
  EXPECT_TRUE(HasError(result, 3, 1, "did you mean 'applies_to'"));
  EXPECT_TRUE(HasError(result, 4, 11, "triggers: expected a list"));
  EXPECT_TRUE(HasError(result, 5, 17, "rpo: expected a duration"));
  EXPECT_TRUE(HasError(result, 5, 28, "rto: must be longer than 0s"));
  EXPECT_TRUE(HasError(result, 9, 5, "unknown key 'colour' in step 'step-1'"));
}

TEST(RunbookFile, AppliesToErrors) {
  const LoadResult result = load_runbook(R"(---
applies_to:
  matchers: ['alertname=~"("', "", 42]
  services: checkout
  severities: [SEV5, sev2]
triggers: [open, opn, open]
---
)");
  EXPECT_TRUE(HasError(result, 3, 14, "invalid matcher 'alertname=~\"(\"'"));
  EXPECT_TRUE(HasError(result, 3, 32, "empty matcher"));
  EXPECT_TRUE(HasError(result, 4, 13, "services: expected a list"));
  EXPECT_TRUE(HasError(result, 5, 16, "expected one of SEV1, SEV2, SEV3, SEV4, got 'SEV5'"));
  EXPECT_TRUE(HasError(result, 6, 18, "unknown trigger 'opn'; did you mean 'open'?"));
  EXPECT_TRUE(HasError(result, 6, 23, "trigger 'open' is listed twice"));
}

TEST(RunbookFile, StepKindsExactlyOne) {
  const LoadResult result = load_runbook(R"(---
steps:
  - title: Two things
    manual: true
    http: {url: "http://a/"}
  - title: Nothing
  - manual: true
  - title: Not manual
    manual: false
---
)");
  EXPECT_TRUE(HasError(result, 5, 5, "step 'step-1' has both 'manual' and 'http'"));
  EXPECT_TRUE(HasError(result, 6, 5, "step 'step-2' says nothing to do"));
  EXPECT_TRUE(HasError(result, 7, 5, "step 'step-3' is missing required key 'title'"));
  EXPECT_TRUE(HasError(result, 9, 13, "write `manual: true`"));
}

TEST(RunbookFile, StepIdsValidAndUnique) {
  const LoadResult result = load_runbook(R"(---
steps:
  - {id: Check, title: A, manual: true}
  - {id: step-3, title: B, manual: true}
  - {title: C, manual: true}
---
)");
  EXPECT_TRUE(HasError(result, 3, 10, "id: 'Check' is not a valid step id"));
  EXPECT_TRUE(HasError(result, 5, 5, "duplicate step id 'step-3' (first at line 4)"));
}

TEST(RunbookFile, HttpStepChecks) {
  const LoadResult result = load_runbook(R"(---
steps:
  - title: A
    http:
      url: ftp://example.com/
      method: FETCH
      timeout: 2h
      expect_status: [700]
  - title: B
    http:
      url: http://user:pw@example.com/
      timeout: 0s
      headers:
        Authorization: Bearer abc
        X-Api-Key: abc
        Cookie: {file: /x}
        X-Trace: {env: 1BAD}
  - title: C
    http: {method: GET}
---
)");
  EXPECT_TRUE(HasError(result, 5, 12, "has scheme 'ftp'; only http and https"));
  EXPECT_TRUE(HasError(result, 6, 15, "method: expected one of GET"));
  EXPECT_TRUE(HasError(result, 7, 16, "timeout: 2h is longer than the limit of 1h"));
  EXPECT_TRUE(HasError(result, 8, 23, "status code 700 is outside 100-599"));
  EXPECT_TRUE(HasError(result, 11, 12, "carries credentials"));
  EXPECT_TRUE(HasError(result, 12, 16, "timeout: must be longer than 0s"));
  EXPECT_TRUE(
      HasError(result, 14, 24, "header 'Authorization' carries a credential: write { env: NAME }"));
  EXPECT_TRUE(HasError(result, 15, 20, "header 'X-Api-Key' carries a credential"));
  EXPECT_TRUE(HasError(result, 16, 18, "unknown key 'file' in header 'Cookie'"));
  EXPECT_TRUE(HasError(result, 17, 24, "env: '1BAD' is not a valid environment variable name"));
  EXPECT_TRUE(HasError(result, 19, 11, "http of step 'step-3' is missing required key 'url'"));
}

TEST(RunbookFile, PlaceholdersInUrlsAreAllowed) {
  const runbook::Runbook book = only_runbook(load_runbook(R"(---
steps:
  - title: A
    http: {url: "http://{{service}}.internal:8080/incidents/{{incident_id}}"}
---
)"));
  EXPECT_EQ(std::get<runbook::HttpStep>(book.steps[0].action).url,
            "http://{{service}}.internal:8080/incidents/{{incident_id}}");
}

TEST(RunbookFile, CommandsMustBeAbsoluteAndAllowlisted) {
  const std::string runbook = R"(---
steps:
  - title: A
    command: {program: curl}
  - title: B
    command: {program: /usr/bin/wget, timeout: 61m}
  - title: C
    command: {program: /usr/bin/curl, args: [-s, [nested]]}
---
)";
  const LoadResult without = load_config_from_strings({{"runbooks/x.md", runbook}});
  EXPECT_TRUE(HasError(without, 4, 24, "program: 'curl' is not an absolute path"));
  EXPECT_TRUE(HasError(without, 6, 48, "timeout: 1h1m is longer than the limit of 1h"));
  EXPECT_TRUE(HasError(without, 8, 50, "expected a string"));

  const LoadResult not_allowed = load_config_from_strings({{"runbooks/x.md", R"(---
steps:
  - title: B
    command: {program: /usr/bin/wget}
  - title: C
    command: {program: /usr/bin/curl}
---
)"},
                                                           {"sloe.yaml", kAllowCurl}});
  EXPECT_TRUE(HasError(not_allowed, 4, 24,
                       "command /usr/bin/wget is not in sloe.yaml runbooks.allowed_commands"));
  EXPECT_EQ(not_allowed.diagnostics.size(), 1u) << testing::all_diagnostics(not_allowed);
}

TEST(RunbookFile, NotifyReceiversMustExistInTheRoutingTree) {
  const std::string runbook = R"(---
steps:
  - title: Tell
    notify: {receiver: pagr, message: hi}
  - title: Tell again
    notify: {receiver: team, message: "  "}
---
)";
  const LoadResult result =
      load_config_from_strings({{"alerts/am.yml", kRoutingTree}, {"runbooks/x.md", runbook}});
  EXPECT_TRUE(HasError(result, 4, 24,
                       "receiver 'pagr' is not defined in the Alertmanager "
                       "configuration under alerts/; did you mean 'pager'?"));
  EXPECT_TRUE(HasError(result, 6, 39, "message: must not be empty"));

  // Without a routing tree nothing can be checked: a warning, not an error.
  const LoadResult unrouted = load_config_from_strings({{"runbooks/x.md", R"(---
steps:
  - title: Tell
    notify: {receiver: team, message: hi}
---
)"}});
  ASSERT_TRUE(unrouted.ok()) << testing::all_diagnostics(unrouted);
  ASSERT_EQ(unrouted.diagnostics.size(), 1u);
  EXPECT_EQ(unrouted.diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_THAT(unrouted.diagnostics[0].message, HasSubstr("no Alertmanager configuration"));
}

TEST(RunbookFile, ApprovalExpiryBounds) {
  const LoadResult result = load_runbook(R"(---
steps:
  - title: A
    approval: {expires: 2d, prompt: ok}
---
)");
  EXPECT_TRUE(HasError(result, 4, 25, "expires: 2d is longer than the limit of 1d"));
}

TEST(RunbookFile, NamesFromFrontMatterOrFile) {
  const LoadResult bad_name = load_runbook("---\nname: Fast_Burn\n---\n");
  EXPECT_TRUE(HasError(bad_name, 2, 7, "name: 'Fast_Burn' is not a valid runbook name"));
  EXPECT_EQ(bad_name.diagnostics.size(), 1u) << testing::all_diagnostics(bad_name);

  const LoadResult bad_file = load_runbook("text\n", "runbooks/Fast Burn.md");
  ASSERT_EQ(bad_file.diagnostics.size(), 1u);
  EXPECT_EQ(bad_file.diagnostics[0].location.line, 0);
  EXPECT_THAT(bad_file.diagnostics[0].to_string(),
              HasSubstr("runbooks/Fast Burn.md: error: the file name gives the runbook name "
                        "'Fast Burn'"));

  // A valid name in the front matter fixes an awkward file name.
  const runbook::Runbook renamed =
      only_runbook(load_runbook("---\nname: fast-burn\n---\n", "runbooks/Fast Burn.md"));
  EXPECT_EQ(renamed.name, "fast-burn");
}

TEST(RunbookFile, UnclosedFrontMatterAndYamlErrors) {
  const LoadResult unclosed = load_runbook("---\nname: a\n# Title\n");
  EXPECT_TRUE(HasError(unclosed, 1, 1, "never closed"));

  const LoadResult syntax = load_runbook("---\nname: a\nsteps: [\n---\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.diagnostics[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GE(syntax.diagnostics[0].location.line, 3);

  const LoadResult not_mapping = load_runbook("---\n- a\n---\n");
  EXPECT_TRUE(HasError(not_mapping, 2, 1, "front matter: expected a mapping"));
}

// --- load_config: the folder ---------------------------------------------------------------------

TEST(RunbookFolder, ReadsMarkdownFilesExceptReadme) {
  TempDir dir;
  dir.write("slo/a.yaml", "");
  dir.write("runbooks/README.md", "---\nnot: valid\n---\n");
  dir.write("runbooks/b.md", "# B\n");
  dir.write("runbooks/a.md", "---\nname: first\n---\n# A\n");
  dir.write("runbooks/notes.txt", "not a runbook");
  dir.write("runbooks/sub/c.md", "not read: runbooks/ is not recursive");
  dir.write("runbooks/.hidden.md", "---\nbroken\n");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  const auto& books = result.config->runbooks;
  ASSERT_EQ(books.size(), 2u);
  EXPECT_EQ(books[0].name, "b");
  EXPECT_EQ(books[1].name, "first");
  EXPECT_EQ(books[1].title, "A");
  EXPECT_EQ(result.config->runbook_locations[1].file,
            (dir.path() / "runbooks/a.md").lexically_normal().generic_string());
}

TEST(RunbookFolder, ErrorsNameTheFile) {
  TempDir dir;
  dir.write("slo/a.yaml", "");
  dir.write("runbooks/x.md", "---\nsteps: 3\n---\n");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_FALSE(result.ok());
  const std::string file = (dir.path() / "runbooks/x.md").lexically_normal().generic_string();
  EXPECT_EQ(result.diagnostics[0].to_string(),
            file + ":2:8: error: steps: expected a list, got '3'");
}

// The shipped runbooks are what a user starts from: they must load cleanly, apply to the alerts
// they are written for, and keep their steps safe (approval before anything disruptive).
TEST(RunbookFolder, ShippedRunbooksLoadAndApply) {
  const LoadResult result = load_config(SLOE_SOURCE_DIR);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  const auto& books = result.config->runbooks;
  std::vector<std::string> names;
  for (const runbook::Runbook& book : books)
    names.push_back(book.name);
  EXPECT_THAT(
      names, ElementsAre("certificate-expiring", "error-budget-fast-burn", "error-budget-slow-burn",
                         "probe-target-down", "sloe-backup-restore"));
  for (const runbook::Runbook& book : books) {
    SCOPED_TRACE(book.name);
    EXPECT_FALSE(book.meaning.empty());
    EXPECT_FALSE(book.impact.empty());
    EXPECT_FALSE(book.diagnosis.empty());
    EXPECT_FALSE(book.mitigation.empty());
    EXPECT_FALSE(book.steps.empty());
  }

  const auto name_for = [&books](const Labels& labels) {
    const runbook::Runbook* book = runbook::for_alert(books, labels);
    return book == nullptr ? std::string("(none)") : book->name;
  };
  EXPECT_EQ(name_for({{"alertname", "ErrorBudgetBurn"}, {"severity", "page"}}),
            "error-budget-fast-burn");
  EXPECT_EQ(name_for({{"alertname", "ErrorBudgetBurn"}, {"severity", "ticket"}}),
            "error-budget-slow-burn");
  EXPECT_EQ(name_for({{"alertname", "BlackboxProbeFailed"}}), "probe-target-down");
  EXPECT_EQ(name_for({{"alertname", "ProbeDown"}}), "probe-target-down");
  EXPECT_EQ(name_for({{"alertname", "SSLCertExpiringSoon"}}), "certificate-expiring");
  EXPECT_EQ(name_for({{"alertname", "Watchdog"}}), "(none)");

  const runbook::Runbook& fast = books[1];
  EXPECT_THAT(fast.triggers,
              ElementsAre(runbook::Trigger::kOpen, runbook::Trigger::kSeverityChange));
  // Every automated step after the first approval is gated by it; nothing disruptive before.
  const auto first_approval = std::find_if(
      fast.steps.begin(), fast.steps.end(),
      [](const runbook::Step& step) { return step.kind() == runbook::StepKind::kApproval; });
  ASSERT_NE(first_approval, fast.steps.end());
  for (auto it = fast.steps.begin(); it != first_approval; ++it)
    EXPECT_NE(it->kind(), runbook::StepKind::kCommand) << it->id;

  const runbook::Runbook& backup = books[4];
  EXPECT_EQ(backup.recovery.rpo, hours(24));
  EXPECT_EQ(backup.recovery.rto, minutes(30));
}

// The fast-burn runbook as a responder meets it: the health check and the ticket note run at
// once (the checklist does not hold them up), the rollback decision waits for a person, and the
// check after the rollback runs only once it is approved.
TEST(RunbookFolder, ShippedFastBurnRunsInTheIntendedOrder) {
  const LoadResult result = load_config(SLOE_SOURCE_DIR);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const auto& books = result.config->runbooks;
  const auto fast = std::find_if(books.begin(), books.end(), [](const runbook::Runbook& book) {
    return book.name == "error-budget-fast-burn";
  });
  ASSERT_NE(fast, books.end());
  const TimePoint t0 = from_unix_seconds(1'800'000'000);
  const auto step_id = [&](const runbook::Run& run) {
    const auto next = runbook::next_automated(*fast, run);
    return next ? fast->steps[*next].id : std::string("(none)");
  };
  const auto perform = [&](runbook::Run run) {
    const std::size_t next = *runbook::next_automated(*fast, run);
    run = std::get<runbook::Transition>(runbook::begin(*fast, std::move(run), next, t0)).run;
    return std::get<runbook::Transition>(runbook::finish(*fast, std::move(run), next,
                                                         runbook::StepOutcome{true, "", "", 200},
                                                         t0))
        .run;
  };
  runbook::Run run = runbook::start(*fast, 1, runbook::Trigger::kOpen, "sloe", t0).run;
  EXPECT_EQ(step_id(run), "health-check");
  run = perform(std::move(run));
  EXPECT_EQ(step_id(run), "open-ticket");
  run = perform(std::move(run));
  EXPECT_EQ(step_id(run), "(none)");
  EXPECT_EQ(run.state, runbook::RunState::kWaitingApproval);
  const auto approval = std::find_if(run.steps.begin(), run.steps.end(), [](const auto& step) {
    return step.state == runbook::StepState::kWaitingApproval;
  });
  ASSERT_NE(approval, run.steps.end());
  EXPECT_EQ(approval->step_id, "approve-rollback");
  const auto index = static_cast<std::size_t>(approval - run.steps.begin());
  run = std::get<runbook::Transition>(runbook::approve(*fast, std::move(run), index, "alice", t0))
            .run;
  EXPECT_EQ(step_id(run), "recheck");
}

// Every prefix of a shipped runbook (a file cut off anywhere: inside the front matter, a quoted
// string, a flow mapping) loads to diagnostics or a runbook, never a crash, and a configuration
// comes back exactly when no error was reported.
TEST(RunbookFolder, TruncatedRunbooksNeverCrash) {
  for (const char* name : {"error-budget-fast-burn.md", "sloe-backup-restore.md"}) {
    std::ifstream in(std::filesystem::path(SLOE_SOURCE_DIR) / "runbooks" / name);
    std::ostringstream contents;
    contents << in.rdbuf();  // not istreambuf_iterator: GCC 12 -O2 warns falsely
    const std::string text = contents.str();
    ASSERT_FALSE(text.empty()) << name;
    for (std::size_t length = 0; length <= text.size(); length += 7) {
      const LoadResult result = load_runbook(text.substr(0, length), "runbooks/cut.md");
      const bool has_error = std::any_of(
          result.diagnostics.begin(), result.diagnostics.end(),
          [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });
      ASSERT_EQ(result.ok(), !has_error) << name << " cut at " << length;
    }
  }
}

// --- sloe.yaml -----------------------------------------------------------------------------------

TEST(RunbookSettings, DefaultsAndValues) {
  const LoadResult defaults = load_config_from_strings({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults.config->settings.runbooks.allowed_commands.empty());
  EXPECT_EQ(defaults.config->settings.runbooks.output_limit_bytes, 16u * 1024u);
  EXPECT_EQ(defaults.config->settings.postmortem.second_zone, "");

  const LoadResult set = load_config_from_strings({{"sloe.yaml", R"(
runbooks:
  allowed_commands: [/usr/bin/systemctl, /opt/bin/failover]
  output_limit: 64KiB
postmortem:
  second_zone: Europe/Berlin
)"}});
  ASSERT_TRUE(set.ok()) << testing::all_diagnostics(set);
  const Settings& settings = set.config->settings;
  EXPECT_THAT(settings.runbooks.allowed_commands,
              ElementsAre("/usr/bin/systemctl", "/opt/bin/failover"));
  EXPECT_EQ(settings.runbooks.output_limit_bytes, 64u * 1024u);
  EXPECT_EQ(settings.postmortem.second_zone, "Europe/Berlin");
}

TEST(RunbookSettings, OutputLimitForms) {
  const auto limit = [](const std::string& value) -> std::size_t {
    const LoadResult result =
        load_config_from_strings({{"sloe.yaml", "runbooks: {output_limit: " + value + "}\n"}});
    return result.ok() ? result.config->settings.runbooks.output_limit_bytes : 0;
  };
  EXPECT_EQ(limit("4096"), 4096u);
  EXPECT_EQ(limit("2048B"), 2048u);
  EXPECT_EQ(limit("1MiB"), 1024u * 1024u);
  EXPECT_EQ(limit("10kB"), 10000u);
  EXPECT_EQ(limit("512"), 0u);   // below 1KiB
  EXPECT_EQ(limit("2MiB"), 0u);  // above 1MiB
  EXPECT_EQ(limit("16 KiB"), 16u * 1024u);
  EXPECT_EQ(limit("16kb"), 0u);
  EXPECT_EQ(limit("-1"), 0u);
}

TEST(RunbookSettings, Errors) {
  const LoadResult result = load_config_from_strings({{"sloe.yaml", R"(runbooks:
  allowed_commands: [curl, /bin/x, /bin/x]
  output_limit: lots
  max_steps: 3
postmortem:
  second_zone: Europe/Berln
)"}});
  EXPECT_TRUE(HasError(result, 2, 22, "'curl' is not an absolute path"));
  EXPECT_TRUE(HasError(result, 2, 36, "command '/bin/x' is listed twice"));
  EXPECT_TRUE(HasError(result, 3, 17, "output_limit: expected a size like 16384"));
  EXPECT_TRUE(HasError(result, 4, 3, "unknown key 'max_steps' in runbooks"));
  EXPECT_TRUE(HasError(result, 6, 16,
                       "unknown time zone 'Europe/Berln'; did you mean "
                       "'Europe/Berlin'?"));
}

}  // namespace
}  // namespace sloe::config

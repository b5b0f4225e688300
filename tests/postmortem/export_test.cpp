// The postmortem exports of a fixture incident, byte for byte against tests/postmortem/golden/.
//
// To accept a deliberate change of the document, the JSON or a built-in template, regenerate the
// golden files and review the diff:
//   SLOE_UPDATE_GOLDEN=1 build/tests/postmortem/sloe_postmortem_export_tests
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "postmortem_json.h"
#include "sloe/app/postmortem_render.h"
#include "sloe/core/time_format.h"
#include "sloe/postmortem/document.h"

namespace sloe {
namespace {

using app::PostmortemFormat;
namespace kind = incident::event_kind;
namespace fs = std::filesystem;

TimePoint at(const char* rfc3339) {
  auto parsed = parse_rfc3339(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? *parsed : TimePoint{};
}

// The fixture: checkout's availability SLO burns its error budget; the ErrorBudgetBurn page opens
// incident 42, its runbook probes the service (http) and rolls back after an approval (the first
// attempt fails), alice acknowledges, takes command, raises the severity, mitigates and resolves.
postmortem::BuildInput fixture() {
  postmortem::BuildInput input;
  incident::Incident& inc = input.incident;
  inc.id = 42;
  inc.title = "Checkout availability burning its error budget";
  inc.summary = "Checkout returned errors after a deploy.";
  inc.service = "checkout";
  inc.state = incident::State::kResolved;
  inc.severity = incident::Severity::kSev2;
  inc.times.impact_started = at("2026-11-23T13:52:00Z");
  inc.times.detected = at("2026-11-23T13:55:30Z");
  inc.times.acknowledged = at("2026-11-23T13:58:05Z");
  inc.times.mitigated = at("2026-11-23T14:32:10Z");
  inc.times.resolved = at("2026-11-23T15:10:00Z");
  inc.roles.push_back({"commander", "alice", at("2026-11-23T13:59:00Z"), std::nullopt, "alice"});
  inc.labels = {{"alertname", "ErrorBudgetBurn"}, {"service", "checkout"}};
  inc.created_by = "sloe";
  inc.created_at = at("2026-11-23T13:55:30Z");

  std::int64_t next_id = 100;
  auto add = [&](const char* when, std::string actor, std::string_view event_kind, std::string text,
                 Labels fields = {}, bool pinned = false) {
    incident::TimelineEvent e;
    e.id = ++next_id;
    e.incident_id = 42;
    e.at = at(when);
    e.actor = std::move(actor);
    e.kind = std::string(event_kind);
    e.text = std::move(text);
    e.fields = std::move(fields);
    e.pinned = pinned;
    input.timeline.push_back(std::move(e));
  };
  const std::string fingerprint = "5d1f0c2a9b7e4411";
  add("2026-11-23T13:55:30Z", "sloe", kind::kOpenedByAlert,
      "opened by alert ErrorBudgetBurn (policy pages)",
      {{"alertname", "ErrorBudgetBurn"},
       {"policy", "pages"},
       {"dedup_key", "pages/checkout"},
       {"severity", "SEV3"},
       {"fingerprint", fingerprint},
       {"service", "checkout"}});
  add("2026-11-23T13:55:30Z", "sloe", kind::kAlertFired, "alert ErrorBudgetBurn fired",
      {{"alertname", "ErrorBudgetBurn"},
       {"slo", "checkout-availability"},
       {"service", "checkout"},
       {"severity", "page"},
       {"fingerprint", fingerprint},
       {"starts_at", "2026-11-23T13:52:00.000Z"}});
  add("2026-11-23T13:55:31Z", "pager-team", kind::kNotificationSent, "notified pager-team",
      {{"receiver", "pager-team"}});
  auto step = [](std::string step_id, std::string kind_of_step, std::string result,
                 std::string attempt, std::string status_code) {
    return Labels{{"runbook", "error-budget-fast-burn"},  {"run", "1"},
                  {"step", std::move(step_id)},           {"step_kind", std::move(kind_of_step)},
                  {"result", std::move(result)},          {"attempt", std::move(attempt)},
                  {"status_code", std::move(status_code)}};
  };
  add("2026-11-23T13:55:32Z", "sloe", kind::kRunbookStep, "Check the health endpoint",
      step("check-health", "http", "started", "1", "0"));
  add("2026-11-23T13:55:33Z", "sloe", kind::kRunbookStep,
      "Check the health endpoint\n{\"status\":\"degraded\",\"errors\":\"5xx\"}",
      step("check-health", "http", "succeeded", "1", "200"));
  add("2026-11-23T13:55:33Z", "sloe", kind::kRunbookStep, "Approve the rollback",
      step("approve-rollback", "approval", "approval_requested", "0", "0"));
  add("2026-11-23T13:58:05Z", "alice", kind::kNotificationAcknowledged,
      "alice acknowledged the page to pager-team", {{"receiver", "pager-team"}, {"by", "alice"}});
  add("2026-11-23T13:59:00Z", "alice", kind::kRoleChanged, "commander assigned to alice",
      {{"role", "commander"}, {"from", ""}, {"to", "alice"}});
  add("2026-11-23T14:01:10Z", "alice", kind::kNote,
      "Errors started with deploy 2026.11.23-2.\nRolling back.", {}, true);
  add("2026-11-23T14:02:00Z", "bob", kind::kRunbookStep, "Approve the rollback",
      step("approve-rollback", "approval", "approved", "0", "0"));
  add("2026-11-23T14:02:01Z", "sloe", kind::kRunbookStep,
      "Roll back checkout\nerror: deploy lock held by another job",
      step("rollback", "command", "failed", "1", "1"));
  add("2026-11-23T14:05:00Z", "alice", kind::kSeverityChanged, "severity SEV3 → SEV2",
      {{"from", "SEV3"}, {"to", "SEV2"}});
  add("2026-11-23T14:20:00Z", "bob", kind::kRunbookStep, "Roll back checkout",
      step("rollback", "command", "retried", "1", "0"));
  add("2026-11-23T14:20:40Z", "sloe", kind::kRunbookStep,
      "Roll back checkout\nrolled back to 2026.11.23-1",
      step("rollback", "command", "succeeded", "2", "0"));
  add("2026-11-23T14:32:10Z", "alice", kind::kStateChanged, "state investigating → monitoring",
      {{"from", "investigating"}, {"to", "monitoring"}});
  add("2026-11-23T15:10:00Z", "alice", kind::kStateChanged, "state monitoring → resolved",
      {{"from", "monitoring"}, {"to", "resolved"}});
  add("2026-11-23T15:20:00Z", "bob", kind::kActionItem,
      "action item added: Roll back automatically when the checkout 5xx rate doubles",
      {{"action_id", "7"}, {"change", "created"}});

  incident::ActionItem rollback;
  rollback.id = 7;
  rollback.incident_id = 42;
  rollback.title = "Roll back automatically when the checkout 5xx rate doubles after a deploy";
  rollback.owner = "bob";
  rollback.due = at("2026-12-01T00:00:00Z");
  rollback.priority = incident::Priority::kP1;
  rollback.type = incident::ActionType::kPreventive;
  rollback.status = incident::ActionStatus::kOpen;
  rollback.ticket_url =
      "https://tracker.example.com/browse/OPS-1234?focusedCommentId=99887766&page=comment-tab";
  incident::ActionItem lock_alert;
  lock_alert.id = 8;
  lock_alert.incident_id = 42;
  lock_alert.title = "Alert when the deploy lock is held for more than 10 minutes";
  lock_alert.owner = "carol";
  lock_alert.due = at("2026-12-20T00:00:00Z");
  lock_alert.priority = incident::Priority::kP2;
  lock_alert.type = incident::ActionType::kDetective;
  lock_alert.status = incident::ActionStatus::kInProgress;
  input.actions = {rollback, lock_alert};

  postmortem::Narrative& story = input.narrative;
  story.summary =
      "For 78 minutes about 1% of checkout requests failed after deploy 2026.11.23-2 "
      "exhausted the database connection pool.";
  story.root_cause =
      "Deploy 2026.11.23-2 lowered the connection pool size from 50 to 5.\n"
      "Under the afternoon peak requests queued for connections and timed out.";
  story.contributing_factors = {"The canary stage ran at night with little traffic.",
                                "The deploy lock was held by a stuck job, delaying the rollback."};
  story.resolution = "Rolled back to 2026.11.23-1 once the stuck deploy job was cancelled.";
  story.went_well = {"The burn-rate page fired within four minutes.",
                     "The runbook's health check showed the failing dependency at once."};
  story.went_wrong = {"The first rollback failed on the deploy lock."};
  story.got_lucky = {"The peak ended shortly after the rollback."};
  story.links = {
      "https://grafana.example.com/d/checkout/"
      "checkout-overview?from=1795960000000&to=1795970000000&var-env=production",
      "https://chat.example.com/archives/C0INCIDENT42"};

  postmortem::SloInput availability;
  availability.name = "checkout-availability";
  availability.service = "checkout";
  availability.objective = 0.999;
  availability.window = std::chrono::hours(24 * 30);
  availability.during_incident = {118800, 120000};
  availability.window_at_end = {3996900, 4000000};
  availability.has_data = true;
  postmortem::SloInput latency = availability;
  latency.name = "checkout-latency";
  latency.objective = 0.99;
  latency.during_incident = {117000, 120000};
  latency.window_at_end = {3955000, 4000000};
  input.slos = {availability, latency};

  input.now = at("2026-12-10T09:00:00Z");
  input.second_zone = "Europe/Berlin";
  return input;
}

std::string fixture_json() {
  auto doc = postmortem::build(fixture());
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  return doc.ok() ? api::postmortem_to_json(*doc) : std::string();
}

std::string render_builtin(const std::string& json, PostmortemFormat format) {
  auto rendered =
      app::render_postmortem(app::builtin_postmortem_template(format), json, format, "built-in");
  EXPECT_TRUE(rendered.ok()) << rendered.error().message;
  return rendered.ok() ? *rendered : std::string();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares actual with the golden file, or rewrites the golden file under SLOE_UPDATE_GOLDEN=1.
void expect_golden(const std::string& actual, const std::string& file_name) {
  const fs::path path = fs::path(SLOE_POSTMORTEM_GOLDEN_DIR) / file_name;
  const char* update = std::getenv("SLOE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with SLOE_UPDATE_GOLDEN=1";
  const std::string expected = read_file(path);
  EXPECT_EQ(actual, expected) << "differs from " << path
                              << " (if the change is intended: SLOE_UPDATE_GOLDEN=1)";
}

TEST(PostmortemGoldenTest, Json) {
  std::string json = fixture_json();
  // The golden JSON is pretty-printed so its diffs are readable; the export itself is compact.
  expect_golden(nlohmann::ordered_json::parse(json).dump(2) + "\n", "fixture.json");
}

TEST(PostmortemGoldenTest, Markdown) {
  expect_golden(render_builtin(fixture_json(), PostmortemFormat::kMarkdown), "fixture.md");
}

TEST(PostmortemGoldenTest, Html) {
  expect_golden(render_builtin(fixture_json(), PostmortemFormat::kHtml), "fixture.html");
}

TEST(PostmortemExportTest, FixtureShowsTimelineBudgetAndActions) {
  const std::string md = render_builtin(fixture_json(), PostmortemFormat::kMarkdown);
  EXPECT_NE(md.find("| checkout-availability | checkout | 99.9% | 30d | 1,200 / 120,000 | 30.0% | "
                    "22.5% |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("-12.5% (exhausted)"), std::string::npos);
  EXPECT_NE(md.find("| 2026-11-23 14:02:01 UTC | 15:02:01 CET | sloe | runbook step |"),
            std::string::npos);
  EXPECT_NE(md.find("2026-12-01 **(overdue)**"), std::string::npos);
  EXPECT_EQ(md.find("2026-12-20 **(overdue)**"), std::string::npos);
  EXPECT_NE(md.find("Alert ErrorBudgetBurn (slo=checkout-availability, severity=page) opened"),
            std::string::npos);
  EXPECT_NE(md.find("- **Authors:** alice, bob"), std::string::npos);
}

bool have_xmllint() {
  return std::system("command -v xmllint >/dev/null 2>&1") == 0;
}

// xmllint's verdict on html; "" when well-formed, else its complaint.
std::string xmllint_problems(const std::string& html) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("sloe-pm-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       std::to_string(reinterpret_cast<std::uintptr_t>(&html)));
  fs::create_directories(dir);
  const fs::path file = dir / "postmortem.html";
  const fs::path log = dir / "xmllint.log";
  std::ofstream(file, std::ios::binary) << html;
  const std::string command =
      "xmllint --noout --nonet '" + file.string() + "' 2>'" + log.string() + "'";
  const int status = std::system(command.c_str());
  std::string problems = status == 0 ? std::string() : "xmllint failed: " + read_file(log);
  fs::remove_all(dir);
  return problems;
}

TEST(PostmortemHtmlTest, FixtureIsWellFormed) {
  if (!have_xmllint())
    GTEST_SKIP() << "xmllint is not installed (Debian package libxml2-utils); CI installs it";
  EXPECT_EQ(xmllint_problems(render_builtin(fixture_json(), PostmortemFormat::kHtml)), "");
}

TEST(PostmortemHtmlTest, EmptyDocumentIsWellFormedAndSaysNone) {
  postmortem::BuildInput input;
  input.incident.id = 1;
  input.incident.title = "Nothing recorded";
  auto doc = postmortem::build(input);
  ASSERT_TRUE(doc.ok());
  const std::string json = api::postmortem_to_json(*doc);
  const std::string html = render_builtin(json, PostmortemFormat::kHtml);
  EXPECT_NE(html.find("No action items."), std::string::npos);
  EXPECT_NE(html.find("No SLO was affected."), std::string::npos);
  const std::string md = render_builtin(json, PostmortemFormat::kMarkdown);
  EXPECT_NE(md.find("No action items."), std::string::npos);
  if (!have_xmllint())
    GTEST_SKIP() << "xmllint is not installed (Debian package libxml2-utils); CI installs it";
  EXPECT_EQ(xmllint_problems(html), "");
}

// Hostile text everywhere a person can type: it must stay text in both formats.
postmortem::BuildInput hostile_fixture() {
  postmortem::BuildInput input = fixture();
  const std::string hostile =
      "<script>alert(1)</script> | *bold* _x_ `code` [a](b) & \"q\" 'q'\x01";
  input.incident.title = hostile;
  input.narrative.summary = hostile + "\nsecond line | cell";
  input.narrative.went_well = {hostile};
  input.narrative.links = {"javascript:alert(1)"};
  input.actions[0].title = hostile;
  incident::TimelineEvent note;
  note.id = 999;
  note.at = at("2026-11-23T14:03:00Z");
  note.actor = "mallory";
  note.kind = std::string(kind::kNote);
  note.text = hostile;
  input.timeline.push_back(note);
  return input;
}

TEST(PostmortemEscapingTest, HtmlKeepsHostileTextAsText) {
  auto doc = postmortem::build(hostile_fixture());
  ASSERT_TRUE(doc.ok());
  const std::string html = render_builtin(api::postmortem_to_json(*doc), PostmortemFormat::kHtml);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("javascript:alert(1)\""), std::string::npos);  // never an href
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; | *bold*"), std::string::npos);
  if (have_xmllint()) {
    EXPECT_EQ(xmllint_problems(html), "");
  }
}

// The cells of one Markdown table row: split on "|" not preceded by a backslash.
std::size_t unescaped_pipes(const std::string& line) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
      continue;
    }
    count += line[i] == '|' ? 1 : 0;
  }
  return count;
}

TEST(PostmortemEscapingTest, MarkdownKeepsTablesIntactAndMarkupInert) {
  auto doc = postmortem::build(hostile_fixture());
  ASSERT_TRUE(doc.ok());
  const std::string md = render_builtin(api::postmortem_to_json(*doc), PostmortemFormat::kMarkdown);
  // Every "<" the hostile text brought is escaped ("\<" renders a literal "<").
  for (std::size_t found = md.find("<script"); found != std::string::npos;
       found = md.find("<script", found + 1)) {
    ASSERT_GT(found, 0u);
    EXPECT_EQ(md[found - 1], '\\') << md.substr(found - 1, 30);
  }
  EXPECT_NE(
      md.find("\\<script\\>alert(1)\\</script\\> \\| \\*bold\\* \\_x\\_ \\`code\\` \\[a\\](b)"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("<br>second line \\| cell"), std::string::npos);
  // Every timeline and action row still has exactly its columns.
  std::istringstream lines(md);
  std::string line;
  int timeline_rows = 0;
  int action_rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("| 2026-11-23 ", 0) == 0) {
      ++timeline_rows;
      EXPECT_EQ(unescaped_pipes(line), 6u) << line;
    } else if (line.rfind("| 7 |", 0) == 0 || line.rfind("| 8 |", 0) == 0) {
      ++action_rows;
      EXPECT_EQ(unescaped_pipes(line), 9u) << line;
    }
  }
  EXPECT_EQ(timeline_rows, 18);
  EXPECT_EQ(action_rows, 2);
}

TEST(PostmortemJsonTest, KeysForTemplateAuthors) {
  auto doc = postmortem::build(hostile_fixture());
  ASSERT_TRUE(doc.ok());
  const auto json = nlohmann::json::parse(api::postmortem_to_json(*doc));
  EXPECT_EQ(json["incident_id"], 42);
  EXPECT_TRUE(json["has_slos"].get<bool>());
  EXPECT_TRUE(json["has_actions"].get<bool>());
  EXPECT_EQ(json["overdue_actions"], 1);
  EXPECT_EQ(json["links"][0]["is_web"], false);
  EXPECT_EQ(json["slos"][1]["budget_exhausted"], true);
  EXPECT_EQ(json["key_moments"].size(), 1u);
  EXPECT_EQ(json["went_well"][0]["text"].get<std::string>().substr(0, 8), "<script>");
  EXPECT_FALSE(json["has_got_lucky"].get<bool>() && json["got_lucky"].empty());
}

TEST(PostmortemTemplateTest, UserTemplateRendersFromTheSameJson) {
  const std::string json = fixture_json();
  const std::string user_template =
      "{{title}} ({{severity}}), {{duration}}\n"
      "{{#slos}}{{name}}: {{budget_consumed}} consumed, {{budget_left}} left\n{{/slos}}"
      "{{#actions}}{{#overdue}}OVERDUE {{id}} {{owner}}\n{{/overdue}}{{/actions}}"
      "{{^has_got_lucky}}no luck{{/has_got_lucky}}";
  auto rendered =
      app::render_postmortem(user_template, json, PostmortemFormat::kMarkdown, "team.mustache");
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_EQ(*rendered,
            "Checkout availability burning its error budget (SEV2), 1h 18m\n"
            "checkout-availability: 30.0% consumed, 22.5% left\n"
            "checkout-latency: 7.5% consumed, -12.5% left\n"
            "OVERDUE 7 bob\n");
}

TEST(PostmortemTemplateTest, BrokenTemplatesGiveErrorsNamingTemplateAndLine) {
  const std::string json = fixture_json();
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"a\n{{#slos}}\n{{name}}\n", "team.mustache line 2: section \"slos\" is never closed"},
      {"{{#slos}}{{#actions}}{{/slos}}{{/actions}}",
       "team.mustache line 1: \"{{/slos}}\" closes section \"actions\" opened at line 1"},
      {"x\n\n{{/actions}}",
       "team.mustache line 3: \"{{/actions}}\" closes a section that was never"},
      {"{{title", "team.mustache line 1: tag \"{{title...\" is never closed"},
      {"{{> header}}", "team.mustache line 1: partial \"header\": partials are not supported"},
  };
  for (const Case& c : cases) {
    auto rendered = app::render_postmortem(c.text, json, PostmortemFormat::kHtml, "team.mustache");
    ASSERT_FALSE(rendered.ok()) << c.text;
    EXPECT_NE(rendered.error().message.find(c.expected), std::string::npos)
        << rendered.error().message;
  }
  auto unnamed = app::render_postmortem("{{#x}}", json, PostmortemFormat::kMarkdown);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.error().message.find("the md template line 1"), std::string::npos)
      << unnamed.error().message;
  auto not_json = app::render_postmortem("{{x}}", "[1]", PostmortemFormat::kMarkdown);
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message.find("not a JSON object"), std::string::npos);
}

TEST(PostmortemTemplateTest, DelimiterChangeAndTripleMustacheAreAccepted) {
  auto rendered =
      app::render_postmortem("{{{title}}}{{=<% %>=}}<%#has_slos%>!<%/has_slos%>",
                             R"({"title": "<b>", "has_slos": true})", PostmortemFormat::kHtml, "t");
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  EXPECT_EQ(*rendered, "<b>!");
}

// Renders of both formats from several threads: each must use its own format's escaper.
TEST(PostmortemTemplateTest, ConcurrentRendersKeepTheirEscaping) {
  const std::string json = R"({"text": "a|<b>"})";
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const PostmortemFormat format =
          t % 2 == 0 ? PostmortemFormat::kHtml : PostmortemFormat::kMarkdown;
      const std::string expected = t % 2 == 0 ? "a|&lt;b&gt;" : "a\\|\\<b\\>";
      for (int i = 0; i < 200; ++i) {
        auto rendered = app::render_postmortem("{{text}}", json, format);
        if (!rendered.ok() || *rendered != expected)
          ++wrong;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace sloe

namespace sloe {
namespace {

std::string render_one(const std::string& value, app::PostmortemFormat format) {
  const std::string json = nlohmann::json{{"v", value}}.dump();
  auto rendered = app::render_postmortem("{{v}}", json, format);
  EXPECT_TRUE(rendered.ok()) << rendered.error().message;
  return rendered.ok() ? *rendered : std::string();
}

TEST(PostmortemEscapingTest, MarkdownListMarkersAndWordUnderscores) {
  const auto md = app::PostmortemFormat::kMarkdown;
  EXPECT_EQ(render_one("- not a list", md), "\\- not a list");
  EXPECT_EQ(render_one("12. not a list", md), "12\\. not a list");
  EXPECT_EQ(render_one("-12.5%", md), "-12.5%");
  EXPECT_EQ(render_one("2026-11-23", md), "2026-11-23");
  EXPECT_EQ(render_one("in_progress _x_", md), "in_progress \\_x\\_");
  EXPECT_EQ(render_one("a\r\nb\nc", md), "a<br>b<br>c");
  EXPECT_EQ(render_one("# heading > quote ~~x~~", md), "\\# heading \\> quote \\~\\~x\\~\\~");
}

TEST(PostmortemEscapingTest, HtmlDropsCharactersXmlForbids) {
  const auto html = app::PostmortemFormat::kHtml;
  EXPECT_EQ(render_one("a\x01\x1F"
                       "b\tc\xEF\xBF\xBF"
                       "d\xEF\xBF\xBD",
                       html),
            "ab\tcd\xEF\xBF\xBD");  // U+FFFD (replacement) is a valid character and stays
  EXPECT_EQ(render_one("<a href=\"x\">'&'</a>", html),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace sloe

// Alertmanager configuration under alerts/: what a valid file turns into, and every class of
// mistake reported at its file:line:col.
#include <gtest/gtest.h>

#include "sloe/config/loader.h"
#include "sloe/core/time_format.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::HasError;
using testing::TempDir;

LoadResult load_alerts(const std::string& text, const std::string& name = "alerts/am.yml") {
  return load_config_from_strings({{name, text}});
}

bool has_warning(const LoadResult& result, int line, int column, std::string_view fragment) {
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::kWarning && d.location.line == line &&
        d.location.column == column && d.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> receivers_for(const route::RouteTree& tree, const Labels& labels) {
  std::vector<std::string> out;
  for (const route::Route* route : tree.match(labels))
    out.push_back(route->options().receiver);
  return out;
}

constexpr const char* kFull = R"(global:
  resolve_timeout: 2m
  slack_api_url_file: secrets/slack-url
  pagerduty_url: https://events.eu.pagerduty.com/v2/enqueue
templates: []
route:
  receiver: default
  group_by: [alertname, service]
  group_wait: 10s
  routes:
    - matchers: ['severity="page"', 'team=~"db|web", env!="dev"']
      receiver: pager
      continue: true
      group_by: ['...']
      mute_time_intervals: [maintenance]
    - match: {team: db}
      match_re: {service: 'pg|mysql'}
      receiver: db-team
      repeat_interval: 1h
      active_time_intervals: [office-hours]
      routes:
        - matchers: [instance=""]
          receiver: webhook-only
receivers:
  - name: default
  - name: pager
    pagerduty_configs:
      - routing_key_file: secrets/pd-key
        severity: critical
    escalation_policy: db-primary
  - name: db-team
    slack_configs:
      - channel: '#db'
        username: sloe
        title: 'DB alert'
        send_resolved: true
  - name: webhook-only
    webhook_configs:
      - url: http://127.0.0.1:9999/hook
        max_alerts: 10
        send_resolved: false
      - url_file: secrets/hook-url
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="ticket"']
    equal: [service]
  - name: legacy
    source_match: {severity: critical}
    target_match_re: {severity: 'warning|info'}
    equal: [alertname, cluster]
time_intervals:
  - name: office-hours
    time_intervals:
      - times: [{start_time: "09:00", end_time: "17:30"}]
        weekdays: ['monday:friday']
        location: Europe/Tallinn
mute_time_intervals:
  - name: maintenance
    time_intervals:
      - days_of_month: ['1:7', '-3:-1']
        months: ['january:march', '12']
        years: ['2026:2027']
        times: [{start_time: "22:00", end_time: "24:00"}]
)";

// The on-call side of kFull: the escalation policy its 'pager' receiver names.
constexpr const char* kFullOncall = R"(users:
  - { name: dana, receiver: pager }
escalation_policies:
  - name: db-primary
    steps:
      - users: [dana]
)";

TEST(AlertingConfig, FullConfigurationParsesToTheExpectedModel) {
  const LoadResult result =
      load_config_from_strings({{"alerts/am.yml", kFull}, {"alerts/oncall.yaml", kFullOncall}});
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  ASSERT_TRUE(result.config->alerting.has_value());
  const AlertingConfig& alerting = *result.config->alerting;
  EXPECT_EQ(alerting.global.resolve_timeout, minutes(2));

  const route::Route& root = alerting.routes.root();
  EXPECT_EQ(root.options().receiver, "default");
  EXPECT_EQ(root.options().group_wait, seconds(10));
  ASSERT_EQ(root.routes().size(), 2u);
  const route::Route& pager = *root.routes()[0];
  EXPECT_TRUE(pager.continue_matching());
  EXPECT_TRUE(pager.options().group_by_all);
  EXPECT_EQ(pager.options().key, "{}/{env!=\"dev\",severity=\"page\",team=~\"db|web\"}");
  EXPECT_EQ(pager.options().mute_time_intervals, std::vector<std::string>{"maintenance"});
  const route::Route& db = *root.routes()[1];
  EXPECT_EQ(db.options().key, "{}/{service=~\"^(?:pg|mysql)$\",team=\"db\"}");
  EXPECT_EQ(db.options().repeat_interval, hours(1));
  EXPECT_EQ(db.options().group_by, (std::vector<std::string>{"alertname", "service"}));

  using Names = std::vector<std::string>;
  const route::RouteTree& tree = alerting.routes;
  EXPECT_EQ(receivers_for(
                tree, {{"severity", "page"}, {"team", "db"}, {"service", "pg"}, {"instance", "a"}}),
            (Names{"pager", "db-team"}));
  EXPECT_EQ(receivers_for(tree, {{"team", "db"}, {"service", "mysql"}}), Names{"webhook-only"});
  EXPECT_EQ(receivers_for(tree, {{"team", "db"}, {"service", "mysqlx"}}), Names{"default"});
  EXPECT_EQ(receivers_for(tree, {{"severity", "page"}, {"team", "web"}, {"env", "dev"}}),
            Names{"default"});

  ASSERT_EQ(alerting.receivers.size(), 4u);
  ASSERT_EQ(result.config->alerting_locations.receivers.size(), 4u);
  EXPECT_EQ(result.config->alerting_locations.receivers[1].line, 26);
  const ReceiverSpec& pd = alerting.receivers[1];
  ASSERT_EQ(pd.pagerduty.size(), 1u);
  ASSERT_TRUE(pd.pagerduty[0].routing_key.secret.has_value());
  EXPECT_EQ(pd.pagerduty[0].routing_key.secret->kind, SecretRef::Kind::kFile);
  EXPECT_EQ(pd.pagerduty[0].routing_key.secret->name, "secrets/pd-key");
  EXPECT_EQ(pd.pagerduty[0].url, "https://events.eu.pagerduty.com/v2/enqueue");
  EXPECT_EQ(pd.pagerduty[0].severity, "critical");
  EXPECT_TRUE(pd.pagerduty[0].send_resolved);
  EXPECT_EQ(pd.escalation_policy, "db-primary");
  const ReceiverSpec& slack = alerting.receivers[2];
  ASSERT_EQ(slack.slack.size(), 1u);
  ASSERT_TRUE(slack.slack[0].api_url.secret.has_value());  // from global
  EXPECT_EQ(slack.slack[0].api_url.secret->name, "secrets/slack-url");
  EXPECT_EQ(slack.slack[0].channel, "#db");
  EXPECT_EQ(slack.slack[0].username, "sloe");
  EXPECT_EQ(slack.slack[0].title, "DB alert");
  EXPECT_TRUE(slack.slack[0].send_resolved);
  const ReceiverSpec& hook = alerting.receivers[3];
  ASSERT_EQ(hook.webhooks.size(), 2u);
  EXPECT_EQ(hook.webhooks[0].url.literal, "http://127.0.0.1:9999/hook");
  EXPECT_EQ(hook.webhooks[0].max_alerts, 10);
  EXPECT_FALSE(hook.webhooks[0].send_resolved);
  EXPECT_TRUE(hook.webhooks[1].send_resolved);
  ASSERT_TRUE(hook.webhooks[1].url.secret.has_value());
  EXPECT_EQ(hook.webhooks[1].url.secret->name, "secrets/hook-url");
  EXPECT_TRUE(alerting.receivers[0].webhooks.empty());

  ASSERT_EQ(alerting.inhibit_rules.size(), 2u);
  EXPECT_EQ(alerting.inhibit_rules[0].source_matchers[0].to_string(), "severity=\"page\"");
  EXPECT_EQ(alerting.inhibit_rules[0].equal, std::vector<std::string>{"service"});
  EXPECT_EQ(alerting.inhibit_rules[1].name, "legacy");
  EXPECT_EQ(alerting.inhibit_rules[1].source_matchers[0].to_string(), "severity=\"critical\"");
  EXPECT_EQ(alerting.inhibit_rules[1].target_matchers[0].to_string(),
            "severity=~\"^(?:warning|info)$\"");
  EXPECT_TRUE(alerting.inhibit_rules[1].target_matchers[0].matches({{"severity", "info"}}));

  ASSERT_EQ(alerting.time_intervals.size(), 2u);
  const NamedTimeIntervalSpec& office = alerting.time_intervals[0];
  EXPECT_EQ(office.name, "office-hours");
  ASSERT_EQ(office.periods.size(), 1u);
  ASSERT_EQ(office.periods[0].times.size(), 1u);
  EXPECT_EQ(office.periods[0].times[0].start_minute, 9 * 60);
  EXPECT_EQ(office.periods[0].times[0].end_minute, 17 * 60 + 30);
  ASSERT_EQ(office.periods[0].weekdays.size(), 1u);
  EXPECT_EQ(office.periods[0].weekdays[0].begin, 1);
  EXPECT_EQ(office.periods[0].weekdays[0].end, 5);
  EXPECT_EQ(office.periods[0].location, "Europe/Tallinn");
  const TimePeriodSpec& maintenance = alerting.time_intervals[1].periods.at(0);
  ASSERT_EQ(maintenance.days_of_month.size(), 2u);
  EXPECT_EQ(maintenance.days_of_month[1].begin, -3);
  EXPECT_EQ(maintenance.days_of_month[1].end, -1);
  ASSERT_EQ(maintenance.months.size(), 2u);
  EXPECT_EQ(maintenance.months[0].begin, 1);
  EXPECT_EQ(maintenance.months[0].end, 3);
  EXPECT_EQ(maintenance.months[1].begin, 12);
  EXPECT_EQ(maintenance.years[0].begin, 2026);
  EXPECT_EQ(maintenance.times[0].end_minute, 24 * 60);
}

TEST(AlertingConfig, NoAlertsFolderMeansNoRouting) {
  TempDir dir;
  dir.write("slo/a.yaml", "slos: []\n");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_FALSE(result.config->alerting.has_value());
}

TEST(AlertingConfig, LoadConfigReadsTheAlertsFolderAndSkipsOnCallDocuments) {
  TempDir dir;
  dir.write("slo/a.yaml", "slos: []\n");
  dir.write("alerts/alertmanager.yml", "route: {receiver: team}\nreceivers: [{name: team}]\n");
  dir.write("alerts/oncall.yaml", "rotations: []\n");
  dir.write("alerts/notes.txt", "route: {receiver: ignored}\n");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  ASSERT_TRUE(result.config->alerting.has_value());
  EXPECT_EQ(result.config->alerting->routes.root().options().receiver, "team");
  EXPECT_NE(result.config->alerting_locations.document.file.find("alerts/alertmanager.yml"),
            std::string::npos);
}

TEST(AlertingConfig, SecondAlertmanagerDocumentIsAnErrorNamingBoth) {
  const LoadResult result = load_config_from_strings(
      {{"alerts/a.yml", "route: {receiver: x}\nreceivers: [{name: x}]\n"},
       {"alerts/b.yml", "# second\nroute: {receiver: y}\nreceivers: [{name: y}]\n"}});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(HasError(result, 2, 1, "alerts/a.yml:1:1")) << testing::all_diagnostics(result);
  EXPECT_EQ(result.diagnostics[0].location.file, "alerts/b.yml");
}

TEST(AlertingConfig, InvalidMatcherQuotesTheMatcherParser) {
  const LoadResult result = load_alerts(R"(route:
  receiver: x
  routes:
    - matchers: ['severity="page"', 'team=~"(unclosed"']
      receiver: x
receivers: [{name: x}]
)");
  EXPECT_TRUE(HasError(result, 4, 37, "invalid matcher 'team=~\"(unclosed\"'"));
  EXPECT_TRUE(HasError(result, 4, 37, "invalid regular expression"));
  const LoadResult bad_syntax = load_alerts(
      "route:\n  receiver: x\n  routes:\n    - matchers: ['severity page']\nreceivers: [{name: "
      "x}]\n");
  EXPECT_TRUE(HasError(bad_syntax, 4, 18, "missing operator"));
  const LoadResult bad_match_re = load_alerts(
      "route:\n  receiver: x\n  routes:\n    - match_re: {svc: '[a-'}\nreceivers: [{name: x}]\n");
  EXPECT_TRUE(HasError(bad_match_re, 4, 23, "invalid regular expression"));
  const LoadResult bad_name = load_alerts(
      "route:\n  receiver: x\n  routes:\n    - match: {1svc: a}\nreceivers: [{name: x}]\n");
  EXPECT_TRUE(HasError(bad_name, 4, 15, "invalid label name '1svc'"));
}

TEST(AlertingConfig, UnknownReceiverWithSuggestion) {
  const LoadResult result = load_alerts(R"(route:
  receiver: default
  routes:
    - matchers: [team=db]
      receiver: db-tem
receivers:
  - name: default
  - name: db-team
)");
  EXPECT_TRUE(HasError(result, 5, 17,
                       "undefined receiver 'db-tem' used in route; did you mean "
                       "'db-team'?"));
}

TEST(AlertingConfig, DuplicateReceiverNames) {
  const LoadResult result = load_alerts(R"(route: {receiver: a}
receivers:
  - name: a
  - name: a
)");
  EXPECT_TRUE(HasError(result, 4, 11,
                       "duplicate receiver name 'a' (first defined at "
                       "alerts/am.yml:3:11)"));
}

TEST(AlertingConfig, UnknownTimeIntervalAndUnknownLocation) {
  const LoadResult result = load_alerts(R"(route:
  receiver: a
  routes:
    - receiver: a
      mute_time_intervals: [weekend]
      active_time_intervals: [ofice]
receivers: [{name: a}]
time_intervals:
  - name: office
    time_intervals:
      - location: Europe/Atlantis
)");
  EXPECT_TRUE(HasError(result, 5, 29, "undefined time interval 'weekend'"));
  EXPECT_TRUE(HasError(result, 6, 31, "did you mean 'office'?"));
  EXPECT_TRUE(HasError(result, 11, 19, "unknown time zone 'Europe/Atlantis'"));
  const LoadResult local = load_alerts(
      "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals:\n  - name: x\n    "
      "time_intervals: [{location: Local}]\n");
  EXPECT_TRUE(HasError(local, 5, 33, "Local"));
  const LoadResult traversal = load_alerts(
      "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals:\n  - name: x\n    "
      "time_intervals: [{location: ../../etc/passwd}]\n");
  EXPECT_TRUE(HasError(traversal, 5, 33, "unknown time zone"));
}

TEST(AlertingConfig, BadTimeIntervalFields) {
  const LoadResult result = load_alerts(R"(route: {receiver: a}
receivers: [{name: a}]
time_intervals:
  - name: x
    time_intervals:
      - times: [{start_time: "17:00", end_time: "09:00"}, {start_time: "25:00", end_time: "26:00"}]
        weekdays: ['friday:monday', 'funday']
        days_of_month: ['0', '-3:5', '10:2']
        months: ['13', 'may:april']
        years: ['2027:2026']
)");
  EXPECT_TRUE(HasError(result, 6, 17, "start_time must be before end_time"));
  EXPECT_TRUE(HasError(result, 6, 72, "invalid time of day '25:00'"));
  EXPECT_TRUE(HasError(result, 7, 20, "invalid weekdays range 'friday:monday'"));
  EXPECT_TRUE(HasError(result, 7, 37, "invalid weekdays range 'funday'"));
  EXPECT_TRUE(HasError(result, 8, 25, "not a valid day of the month"));
  EXPECT_TRUE(HasError(result, 8, 30, "end day must be negative"));
  EXPECT_TRUE(HasError(result, 8, 38, "end day 2 is before start day 10"));
  EXPECT_TRUE(HasError(result, 9, 18, "13 is not a valid month"));
  EXPECT_TRUE(HasError(result, 9, 24, "invalid months range 'may:april'"));
  EXPECT_TRUE(HasError(result, 10, 17, "invalid years range '2027:2026'"));
}

TEST(AlertingConfig, BadDurations) {
  const LoadResult result = load_alerts(R"(route:
  receiver: a
  group_wait: 30
  group_interval: 0s
  routes:
    - receiver: a
      repeat_interval: 1x
receivers: [{name: a}]
)");
  EXPECT_TRUE(HasError(result, 3, 15, "group_wait: expected a duration like 30s, got '30'"));
  EXPECT_TRUE(HasError(result, 4, 19, "group_interval cannot be zero"));
  EXPECT_TRUE(HasError(result, 7, 24, "repeat_interval: expected a duration"));
}

TEST(AlertingConfig, RootRouteRules) {
  const LoadResult no_receiver = load_alerts("route:\n  group_by: [a]\nreceivers: [{name: a}]\n");
  EXPECT_TRUE(HasError(no_receiver, 2, 3, "the root route must name a receiver"));
  const LoadResult matchers = load_alerts(
      "route:\n  receiver: a\n  matchers: ['x=\"1\"']\n  continue: true\n  "
      "mute_time_intervals: [m]\nreceivers: [{name: a}]\ntime_intervals: [{name: m}]\n");
  EXPECT_TRUE(HasError(matchers, 3, 3, "the root route must not have any matchers"));
  EXPECT_TRUE(HasError(matchers, 4, 3, "the root route cannot have 'continue: true'"));
  EXPECT_TRUE(HasError(matchers, 5, 3, "must not have any mute_time_intervals"));
  const LoadResult empty = load_alerts("route:\nreceivers: [{name: a}]\n");
  EXPECT_TRUE(HasError(empty, 1, 1, "route has no value"));
}

TEST(AlertingConfig, UnknownKeysWithDidYouMean) {
  const LoadResult result = load_alerts(R"(route:
  receiver: a
  group_wiat: 1m
  routes:
    - matcher: ['a="b"']
receivers:
  - name: a
    webhook_config: []
inhibit_rule: []
)");
  EXPECT_TRUE(HasError(result, 3, 3,
                       "unknown key 'group_wiat' in the root route; did you mean "
                       "'group_wait'?"));
  EXPECT_TRUE(HasError(result, 5, 7, "did you mean 'matchers'?"));
  EXPECT_TRUE(HasError(result, 8, 5, "did you mean 'webhook_configs'?"));
  EXPECT_TRUE(HasError(result, 9, 1, "did you mean 'inhibit_rules'?"));
}

TEST(AlertingConfig, GroupByRules) {
  const LoadResult result = load_alerts(R"(route:
  receiver: a
  group_by: ['...', alertname]
  routes:
    - group_by: [a, a, 'bad-name']
receivers: [{name: a}]
)");
  EXPECT_TRUE(HasError(result, 3, 13, "cannot have wildcard group_by"));
  EXPECT_TRUE(HasError(result, 5, 21, "duplicated label 'a' in group_by"));
  EXPECT_TRUE(HasError(result, 5, 24, "invalid label name 'bad-name' in group_by list"));
}

TEST(AlertingConfig, InlineSecretsWarnAndUnsupportedIntegrationsAreIgnored) {
  const LoadResult result = load_alerts(R"(route: {receiver: a}
receivers:
  - name: a
    slack_configs:
      - api_url: https://hooks.slack.com/services/T0/B0/XXXX
        icon_emoji: ':fire:'
    pagerduty_configs:
      - routing_key: 0123456789abcdef
    email_configs:
      - to: someone@example.com
    webhook_configs:
      - url: http://example.com/hook
        http_config: {}
)");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(has_warning(result, 5, 18, "api_url_file")) << testing::all_diagnostics(result);
  EXPECT_TRUE(has_warning(result, 6, 9, "not supported by sloe, ignored"));
  EXPECT_TRUE(has_warning(result, 8, 22, "routing_key_file"));
  EXPECT_TRUE(has_warning(result, 9, 5, "'email_configs' in receiver 'a' is not supported"));
  EXPECT_TRUE(has_warning(result, 13, 9, "'http_config'"));
  for (const Diagnostic& d : result.diagnostics) {
    EXPECT_EQ(d.message.find("XXXX"), std::string::npos) << "a secret leaked: " << d.message;
    EXPECT_EQ(d.message.find("0123456789abcdef"), std::string::npos) << d.message;
  }
  const ReceiverSpec& a = result.config->alerting->receivers[0];
  EXPECT_EQ(a.slack[0].api_url.literal, "https://hooks.slack.com/services/T0/B0/XXXX");
  EXPECT_EQ(a.pagerduty[0].routing_key.literal, "0123456789abcdef");
  EXPECT_EQ(a.pagerduty[0].url, kDefaultPagerDutyUrl);
}

TEST(AlertingConfig, IntegrationRequirements) {
  const LoadResult result = load_alerts(R"(route: {receiver: a}
receivers:
  - name: a
    slack_configs:
      - channel: '#x'
    webhook_configs:
      - send_resolved: true
      - url: ftp://example.com
      - {url: 'http://a', url_file: f, max_alerts: -1}
    pagerduty_configs:
      - service_key: abc
      - {routing_key_file: k, severity: loud}
  - name:
)");
  EXPECT_TRUE(HasError(result, 5, 9, "no Slack API URL"));
  EXPECT_TRUE(HasError(result, 7, 9, "one of url or url_file must be configured"));
  EXPECT_TRUE(HasError(result, 8, 14, "expected an http:// or https:// URL"));
  EXPECT_TRUE(HasError(result, 9, 27, "at most one of url & url_file"));
  EXPECT_TRUE(HasError(result, 9, 52, "max_alerts must not be negative"));
  EXPECT_TRUE(HasError(result, 11, 9, "service_key (PagerDuty Events API v1) is not supported"));
  EXPECT_TRUE(HasError(result, 12, 41, "severity 'loud'"));
  EXPECT_TRUE(HasError(result, 13, 5, "'name' in receiver has no value"));
}

TEST(AlertingConfig, InhibitRuleMatchers) {
  const LoadResult result = load_alerts(R"(route: {receiver: a}
receivers: [{name: a}]
inhibit_rules:
  - source_matchers: ['severity=~"("']
    target_match: {"bad-label": x}
    equal: [ok, 'not ok']
)");
  EXPECT_TRUE(HasError(result, 4, 23, "invalid matcher"));
  EXPECT_TRUE(HasError(result, 5, 20, "invalid label name 'bad-label'"));
  EXPECT_TRUE(HasError(result, 6, 17, "invalid label name 'not ok' in equal list"));
}

TEST(AlertingConfig, AlertmanagerKeysWithoutRouteAreAnError) {
  const LoadResult result = load_alerts("# no route\nreceivers: [{name: a}]\n");
  EXPECT_TRUE(HasError(result, 2, 1, "belongs to the Alertmanager configuration"));
  EXPECT_TRUE(HasError(result, 2, 1, "top-level 'route:'"));
}

TEST(AlertingConfig, SloFilesAreNotReadAsAlertmanagerConfiguration) {
  const LoadResult result = load_config_from_strings({{"slo/a.yaml", "route: {receiver: a}\n"}});
  EXPECT_TRUE(HasError(result, 1, 1, "unknown key 'route'"));
}

TEST(AlertingConfig, AnEscalationPolicyNoOnCallDocumentDefinesIsAnError) {
  const LoadResult result = load_alerts(kFull);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(HasError(result, 26, 5,
                       "receiver 'pager' names escalation policy 'db-primary', which no on-call "
                       "document defines"))
      << testing::all_diagnostics(result);
}

TEST(AlertingConfig, SilencesKeptAsCodeAreReadAndValidated) {
  const std::string text = R"(silences:
  - matchers: ['service="checkout"', 'severity=~"page|ticket"']
    starts_at: 2026-12-24T00:00:00Z
    ends_at: 2026-12-27T00:00:00+02:00
    created_by: alice
    comment: Christmas freeze, checkout is closed
  - matchers: ['service=~".*"']
    ends_at: 2026-12-27T00:00:00Z
    created_by: bob
    comment: mutes everything
  - matchers: ['service="x"']
    ends_at: tomorrow
    created_by: carol
    comment: bad time
  - matchers: ['service="x"']
    ends_at: 2026-12-27T00:00:00Z
    comment: nobody
)";
  const LoadResult result = load_config_from_strings({{"alerts/silences.yaml", text}});
  EXPECT_TRUE(HasError(result, 7, 5, "silence: ")) << testing::all_diagnostics(result);
  EXPECT_TRUE(HasError(result, 12, 14, "ends_at: ")) << testing::all_diagnostics(result);
  EXPECT_TRUE(HasError(result, 15, 5, "missing required key 'created_by'"))
      << testing::all_diagnostics(result);

  const LoadResult valid = load_config_from_strings(
      {{"alerts/silences.yaml", text.substr(0, text.find("  - matchers: ['service=~"))}});
  ASSERT_TRUE(valid.ok()) << testing::all_diagnostics(valid);
  ASSERT_EQ(valid.config->silences.size(), 1u);
  const route::Silence& silence = valid.config->silences[0];
  EXPECT_EQ(silence.id, "file:alerts/silences.yaml:2");
  EXPECT_EQ(silence.created_by, "alice");
  ASSERT_EQ(silence.matchers.size(), 2u);
  const TimePoint christmas = parse_rfc3339("2026-12-25T12:00:00Z").value();
  EXPECT_TRUE(route::mutes(silence, {{"service", "checkout"}, {"severity", "page"}}, christmas));
  EXPECT_FALSE(route::mutes(silence, {{"service", "search"}, {"severity", "page"}}, christmas));
  // Ends at 2026-12-27T00:00+02:00, i.e. 2026-12-26T22:00Z.
  EXPECT_FALSE(route::mutes(silence, {{"service", "checkout"}, {"severity", "page"}},
                            parse_rfc3339("2026-12-26T22:00:00Z").value()));
}

TEST(AlertingConfig, PoliciesAttachToReceiversThatExistOncePerReceiver) {
  const std::string routing = R"(route:
  receiver: pager
receivers:
  - name: pager
    escalation_policy: first
  - name: other
)";
  const std::string oncall = R"(users: [{ name: dana, receiver: other }]
escalation_policies:
  - name: first
    steps: [{ users: [dana] }]
  - name: second
    attach_to_receivers: [pagr, pager, other]
    steps: [{ users: [dana] }]
)";
  const LoadResult result =
      load_config_from_strings({{"alerts/am.yml", routing}, {"alerts/oncall.yaml", oncall}});
  EXPECT_TRUE(HasError(result, 6, 27,
                       "escalation policy 'second' attaches to receiver 'pagr', which the "
                       "Alertmanager configuration does not define; did you mean 'pager'?"))
      << testing::all_diagnostics(result);
  EXPECT_TRUE(HasError(result, 6, 33, "receiver 'pager' already escalates under policy 'first'"))
      << testing::all_diagnostics(result);
  EXPECT_EQ(result.diagnostics.size(), 2u) << testing::all_diagnostics(result);
}

}  // namespace
}  // namespace sloe::config

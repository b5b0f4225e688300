#include "sloe/notify/payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sloe/alert/fingerprint.h"
#include "test_util.h"

namespace sloe::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using testing::kStart;
using testing::make_alert;
using Json = nlohmann::json;

const Labels kErrorLabels{{"alertname", "HighErrorRate"}, {"service", "api"}, {"severity", "page"}};
const Labels kLatencyLabels{{"alertname", "HighLatency"}, {"service", "api"}, {"severity", "page"}};

// One firing and one resolved alert of group service=api.
alert::GroupNotification api_group() {
  alert::GroupNotification n;
  n.receiver = "team-api";
  n.group_key = "{}/{severity=\"page\"}:{service=\"api\"}";
  n.group_labels = {{"service", "api"}};
  n.alerts = {make_alert(kErrorLabels,
                         {{"summary", "5xx > 2% <api>"}, {"runbook_url", "http://runbooks/api"}},
                         kStart - 5min + 250ms),
              make_alert(kLatencyLabels, {{"summary", "p99 slow"}}, kStart - 1h, kStart - 1min)};
  n.at = kStart;
  n.external_url = "http://sloe.example";
  return n;
}

TEST(WebhookPayload, MatchesAlertmanagerVersion4ByteForByte) {
  const std::string expected =
      R"({"receiver":"team-api","status":"firing","alerts":[)"
      R"({"status":"firing","labels":{"alertname":"HighErrorRate","service":"api","severity":"page"},)"
      R"("annotations":{"runbook_url":"http://runbooks/api","summary":"5xx \u003e 2% \u003capi\u003e"},)"
      R"("startsAt":"2026-11-23T08:55:00.25Z","endsAt":"0001-01-01T00:00:00Z",)"
      R"("generatorURL":"http://sloe.example/slo/api-availability","fingerprint":")" +
      alert::fingerprint_hex(kErrorLabels) +
      R"("},{"status":"resolved","labels":{"alertname":"HighLatency","service":"api","severity":"page"},)"
      R"("annotations":{"summary":"p99 slow"},)"
      R"("startsAt":"2026-11-23T08:00:00Z","endsAt":"2026-11-23T08:59:00Z",)"
      R"("generatorURL":"http://sloe.example/slo/api-availability","fingerprint":")" +
      alert::fingerprint_hex(kLatencyLabels) +
      R"("}],"groupLabels":{"service":"api"},"commonLabels":{"service":"api","severity":"page"},)"
      R"("commonAnnotations":{},"externalURL":"http://sloe.example","version":"4",)"
      R"("groupKey":"{}/{severity=\"page\"}:{service=\"api\"}","truncatedAlerts":0})"
      "\n";
  EXPECT_EQ(webhook_payload(api_group()), expected);
}

// Captured from prometheus-alertmanager 0.25 (Debian 12) posting to a webhook receiver after the
// same alert was pushed to its /api/v2/alerts; fingerprint included, so it is checked too.
TEST(WebhookPayload, EqualsTheBytesAlertmanagerSends) {
  const std::string captured =
      R"({"receiver":"hook","status":"firing","alerts":[{"status":"firing","labels":)"
      R"({"alertname":"HighErrorRate","service":"api","severity":"page"},"annotations":)"
      R"({"runbook_url":"http://runbooks/api","summary":"5xx \u003e 2% \u003capi\u003e"},)"
      R"("startsAt":"2026-11-23T08:55:00.25Z","endsAt":"0001-01-01T00:00:00Z",)"
      R"("generatorURL":"http://sloe.example/slo/api-availability","fingerprint":"da52de658495863f"}],)"
      R"("groupLabels":{"service":"api"},"commonLabels":{"alertname":"HighErrorRate",)"
      R"("service":"api","severity":"page"},"commonAnnotations":{"runbook_url":"http://runbooks/api",)"
      R"("summary":"5xx \u003e 2% \u003capi\u003e"},"externalURL":"http://vm:39093","version":"4",)"
      R"("groupKey":"{}:{service=\"api\"}","truncatedAlerts":0})"
      "\n";
  alert::GroupNotification n;
  n.receiver = "hook";
  n.group_key = "{}:{service=\"api\"}";
  n.group_labels = {{"service", "api"}};
  n.alerts = {make_alert(kErrorLabels,
                         {{"summary", "5xx > 2% <api>"}, {"runbook_url", "http://runbooks/api"}},
                         kStart - 5min + 250ms)};
  n.at = kStart;
  n.external_url = "http://vm:39093";
  EXPECT_EQ(webhook_payload(n), captured);
}

TEST(WebhookPayload, FingerprintIsSixteenHexDigits) {
  const Json body = Json::parse(webhook_payload(api_group()));
  for (const Json& a : body["alerts"]) {
    const std::string fingerprint = a["fingerprint"];
    EXPECT_EQ(fingerprint.size(), 16u);
    EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  }
}

TEST(WebhookPayload, MaxAlertsKeepsTheFirstAndCountsTheRest) {
  alert::GroupNotification n = api_group();
  // Put the resolved alert first: the kept set alone decides status and common labels.
  std::swap(n.alerts[0], n.alerts[1]);
  n.alerts.push_back(make_alert({{"alertname", "Third"}, {"service", "api"}}, {}, kStart - 2min));
  const Json body = Json::parse(webhook_payload(n, 1));
  ASSERT_EQ(body["alerts"].size(), 1u);
  EXPECT_EQ(body["alerts"][0]["labels"]["alertname"], "HighLatency");
  EXPECT_EQ(body["truncatedAlerts"], 2);
  EXPECT_EQ(body["status"], "resolved");
  EXPECT_EQ(body["commonLabels"]["alertname"], "HighLatency");

  const Json all = Json::parse(webhook_payload(n, 0));
  EXPECT_EQ(all["alerts"].size(), 3u);
  EXPECT_EQ(all["truncatedAlerts"], 0);
  EXPECT_EQ(all["status"], "firing");
}

TEST(WebhookPayload, InvalidUtf8BecomesReplacementCharacter) {
  alert::GroupNotification n = api_group();
  n.alerts[0].annotations["summary"] = "bad \xff byte";
  const std::string body = webhook_payload(n);
  EXPECT_THAT(body, HasSubstr("bad \xef\xbf\xbd byte"));
  EXPECT_TRUE(Json::accept(body));
}

TEST(GoJsonTime, DropsTrailingZerosOfTheFraction) {
  EXPECT_EQ(go_json_time(kStart), "2026-11-23T09:00:00Z");
  EXPECT_EQ(go_json_time(kStart + 250ms), "2026-11-23T09:00:00.25Z");
  EXPECT_EQ(go_json_time(kStart + 1ns), "2026-11-23T09:00:00.000000001Z");
  EXPECT_EQ(go_json_time(kStart + 120us), "2026-11-23T09:00:00.00012Z");
}

TEST(VisibleAlerts, WithoutSendResolvedOnlyFiringAlertsAreSent) {
  const auto all = visible_alerts(api_group(), true);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->alerts.size(), 2u);
  const auto firing = visible_alerts(api_group(), false);
  ASSERT_TRUE(firing.has_value());
  ASSERT_EQ(firing->alerts.size(), 1u);
  EXPECT_EQ(firing->alerts[0].labels.at("alertname"), "HighErrorRate");

  alert::GroupNotification resolved = api_group();
  resolved.alerts.erase(resolved.alerts.begin());
  EXPECT_FALSE(visible_alerts(resolved, false).has_value());
  EXPECT_TRUE(visible_alerts(resolved, true).has_value());
}

TEST(NotificationTitle, CountsFiringAlertsAndNamesTheGroup) {
  EXPECT_EQ(notification_title(api_group()), "[FIRING:1] service=api (severity=page)");
  alert::GroupNotification n = api_group();
  n.alerts[1].ends_at.reset();
  EXPECT_EQ(notification_title(n), "[FIRING:2] service=api (severity=page)");
  n.at = kStart + 1h;
  n.alerts[0].ends_at = kStart;
  n.alerts[1].ends_at = kStart;
  EXPECT_EQ(notification_title(n), "[RESOLVED] service=api (severity=page)");
}

TEST(SlackPayload, TitleColourAndOneLinePerAlert) {
  SlackTarget target;
  target.webhook_url = "https://hooks.slack.com/services/T000/B000/SECRET";
  target.channel = "#oncall";
  target.username = "sloe";
  const std::string text = slack_payload(api_group(), target);
  EXPECT_THAT(text, Not(HasSubstr("SECRET")));
  const Json body = Json::parse(text);
  EXPECT_EQ(body["channel"], "#oncall");
  EXPECT_EQ(body["username"], "sloe");
  EXPECT_EQ(body["text"], "[FIRING:1] service=api (severity=page)");
  const Json& attachment = body["attachments"][0];
  EXPECT_EQ(attachment["color"], "danger");
  EXPECT_EQ(attachment["title_link"], "http://sloe.example");
  EXPECT_EQ(attachment["text"],
            "• firing: 5xx &gt; 2% &lt;api&gt; <http://runbooks/api|runbook>\n"
            "• resolved: p99 slow");
}

TEST(SlackPayload, OmitsUnsetOverridesAndLimitsLines) {
  alert::GroupNotification n = api_group();
  n.alerts.clear();
  for (int i = 0; i < 25; ++i)
    n.alerts.push_back(
        make_alert({{"alertname", "A" + std::to_string(i)}, {"service", "api"}}, {}, kStart));
  const Json body = Json::parse(slack_payload(n, SlackTarget{}));
  EXPECT_FALSE(body.contains("channel"));
  EXPECT_FALSE(body.contains("username"));
  const std::string lines = body["attachments"][0]["text"];
  EXPECT_THAT(lines, HasSubstr("• firing: A19"));
  EXPECT_THAT(lines, Not(HasSubstr("A20")));
  EXPECT_THAT(lines, HasSubstr("_and 5 more_"));
}

TEST(SlackPayload, ResolvedGroupIsGreen) {
  alert::GroupNotification n = api_group();
  n.alerts[0].ends_at = kStart - 1s;
  const Json body = Json::parse(slack_payload(n, SlackTarget{}));
  EXPECT_EQ(body["attachments"][0]["color"], "good");
  EXPECT_THAT(std::string(body["text"]), HasSubstr("[RESOLVED]"));
}

TEST(PagerDuty, DedupKeyIsTheSha256OfTheGroupKey) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(pagerduty_dedup_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // What Alertmanager 0.25 sent as dedup_key for this group key.
  EXPECT_EQ(pagerduty_dedup_key("{}:{service=\"api\"}"),
            "9ea848ee7548e4f16aa0ecf2cee84d875f08e02e1ea7b23c71a2ea703001847b");
  EXPECT_NE(pagerduty_dedup_key("{}:{service=\"api\"}"),
            pagerduty_dedup_key("{}:{service=\"web\"}"));
}

TEST(PagerDuty, TriggerEventWithoutRoutingKey) {
  PagerDutyTarget target;
  target.routing_key = "R0UTINGKEY0123456789abcdef012345";
  const std::string text = pagerduty_event(api_group(), target);
  EXPECT_THAT(text, Not(HasSubstr(target.routing_key)));
  const Json event = Json::parse(text);
  EXPECT_FALSE(event.contains("routing_key"));
  EXPECT_EQ(event["event_action"], "trigger");
  EXPECT_EQ(event["dedup_key"], pagerduty_dedup_key(api_group().group_key));
  EXPECT_EQ(event["client"], "sloe");
  EXPECT_EQ(event["client_url"], "http://sloe.example");
  const Json& payload = event["payload"];
  EXPECT_EQ(payload["summary"], "[FIRING:1] service=api (severity=page)");
  EXPECT_EQ(payload["source"], "sloe");
  // "page" is not a PagerDuty severity: the default applies.
  EXPECT_EQ(payload["severity"], "error");
  EXPECT_EQ(payload["timestamp"], "2026-11-23T09:00:00Z");
  EXPECT_EQ(payload["custom_details"]["num_firing"], 1);
  EXPECT_EQ(payload["custom_details"]["num_resolved"], 1);
  EXPECT_THAT(std::string(payload["custom_details"]["firing"]), HasSubstr("5xx > 2% <api>"));
  EXPECT_THAT(std::string(payload["custom_details"]["resolved"]), HasSubstr("p99 slow"));
}

TEST(PagerDuty, SeverityFromTargetThenCommonLabelThenDefault) {
  alert::GroupNotification n = api_group();
  for (alert::Alert& a : n.alerts)
    a.labels["severity"] = "warning";
  PagerDutyTarget target;
  EXPECT_EQ(pagerduty_severity(n, target), "warning");
  target.severity = "critical";
  EXPECT_EQ(pagerduty_severity(n, target), "critical");
  n.alerts[0].labels["severity"] = "info";  // no longer common
  EXPECT_EQ(pagerduty_severity(n, PagerDutyTarget{}), "error");
}

TEST(PagerDuty, SummaryIsCutAt1024Bytes) {
  alert::GroupNotification n = api_group();
  n.group_labels = {{"service", std::string(2000, 'x')}};
  const Json event = Json::parse(pagerduty_event(n, PagerDutyTarget{}));
  const std::string summary = event["payload"]["summary"];
  EXPECT_EQ(summary.size(), 1024u);
  EXPECT_EQ(summary.substr(1021), "...");
}

TEST(PagerDuty, ResolveWhenEveryAlertIsResolved) {
  alert::GroupNotification n = api_group();
  n.alerts[0].ends_at = kStart;
  const Json event = Json::parse(pagerduty_event(n, PagerDutyTarget{}));
  EXPECT_EQ(event["event_action"], "resolve");
  EXPECT_EQ(event["dedup_key"], pagerduty_dedup_key(n.group_key));
}

TEST(PagerDuty, AcknowledgeAndRoutingKeyGoesFirst) {
  const std::string ack = pagerduty_acknowledge_event("{}:{service=\"api\"}");
  auto keyed = with_routing_key(ack, "KEY123");
  ASSERT_TRUE(keyed.ok()) << keyed.error().message;
  EXPECT_EQ(*keyed, R"({"routing_key":"KEY123","event_action":"acknowledge","dedup_key":")" +
                        pagerduty_dedup_key("{}:{service=\"api\"}") + R"("})");
  EXPECT_FALSE(with_routing_key("[1,2]", "KEY").ok());
  EXPECT_FALSE(with_routing_key("{not json", "KEY").ok());
}

}  // namespace
}  // namespace sloe::notify

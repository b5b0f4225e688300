#include "sloe/route/dispatcher.h"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "sloe/route/inhibit.h"

namespace sloe::route {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Monday 2026-11-23 10:00 UTC.
const TimePoint kT0 = date::sys_days{date::year{2026} / 11 / 23} + hours(10);

alert::Alert make_alert(std::string instance, std::string alertname = "HighErrorRate") {
  alert::Alert a;
  a.labels = {
      {"alertname", std::move(alertname)}, {"instance", std::move(instance)}, {"job", "api"}};
  a.annotations = {{"summary", "errors"}};
  a.starts_at = kT0;
  return a;
}

alert::Alert resolved(alert::Alert a, TimePoint at) {
  a.ends_at = at;
  return a;
}

RouteOptions route(std::string receiver = "team-api") {
  RouteOptions r;
  r.receiver = std::move(receiver);
  r.group_by = {"alertname"};
  r.group_wait = seconds(30);
  r.group_interval = minutes(5);
  r.repeat_interval = hours(4);
  r.key = R"({}/{team="api"})";
  return r;
}

std::vector<std::string> instances(const alert::GroupNotification& n) {
  std::vector<std::string> out;
  for (const alert::Alert& a : n.alerts)
    out.push_back(a.labels.at("instance"));
  return out;
}

// Drives a dispatcher from deadline to deadline until `until`, as the dispatch loop would, and
// collects every notification with the time it was produced.
std::vector<alert::GroupNotification> run_until(Dispatcher& d, TimePoint until) {
  std::vector<alert::GroupNotification> sent;
  while (auto deadline = d.next_deadline()) {
    if (*deadline > until)
      break;
    for (auto& n : d.due(*deadline))
      sent.push_back(std::move(n));
  }
  return sent;
}

TEST(GroupKeyTest, FormatsLikeAlertmanager) {
  EXPECT_EQ(group_key(R"({}/{severity="page"})", {{"service", "api"}, {"alertname", "X"}}),
            R"({}/{severity="page"}:{alertname="X", service="api"})");
  EXPECT_EQ(group_key("{}", {}), "{}:{}");
  EXPECT_EQ(group_key("{}", {{"msg", "say \"hi\"\\\n\t\x01"}}),
            R"({}:{msg="say \"hi\"\\\n\t\x01"})");
}

TEST(GroupKeyTest, GroupLabelsLeaveOutMissingLabels) {
  RouteOptions r = route();
  r.group_by = {"alertname", "cluster"};
  const Labels labels{{"alertname", "X"}, {"instance", "1"}};
  EXPECT_EQ(group_labels(labels, r), (Labels{{"alertname", "X"}}));
  r.group_by_all = true;
  EXPECT_EQ(group_labels(labels, r), labels);
  r.group_by_all = false;
  r.group_by = {};
  EXPECT_TRUE(group_labels(labels, r).empty());
}

TEST(DispatcherTest, GroupWaitBatchesAlertsIntoOneNotification) {
  Dispatcher d({}, {}, "http://sloe.example");
  d.ingest(make_alert("b"), {route()}, kT0);
  d.ingest(make_alert("c"), {route()}, kT0 + seconds(10));
  d.ingest(make_alert("a"), {route()}, kT0 + seconds(20));
  EXPECT_EQ(d.group_count(), 1u);
  EXPECT_EQ(d.next_deadline(), kT0 + seconds(30));
  EXPECT_TRUE(d.due(kT0 + seconds(29)).empty());

  const auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  const alert::GroupNotification& n = sent[0];
  EXPECT_EQ(n.receiver, "team-api");
  EXPECT_EQ(n.group_key, R"({}/{team="api"}:{alertname="HighErrorRate"})");
  EXPECT_EQ(n.group_labels, (Labels{{"alertname", "HighErrorRate"}}));
  EXPECT_EQ(n.at, kT0 + seconds(30));
  EXPECT_EQ(n.external_url, "http://sloe.example");
  EXPECT_TRUE(n.firing());
  EXPECT_EQ(instances(n), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(n.alerts[0].annotations.at("summary"), "errors");
  EXPECT_EQ(d.next_deadline(), kT0 + seconds(30) + minutes(5));
}

TEST(DispatcherTest, LaterAlertWaitsForGroupInterval) {
  Dispatcher d({}, {});
  for (const char* i : {"a", "b", "c"})
    d.ingest(make_alert(i), {route()}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  alert::Alert fourth = make_alert("d");
  fourth.starts_at = kT0 + minutes(1);
  d.ingest(fourth, {route()}, kT0 + minutes(1));
  EXPECT_EQ(d.next_deadline(), kT0 + seconds(30) + minutes(5));
  EXPECT_TRUE(d.due(kT0 + minutes(5) + seconds(29)).empty());
  const auto sent = d.due(kT0 + minutes(5) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(instances(sent[0]), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(DispatcherTest, UnchangedGroupRepeatsAfterRepeatInterval) {
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {route()}, kT0);
  const TimePoint first = kT0 + seconds(30);
  ASSERT_EQ(d.due(first).size(), 1u);

  // The source keeps re-sending the same alert; every flush until 4h finds nothing new.
  std::vector<TimePoint> sent_at;
  while (*d.next_deadline() <= first + hours(8) + minutes(1)) {
    const TimePoint t = *d.next_deadline();
    d.ingest(make_alert("a"), {route()}, t - seconds(1));
    for (const auto& n : d.due(t))
      sent_at.push_back(n.at);
  }
  EXPECT_EQ(sent_at, (std::vector<TimePoint>{first + hours(4), first + hours(8)}));
}

TEST(DispatcherTest, IdenticalIngestsDoNotNotifyAgain) {
  Dispatcher d({}, {});
  for (int round = 0; round < 3; ++round)
    d.ingest(make_alert("a"), {route()}, kT0 + seconds(round));
  EXPECT_EQ(run_until(d, kT0 + hours(1)).size(), 1u);
  for (int round = 0; round < 10; ++round)
    d.ingest(make_alert("a"), {route()}, kT0 + hours(1) + minutes(round));
  EXPECT_TRUE(run_until(d, kT0 + hours(2)).empty());
  EXPECT_EQ(d.group_count(), 1u);
}

TEST(DispatcherTest, ResolvedAlertsAreSentOnceThenDropped) {
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {route()}, kT0);
  d.ingest(make_alert("b"), {route()}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  const TimePoint resolve_at = kT0 + minutes(2);
  d.ingest(resolved(make_alert("a"), resolve_at), {route()}, resolve_at);
  auto sent = d.due(kT0 + minutes(5) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(instances(sent[0]), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(sent[0].alerts[0].ends_at, resolve_at);
  EXPECT_EQ(sent[0].alerts[1].ends_at, std::nullopt);
  EXPECT_TRUE(sent[0].firing());

  // The resolved alert is gone; nothing new to say at the next flush.
  ASSERT_EQ(d.groups().size(), 1u);
  EXPECT_EQ(d.groups()[0].alerts.size(), 1u);
  EXPECT_TRUE(d.due(kT0 + minutes(10) + seconds(30)).empty());

  d.ingest(resolved(make_alert("b"), kT0 + minutes(11)), {route()}, kT0 + minutes(11));
  sent = d.due(kT0 + minutes(15) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].firing());
  EXPECT_EQ(instances(sent[0]), (std::vector<std::string>{"b"}));
  EXPECT_EQ(d.group_count(), 0u);
  EXPECT_EQ(d.next_deadline(), std::nullopt);
}

TEST(DispatcherTest, WithoutSendResolvedOnlyTheLastResolutionNotifies) {
  DispatcherHooks hooks;
  hooks.sends_resolved = [](std::string_view receiver) { return receiver != "team-api"; };
  Dispatcher d({}, std::move(hooks));
  d.ingest(make_alert("a"), {route()}, kT0);
  d.ingest(make_alert("b"), {route()}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  d.ingest(resolved(make_alert("a"), kT0 + minutes(1)), {route()}, kT0 + minutes(1));
  EXPECT_TRUE(d.due(kT0 + minutes(5) + seconds(30)).empty());
  d.ingest(resolved(make_alert("b"), kT0 + minutes(6)), {route()}, kT0 + minutes(6));
  const auto sent = d.due(kT0 + minutes(10) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].firing());
}

TEST(DispatcherTest, AlertExpiresWhenItsEndsAtPasses) {
  Dispatcher d({}, {});
  alert::Alert a = make_alert("a");
  a.ends_at = kT0 + minutes(3);  // Prometheus-style expected end, refreshed while firing
  d.ingest(a, {route()}, kT0);
  auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].firing());
  EXPECT_EQ(sent[0].alerts[0].ends_at, std::nullopt);  // not yet resolved: reported as open

  sent = d.due(kT0 + minutes(5) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].firing());
  EXPECT_EQ(sent[0].alerts[0].ends_at, kT0 + minutes(3));
  EXPECT_EQ(d.group_count(), 0u);
}

TEST(DispatcherTest, GroupOfOnlyResolvedAlertsSendsNothing) {
  Dispatcher d({}, {});
  d.ingest(resolved(make_alert("a"), kT0), {route()}, kT0);
  EXPECT_EQ(d.group_count(), 1u);
  EXPECT_TRUE(run_until(d, kT0 + hours(1)).empty());
  EXPECT_EQ(d.group_count(), 0u);
}

TEST(DispatcherTest, FiringAgainAfterResolutionNotifiesAgain) {
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {route()}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);
  d.ingest(resolved(make_alert("a"), kT0 + minutes(1)), {route()}, kT0 + minutes(1));
  ASSERT_EQ(d.due(kT0 + minutes(5) + seconds(30)).size(), 1u);
  ASSERT_EQ(d.group_count(), 0u);

  alert::Alert again = make_alert("a");
  again.starts_at = kT0 + minutes(20);
  d.ingest(again, {route()}, kT0 + minutes(20));
  const auto sent = run_until(d, kT0 + hours(1));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at, kT0 + minutes(20) + seconds(30));
  EXPECT_TRUE(sent[0].firing());
}

TEST(DispatcherTest, OldAlertFlushesANewGroupAtOnce) {
  Dispatcher d({}, {});
  alert::Alert old = make_alert("a");
  old.starts_at = kT0 - hours(1);
  d.ingest(old, {route()}, kT0);
  EXPECT_EQ(d.next_deadline(), kT0);
  EXPECT_EQ(d.due(kT0).size(), 1u);
  EXPECT_EQ(d.next_deadline(), kT0 + minutes(5));
}

TEST(DispatcherTest, GroupByAllMakesOneGroupPerLabelSet) {
  RouteOptions r = route();
  r.group_by_all = true;
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {r}, kT0);
  d.ingest(make_alert("b"), {r}, kT0);
  d.ingest(make_alert("a"), {r}, kT0 + seconds(1));
  EXPECT_EQ(d.group_count(), 2u);
  const auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].group_labels, make_alert("a").labels);
  EXPECT_EQ(sent[0].group_key,
            R"({}/{team="api"}:{alertname="HighErrorRate", instance="a", job="api"})");
  EXPECT_EQ(sent[1].group_labels, make_alert("b").labels);
}

TEST(DispatcherTest, SilencedAndInhibitedAlertsAreLeftOut) {
  std::set<std::string> silenced_instances{"b"};
  Inhibitor inhibitor({InhibitRule{alert::parse_matchers(R"(alertname="NodeDown")").value(),
                                   alert::parse_matchers(R"(alertname="HighErrorRate")").value(),
                                   {"instance"}}});
  DispatcherHooks hooks;
  hooks.is_silenced = [&](const Labels& labels, TimePoint) {
    return silenced_instances.count(labels.at("instance")) != 0;
  };
  hooks.is_inhibited = [&](const Labels& labels, TimePoint now) {
    return inhibitor.is_inhibited(labels, now);
  };
  Dispatcher d({}, std::move(hooks));
  inhibitor.update(make_alert("c", "NodeDown"));
  for (const char* i : {"a", "b", "c"})
    d.ingest(make_alert(i), {route()}, kT0);

  auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(instances(sent[0]), (std::vector<std::string>{"a"}));

  // The silence ends: b is news at the next flush; c stays inhibited.
  silenced_instances.clear();
  sent = d.due(kT0 + minutes(5) + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(instances(sent[0]), (std::vector<std::string>{"a", "b"}));
}

TEST(DispatcherTest, FullyMutedGroupSendsNothingUntilUnmuted) {
  bool silenced = true;
  DispatcherHooks hooks;
  hooks.is_silenced = [&](const Labels&, TimePoint) { return silenced; };
  Dispatcher d({}, std::move(hooks));
  d.ingest(make_alert("a"), {route()}, kT0);
  EXPECT_TRUE(run_until(d, kT0 + hours(1)).empty());
  EXPECT_EQ(d.group_count(), 1u);
  silenced = false;
  const auto sent = run_until(d, kT0 + hours(1) + minutes(5));
  ASSERT_EQ(sent.size(), 1u);
}

TimeIntervals intervals_with(std::string name, TimeIntervalSpec spec) {
  TimeIntervals intervals;
  EXPECT_TRUE(intervals.add(TimeInterval::create(std::move(name), {std::move(spec)}).value()).ok());
  return intervals;
}

TEST(DispatcherTest, MuteTimeIntervalHoldsNotificationsUntilItEnds) {
  TimeIntervalSpec until_noon;
  until_noon.times = {make_time_of_day_range("00:00", "12:00").value()};
  RouteOptions r = route();
  r.mute_time_intervals = {"mornings"};
  Dispatcher d(intervals_with("mornings", until_noon), {});
  d.ingest(make_alert("a"), {r}, kT0);  // 10:00

  const auto sent = run_until(d, kT0 + hours(3));
  ASSERT_EQ(sent.size(), 1u);
  const TimePoint noon = kT0 + hours(2);
  EXPECT_GE(sent[0].at, noon);
  EXPECT_LT(sent[0].at, noon + r.group_interval);
}

TEST(DispatcherTest, ActiveTimeIntervalIsTheOnlyTimeToNotify) {
  TimeIntervalSpec afternoons;
  afternoons.times = {make_time_of_day_range("14:00", "18:00").value()};
  RouteOptions r = route();
  r.active_time_intervals = {"afternoons"};
  Dispatcher d(intervals_with("afternoons", afternoons), {});
  d.ingest(make_alert("a"), {r}, kT0);  // 10:00

  const auto sent = run_until(d, kT0 + hours(5));
  ASSERT_EQ(sent.size(), 1u);
  const TimePoint two_pm = kT0 + hours(4);
  EXPECT_GE(sent[0].at, two_pm);
  EXPECT_LT(sent[0].at, two_pm + r.group_interval);
}

TEST(DispatcherTest, AlertResolvedDuringMuteIsDroppedSilently) {
  TimeIntervalSpec from_eleven;
  from_eleven.times = {make_time_of_day_range("11:00", "12:00").value()};
  RouteOptions r = route();
  r.mute_time_intervals = {"maintenance"};
  Dispatcher d(intervals_with("maintenance", from_eleven), {});
  d.ingest(make_alert("a"), {r}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  const TimePoint during = kT0 + hours(1) + minutes(10);
  d.ingest(resolved(make_alert("a"), during), {r}, during);
  EXPECT_TRUE(run_until(d, kT0 + hours(3)).empty());  // as Alertmanager: no resolved notice
  EXPECT_EQ(d.group_count(), 0u);
}

TEST(DispatcherTest, EachMatchedRouteGetsItsOwnGroup) {
  RouteOptions db = route("team-db");
  db.key = R"({}/{team="db"})";
  RouteOptions pager = route("pager");
  pager.key = R"({}/{severity="page"})";
  pager.group_by = {};
  pager.group_wait = seconds(10);
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {db, pager}, kT0);
  EXPECT_EQ(d.group_count(), 2u);

  auto sent = d.due(kT0 + seconds(10));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].receiver, "pager");
  EXPECT_EQ(sent[0].group_key, R"({}/{severity="page"}:{})");
  sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].receiver, "team-db");
}

TEST(DispatcherTest, ResetGroupsKeepsTheNotificationLog) {
  Dispatcher d({}, {});
  d.ingest(make_alert("a"), {route()}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  d.reset_groups();
  EXPECT_EQ(d.group_count(), 0u);
  d.ingest(make_alert("a"), {route()}, kT0 + minutes(2));  // re-ingested after a reload
  EXPECT_EQ(d.next_deadline(), kT0 + minutes(2));          // an old alert: flush at once
  EXPECT_TRUE(d.due(kT0 + minutes(2)).empty());            // the receiver already knows
  d.ingest(make_alert("b"), {route()}, kT0 + minutes(3));
  EXPECT_EQ(d.due(kT0 + minutes(7)).size(), 1u);
}

TEST(DispatcherTest, SimultaneousFlushesComeOutInGroupKeyOrder) {
  Dispatcher d({}, {});
  d.ingest(make_alert("a", "Zeta"), {route()}, kT0);
  d.ingest(make_alert("a", "Alpha"), {route()}, kT0);
  const auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].group_labels.at("alertname"), "Alpha");
  EXPECT_EQ(sent[1].group_labels.at("alertname"), "Zeta");
}

TEST(DispatcherTest, AlertsSortByJobThenInstanceThenLabels) {
  RouteOptions r = route();
  r.group_by = {};
  Dispatcher d({}, {});
  alert::Alert no_job;
  no_job.labels = {{"alertname", "X"}, {"instance", "0"}};
  alert::Alert job_b = make_alert("1");
  job_b.labels["job"] = "b";
  alert::Alert job_a2 = make_alert("2");
  alert::Alert job_a1 = make_alert("1");
  alert::Alert job_a1_more = make_alert("1", "Another");
  // Neither job nor instance, same size: the label name that only one has decides, and the
  // set lacking the first such name (here "a") sorts first, as Prometheus' LabelSet.Before.
  alert::Alert with_a;
  with_a.labels = {{"alertname", "X"}, {"a", "1"}};
  alert::Alert with_b;
  with_b.labels = {{"alertname", "X"}, {"b", "1"}};
  for (const auto& a : {with_a, no_job, job_b, with_b, job_a2, job_a1, job_a1_more})
    d.ingest(a, {r}, kT0);
  const auto sent = d.due(kT0 + seconds(30));
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].alerts.size(), 7u);
  EXPECT_EQ(sent[0].alerts[0].labels, job_a1_more.labels);  // same job/instance: label order
  EXPECT_EQ(sent[0].alerts[1].labels, job_a1.labels);
  EXPECT_EQ(sent[0].alerts[2].labels, job_a2.labels);
  EXPECT_EQ(sent[0].alerts[3].labels, job_b.labels);
  EXPECT_EQ(sent[0].alerts[4].labels, no_job.labels);  // has instance "0"
  EXPECT_EQ(sent[0].alerts[5].labels, with_b.labels);
  EXPECT_EQ(sent[0].alerts[6].labels, with_a.labels);
}

TEST(DispatcherTest, TimeIntervalsCanBeReplaced) {
  RouteOptions r = route();
  r.mute_time_intervals = {"freeze"};
  Dispatcher d({}, {});  // "freeze" unknown: mutes nothing
  d.ingest(make_alert("a"), {r}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  d.set_time_intervals(intervals_with("freeze", TimeIntervalSpec{}));  // always
  d.ingest(make_alert("b"), {r}, kT0 + minutes(1));
  EXPECT_TRUE(run_until(d, kT0 + hours(1)).empty());
  d.set_time_intervals({});
  EXPECT_EQ(run_until(d, kT0 + hours(1) + minutes(5)).size(), 1u);
}

TEST(DispatcherTest, NotificationLogForgetsAfterTwiceTheRepeatInterval) {
  bool silenced = false;
  DispatcherHooks hooks;
  hooks.is_silenced = [&](const Labels&, TimePoint) { return silenced; };
  RouteOptions r = route();
  r.repeat_interval = hours(1);
  Dispatcher d({}, std::move(hooks));
  d.ingest(make_alert("a"), {r}, kT0);
  ASSERT_EQ(d.due(kT0 + seconds(30)).size(), 1u);

  // Silenced for three hours, the group never notifies, so its log entry (kept 2h) expires;
  // the resolution that follows is news to nobody, as in Alertmanager.
  silenced = true;
  EXPECT_TRUE(run_until(d, kT0 + hours(3)).empty());
  silenced = false;
  d.ingest(resolved(make_alert("a"), kT0 + hours(3)), {r}, kT0 + hours(3));
  EXPECT_TRUE(run_until(d, kT0 + hours(4)).empty());
  EXPECT_EQ(d.group_count(), 0u);
}

}  // namespace
}  // namespace sloe::route

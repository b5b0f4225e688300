#include "sloe/app/slo_alerts.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sloe/alert/fingerprint.h"
#include "sloe/sli/event_window.h"
#include "sloe/slo/evaluator.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;

// Drives one SLO through real evaluations: a minute of traffic at a given error ratio per step.
class OneSlo {
 public:
  OneSlo() : events_(30 * 24h) {
    report_.name = "checkout-availability";
    report_.service = "checkout";
    report_.runbook_url = "https://runbooks.example/budget-burn";
    report_.labels = {{"team", "payments"}, {"severity", "must-not-win"}};
    report_.objective = slo::Objective{0.999, 30 * 24h};
  }

  // Records `minutes` of 1,000 events a minute with the given error ratio, then evaluates.
  api::Board run(std::chrono::minutes minutes, double error_ratio) {
    for (int i = 0; i < minutes.count(); ++i) {
      now_ += 1min;
      events_.record(now_, sli::Counts{1000 * (1 - error_ratio), 1000});
    }
    report_.status = slo::evaluate(report_.objective, events_, now_);
    return api::Board{now_, 0, {report_}};
  }
  TimePoint now() const { return now_; }
  void set_runbook_url(std::string url) { report_.runbook_url = std::move(url); }

 private:
  api::SloReport report_;
  sli::EventWindow events_;
  TimePoint now_ = TimePoint{} + 1000 * 24h;
};

const alert::Alert* find_severity(const std::vector<alert::Alert>& alerts,
                                  std::string_view severity) {
  for (const alert::Alert& a : alerts) {
    if (a.labels.at("severity") == severity)
      return &a;
  }
  return nullptr;
}

TEST(SloAlerts, HealthyTrafficRaisesNothing) {
  OneSlo slo;
  SloAlerts alerts("http://sloe.test:9465");
  EXPECT_TRUE(alerts.update(slo.run(3h, 0.0)).empty());
  EXPECT_TRUE(alerts.update(slo.run(1h, 0.0005)).empty());  // burn 0.5: within budget
}

TEST(SloAlerts, FastBurnPagesWithLabelsAnnotationsAndStableIdentity) {
  OneSlo slo;
  SloAlerts alerts("http://sloe.test:9465");
  alerts.update(slo.run(2h, 0.0));
  // 2% errors = burn 20 against a 0.1% budget: above the 14.4 page threshold in 1h and 5m.
  const auto first = alerts.update(slo.run(1h, 0.02));
  const alert::Alert* page = find_severity(first, "page");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->labels.at("alertname"), "ErrorBudgetBurn");
  EXPECT_EQ(page->labels.at("slo"), "checkout-availability");
  EXPECT_EQ(page->labels.at("service"), "checkout");
  EXPECT_EQ(page->labels.at("team"), "payments");
  EXPECT_FALSE(page->ends_at.has_value());
  EXPECT_EQ(page->annotations.at("runbook_url"), "https://runbooks.example/budget-burn");
  EXPECT_EQ(page->annotations.at("slo_url"),
            "http://sloe.test:9465/api/v1/slos/checkout-availability");
  EXPECT_NE(page->annotations.at("conditions").find("page-fast"), std::string::npos);
  EXPECT_NE(page->annotations.at("description").find("threshold 14.4x"), std::string::npos)
      << page->annotations.at("description");
  EXPECT_NE(page->annotations.at("summary").find("checkout-availability (checkout)"),
            std::string::npos)
      << page->annotations.at("summary");

  const TimePoint started = page->starts_at;
  const std::uint64_t identity = page->fingerprint();
  const auto second = alerts.update(slo.run(5min, 0.02));
  const alert::Alert* again = find_severity(second, "page");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->starts_at, started);
  EXPECT_EQ(again->fingerprint(), identity);
}

TEST(SloAlerts, ReservedLabelsBeatTheSlosOwnLabels) {
  OneSlo slo;
  SloAlerts alerts("");
  alerts.update(slo.run(2h, 0.0));
  const auto firing = alerts.update(slo.run(1h, 0.05));
  ASSERT_FALSE(firing.empty());
  for (const alert::Alert& a : firing) {
    EXPECT_TRUE(a.labels.at("severity") == "page" || a.labels.at("severity") == "ticket");
    EXPECT_FALSE(a.annotations.contains("slo_url"));
  }
}

TEST(SloAlerts, RecoveryResolvesOnceThenGoesQuiet) {
  OneSlo slo;
  SloAlerts alerts("");
  alerts.update(slo.run(2h, 0.0));
  const auto firing = alerts.update(slo.run(1h, 0.02));
  ASSERT_NE(find_severity(firing, "page"), nullptr);
  const TimePoint started = find_severity(firing, "page")->starts_at;

  // Clean traffic empties the short windows (5m for page-fast, 30m for page-slow): the page
  // resets within half an hour although the long windows still remember the burn.
  const auto recovered = alerts.update(slo.run(31min, 0.0));
  const alert::Alert* resolved = find_severity(recovered, "page");
  ASSERT_NE(resolved, nullptr);
  ASSERT_TRUE(resolved->ends_at.has_value());
  EXPECT_EQ(*resolved->ends_at, slo.now());
  EXPECT_EQ(resolved->starts_at, started);
  EXPECT_TRUE(resolved->resolved_at(slo.now()));

  EXPECT_EQ(find_severity(alerts.update(slo.run(1min, 0.0)), "page"), nullptr);
}

TEST(SloAlerts, AnSloThatDisappearsResolvesItsAlerts) {
  OneSlo slo;
  SloAlerts alerts("");
  alerts.update(slo.run(2h, 0.0));
  ASSERT_FALSE(alerts.update(slo.run(1h, 0.02)).empty());
  const auto after = alerts.update(api::Board{slo.now() + 1min, 0, {}});
  ASSERT_FALSE(after.empty());
  for (const alert::Alert& a : after)
    EXPECT_TRUE(a.ends_at.has_value());
  EXPECT_TRUE(alerts.update(api::Board{slo.now() + 2min, 0, {}}).empty());
}

runbook::Runbook runbook_matching(std::string name, const std::vector<std::string>& matchers) {
  runbook::Runbook book;
  book.name = std::move(name);
  for (const std::string& text : matchers)
    book.applies_to.matchers.push_back(alert::parse_matcher(text).value());
  return book;
}

TEST(SloAlerts, WithoutItsOwnRunbookUrlAnAlertLinksTheFirstRunbookMatchingItsLabels) {
  OneSlo slo;
  slo.set_runbook_url("");
  std::vector<runbook::Runbook> books;
  books.push_back(runbook_matching("other-alert", {"alertname=\"ProbeDown\""}));
  runbook::Runbook by_service_only;  // applies to incidents of a service, not to alerts
  by_service_only.name = "by-service";
  by_service_only.applies_to.services = {"checkout"};
  books.push_back(by_service_only);
  books.push_back(runbook_matching(
      "slo-fast-burn", {"alertname=\"ErrorBudgetBurn\"", "severity=\"page\"", "team=~\"pay.*\""}));
  books.push_back(runbook_matching("any-budget-burn", {"alertname=\"ErrorBudgetBurn\""}));
  SloAlerts alerts("http://sloe.test:9465", books);
  alerts.update(slo.run(2h, 0.0));
  const auto firing = alerts.update(slo.run(1h, 0.05));
  const alert::Alert* page = find_severity(firing, "page");
  const alert::Alert* ticket = find_severity(firing, "ticket");
  ASSERT_NE(page, nullptr);
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(page->annotations.at("runbook_url"), "http://sloe.test:9465/runbooks/slo-fast-burn");
  EXPECT_EQ(ticket->annotations.at("runbook_url"),
            "http://sloe.test:9465/runbooks/any-budget-burn");

  // The resolved alert carries the same link.
  const auto recovered = alerts.update(slo.run(31min, 0.0));
  const alert::Alert* resolved = find_severity(recovered, "page");
  ASSERT_NE(resolved, nullptr);
  EXPECT_EQ(resolved->annotations.at("runbook_url"),
            "http://sloe.test:9465/runbooks/slo-fast-burn");
}

TEST(SloAlerts, TheSlosOwnRunbookUrlWinsAndNoMatchMeansNoLink) {
  const std::vector<runbook::Runbook> books{
      runbook_matching("any-budget-burn", {"alertname=\"ErrorBudgetBurn\""})};
  {
    OneSlo slo;  // has https://runbooks.example/budget-burn
    SloAlerts alerts("http://sloe.test:9465", books);
    alerts.update(slo.run(2h, 0.0));
    const auto firing = alerts.update(slo.run(1h, 0.05));
    const alert::Alert* page = find_severity(firing, "page");
    ASSERT_NE(page, nullptr);
    EXPECT_EQ(page->annotations.at("runbook_url"), "https://runbooks.example/budget-burn");
  }
  {
    OneSlo slo;
    slo.set_runbook_url("");
    SloAlerts alerts("http://sloe.test:9465",
                     {runbook_matching("probe-down", {"alertname=\"ProbeDown\""})});
    alerts.update(slo.run(2h, 0.0));
    const auto firing = alerts.update(slo.run(1h, 0.05));
    const alert::Alert* page = find_severity(firing, "page");
    ASSERT_NE(page, nullptr);
    EXPECT_FALSE(page->annotations.contains("runbook_url"));
  }
  {
    OneSlo slo;  // without an external URL there is no page to link to
    slo.set_runbook_url("");
    SloAlerts alerts("", books);
    alerts.update(slo.run(2h, 0.0));
    const auto firing = alerts.update(slo.run(1h, 0.05));
    const alert::Alert* page = find_severity(firing, "page");
    ASSERT_NE(page, nullptr);
    EXPECT_FALSE(page->annotations.contains("runbook_url"));
  }
}

}  // namespace
}  // namespace sloe::app

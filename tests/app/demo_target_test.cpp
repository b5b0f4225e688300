#include "sloe/app/demo_target.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace sloe::app {
namespace {

TEST(DemoTarget, HookRecordsAlertmanagerNotifications) {
  SystemClock clock;
  DemoTarget target(clock);
  ASSERT_TRUE(target.start("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", target.port());
  const std::string payload = R"({"version":"4","status":"firing","receiver":"demo-pager",
    "alerts":[{"status":"firing","labels":{"alertname":"ErrorBudgetBurn",
    "slo":"demo-checkout-availability","service":"checkout","severity":"page"}}]})";
  auto ok = client.Post("/hooks/demo-pager", payload, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto bad = client.Post("/hooks/demo-pager", "{\"alerts\":3}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  const auto deliveries = target.take_deliveries();
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].receiver, "demo-pager");
  EXPECT_EQ(deliveries[0].status, "firing");
  ASSERT_EQ(deliveries[0].alerts.size(), 1u);
  EXPECT_EQ(deliveries[0].alerts[0],
            "ErrorBudgetBurn slo=demo-checkout-availability service=checkout severity=page");
  EXPECT_TRUE(target.take_deliveries().empty());
  target.stop();
}

}  // namespace
}  // namespace sloe::app

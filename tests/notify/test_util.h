// Shared pieces of the notify tests: a temp directory, a database with sloe's schema, alerts and
// notifications with readable defaults, and a scripted Sender.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../store/temp_dir.h"
#include "sloe/alert/notification.h"
#include "sloe/notify/sender.h"
#include "sloe/store/database.h"
#include "sloe/store/schema.h"

namespace sloe::notify::testing {

using namespace std::chrono_literals;

inline const TimePoint kStart =
    TimePoint{std::chrono::sys_days{std::chrono::year{2026} / std::chrono::November / 23}} + 9h;

// Notify tests keep their databases in the store tests' temporary folders.
using store::testing::TempDir;

inline std::unique_ptr<store::Database> open_database(const std::string& path) {
  auto opened = store::Database::open(path, store::sloe_migrations());
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

inline alert::Alert make_alert(Labels labels, Labels annotations, TimePoint starts_at,
                               std::optional<TimePoint> ends_at = std::nullopt) {
  alert::Alert a;
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.starts_at = starts_at;
  a.ends_at = ends_at;
  a.generator_url = "http://sloe.example/slo/api-availability";
  return a;
}

// One firing alert of group {service="<service>"} for receiver, notified at `at`.
inline alert::GroupNotification make_notification(
    const std::string& receiver, const std::string& service, TimePoint at,
    const std::string& summary = "error budget burning") {
  alert::GroupNotification n;
  n.receiver = receiver;
  n.group_key = "{}/{severity=\"page\"}:{service=\"" + service + "\"}";
  n.group_labels = {{"service", service}};
  n.alerts = {
      make_alert({{"alertname", "HighErrorRate"}, {"service", service}, {"severity", "page"}},
                 {{"summary", summary}}, at - 5min)};
  n.at = at;
  n.external_url = "http://sloe.example";
  return n;
}

// A Sender that answers from a script (then with `otherwise`) and remembers every request.
class ScriptedSender final : public Sender {
 public:
  SendResult send(const OutboxRequest& request) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (script_.empty())
      return otherwise_;
    SendResult next = script_.front();
    script_.pop_front();
    return next;
  }

  void then(SendResult result) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(result));
  }
  void otherwise(SendResult result) {
    std::lock_guard lock(mutex_);
    otherwise_ = std::move(result);
  }
  std::vector<OutboxRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  static SendResult status(int code, std::string body = "") {
    SendResult result;
    result.status = code;
    result.response_excerpt = std::move(body);
    return result;
  }
  static SendResult refused() {
    SendResult result;
    result.transport_error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    return result;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<SendResult> script_;
  SendResult otherwise_ = status(200);
  std::vector<OutboxRequest> requests_;
};

inline std::string header(const OutboxRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name)
      return value;
  }
  return {};
}

}  // namespace sloe::notify::testing

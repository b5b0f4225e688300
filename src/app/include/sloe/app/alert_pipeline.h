// AlertPipeline: everything between an alert and the people it must reach. Alerts — sloe's own
// burn-rate alerts and those received from Prometheus or Alertmanager — are routed through the
// Alertmanager route tree, grouped and timed by the dispatcher (muting silenced and inhibited
// alerts and respecting time intervals), and every notification a group produces is written to
// the durable outbox (notify::Notifier) for its receiver's integrations. A receiver that names an
// escalation policy also starts an escalation for each firing group: its steps page the people
// on call, each through their own receiver, until someone acknowledges or the group resolves.
//
// Escalations are identified by a 16-hex id derived from (receiver, group key), stable across
// notifications of the same group. Escalation notifications carry two extra annotations on every
// alert: `escalation` ("policy step 1/2, pass 1/2") and `ack_url` (a signed link, valid
// Options::ack_link_validity, that acknowledges this escalation without logging in).
//
// Threads: ingest() and acknowledge() may be called from any thread; start() runs the loop on a
// background thread that wakes at the next group or escalation deadline, when alerts arrive, and
// at least every Options::max_sleep; process() runs one iteration (tests call it with a
// ManualClock). State is guarded by one mutex; notifications are enqueued while holding it, so
// the outbox sees them in the order they were decided.
//
// Not persisted: aggregation groups, the notification log and escalations live in memory. After a
// restart the agent re-ingests the active alerts, so a group notifies again (at least once,
// never lost) and a still-firing page escalation starts over from its first step.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/api/escalations.h"
#include "sloe/config/model.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/notify/notifier.h"
#include "sloe/notify/targets.h"
#include "sloe/oncall/escalation.h"
#include "sloe/route/dispatcher.h"
#include "sloe/route/inhibit.h"

namespace sloe::app {

// Receivers of the route tree as the notifier needs them, with every secret resolved (environment
// variables and files, relative to config_dir). Fails naming the receiver and the secret's source.
Result<std::vector<notify::Receiver>> build_receivers(const config::AlertingConfig& alerting,
                                                      const std::string& config_dir);

// time_intervals of the Alertmanager configuration, ready for the dispatcher.
Result<route::TimeIntervals> build_time_intervals(const config::AlertingConfig& alerting);

// The escalation id of a (receiver, group key): 16 lowercase hex digits.
std::string escalation_id(std::string_view receiver, std::string_view group_key);

using api::EscalationView;

class AlertPipeline final : public api::EscalationService {
 public:
  struct Options {
    std::string external_url;  // base of ack links, e.g. http://sloe.example:9465
    std::string link_key;      // HMAC key for ack links (api/signed_link.h); empty: no ack_url
    std::chrono::hours ack_link_validity{24};
    std::chrono::milliseconds max_sleep{1000};
    // Told about things a person should know (a step found nobody on call, an enqueue failed).
    std::function<void(const std::string&)> warn;
    // Optional observers (e.g. incidents): a group notification was queued in the outbox (called
    // under the pipeline's lock: must not call back into the pipeline), and an escalation was
    // acknowledged, with the group's latest notification (called without the lock).
    std::function<void(const alert::GroupNotification&)> on_enqueued;
    std::function<void(const alert::GroupNotification& latest, const std::string& by, TimePoint at)>
        on_acknowledged;
  };
  using IsSilenced = std::function<bool(const Labels& labels, TimePoint now)>;

  // REQUIRES: config.alerting is set. The notifier (whose registry holds build_receivers()'s
  // result) and the clock outlive the pipeline. is_silenced may be null (nothing is silenced).
  static Result<std::unique_ptr<AlertPipeline>> create(const Clock& clock,
                                                       const config::Config& config,
                                                       notify::Notifier& notifier,
                                                       IsSilenced is_silenced, Options options);
  ~AlertPipeline() override;  // stops the loop
  AlertPipeline(const AlertPipeline&) = delete;
  AlertPipeline& operator=(const AlertPipeline&) = delete;

  // Queues alerts for the next iteration and wakes the loop.
  void ingest(std::vector<alert::Alert> alerts);
  // Runs one iteration at clock.now(): routes queued alerts, sends due group notifications,
  // starts/resolves escalations, and hands out due escalation steps.
  void process();

  // Stops the escalation's further steps. Errors: unknown id, or already acknowledged/resolved.
  Result<EscalationView> acknowledge(std::string_view id, std::string by) override;
  std::vector<EscalationView> escalations() const override;
  std::optional<EscalationView> escalation(std::string_view id) const override;

  // Replaces the on-call configuration (overrides made through the API). Escalations started
  // after this call resolve their schedules in it; one already under way keeps the configuration
  // it started with (oncall::Escalation shares it from its start).
  void set_oncall(std::shared_ptr<const oncall::OncallConfig> oncall);

  // Sets the base of links in notifications (externalURL, ack_url), e.g. once the listening port
  // is known.
  void set_external_url(std::string url);

  void start();
  void stop();  // idempotent; processes what is queued first

 private:
  struct Tracked {
    std::string receiver;
    std::string policy;
    std::string group_key;
    oncall::Escalation escalation;
    alert::GroupNotification latest;  // the group's last notification: what steps page about
    TimePoint started_at{};
    std::string acknowledged_by;
    std::optional<TimePoint> acknowledged_at;
    std::optional<TimePoint> finished_at;  // resolved or exhausted; forgotten a while later
    std::size_t notifications_sent = 0;
  };

  AlertPipeline(const Clock& clock, const config::Config& config, notify::Notifier& notifier,
                route::TimeIntervals time_intervals, std::vector<route::InhibitRule> rules,
                IsSilenced is_silenced, Options options);
  void route_alert(const alert::Alert& alert, TimePoint now);
  void handle_group_notification(const alert::GroupNotification& notification, TimePoint now);
  void run_escalations(TimePoint now);
  void page(const std::string& id, Tracked& tracked, const oncall::Notification& step,
            TimePoint now);
  void enqueue(const alert::GroupNotification& notification);
  std::optional<TimePoint> next_deadline() const;
  EscalationView view(const std::string& id, const Tracked& tracked) const;
  void run();

  const Clock& clock_;
  notify::Notifier& notifier_;
  Options options_;
  route::RouteTree routes_;
  std::map<std::string, std::string, std::less<>> policy_of_receiver_;  // receivers with one
  std::map<std::string, bool, std::less<>> receiver_has_pagerduty_;
  std::map<std::string, bool, std::less<>> sends_resolved_;  // any integration, or a policy
  mutable std::mutex mutex_;  // guards everything below, and the queue
  std::shared_ptr<const oncall::OncallConfig> oncall_;
  route::Inhibitor inhibitor_;
  route::Dispatcher dispatcher_;
  std::map<std::string, Tracked, std::less<>> escalations_;
  std::vector<alert::Alert> queue_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sloe::app

#include "sloe/app/alert_pipeline.h"

#include <algorithm>

#include "sloe/alert/fingerprint.h"
#include "sloe/api/signed_link.h"
#include "sloe/config/loader.h"

namespace sloe::app {
namespace {

// Forgotten this long after they ended, so the API still shows how a page went.
constexpr auto kKeepFinishedEscalations = std::chrono::hours(24);

Result<std::string> resolve(const config::ValueSource& source, const std::string& config_dir,
                            const std::string& what) {
  if (source.literal)
    return *source.literal;
  if (!source.secret)
    return Error{what + " is not set"};
  auto secret = config::resolve_secret(*source.secret, config_dir);
  if (!secret)
    return Error{what + ": " + secret.error().message};
  return secret;
}

std::string_view state_name(oncall::Escalation::State state) {
  switch (state) {
    case oncall::Escalation::State::kActive:
      return "active";
    case oncall::Escalation::State::kAcknowledged:
      return "acknowledged";
    case oncall::Escalation::State::kResolved:
      return "resolved";
    case oncall::Escalation::State::kExhausted:
      return "exhausted";
  }
  return "unknown";
}

}  // namespace

Result<std::vector<notify::Receiver>> build_receivers(const config::AlertingConfig& alerting,
                                                      const std::string& config_dir) {
  std::vector<notify::Receiver> receivers;
  for (const config::ReceiverSpec& spec : alerting.receivers) {
    notify::Receiver receiver;
    receiver.name = spec.name;
    const std::string prefix = "receiver '" + spec.name + "': ";
    for (std::size_t i = 0; i < spec.webhooks.size(); ++i) {
      const config::WebhookSpec& webhook = spec.webhooks[i];
      auto url = resolve(webhook.url, config_dir,
                         prefix + "webhook_configs[" + std::to_string(i) + "].url");
      if (!url)
        return url.error();
      notify::WebhookTarget target;
      target.url = std::move(url).value();
      target.send_resolved = webhook.send_resolved;
      target.max_alerts = static_cast<std::size_t>(std::max(0, webhook.max_alerts));
      receiver.integrations.emplace_back(std::move(target));
    }
    for (std::size_t i = 0; i < spec.slack.size(); ++i) {
      const config::SlackSpec& slack = spec.slack[i];
      auto url = resolve(slack.api_url, config_dir,
                         prefix + "slack_configs[" + std::to_string(i) + "].api_url");
      if (!url)
        return url.error();
      notify::SlackTarget target;
      target.webhook_url = std::move(url).value();
      target.channel = slack.channel;
      target.username = slack.username;
      target.send_resolved = slack.send_resolved;
      receiver.integrations.emplace_back(std::move(target));
    }
    for (std::size_t i = 0; i < spec.pagerduty.size(); ++i) {
      const config::PagerDutySpec& pagerduty = spec.pagerduty[i];
      auto key = resolve(pagerduty.routing_key, config_dir,
                         prefix + "pagerduty_configs[" + std::to_string(i) + "].routing_key");
      if (!key)
        return key.error();
      notify::PagerDutyTarget target;
      target.routing_key = std::move(key).value();
      if (!pagerduty.url.empty())
        target.url = pagerduty.url;
      target.severity = pagerduty.severity;
      target.send_resolved = pagerduty.send_resolved;
      receiver.integrations.emplace_back(std::move(target));
    }
    receivers.push_back(std::move(receiver));
  }
  return receivers;
}

Result<route::TimeIntervals> build_time_intervals(const config::AlertingConfig& alerting) {
  route::TimeIntervals intervals;
  for (const config::NamedTimeIntervalSpec& named : alerting.time_intervals) {
    std::vector<route::TimeIntervalSpec> specs;
    for (const config::TimePeriodSpec& period : named.periods) {
      route::TimeIntervalSpec spec;
      for (const config::TimeOfDaySpec& t : period.times)
        spec.times.push_back(route::TimeOfDayRange{t.start_minute, t.end_minute});
      const auto ranges = [](const std::vector<config::IntRangeSpec>& in) {
        std::vector<route::IntRange> out;
        out.reserve(in.size());
        for (const config::IntRangeSpec& r : in)
          out.push_back(route::IntRange{r.begin, r.end});
        return out;
      };
      spec.weekdays = ranges(period.weekdays);
      spec.days_of_month = ranges(period.days_of_month);
      spec.months = ranges(period.months);
      spec.years = ranges(period.years);
      spec.location = period.location;
      specs.push_back(std::move(spec));
    }
    auto interval = route::TimeInterval::create(named.name, std::move(specs));
    if (!interval)
      return interval.error();
    if (Status added = intervals.add(std::move(interval).value()); !added)
      return added.error();
  }
  return intervals;
}

std::string escalation_id(std::string_view receiver, std::string_view group_key) {
  return alert::fingerprint_hex(
      Labels{{"group_key", std::string(group_key)}, {"receiver", std::string(receiver)}});
}

Result<std::unique_ptr<AlertPipeline>> AlertPipeline::create(const Clock& clock,
                                                             const config::Config& config,
                                                             notify::Notifier& notifier,
                                                             IsSilenced is_silenced,
                                                             Options options) {
  if (!config.alerting)
    return Error{"no Alertmanager configuration (alerts/ with a top-level route:)"};
  auto intervals = build_time_intervals(*config.alerting);
  if (!intervals)
    return intervals.error();
  std::vector<route::InhibitRule> rules;
  for (const config::InhibitRuleSpec& spec : config.alerting->inhibit_rules)
    rules.push_back(route::InhibitRule{spec.source_matchers, spec.target_matchers, spec.equal});
  return std::unique_ptr<AlertPipeline>(
      new AlertPipeline(clock, config, notifier, std::move(intervals).value(), std::move(rules),
                        std::move(is_silenced), std::move(options)));
}

AlertPipeline::AlertPipeline(const Clock& clock, const config::Config& config,
                             notify::Notifier& notifier, route::TimeIntervals time_intervals,
                             std::vector<route::InhibitRule> rules, IsSilenced is_silenced,
                             Options options)
    : clock_(clock),
      notifier_(notifier),
      options_(std::move(options)),
      routes_(config.alerting->routes),
      oncall_(std::make_shared<const oncall::OncallConfig>(
          config.oncall.value_or(oncall::OncallConfig{}))),
      inhibitor_(std::move(rules)),
      dispatcher_(std::move(time_intervals),
                  route::DispatcherHooks{
                      .is_silenced = is_silenced ? std::move(is_silenced)
                                                 : [](const Labels&, TimePoint) { return false; },
                      .is_inhibited =
                          [this](const Labels& labels, TimePoint now) {
                            return inhibitor_.is_inhibited(labels, now);
                          },
                      .sends_resolved =
                          [this](std::string_view receiver) {
                            const auto found = sends_resolved_.find(receiver);
                            return found != sends_resolved_.end() && found->second;
                          }},
                  options_.external_url) {
  for (const oncall::EscalationPolicy& policy : oncall_->escalation_policies) {
    for (const std::string& receiver : policy.attach_to_receivers)
      policy_of_receiver_[receiver] = policy.name;
  }
  for (const config::ReceiverSpec& receiver : config.alerting->receivers) {
    if (!receiver.escalation_policy.empty())
      policy_of_receiver_[receiver.name] = receiver.escalation_policy;
    const bool escalates = policy_of_receiver_.contains(receiver.name);
    receiver_has_pagerduty_[receiver.name] = !receiver.pagerduty.empty();
    bool any = false;
    for (const auto& w : receiver.webhooks)
      any = any || w.send_resolved;
    for (const auto& s : receiver.slack)
      any = any || s.send_resolved;
    for (const auto& p : receiver.pagerduty)
      any = any || p.send_resolved;
    // A receiver with an escalation policy needs resolved notices to end its escalations.
    sends_resolved_[receiver.name] = any || escalates;
  }
}

AlertPipeline::~AlertPipeline() {
  stop();
}

void AlertPipeline::ingest(std::vector<alert::Alert> alerts) {
  if (alerts.empty())
    return;
  {
    const std::lock_guard lock(mutex_);
    for (alert::Alert& a : alerts)
      queue_.push_back(std::move(a));
  }
  wake_.notify_one();
}

void AlertPipeline::route_alert(const alert::Alert& alert, TimePoint now) {
  inhibitor_.update(alert);
  std::vector<route::RouteOptions> options;
  for (const route::Route* matched : routes_.match(alert.labels))
    options.push_back(matched->options());
  dispatcher_.ingest(alert, options, now);
}

void AlertPipeline::enqueue(const alert::GroupNotification& notification) {
  auto queued = notifier_.enqueue(notification);
  if (!queued && options_.warn) {
    options_.warn("notification for receiver '" + notification.receiver +
                  "' not queued: " + queued.error().message);
  }
  if (queued && options_.on_enqueued)
    options_.on_enqueued(notification);
}

void AlertPipeline::set_oncall(std::shared_ptr<const oncall::OncallConfig> oncall) {
  const std::lock_guard lock(mutex_);
  oncall_ = std::move(oncall);
}

void AlertPipeline::set_external_url(std::string url) {
  const std::lock_guard lock(mutex_);
  options_.external_url = std::move(url);
}

void AlertPipeline::handle_group_notification(const alert::GroupNotification& due, TimePoint now) {
  alert::GroupNotification notification = due;
  notification.external_url = options_.external_url;
  enqueue(notification);
  const auto policy = policy_of_receiver_.find(notification.receiver);
  if (policy == policy_of_receiver_.end())
    return;
  const std::string id = escalation_id(notification.receiver, notification.group_key);
  auto tracked = escalations_.find(id);
  if (!notification.firing()) {
    if (tracked != escalations_.end() && !tracked->second.finished_at) {
      (void)tracked->second.escalation.resolve(now);
      tracked->second.finished_at = now;
      tracked->second.latest = notification;
    }
    return;
  }
  // A firing group keeps its escalation (acknowledged or not) until it resolves; a group that
  // fires again after resolving starts over.
  if (tracked != escalations_.end() &&
      tracked->second.escalation.state() != oncall::Escalation::State::kResolved) {
    tracked->second.latest = notification;
    return;
  }
  auto started = oncall::Escalation::start(oncall_, policy->second, now);
  if (!started) {
    if (options_.warn)
      options_.warn("escalation for receiver '" + notification.receiver +
                    "' not started: " + started.error().message);
    return;
  }
  escalations_.insert_or_assign(id, Tracked{notification.receiver,
                                            policy->second,
                                            notification.group_key,
                                            std::move(started).value(),
                                            notification,
                                            now,
                                            {},
                                            std::nullopt,
                                            std::nullopt,
                                            0});
}

void AlertPipeline::page(const std::string& id, Tracked& tracked, const oncall::Notification& step,
                         TimePoint now) {
  const oncall::EscalationPolicy* policy = oncall_->find_policy(tracked.policy);
  const std::size_t steps = policy != nullptr ? policy->steps.size() : 0;
  const int passes = policy != nullptr ? policy->repeat + 1 : 1;
  std::string ack_url;
  if (!options_.link_key.empty() && !options_.external_url.empty()) {
    ack_url =
        options_.external_url + "/api/v1/ack?" +
        api::sign_link(options_.link_key, "ack", id, now + options_.ack_link_validity).query();
  }
  std::string where = tracked.policy;
  where += " step " + std::to_string(step.step + 1) + "/" + std::to_string(steps);
  where += ", pass " + std::to_string(step.pass + 1) + "/" + std::to_string(passes);
  for (const std::string& schedule : step.empty_schedules) {
    if (options_.warn)
      options_.warn("escalation " + id + " (" + where + "): schedule '" + schedule +
                    "' has nobody on call; nobody paged for it");
  }
  for (const std::string& receiver : oncall::receivers_to_notify(*oncall_, step)) {
    alert::GroupNotification paged = tracked.latest;
    paged.receiver = receiver;
    paged.at = step.due;
    for (alert::Alert& a : paged.alerts) {
      a.annotations["escalation"] = where;
      if (!ack_url.empty())
        a.annotations["ack_url"] = ack_url;
    }
    enqueue(paged);
    ++tracked.notifications_sent;
  }
}

void AlertPipeline::run_escalations(TimePoint now) {
  for (auto it = escalations_.begin(); it != escalations_.end();) {
    Tracked& tracked = it->second;
    for (const oncall::Notification& step : tracked.escalation.due(now))
      page(it->first, tracked, step, now);
    if (!tracked.finished_at &&
        tracked.escalation.state() == oncall::Escalation::State::kExhausted) {
      tracked.finished_at = now;
    }
    const bool forgotten =
        tracked.finished_at && now - *tracked.finished_at > kKeepFinishedEscalations;
    it = forgotten ? escalations_.erase(it) : std::next(it);
  }
}

void AlertPipeline::process() {
  const std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  std::vector<alert::Alert> queued = std::exchange(queue_, {});
  for (const alert::Alert& a : queued)
    route_alert(a, now);
  for (const alert::GroupNotification& notification : dispatcher_.due(now))
    handle_group_notification(notification, now);
  run_escalations(now);
  inhibitor_.collect_garbage(now);
}

std::optional<TimePoint> AlertPipeline::next_deadline() const {
  std::optional<TimePoint> next = dispatcher_.next_deadline();
  for (const auto& [id, tracked] : escalations_) {
    const auto due = tracked.escalation.next_deadline();
    if (due && (!next || *due < *next))
      next = due;
  }
  return next;
}

EscalationView AlertPipeline::view(const std::string& id, const Tracked& tracked) const {
  EscalationView v;
  v.id = id;
  v.receiver = tracked.receiver;
  v.policy = tracked.policy;
  v.group_key = tracked.group_key;
  v.state = std::string(state_name(tracked.escalation.state()));
  v.started_at = tracked.started_at;
  v.next_step_at = tracked.escalation.next_deadline();
  v.acknowledged_by = tracked.acknowledged_by;
  v.acknowledged_at = tracked.acknowledged_at;
  v.notifications_sent = tracked.notifications_sent;
  return v;
}

Result<EscalationView> AlertPipeline::acknowledge(std::string_view id, std::string by) {
  std::string receiver;
  std::string group_key;
  EscalationView acknowledged;
  alert::GroupNotification latest;
  TimePoint acknowledged_at;
  {
    const std::lock_guard lock(mutex_);
    const auto found = escalations_.find(id);
    if (found == escalations_.end())
      return Error{"no escalation with id '" + std::string(id) + "'"};
    Tracked& tracked = found->second;
    const TimePoint now = clock_.now();
    if (Status status = tracked.escalation.acknowledge(by, now); !status)
      return status.error();
    tracked.acknowledged_by = std::move(by);
    tracked.acknowledged_at = now;
    latest = tracked.latest;
    acknowledged_at = now;
    receiver = tracked.receiver;
    group_key = tracked.group_key;
    acknowledged = view(found->first, tracked);
  }
  if (options_.on_acknowledged)
    options_.on_acknowledged(latest, acknowledged.acknowledged_by, acknowledged_at);
  // PagerDuty learns of the acknowledgement too, so its incident stops paging.
  if (const auto pd = receiver_has_pagerduty_.find(receiver);
      pd != receiver_has_pagerduty_.end() && pd->second) {
    auto queued = notifier_.enqueue_acknowledge(receiver, group_key, clock_.now());
    if (!queued && options_.warn)
      options_.warn("PagerDuty acknowledge for '" + receiver +
                    "' not queued: " + queued.error().message);
  }
  return acknowledged;
}

std::vector<EscalationView> AlertPipeline::escalations() const {
  const std::lock_guard lock(mutex_);
  std::vector<EscalationView> out;
  for (const auto& [id, tracked] : escalations_)
    out.push_back(view(id, tracked));
  std::sort(out.begin(), out.end(), [](const EscalationView& a, const EscalationView& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : a.id < b.id;
  });
  return out;
}

std::optional<EscalationView> AlertPipeline::escalation(std::string_view id) const {
  const std::lock_guard lock(mutex_);
  const auto found = escalations_.find(id);
  if (found == escalations_.end())
    return std::nullopt;
  return view(found->first, found->second);
}

void AlertPipeline::run() {
  while (true) {
    process();
    std::unique_lock lock(mutex_);
    if (stopping_)
      return;
    auto sleep = options_.max_sleep;
    if (const auto next = next_deadline()) {
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now());
      sleep = std::clamp(until, std::chrono::milliseconds(0), sleep);
    }
    wake_.wait_for(lock, sleep, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_ && queue_.empty())
      return;
  }
}

void AlertPipeline::start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable())
    return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void AlertPipeline::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (!thread_.joinable())
      return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  process();
}

}  // namespace sloe::app

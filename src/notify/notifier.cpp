#include "sloe/notify/notifier.h"

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <utility>
#include <variant>

#include "sloe/notify/payload.h"

namespace sloe::notify {
namespace {

constexpr auto kPruneEvery = std::chrono::hours(1);
constexpr std::string_view kJson = "application/json";

// A request with its secrets filled in, and the secrets themselves so errors can be scrubbed.
struct Resolved {
  OutboxRequest request;
  std::vector<std::string> secrets;
};

Result<Resolved> resolve(const OutboxEntry& row, const Integration& integration) {
  Resolved resolved;
  OutboxRequest& request = resolved.request;
  request.idempotency_key = row.idempotency_key;
  request.headers.emplace_back("Content-Type", std::string(kJson));
  request.headers.emplace_back("Idempotency-Key", row.idempotency_key);
  if (const auto* webhook = std::get_if<WebhookTarget>(&integration)) {
    request.url = webhook->url;
    request.body = row.body;
    resolved.secrets.push_back(webhook->url);
    for (const auto& header : webhook->headers) {
      request.headers.push_back(header);
      resolved.secrets.push_back(header.second);
    }
  } else if (const auto* slack = std::get_if<SlackTarget>(&integration)) {
    request.url = slack->webhook_url;
    request.body = row.body;
    resolved.secrets.push_back(slack->webhook_url);
  } else {
    const auto& pagerduty = std::get<PagerDutyTarget>(integration);
    request.url = pagerduty.url;
    auto body = with_routing_key(row.body, pagerduty.routing_key);
    if (!body.ok())
      return body.error();
    request.body = std::move(*body);
    resolved.secrets.push_back(pagerduty.routing_key);
  }
  return resolved;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 3)
      continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<redacted>");
    }
  }
  return text;
}

std::string describe(const OutboxEntry& row) {
  return "receiver '" + row.receiver + "' " + std::string(to_string(row.kind)) + " #" +
         std::to_string(row.integration_index) + " (outbox row " + std::to_string(row.id) +
         ", group " + row.group_key + ")";
}

std::string seconds_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

std::function<double()> default_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

Notifier::Notifier(Outbox& outbox, const ReceiverRegistry& registry, Sender& sender,
                   const Clock& clock, NotifierOptions options)
    : outbox_(outbox),
      registry_(registry),
      sender_(sender),
      clock_(clock),
      options_(std::move(options)) {
  if (!options_.random)
    options_.random = default_random();
}

Notifier::~Notifier() {
  stop();
}

void Notifier::finished(const OutboxEntry& row, bool delivered, const std::string& reason,
                        TimePoint at) const {
  if (options_.on_finished)
    options_.on_finished(row, delivered, reason, at);
}

void Notifier::log(LogLevel level, const std::string& message) const {
  if (options_.log)
    options_.log(level, message);
}

Result<EnqueueResult> Notifier::enqueue(const alert::GroupNotification& notification) {
  const auto receiver = registry_.find(notification.receiver);
  if (!receiver)
    return Error{"unknown receiver '" + notification.receiver + "'"};
  auto result = outbox_.enqueue(notification, *receiver, clock_.now());
  if (result.ok() && result->inserted > 0)
    wake();
  return result;
}

Result<EnqueueResult> Notifier::enqueue_acknowledge(std::string_view receiver_name,
                                                    std::string_view group_key, TimePoint at) {
  const auto receiver = registry_.find(receiver_name);
  if (!receiver)
    return Error{"unknown receiver '" + std::string(receiver_name) + "'"};
  auto result = outbox_.enqueue_acknowledge(*receiver, group_key, at, clock_.now());
  if (result.ok() && result->inserted > 0)
    wake();
  return result;
}

Result<DrainReport> Notifier::drain_once(TimePoint now) {
  std::lock_guard drain_lock(drain_mutex_);
  DrainReport report;
  std::set<std::int64_t> attempted;
  // Integrations that failed in this drain, with the failed row's next attempt.
  std::map<std::pair<std::string, std::size_t>, TimePoint> backing_off;

  const auto count = [this](const std::string& receiver, auto member) {
    std::lock_guard lock(stats_mutex_);
    ++(stats_.receivers[receiver].*member);
  };

  bool progress = true;
  while (progress) {
    progress = false;
    auto due = outbox_.due(now);
    if (!due.ok())
      return due.error();
    for (const OutboxEntry& row : *due) {
      if (!attempted.insert(row.id).second)
        continue;
      const auto receiver = registry_.find(row.receiver);
      const Integration* integration = nullptr;
      if (receiver && row.integration_index < receiver->integrations.size() &&
          kind_of(receiver->integrations[row.integration_index]) == row.kind) {
        integration = &receiver->integrations[row.integration_index];
      }
      if (integration == nullptr) {
        const std::string reason = "the receiver no longer has this integration";
        if (Status s = outbox_.mark_failed(row.id, row.attempts, now, reason); !s.ok())
          return s.error();
        log(LogLevel::kError, "notification dropped for " + describe(row) + ": " + reason);
        finished(row, false, reason, now);
        count(row.receiver, &ReceiverCounters::failed);
        ++report.failed;
        progress = true;
        continue;
      }

      const auto stream = std::make_pair(row.receiver, row.integration_index);
      if (const auto found = backing_off.find(stream); found != backing_off.end()) {
        if (Status s = outbox_.postpone(row.id, found->second); !s.ok())
          return s.error();
        continue;
      }

      auto bucket = buckets_.find(row.receiver);
      if (bucket == buckets_.end())
        bucket = buckets_.emplace(row.receiver, TokenBucket(receiver->rate_limit, now)).first;
      bucket->second.set_limit(receiver->rate_limit);
      if (!bucket->second.try_take(now)) {
        if (Status s = outbox_.postpone(row.id, bucket->second.next_token_at(now)); !s.ok())
          return s.error();
        count(row.receiver, &ReceiverCounters::deferred);
        ++report.deferred;
        continue;
      }

      const int attempts = row.attempts + 1;
      auto resolved = resolve(row, *integration);
      if (!resolved.ok()) {
        if (Status s = outbox_.mark_failed(row.id, attempts, now, resolved.error().message);
            !s.ok())
          return s.error();
        log(LogLevel::kError,
            "notification failed for " + describe(row) + ": " + resolved.error().message);
        finished(row, false, resolved.error().message, now);
        count(row.receiver, &ReceiverCounters::failed);
        ++report.failed;
        progress = true;
        continue;
      }

      const SendResult result = sender_.send(resolved->request);
      Verdict verdict = judge(result);
      verdict.reason = redact(std::move(verdict.reason), resolved->secrets);
      const TimePoint deadline = row.created_at + options_.retry.max_age;

      if (verdict.outcome == Outcome::kDelivered) {
        if (Status s = outbox_.mark_sent(row.id, attempts, now); !s.ok())
          return s.error();
        finished(row, true, "", now);
        count(row.receiver, &ReceiverCounters::sent);
        ++report.sent;
        progress = true;
      } else if (verdict.outcome == Outcome::kPermanent || now >= deadline) {
        const std::string reason = verdict.outcome == Outcome::kPermanent
                                       ? verdict.reason
                                       : "gave up after " + seconds_text(now - row.created_at) +
                                             " and " + std::to_string(attempts) +
                                             " attempts; last error: " + verdict.reason;
        if (Status s = outbox_.mark_failed(row.id, attempts, now, reason); !s.ok())
          return s.error();
        log(LogLevel::kError, "notification failed for " + describe(row) + ": " + reason);
        finished(row, false, reason, now);
        count(row.receiver, &ReceiverCounters::failed);
        ++report.failed;
        progress = true;
      } else {
        Duration delay = backoff_delay(options_.retry, attempts, options_.random());
        if (result.retry_after)
          delay = std::min<Duration>(*result.retry_after, options_.retry.max_retry_after);
        const TimePoint next = std::min(now + delay, deadline);
        if (Status s = outbox_.mark_retry(row.id, attempts, next, verdict.reason); !s.ok())
          return s.error();
        log(LogLevel::kWarning, "notification to " + describe(row) + " will be retried in " +
                                    seconds_text(next - now) + " (attempt " +
                                    std::to_string(attempts) + "): " + verdict.reason);
        backing_off[stream] = next;
        count(row.receiver, &ReceiverCounters::retried);
        ++report.retried;
      }
    }
  }

  auto next = outbox_.next_attempt();
  if (!next.ok())
    return next.error();
  report.next_wake = *next;

  if (!last_prune_ || now - *last_prune_ >= kPruneEvery) {
    auto pruned = outbox_.prune(now - options_.retention);
    if (!pruned.ok())
      return pruned.error();
    last_prune_ = now;
  }

  auto depth = outbox_.depth();
  if (!depth.ok())
    return depth.error();
  std::lock_guard lock(stats_mutex_);
  stats_.outbox_depth = depth->pending;
  stats_.oldest_pending_age =
      depth->oldest_pending_created_at
          ? std::max(Duration{0}, Duration{now - *depth->oldest_pending_created_at})
          : Duration{0};
  return report;
}

NotifyStats Notifier::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void Notifier::start() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = false;
    woken_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void Notifier::wake() {
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void Notifier::run() {
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    Duration wait = options_.idle_poll;
    auto report = drain_once(clock_.now());
    if (!report.ok()) {
      log(LogLevel::kError, "outbox drain failed: " + report.error().message);
    } else if (report->next_wake) {
      wait =
          std::clamp<Duration>(*report->next_wake - clock_.now(), Duration{0}, options_.idle_poll);
    }
    lock.lock();
    wake_cv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
}

}  // namespace sloe::notify

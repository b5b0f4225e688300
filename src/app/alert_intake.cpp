#include "sloe/app/alert_intake.h"

#include <condition_variable>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "sloe/store/alert_log.h"
#include "sloe/store/silence_store.h"

namespace sloe::app {
namespace {

constexpr TimePoint kForever = TimePoint::max();

// Alertmanager's rule: a re-sent alert whose activity range overlaps the stored one continues
// it (earliest start, newest end and description); otherwise it starts a new period.
alert::Alert merge(const alert::Alert& stored, const alert::Alert& incoming) {
  const TimePoint stored_end = stored.ends_at.value_or(kForever);
  const TimePoint incoming_end = incoming.ends_at.value_or(kForever);
  const bool overlaps = incoming.starts_at <= stored_end && incoming_end >= stored.starts_at;
  if (!overlaps)
    return incoming;
  alert::Alert merged = incoming;
  merged.starts_at = std::min(stored.starts_at, incoming.starts_at);
  return merged;
}

}  // namespace

struct DurableAlertIntake::Impl {
  struct Request {
    std::vector<alert::Alert> alerts;
    std::string_view source;
    std::optional<Status> result;  // set by the writer under queue_mutex
    std::condition_variable answered;
  };

  Impl(store::Database& db_in, std::mutex& db_mutex_in, const Clock& clock_in, Forward forward_in)
      : db(db_in), db_mutex(db_mutex_in), clock(clock_in), forward(std::move(forward_in)) {}

  void remember(api::ReceivedAlert received) {
    const std::uint64_t fingerprint = received.alert.fingerprint();
    const auto found = current.find(fingerprint);
    if (found != current.end())
      received.alert = merge(found->second.alert, received.alert);
    current.insert_or_assign(fingerprint, std::move(received));
  }

  // The writer thread: takes every queued request, commits them in one transaction, answers
  // each, and only then lets readers see the new alerts.
  void run() {
    std::unique_lock lock(queue_mutex);
    while (true) {
      queue_ready.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty())
        return;  // stopping, nothing left to write
      std::vector<Request*> batch;
      batch.swap(queue);
      lock.unlock();
      commit(batch);
      lock.lock();
    }
  }

  void commit(const std::vector<Request*>& batch) {
    const TimePoint now = clock.now();
    std::unordered_map<std::uint64_t, api::ReceivedAlert> changed;
    std::vector<store::AlertRecord> records;
    std::vector<alert::Alert> merged_alerts;
    for (Request* request : batch) {
      for (alert::Alert& incoming : request->alerts) {
        const std::uint64_t fingerprint = incoming.fingerprint();
        // Only this thread writes `current`, so it may read it without the lock.
        const alert::Alert* stored = nullptr;
        if (const auto in_batch = changed.find(fingerprint); in_batch != changed.end()) {
          stored = &in_batch->second.alert;
        } else if (const auto known = current.find(fingerprint); known != current.end()) {
          stored = &known->second.alert;
        }
        alert::Alert merged = stored ? merge(*stored, incoming) : std::move(incoming);
        records.push_back(store::AlertRecord{fingerprint, merged.labels, merged.annotations,
                                             merged.starts_at, merged.ends_at, merged.generator_url,
                                             std::string(request->source), now});
        merged_alerts.push_back(merged);
        changed.insert_or_assign(
            fingerprint, api::ReceivedAlert{std::move(merged), std::string(request->source), now});
      }
    }
    Status written;
    {
      const std::lock_guard db_lock(db_mutex);
      written = store::AlertLog(db).upsert(records);
    }
    if (written) {
      ++commits;
      const std::unique_lock state_lock(state_mutex);
      for (auto& [fingerprint, received] : changed) {
        if (received.alert.resolved_at(now)) {
          current.erase(fingerprint);
        } else {
          current.insert_or_assign(fingerprint, std::move(received));
        }
      }
      // Alerts that ran out their resolve timeout without being re-sent leave memory here (at
      // most once a minute; current() already hides them).
      if (now >= next_sweep) {
        std::erase_if(current,
                      [now](const auto& entry) { return entry.second.alert.resolved_at(now); });
        next_sweep = now + std::chrono::minutes(1);
      }
    }
    {
      // Notified under the lock, so each request outlives its notification; once the lock is
      // released a caller may return and its request is gone.
      const std::lock_guard lock(queue_mutex);
      for (Request* request : batch) {
        request->result = written;
        request->answered.notify_one();
      }
    }
    if (written && forward)
      forward(merged_alerts);
  }

  store::Database& db;
  std::mutex& db_mutex;
  const Clock& clock;
  Forward forward;

  mutable std::shared_mutex state_mutex;
  std::unordered_map<std::uint64_t, api::ReceivedAlert> current;  // written by the writer only
  TimePoint next_sweep{};                                         // writer thread only

  std::mutex queue_mutex;
  std::condition_variable queue_ready;
  std::vector<Request*> queue;  // guarded by queue_mutex
  bool stopping = false;        // guarded by queue_mutex
  std::thread writer;
  std::atomic<std::uint64_t> commits{0};
};

Result<std::unique_ptr<DurableAlertIntake>> DurableAlertIntake::open(store::Database& db,
                                                                     std::mutex& db_mutex,
                                                                     const Clock& clock,
                                                                     Forward forward) {
  auto impl = std::make_unique<Impl>(db, db_mutex, clock, std::move(forward));
  Result<std::vector<store::AlertRecord>> loaded = Error{""};
  {
    const std::lock_guard db_lock(db_mutex);
    loaded = store::AlertLog(db).load_active(clock.now());
  }
  if (!loaded)
    return Error{"reading received alerts: " + loaded.error().message};
  for (store::AlertRecord& record : loaded.value()) {
    alert::Alert restored{std::move(record.labels), std::move(record.annotations), record.starts_at,
                          record.ends_at, std::move(record.generator_url)};
    impl->remember(api::ReceivedAlert{std::move(restored), record.source, record.received_at});
  }
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->run(); });
  return std::unique_ptr<DurableAlertIntake>(new DurableAlertIntake(std::move(impl)));
}

DurableAlertIntake::DurableAlertIntake(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DurableAlertIntake::~DurableAlertIntake() {
  {
    const std::lock_guard lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_ready.notify_all();
  if (impl_->writer.joinable())
    impl_->writer.join();
}

Status DurableAlertIntake::accept(std::vector<alert::Alert> alerts, std::string_view source) {
  Impl::Request request{std::move(alerts), source, std::nullopt, {}};
  std::unique_lock lock(impl_->queue_mutex);
  if (impl_->stopping)
    return Error{"the alert intake is shutting down"};
  impl_->queue.push_back(&request);
  impl_->queue_ready.notify_one();
  request.answered.wait(lock, [&request] { return request.result.has_value(); });
  return *request.result;
}

std::vector<api::ReceivedAlert> DurableAlertIntake::current(TimePoint now) const {
  std::vector<api::ReceivedAlert> alerts;
  const std::shared_lock lock(impl_->state_mutex);
  alerts.reserve(impl_->current.size());
  for (const auto& [fingerprint, received] : impl_->current) {
    if (!received.alert.resolved_at(now))
      alerts.push_back(received);
  }
  return alerts;
}

std::uint64_t DurableAlertIntake::commits() const {
  return impl_->commits.load();
}

std::string matchers_text(const std::vector<alert::Matcher>& matchers) {
  std::string text = "{";
  for (std::size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0)
      text.push_back(',');
    text += matchers[i].to_string();
  }
  text.push_back('}');
  return text;
}

Result<std::unique_ptr<DurableSilences>> DurableSilences::open(
    store::Database& db, std::mutex& db_mutex, route::Silences::IdGenerator next_id) {
  Result<std::vector<store::SilenceRecord>> loaded = Error{""};
  {
    const std::lock_guard db_lock(db_mutex);
    loaded = store::SilenceStore(db).load_all();
  }
  if (!loaded)
    return loaded.error();
  route::Silences silences(std::move(next_id));
  for (store::SilenceRecord& record : loaded.value()) {
    auto matchers = alert::parse_matchers(record.matchers);
    if (!matchers) {
      return Error{"stored silence " + record.id +
                   " has unreadable matchers: " + matchers.error().message};
    }
    silences.restore(route::Silence{std::move(record.id), std::move(matchers).value(),
                                    record.starts_at, record.ends_at, std::move(record.created_by),
                                    std::move(record.comment), record.updated_at});
  }
  return std::unique_ptr<DurableSilences>(new DurableSilences(db, db_mutex, std::move(silences)));
}

DurableSilences::DurableSilences(store::Database& db, std::mutex& db_mutex,
                                 route::Silences silences)
    : db_(db), db_mutex_(db_mutex), silences_(std::move(silences)) {}

Status DurableSilences::persist(const std::vector<route::Silence>& written) {
  std::vector<store::SilenceRecord> records;
  records.reserve(written.size());
  for (const route::Silence& s : written) {
    records.push_back(store::SilenceRecord{s.id, matchers_text(s.matchers), s.starts_at, s.ends_at,
                                           s.created_by, s.comment, s.updated_at});
  }
  const std::lock_guard db_lock(db_mutex_);
  return store::SilenceStore(db_).put_all(records);
}

std::vector<route::Silence> DurableSilences::list() const {
  const std::lock_guard lock(mutex_);
  return silences_.list();
}

std::optional<route::Silence> DurableSilences::get(std::string_view id) const {
  const std::lock_guard lock(mutex_);
  const route::Silence* found = silences_.find(id);
  return found ? std::optional<route::Silence>(*found) : std::nullopt;
}

api::Answer<std::string> DurableSilences::put(route::Silence silence, TimePoint now) {
  const std::lock_guard lock(mutex_);
  if (!silence.id.empty() && silences_.find(silence.id) == nullptr)
    return api::Refused{api::Refusal::kNotFound, "no silence with id '" + silence.id + "'", ""};
  // Apply to a copy and keep it only once the change is on disk.
  route::Silences next = silences_;
  auto change = next.set(std::move(silence), now);
  if (!change)
    return api::Refused{api::Refusal::kInvalid, change.error().message, ""};
  if (Status saved = persist(change->written); !saved)
    return api::Refused{api::Refusal::kUnavailable, saved.error().message, ""};
  silences_ = std::move(next);
  return change->id;
}

api::Answer<route::Silence> DurableSilences::expire(std::string_view id, TimePoint now) {
  const std::lock_guard lock(mutex_);
  if (silences_.find(id) == nullptr)
    return api::Refused{api::Refusal::kNotFound, "no silence with id '" + std::string(id) + "'",
                        ""};
  route::Silences next = silences_;
  auto expired = next.expire(id, now);
  if (!expired)
    return api::Refused{api::Refusal::kInvalid, expired.error().message, ""};
  if (Status saved = persist({*expired}); !saved)
    return api::Refused{api::Refusal::kUnavailable, saved.error().message, ""};
  silences_ = std::move(next);
  return std::move(expired).value();
}

std::vector<std::string> DurableSilences::silenced_by(const Labels& labels, TimePoint now) const {
  const std::lock_guard lock(mutex_);
  return silences_.silenced_by(labels, now);
}

Status DurableSilences::collect_garbage(TimePoint now, Duration retention) {
  const std::lock_guard lock(mutex_);
  route::Silences next = silences_;
  const std::vector<std::string> removed = next.collect_garbage(now, retention);
  if (removed.empty())
    return {};
  {
    const std::lock_guard db_lock(db_mutex_);
    if (Status deleted = store::SilenceStore(db_).remove(removed); !deleted)
      return deleted;
  }
  silences_ = std::move(next);
  return {};
}

}  // namespace sloe::app

// Durable implementations of the API's AlertSink and SilenceService, backed by sloe's SQLite
// database.
//
// DurableAlertIntake: accept() returns only after the batch is committed, so a 2xx answer means
// the alerts survive a crash. Concurrent accept() calls are coalesced by one writer thread into a
// single transaction (group commit): one fsync serves every request waiting at that moment, and
// each caller still learns whether *its* alerts were committed. Alerts are merged per
// fingerprint the way Alertmanager merges them: a re-sent alert whose activity overlaps the
// stored one keeps the earliest starts_at and takes the newest ends_at, annotations and URL.
// After each commit the merged alerts are handed to `forward` (on the writer thread; it must not
// call back into the intake), e.g. to the dispatcher.
//
// DurableSilences: route::Silences guarded by a mutex; every change is written to the silences
// table before it becomes visible, so a failed write changes nothing.
//
// Both share the Database with the rest of the agent through `db_mutex`, held for every use.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sloe/api/alert_intake.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/route/silence.h"
#include "sloe/store/database.h"

namespace sloe::app {

class DurableAlertIntake final : public api::AlertSink {
 public:
  using Forward = std::function<void(const std::vector<alert::Alert>&)>;

  // Loads the alerts still active at clock.now() from the database and starts the writer thread.
  // REQUIRES: db (opened with sloe_migrations()), db_mutex and clock outlive the intake.
  static Result<std::unique_ptr<DurableAlertIntake>> open(store::Database& db, std::mutex& db_mutex,
                                                          const Clock& clock,
                                                          Forward forward = nullptr);
  ~DurableAlertIntake() override;  // finishes queued batches, then joins the writer
  DurableAlertIntake(const DurableAlertIntake&) = delete;
  DurableAlertIntake& operator=(const DurableAlertIntake&) = delete;

  Status accept(std::vector<alert::Alert> alerts, std::string_view source) override;
  std::vector<api::ReceivedAlert> current(TimePoint now) const override;

  // Transactions committed so far (tells how well concurrent requests were coalesced).
  std::uint64_t commits() const;

 private:
  struct Impl;
  explicit DurableAlertIntake(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class DurableSilences final : public api::SilenceService {
 public:
  // Loads every stored silence. next_id makes new silence ids (e.g. route::random_silence_id
  // over a seeded engine). REQUIRES: db and db_mutex outlive the service.
  static Result<std::unique_ptr<DurableSilences>> open(store::Database& db, std::mutex& db_mutex,
                                                       route::Silences::IdGenerator next_id);

  std::vector<route::Silence> list() const override;
  std::optional<route::Silence> get(std::string_view id) const override;
  api::Answer<std::string> put(route::Silence silence, TimePoint now) override;
  api::Answer<route::Silence> expire(std::string_view id, TimePoint now) override;
  std::vector<std::string> silenced_by(const Labels& labels, TimePoint now) const override;

  // Deletes silences expired for longer than retention (Alertmanager: 120h), from memory and
  // the database. The agent calls this now and then.
  Status collect_garbage(TimePoint now, Duration retention = std::chrono::hours(120));

 private:
  DurableSilences(store::Database& db, std::mutex& db_mutex, route::Silences silences);
  Status persist(const std::vector<route::Silence>& written);

  store::Database& db_;
  std::mutex& db_mutex_;
  mutable std::mutex mutex_;  // guards silences_; taken before db_mutex_
  route::Silences silences_;
};

// The matcher-list text silences are stored as, e.g. {service="api",severity=~"page"}.
std::string matchers_text(const std::vector<alert::Matcher>& matchers);

}  // namespace sloe::app

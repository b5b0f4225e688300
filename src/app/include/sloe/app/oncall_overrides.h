// OncallOverrides: the on-call configuration as the agent uses it — the OncallConfig read from
// alerts/*.yaml plus the overrides made at run time through the API (PagerDuty / GoAlert style),
// which are kept in sloe's SQLite database (store::OverrideStore) and survive restarts.
//
// current() is the configured OncallConfig with every API override appended to its schedule's
// overrides (after the file's own, so within a mode the API's apply last; see model.h Schedule
// for the order replacements and additions apply in). It is rebuilt on every change and handed
// out as an immutable snapshot: readers keep theirs as long as they like.
//
// Validation is the config loader's (config/parse_oncall.cpp check_oncall), with the same
// wording: the schedule must exist; `user` must be defined under users:; `replaces` (replace mode
// only) must be defined and in one of the rotations of that schedule's layers; end after start.
// In addition, end must lie in the future: an override that is already over would change nothing.
// Overrides stored earlier whose schedule has since left the configuration stay listed (and
// removable) but apply nowhere.
//
// Durability: every change is written to the database before it becomes visible; a failed write
// changes nothing (refused as kUnavailable).
//
// Thread-safety: every public method may be called from any thread. The Database is shared with
// the rest of the agent through db_mutex, taken (after this object's own mutex) for every use.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/api/oncall_api.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/oncall/model.h"
#include "sloe/store/database.h"

namespace sloe::app {

class OncallOverrides final : public api::OverrideService {
 public:
  using IdGenerator = std::function<std::string()>;
  // Called with the new snapshot after every change, while the change is being made: it must not
  // call back into this object. E.g. the alert pipeline's "use this on-call config from now on".
  using Listener = std::function<void(std::shared_ptr<const oncall::OncallConfig>)>;

  // Loads every stored override. next_id makes ids for new overrides (default: 16 random hex
  // digits). REQUIRES: db (opened with sloe_migrations()) and db_mutex outlive the object.
  static Result<std::unique_ptr<OncallOverrides>> open(store::Database& db, std::mutex& db_mutex,
                                                       oncall::OncallConfig configured,
                                                       IdGenerator next_id = nullptr);

  // The configured on-call config with the API overrides applied. Never null.
  std::shared_ptr<const oncall::OncallConfig> current() const;
  // Sets the listener (replacing any) and calls it once with current().
  void set_listener(Listener listener);
  // Swaps in a new configured OncallConfig (a config reload); the API overrides are kept.
  void set_configured(oncall::OncallConfig configured);

  std::vector<api::OverrideView> list() const override;
  api::OverrideAnswer<std::string> add(const api::OverrideRequest& request, TimePoint now) override;
  api::OverrideAnswer<api::OverrideView> remove(std::string_view id) override;
  std::optional<api::OnCallView> who(std::string_view schedule, TimePoint at) const override;

  // Deletes the overrides that ended more than `retention` before now, from memory and the
  // database; returns how many. The agent calls this now and then.
  Result<std::size_t> collect_garbage(TimePoint now,
                                      Duration retention = std::chrono::hours(24 * 7));

 private:
  OncallOverrides(store::Database& db, std::mutex& db_mutex, oncall::OncallConfig configured,
                  std::vector<api::OverrideView> overrides, IdGenerator next_id);
  // Checks against configured_; the refusal names the field at fault. REQUIRES: mutex_ held.
  std::optional<api::OverrideRefused> validate(const api::OverrideRequest& request,
                                               TimePoint now) const;
  // Rebuilds current_ from configured_ and overrides_ and tells the listener. REQUIRES: mutex_.
  void publish();

  store::Database& db_;
  std::mutex& db_mutex_;
  mutable std::mutex mutex_;  // guards everything below; taken before db_mutex_
  oncall::OncallConfig configured_;
  std::vector<api::OverrideView> overrides_;  // ordered by start, then id
  IdGenerator next_id_;
  Listener listener_;
  std::shared_ptr<const oncall::OncallConfig> current_;
};

}  // namespace sloe::app

// IncidentService: the durable implementation of api::IncidentService, and the place where the
// alert pipeline's events (alerts firing and resolving, notifications sent, failed and
// acknowledged) and the housekeeping tick (action-item reminders) reach incidents.
//
// Durability: every write goes through one writer thread that owns a Database connection. A
// caller enqueues its operation and blocks until the transaction holding it has committed; the
// writer takes every operation waiting at that moment into one transaction (group commit: one
// fsync serves them all). Each operation runs in its own SAVEPOINT, so one that fails undoes only
// its own writes and the others in the batch still commit. An answer is returned only after the
// commit: a 2xx built from it survives kill -9. Version checks (kConflict) run inside the writer,
// so two concurrent edits carrying the same version cannot both win.
//
// Reads use a second connection to the same file (WAL: readers see the last commit and never
// block the writer), serialised by their own mutex.
//
// Redaction: everything stored that came from people or alerts — titles, summaries, labels, note
// text, alert labels and annotations, action-item titles and ticket links — passes through the
// Redactor first.
//
// Alerts (on_alerts): a firing alert that matches a policy and whose period (fingerprint,
// starts_at) is not linked yet joins the open incident of the policy's dedup_key (link +
// kAlertFired) or opens a new incident. The check and the write happen in the writer, so the same
// alert arriving twice at once opens one incident; another process racing us on the same file is
// caught by the store's unique index ("duplicate open incident" → join instead). A resolved alert
// linked to an incident adds kAlertResolved (once per period).
//
// Notifications: notification_enqueued() remembers which incidents a (receiver, group key)
// concerns (from the group's alerts' links); notification_delivered() then puts the outcome on
// those incidents' timelines. The map lives in memory: a delivery of a row enqueued before a
// restart is not recorded. escalation_acknowledged() adds kNotificationAcknowledged and sets the
// incident's acknowledged time when unset.
//
// Reminders (remind_overdue): each overdue action item not reminded in the last
// Options::remind_every gets one notification through Options::notify — to the receiver
// "page-<owner>" when it exists (Options::has_receiver), else to Options::default_receiver — then
// mark_reminded and a kActionItem event (change=reminded). At least once: a crash between the
// enqueue and the mark sends the reminder again after the restart.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/alert/notification.h"
#include "sloe/api/incidents.h"
#include "sloe/api/metrics.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/incident/metrics.h"
#include "sloe/incident/model.h"
#include "sloe/incident/policy.h"
#include "sloe/incident/redact.h"

namespace sloe::app {

class IncidentService final : public api::IncidentService {
 public:
  struct Options {
    std::vector<incident::IncidentPolicy> policies = incident::default_policies();
    incident::Redactor redactor;
    // Most operations one transaction holds (a larger queue is committed in several).
    std::size_t max_batch = 512;
    // Action-item reminders: how often an overdue item is reminded, and how.
    Duration remind_every = std::chrono::hours(24);
    // Queues a notification durably (the notifier's outbox); null: reminders are not sent.
    std::function<Status(const alert::GroupNotification&)> notify;
    // Whether the routing configuration has a receiver of this name; null: none has.
    std::function<bool(std::string_view)> has_receiver;
    // Where reminders go when the owner has no page-<owner> receiver; empty: not reminded.
    std::string default_receiver;
    // Told about things a person should know (a reminder not sent, an alert not recorded).
    std::function<void(const std::string&)> warn;
    // Runbook triggers: called after the commit that opened an incident (by an alert or a
    // declaration: "open") or changed its severity ("severity_change"), on the writer thread. It
    // must only queue work: calling back into this service from it would deadlock.
    std::function<void(const incident::Incident&, std::string_view trigger)> on_trigger;
  };

  // Opens two connections to the database file at db_path (migrating it) and starts the writer.
  // REQUIRES: the clock outlives the service; the directory of db_path exists.
  static Result<std::unique_ptr<IncidentService>> open(const std::string& db_path,
                                                       const Clock& clock, Options options);
  ~IncidentService() override;  // stop()
  IncidentService(const IncidentService&) = delete;
  IncidentService& operator=(const IncidentService&) = delete;

  // Commits what is queued, then stops the writer; later writes answer kUnavailable. Idempotent.
  void stop();

  api::Answer<api::IncidentList> list(const api::IncidentFilter& filter) const override;
  api::Answer<api::IncidentDetail> get(std::int64_t id) const override;
  api::Answer<incident::Incident> declare(const incident::Declaration& declaration,
                                          const std::string& actor) override;
  api::Answer<incident::Incident> update(std::int64_t id, std::int64_t expected_version,
                                         const incident::IncidentPatch& patch,
                                         const std::string& actor) override;
  api::Answer<std::vector<incident::TimelineEvent>> timeline(std::int64_t id, std::int64_t after_id,
                                                             std::size_t limit) const override;
  api::Answer<incident::TimelineEvent> add_note(std::int64_t id, const std::string& text,
                                                bool pinned, const std::string& actor) override;
  api::Answer<incident::TimelineEvent> edit_note(std::int64_t id, std::int64_t event_id,
                                                 int expected_revision,
                                                 const std::optional<std::string>& text,
                                                 std::optional<bool> pinned,
                                                 const std::string& actor) override;
  api::Answer<std::vector<incident::NoteRevision>> note_revisions(
      std::int64_t id, std::int64_t event_id) const override;
  api::Answer<std::vector<incident::ActionItem>> actions(std::int64_t id) const override;
  api::Answer<incident::ActionItem> add_action(std::int64_t id, const incident::ActionDraft& draft,
                                               const std::string& actor) override;
  api::Answer<incident::ActionItem> update_action(std::int64_t id, std::int64_t action_id,
                                                  std::int64_t expected_version,
                                                  const incident::ActionPatch& patch,
                                                  const std::string& actor) override;
  api::Answer<std::vector<incident::ActionItem>> overdue_actions() const override;
  api::Answer<std::vector<incident::SeverityStats>> stats() const override;

  // Alerts as the alert intake committed them (firing and resolved). Returns once every
  // resulting write is durable; an error means some were not recorded (the intake's next
  // delivery of the same alerts retries them).
  Status on_alerts(const std::vector<alert::Alert>& alerts, TimePoint now);

  // The pipeline queued notification for its receiver (called under the pipeline's lock: only
  // reads, never waits for the writer).
  void notification_enqueued(const alert::GroupNotification& notification);
  // The notifier finished a row of (receiver, group_key): delivered, or failed for good (reason).
  void notification_delivered(const std::string& receiver, const std::string& group_key,
                              bool delivered, const std::string& reason, TimePoint at);
  // Someone acknowledged the escalation of a group whose latest notification was `latest`.
  void escalation_acknowledged(const alert::GroupNotification& latest, const std::string& by,
                               TimePoint at);

  // Sends the due action-item reminders (see above). Returns how many were sent.
  Result<std::size_t> remind_overdue(TimePoint now);

  // Open incidents and response-time summaries for /metrics (test incidents excluded).
  Result<api::IncidentMetricFigures> figures() const;

  // Transactions the writer committed so far (how well group commit coalesces).
  std::uint64_t commits() const;

 private:
  struct Impl;
  explicit IncidentService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

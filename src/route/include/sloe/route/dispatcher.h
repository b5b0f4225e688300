// Dispatcher: what happens to alerts once routing has chosen their routes — aggregation groups,
// their timers, the notification log that deduplicates, and muting — with Alertmanager's
// semantics (its dispatch package plus the mute and dedup stages of its notify pipeline).
//
// Groups. For each matched route, an alert joins the aggregation group identified by the route's
// key and the alert's values of the route's group_by labels (every label for group_by_all; a
// group_by label the alert lacks is left out, not set to ""). The group key is Alertmanager's:
// `{route key}:{a="1", b="2"}` (see group_key()). Groups are also told apart by receiver.
// A group keeps the RouteOptions of the ingest that created it.
//
// Timers. A new group flushes group_wait after its creation; after every flush the next one is
// due group_interval later (measured from the flush). Before a group's first flush, an alert whose
// starts_at + group_wait is already past makes the group flush at once (Alertmanager's rule for
// old alerts, e.g. after a restart).
//
// Flush at time now (Alertmanager's flush plus notify pipeline, in this order):
//   1. Each alert is resolved if ends_at <= now (so an alert whose ends_at passes expires);
//      firing alerts are reported with ends_at cleared, as Alertmanager does.
//   2. Alerts for which is_inhibited or is_silenced answers true are left out.
//   3. Nothing is sent if now is inside one of the route's mute_time_intervals, or the route has
//      active_time_intervals and now is inside none of them.
//   4. The notification log entry of (group key, receiver) decides, as Alertmanager's DedupStage:
//        no entry: send if any alert fires;
//        a firing alert that the last notification did not report as firing: send;
//        no alert fires: send only if the last notification reported some as firing;
//        sends_resolved(receiver) and a resolved alert not reported as resolved before: send;
//        otherwise send if now >= last sent + repeat_interval.
//      Sending records the firing and resolved fingerprints and the time; an entry is forgotten
//      2 * repeat_interval after it was written.
//   5. Resolved alerts are dropped from the group (whether or not anything was sent, also when
//      muted, as in Alertmanager); a group left empty is removed.
// The notification lists the group's non-muted alerts, firing and resolved, sorted as
// Alertmanager sorts them (by job, then instance, then label set).
//
// Differences from Alertmanager, on purpose:
//   - repeat_interval: Alertmanager compares strictly against a timestamp taken after sending, so
//     it usually repeats one group_interval late; here the first flush at or after
//     last sent + repeat_interval repeats.
//   - sends_resolved is asked per receiver; Alertmanager keeps a log per integration of the
//     receiver. The notify module still drops resolved alerts for integrations that do not want
//     them.
//   - every notification returned by due() counts as sent (the outbox makes delivery durable),
//     so there is no "retry the flush" path.
//   - Alertmanager removes empty groups every 30 s; here they go at the flush that empties them.
//
// Time is passed in; nothing here reads a clock.
// Thread-safety: not synchronized. One owner (the dispatch loop) calls every method; the hooks
// are called from inside due() on the owner's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/alert/notification.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/route/route_options.h"
#include "sloe/route/time_interval.h"

namespace sloe::route {

// The labels of alert_labels that group an alert on a route: its group_by labels that the alert
// has, or all of them for group_by_all.
Labels group_labels(const Labels& alert_labels, const RouteOptions& route);

// Alertmanager's group key: route_key, ':', then the labels as Go prints a LabelSet — sorted by
// name, `name="value"` with the value quoted like Go's %q, joined by ", ", in braces.
// Example: {}/{severity="page"}:{alertname="HighErrorRate", service="api"}.
std::string group_key(std::string_view route_key, const Labels& group_labels);

// Questions the dispatcher asks at flush time; an unset hook means "no" for the mute questions
// and "yes" for sends_resolved.
struct DispatcherHooks {
  std::function<bool(const Labels& labels, TimePoint now)> is_silenced;
  std::function<bool(const Labels& labels, TimePoint now)> is_inhibited;
  // Whether the receiver wants resolved notices (Alertmanager's send_resolved). It only decides
  // whether a newly resolved alert is by itself a reason to notify; see the header comment.
  std::function<bool(std::string_view receiver)> sends_resolved;
};

class Dispatcher {
 public:
  // external_url is copied into every notification.
  Dispatcher(TimeIntervals time_intervals, DispatcherHooks hooks, std::string external_url = {});

  // Adds or updates (same fingerprint) the alert in its group for each route, creating groups as
  // needed. Re-ingesting an unchanged alert changes nothing that would notify. An empty routes
  // list does nothing.
  void ingest(const alert::Alert& alert, const std::vector<RouteOptions>& routes, TimePoint now);

  // Flushes every group whose flush time is <= now, at now, and returns the notifications to
  // send, ordered by flush time, then group key, then receiver. Also forgets expired entries of
  // the notification log.
  std::vector<alert::GroupNotification> due(TimePoint now);

  // The earliest flush time of any group; nullopt when there are no groups. The owner should call
  // due() at (or soon after) this time, and again after every ingest().
  std::optional<TimePoint> next_deadline() const;

  std::size_t group_count() const { return groups_.size(); }

  // Replaces the time intervals consulted at flush time (configuration reload).
  void set_time_intervals(TimeIntervals time_intervals);

  // Drops every aggregation group but keeps the notification log: on a configuration reload the
  // owner calls this and re-ingests the active alerts with their new routes, as Alertmanager
  // rebuilds its dispatcher while keeping its notification log, so nothing is re-sent that the
  // receivers already know.
  void reset_groups();

  // A snapshot of one aggregation group, for the API (Alertmanager's /api/v2/alerts/groups).
  struct GroupSnapshot {
    std::string receiver;
    std::string group_key;
    Labels group_labels;
    std::vector<alert::Alert> alerts;  // as ingested, sorted like notifications
    TimePoint next_flush{};
  };
  std::vector<GroupSnapshot> groups() const;

 private:
  struct Group {
    RouteOptions options;
    std::string group_key;
    Labels group_labels;
    std::map<std::uint64_t, alert::Alert> alerts;  // by fingerprint
    TimePoint next_flush{};
    bool has_flushed = false;
  };
  // What was last sent to a (group key, receiver): Alertmanager's notification log entry.
  struct LogEntry {
    std::vector<std::uint64_t> firing;    // sorted fingerprints
    std::vector<std::uint64_t> resolved;  // sorted fingerprints
    TimePoint sent_at{};
    TimePoint expires_at{};
  };
  using GroupId = std::pair<std::string, std::string>;  // (group key, receiver)

  std::optional<alert::GroupNotification> flush(Group& group, TimePoint now);
  bool muted_by_time(const RouteOptions& options, TimePoint now) const;
  bool needs_update(const LogEntry* entry, const std::vector<std::uint64_t>& firing,
                    const std::vector<std::uint64_t>& resolved, const RouteOptions& options,
                    TimePoint now) const;

  TimeIntervals time_intervals_;
  DispatcherHooks hooks_;
  std::string external_url_;
  std::map<GroupId, Group> groups_;
  std::map<GroupId, LogEntry> log_;
};

}  // namespace sloe::route

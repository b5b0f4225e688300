#include "sloe/route/dispatcher.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace sloe::route {
namespace {

// Go's strconv.Quote for the bytes of a label value: ASCII escapes as Go writes them; bytes of
// multi-byte UTF-8 characters pass through (printable characters are not escaped by %q).
void append_go_quoted(std::string& out, std::string_view value) {
  out += '"';
  for (const char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
          char escaped[5];
          std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
          out += escaped;
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
}

// Prometheus' LabelSet.Before: fewer labels first, then the first differing label in name order.
bool label_set_before(const Labels& a, const Labels& b) {
  if (a.size() != b.size())
    return a.size() < b.size();
  auto ia = a.begin();
  auto ib = b.begin();
  for (; ia != a.end(); ++ia, ++ib) {
    // The first name in sorted order that only one side has: the side lacking it comes first.
    if (ia->first != ib->first)
      return ia->first > ib->first;
    if (ia->second != ib->second)
      return ia->second < ib->second;
  }
  return false;
}

// Alertmanager's AlertSlice order: by job, then instance (alerts having the label first), then
// by label set.
bool alert_before(const alert::Alert& a, const alert::Alert& b) {
  for (const char* key : {"job", "instance"}) {
    const auto ia = a.labels.find(key);
    const auto ib = b.labels.find(key);
    const bool has_a = ia != a.labels.end();
    const bool has_b = ib != b.labels.end();
    if (!has_a && !has_b)
      continue;
    if (has_a != has_b)
      return has_a;
    if (ia->second != ib->second)
      return ia->second < ib->second;
  }
  return label_set_before(a.labels, b.labels);
}

bool includes(const std::vector<std::uint64_t>& set, const std::vector<std::uint64_t>& subset) {
  return std::includes(set.begin(), set.end(), subset.begin(), subset.end());
}

}  // namespace

Labels group_labels(const Labels& alert_labels, const RouteOptions& route) {
  if (route.group_by_all)
    return alert_labels;
  Labels grouped;
  for (const std::string& name : route.group_by) {
    const auto it = alert_labels.find(name);
    if (it != alert_labels.end())
      grouped.insert(*it);
  }
  return grouped;
}

std::string group_key(std::string_view route_key, const Labels& group_labels) {
  std::string key(route_key);
  key += ":{";
  bool first = true;
  for (const auto& [name, value] : group_labels) {
    if (!first)
      key += ", ";
    first = false;
    key += name;
    key += '=';
    append_go_quoted(key, value);
  }
  key += '}';
  return key;
}

Dispatcher::Dispatcher(TimeIntervals time_intervals, DispatcherHooks hooks,
                       std::string external_url)
    : time_intervals_(std::move(time_intervals)),
      hooks_(std::move(hooks)),
      external_url_(std::move(external_url)) {}

void Dispatcher::ingest(const alert::Alert& alert, const std::vector<RouteOptions>& routes,
                        TimePoint now) {
  const std::uint64_t fingerprint = alert.fingerprint();
  for (const RouteOptions& route : routes) {
    Labels labels = group_labels(alert.labels, route);
    std::string key = group_key(route.key, labels);
    auto [it, created] = groups_.try_emplace(GroupId{key, route.receiver});
    Group& group = it->second;
    if (created) {
      group.options = route;
      group.group_key = std::move(key);
      group.group_labels = std::move(labels);
      group.next_flush = now + group.options.group_wait;
    }
    group.alerts.insert_or_assign(fingerprint, alert);
    if (!group.has_flushed && alert.starts_at + group.options.group_wait < now)
      group.next_flush = std::min(group.next_flush, now);
  }
}

std::vector<alert::GroupNotification> Dispatcher::due(TimePoint now) {
  std::erase_if(log_, [now](const auto& entry) { return entry.second.expires_at <= now; });

  std::vector<std::pair<TimePoint, GroupId>> ready;
  for (const auto& [id, group] : groups_) {
    if (group.next_flush <= now)
      ready.emplace_back(group.next_flush, id);
  }
  std::sort(ready.begin(), ready.end());

  std::vector<alert::GroupNotification> notifications;
  for (const auto& [scheduled, id] : ready) {
    const auto it = groups_.find(id);
    if (auto notification = flush(it->second, now))
      notifications.push_back(std::move(*notification));
    if (it->second.alerts.empty())
      groups_.erase(it);
  }
  return notifications;
}

std::optional<alert::GroupNotification> Dispatcher::flush(Group& group, TimePoint now) {
  group.next_flush = now + group.options.group_interval;
  group.has_flushed = true;

  std::vector<alert::Alert> alerts;
  std::vector<std::uint64_t> firing;
  std::vector<std::uint64_t> resolved;
  for (const auto& [fingerprint, stored] : group.alerts) {
    const bool is_resolved = stored.resolved_at(now);
    const bool muted = (hooks_.is_inhibited && hooks_.is_inhibited(stored.labels, now)) ||
                       (hooks_.is_silenced && hooks_.is_silenced(stored.labels, now));
    if (muted)
      continue;
    alert::Alert& copy = alerts.emplace_back(stored);
    if (is_resolved) {
      resolved.push_back(fingerprint);
    } else {
      copy.ends_at.reset();
      firing.push_back(fingerprint);
    }
  }
  // Resolved alerts leave the group after this flush, sent or not.
  std::erase_if(group.alerts, [now](const auto& entry) { return entry.second.resolved_at(now); });

  if (alerts.empty() || muted_by_time(group.options, now))
    return std::nullopt;
  // Fingerprints come out of the map sorted, as includes() needs.
  const GroupId id{group.group_key, group.options.receiver};
  const auto entry = log_.find(id);
  if (!needs_update(entry == log_.end() ? nullptr : &entry->second, firing, resolved, group.options,
                    now))
    return std::nullopt;
  log_[id] = LogEntry{std::move(firing), std::move(resolved), now,
                      now + 2 * group.options.repeat_interval};

  std::stable_sort(alerts.begin(), alerts.end(), alert_before);
  alert::GroupNotification notification;
  notification.receiver = group.options.receiver;
  notification.group_key = group.group_key;
  notification.group_labels = group.group_labels;
  notification.alerts = std::move(alerts);
  notification.at = now;
  notification.external_url = external_url_;
  return notification;
}

bool Dispatcher::muted_by_time(const RouteOptions& options, TimePoint now) const {
  if (!options.active_time_intervals.empty() &&
      !time_intervals_.any_contains(options.active_time_intervals, now))
    return true;
  return time_intervals_.any_contains(options.mute_time_intervals, now);
}

bool Dispatcher::needs_update(const LogEntry* entry, const std::vector<std::uint64_t>& firing,
                              const std::vector<std::uint64_t>& resolved,
                              const RouteOptions& options, TimePoint now) const {
  if (entry == nullptr)
    return !firing.empty();
  if (!includes(entry->firing, firing))
    return true;
  if (firing.empty())
    return !entry->firing.empty();
  const bool sends_resolved = !hooks_.sends_resolved || hooks_.sends_resolved(options.receiver);
  if (sends_resolved && !includes(entry->resolved, resolved))
    return true;
  return now >= entry->sent_at + options.repeat_interval;
}

std::optional<TimePoint> Dispatcher::next_deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& [id, group] : groups_) {
    if (!earliest || group.next_flush < *earliest)
      earliest = group.next_flush;
  }
  return earliest;
}

void Dispatcher::set_time_intervals(TimeIntervals time_intervals) {
  time_intervals_ = std::move(time_intervals);
}

void Dispatcher::reset_groups() {
  groups_.clear();
}

std::vector<Dispatcher::GroupSnapshot> Dispatcher::groups() const {
  std::vector<GroupSnapshot> snapshots;
  snapshots.reserve(groups_.size());
  for (const auto& [id, group] : groups_) {
    GroupSnapshot& snapshot = snapshots.emplace_back();
    snapshot.receiver = group.options.receiver;
    snapshot.group_key = group.group_key;
    snapshot.group_labels = group.group_labels;
    for (const auto& [fingerprint, stored] : group.alerts)
      snapshot.alerts.push_back(stored);
    std::stable_sort(snapshot.alerts.begin(), snapshot.alerts.end(), alert_before);
    snapshot.next_flush = group.next_flush;
  }
  return snapshots;
}

}  // namespace sloe::route

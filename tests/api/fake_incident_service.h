// An in-memory IncidentService for tests of the HTTP and CLI layers: just enough incident
// behaviour (ids, versions, roles, notes with revisions, action items, filters, pages) to check
// that requests reach the service as typed values and answers come back as the documented JSON.
// The real lifecycle rules are incident/lifecycle.h's and are tested there.
//
// Thread-safe (one mutex), as the server calls it from its thread pool.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sloe/api/incidents.h"

namespace sloe::api::testing {

class FakeIncidentService : public IncidentService {
 public:
  explicit FakeIncidentService(const Clock& clock) : clock_(clock) {}

  // What the last list() call received and who the last mutating call came from.
  IncidentFilter last_filter() const {
    std::lock_guard lock(mutex_);
    return last_filter_;
  }
  std::string last_actor() const {
    std::lock_guard lock(mutex_);
    return last_actor_;
  }
  // Every call answers kUnavailable while set.
  void set_unavailable(bool unavailable) {
    std::lock_guard lock(mutex_);
    unavailable_ = unavailable;
  }
  void set_stats(std::vector<incident::SeverityStats> stats) {
    std::lock_guard lock(mutex_);
    stats_ = std::move(stats);
  }
  // The next `count` update() calls find a concurrent edit: the version moves on and they answer
  // kConflict.
  void conflict_next_updates(int count) {
    std::lock_guard lock(mutex_);
    conflicts_ = count;
  }
  void link_alert(std::int64_t id, std::string fingerprint) {
    std::lock_guard lock(mutex_);
    fingerprints_[id].push_back(std::move(fingerprint));
  }

  Answer<IncidentList> list(const IncidentFilter& filter) const override {
    std::lock_guard lock(mutex_);
    last_filter_ = filter;
    if (unavailable_)
      return down();
    IncidentList page;
    for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
      const incident::Incident& incident = it->second;
      if (filter.before_id > 0 && incident.id >= filter.before_id)
        continue;
      if ((filter.state && incident.state != *filter.state) ||
          (filter.severity && incident.severity != *filter.severity) ||
          (!filter.service.empty() && incident.service != filter.service) ||
          (filter.since && incident.created_at < *filter.since) ||
          (filter.until && incident.created_at >= *filter.until) ||
          (!filter.include_tests && incident.test)) {
        continue;
      }
      if (page.incidents.size() == filter.limit) {
        page.next_before_id = page.incidents.back().id;
        break;
      }
      page.incidents.push_back(incident);
    }
    return page;
  }

  Answer<IncidentDetail> get(std::int64_t id) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    const auto found = incidents_.find(id);
    if (found == incidents_.end())
      return missing(id);
    IncidentDetail detail{found->second, {}, 0};
    if (const auto links = fingerprints_.find(id); links != fingerprints_.end())
      detail.alert_fingerprints = links->second;
    for (const auto& [action_id, item] : actions_) {
      if (item.incident_id == id && (item.status == incident::ActionStatus::kOpen ||
                                     item.status == incident::ActionStatus::kInProgress)) {
        ++detail.open_action_items;
      }
    }
    return detail;
  }

  Answer<incident::Incident> declare(const incident::Declaration& declaration,
                                     const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (declaration.title.size() > 200)
      return Refused{Refusal::kInvalid, "must be at most 200 characters", "title"};
    const TimePoint now = clock_.now();
    incident::Incident incident;
    incident.id = static_cast<std::int64_t>(incidents_.size()) + 1;
    incident.title = declaration.title;
    incident.summary = declaration.summary;
    incident.service = declaration.service;
    incident.severity = declaration.severity;
    incident.test = declaration.test;
    incident.labels = declaration.labels;
    incident.times.impact_started = declaration.impact_started.value_or(now);
    incident.times.detected = now;
    incident.created_at = incident.updated_at = now;
    incident.created_by = actor;
    if (!declaration.commander.empty()) {
      incident.roles.push_back(incident::RoleAssignment{
          std::string(incident::kRoleCommander), declaration.commander, now, std::nullopt, actor});
    }
    incidents_[incident.id] = incident;
    append(incident.id, incident::event_kind::kDeclared, declaration.title, {}, actor);
    return incident;
  }

  Answer<incident::Incident> update(std::int64_t id, std::int64_t expected_version,
                                    const incident::IncidentPatch& patch,
                                    const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    const auto found = incidents_.find(id);
    if (found == incidents_.end())
      return missing(id);
    incident::Incident& incident = found->second;
    if (conflicts_ > 0) {
      --conflicts_;
      ++incident.version;
    }
    if (incident.version != expected_version) {
      return Refused{Refusal::kConflict,
                     "incident " + std::to_string(id) + " is at version " +
                         std::to_string(incident.version) + ", not " +
                         std::to_string(expected_version) + "; read it again",
                     "version"};
    }
    const TimePoint now = clock_.now();
    bool changed = false;
    auto set = [&changed](auto& field, const auto& value) {
      if (value && field != *value) {
        field = *value;
        changed = true;
      }
    };
    if (patch.state && *patch.state != incident.state) {
      append(id, incident::event_kind::kStateChanged, "",
             {{"from", std::string(incident::to_string(incident.state))},
              {"to", std::string(incident::to_string(*patch.state))}},
             actor);
      if (incident.state == incident::State::kTriage && !incident.times.acknowledged)
        incident.times.acknowledged = now;
      if (*patch.state == incident::State::kResolved)
        incident.times.resolved = now;
    }
    set(incident.state, patch.state);
    set(incident.title, patch.title);
    set(incident.summary, patch.summary);
    set(incident.severity, patch.severity);
    set(incident.test, patch.test);
    for (auto [field, value] : {std::pair{&incident.times.impact_started, &patch.impact_started},
                                std::pair{&incident.times.detected, &patch.detected},
                                std::pair{&incident.times.acknowledged, &patch.acknowledged},
                                std::pair{&incident.times.mitigated, &patch.mitigated},
                                std::pair{&incident.times.resolved, &patch.resolved}}) {
      if (*value && *field != *value) {
        *field = *value;
        changed = true;
      }
    }
    for (const auto& [role, person] : patch.roles) {
      for (incident::RoleAssignment& assignment : incident.roles) {
        if (assignment.role == role && !assignment.until)
          assignment.until = now;
      }
      if (!person.empty())
        incident.roles.push_back(incident::RoleAssignment{role, person, now, std::nullopt, actor});
      append(id, incident::event_kind::kRoleChanged, "", {{"role", role}, {"to", person}}, actor);
      changed = true;
    }
    if (changed) {
      ++incident.version;
      incident.updated_at = now;
    }
    return incident;
  }

  Answer<std::vector<incident::TimelineEvent>> timeline(std::int64_t id, std::int64_t after_id,
                                                        std::size_t limit) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    std::vector<incident::TimelineEvent> page;
    for (const auto& [event_id, event] : events_) {
      if (event.incident_id == id && event_id > after_id && page.size() < limit)
        page.push_back(event);
    }
    return page;
  }

  Answer<incident::TimelineEvent> add_note(std::int64_t id, const std::string& text, bool pinned,
                                           const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    incident::TimelineEvent& note = append(id, incident::event_kind::kNote, text, {}, actor);
    note.pinned = pinned;
    return note;
  }

  Answer<incident::TimelineEvent> edit_note(std::int64_t id, std::int64_t event_id,
                                            int expected_revision,
                                            const std::optional<std::string>& text,
                                            std::optional<bool> pinned,
                                            const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    const auto found = events_.find(event_id);
    if (found == events_.end() || found->second.incident_id != id) {
      return Refused{Refusal::kNotFound,
                     "incident " + std::to_string(id) + " has no event " + std::to_string(event_id),
                     "event"};
    }
    incident::TimelineEvent& note = found->second;
    if (note.kind != incident::event_kind::kNote)
      return Refused{Refusal::kInvalid, "only notes can be edited", "event"};
    if (expected_revision != 0 && expected_revision != note.revision)
      return Refused{Refusal::kConflict, "the note changed; read it again", "revision"};
    if (text && *text != note.text) {
      revisions_[event_id].push_back({event_id, note.revision, note.text, note.actor, note.at});
      note.text = *text;
      ++note.revision;
    }
    if (pinned)
      note.pinned = *pinned;
    return note;
  }

  Answer<std::vector<incident::NoteRevision>> note_revisions(std::int64_t id,
                                                             std::int64_t event_id) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    const auto found = revisions_.find(event_id);
    if (found == revisions_.end())
      return std::vector<incident::NoteRevision>{};
    return found->second;
  }

  Answer<std::vector<incident::ActionItem>> actions(std::int64_t id) const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    std::vector<incident::ActionItem> items;
    for (const auto& [action_id, item] : actions_) {
      if (item.incident_id == id)
        items.push_back(item);
    }
    return items;
  }

  Answer<incident::ActionItem> add_action(std::int64_t id, const incident::ActionDraft& draft,
                                          const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    if (!draft.ticket_url.empty() && draft.ticket_url.rfind("http", 0) != 0)
      return Refused{Refusal::kInvalid, "must be an http(s):// link", "ticket_url"};
    const TimePoint now = clock_.now();
    incident::ActionItem item;
    item.id = static_cast<std::int64_t>(actions_.size()) + 1;
    item.incident_id = id;
    item.title = draft.title;
    item.owner = draft.owner;
    item.due = draft.due;
    item.priority = draft.priority;
    item.type = draft.type;
    item.ticket_url = draft.ticket_url;
    item.created_at = item.updated_at = now;
    item.created_by = actor;
    actions_[item.id] = item;
    return item;
  }

  Answer<incident::ActionItem> update_action(std::int64_t id, std::int64_t action_id,
                                             std::int64_t expected_version,
                                             const incident::ActionPatch& patch,
                                             const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (unavailable_)
      return down();
    if (!incidents_.count(id))
      return missing(id);
    const auto found = actions_.find(action_id);
    if (found == actions_.end() || found->second.incident_id != id) {
      return Refused{
          Refusal::kNotFound,
          "incident " + std::to_string(id) + " has no action item " + std::to_string(action_id),
          "action"};
    }
    incident::ActionItem& item = found->second;
    if (item.version != expected_version)
      return Refused{Refusal::kConflict, "the action item changed; read it again", "version"};
    if (patch.title)
      item.title = *patch.title;
    if (patch.owner)
      item.owner = *patch.owner;
    if (patch.due)
      item.due = *patch.due;
    if (patch.priority)
      item.priority = *patch.priority;
    if (patch.type)
      item.type = *patch.type;
    if (patch.status)
      item.status = *patch.status;
    if (patch.ticket_url)
      item.ticket_url = *patch.ticket_url;
    ++item.version;
    item.updated_at = clock_.now();
    return item;
  }

  Answer<std::vector<incident::ActionItem>> overdue_actions() const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    std::vector<incident::ActionItem> items;
    for (const auto& [action_id, item] : actions_) {
      if (incident::is_overdue(item, clock_.now()))
        items.push_back(item);
    }
    return items;
  }

  Answer<std::vector<incident::SeverityStats>> stats() const override {
    std::lock_guard lock(mutex_);
    if (unavailable_)
      return down();
    return stats_;
  }

 private:
  static Refused down() { return Refused{Refusal::kUnavailable, "database is locked", ""}; }
  static Refused missing(std::int64_t id) {
    return Refused{Refusal::kNotFound, "no incident " + std::to_string(id), "id"};
  }

  incident::TimelineEvent& append(std::int64_t id, std::string_view kind, std::string text,
                                  Labels fields, const std::string& actor) {
    incident::TimelineEvent event;
    event.id = static_cast<std::int64_t>(events_.size()) + 1;
    event.incident_id = id;
    event.at = clock_.now();
    event.actor = actor;
    event.kind = std::string(kind);
    event.text = std::move(text);
    event.fields = std::move(fields);
    return events_[event.id] = std::move(event);
  }

  const Clock& clock_;
  mutable std::mutex mutex_;
  mutable IncidentFilter last_filter_;
  std::string last_actor_;
  bool unavailable_ = false;
  int conflicts_ = 0;
  std::vector<incident::SeverityStats> stats_;
  std::map<std::int64_t, std::vector<std::string>> fingerprints_;
  std::map<std::int64_t, incident::Incident> incidents_;
  std::map<std::int64_t, incident::TimelineEvent> events_;
  std::map<std::int64_t, std::vector<incident::NoteRevision>> revisions_;
  std::map<std::int64_t, incident::ActionItem> actions_;
};

}  // namespace sloe::api::testing

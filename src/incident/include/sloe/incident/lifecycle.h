// The rules that change an incident: declaring one, editing it (state, severity, roles, times),
// adding notes and action items. Each rule validates its input completely, then returns the new
// record together with the timeline events that describe the change; nothing is half-applied.
// The caller (app::IncidentService) checks versions and persists the result in one transaction.
//
// Pure functions of their arguments: `now` and `actor` come from the caller; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sloe/incident/model.h"

namespace sloe::incident {

// A request field that cannot be accepted: field is the JSON/CLI name ("state", "roles.scribe",
// "due"), message says why and what would be accepted.
struct Invalid {
  std::string field;
  std::string message;
};
template <typename T>
using Checked = std::variant<T, Invalid>;

// A new or changed record and the events to append for it (ids and incident_id of the events
// are left 0 for the store to fill in when the incident is new).
template <typename Record>
struct Change {
  Record record;
  std::vector<TimelineEvent> events;
};

struct Declaration {
  std::string title;  // required, 1..200 characters
  std::string summary;
  std::string service;
  Severity severity = Severity::kSev3;
  std::optional<TimePoint> impact_started;  // default: now
  bool test = false;
  Labels labels;
  std::string commander;  // optional: assigned at once
};

// A responder declares an incident: state triage, detected = now, one kDeclared event (and a
// kRoleChanged event when a commander is named). The store assigns the id. With a service, the
// dedup_key is the default policy's ("page/service=<service>") so the service's pages join it; a
// caller with other policies may re-key it. impact_started after now is refused.
Checked<Change<Incident>> declare(const Declaration& declaration, std::string_view actor,
                                  TimePoint now);

// Only the fields that are set change. roles: role name → person, "" to unassign. Role names are
// commander, scribe, communications or a custom [a-z0-9_-]{1,40}; a person is 1..100 characters.
struct IncidentPatch {
  std::optional<std::string> title;
  std::optional<std::string> summary;
  std::optional<State> state;
  std::optional<Severity> severity;
  std::optional<bool> test;
  std::optional<TimePoint> impact_started;
  std::optional<TimePoint> detected;
  std::optional<TimePoint> acknowledged;
  std::optional<TimePoint> mitigated;
  std::optional<TimePoint> resolved;
  std::vector<std::pair<std::string, std::string>> roles;
};

// Applies patch to current at now. State rules:
//   - any open state → any open state or resolved; resolved → closed or any open state
//     (reopened); closed → any open state (reopened); a state to itself is a no-op.
//   - leaving triage sets acknowledged (if unset); entering monitoring or resolved sets mitigated
//     (if unset); entering resolved sets resolved; entering closed sets closed; reopening clears
//     resolved and closed (the old times stay on the timeline).
// Explicit timestamps in the patch win over derived ones. Timestamps must be in order where both
// are set: impact_started ≤ detected ≤ acknowledged, impact_started ≤ mitigated ≤ resolved.
// Every change yields one event (kStateChanged, kSeverityChanged, kRoleChanged, kFieldChanged
// with field/from/to); version +1 and updated_at = now when anything changed. An empty or no-op
// patch returns current unchanged with no events. Times the state change derived are part of its
// kStateChanged event (fields "acknowledged", "mitigated", "resolved", "closed": the new time, ""
// when cleared); an explicit time is its own kFieldChanged event. An explicit resolved is refused
// unless the incident is (or becomes) resolved or closed. Times in fields are RFC 3339, millis.
Checked<Change<Incident>> apply_patch(const Incident& current, const IncidentPatch& patch,
                                      std::string_view actor, TimePoint now);

// A note for the timeline (kNote). text: 1..65536 bytes after trimming.
Checked<TimelineEvent> new_note(std::int64_t incident_id, const std::string& text, bool pinned,
                                std::string_view actor, TimePoint now);

struct ActionDraft {
  std::string title;  // required, 1..200 characters
  std::string owner;
  std::optional<TimePoint> due;
  Priority priority = Priority::kP3;
  ActionType type = ActionType::kCorrective;
  std::string ticket_url;  // empty or http(s)://
};

// A new action item (status open) and its kActionItem event (change=created, title, owner,
// priority, type, status, due, ticket_url). The caller adds fields["action_id"] once the store
// has assigned the id.
Checked<Change<ActionItem>> new_action(std::int64_t incident_id, const ActionDraft& draft,
                                       std::string_view actor, TimePoint now);

struct ActionPatch {
  std::optional<std::string> title;
  std::optional<std::string> owner;
  std::optional<std::optional<TimePoint>> due;  // set to nullopt to clear the due date
  std::optional<Priority> priority;
  std::optional<ActionType> type;
  std::optional<ActionStatus> status;
  std::optional<std::string> ticket_url;
};

// Applies patch; one kActionItem event naming what changed: fields action_id, change=updated,
// changed (comma-separated field names) and <field>_from / <field>_to for each. A new due date
// clears reminded_at. A no-op patch returns current with no event.
Checked<Change<ActionItem>> apply_action_patch(const ActionItem& current, const ActionPatch& patch,
                                               std::string_view actor, TimePoint now);

}  // namespace sloe::incident

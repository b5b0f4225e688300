// The incident record: what responders work in during an incident and what the postmortem is
// written from. Plain data (no I/O); the lifecycle rules that change it are in lifecycle.h, the
// durable copy in store/incident_store.h.
//
// Times are UTC instants (TimePoint); persisted and rendered with millisecond precision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/labels.h"

namespace sloe::incident {

// triage → investigating → identified → monitoring → resolved → closed. Any open state may move
// to any other open state or to resolved; resolved may be reopened (to any open state) or closed;
// closed may be reopened. See lifecycle.h for the exact rules.
enum class State { kTriage, kInvestigating, kIdentified, kMonitoring, kResolved, kClosed };
// SEV1 is the most severe.
enum class Severity { kSev1 = 1, kSev2 = 2, kSev3 = 3, kSev4 = 4 };

// "triage", "investigating", ... / "SEV1".."SEV4". parse_* accept exactly these spellings
// (severity also lower-case "sev1"); nullopt otherwise.
std::string_view to_string(State state);
std::string_view to_string(Severity severity);
std::optional<State> parse_state(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);
// True for triage .. monitoring: an incident that alerts may still join.
bool is_open(State state);

// The role names sloe knows; any other [a-z0-9_-]{1,40} name is a custom role.
inline constexpr std::string_view kRoleCommander = "commander";
inline constexpr std::string_view kRoleScribe = "scribe";
inline constexpr std::string_view kRoleCommunications = "communications";

// One period during which a person held a role. Still held while `until` is unset.
struct RoleAssignment {
  std::string role;
  std::string person;
  TimePoint since{};
  std::optional<TimePoint> until;
  std::string assigned_by;
};

// The moments responders and the metrics care about. impact_started defaults to the first alert's
// startsAt (or the declaration time); detected to when sloe opened the incident (or the time the
// responder declared it); the others are set by state changes (lifecycle.h) or edited.
struct Timestamps {
  std::optional<TimePoint> impact_started;
  std::optional<TimePoint> detected;
  std::optional<TimePoint> acknowledged;
  std::optional<TimePoint> mitigated;
  std::optional<TimePoint> resolved;
  std::optional<TimePoint> closed;
};

struct Incident {
  std::int64_t id = 0;  // assigned by the store, 1, 2, 3...
  std::string title;
  std::string summary;
  std::string service;  // may be empty (declared without a service)
  State state = State::kTriage;
  Severity severity = Severity::kSev3;
  bool test = false;  // test incidents are excluded from the response-time metrics
  Timestamps times;
  std::vector<RoleAssignment> roles;  // full history, oldest first; current = those without until
  Labels labels;                      // e.g. the labels of the alert that opened it
  // Open incidents are unique per dedup_key (policy name + service, see policy.h); empty for a
  // declared incident, which never absorbs alerts unless it names a service.
  std::string dedup_key;
  std::int64_t version = 1;  // +1 on every change to this row; PATCH carries it (409 when stale)
  TimePoint created_at{};
  TimePoint updated_at{};
  std::string created_by;  // actor: token name, "sloe" for automatic opening
};

// Who holds role now; nullopt when nobody does.
std::optional<std::string> current_holder(const Incident& incident, std::string_view role);

// Timeline event kinds. The payload of each kind is described next to it (fields of TimelineEvent).
namespace event_kind {
inline constexpr std::string_view kDeclared = "incident_declared";     // text: title
inline constexpr std::string_view kOpenedByAlert = "incident_opened";  // fields: alertname, ...
inline constexpr std::string_view kAlertFired = "alert_fired";         // fields: alert labels
inline constexpr std::string_view kAlertResolved = "alert_resolved";   // fields: alert labels
inline constexpr std::string_view kNotificationSent = "notification_sent";  // receiver, ...
inline constexpr std::string_view kNotificationFailed = "notification_failed";
inline constexpr std::string_view kNotificationAcknowledged = "notification_acknowledged";
inline constexpr std::string_view kStateChanged = "state_changed";        // fields: from, to
inline constexpr std::string_view kSeverityChanged = "severity_changed";  // fields: from, to
inline constexpr std::string_view kRoleChanged = "role_changed";          // fields: role, from, to
inline constexpr std::string_view kFieldChanged = "field_changed";        // fields: field, from, to
inline constexpr std::string_view kNote = "note";                         // text: the note
inline constexpr std::string_view kNoteEdited = "note_edited";            // fields: note_id
inline constexpr std::string_view kRunbookStep = "runbook_step";  // fields: runbook, step, result
inline constexpr std::string_view kActionItem = "action_item";    // fields: action_id, change
}  // namespace event_kind

// One entry of an incident's append-only timeline. Only a note's text and pinned flag change after
// it is written (every earlier text is kept as a NoteRevision).
struct TimelineEvent {
  std::int64_t id = 0;  // assigned by the store; increases with insertion order
  std::int64_t incident_id = 0;
  TimePoint at{};       // when it happened (UTC)
  std::string actor;    // token name, "sloe", or the receiver/alert source
  std::string kind;     // one of event_kind
  std::string text;     // human-readable, already redacted
  Labels fields;        // structured payload, already redacted
  bool pinned = false;  // a key moment (notes; shown first in the postmortem)
  int revision = 1;     // notes: 1 + number of edits
};

struct NoteRevision {
  std::int64_t event_id = 0;
  int revision = 1;
  std::string text;
  std::string edited_by;
  TimePoint edited_at{};
};

enum class ActionType { kDetective, kPreventive, kCorrective };
enum class ActionStatus { kOpen, kInProgress, kDone, kWontDo };
enum class Priority { kP1 = 1, kP2 = 2, kP3 = 3, kP4 = 4 };
// "detective"/"preventive"/"corrective", "open"/"in_progress"/"done"/"wont_do", "P1".."P4".
std::string_view to_string(ActionType type);
std::string_view to_string(ActionStatus status);
std::string_view to_string(Priority priority);
std::optional<ActionType> parse_action_type(std::string_view text);
std::optional<ActionStatus> parse_action_status(std::string_view text);
std::optional<Priority> parse_priority(std::string_view text);

struct ActionItem {
  std::int64_t id = 0;  // assigned by the store, unique across incidents
  std::int64_t incident_id = 0;
  std::string title;
  std::string owner;  // a person (user name from alerts/oncall.yaml, or free text)
  std::optional<TimePoint> due;
  Priority priority = Priority::kP3;
  ActionType type = ActionType::kCorrective;
  ActionStatus status = ActionStatus::kOpen;
  std::string ticket_url;  // external tracker link, may be empty
  std::int64_t version = 1;
  TimePoint created_at{};
  TimePoint updated_at{};
  std::string created_by;
  std::optional<TimePoint> reminded_at;  // last due reminder sent
};

// Overdue: due before now and neither done nor won't-do.
bool is_overdue(const ActionItem& item, TimePoint now);

}  // namespace sloe::incident

// JSON mapping of the incident endpoints (private to the api module; nlohmann/json stays in the
// .cpp). This comment is the API reference of the incident resources.
//
// Conventions
//   - Keys are snake_case. Times are RFC 3339 UTC with milliseconds ("2026-11-23T10:00:00.000Z");
//     a request may write any RFC 3339 time with an offset. An absent optional value is null.
//   - Every refused request is {"error": {"message": "...", "field": "..."}}; field names the JSON
//     key or query parameter at fault ("title", "times.mitigated", "roles.scribe", "limit"), "id"
//     for an unknown incident, and is absent when the body as a whole is at fault.
//   - Request bodies are JSON objects; unknown keys are refused (with a did-you-mean), so a
//     misspelt field is never silently ignored.
//
// Incident
//   {"id": 7, "title": "...", "summary": "...", "service": "checkout", "state": "investigating",
//    "severity": "SEV2", "test": false, "version": 3, "labels": {"team": "payments"},
//    "times": {"impact_started", "detected", "acknowledged", "mitigated", "resolved", "closed"},
//    "roles": {"commander": "alice", ...}                      (current holders only),
//    "role_history": [{"role", "person", "since", "until", "assigned_by"}, ...]  (oldest first),
//    "created_at", "updated_at", "created_by",
//    "response_times": {"to_detect_seconds", "to_acknowledge_seconds", "to_mitigate_seconds",
//                       "to_resolve_seconds"}}                (numbers or null, see metrics.h)
//   GET /api/v1/incidents/{id} adds "alert_fingerprints": ["16 hex digits", ...] and
//   "open_action_items": N.
//   States: triage investigating identified monitoring resolved closed. Severities: SEV1..SEV4.
//
// Incident list: {"incidents": [Incident...], "next": "<cursor>" or null}; pass the cursor back
//   as ?before= for the next (older) page.
//
// Timeline: {"events": [Event...], "next": "<after cursor>" or null}
//   Event: {"id", "at", "actor", "kind", "text", "fields": {...}, "pinned", "revision"}
//   Note revisions: {"revisions": [{"event_id", "revision", "text", "edited_by", "edited_at"}]}
//
// Action item: {"id", "incident_id", "title", "owner", "due", "priority": "P1".."P4",
//   "type": "detective"|"preventive"|"corrective", "status": "open"|"in_progress"|"done"|"wont_do",
//   "ticket_url", "version", "created_at", "updated_at", "created_by", "overdue": bool}
//   Lists: {"actions": [Action...]}.
//
// Stats: {"severities": [{"severity": "SEV1", "incidents": N,
//   "to_detect": {"count", "median_seconds", "p90_seconds"}, "to_acknowledge": {...},
//   "to_mitigate": {...}, "to_resolve": {...}}, ...]}   (SEV1..SEV4, test incidents excluded)
//
// Requests
//   POST  /api/v1/incidents   {"title" (required), "severity" (default "SEV3"), "summary",
//                              "service", "impact_started", "test", "labels": {}, "commander"}
//   PATCH /api/v1/incidents/{id}   {"version" (required integer), "title", "summary", "state",
//                              "severity", "test", "times": {"impact_started", "detected",
//                              "acknowledged", "mitigated", "resolved"},
//                              "roles": {"scribe": "bob", "commander": ""}}  ("" unassigns)
//   POST  /api/v1/incidents/{id}/timeline   {"text" (required), "pinned"}
//   PATCH /api/v1/incidents/{id}/timeline/{event}   {"text", "pinned", "revision"} (at least one
//                              of text/pinned; revision, when given, must be the note's current)
//   POST  /api/v1/incidents/{id}/actions   {"title" (required), "owner", "due", "priority",
//                              "type", "ticket_url"}
//   PATCH /api/v1/incidents/{id}/actions/{action}   {"version" (required integer), "title",
//                              "owner", "due" (null clears it), "priority", "type", "status",
//                              "ticket_url"}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert_json.h"  // FieldError, Parsed
#include "sloe/api/incidents.h"

namespace sloe::api {

struct IncidentUpdate {
  std::int64_t version = 0;
  incident::IncidentPatch patch;
};

struct NoteRequest {
  std::string text;
  bool pinned = false;
};

struct NoteEdit {
  int expected_revision = 0;  // 0: not checked
  std::optional<std::string> text;
  std::optional<bool> pinned;
};

struct ActionUpdate {
  std::int64_t version = 0;
  incident::ActionPatch patch;
};

// Each parser validates the whole body (types, spellings, RFC 3339 times) before returning; rules
// that need the stored record (title length, state transitions, time order) are the service's.
Parsed<incident::Declaration> parse_declaration(std::string_view body);
Parsed<IncidentUpdate> parse_incident_update(std::string_view body);
Parsed<NoteRequest> parse_note_request(std::string_view body);
Parsed<NoteEdit> parse_note_edit(std::string_view body);
Parsed<incident::ActionDraft> parse_action_draft(std::string_view body);
Parsed<ActionUpdate> parse_action_update(std::string_view body);

std::string incident_json(const incident::Incident& incident);
std::string incident_detail_json(const IncidentDetail& detail);
std::string incident_list_json(const IncidentList& list);
// next_after: the cursor for the following page, 0 when this is the last one.
std::string timeline_json(const std::vector<incident::TimelineEvent>& events,
                          std::int64_t next_after);
std::string event_json(const incident::TimelineEvent& event);
std::string revisions_json(const std::vector<incident::NoteRevision>& revisions);
// now decides "overdue".
std::string action_json(const incident::ActionItem& item, TimePoint now);
std::string actions_json(const std::vector<incident::ActionItem>& items, TimePoint now);
std::string stats_json(const std::vector<incident::SeverityStats>& stats);

}  // namespace sloe::api

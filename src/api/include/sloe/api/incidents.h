// The interface the incident endpoints call, so the HTTP layer stays thin: handlers parse and
// validate a request completely (400 naming the field), then hand typed values to an
// IncidentService and map its answer to a status code. The durable implementation is
// app::IncidentService; tests substitute their own.
//
// Endpoints (ApiServer::set_incident_routes):
//   GET   /api/v1/incidents   ?state=&severity=&service=&since=&until=&tests=&limit=&before=
//   POST  /api/v1/incidents                 declare               → 201
//   GET   /api/v1/incidents/{id}
//   PATCH /api/v1/incidents/{id}            {"version": N, ...}   → 409 when N is stale
//   GET   /api/v1/incidents/{id}/timeline   ?after=&limit=
//   POST  /api/v1/incidents/{id}/timeline   a note                → 201
//   PATCH /api/v1/incidents/{id}/timeline/{event}   edit a note's text / pinned (history kept)
//   GET   /api/v1/incidents/{id}/timeline/{event}/revisions
//   GET   /api/v1/incidents/{id}/actions
//   POST  /api/v1/incidents/{id}/actions    → 201
//   PATCH /api/v1/incidents/{id}/actions/{action}   {"version": N, ...}  → 409 when stale
//   GET   /api/v1/actions/overdue           action items past due, across incidents
//   GET   /api/v1/incidents/stats           response-time median/p90 per severity
//
// Bodies and answers: src/api/incident_json.h.
// Every method gets the actor (the authenticated token's name) for the record.
// A mutating call returns only after its writes are durable: a 2xx answer survives kill -9.
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sloe/api/alert_intake.h"  // Refusal, Refused, Answer
#include "sloe/core/clock.h"
#include "sloe/incident/lifecycle.h"
#include "sloe/incident/metrics.h"
#include "sloe/incident/model.h"

namespace sloe::api {

struct IncidentFilter {
  std::optional<incident::State> state;
  std::optional<incident::Severity> severity;
  std::string service;
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  bool include_tests = true;
  std::int64_t before_id = 0;  // cursor from the previous page; 0: newest first
  std::size_t limit = 50;      // 1..1000
};

struct IncidentList {
  std::vector<incident::Incident> incidents;
  std::int64_t next_before_id = 0;  // 0: last page
};

// The full picture of one incident for GET /api/v1/incidents/{id}.
struct IncidentDetail {
  incident::Incident incident;
  std::vector<std::string> alert_fingerprints;  // linked alerts (16 hex digits)
  std::size_t open_action_items = 0;
};

class IncidentService {
 public:
  virtual ~IncidentService() = default;

  virtual Answer<IncidentList> list(const IncidentFilter& filter) const = 0;
  virtual Answer<IncidentDetail> get(std::int64_t id) const = 0;
  // kInvalid (field in message) / kUnavailable.
  virtual Answer<incident::Incident> declare(const incident::Declaration& declaration,
                                             const std::string& actor) = 0;
  // kNotFound, kInvalid, kConflict (expected_version is not the stored version).
  virtual Answer<incident::Incident> update(std::int64_t id, std::int64_t expected_version,
                                            const incident::IncidentPatch& patch,
                                            const std::string& actor) = 0;

  virtual Answer<std::vector<incident::TimelineEvent>> timeline(std::int64_t id,
                                                                std::int64_t after_id,
                                                                std::size_t limit) const = 0;
  virtual Answer<incident::TimelineEvent> add_note(std::int64_t id, const std::string& text,
                                                   bool pinned, const std::string& actor) = 0;
  // text/pinned: only what is set changes. expected_revision: 0 to skip the check, else
  // kConflict when the note's revision differs.
  virtual Answer<incident::TimelineEvent> edit_note(std::int64_t id, std::int64_t event_id,
                                                    int expected_revision,
                                                    const std::optional<std::string>& text,
                                                    std::optional<bool> pinned,
                                                    const std::string& actor) = 0;
  virtual Answer<std::vector<incident::NoteRevision>> note_revisions(
      std::int64_t id, std::int64_t event_id) const = 0;

  virtual Answer<std::vector<incident::ActionItem>> actions(std::int64_t id) const = 0;
  virtual Answer<incident::ActionItem> add_action(std::int64_t id,
                                                  const incident::ActionDraft& draft,
                                                  const std::string& actor) = 0;
  virtual Answer<incident::ActionItem> update_action(std::int64_t id, std::int64_t action_id,
                                                     std::int64_t expected_version,
                                                     const incident::ActionPatch& patch,
                                                     const std::string& actor) = 0;
  virtual Answer<std::vector<incident::ActionItem>> overdue_actions() const = 0;

  virtual Answer<std::vector<incident::SeverityStats>> stats() const = 0;
};

struct IncidentRoutes {
  IncidentService* incidents = nullptr;  // required; must outlive the server
  const Clock* clock = nullptr;          // required
};

}  // namespace sloe::api

// JSON mapping of the runbook endpoints (private to the api module; nlohmann/json stays in the
// .cpp). This comment is the API reference of the runbook resources; conventions as in
// incident_json.h (snake_case keys, RFC 3339 UTC times with milliseconds, null for an absent
// optional value, errors as {"error": {"message", "field"}}).
//
// Runbook
//   {"name": "slo-fast-burn", "title": "...", "file": "runbooks/slo-fast-burn.md",
//    "url": "/runbooks/slo-fast-burn"                       (the HTML page),
//    "applies_to": {"matchers": ["alertname=\"ErrorBudgetBurn\"", "severity=~\"page|ticket\""],
//                   "services": ["checkout"], "severities": ["SEV1", "SEV2"]},
//    "triggers": ["open", "severity_change"],
//    "recovery": {"rpo": "24h" | null, "rto": "1h" | null},
//    "steps": [Step...]}
//   GET /api/v1/runbooks/{name} adds "sections": {"meaning", "impact", "diagnosis", "mitigation"}
//   (Markdown text, "" when the file has no such section).
// Step
//   {"index": 1, "id": "check-health", "title": "...", "description": "Markdown",
//    "kind": "manual" | "http" | "command" | "notify" | "approval", "automated": bool, and by kind:
//    http:     "method", "url", "header_names": ["Authorization", ...] (never the values: they
//              may be credentials), "expect_status": ["200-299", "304"], "timeout": "10s"
//    command:  "program", "args": [...], "timeout": "30s"
//    notify:   "receiver", "message"
//    approval: "prompt", "expires": "30m"}
// Runbook list: {"runbooks": [Runbook...]} (without "sections").
//
// Run (GET/POST /api/v1/incidents/{id}/runbooks, the step actions)
//   {"id": 3, "incident_id": 7, "runbook": "slo-fast-burn", "trigger": "open" | "severity_change"
//    | "manual", "state": "active" | "waiting_approval" | "blocked" | "completed",
//    "started_by": "sloe", "created_at", "updated_at", "version": 4,
//    "steps": [{"index": 1, "id", "state": "pending" | "running" | "succeeded" | "failed" |
//               "waiting_approval" | "rejected" | "expired" | "done" | "skipped",
//               "attempts", "started_at", "finished_at", "expires_at", "actor", "output",
//               "error", "status_code"}]}
// Run list: {"runs": [Run...]} (oldest first, as the service returns them).
//
// Requests
//   POST /api/v1/incidents/{id}/runbooks   {"runbook": NAME (required)}
//   POST /api/v1/incidents/{id}/runbooks/{run}/steps/{step}/{action}   no body (or {})
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert_json.h"  // FieldError, Parsed
#include "sloe/runbook/model.h"
#include "sloe/runbook/run.h"

namespace sloe::api {

// "/runbooks/NAME": the HTML page of the runbook, relative to the server's base URL.
std::string runbook_page_path(const std::string& name);

// Expected statuses as written: "200-299" for a range, "304" for one code; the default range
// when the step lists none.
std::vector<std::string> expected_statuses(const runbook::HttpStep& step);

std::string runbook_json(const runbook::Runbook& book);  // with sections
std::string runbook_list_json(const std::vector<runbook::Runbook>& books);
std::string run_json(const runbook::Run& run);
std::string runs_json(const std::vector<runbook::Run>& runs);

// The runbook name of a start request.
Parsed<std::string> parse_start_request(std::string_view body);
// A step action takes no body: empty, or an empty JSON object. nullopt when acceptable.
std::optional<FieldError> check_no_body(std::string_view body);

}  // namespace sloe::api

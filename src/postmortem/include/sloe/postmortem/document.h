// A postmortem: the incident record turned into the document a team reviews — header, summary,
// impact (duration, and per affected SLO the error budget consumed during the incident and left
// after it), detection, response timeline (UTC, optionally a second time zone), root cause and
// contributing factors, resolution, what went well / wrong / where we got lucky, action items and
// supporting links.
//
// Plain data and pure functions (no I/O, no clock): build() assembles a Document from values the
// caller read; the JSON export is this Document as JSON (api/postmortem_json), and the Markdown and
// HTML exports are Mustache templates rendered with that JSON as their context (app/postmortem_
// render), so a replacement template sees exactly the fields documented here. Every display string
// (times, durations, percentages) is formatted here, because Mustache templates have no logic.
//
// Redaction: every text reaching build() was redacted when it was stored; build() adds no text of
// its own from outside the record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"

namespace sloe::postmortem {

// The parts only people can write, kept per incident (PUT /api/v1/incidents/{id}/postmortem).
struct Narrative {
  std::string summary;  // empty: the incident's summary is used
  std::string root_cause;
  std::vector<std::string> contributing_factors;
  std::string resolution;
  std::vector<std::string> went_well;
  std::vector<std::string> went_wrong;
  std::vector<std::string> got_lucky;
  std::vector<std::string> links;    // supporting links (dashboards, tickets, chat)
  std::vector<std::string> authors;  // empty: the people on the timeline (actors other than sloe)
  std::int64_t version = 0;          // 0: never written; +1 on every write (409 when stale)
  std::string updated_by;
  std::optional<TimePoint> updated_at;
};

// Good/total events of one SLO, as its SLI windows hold them.
struct SloCounts {
  double good = 0;
  double total = 0;
};

// What the caller knows of one SLO affected by the incident: its objective and the counts over
// the incident window [impact start, resolved or now] and over the SLO window ending there.
struct SloInput {
  std::string name;
  std::string service;
  double objective = 0.999;  // ratio
  Duration window{};         // the SLO window (e.g. 30d)
  SloCounts during_incident;
  SloCounts window_at_end;  // the whole SLO window ending at the incident's end
  bool has_data = false;    // false: counts unknown (e.g. history older than retention)
};

struct SloImpact {
  std::string name;
  std::string service;
  std::string objective;             // "99.9%"
  std::string window;                // "30d"
  double budget_consumed_ratio = 0;  // bad during incident / allowed bad over the window at end
  double budget_left_ratio = 1;      // 1 - bad over window / allowed (may be negative)
  std::string budget_consumed;       // "42.0%"
  std::string budget_left;           // "-3.5%"
  std::string bad_events;            // during the incident, "1,234"
  std::string total_events;          // during the incident
  bool has_data = false;
};

// budget_consumed_ratio = bad(during) / ((1 - objective) * total(window_at_end)); 0 when the
// window holds no events. budget_left_ratio = 1 - bad(window_at_end) / ((1 - objective) *
// total(window_at_end)), 1 when it holds none. Never NaN or infinite.
SloImpact compute_impact(const SloInput& input);

struct TimelineRow {
  std::string at_utc;     // "2026-11-23 14:02:05 UTC"
  std::string at_second;  // same instant in the second zone ("15:02:05 CET"), empty without one
  std::string actor;
  std::string kind;  // timeline event kind
  std::string text;  // one line describing the event
  bool pinned = false;
};

struct ActionRow {
  std::int64_t id = 0;
  std::string title;
  std::string owner;
  std::string due;  // "2026-12-01" or ""
  std::string priority;
  std::string type;
  std::string status;
  std::string ticket_url;
  bool overdue = false;
};

struct Document {
  // header
  std::int64_t incident_id = 0;
  std::string title;
  std::string severity;  // "SEV2"
  std::string status;    // incident state
  std::string service;
  std::string commander;  // current or last holder; empty when none
  std::vector<std::string> authors;
  std::string started;  // impact started, UTC
  std::string detected;
  std::string acknowledged;
  std::string mitigated;
  std::string resolved;
  std::string generated_at;
  std::string second_zone;  // IANA name, empty when none
  // body
  std::string summary;
  std::string duration;  // impact start → resolved (or → generated_at while open), "1h 23m"
  std::vector<SloImpact> slos;
  std::string detection;  // how: "Alert ErrorBudgetBurn (slo=checkout-availability) …" / declared
  std::string time_to_detect;  // "" when unknown
  std::string time_to_acknowledge;
  std::string time_to_mitigate;
  std::string time_to_resolve;
  std::vector<TimelineRow> timeline;  // chronological; pinned rows flagged
  std::string root_cause;
  std::vector<std::string> contributing_factors;
  std::string resolution;
  std::vector<std::string> went_well;
  std::vector<std::string> went_wrong;
  std::vector<std::string> got_lucky;
  std::vector<ActionRow> actions;
  std::vector<std::string> links;
};

struct BuildInput {
  incident::Incident incident;
  std::vector<incident::TimelineEvent> timeline;
  std::vector<incident::ActionItem> actions;
  Narrative narrative;
  std::vector<SloInput> slos;
  TimePoint now{};
  std::string second_zone;  // IANA name or empty
};

// Errors only for an unknown second_zone (message names it).
Result<Document> build(const BuildInput& input);

}  // namespace sloe::postmortem

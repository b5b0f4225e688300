#include "incident_json.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "sloe/core/labels.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"
#include "sloe/incident/metrics.h"

namespace sloe::api {
namespace {

using nlohmann::json;
// A parse step's failure; nullopt when the step succeeded.
using Problem = std::optional<FieldError>;

constexpr std::size_t kMaxRoleName = 40;

const std::vector<std::string> kDeclarationKeys{
    "title", "severity", "summary", "service", "impact_started", "test", "labels", "commander"};
const std::vector<std::string> kIncidentPatchKeys{"version",  "title", "summary", "state",
                                                  "severity", "test",  "times",   "roles"};
const std::vector<std::string> kPatchableTimes{"impact_started", "detected", "acknowledged",
                                               "mitigated", "resolved"};
const std::vector<std::string> kNoteKeys{"text", "pinned"};
const std::vector<std::string> kNoteEditKeys{"text", "pinned", "revision"};
const std::vector<std::string> kActionDraftKeys{"title",    "owner", "due",
                                                "priority", "type",  "ticket_url"};
const std::vector<std::string> kActionPatchKeys{"version",  "title", "owner",  "due",
                                                "priority", "type",  "status", "ticket_url"};

std::string time_text(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(time_text(*t)) : json(nullptr);
}

// Text held by the service may contain bytes that are not UTF-8 (a redacted note, an alert
// label); they are replaced rather than failing the whole answer.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

Parsed<json> parse_object(std::string_view body, std::string_view example) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return FieldError{"", "the body must be a JSON object such as " + std::string(example)};
  return parsed;
}

Problem reject_unknown_keys(const json& object, const std::vector<std::string>& allowed,
                            const std::string& prefix = "") {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
      continue;
    const std::string suggestion = closest_match(key, allowed);
    std::string message = "unknown field";
    if (suggestion.empty()) {
      message += " (expected one of: " + joined(allowed) + ")";
    } else {
      message += "; did you mean '" + prefix;
      message += suggestion + "'?";
    }
    return FieldError{prefix + key, message};
  }
  return std::nullopt;
}

std::string type_of(const json& value) {
  return value.type_name();
}

// The read_* steps leave `out` untouched when the key is absent.
Problem read_string(const json& object, const std::string& key, std::optional<std::string>& out,
                    const std::string& field) {
  const auto found = object.find(key);
  if (found == object.end())
    return std::nullopt;
  if (!found->is_string())
    return FieldError{field, "must be a string, not " + type_of(*found)};
  out = found->get<std::string>();
  return std::nullopt;
}

Problem read_string(const json& object, const std::string& key, std::optional<std::string>& out) {
  return read_string(object, key, out, key);
}

Problem read_string(const json& object, const std::string& key, std::string& out) {
  std::optional<std::string> value;
  if (Problem problem = read_string(object, key, value))
    return problem;
  if (value)
    out = std::move(*value);
  return std::nullopt;
}

Problem read_required_string(const json& object, const std::string& key, std::string& out) {
  if (!object.contains(key))
    return FieldError{key, "is required"};
  if (Problem problem = read_string(object, key, out))
    return problem;
  if (out.empty())
    return FieldError{key, "must not be empty"};
  return std::nullopt;
}

Problem read_bool(const json& object, const std::string& key, std::optional<bool>& out) {
  const auto found = object.find(key);
  if (found == object.end())
    return std::nullopt;
  if (!found->is_boolean())
    return FieldError{key, "must be true or false, not " + type_of(*found)};
  out = found->get<bool>();
  return std::nullopt;
}

Problem parse_time_value(const json& value, const std::string& field, TimePoint& out) {
  if (!value.is_string()) {
    return FieldError{
        field, "must be an RFC 3339 time such as \"2026-11-23T10:00:00Z\", not " + type_of(value)};
  }
  const std::string text = value.get<std::string>();
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    return FieldError{field, "'" + text + "' is not an RFC 3339 time with an offset " +
                                 "(e.g. 2026-11-23T10:00:00Z): " + parsed.error().message};
  }
  out = *parsed;
  return std::nullopt;
}

Problem read_time(const json& object, const std::string& key, std::optional<TimePoint>& out,
                  const std::string& field) {
  const auto found = object.find(key);
  if (found == object.end())
    return std::nullopt;
  TimePoint value{};
  if (Problem problem = parse_time_value(*found, field, value))
    return problem;
  out = value;
  return std::nullopt;
}

// A spelling from a fixed list, parsed with parse(); the message lists what is accepted.
template <typename Enum, typename Parse>
Problem read_choice(const json& object, const std::string& key, std::optional<Enum>& out,
                    Parse parse, std::string_view accepted) {
  const auto found = object.find(key);
  if (found == object.end())
    return std::nullopt;
  if (!found->is_string())
    return FieldError{key, "must be one of " + std::string(accepted) + ", not " + type_of(*found)};
  const std::string text = found->get<std::string>();
  const std::optional<Enum> value = parse(text);
  if (!value)
    return FieldError{key, "must be one of " + std::string(accepted) + ", not '" + text + "'"};
  out = *value;
  return std::nullopt;
}

Problem read_severity(const json& object, std::optional<incident::Severity>& out) {
  return read_choice(object, "severity", out, incident::parse_severity, "SEV1, SEV2, SEV3, SEV4");
}

// A required positive integer (a record's version).
Problem read_version(const json& object, const std::string& key, std::int64_t& out) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return FieldError{key,
                      "is required: the version you last read, so a concurrent edit is not "
                      "overwritten"};
  }
  const bool fits = found->is_number_integer() &&
                    (!found->is_number_unsigned() ||
                     found->get<std::uint64_t>() <=
                         static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  if (!fits || found->get<std::int64_t>() < 1)
    return FieldError{key, "must be a positive integer, not " + found->dump()};
  out = found->get<std::int64_t>();
  return std::nullopt;
}

bool is_role_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxRoleName)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Problem read_labels(const json& object, Labels& out) {
  const auto found = object.find("labels");
  if (found == object.end())
    return std::nullopt;
  if (!found->is_object())
    return FieldError{"labels", "must be an object of label name → string value"};
  for (const auto& [name, value] : found->items()) {
    if (!is_valid_label_name(name))
      return FieldError{"labels." + name, "is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)"};
    if (!value.is_string())
      return FieldError{"labels." + name, "must be a string, not " + type_of(value)};
    out.emplace(name, value.get<std::string>());
  }
  return std::nullopt;
}

Problem read_times(const json& object, incident::IncidentPatch& patch) {
  const auto found = object.find("times");
  if (found == object.end())
    return std::nullopt;
  if (!found->is_object())
    return FieldError{"times", "must be an object such as {\"mitigated\": \"2026-11-23T10:00Z\"}"};
  if (found->contains("closed")) {
    return FieldError{"times.closed",
                      "is set by moving the incident to state closed, not edited directly"};
  }
  if (Problem problem = reject_unknown_keys(*found, kPatchableTimes, "times."))
    return problem;
  const std::pair<const char*, std::optional<TimePoint>*> targets[] = {
      {"impact_started", &patch.impact_started},
      {"detected", &patch.detected},
      {"acknowledged", &patch.acknowledged},
      {"mitigated", &patch.mitigated},
      {"resolved", &patch.resolved},
  };
  for (const auto& [key, target] : targets) {
    if (Problem problem = read_time(*found, key, *target, std::string("times.") + key))
      return problem;
  }
  return std::nullopt;
}

Problem read_roles(const json& object, incident::IncidentPatch& patch) {
  const auto found = object.find("roles");
  if (found == object.end())
    return std::nullopt;
  if (!found->is_object()) {
    return FieldError{"roles",
                      "must be an object of role → person, e.g. {\"scribe\": \"bob\"} (\"\" "
                      "unassigns)"};
  }
  for (const auto& [role, person] : found->items()) {
    if (!is_role_name(role)) {
      return FieldError{"roles." + role,
                        "is not a role name: 1..40 of a-z, 0-9, '_' and '-' (commander, scribe, "
                        "communications, or a custom role)"};
    }
    if (!person.is_string()) {
      return FieldError{
          "roles." + role,
          "must be the person's name as a string (\"\" unassigns), not " + type_of(person)};
    }
    patch.roles.emplace_back(role, person.get<std::string>());
  }
  return std::nullopt;
}

Problem read_due(const json& object, std::optional<std::optional<TimePoint>>& out) {
  const auto found = object.find("due");
  if (found == object.end())
    return std::nullopt;
  if (found->is_null()) {
    out = std::optional<TimePoint>{};
    return std::nullopt;
  }
  TimePoint due{};
  if (Problem problem = parse_time_value(*found, "due", due))
    return problem;
  out = due;
  return std::nullopt;
}

json summary_json(const incident::Summary& summary) {
  if (summary.count == 0)
    return {{"count", 0}, {"median_seconds", nullptr}, {"p90_seconds", nullptr}};
  return {{"count", summary.count},
          {"median_seconds", summary.median_seconds},
          {"p90_seconds", summary.p90_seconds}};
}

json seconds_or_null(const std::optional<Duration>& figure) {
  if (!figure)
    return nullptr;
  return std::chrono::duration<double>(*figure).count();
}

json incident_object(const incident::Incident& incident) {
  const incident::Timestamps& t = incident.times;
  const incident::ResponseTimes times = incident::response_times(incident);
  json roles = json::object();
  json history = json::array();
  for (const incident::RoleAssignment& assignment : incident.roles) {
    if (!assignment.until)
      roles[assignment.role] = assignment.person;
    history.push_back({{"role", assignment.role},
                       {"person", assignment.person},
                       {"since", time_text(assignment.since)},
                       {"until", time_or_null(assignment.until)},
                       {"assigned_by", assignment.assigned_by}});
  }
  json labels = json::object();
  for (const auto& [name, value] : incident.labels)
    labels[name] = value;
  return {
      {"id", incident.id},
      {"title", incident.title},
      {"summary", incident.summary},
      {"service", incident.service},
      {"state", std::string(incident::to_string(incident.state))},
      {"severity", std::string(incident::to_string(incident.severity))},
      {"test", incident.test},
      {"version", incident.version},
      {"labels", std::move(labels)},
      {"times",
       {{"impact_started", time_or_null(t.impact_started)},
        {"detected", time_or_null(t.detected)},
        {"acknowledged", time_or_null(t.acknowledged)},
        {"mitigated", time_or_null(t.mitigated)},
        {"resolved", time_or_null(t.resolved)},
        {"closed", time_or_null(t.closed)}}},
      {"roles", std::move(roles)},
      {"role_history", std::move(history)},
      {"created_at", time_text(incident.created_at)},
      {"updated_at", time_text(incident.updated_at)},
      {"created_by", incident.created_by},
      {"response_times",
       {{"to_detect_seconds", seconds_or_null(times.to_detect)},
        {"to_acknowledge_seconds", seconds_or_null(times.to_acknowledge)},
        {"to_mitigate_seconds", seconds_or_null(times.to_mitigate)},
        {"to_resolve_seconds", seconds_or_null(times.to_resolve)}}},
  };
}

json event_object(const incident::TimelineEvent& event) {
  json fields = json::object();
  for (const auto& [name, value] : event.fields)
    fields[name] = value;
  return {{"id", event.id},         {"at", time_text(event.at)}, {"actor", event.actor},
          {"kind", event.kind},     {"text", event.text},        {"fields", std::move(fields)},
          {"pinned", event.pinned}, {"revision", event.revision}};
}

json action_object(const incident::ActionItem& item, TimePoint now) {
  return {{"id", item.id},
          {"incident_id", item.incident_id},
          {"title", item.title},
          {"owner", item.owner},
          {"due", time_or_null(item.due)},
          {"priority", std::string(incident::to_string(item.priority))},
          {"type", std::string(incident::to_string(item.type))},
          {"status", std::string(incident::to_string(item.status))},
          {"ticket_url", item.ticket_url},
          {"version", item.version},
          {"created_at", time_text(item.created_at)},
          {"updated_at", time_text(item.updated_at)},
          {"created_by", item.created_by},
          {"overdue", incident::is_overdue(item, now)}};
}

}  // namespace

Parsed<incident::Declaration> parse_declaration(std::string_view body) {
  auto parsed = parse_object(body, R"({"title": "Checkout errors", "severity": "SEV2"})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kDeclarationKeys))
    return *problem;
  incident::Declaration declaration;
  std::optional<incident::Severity> severity;
  std::optional<bool> test;
  if (Problem p = read_required_string(object, "title", declaration.title))
    return *p;
  if (Problem p = read_severity(object, severity))
    return *p;
  if (Problem p = read_string(object, "summary", declaration.summary))
    return *p;
  if (Problem p = read_string(object, "service", declaration.service))
    return *p;
  if (Problem p =
          read_time(object, "impact_started", declaration.impact_started, "impact_started")) {
    return *p;
  }
  if (Problem p = read_bool(object, "test", test))
    return *p;
  if (Problem p = read_labels(object, declaration.labels))
    return *p;
  if (Problem p = read_string(object, "commander", declaration.commander))
    return *p;
  declaration.severity = severity.value_or(incident::Severity::kSev3);
  declaration.test = test.value_or(false);
  return declaration;
}

Parsed<IncidentUpdate> parse_incident_update(std::string_view body) {
  auto parsed = parse_object(body, R"({"version": 3, "state": "investigating"})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kIncidentPatchKeys))
    return *problem;
  IncidentUpdate update;
  incident::IncidentPatch& patch = update.patch;
  if (Problem p = read_version(object, "version", update.version))
    return *p;
  if (Problem p = read_string(object, "title", patch.title))
    return *p;
  if (Problem p = read_string(object, "summary", patch.summary))
    return *p;
  if (Problem p = read_choice(object, "state", patch.state, incident::parse_state,
                              "triage, investigating, identified, monitoring, resolved, closed")) {
    return *p;
  }
  if (Problem p = read_severity(object, patch.severity))
    return *p;
  if (Problem p = read_bool(object, "test", patch.test))
    return *p;
  if (Problem p = read_times(object, patch))
    return *p;
  if (Problem p = read_roles(object, patch))
    return *p;
  return update;
}

Parsed<NoteRequest> parse_note_request(std::string_view body) {
  auto parsed = parse_object(body, R"({"text": "Rolled back to v41", "pinned": false})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kNoteKeys))
    return *problem;
  NoteRequest note;
  std::optional<bool> pinned;
  if (Problem p = read_required_string(object, "text", note.text))
    return *p;
  if (Problem p = read_bool(object, "pinned", pinned))
    return *p;
  note.pinned = pinned.value_or(false);
  return note;
}

Parsed<NoteEdit> parse_note_edit(std::string_view body) {
  auto parsed = parse_object(body, R"({"text": "Rolled back to v40", "revision": 1})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kNoteEditKeys))
    return *problem;
  NoteEdit edit;
  if (Problem p = read_string(object, "text", edit.text))
    return *p;
  if (Problem p = read_bool(object, "pinned", edit.pinned))
    return *p;
  if (object.contains("revision")) {
    std::int64_t revision = 0;
    if (Problem p = read_version(object, "revision", revision))
      return *p;
    if (revision > std::numeric_limits<int>::max())
      return FieldError{"revision", "is larger than any note's revision"};
    edit.expected_revision = static_cast<int>(revision);
  }
  if (!edit.text && !edit.pinned)
    return FieldError{"text", "nothing to change: give text, pinned, or both"};
  return edit;
}

Parsed<incident::ActionDraft> parse_action_draft(std::string_view body) {
  auto parsed = parse_object(body, R"({"title": "Alert on queue depth", "owner": "bob"})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kActionDraftKeys))
    return *problem;
  incident::ActionDraft draft;
  std::optional<incident::Priority> priority;
  std::optional<incident::ActionType> type;
  if (Problem p = read_required_string(object, "title", draft.title))
    return *p;
  if (Problem p = read_string(object, "owner", draft.owner))
    return *p;
  if (Problem p = read_time(object, "due", draft.due, "due"))
    return *p;
  if (Problem p =
          read_choice(object, "priority", priority, incident::parse_priority, "P1, P2, P3, P4")) {
    return *p;
  }
  if (Problem p = read_choice(object, "type", type, incident::parse_action_type,
                              "detective, preventive, corrective")) {
    return *p;
  }
  if (Problem p = read_string(object, "ticket_url", draft.ticket_url))
    return *p;
  draft.priority = priority.value_or(incident::Priority::kP3);
  draft.type = type.value_or(incident::ActionType::kCorrective);
  return draft;
}

Parsed<ActionUpdate> parse_action_update(std::string_view body) {
  auto parsed = parse_object(body, R"({"version": 2, "status": "done"})");
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& object = std::get<json>(parsed);
  if (Problem problem = reject_unknown_keys(object, kActionPatchKeys))
    return *problem;
  ActionUpdate update;
  incident::ActionPatch& patch = update.patch;
  if (Problem p = read_version(object, "version", update.version))
    return *p;
  if (Problem p = read_string(object, "title", patch.title))
    return *p;
  if (Problem p = read_string(object, "owner", patch.owner))
    return *p;
  if (Problem p = read_due(object, patch.due))
    return *p;
  if (Problem p = read_choice(object, "priority", patch.priority, incident::parse_priority,
                              "P1, P2, P3, P4")) {
    return *p;
  }
  if (Problem p = read_choice(object, "type", patch.type, incident::parse_action_type,
                              "detective, preventive, corrective")) {
    return *p;
  }
  if (Problem p = read_choice(object, "status", patch.status, incident::parse_action_status,
                              "open, in_progress, done, wont_do")) {
    return *p;
  }
  if (Problem p = read_string(object, "ticket_url", patch.ticket_url))
    return *p;
  return update;
}

std::string incident_json(const incident::Incident& incident) {
  return dump(incident_object(incident));
}

std::string incident_detail_json(const IncidentDetail& detail) {
  json out = incident_object(detail.incident);
  out["alert_fingerprints"] = detail.alert_fingerprints;
  out["open_action_items"] = detail.open_action_items;
  return dump(out);
}

std::string incident_list_json(const IncidentList& list) {
  json incidents = json::array();
  for (const incident::Incident& incident : list.incidents)
    incidents.push_back(incident_object(incident));
  return dump({{"incidents", std::move(incidents)},
               {"next", list.next_before_id > 0 ? json(std::to_string(list.next_before_id))
                                                : json(nullptr)}});
}

std::string timeline_json(const std::vector<incident::TimelineEvent>& events,
                          std::int64_t next_after) {
  json list = json::array();
  for (const incident::TimelineEvent& event : events)
    list.push_back(event_object(event));
  return dump({{"events", std::move(list)},
               {"next", next_after > 0 ? json(std::to_string(next_after)) : json(nullptr)}});
}

std::string event_json(const incident::TimelineEvent& event) {
  return dump(event_object(event));
}

std::string revisions_json(const std::vector<incident::NoteRevision>& revisions) {
  json list = json::array();
  for (const incident::NoteRevision& revision : revisions) {
    list.push_back({{"event_id", revision.event_id},
                    {"revision", revision.revision},
                    {"text", revision.text},
                    {"edited_by", revision.edited_by},
                    {"edited_at", time_text(revision.edited_at)}});
  }
  return dump({{"revisions", std::move(list)}});
}

std::string action_json(const incident::ActionItem& item, TimePoint now) {
  return dump(action_object(item, now));
}

std::string actions_json(const std::vector<incident::ActionItem>& items, TimePoint now) {
  json list = json::array();
  for (const incident::ActionItem& item : items)
    list.push_back(action_object(item, now));
  return dump({{"actions", std::move(list)}});
}

std::string stats_json(const std::vector<incident::SeverityStats>& stats) {
  json list = json::array();
  for (const incident::SeverityStats& s : stats) {
    list.push_back({{"severity", std::string(incident::to_string(s.severity))},
                    {"incidents", s.incidents},
                    {"to_detect", summary_json(s.to_detect)},
                    {"to_acknowledge", summary_json(s.to_acknowledge)},
                    {"to_mitigate", summary_json(s.to_mitigate)},
                    {"to_resolve", summary_json(s.to_resolve)}});
  }
  return dump({{"severities", std::move(list)}});
}

}  // namespace sloe::api

#include "sloe/postmortem/document.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sloe/core/duration.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"
#include "sloe/incident/metrics.h"
#include "sloe/oncall/time_zone.h"
#include "sloe/postmortem/format.h"

namespace sloe::postmortem {
namespace {

namespace kind = incident::event_kind;

constexpr std::string_view kSystemActor = "sloe";
// A timeline row is one line of a table; longer texts (runbook output, long notes) are cut here
// and stay whole on the incident's own timeline.
constexpr std::size_t kMaxRowTextBytes = 280;
// Beyond this the integer conversions below would overflow; no real count or ratio gets near.
constexpr double kMaxMagnitude = 1e12;

double finite_or_zero(double value) {
  return std::isfinite(value) ? value : 0.0;
}

std::string two_digits(long value) {
  return (value < 10 ? "0" : "") + std::to_string(value);
}

std::string with_thousands(std::int64_t value) {
  const bool negative = value < 0;
  std::string digits = std::to_string(negative ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

// Cuts text to at most max_bytes without splitting a UTF-8 sequence, marking the cut with "…".
std::string cut(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  text.resize(end);
  return text + "…";
}

// Every run of whitespace that holds a line break becomes one space, so a row stays one line.
std::string one_line(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty())
      out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string field(const Labels& fields, std::string_view name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

std::string utc_or_empty(const std::optional<TimePoint>& t) {
  return t ? format_utc(*t) : std::string();
}

std::string elapsed_or_empty(const std::optional<Duration>& d) {
  return d ? format_elapsed(*d) : std::string();
}

// "15:02:05 CET", with the local date in front when it is not the UTC date of the instant.
std::string in_second_zone(TimePoint t, const std::string& zone) {
  auto local = oncall::to_local(t, zone);
  if (!local)
    return {};
  std::string text =
      two_digits(local->hour) + ":" + two_digits(local->minute) + ":" + two_digits(local->second);
  const std::string utc_date = format_utc_date(t);
  const std::string local_date =
      std::to_string(local->year) + "-" + two_digits(local->month) + "-" + two_digits(local->day);
  if (local_date != utc_date)
    text = local_date + " " + text;
  // The zone is known (build() checked it), so locate_zone does not throw.
  const date::sys_info info =
      date::locate_zone(zone)->get_info(std::chrono::floor<std::chrono::seconds>(t));
  return text + " " + info.abbrev;
}

// "alertname (slo=checkout-availability, severity=page)": the labels a reader needs to know which
// alert it was.
std::string describe_alert(const std::string& alertname, const Labels& labels) {
  std::string text = alertname.empty() ? std::string("(no alertname)") : alertname;
  std::string details;
  for (const std::string_view name : {"slo", "severity"}) {
    const std::string value = field(labels, name);
    if (value.empty())
      continue;
    details += (details.empty() ? "" : ", ") + std::string(name) + "=" + value;
  }
  return details.empty() ? text : text + " (" + details + ")";
}

const incident::TimelineEvent* first_of_kind(const std::vector<incident::TimelineEvent>& events,
                                             std::string_view wanted) {
  for (const incident::TimelineEvent& event : events) {
    if (event.kind == wanted)
      return &event;
  }
  return nullptr;
}

std::string detection_text(const incident::Incident& incident,
                           const std::vector<incident::TimelineEvent>& events) {
  if (const auto* opened = first_of_kind(events, kind::kOpenedByAlert)) {
    const std::string alertname = field(opened->fields, "alertname");
    const std::string fingerprint = field(opened->fields, "fingerprint");
    // The alert's own labels are on its alert_fired event; the opening event keeps only a few.
    Labels labels = opened->fields;
    labels.erase("severity");  // the opening event's severity is the incident's (SEV2), not a label
    for (const incident::TimelineEvent& event : events) {
      if (event.kind == kind::kAlertFired && field(event.fields, "fingerprint") == fingerprint) {
        labels = event.fields;
        break;
      }
    }
    std::string text = "Alert " + describe_alert(alertname, labels) + " opened the incident";
    const std::string policy = field(opened->fields, "policy");
    if (!policy.empty())
      text += " (incident policy " + policy + ")";
    return text;
  }
  if (const auto* declared = first_of_kind(events, kind::kDeclared))
    return "Declared by " + declared->actor;
  if (incident.created_by.empty() || incident.created_by == kSystemActor)
    return "Opened by sloe";
  return "Declared by " + incident.created_by;
}

std::string runbook_step_text(const incident::TimelineEvent& event) {
  const std::string runbook = field(event.fields, "runbook");
  const std::string step = field(event.fields, "step");
  const std::string result = field(event.fields, "result");
  std::string text = runbook.empty() ? std::string("runbook") : "runbook " + runbook;
  if (!step.empty())
    text += " step " + step;
  if (!result.empty())
    text += ": " + result;
  std::string details;
  const std::string attempt = field(event.fields, "attempt");
  if (!attempt.empty() && attempt != "0" && attempt != "1")
    details += "attempt " + attempt;
  const std::string status_code = field(event.fields, "status_code");
  if (!status_code.empty() && status_code != "0")
    details += (details.empty() ? "" : ", ") + std::string("status ") + status_code;
  if (!details.empty())
    text += " (" + details + ")";
  const std::string said = one_line(event.text);
  if (!said.empty())
    text += " — " + said;
  return text;
}

std::string row_text(const incident::TimelineEvent& event) {
  if (event.kind == kind::kRunbookStep)
    return runbook_step_text(event);
  if (event.kind == kind::kDeclared) {
    std::string text = "declared: " + one_line(event.text);
    const std::string severity = field(event.fields, "severity");
    return severity.empty() ? text : text + " (" + severity + ")";
  }
  if (event.kind == kind::kAlertFired || event.kind == kind::kAlertResolved) {
    return "alert " + describe_alert(field(event.fields, "alertname"), event.fields) +
           (event.kind == kind::kAlertFired ? " fired" : " resolved");
  }
  if (event.kind == kind::kNotificationFailed) {
    const std::string reason = one_line(field(event.fields, "reason"));
    return one_line(event.text) + (reason.empty() ? "" : ": " + reason);
  }
  // Every other kind already says what happened in its text (lifecycle.h, policy.h); notes are
  // the responder's own words.
  return one_line(event.text);
}

// Kinds whose actor is a receiver or an alert source rather than a person.
bool actor_is_a_person(const incident::TimelineEvent& event) {
  return event.actor != kSystemActor && !event.actor.empty() &&
         event.kind != kind::kNotificationSent && event.kind != kind::kNotificationFailed &&
         event.kind != kind::kAlertFired && event.kind != kind::kAlertResolved;
}

std::string commander_of(const incident::Incident& incident) {
  if (auto current = incident::current_holder(incident, incident::kRoleCommander))
    return *current;
  const incident::RoleAssignment* last = nullptr;
  for (const incident::RoleAssignment& assignment : incident.roles) {
    if (assignment.role != incident::kRoleCommander)
      continue;
    if (last == nullptr || assignment.since >= last->since)
      last = &assignment;
  }
  return last == nullptr ? std::string() : last->person;
}

}  // namespace

std::string format_elapsed(Duration d) {
  const std::int64_t total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (total <= 0)
    return "0s";
  const std::int64_t parts[] = {total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60};
  const char* units[] = {"d", "h", "m", "s"};
  for (std::size_t i = 0; i < 4; ++i) {
    if (parts[i] == 0)
      continue;
    std::string text = std::to_string(parts[i]) + units[i];
    if (i + 1 < 4 && parts[i + 1] != 0)
      text += " " + std::to_string(parts[i + 1]) + units[i + 1];
    return text;
  }
  return "0s";
}

std::string format_percent(double ratio) {
  const double clamped = std::clamp(finite_or_zero(ratio), -kMaxMagnitude, kMaxMagnitude);
  const std::int64_t tenths = std::llround(clamped * 1000.0);
  const std::int64_t magnitude = tenths < 0 ? -tenths : tenths;
  return std::string(tenths < 0 ? "-" : "") + std::to_string(magnitude / 10) + "." +
         std::to_string(magnitude % 10) + "%";
}

std::string format_objective(double ratio) {
  const double clamped = std::clamp(finite_or_zero(ratio), -kMaxMagnitude, kMaxMagnitude);
  // Ten-thousandths of a percent, so 0.999 (stored as 0.99899999...) reads 99.9.
  const std::int64_t units = std::llround(clamped * 1e6);
  const std::int64_t magnitude = units < 0 ? -units : units;
  std::string text = std::string(units < 0 ? "-" : "") + std::to_string(magnitude / 10000);
  std::string fraction = std::to_string(magnitude % 10000);
  fraction.insert(0, 4 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0')
    fraction.pop_back();
  if (!fraction.empty())
    text += "." + fraction;
  return text + "%";
}

std::string format_count(double count) {
  const double clamped = std::clamp(finite_or_zero(count), -kMaxMagnitude, kMaxMagnitude);
  return with_thousands(std::llround(clamped));
}

std::string format_utc(TimePoint t) {
  std::string text = format_rfc3339(t);  // "2026-11-23T14:02:05Z"
  text[10] = ' ';
  text.pop_back();
  return text + " UTC";
}

std::string format_utc_date(TimePoint t) {
  return format_rfc3339(t).substr(0, 10);
}

SloImpact compute_impact(const SloInput& input) {
  SloImpact impact;
  impact.name = input.name;
  impact.service = input.service;
  impact.objective = format_objective(input.objective);
  impact.window =
      format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(input.window));
  impact.has_data = input.has_data;
  if (!input.has_data)
    return impact;

  const double bad_during = std::max(0.0, finite_or_zero(input.during_incident.total) -
                                              finite_or_zero(input.during_incident.good));
  const double total_window = std::max(0.0, finite_or_zero(input.window_at_end.total));
  const double bad_window = std::max(0.0, total_window - finite_or_zero(input.window_at_end.good));
  const double allowed_fraction = 1.0 - finite_or_zero(input.objective);
  const double allowed_bad = allowed_fraction * total_window;
  if (total_window > 0 && allowed_bad > 0) {
    impact.budget_consumed_ratio = finite_or_zero(bad_during / allowed_bad);
    impact.budget_left_ratio = finite_or_zero(1.0 - bad_window / allowed_bad);
  } else if (total_window > 0) {
    // A 100% objective allows no bad event: any bad event spends the whole (empty) budget.
    impact.budget_consumed_ratio = bad_during > 0 ? 1.0 : 0.0;
    impact.budget_left_ratio = bad_window > 0 ? 0.0 : 1.0;
  }
  impact.budget_consumed = format_percent(impact.budget_consumed_ratio);
  impact.budget_left = format_percent(impact.budget_left_ratio);
  impact.bad_events = format_count(bad_during);
  impact.total_events = format_count(input.during_incident.total);
  return impact;
}

Result<Document> build(const BuildInput& input) {
  if (!input.second_zone.empty() && !oncall::is_known_time_zone(input.second_zone)) {
    // No field name: the zone comes from sloe.yaml (postmortem.second_zone) or a request (?tz=),
    // and the caller says which.
    std::string message =
        "unknown time zone \"" + input.second_zone + "\" (use an IANA name such as Europe/Berlin)";
    const std::string suggestion = closest_match(input.second_zone, oncall::time_zone_names());
    if (!suggestion.empty())
      message += "; did you mean " + suggestion + "?";
    return Error{message};
  }
  const incident::Incident& incident = input.incident;
  Document doc;
  doc.incident_id = incident.id;
  doc.title = incident.title;
  doc.severity = std::string(incident::to_string(incident.severity));
  doc.status = std::string(incident::to_string(incident.state));
  doc.service = incident.service;
  doc.commander = commander_of(incident);
  doc.started = utc_or_empty(incident.times.impact_started);
  doc.detected = utc_or_empty(incident.times.detected);
  doc.acknowledged = utc_or_empty(incident.times.acknowledged);
  doc.mitigated = utc_or_empty(incident.times.mitigated);
  doc.resolved = utc_or_empty(incident.times.resolved);
  doc.generated_at = format_utc(input.now);
  doc.second_zone = input.second_zone;

  std::vector<incident::TimelineEvent> events = input.timeline;
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.at != b.at ? a.at < b.at : a.id < b.id;
  });

  if (!input.narrative.authors.empty()) {
    doc.authors = input.narrative.authors;
  } else {
    std::set<std::string> seen;
    for (const incident::TimelineEvent& event : events) {
      if (actor_is_a_person(event) && seen.insert(event.actor).second)
        doc.authors.push_back(event.actor);
    }
  }

  doc.summary = input.narrative.summary.empty() ? incident.summary : input.narrative.summary;
  const TimePoint impact_start =
      incident.times.impact_started.value_or(incident.times.detected.value_or(incident.created_at));
  doc.duration = format_elapsed(incident.times.resolved.value_or(input.now) - impact_start);
  for (const SloInput& slo : input.slos)
    doc.slos.push_back(compute_impact(slo));

  doc.detection = detection_text(incident, events);
  const incident::ResponseTimes times = incident::response_times(incident);
  doc.time_to_detect = elapsed_or_empty(times.to_detect);
  doc.time_to_acknowledge = elapsed_or_empty(times.to_acknowledge);
  doc.time_to_mitigate = elapsed_or_empty(times.to_mitigate);
  doc.time_to_resolve = elapsed_or_empty(times.to_resolve);

  for (const incident::TimelineEvent& event : events) {
    TimelineRow row;
    row.at_utc = format_utc(event.at);
    if (!input.second_zone.empty())
      row.at_second = in_second_zone(event.at, input.second_zone);
    row.actor = event.actor;
    row.kind = event.kind;
    row.text = cut(row_text(event), kMaxRowTextBytes);
    row.pinned = event.pinned;
    doc.timeline.push_back(std::move(row));
  }

  const Narrative& narrative = input.narrative;
  doc.root_cause = narrative.root_cause;
  doc.contributing_factors = narrative.contributing_factors;
  doc.resolution = narrative.resolution;
  doc.went_well = narrative.went_well;
  doc.went_wrong = narrative.went_wrong;
  doc.got_lucky = narrative.got_lucky;
  doc.links = narrative.links;

  for (const incident::ActionItem& item : input.actions) {
    ActionRow row;
    row.id = item.id;
    row.title = item.title;
    row.owner = item.owner;
    row.due = item.due ? format_utc_date(*item.due) : std::string();
    row.priority = std::string(incident::to_string(item.priority));
    row.type = std::string(incident::to_string(item.type));
    row.status = std::string(incident::to_string(item.status));
    row.ticket_url = item.ticket_url;
    row.overdue = incident::is_overdue(item, input.now);
    doc.actions.push_back(std::move(row));
  }
  return doc;
}

}  // namespace sloe::postmortem

#include "sloe/incident/policy.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"

namespace sloe::incident {
namespace {

constexpr std::size_t kMaxTitleChars = 200;  // lifecycle.h: titles are 1..200 characters

std::string label_or_empty(const Labels& labels, std::string_view name) {
  const auto it = labels.find(name);
  return it == labels.end() ? std::string() : it->second;
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// text cut to at most max_chars UTF-8 characters, ending in "…" when it was cut.
// REQUIRES: max_chars >= 1.
std::string truncate_chars(const std::string& text, std::size_t max_chars) {
  const auto chars = static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_utf8_continuation(c); }));
  if (chars <= max_chars)
    return text;
  std::size_t kept = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    if (!is_utf8_continuation(text[end]) && kept++ == max_chars - 1)
      break;
    ++end;
  }
  return text.substr(0, end) + "…";
}

// Titles are one line: control characters (newlines in a multi-line summary) become spaces.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(),
      [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
      },
      ' ');
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos)
    return {};
  const auto last = text.find_last_not_of(' ');
  return text.substr(first, last - first + 1);
}

std::string alert_title(const alert::Alert& alert, const std::string& service) {
  std::string title = one_line(label_or_empty(alert.annotations, "summary"));
  if (title.empty()) {
    title = label_or_empty(alert.labels, "alertname");
    if (title.empty())
      title = "alert";
    if (!service.empty())
      title += " on " + service;
    title = one_line(std::move(title));
  }
  return truncate_chars(title, kMaxTitleChars);
}

}  // namespace

std::vector<IncidentPolicy> default_policies() {
  IncidentPolicy page;
  page.name = "page";
  page.matchers.push_back(
      alert::Matcher::create("severity", alert::MatchType::kEqual, "page").value());
  page.severity = Severity::kSev2;
  page.group_by = "service";
  return {std::move(page)};
}

const IncidentPolicy* match_policy(const std::vector<IncidentPolicy>& policies,
                                   const Labels& labels) {
  for (const IncidentPolicy& policy : policies) {
    if (alert::matches_all(policy.matchers, labels))
      return &policy;
  }
  return nullptr;
}

std::string dedup_key(const IncidentPolicy& policy, const Labels& labels) {
  // As in matchers, an empty label value counts as missing.
  const std::string group_value = label_or_empty(labels, policy.group_by);
  if (!group_value.empty())
    return policy.name + "/" + policy.group_by + "=" + group_value;
  return policy.name + "/alertname=" + label_or_empty(labels, "alertname");
}

Change<Incident> open_from_alert(const IncidentPolicy& policy, const alert::Alert& alert,
                                 TimePoint now) {
  const std::string service = label_or_empty(alert.labels, policy.group_by);
  Change<Incident> change;
  Incident& incident = change.record;
  incident.title = alert_title(alert, service);
  incident.service = service;
  incident.state = State::kTriage;
  incident.severity = policy.severity;
  // An alert without startsAt, or one stamped ahead of our clock, cannot have started its impact
  // after sloe detected it: impact_started ≤ detected must hold (lifecycle.h).
  incident.times.impact_started =
      (alert.starts_at == TimePoint{} || alert.starts_at > now) ? now : alert.starts_at;
  incident.times.detected = now;
  incident.labels = alert.labels;
  incident.dedup_key = dedup_key(policy, alert.labels);
  incident.version = 1;
  incident.created_at = now;
  incident.updated_at = now;
  incident.created_by = "sloe";

  const std::string alertname = label_or_empty(alert.labels, "alertname");
  TimelineEvent opened;
  opened.at = now;
  opened.actor = "sloe";
  opened.kind = std::string(event_kind::kOpenedByAlert);
  opened.text = "opened by alert " +
                (alertname.empty() ? std::string("(no alertname)") : alertname) + " (policy " +
                policy.name + ")";
  opened.fields = Labels{{"alertname", alertname},
                         {"policy", policy.name},
                         {"dedup_key", incident.dedup_key},
                         {"severity", std::string(to_string(policy.severity))},
                         {"fingerprint", alert::fingerprint_hex(alert.labels)}};
  if (!service.empty())
    opened.fields["service"] = service;
  change.events.push_back(std::move(opened));
  change.events.push_back(alert_event(0, alert, false, "sloe", now));
  return change;
}

TimelineEvent alert_event(std::int64_t incident_id, const alert::Alert& alert, bool resolved,
                          std::string_view actor, TimePoint now) {
  TimelineEvent event;
  event.incident_id = incident_id;
  event.at = now;
  event.actor = std::string(actor);
  event.kind = std::string(resolved ? event_kind::kAlertResolved : event_kind::kAlertFired);
  const std::string alertname = label_or_empty(alert.labels, "alertname");
  event.text = "alert " + (alertname.empty() ? std::string("(no alertname)") : alertname) +
               (resolved ? " resolved" : " fired");
  // The alert's own labels first; the three added keys win over labels of the same name.
  event.fields = alert.labels;
  event.fields["fingerprint"] = alert::fingerprint_hex(alert.labels);
  event.fields["starts_at"] = format_rfc3339(alert.starts_at, Rfc3339Precision::kMillis);
  if (resolved)
    event.fields["ends_at"] =
        format_rfc3339(alert.ends_at.value_or(now), Rfc3339Precision::kMillis);
  return event;
}

}  // namespace sloe::incident

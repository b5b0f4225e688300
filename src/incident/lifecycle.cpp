#include "sloe/incident/lifecycle.h"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include "sloe/core/time_format.h"
#include "sloe/incident/policy.h"

namespace sloe::incident {
namespace {

constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxPersonChars = 100;
constexpr std::size_t kMaxServiceChars = 200;
constexpr std::size_t kMaxRoleNameChars = 40;
constexpr std::size_t kMaxTextBytes = 65536;  // notes and summaries
constexpr std::size_t kMaxUrlBytes = 2048;

// Characters as a person counts them: UTF-8 code points (continuation bytes do not count).
std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++count;
  }
  return count;
}

std::string trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(kSpace);
  return std::string(text.substr(first, last - first + 1));
}

bool has_control_character(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F)
      return true;
  }
  return false;
}

std::string time_text(const std::optional<TimePoint>& t) {
  return t ? format_rfc3339(*t, Rfc3339Precision::kMillis) : std::string();
}

// A one-line name such as a title, a person or a service: trimmed text, non-empty unless
// allow_empty, at most max_chars characters, no control characters.
std::optional<Invalid> check_line(std::string_view field, const std::string& trimmed,
                                  std::size_t max_chars, bool allow_empty) {
  if (trimmed.empty()) {
    if (allow_empty)
      return std::nullopt;
    return Invalid{std::string(field),
                   "is required: give 1 to " + std::to_string(max_chars) + " characters of text"};
  }
  if (const std::size_t length = utf8_length(trimmed); length > max_chars) {
    return Invalid{std::string(field), "is " + std::to_string(length) +
                                           " characters long; the limit is " +
                                           std::to_string(max_chars)};
  }
  if (has_control_character(trimmed)) {
    return Invalid{std::string(field),
                   "must be one line of text without control characters (newline, tab, ...)"};
  }
  return std::nullopt;
}

std::optional<Invalid> check_text(std::string_view field, const std::string& trimmed,
                                  bool allow_empty) {
  if (trimmed.empty() && !allow_empty)
    return Invalid{std::string(field), "is empty: write some text (up to 65536 bytes)"};
  if (trimmed.size() > kMaxTextBytes) {
    return Invalid{std::string(field), "is " + std::to_string(trimmed.size()) +
                                           " bytes long; the limit is " +
                                           std::to_string(kMaxTextBytes) + " bytes"};
  }
  return std::nullopt;
}

bool is_valid_role_name(std::string_view role) {
  if (role.empty() || role.size() > kMaxRoleNameChars)
    return false;
  for (char c : role) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed)
      return false;
  }
  return true;
}

std::optional<Invalid> check_role_name(std::string_view role) {
  if (is_valid_role_name(role))
    return std::nullopt;
  return Invalid{"roles", "role name \"" + std::string(role) +
                              "\" is not valid: use commander, scribe, communications, or a custom "
                              "role of 1 to 40 characters from a-z, 0-9, '_' and '-'"};
}

std::optional<Invalid> check_ticket_url(const std::string& url) {
  if (url.empty())
    return std::nullopt;
  auto starts_with_scheme = [&url](std::string_view scheme) {
    if (url.size() <= scheme.size())
      return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      const char c = url[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (lower != scheme[i])
        return false;
    }
    return true;
  };
  if (!starts_with_scheme("http://") && !starts_with_scheme("https://")) {
    return Invalid{
        "ticket_url",
        "\"" + url + "\" is not a link: use an http:// or https:// URL, or leave it empty"};
  }
  if (url.size() > kMaxUrlBytes)
    return Invalid{"ticket_url", "is longer than 2048 bytes"};
  if (url.find_first_of(" \t\r\n") != std::string::npos || has_control_character(url))
    return Invalid{"ticket_url", "must not contain spaces or control characters"};
  return std::nullopt;
}

TimelineEvent make_event(std::int64_t incident_id, std::string_view kind, std::string text,
                         Labels fields, std::string_view actor, TimePoint now) {
  TimelineEvent event;
  event.incident_id = incident_id;
  event.at = now;
  event.actor = std::string(actor);
  event.kind = std::string(kind);
  event.text = std::move(text);
  event.fields = std::move(fields);
  return event;
}

TimelineEvent role_event(std::int64_t incident_id, const std::string& role, const std::string& from,
                         const std::string& to, std::string_view actor, TimePoint now) {
  std::string text;
  if (from.empty())
    text = role + " assigned to " + to;
  else if (to.empty())
    text = role + " " + from + " unassigned";
  else
    text = role + " " + from + " → " + to;
  return make_event(incident_id, event_kind::kRoleChanged, std::move(text),
                    Labels{{"role", role}, {"from", from}, {"to", to}}, actor, now);
}

// --- State rules ----------------------------------------------------------------------------

constexpr std::array<State, 6> kAllStates{State::kTriage,     State::kInvestigating,
                                          State::kIdentified, State::kMonitoring,
                                          State::kResolved,   State::kClosed};

bool transition_allowed(State from, State to) {
  if (from == to)
    return true;
  if (is_open(from))
    return is_open(to) || to == State::kResolved;
  if (from == State::kResolved)
    return to == State::kClosed || is_open(to);
  return is_open(to);  // closed: only reopening
}

Invalid refused_transition(State from, State to) {
  std::string allowed;
  for (State candidate : kAllStates) {
    if (candidate == from || !transition_allowed(from, candidate))
      continue;
    if (!allowed.empty())
      allowed += ", ";
    allowed += to_string(candidate);
  }
  std::string message = "cannot change from " + std::string(to_string(from)) + " to " +
                        std::string(to_string(to)) + "; from " + std::string(to_string(from)) +
                        " the state may become " + allowed;
  if (is_open(from) && to == State::kClosed)
    message += " (resolve an incident before closing it)";
  return Invalid{"state", std::move(message)};
}

// --- Timestamps -----------------------------------------------------------------------------

struct TimeField {
  std::string_view name;
  std::optional<TimePoint> Timestamps::*times;
  std::optional<TimePoint> IncidentPatch::*patch;
};

enum TimeIndex : std::size_t { kImpact, kDetected, kAcknowledged, kMitigated, kResolvedAt };

constexpr std::array<TimeField, 5> kTimeFields{{
    {"impact_started", &Timestamps::impact_started, &IncidentPatch::impact_started},
    {"detected", &Timestamps::detected, &IncidentPatch::detected},
    {"acknowledged", &Timestamps::acknowledged, &IncidentPatch::acknowledged},
    {"mitigated", &Timestamps::mitigated, &IncidentPatch::mitigated},
    {"resolved", &Timestamps::resolved, &IncidentPatch::resolved},
}};

// (earlier, later): impact_started ≤ detected ≤ acknowledged, impact_started ≤ mitigated ≤
// resolved. The transitive pairs are listed too, so the order holds when the middle is unset.
constexpr std::array<std::pair<TimeIndex, TimeIndex>, 6> kTimeOrder{{
    {kImpact, kDetected},
    {kDetected, kAcknowledged},
    {kImpact, kAcknowledged},
    {kImpact, kMitigated},
    {kMitigated, kResolvedAt},
    {kImpact, kResolvedAt},
}};

constexpr std::string_view kOrderRule =
    "times must be in order impact_started ≤ detected ≤ acknowledged and impact_started ≤ "
    "mitigated ≤ resolved";

// Checks the order of every pair where both times are set and at least one of them changed (a
// record that is already out of order does not block unrelated edits). The field named is the one
// the request set, the later one when it set both or neither.
std::optional<Invalid> check_time_order(const Timestamps& before, const Timestamps& after,
                                        const IncidentPatch& patch) {
  for (const auto& [earlier_index, later_index] : kTimeOrder) {
    const TimeField& earlier = kTimeFields[earlier_index];
    const TimeField& later = kTimeFields[later_index];
    const auto& earlier_time = after.*earlier.times;
    const auto& later_time = after.*later.times;
    if (!earlier_time || !later_time || *earlier_time <= *later_time)
      continue;
    if (earlier_time == before.*earlier.times && later_time == before.*later.times)
      continue;
    const bool name_earlier = (patch.*earlier.patch).has_value() && !(patch.*later.patch);
    if (name_earlier) {
      return Invalid{std::string(earlier.name),
                     std::string(earlier.name) + " (" + time_text(earlier_time) + ") is after " +
                         std::string(later.name) + " (" + time_text(later_time) + "); " +
                         std::string(kOrderRule)};
    }
    return Invalid{std::string(later.name), std::string(later.name) + " (" + time_text(later_time) +
                                                ") is before " + std::string(earlier.name) + " (" +
                                                time_text(earlier_time) + "); " +
                                                std::string(kOrderRule)};
  }
  return std::nullopt;
}

struct RoleRequest {
  std::string role;
  std::string person;  // trimmed; empty = unassign
};

Checked<std::vector<RoleRequest>> check_roles(
    const std::vector<std::pair<std::string, std::string>>& roles) {
  std::vector<RoleRequest> requests;
  for (const auto& [role, person] : roles) {
    if (auto invalid = check_role_name(role))
      return *std::move(invalid);
    for (const RoleRequest& earlier : requests) {
      if (earlier.role == role)
        return Invalid{"roles." + role, "is named twice in one request; name each role once"};
    }
    std::string trimmed = trim(person);
    if (!person.empty()) {
      if (trimmed.empty()) {
        return Invalid{"roles." + role,
                       "is blank: name a person (1 to 100 characters), or send \"\" to unassign"};
      }
      if (auto invalid = check_line("roles." + role, trimmed, kMaxPersonChars, false))
        return *std::move(invalid);
    }
    requests.push_back(RoleRequest{role, std::move(trimmed)});
  }
  return requests;
}

}  // namespace

Checked<Change<Incident>> declare(const Declaration& declaration, std::string_view actor,
                                  TimePoint now) {
  std::string title = trim(declaration.title);
  if (auto invalid = check_line("title", title, kMaxTitleChars, false))
    return *std::move(invalid);
  std::string summary = trim(declaration.summary);
  if (auto invalid = check_text("summary", summary, true))
    return *std::move(invalid);
  std::string service = trim(declaration.service);
  if (auto invalid = check_line("service", service, kMaxServiceChars, true))
    return *std::move(invalid);
  std::string commander = trim(declaration.commander);
  if (auto invalid = check_line("commander", commander, kMaxPersonChars, true))
    return *std::move(invalid);
  for (const auto& [name, value] : declaration.labels) {
    if (!is_valid_label_name(name)) {
      return Invalid{"labels", "label name \"" + name +
                                   "\" is not valid: use letters, digits and '_', not starting "
                                   "with a digit"};
    }
  }
  const TimePoint impact_started = declaration.impact_started.value_or(now);
  if (impact_started > now) {
    return Invalid{"impact_started", "(" + time_text(impact_started) +
                                         ") is after the declaration time (" + time_text(now) +
                                         "); impact cannot start in the future"};
  }

  Change<Incident> change;
  Incident& incident = change.record;
  incident.title = title;
  incident.summary = std::move(summary);
  incident.service = service;
  incident.state = State::kTriage;
  incident.severity = declaration.severity;
  incident.test = declaration.test;
  incident.times.impact_started = impact_started;
  incident.times.detected = now;
  incident.labels = declaration.labels;
  // A declared incident that names a service absorbs that service's pages, keyed as the default
  // policy keys them; the caller may re-key it with its configured policy.
  if (!service.empty()) {
    const IncidentPolicy page_policy = default_policies().front();
    incident.dedup_key = dedup_key(page_policy, Labels{{page_policy.group_by, service}});
  }
  incident.version = 1;
  incident.created_at = now;
  incident.updated_at = now;
  incident.created_by = std::string(actor);

  Labels fields{{"severity", std::string(to_string(declaration.severity))},
                {"state", std::string(to_string(State::kTriage))}};
  if (!service.empty())
    fields["service"] = service;
  if (declaration.test)
    fields["test"] = "true";
  change.events.push_back(
      make_event(0, event_kind::kDeclared, title, std::move(fields), actor, now));
  if (!commander.empty()) {
    incident.roles.push_back(RoleAssignment{std::string(kRoleCommander), commander, now,
                                            std::nullopt, std::string(actor)});
    change.events.push_back(role_event(0, std::string(kRoleCommander), "", commander, actor, now));
  }
  return change;
}

Checked<Change<Incident>> apply_patch(const Incident& current, const IncidentPatch& patch,
                                      std::string_view actor, TimePoint now) {
  // Validate every field before changing anything.
  std::optional<std::string> title;
  if (patch.title) {
    title = trim(*patch.title);
    if (auto invalid = check_line("title", *title, kMaxTitleChars, false))
      return *std::move(invalid);
  }
  std::optional<std::string> summary;
  if (patch.summary) {
    summary = trim(*patch.summary);
    if (auto invalid = check_text("summary", *summary, true))
      return *std::move(invalid);
  }
  if (patch.state && !transition_allowed(current.state, *patch.state))
    return refused_transition(current.state, *patch.state);
  const State next_state = patch.state.value_or(current.state);
  if (patch.resolved && is_open(next_state)) {
    return Invalid{"resolved", "cannot be set while the incident is " +
                                   std::string(to_string(next_state)) +
                                   ": set state to resolved as well, or leave resolved out"};
  }
  auto roles = check_roles(patch.roles);
  if (const auto* invalid = std::get_if<Invalid>(&roles))
    return *invalid;

  Change<Incident> change{current, {}};
  Incident& next = change.record;
  std::vector<TimelineEvent>& events = change.events;
  auto field_changed = [&](std::string_view field, std::string from, std::string to,
                           std::string text) {
    events.push_back(make_event(
        current.id, event_kind::kFieldChanged, std::move(text),
        Labels{{"field", std::string(field)}, {"from", std::move(from)}, {"to", std::move(to)}},
        actor, now));
  };

  if (next_state != current.state) {
    const State from = current.state;
    next.state = next_state;
    Labels fields{{"from", std::string(to_string(from))},
                  {"to", std::string(to_string(next_state))}};
    // Derived times; a time the patch sets explicitly is left to the explicit edit below.
    auto derive = [&](TimeIndex index, std::optional<TimePoint> value) {
      const TimeField& field = kTimeFields[index];
      if (patch.*field.patch)
        return;
      auto& slot = next.times.*field.times;
      if (slot == value)
        return;
      slot = value;
      fields[std::string(field.name)] = time_text(value);
    };
    const bool reopened = !is_open(from) && is_open(next_state);
    if (reopened) {
      derive(kResolvedAt, std::nullopt);
      if (next.times.closed) {
        next.times.closed.reset();
        fields["closed"] = "";
      }
    }
    if (from == State::kTriage && !next.times.acknowledged)
      derive(kAcknowledged, now);
    if ((next_state == State::kMonitoring || next_state == State::kResolved) &&
        !next.times.mitigated)
      derive(kMitigated, now);
    if (next_state == State::kResolved)
      derive(kResolvedAt, now);
    if (next_state == State::kClosed) {
      next.times.closed = now;
      fields["closed"] = time_text(now);
    }
    std::string text =
        "state " + std::string(to_string(from)) + " → " + std::string(to_string(next_state));
    if (reopened)
      text += " (reopened)";
    events.push_back(make_event(current.id, event_kind::kStateChanged, std::move(text),
                                std::move(fields), actor, now));
  }

  if (patch.severity && *patch.severity != current.severity) {
    next.severity = *patch.severity;
    const std::string from(to_string(current.severity));
    const std::string to(to_string(*patch.severity));
    events.push_back(make_event(current.id, event_kind::kSeverityChanged,
                                "severity " + from + " → " + to, Labels{{"from", from}, {"to", to}},
                                actor, now));
  }

  if (title && *title != current.title) {
    next.title = *title;
    field_changed("title", current.title, *title, "title changed to \"" + *title + "\"");
  }
  if (summary && *summary != current.summary) {
    next.summary = *summary;
    field_changed("summary", current.summary, *summary, "summary edited");
  }
  if (patch.test && *patch.test != current.test) {
    next.test = *patch.test;
    field_changed("test", current.test ? "true" : "false", next.test ? "true" : "false",
                  next.test ? "marked as a test incident" : "no longer marked as a test incident");
  }

  for (const TimeField& field : kTimeFields) {
    const auto& requested = patch.*field.patch;
    const auto& before = current.times.*field.times;
    if (!requested || requested == before)
      continue;
    next.times.*field.times = requested;
    field_changed(field.name, time_text(before), time_text(requested),
                  std::string(field.name) + " set to " + time_text(requested));
  }
  if (auto invalid = check_time_order(current.times, next.times, patch))
    return *std::move(invalid);

  for (const RoleRequest& request : std::get<std::vector<RoleRequest>>(roles)) {
    const std::string holder = current_holder(next, request.role).value_or("");
    if (holder == request.person)
      continue;
    for (RoleAssignment& assignment : next.roles) {
      if (assignment.role == request.role && !assignment.until)
        assignment.until = now;
    }
    if (!request.person.empty()) {
      next.roles.push_back(
          RoleAssignment{request.role, request.person, now, std::nullopt, std::string(actor)});
    }
    events.push_back(role_event(current.id, request.role, holder, request.person, actor, now));
  }

  if (events.empty())
    return Change<Incident>{current, {}};
  next.version = current.version + 1;
  next.updated_at = now;
  return change;
}

Checked<TimelineEvent> new_note(std::int64_t incident_id, const std::string& text, bool pinned,
                                std::string_view actor, TimePoint now) {
  std::string trimmed = trim(text);
  if (auto invalid = check_text("text", trimmed, false))
    return *std::move(invalid);
  TimelineEvent event =
      make_event(incident_id, event_kind::kNote, std::move(trimmed), {}, actor, now);
  event.pinned = pinned;
  event.revision = 1;
  return event;
}

Checked<Change<ActionItem>> new_action(std::int64_t incident_id, const ActionDraft& draft,
                                       std::string_view actor, TimePoint now) {
  std::string title = trim(draft.title);
  if (auto invalid = check_line("title", title, kMaxTitleChars, false))
    return *std::move(invalid);
  std::string owner = trim(draft.owner);
  if (auto invalid = check_line("owner", owner, kMaxPersonChars, true))
    return *std::move(invalid);
  std::string ticket_url = trim(draft.ticket_url);
  if (auto invalid = check_ticket_url(ticket_url))
    return *std::move(invalid);

  Change<ActionItem> change;
  ActionItem& item = change.record;
  item.incident_id = incident_id;
  item.title = title;
  item.owner = owner;
  item.due = draft.due;
  item.priority = draft.priority;
  item.type = draft.type;
  item.status = ActionStatus::kOpen;
  item.ticket_url = ticket_url;
  item.version = 1;
  item.created_at = now;
  item.updated_at = now;
  item.created_by = std::string(actor);

  // action_id is not known yet: the caller adds fields["action_id"] once the store assigned it.
  Labels fields{{"change", "created"},
                {"title", title},
                {"owner", owner},
                {"priority", std::string(to_string(item.priority))},
                {"type", std::string(to_string(item.type))},
                {"status", std::string(to_string(item.status))}};
  if (item.due)
    fields["due"] = time_text(item.due);
  if (!ticket_url.empty())
    fields["ticket_url"] = ticket_url;
  change.events.push_back(make_event(incident_id, event_kind::kActionItem,
                                     "action item added: " + title, std::move(fields), actor, now));
  return change;
}

Checked<Change<ActionItem>> apply_action_patch(const ActionItem& current, const ActionPatch& patch,
                                               std::string_view actor, TimePoint now) {
  std::optional<std::string> title;
  if (patch.title) {
    title = trim(*patch.title);
    if (auto invalid = check_line("title", *title, kMaxTitleChars, false))
      return *std::move(invalid);
  }
  std::optional<std::string> owner;
  if (patch.owner) {
    owner = trim(*patch.owner);
    if (auto invalid = check_line("owner", *owner, kMaxPersonChars, true))
      return *std::move(invalid);
  }
  std::optional<std::string> ticket_url;
  if (patch.ticket_url) {
    ticket_url = trim(*patch.ticket_url);
    if (auto invalid = check_ticket_url(*ticket_url))
      return *std::move(invalid);
  }

  ActionItem next = current;
  struct FieldChange {
    std::string_view field;
    std::string from;
    std::string to;
    bool show_values;  // short values are spelled out in the event text
  };
  std::vector<FieldChange> changes;
  if (title && *title != current.title) {
    next.title = *title;
    changes.push_back({"title", current.title, *title, false});
  }
  if (owner && *owner != current.owner) {
    next.owner = *owner;
    changes.push_back({"owner", current.owner, *owner, true});
  }
  if (patch.due && *patch.due != current.due) {
    next.due = *patch.due;
    next.reminded_at.reset();  // a new due date earns a new reminder
    changes.push_back({"due", time_text(current.due), time_text(next.due), true});
  }
  if (patch.priority && *patch.priority != current.priority) {
    next.priority = *patch.priority;
    changes.push_back({"priority", std::string(to_string(current.priority)),
                       std::string(to_string(next.priority)), true});
  }
  if (patch.type && *patch.type != current.type) {
    next.type = *patch.type;
    changes.push_back(
        {"type", std::string(to_string(current.type)), std::string(to_string(next.type)), true});
  }
  if (patch.status && *patch.status != current.status) {
    next.status = *patch.status;
    changes.push_back({"status", std::string(to_string(current.status)),
                       std::string(to_string(next.status)), true});
  }
  if (ticket_url && *ticket_url != current.ticket_url) {
    next.ticket_url = *ticket_url;
    changes.push_back({"ticket_url", current.ticket_url, *ticket_url, false});
  }
  if (changes.empty())
    return Change<ActionItem>{current, {}};

  next.version = current.version + 1;
  next.updated_at = now;
  Labels fields{{"action_id", std::to_string(current.id)}, {"change", "updated"}};
  std::string changed;
  std::string text = "action item " + std::to_string(current.id) + " updated: ";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const FieldChange& c = changes[i];
    const std::string field(c.field);
    if (i > 0) {
      changed += ",";
      text += ", ";
    }
    changed += field;
    if (c.show_values) {
      text +=
          field + " " + (c.from.empty() ? "none" : c.from) + " → " + (c.to.empty() ? "none" : c.to);
    } else {
      text += field + " changed";
    }
    fields[field + "_from"] = c.from;
    fields[field + "_to"] = c.to;
  }
  fields["changed"] = changed;
  Change<ActionItem> change{std::move(next), {}};
  change.events.push_back(make_event(current.incident_id, event_kind::kActionItem, std::move(text),
                                     std::move(fields), actor, now));
  return change;
}

}  // namespace sloe::incident

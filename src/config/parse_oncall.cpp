// On-call documents: YAML documents under alerts/ without a top-level `route:` key (documents
// with one are Alertmanager configuration). Every top-level key is optional and a definition may
// reference one in another document or file. docs/oncall.md explains the semantics.
//
//   users:
//     - name: alice                    # letters, digits, '_', '.', '-'; unique
//       display_name: Alice Tamm       # optional
//       receiver: alice-pager          # the route-tree receiver that reaches her (warned if
//       absent)
//
//   rotations:
//     - name: sre-weekly
//       users: [alice, bob, carol]     # take turns in this order
//       shift_length: 1w               # Prometheus duration, at least 1h: 12h, 1d, 1w, 2w
//       start: 2026-11-02T09:00        # handoff 0, wall-clock time in time_zone (no offset)
//       time_zone: Europe/Tallinn      # IANA name; handoffs stay at 09:00 local across DST
//
//   schedules:
//     - name: sre-primary
//       layers:                        # bottom to top: a higher layer wins where it has someone
//         - rotation: sre-weekly
//         - rotation: sre-daytime
//           restrictions:              # wall-clock windows in the rotation's zone; any may match
//             - { days: [mon-fri], from: "09:00", to: "17:00" }  # to <= from runs past midnight
//             - { from: fri 18:00, to: mon 08:00 }               # one span across the week
//             - { days: [sat, sun] }                             # whole days
//
//   overrides:
//     - schedule: sre-primary
//       user: carol                    # who is on call instead
//       replaces: alice                # optional: only alice's time (default: whoever is on)
//       mode: replace                  # default; `add` puts carol on call next to whoever is
//       start: 2026-12-24T09:00        # wall-clock time, or RFC 3339 with an offset
//       end: 2026-12-27T09:00          # exclusive
//       time_zone: Europe/Tallinn      # optional; default: the zone of the schedule's first layer
//
//   escalation_policies:
//     - name: sre-page
//       steps:                         # paged in order until someone acknowledges
//         - schedules: [sre-primary]   # targets: schedules, users, receivers (a list or one name)
//           wait: 10m                  # before the next step (or the repetition)
//         - users: [carol]
//           receivers: [sre-chat]
//           wait: 20m
//       repeat: 1                      # run the steps again this many more times, 0..9
//
// Reference rules (check_oncall): rotation users, override users and escalation user targets must
// be defined under users:; layers must name a defined rotation; overrides and escalation schedule
// targets a defined schedule. An override's `replaces` must be in one of the rotations of that
// schedule's layers, or it could never take effect (an error). The override's own `user` may be
// anyone defined under users: covering for a colleague from another team is what overrides are
// for. Receiver names are not checked here: they belong to the route tree.
#include "parse_oncall.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "parse.h"
#include "sloe/core/duration.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"
#include "sloe/oncall/time_zone.h"

namespace sloe::config::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

// `silences` is read by the loader (parse_silences), not here, but shares these documents.
const std::vector<std::string> kTopLevelKeys{"users",     "rotations",           "schedules",
                                             "overrides", "escalation_policies", "silences"};
// Keys of an Alertmanager configuration: in a document without `route:` they are a misplaced
// part of it, not a typo of an on-call key.
const std::vector<std::string> kAlertmanagerKeys{
    "global", "receivers", "inhibit_rules", "templates", "time_intervals", "mute_time_intervals"};
const std::vector<std::string> kUserKeys{"name", "display_name", "receiver"};
const std::vector<std::string> kRotationKeys{"name", "users", "shift_length", "start", "time_zone"};
const std::vector<std::string> kScheduleKeys{"name", "layers"};
const std::vector<std::string> kLayerKeys{"rotation", "restrictions"};
const std::vector<std::string> kRestrictionKeys{"days", "from", "to"};
const std::vector<std::string> kOverrideKeys{"schedule", "user", "mode",     "replaces",
                                             "start",    "end",  "time_zone"};
const std::vector<std::string> kPolicyKeys{"name", "steps", "repeat", "attach_to_receivers"};
const std::vector<std::string> kStepKeys{"schedules", "users", "receivers", "wait"};

// Shorter shifts make timelines long and are not how people take turns.
constexpr milliseconds kMinShiftLength{std::chrono::hours(1)};
constexpr int kMaxRepeat = 9;  // as PagerDuty's num_loops

std::string format_location(const SourceLocation& at) {
  if (at.line <= 0)
    return at.file;
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

// A non-empty string with its location.
std::optional<NameRef> read_name(Reader& reader, const Field& field) {
  auto text = read_string(reader, field);
  if (!text)
    return std::nullopt;
  if (text->empty()) {
    reader.error(field.value_location, field.key + " is empty");
    return std::nullopt;
  }
  return NameRef{*text, field.value_location};
}

// One name or a list of names.
std::vector<NameRef> read_names(Reader& reader, const Field& field) {
  std::vector<NameRef> names;
  if (field.value.IsScalar()) {
    if (auto name = read_name(reader, field))
      names.push_back(std::move(*name));
    return names;
  }
  if (auto items = read_list(reader, field)) {
    for (const Field& item : *items) {
      if (auto name = read_name(reader, item))
        names.push_back(std::move(*name));
    }
  }
  return names;
}

const std::vector<std::string>& zone_names() {
  static const std::vector<std::string> names = oncall::time_zone_names();
  return names;
}

std::optional<NameRef> read_time_zone(Reader& reader, const Field& field) {
  auto zone = read_name(reader, field);
  if (!zone)
    return std::nullopt;
  if (oncall::is_known_time_zone(zone->name))
    return zone;
  std::string message = "unknown time zone '" + zone->name + "'";
  const std::string suggestion = closest_match(zone->name, zone_names());
  message += suggestion.empty() ? " (use an IANA name such as Europe/Tallinn or UTC)"
                                : "; did you mean '" + suggestion + "'?";
  reader.error(field.value_location, std::move(message));
  return std::nullopt;
}

// Drops the "invalid ... 'text': " prefix of a domain parser's message; we name the field.
std::string reason_of(const Error& error) {
  const std::size_t cut = error.message.find("': ");
  return cut == std::string::npos ? error.message : error.message.substr(cut + 3);
}

void read_user(Reader& reader, const Field& item, ParsedOncall& out) {
  auto mapping = Mapping::read(reader, item, "user");
  if (!mapping)
    return;
  ParsedUser parsed;
  parsed.name_location = mapping->location();
  std::string context = "user";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "user")) {
      parsed.user.name = *name;
      parsed.name_location = f->value_location;
      context = "user '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kUserKeys, context);
  if (const Field* f = mapping->get("display_name"))
    parsed.user.display_name = read_string(reader, *f).value_or("");
  if (const Field* f = mapping->get("receiver")) {
    if (auto receiver = read_name(reader, *f))
      parsed.user.receiver = receiver->name;
  } else if (!parsed.user.name.empty()) {
    reader.warning(parsed.name_location,
                   context +
                       " has no receiver, so no notification can reach them; name the "
                       "route-tree receiver that pages them");
  }
  if (!parsed.user.name.empty())
    out.users.push_back(std::move(parsed));
}

void read_rotation(Reader& reader, const Field& item, ParsedOncall& out) {
  auto mapping = Mapping::read(reader, item, "rotation");
  if (!mapping)
    return;
  ParsedRotation parsed;
  parsed.name_location = mapping->location();
  std::string context = "rotation";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "rotation")) {
      parsed.rotation.name = *name;
      parsed.name_location = f->value_location;
      context = "rotation '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kRotationKeys, context);
  if (const Field* f = mapping->require(reader, "users", context)) {
    parsed.users = read_names(reader, *f);
    if (parsed.users.empty() && (f->value.IsSequence() || f->value.IsMap())) {
      reader.error(f->value_location, context + " has no users; list who takes turns");
    }
    for (const NameRef& user : parsed.users)
      parsed.rotation.users.push_back(user.name);
  }
  if (const Field* f = mapping->require(reader, "shift_length", context)) {
    if (auto length = read_duration(reader, *f)) {
      if (*length < kMinShiftLength) {
        reader.error(f->value_location, "shift_length " + format_duration(*length) +
                                            " is too short; the minimum is 1h (1d and 1w are "
                                            "usual)");
      } else {
        parsed.rotation.shift_length = *length;
      }
    }
  }
  if (const Field* f = mapping->require(reader, "start", context)) {
    if (auto text = read_string(reader, *f)) {
      auto start = oncall::parse_local_date_time(*text);
      if (start) {
        parsed.rotation.start = start.value();
      } else if (parse_rfc3339(*text).ok()) {
        reader.error(f->value_location, "start '" + *text +
                                            "' has a UTC offset; write the wall-clock time of the "
                                            "first handoff without one (e.g. 2026-11-02T09:00): "
                                            "time_zone says where");
      } else {
        reader.error(f->value_location, "start: " + reason_of(start.error()));
      }
    }
  }
  if (const Field* f = mapping->require(reader, "time_zone", context)) {
    if (auto zone = read_time_zone(reader, *f))
      parsed.rotation.time_zone = zone->name;
  }
  if (!parsed.rotation.name.empty())
    out.rotations.push_back(std::move(parsed));
}

// "mon", "Friday", or a range "mon-fri" (a range may wrap: "fri-mon").
void read_days(Reader& reader, const Field& field, std::vector<oncall::Weekday>& days) {
  std::vector<Field> items;
  if (field.value.IsScalar()) {
    items.push_back(field);
  } else if (auto list = read_list(reader, field)) {
    items = std::move(*list);
  } else {
    return;
  }
  if (items.empty())
    reader.error(field.value_location, "days is empty; leave it out for every day");
  for (const Field& item : items) {
    auto text = read_string(reader, item);
    if (!text)
      continue;
    const std::size_t dash = text->find('-');
    auto first = oncall::parse_weekday(text->substr(0, dash));
    auto last = dash == std::string::npos ? first : oncall::parse_weekday(text->substr(dash + 1));
    if (!first || !last) {
      reader.error(item.value_location, "days: '" + *text +
                                            "' is not a weekday or a range of them; write mon, "
                                            "tue, ..., sun or a range such as mon-fri");
      continue;
    }
    for (oncall::Weekday day = first.value();; day = (day + 1) % 7) {
      if (std::find(days.begin(), days.end(), day) == days.end())
        days.push_back(day);
      if (day == last.value())
        break;
    }
  }
}

// One end of a restriction: "09:00" or "fri 18:00".
struct WindowEnd {
  std::optional<oncall::Weekday> day;
  minutes time{0};
  std::string text;
};

std::optional<WindowEnd> read_window_end(Reader& reader, const Field& field) {
  auto text = read_string(reader, field);
  if (!text)
    return std::nullopt;
  WindowEnd end;
  end.text = *text;
  std::string time_text = *text;
  const std::size_t space = text->find(' ');
  if (space != std::string::npos) {
    auto day = oncall::parse_weekday(text->substr(0, space));
    if (!day) {
      reader.error(field.value_location, field.key + ": '" + *text +
                                             "' is not 'hh:mm' or 'weekday hh:mm' (e.g. 09:00 "
                                             "or fri 18:00)");
      return std::nullopt;
    }
    end.day = day.value();
    time_text = text->substr(text->find_first_not_of(' ', space));
  }
  auto time = oncall::parse_time_of_day(time_text);
  if (!time) {
    reader.error(field.value_location, field.key + ": " + reason_of(time.error()));
    return std::nullopt;
  }
  end.time = time.value();
  return end;
}

void read_restriction(Reader& reader, const Field& item, const std::string& context,
                      std::vector<oncall::WeeklyWindow>& out) {
  const std::string what = "restriction of " + context;
  auto mapping = Mapping::read(reader, item, what);
  if (!mapping)
    return;
  mapping->check_keys(reader, kRestrictionKeys, what);
  const Field* days_field = mapping->get("days");
  const Field* from_field = mapping->get("from");
  const Field* to_field = mapping->get("to");
  std::vector<oncall::Weekday> days;
  if (days_field != nullptr)
    read_days(reader, *days_field, days);
  if (from_field == nullptr && to_field == nullptr) {
    if (days_field == nullptr) {
      reader.error(mapping->location(),
                   what + " is empty; give from and to (09:00, or fri 18:00), days, or both");
    } else if (!days.empty()) {
      const auto whole = oncall::daily_windows(minutes(0), oncall::kDay, days);
      out.insert(out.end(), whole.begin(), whole.end());
    }
    return;
  }
  if (from_field == nullptr || to_field == nullptr) {
    reader.error(mapping->location(), what + " has '" + std::string(from_field ? "from" : "to") +
                                          "' but no '" + (from_field ? "to" : "from") + "'");
    return;
  }
  const auto from = read_window_end(reader, *from_field);
  const auto to = read_window_end(reader, *to_field);
  if (!from || !to)
    return;
  if (from->day.has_value() != to->day.has_value()) {
    reader.error(to_field->value_location,
                 "from '" + from->text + "' and to '" + to->text +
                     "' must both name a weekday (fri 18:00 to mon 08:00) or neither (09:00 to "
                     "17:00)");
    return;
  }
  if (from->day) {
    if (days_field != nullptr) {
      reader.error(days_field->key_location,
                   "days cannot be combined with from/to that name weekdays; use either "
                   "'days' with times of day, or weekday ends alone");
      return;
    }
    minutes start = oncall::kDay * static_cast<int>(*from->day) + from->time;
    minutes end = oncall::kDay * static_cast<int>(*to->day) + to->time;
    if (start >= oncall::kWeek)
      start -= oncall::kWeek;
    if (end > oncall::kWeek)
      end -= oncall::kWeek;
    if (start == end || (start == minutes(0) && end == minutes(0))) {
      reader.error(to_field->value_location, "restriction from '" + from->text + "' to '" +
                                                 to->text +
                                                 "' is empty; leave out restrictions for the "
                                                 "whole week");
      return;
    }
    out.push_back(oncall::weekly_window(*from->day, from->time, *to->day, to->time));
    return;
  }
  if (from->time == to->time) {
    reader.error(to_field->value_location,
                 "from and to are both '" + from->text + "'; a whole day is from 00:00 to 24:00");
    return;
  }
  if (days_field != nullptr && days.empty())
    return;  // reported by read_days
  const auto windows = oncall::daily_windows(from->time, to->time, days);
  out.insert(out.end(), windows.begin(), windows.end());
}

void read_schedule(Reader& reader, const Field& item, ParsedOncall& out) {
  auto mapping = Mapping::read(reader, item, "schedule");
  if (!mapping)
    return;
  ParsedSchedule parsed;
  parsed.name_location = mapping->location();
  std::string context = "schedule";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "schedule")) {
      parsed.name = *name;
      parsed.name_location = f->value_location;
      context = "schedule '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kScheduleKeys, context);
  if (const Field* f = mapping->require(reader, "layers", context)) {
    if (auto layers = read_list(reader, *f)) {
      if (layers->empty())
        reader.error(f->value_location, context + " has no layers; add one naming a rotation");
      for (std::size_t i = 0; i < layers->size(); ++i) {
        const std::string layer_what = "layer " + std::to_string(i + 1) + " of " + context;
        auto layer = Mapping::read(reader, (*layers)[i], layer_what);
        if (!layer)
          continue;
        layer->check_keys(reader, kLayerKeys, layer_what);
        ParsedLayer parsed_layer;
        if (const Field* r = layer->require(reader, "rotation", layer_what)) {
          if (auto rotation = read_name(reader, *r)) {
            parsed_layer.layer.rotation = rotation->name;
            parsed_layer.rotation_location = rotation->location;
          }
        }
        if (const Field* r = layer->get("restrictions")) {
          if (auto restrictions = read_list(reader, *r)) {
            for (const Field& restriction : *restrictions)
              read_restriction(reader, restriction, layer_what, parsed_layer.layer.restrictions);
          }
        }
        parsed.layers.push_back(std::move(parsed_layer));
      }
    }
  }
  if (!parsed.name.empty())
    out.schedules.push_back(std::move(parsed));
}

void read_override(Reader& reader, const Field& item, ParsedOncall& out) {
  auto mapping = Mapping::read(reader, item, "override");
  if (!mapping)
    return;
  const std::string context = "override";
  mapping->check_keys(reader, kOverrideKeys, context);
  ParsedOverride parsed;
  parsed.location = mapping->location();
  bool complete = true;
  const auto required_name = [&](const char* key, NameRef& into) {
    const Field* f = mapping->require(reader, key, context);
    auto name = f != nullptr ? read_name(reader, *f) : std::nullopt;
    if (name) {
      into = std::move(*name);
    } else {
      complete = false;
    }
  };
  required_name("schedule", parsed.schedule);
  required_name("user", parsed.user);
  required_name("start", parsed.start);
  required_name("end", parsed.end);
  if (const Field* f = mapping->get("mode")) {
    if (auto mode = read_string(reader, *f)) {
      if (*mode == "add") {
        parsed.mode = oncall::Override::Mode::kAdd;
      } else if (*mode != "replace") {
        reader.error(f->value_location, "mode: expected replace or add, got '" + *mode + "'");
        complete = false;
      }
    }
  }
  if (const Field* f = mapping->get("replaces")) {
    if (parsed.mode == oncall::Override::Mode::kAdd) {
      reader.error(f->key_location,
                   "'replaces' does not apply to mode add: an added person replaces nobody");
      complete = false;
    } else if (auto replaces = read_name(reader, *f)) {
      parsed.replaces = std::move(*replaces);
    }
  }
  if (const Field* f = mapping->get("time_zone")) {
    parsed.time_zone = read_time_zone(reader, *f);
    complete = complete && parsed.time_zone.has_value();
  }
  if (complete)
    out.overrides.push_back(std::move(parsed));
}

void read_policy(Reader& reader, const Field& item, ParsedOncall& out) {
  auto mapping = Mapping::read(reader, item, "escalation policy");
  if (!mapping)
    return;
  ParsedPolicy parsed;
  parsed.name_location = mapping->location();
  std::string context = "escalation policy";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "escalation policy")) {
      parsed.policy.name = *name;
      parsed.name_location = f->value_location;
      context = "escalation policy '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kPolicyKeys, context);
  // Checked against the route tree's receivers by the loader, which sees both documents.
  if (const Field* f = mapping->get("attach_to_receivers")) {
    for (NameRef& name : read_names(reader, *f)) {
      parsed.policy.attach_to_receivers.push_back(std::move(name.name));
      parsed.attach_locations.push_back(name.location);
    }
  }
  if (const Field* f = mapping->get("repeat")) {
    if (auto repeat = read_number(reader, *f)) {
      if (*repeat < 0 || *repeat > kMaxRepeat || std::floor(*repeat) != *repeat) {
        reader.error(f->value_location, "repeat " + format_double(*repeat) +
                                            " must be a whole number from 0 to " +
                                            std::to_string(kMaxRepeat));
      } else {
        parsed.policy.repeat = static_cast<int>(*repeat);
      }
    }
  }
  // Where each step's wait was written (or the step, when it was not): checked once all steps
  // and repeat are known.
  std::vector<std::optional<SourceLocation>> wait_locations;
  std::vector<SourceLocation> step_locations;
  if (const Field* f = mapping->require(reader, "steps", context)) {
    if (auto steps = read_list(reader, *f)) {
      if (steps->empty())
        reader.error(f->value_location, context + " has no steps; add at least one");
      for (std::size_t i = 0; i < steps->size(); ++i) {
        const std::string step_what = "step " + std::to_string(i + 1) + " of " + context;
        auto step = Mapping::read(reader, (*steps)[i], step_what);
        if (!step)
          continue;
        step->check_keys(reader, kStepKeys, step_what);
        oncall::EscalationStep parsed_step;
        std::vector<SourceLocation> locations;
        using Kind = oncall::EscalationTarget::Kind;
        for (const auto& [key, kind] :
             {std::pair{"schedules", Kind::kSchedule}, std::pair{"users", Kind::kUser},
              std::pair{"receivers", Kind::kReceiver}}) {
          if (const Field* targets = step->get(key)) {
            for (NameRef& name : read_names(reader, *targets)) {
              parsed_step.targets.push_back(oncall::EscalationTarget{kind, std::move(name.name)});
              locations.push_back(name.location);
            }
          }
        }
        if (parsed_step.targets.empty()) {
          reader.error(step->location(),
                       step_what + " has no targets; name schedules, users or receivers");
        }
        std::optional<SourceLocation> wait_location;
        if (const Field* w = step->get("wait")) {
          if (auto wait = read_duration(reader, *w)) {
            parsed_step.wait = *wait;
            wait_location = w->value_location;
          } else {
            wait_location = w->value_location;  // reported; do not report it missing too
            parsed_step.wait = milliseconds(1);
          }
        }
        parsed.policy.steps.push_back(std::move(parsed_step));
        parsed.target_locations.push_back(std::move(locations));
        wait_locations.push_back(wait_location);
        step_locations.push_back(step->location());
      }
    }
  }
  const std::size_t n = parsed.policy.steps.size();
  for (std::size_t i = 0; i < n; ++i) {
    const bool last = i + 1 == n;
    if (last && parsed.policy.repeat == 0)
      continue;  // nothing follows the last step
    const std::string next = last ? "the policy repeats" : "step " + std::to_string(i + 2);
    const std::string step_what = "step " + std::to_string(i + 1) + " of " + context;
    std::string message;
    if (!wait_locations[i]) {
      message = step_what;
      message += " needs 'wait': how long to wait for an acknowledgement before ";
      message += next;
      reader.error(step_locations[i], std::move(message));
    } else if (parsed.policy.steps[i].wait.count() <= 0) {
      message = "wait must be longer than 0s: it is how long ";
      message += step_what;
      message += " waits for an acknowledgement before ";
      message += next;
      reader.error(*wait_locations[i], std::move(message));
    }
  }
  if (!parsed.policy.name.empty())
    out.policies.push_back(std::move(parsed));
}

void read_items(Reader& reader, const Mapping& top, const char* key, ParsedOncall& out,
                void (*read)(Reader&, const Field&, ParsedOncall&)) {
  const Field* list = top.get(key);
  if (list == nullptr)
    return;
  if (auto items = read_list(reader, *list)) {
    for (const Field& item : *items)
      read(reader, item, out);
  }
}

// Cross-document checks.
class Checker {
 public:
  Checker(const ParsedOncall& parsed, std::vector<Diagnostic>* out) : parsed_(parsed), out_(out) {}

  oncall::OncallConfig run() {
    index(
        "user", parsed_.users, [](const ParsedUser& u) { return u.user.name; }, users_);
    index(
        "rotation", parsed_.rotations, [](const ParsedRotation& r) { return r.rotation.name; },
        rotations_);
    index(
        "schedule", parsed_.schedules, [](const ParsedSchedule& s) { return s.name; }, schedules_);
    index(
        "escalation policy", parsed_.policies, [](const ParsedPolicy& p) { return p.policy.name; },
        policies_);

    oncall::OncallConfig config;
    for (const ParsedUser& user : parsed_.users)
      config.users.push_back(user.user);
    for (const ParsedRotation& rotation : parsed_.rotations) {
      for (const NameRef& user : rotation.users)
        check_reference("user", user, users_);
      config.rotations.push_back(rotation.rotation);
    }
    for (const ParsedSchedule& schedule : parsed_.schedules) {
      oncall::Schedule built{schedule.name, {}, {}};
      for (const ParsedLayer& layer : schedule.layers) {
        check_reference("rotation", NameRef{layer.layer.rotation, layer.rotation_location},
                        rotations_);
        built.layers.push_back(layer.layer);
      }
      config.schedules.push_back(std::move(built));
    }
    for (const ParsedOverride& o : parsed_.overrides) {
      if (auto built = check_override(o)) {
        const auto schedule = schedules_.find(o.schedule.name);
        config.schedules[schedule->second].overrides.push_back(std::move(*built));
      }
    }
    for (const ParsedPolicy& policy : parsed_.policies) {
      for (std::size_t s = 0; s < policy.policy.steps.size(); ++s) {
        const auto& targets = policy.policy.steps[s].targets;
        for (std::size_t t = 0; t < targets.size(); ++t) {
          const NameRef ref{targets[t].name, policy.target_locations[s][t]};
          if (targets[t].kind == oncall::EscalationTarget::Kind::kSchedule)
            check_reference("schedule", ref, schedules_);
          if (targets[t].kind == oncall::EscalationTarget::Kind::kUser)
            check_reference("user", ref, users_);
        }
      }
      config.escalation_policies.push_back(policy.policy);
    }
    return config;
  }

 private:
  using Index = std::map<std::string, std::size_t, std::less<>>;

  void error(const SourceLocation& at, std::string message) {
    out_->push_back(Diagnostic{Diagnostic::Severity::kError, at, std::move(message)});
  }

  template <typename Item, typename NameOf>
  void index(const std::string& what, const std::vector<Item>& items, NameOf name_of, Index& into) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto [first, inserted] = into.emplace(name_of(items[i]), i);
      if (!inserted) {
        error(items[i].name_location,
              "duplicate " + what + " name '" + name_of(items[i]) + "' (first defined at " +
                  format_location(items[first->second].name_location) + ")");
      }
    }
  }

  // Reports an unknown name with a suggestion; true when the name is defined.
  bool check_reference(const std::string& what, const NameRef& ref, const Index& defined) {
    if (defined.count(ref.name) > 0)
      return true;
    std::vector<std::string> names;
    for (const auto& [name, i] : defined)
      names.push_back(name);
    std::string message = "unknown " + what + " '" + ref.name + "'";
    const std::string suggestion = closest_match(ref.name, names);
    if (!suggestion.empty()) {
      message += "; did you mean '" + suggestion + "'?";
    } else if (names.empty()) {
      message += " (no " + what + "s are defined)";
    } else {
      message += " (defined: " + join(names) + ")";
    }
    error(ref.location, std::move(message));
    return false;
  }

  // The zone an override's times without an offset are read in.
  std::optional<std::string> override_zone(const ParsedOverride& o) const {
    if (o.time_zone)
      return o.time_zone->name;
    const auto schedule = schedules_.find(o.schedule.name);
    if (schedule == schedules_.end())
      return std::nullopt;
    for (const ParsedLayer& layer : parsed_.schedules[schedule->second].layers) {
      const auto rotation = rotations_.find(layer.layer.rotation);
      if (rotation != rotations_.end())
        return parsed_.rotations[rotation->second].rotation.time_zone;
    }
    return std::nullopt;
  }

  std::optional<TimePoint> override_time(const ParsedOverride& o, const NameRef& text,
                                         const char* key) {
    if (auto instant = parse_rfc3339(text.name))
      return instant.value();
    auto local = oncall::parse_local_date_time(text.name);
    if (!local) {
      error(text.location, std::string(key) + ": '" + text.name +
                               "' is neither a wall-clock time (2026-12-24T09:00) nor an RFC "
                               "3339 instant (2026-12-24T07:00:00Z)");
      return std::nullopt;
    }
    const auto zone = override_zone(o);
    if (!zone) {
      // Only when none of the schedule's rotations (or the schedule itself) is defined, which is
      // reported at its name already.
      return std::nullopt;
    }
    auto instant = oncall::to_instant(local.value(), *zone);
    if (!instant)
      return std::nullopt;  // the zone was validated where it was written
    return instant.value();
  }

  std::optional<oncall::Override> check_override(const ParsedOverride& o) {
    bool ok = check_reference("schedule", o.schedule, schedules_);
    ok = check_reference("user", o.user, users_) && ok;
    if (o.replaces && check_reference("user", *o.replaces, users_) &&
        schedules_.count(o.schedule.name) > 0) {
      std::vector<std::string> members;
      for (const ParsedLayer& layer : parsed_.schedules[schedules_.at(o.schedule.name)].layers) {
        const auto rotation = rotations_.find(layer.layer.rotation);
        if (rotation == rotations_.end())
          continue;
        for (const std::string& user : parsed_.rotations[rotation->second].rotation.users) {
          if (std::find(members.begin(), members.end(), user) == members.end())
            members.push_back(user);
        }
      }
      if (std::find(members.begin(), members.end(), o.replaces->name) == members.end()) {
        error(o.replaces->location, "override replaces '" + o.replaces->name +
                                        "', who is in none of the rotations of " + "schedule '" +
                                        o.schedule.name + "' (" +
                                        (members.empty() ? std::string("nobody") : join(members)) +
                                        "), so it would never take effect");
        ok = false;
      }
    } else if (o.replaces) {
      ok = false;
    }
    const auto start = override_time(o, o.start, "start");
    const auto end = override_time(o, o.end, "end");
    if (start && end && *end <= *start) {
      error(o.end.location, "override end " + o.end.name + " is not after its start " +
                                o.start.name + "; the span is [start, end)");
      return std::nullopt;
    }
    if (!ok || !start || !end)
      return std::nullopt;
    oncall::Override built;
    built.mode = o.mode;
    built.user = o.user.name;
    built.replaces = o.replaces ? o.replaces->name : "";
    built.start = *start;
    built.end = *end;
    return built;
  }

  const ParsedOncall& parsed_;
  std::vector<Diagnostic>* out_;
  Index users_;
  Index rotations_;
  Index schedules_;
  Index policies_;
};

}  // namespace

void parse_oncall_document(Reader& reader, const YAML::Node& document, ParsedOncall* out) {
  if (document.IsNull())
    return;
  if (!document.IsMap()) {
    reader.error(reader.location(document),
                 "expected a mapping with users, rotations, schedules, overrides and/or "
                 "escalation_policies at the top level, got " +
                     describe(document));
    return;
  }
  auto top = Mapping::read_node(reader, document, reader.location(document), "the top level");
  if (!top)
    return;
  for (const Field& field : top->fields()) {
    const auto is = [&](const std::vector<std::string>& keys) {
      return std::find(keys.begin(), keys.end(), field.key) != keys.end();
    };
    if (is(kTopLevelKeys))
      continue;
    if (is(kAlertmanagerKeys)) {
      reader.error(field.key_location,
                   "'" + field.key +
                       "' belongs to the Alertmanager configuration: put it in the document "
                       "that has the top-level 'route:'");
      continue;
    }
    const std::string suggestion = closest_match(field.key, kTopLevelKeys);
    reader.error(field.key_location,
                 "unknown key '" + field.key + "' in an on-call document" +
                     (suggestion.empty() ? " (expected one of: " + join(kTopLevelKeys) + ")"
                                         : "; did you mean '" + suggestion + "'?"));
  }
  read_items(reader, *top, "users", *out, read_user);
  read_items(reader, *top, "rotations", *out, read_rotation);
  read_items(reader, *top, "schedules", *out, read_schedule);
  read_items(reader, *top, "overrides", *out, read_override);
  read_items(reader, *top, "escalation_policies", *out, read_policy);
}

oncall::OncallConfig check_oncall(const ParsedOncall& parsed, std::vector<Diagnostic>* out) {
  return Checker(parsed, out).run();
}

}  // namespace sloe::config::detail

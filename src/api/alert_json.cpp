#include "alert_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using nlohmann::json;

// Go's zero time.Time, which Alertmanager writes for "no end time".
bool is_go_zero_time(const std::string& text) {
  return text.rfind("0001-01-01T00:00:00", 0) == 0;
}

std::string element(const std::string& array, std::size_t index) {
  return array + "[" + std::to_string(index) + "]";
}

// Reads obj[key] as an optional RFC 3339 time; Go's zero time counts as absent.
Parsed<std::optional<TimePoint>> optional_time(const json& obj, const char* key,
                                               const std::string& field) {
  const auto found = obj.find(key);
  if (found == obj.end() || found->is_null())
    return std::optional<TimePoint>{};
  if (!found->is_string())
    return FieldError{field, "must be an RFC 3339 time string"};
  const auto& text = found->get_ref<const std::string&>();
  if (text.empty() || is_go_zero_time(text))
    return std::optional<TimePoint>{};
  auto parsed = parse_rfc3339(text);
  if (!parsed)
    return FieldError{field, "'" + text + "' is not an RFC 3339 time: " + parsed.error().message};
  return std::optional<TimePoint>{*parsed};
}

Parsed<std::string> optional_string(const json& obj, const char* key, const std::string& field) {
  const auto found = obj.find(key);
  if (found == obj.end() || found->is_null())
    return std::string{};
  if (!found->is_string())
    return FieldError{field, "must be a string"};
  return found->get<std::string>();
}

// A JSON object of string values with valid label names; required and non-empty for labels.
Parsed<Labels> label_set(const json& obj, const char* key, const std::string& field,
                         bool required) {
  const auto found = obj.find(key);
  if (found == obj.end() || found->is_null()) {
    if (required)
      return FieldError{field, "is required: at least one label pair"};
    return Labels{};
  }
  if (!found->is_object())
    return FieldError{field, "must be an object of name: \"value\" pairs"};
  Labels labels;
  for (const auto& [name, value] : found->items()) {
    if (!is_valid_label_name(name) || !value.is_string()) {
      std::string at = field;
      at.append(".").append(name);
      if (!is_valid_label_name(name))
        return FieldError{std::move(at), "'" + name + "' is not a valid label name"};
      return FieldError{std::move(at), "must be a string"};
    }
    labels.emplace(name, value.get<std::string>());
  }
  if (required && labels.empty())
    return FieldError{field, "must have at least one label pair"};
  return labels;
}

Parsed<json> parse_json(std::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return FieldError{"", "the body is not valid JSON"};
  return parsed;
}

// Reads the parts shared by both alert formats: labels, annotations, generatorURL.
std::optional<FieldError> read_common(const json& item, const std::string& at, alert::Alert& out) {
  auto labels = label_set(item, "labels", at + ".labels", true);
  if (auto* error = std::get_if<FieldError>(&labels))
    return *error;
  auto annotations = label_set(item, "annotations", at + ".annotations", false);
  if (auto* error = std::get_if<FieldError>(&annotations))
    return *error;
  auto url = optional_string(item, "generatorURL", at + ".generatorURL");
  if (auto* error = std::get_if<FieldError>(&url))
    return *error;
  out.labels = std::move(std::get<Labels>(labels));
  out.annotations = std::move(std::get<Labels>(annotations));
  out.generator_url = std::move(std::get<std::string>(url));
  return std::nullopt;
}

json labels_json(const Labels& labels) {
  json out = json::object();
  for (const auto& [name, value] : labels)
    out[name] = value;
  return out;
}

std::string time_json(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

Parsed<bool> optional_bool(const json& obj, const char* key, const std::string& field,
                           bool fallback) {
  const auto found = obj.find(key);
  if (found == obj.end() || found->is_null())
    return fallback;
  if (!found->is_boolean())
    return FieldError{field, "must be true or false"};
  return found->get<bool>();
}

json silence_json(const route::Silence& silence, TimePoint now) {
  json matchers = json::array();
  for (const alert::Matcher& m : silence.matchers) {
    const bool regex =
        m.type() == alert::MatchType::kRegexMatch || m.type() == alert::MatchType::kRegexNoMatch;
    const bool equal =
        m.type() == alert::MatchType::kEqual || m.type() == alert::MatchType::kRegexMatch;
    matchers.push_back(
        {{"name", m.name()}, {"value", m.value()}, {"isRegex", regex}, {"isEqual", equal}});
  }
  return {{"id", silence.id},
          {"status", {{"state", std::string(route::to_string(route::state_at(silence, now)))}}},
          {"updatedAt", time_json(silence.updated_at)},
          {"matchers", std::move(matchers)},
          {"startsAt", time_json(silence.starts_at)},
          {"endsAt", time_json(silence.ends_at)},
          {"createdBy", silence.created_by},
          {"comment", silence.comment}};
}

}  // namespace

Parsed<std::vector<alert::Alert>> parse_webhook(std::string_view body, TimePoint now) {
  auto parsed = parse_json(body);
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& payload = std::get<json>(parsed);
  if (!payload.is_object())
    return FieldError{"", "the body must be an Alertmanager webhook object"};
  if (const auto version = payload.find("version"); version != payload.end()) {
    if (!version->is_string() || version->get<std::string>() != "4")
      return FieldError{"version", "only webhook payload version \"4\" is understood"};
  }
  const auto items = payload.find("alerts");
  if (items == payload.end() || !items->is_array())
    return FieldError{"alerts", "is required and must be an array"};
  std::vector<alert::Alert> alerts;
  alerts.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    const std::string at = element("alerts", i);
    if (!item.is_object())
      return FieldError{at, "must be an object"};
    alert::Alert out;
    if (auto error = read_common(item, at, out))
      return *error;
    auto status = optional_string(item, "status", at + ".status");
    if (auto* error = std::get_if<FieldError>(&status))
      return *error;
    const std::string& state = std::get<std::string>(status);
    if (state != "firing" && state != "resolved")
      return FieldError{at + ".status", "must be \"firing\" or \"resolved\""};
    auto starts = optional_time(item, "startsAt", at + ".startsAt");
    if (auto* error = std::get_if<FieldError>(&starts))
      return *error;
    if (!std::get<std::optional<TimePoint>>(starts))
      return FieldError{at + ".startsAt", "is required"};
    out.starts_at = *std::get<std::optional<TimePoint>>(starts);
    auto ends = optional_time(item, "endsAt", at + ".endsAt");
    if (auto* error = std::get_if<FieldError>(&ends))
      return *error;
    if (state == "resolved") {
      out.ends_at = std::get<std::optional<TimePoint>>(ends).value_or(now);
      if (*out.ends_at < out.starts_at)
        return FieldError{at + ".endsAt", "must not be before startsAt"};
    }
    auto fingerprint = optional_string(item, "fingerprint", at + ".fingerprint");
    if (auto* error = std::get_if<FieldError>(&fingerprint))
      return *error;
    const std::string& given = std::get<std::string>(fingerprint);
    if (!given.empty() && given != alert::fingerprint_hex(out.labels)) {
      return FieldError{at + ".fingerprint", "'" + given + "' does not match the labels (" +
                                                 alert::fingerprint_hex(out.labels) + ")"};
    }
    alerts.push_back(std::move(out));
  }
  return alerts;
}

Parsed<std::vector<alert::Alert>> parse_postable_alerts(std::string_view body, TimePoint now,
                                                        std::chrono::milliseconds resolve_timeout) {
  auto parsed = parse_json(body);
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& items = std::get<json>(parsed);
  if (!items.is_array())
    return FieldError{"", "the body must be a JSON array of alerts"};
  std::vector<alert::Alert> alerts;
  alerts.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    const std::string at = element("alerts", i);
    if (!item.is_object())
      return FieldError{at, "must be an object"};
    alert::Alert out;
    if (auto error = read_common(item, at, out))
      return *error;
    auto starts = optional_time(item, "startsAt", at + ".startsAt");
    if (auto* error = std::get_if<FieldError>(&starts))
      return *error;
    auto ends = optional_time(item, "endsAt", at + ".endsAt");
    if (auto* error = std::get_if<FieldError>(&ends))
      return *error;
    const auto& starts_at = std::get<std::optional<TimePoint>>(starts);
    const auto& ends_at = std::get<std::optional<TimePoint>>(ends);
    out.starts_at = starts_at ? *starts_at : ends_at ? *ends_at : now;
    out.ends_at = ends_at ? *ends_at : now + resolve_timeout;
    if (*out.ends_at < out.starts_at)
      return FieldError{at + ".endsAt", "must not be before startsAt"};
    alerts.push_back(std::move(out));
  }
  return alerts;
}

std::string gettable_alerts_json(const std::vector<ReceivedAlert>& alerts,
                                 const std::vector<std::vector<std::string>>& silenced_by) {
  json out = json::array();
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const alert::Alert& a = alerts[i].alert;
    const std::vector<std::string>& silences = silenced_by[i];
    json item = {
        {"labels", labels_json(a.labels)},
        {"annotations", labels_json(a.annotations)},
        {"startsAt", time_json(a.starts_at)},
        {"endsAt", a.ends_at ? time_json(*a.ends_at) : "0001-01-01T00:00:00.000Z"},
        {"updatedAt", time_json(alerts[i].updated_at)},
        {"generatorURL", a.generator_url},
        {"fingerprint", alert::fingerprint_hex(a.labels)},
        {"receivers", json::array()},
        {"status",
         {{"state", silences.empty() ? "active" : "suppressed"},
          {"silencedBy", silences},
          {"inhibitedBy", json::array()}}},
        {"source", alerts[i].source},
    };
    out.push_back(std::move(item));
  }
  return out.dump();
}

Parsed<route::Silence> parse_postable_silence(std::string_view body) {
  auto parsed = parse_json(body);
  if (auto* error = std::get_if<FieldError>(&parsed))
    return *error;
  const json& item = std::get<json>(parsed);
  if (!item.is_object())
    return FieldError{"", "the body must be a silence object"};
  route::Silence silence;
  auto id = optional_string(item, "id", "id");
  if (auto* error = std::get_if<FieldError>(&id))
    return *error;
  silence.id = std::get<std::string>(id);

  const auto matchers = item.find("matchers");
  if (matchers == item.end() || !matchers->is_array())
    return FieldError{"matchers", "is required and must be an array"};
  for (std::size_t i = 0; i < matchers->size(); ++i) {
    const json& m = (*matchers)[i];
    const std::string at = element("matchers", i);
    if (!m.is_object())
      return FieldError{at, "must be an object"};
    auto name = optional_string(m, "name", at + ".name");
    if (auto* error = std::get_if<FieldError>(&name))
      return *error;
    const auto value = m.find("value");
    if (value == m.end() || !value->is_string())
      return FieldError{at + ".value", "is required and must be a string"};
    auto regex = optional_bool(m, "isRegex", at + ".isRegex", false);
    if (auto* error = std::get_if<FieldError>(&regex))
      return *error;
    auto equal = optional_bool(m, "isEqual", at + ".isEqual", true);
    if (auto* error = std::get_if<FieldError>(&equal))
      return *error;
    const bool is_regex = std::get<bool>(regex);
    const bool is_equal = std::get<bool>(equal);
    const alert::MatchType type =
        is_regex ? (is_equal ? alert::MatchType::kRegexMatch : alert::MatchType::kRegexNoMatch)
                 : (is_equal ? alert::MatchType::kEqual : alert::MatchType::kNotEqual);
    auto matcher =
        alert::Matcher::create(std::get<std::string>(name), type, value->get<std::string>());
    if (!matcher)
      return FieldError{at, matcher.error().message};
    silence.matchers.push_back(std::move(matcher).value());
  }
  for (const char* key : {"startsAt", "endsAt"}) {
    auto t = optional_time(item, key, key);
    if (auto* error = std::get_if<FieldError>(&t))
      return *error;
    if (!std::get<std::optional<TimePoint>>(t))
      return FieldError{key, "is required"};
    (std::string_view(key) == "startsAt" ? silence.starts_at : silence.ends_at) =
        *std::get<std::optional<TimePoint>>(t);
  }
  auto created_by = optional_string(item, "createdBy", "createdBy");
  if (auto* error = std::get_if<FieldError>(&created_by))
    return *error;
  silence.created_by = std::get<std::string>(created_by);
  auto comment = optional_string(item, "comment", "comment");
  if (auto* error = std::get_if<FieldError>(&comment))
    return *error;
  silence.comment = std::get<std::string>(comment);

  if (auto problem = route::validate(silence)) {
    static const std::pair<std::string_view, std::string_view> kJsonNames[] = {
        {"starts_at", "startsAt"}, {"ends_at", "endsAt"}, {"created_by", "createdBy"}};
    std::string field = problem->field;
    for (const auto& [domain, wire] : kJsonNames) {
      if (field == domain)
        field = wire;
    }
    return FieldError{field, problem->message};
  }
  return silence;
}

std::string gettable_silence_json(const route::Silence& silence, TimePoint now) {
  return silence_json(silence, now).dump();
}

std::string gettable_silences_json(const std::vector<route::Silence>& silences, TimePoint now) {
  // Alertmanager's order: active (ending soonest first), pending (starting soonest first),
  // expired (most recently ended first).
  std::vector<const route::Silence*> sorted;
  sorted.reserve(silences.size());
  for (const route::Silence& s : silences)
    sorted.push_back(&s);
  const auto rank = [now](const route::Silence& s) {
    switch (route::state_at(s, now)) {
      case route::SilenceState::kActive:
        return 0;
      case route::SilenceState::kPending:
        return 1;
      case route::SilenceState::kExpired:
        return 2;
    }
    return 3;
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const route::Silence* a, const route::Silence* b) {
                     const int ra = rank(*a);
                     const int rb = rank(*b);
                     if (ra != rb)
                       return ra < rb;
                     if (ra == 0)
                       return a->ends_at < b->ends_at;
                     if (ra == 1)
                       return a->starts_at < b->starts_at;
                     return a->ends_at > b->ends_at;
                   });
  json out = json::array();
  for (const route::Silence* s : sorted)
    out.push_back(silence_json(*s, now));
  return out.dump();
}

std::string silence_id_json(const std::string& id) {
  return json{{"silenceID", id}}.dump();
}

std::string escalation_to_json(const EscalationView& view) {
  const auto optional_time = [](const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
  };
  const nlohmann::json out{{"id", view.id},
                           {"receiver", view.receiver},
                           {"policy", view.policy},
                           {"group_key", view.group_key},
                           {"state", view.state},
                           {"started_at", format_rfc3339(view.started_at)},
                           {"next_step_at", optional_time(view.next_step_at)},
                           {"acknowledged_by", view.acknowledged_by},
                           {"acknowledged_at", optional_time(view.acknowledged_at)},
                           {"notifications_sent", view.notifications_sent}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::string> parse_ack_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return std::string("api");
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return Error{"body must be a JSON object such as {\"by\": \"alice\"}"};
  const auto by = parsed.find("by");
  if (by == parsed.end())
    return std::string("api");
  if (!by->is_string() || by->get<std::string>().empty() || by->get<std::string>().size() > 200)
    return Error{"by must be a non-empty string of at most 200 bytes"};
  return by->get<std::string>();
}

}  // namespace sloe::api

#include "oncall_json.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCreatedBy = 200;
constexpr std::array<std::string_view, 7> kOverrideKeys{"schedule", "mode", "user",      "replaces",
                                                        "start",    "end",  "created_by"};

std::string time_json(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

// obj[key] as a string; absent (or null) is "" unless required.
Parsed<std::string> string_field(const json& obj, const char* key, bool required) {
  const auto found = obj.find(key);
  if (found == obj.end() || found->is_null()) {
    if (required)
      return FieldError{key, "is required"};
    return std::string{};
  }
  if (!found->is_string())
    return FieldError{key, "must be a string"};
  std::string value = found->get<std::string>();
  if (required && value.empty())
    return FieldError{key, "must not be empty"};
  return value;
}

Parsed<TimePoint> time_field(const json& obj, const char* key) {
  auto text = string_field(obj, key, true);
  if (auto* error = std::get_if<FieldError>(&text))
    return *error;
  const std::string& value = std::get<std::string>(text);
  auto parsed = parse_rfc3339(value);
  if (!parsed) {
    return FieldError{key, "'" + value + "' is not an RFC 3339 time with an offset " +
                               "(e.g. 2026-12-24T09:00:00+02:00): " + parsed.error().message};
  }
  return *parsed;
}

json view_json(const OverrideView& view) {
  const OverrideRequest& o = view.override;
  return {{"id", view.id},
          {"schedule", o.schedule},
          {"mode", std::string(to_string(o.mode))},
          {"user", o.user},
          {"replaces", o.replaces},
          {"start", time_json(o.start)},
          {"end", time_json(o.end)},
          {"created_by", o.created_by},
          {"created_at", time_json(view.created_at)}};
}

}  // namespace

std::string_view to_string(OverrideMode mode) {
  return mode == OverrideMode::kAdd ? "add" : "replace";
}

Parsed<OverrideRequest> parse_override_request(std::string_view body) {
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return FieldError{"",
                      "the body must be a JSON object such as {\"schedule\": \"primary\", "
                      "\"user\": \"carol\", \"start\": ..., \"end\": ..., "
                      "\"created_by\": \"alice\"}"};
  }
  for (const auto& [key, value] : parsed.items()) {
    if (std::find(kOverrideKeys.begin(), kOverrideKeys.end(), key) == kOverrideKeys.end())
      return FieldError{key,
                        "unknown field (expected schedule, mode, user, replaces, start, end, "
                        "created_by)"};
  }
  OverrideRequest request;
  auto schedule = string_field(parsed, "schedule", true);
  if (auto* error = std::get_if<FieldError>(&schedule))
    return *error;
  request.schedule = std::move(std::get<std::string>(schedule));
  auto mode = string_field(parsed, "mode", false);
  if (auto* error = std::get_if<FieldError>(&mode))
    return *error;
  const std::string& mode_text = std::get<std::string>(mode);
  if (mode_text == "add") {
    request.mode = OverrideMode::kAdd;
  } else if (!mode_text.empty() && mode_text != "replace") {
    return FieldError{"mode", "expected replace or add, got '" + mode_text + "'"};
  }
  auto user = string_field(parsed, "user", true);
  if (auto* error = std::get_if<FieldError>(&user))
    return *error;
  request.user = std::move(std::get<std::string>(user));
  auto replaces = string_field(parsed, "replaces", false);
  if (auto* error = std::get_if<FieldError>(&replaces))
    return *error;
  request.replaces = std::move(std::get<std::string>(replaces));
  if (request.mode == OverrideMode::kAdd && !request.replaces.empty())
    return FieldError{"replaces", "does not apply to mode add: an added person replaces nobody"};
  auto start = time_field(parsed, "start");
  if (auto* error = std::get_if<FieldError>(&start))
    return *error;
  request.start = std::get<TimePoint>(start);
  auto end = time_field(parsed, "end");
  if (auto* error = std::get_if<FieldError>(&end))
    return *error;
  request.end = std::get<TimePoint>(end);
  auto created_by = string_field(parsed, "created_by", true);
  if (auto* error = std::get_if<FieldError>(&created_by))
    return *error;
  request.created_by = std::move(std::get<std::string>(created_by));
  if (request.created_by.size() > kMaxCreatedBy)
    return FieldError{"created_by", "must be at most 200 bytes"};
  return request;
}

std::string overrides_json(const std::vector<OverrideView>& overrides) {
  json list = json::array();
  for (const OverrideView& view : overrides)
    list.push_back(view_json(view));
  return json{{"overrides", std::move(list)}}.dump();
}

std::string override_json(const OverrideView& view) {
  return view_json(view).dump();
}

std::string override_id_json(const std::string& id) {
  return json{{"id", id}}.dump();
}

std::string on_call_json(std::string_view schedule, TimePoint at, const OnCallView& on_call) {
  json out = {{"schedule", std::string(schedule)},
              {"at", time_json(at)},
              {"users", on_call.users},
              {"until", nullptr}};
  if (on_call.until)
    out["until"] = time_json(*on_call.until);
  return out.dump();
}

}  // namespace sloe::api

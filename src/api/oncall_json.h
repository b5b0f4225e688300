// JSON mapping of the on-call endpoints (private to the api module).
//
// The parser validates the whole body before returning anything; a failure names the JSON field
// at fault ("" when the body is not a JSON object). Checks that need the on-call configuration
// (does the schedule exist, ...) are the OverrideService's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alert_json.h"
#include "sloe/api/oncall_api.h"
#include "sloe/core/clock.h"

namespace sloe::api {

// {"schedule", "mode"?, "user", "replaces"?, "start", "end", "created_by"}: strings; start and end
// RFC 3339 with an offset; mode "replace" (default) or "add", and `replaces` only with replace;
// created_by non-empty, at most 200 bytes. Unknown keys are refused, so a misspelt field is not
// silently ignored. Rules on the times' order (end after start, end in the future) are the
// service's, checked with the configuration.
Parsed<OverrideRequest> parse_override_request(std::string_view body);

// {"overrides": [{"id", "schedule", "mode", "user", "replaces", "start", "end", "created_by",
// "created_at"}, ...]}
std::string overrides_json(const std::vector<OverrideView>& overrides);
std::string override_json(const OverrideView& view);
// {"id": id}
std::string override_id_json(const std::string& id);
// {"schedule", "at", "users": [...], "until": time or null}
std::string on_call_json(std::string_view schedule, TimePoint at, const OnCallView& on_call);

}  // namespace sloe::api

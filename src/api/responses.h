// The error answers every API handler shares: a JSON body {"error": {"message", "field"}} with the
// status that fits. Internal to the api module (httplib types in the signatures).
#pragma once

#include <httplib.h>

#include <string>

#include "alert_json.h"             // FieldError
#include "sloe/api/alert_intake.h"  // Refused

namespace sloe::api {

inline constexpr const char* kJson = "application/json";

void send_error(httplib::Response& response, int status, const std::string& message,
                const std::string& field = "");
// 400 naming the field.
void send_field_error(httplib::Response& response, const FieldError& error);
// kInvalid → 400, kNotFound → 404 (field "id" unless named), kConflict → 409 (field "version"
// unless named), kUnavailable → 503 (the caller may retry).
void send_refusal(httplib::Response& response, const Refused& refused);

}  // namespace sloe::api

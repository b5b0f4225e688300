#include "responses.h"

#include "sloe/api/json.h"

namespace sloe::api {

void send_error(httplib::Response& response, int status, const std::string& message,
                const std::string& field) {
  response.status = status;
  response.set_content(error_json(message, field), kJson);
}

void send_field_error(httplib::Response& response, const FieldError& error) {
  send_error(response, 400, error.message, error.field);
}

void send_refusal(httplib::Response& response, const Refused& refused) {
  switch (refused.reason) {
    case Refusal::kInvalid:
      send_error(response, 400, refused.message, refused.field);
      return;
    case Refusal::kNotFound:
      send_error(response, 404, refused.message, refused.field.empty() ? "id" : refused.field);
      return;
    case Refusal::kConflict:
      send_error(response, 409, refused.message, refused.field.empty() ? "version" : refused.field);
      return;
    case Refusal::kUnavailable:
      send_error(response, 503, "not done, retry: " + refused.message);
      return;
  }
}

}  // namespace sloe::api

// JSON mapping of the alert and silence endpoints (private to the api module).
//
// Parsers validate the whole body before returning anything, so a handler never acts on half a
// batch; a failure names the field at fault the way a client wrote it, e.g. "alerts[3].labels",
// "alerts[0].startsAt", "matchers[1].name", and "" when the body is not JSON at all.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/api/alert_intake.h"
#include "sloe/api/escalations.h"
#include "sloe/core/result.h"
#include "sloe/route/silence.h"

namespace sloe::api {

struct FieldError {
  std::string field;
  std::string message;
};

template <typename T>
using Parsed = std::variant<T, FieldError>;

// Alertmanager webhook payload (version 4): the alerts[] of the notification. A firing alert is
// active until a resolved notification says otherwise (its endsAt is ignored); a resolved one
// ends at its endsAt (now when absent). A given fingerprint must equal the recomputed one.
Parsed<std::vector<alert::Alert>> parse_webhook(std::string_view body, TimePoint now);

// Alertmanager v2 PostableAlerts: a JSON array. As Alertmanager: missing startsAt is now (or
// endsAt when only that is given); missing endsAt is now + resolve_timeout.
Parsed<std::vector<alert::Alert>> parse_postable_alerts(std::string_view body, TimePoint now,
                                                        std::chrono::milliseconds resolve_timeout);

// Alertmanager v2 GettableAlerts; silenced_by[i] are the ids of the silences muting alerts[i].
std::string gettable_alerts_json(const std::vector<ReceivedAlert>& alerts,
                                 const std::vector<std::vector<std::string>>& silenced_by);

// Alertmanager v2 PostableSilence: {id?, matchers: [{name, value, isRegex, isEqual?}],
// startsAt, endsAt, createdBy, comment}. Checks types and route::validate(); field names are
// the JSON ones (createdBy, endsAt, ...).
Parsed<route::Silence> parse_postable_silence(std::string_view body);

// Alertmanager v2 GettableSilence(s).
std::string gettable_silence_json(const route::Silence& silence, TimePoint now);
std::string gettable_silences_json(const std::vector<route::Silence>& silences, TimePoint now);

// {"silenceID": id}
std::string silence_id_json(const std::string& id);

// The body of POST /api/v1/escalations/{id}/ack: empty, or {"by": "name"} with a non-empty name
// of at most 200 bytes. Missing "by" reads as "api".
Result<std::string> parse_ack_body(std::string_view body);

}  // namespace sloe::api

// The interfaces the alert and silence endpoints call, so the HTTP layer stays thin: handlers
// parse and validate a request completely, then hand typed values to an AlertSink or a
// SilenceService and map the answer to a status code. The real implementations (durable in
// SQLite) live in the app module; tests substitute their own.
//
// Endpoints (ApiServer::set_alert_routes):
//   POST /api/v1/alerts/alertmanager  Alertmanager webhook payload (version 4)
//   POST /api/v2/alerts               Alertmanager v2 body: [{labels, annotations, startsAt, ...}]
//   GET  /api/v2/alerts               current alerts, Alertmanager's GettableAlert shape
//   GET/POST /api/v2/silences, GET/DELETE /api/v2/silence/{id}   as Alertmanager's v2 API
//
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"
#include "sloe/route/silence.h"

namespace sloe::api {

// Where an alert came from; recorded with it.
inline constexpr std::string_view kSourceAlertmanagerWebhook = "alertmanager-webhook";
inline constexpr std::string_view kSourceApiV2 = "api-v2";
inline constexpr std::string_view kSourceSloe = "sloe";

struct ReceivedAlert {
  alert::Alert alert;
  std::string source;
  TimePoint updated_at{};  // when it was last received
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Records every alert of the batch, all or none, and returns ok only once they are durable:
  // the HTTP answer is 2xx only after this returned ok. An error becomes a 503 for the caller
  // to retry. REQUIRES: the alerts are valid (non-empty labels with valid names,
  // ends_at not before starts_at).
  virtual Status accept(std::vector<alert::Alert> alerts, std::string_view source) = 0;
  // Every alert not resolved at now.
  virtual std::vector<ReceivedAlert> current(TimePoint now) const = 0;
};

// Why a request was refused: kInvalid → 400, kNotFound → 404, kConflict → 409 (a stale version),
// kUnavailable → 503.
enum class Refusal { kInvalid, kNotFound, kConflict, kUnavailable };
struct Refused {
  Refusal reason;
  std::string message;
  std::string field;  // the request field at fault, when there is one
};
template <typename T>
using Answer = std::variant<T, Refused>;

class SilenceService {
 public:
  virtual ~SilenceService() = default;
  virtual std::vector<route::Silence> list() const = 0;
  virtual std::optional<route::Silence> get(std::string_view id) const = 0;
  // Creates or edits a silence (route::Silences::set semantics); returns the id to use.
  virtual Answer<std::string> put(route::Silence silence, TimePoint now) = 0;
  // Expires a silence now.
  virtual Answer<route::Silence> expire(std::string_view id, TimePoint now) = 0;
  // Ids of the silences muting labels at now.
  virtual std::vector<std::string> silenced_by(const Labels& labels, TimePoint now) const = 0;
};

struct AlertRoutes {
  AlertSink* alerts = nullptr;         // required; must outlive the server
  SilenceService* silences = nullptr;  // optional; without it the silence routes answer 404
  const Clock* clock = nullptr;        // required; "now" for defaults and states
  // Alertmanager's resolve_timeout: a v2 alert sent without endsAt ends this long after it was
  // received unless it is sent again.
  std::chrono::milliseconds resolve_timeout{std::chrono::minutes(5)};
};

}  // namespace sloe::api

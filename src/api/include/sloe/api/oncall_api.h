// The on-call endpoints and the interface they call (implemented by app::OncallOverrides):
// overrides made at run time, as PagerDuty and GoAlert allow, next to those in alerts/*.yaml.
//
//   GET    /api/v1/oncall/overrides        {"overrides": [OverrideView...]} (API-made ones only)
//   POST   /api/v1/oncall/overrides        body {"schedule", "mode": "add"|"replace", "user",
//                                          "replaces"?, "start", "end", "created_by"}; times are
//                                          RFC 3339 with an offset; mode defaults to "replace"
//                                          → 201 {"id": ...}
//   DELETE /api/v1/oncall/overrides/{id}   → 200 with the removed override, 404 when unknown
//   GET    /api/v1/oncall/who?schedule=&at=  who is on call on the schedule at `at` (RFC 3339,
//                                          default now): {"schedule", "at", "users": [...],
//                                          "until": time or null}; 404 for an unknown schedule
//
// Every invalid input is a 400 {"error": {"message", "field"}} naming the JSON field or query
// parameter at fault, and changes nothing. A storage failure is a 503 and changes nothing.
//
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sloe/api/alert_intake.h"
#include "sloe/core/clock.h"

namespace sloe::api {

enum class OverrideMode { kReplace, kAdd };

// "replace" / "add", as in the JSON body and alerts/*.yaml.
std::string_view to_string(OverrideMode mode);

// An override as a client asks for it.
struct OverrideRequest {
  std::string schedule;
  OverrideMode mode = OverrideMode::kReplace;
  std::string user;
  std::string replaces;  // replace mode only; empty takes over from whoever is on call
  TimePoint start{};
  TimePoint end{};
  std::string created_by;
};

// An override made through the API, as listed.
struct OverrideView {
  std::string id;
  OverrideRequest override;
  TimePoint created_at{};
};

// Why a request was refused. `field` names the JSON field at fault for kInvalid ("schedule",
// "user", "replaces", "end", ...), "id" for kNotFound.
struct OverrideRefused {
  Refusal reason = Refusal::kInvalid;
  std::string message;
  std::string field;
};
template <typename T>
using OverrideAnswer = std::variant<T, OverrideRefused>;

// Who is on call at an instant; users empty means nobody (a gap).
struct OnCallView {
  std::vector<std::string> users;
  std::optional<TimePoint> until;  // when the same people stop being on call; nullopt: far off
};

class OverrideService {
 public:
  virtual ~OverrideService() = default;
  // API-made overrides, ordered by start then id.
  virtual std::vector<OverrideView> list() const = 0;
  // Validates against the on-call configuration and stores the override before it takes effect;
  // returns its id.
  virtual OverrideAnswer<std::string> add(const OverrideRequest& request, TimePoint now) = 0;
  // Removes an API-made override (config-file overrides have no id and cannot be removed here).
  virtual OverrideAnswer<OverrideView> remove(std::string_view id) = 0;
  // nullopt when no schedule has that name.
  virtual std::optional<OnCallView> who(std::string_view schedule, TimePoint at) const = 0;
};

struct OncallRoutes {
  OverrideService* overrides = nullptr;  // required; must outlive the server
  const Clock* clock = nullptr;          // required; "now" for validation and `who` without `at`
};

}  // namespace sloe::api

// The escalation endpoints and the interface they call (implemented by the app's alert pipeline).
//
//   GET  /api/v1/escalations                 every escalation, newest first
//   GET  /api/v1/escalations/{id}            one
//   POST /api/v1/escalations/{id}/ack        body {"by": "name"} (optional; default "api")
//   GET  /api/v1/ack?subject=&expires=&sig=  the signed link in a notification: a page with one
//                                            button, so link previews and mail scanners that
//                                            fetch URLs do not acknowledge anything
//   POST /api/v1/ack?subject=&expires=&sig=  acknowledges (by "signed link")
//
// Answers: 404 for an unknown id, 409 when already acknowledged or resolved, 403 for a link
// that is expired or whose signature does not match.
//
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::api {

struct EscalationView {
  std::string id;  // 16 hex digits, stable for a (receiver, group)
  std::string receiver;
  std::string policy;
  std::string group_key;
  std::string state;  // active, acknowledged, resolved, exhausted
  TimePoint started_at{};
  std::optional<TimePoint> next_step_at;
  std::string acknowledged_by;  // empty unless acknowledged
  std::optional<TimePoint> acknowledged_at;
  std::size_t notifications_sent = 0;
};

class EscalationService {
 public:
  virtual ~EscalationService() = default;
  virtual std::vector<EscalationView> escalations() const = 0;
  virtual std::optional<EscalationView> escalation(std::string_view id) const = 0;
  // Errors: unknown id (message starts with "no escalation"), or already acknowledged/resolved.
  virtual Result<EscalationView> acknowledge(std::string_view id, std::string by) = 0;
};

struct EscalationRoutes {
  EscalationService* escalations = nullptr;  // required; must outlive the server
  std::string link_key;                      // verifies /api/v1/ack links
  const Clock* clock = nullptr;              // required
};

std::string escalation_to_json(const EscalationView& view);

}  // namespace sloe::api

// The interface the runbook endpoints call (the durable implementation is app::RunbookService;
// tests substitute their own). Handlers validate requests fully (400 naming the field), then map
// the answer: kNotFound → 404, kInvalid → 400 (field), kConflict → 409 (the step is not in a
// state that allows this, or a concurrent change won), kUnavailable → 503.
//
// Endpoints (ApiServer::set_runbook_routes):
//   GET  /api/v1/runbooks                         every runbook (name, title, applies_to,
//                                                 triggers, recovery targets, steps)      viewer
//   GET  /api/v1/runbooks/{name}                  one, with its Markdown sections          viewer
//   GET  /runbooks/{name}                         the same as an HTML page (what alerts'
//                                                 runbook_url points at)                 viewer
//   GET  /api/v1/incidents/{id}/runbooks          runs on this incident with step states  viewer
//   POST /api/v1/incidents/{id}/runbooks          {"runbook": NAME} start by hand → 201   responder
//   POST /api/v1/incidents/{id}/runbooks/{run}/steps/{step}/{action}
//        action: approve | reject | tick | skip | retry      (step: id or 1-based index) responder
//
// A mutating call returns once its writes (run state + timeline entries) are durable; automated
// steps then run on the service's own threads, so a POST never waits for an http or command step.
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sloe/api/alert_intake.h"  // Refusal, Refused, Answer
#include "sloe/core/clock.h"
#include "sloe/runbook/model.h"
#include "sloe/runbook/run.h"

namespace sloe::api {

enum class StepAction { kApprove, kReject, kTick, kSkip, kRetry };

class RunbookService {
 public:
  virtual ~RunbookService() = default;

  // The loaded runbooks, in name order.
  virtual std::vector<runbook::Runbook> runbooks() const = 0;
  // kNotFound when no runbook has this name.
  virtual Answer<runbook::Runbook> runbook(const std::string& name) const = 0;

  // kNotFound: no such incident.
  virtual Answer<std::vector<runbook::Run>> runs(std::int64_t incident_id) const = 0;
  // kNotFound: no such incident or runbook (field "runbook").
  virtual Answer<runbook::Run> start(std::int64_t incident_id, const std::string& runbook_name,
                                     const std::string& actor) = 0;
  // step: the step's id or its 1-based index. kNotFound: incident, run or step; kConflict: the
  // step's state does not allow the action (message says which state it is in).
  virtual Answer<runbook::Run> act(std::int64_t incident_id, std::int64_t run_id,
                                   const std::string& step, StepAction action,
                                   const std::string& actor) = 0;
};

struct RunbookRoutes {
  RunbookService* runbooks = nullptr;  // required; must outlive the server
  const Clock* clock = nullptr;        // required
};

}  // namespace sloe::api

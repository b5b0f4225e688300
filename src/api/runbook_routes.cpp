// The runbook endpoints (sloe/api/runbooks.h): reads need Access::kViewer, starting a run and
// acting on a step Access::kResponder; the principal's name is the actor the service records.
#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "responses.h"
#include "router.h"
#include "runbook_json.h"
#include "runbook_page.h"
#include "sloe/api/server.h"
#include "sloe/core/text.h"

namespace sloe::api {
namespace {

using Request = httplib::Request;
using Response = httplib::Response;
using Routes = std::shared_ptr<const RunbookRoutes>;

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr std::size_t kMaxStepReference = 64;

const std::vector<std::string> kActions{"approve", "reject", "tick", "skip", "retry"};

std::optional<StepAction> parse_action(std::string_view text) {
  if (text == "approve")
    return StepAction::kApprove;
  if (text == "reject")
    return StepAction::kReject;
  if (text == "tick")
    return StepAction::kTick;
  if (text == "skip")
    return StepAction::kSkip;
  if (text == "retry")
    return StepAction::kRetry;
  return std::nullopt;
}

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1)
    return std::nullopt;
  return value;
}

// A step is named by its id ([a-z0-9_-]+) or its 1-based index.
bool is_step_reference(std::string_view text) {
  if (text.empty() || text.size() > kMaxStepReference)
    return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// The id in the route's group `index`; answers 404 naming `field` when it is not one.
std::optional<std::int64_t> path_id(const Request& request, std::size_t index, const char* field,
                                    const char* what, Response& response) {
  const std::string text = request.matches[index].str();
  const auto id = positive_integer(text);
  if (!id) {
    send_error(response, 404,
               std::string("no ") + what + " '" + text + "': ids are positive integers", field);
  }
  return id;
}

bool no_query(const Request& request, Response& response) {
  if (request.params.empty())
    return true;
  send_error(response, 400, "unknown query parameter: this endpoint takes none",
             request.params.begin()->first);
  return false;
}

// The refusal, with the field a not-found or conflict answer names when the service left it out.
void send_runbook_refusal(Response& response, Refused refused, const char* not_found_field,
                          const char* conflict_field) {
  if (refused.field.empty()) {
    if (refused.reason == Refusal::kNotFound)
      refused.field = not_found_field;
    if (refused.reason == Refusal::kConflict)
      refused.field = conflict_field;
  }
  send_refusal(response, refused);
}

template <typename T, typename Render>
void send_run_answer(Response& response, const Answer<T>& answer, int status, Render render,
                     const char* not_found_field, const char* conflict_field) {
  if (const auto* refused = std::get_if<Refused>(&answer)) {
    send_runbook_refusal(response, *refused, not_found_field, conflict_field);
    return;
  }
  response.status = status;
  response.set_content(render(std::get<T>(answer)), kJson);
}

void install_runbook_resources(Router& router, const Routes& routes) {
  router.get("/api/v1/runbooks", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               if (no_query(request, response))
                 response.set_content(runbook_list_json(routes->runbooks->runbooks()), kJson);
             });
  router.get(R"(/api/v1/runbooks/([^/]+))", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               if (!no_query(request, response))
                 return;
               send_run_answer(response, routes->runbooks->runbook(request.matches[1].str()), 200,
                               runbook_json, "name", "name");
             });
  // The page alerts' runbook_url points at: HTML, also when the runbook is missing.
  router.get(R"(/runbooks/([^/]+))", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const std::string name = request.matches[1].str();
               const auto answer = routes->runbooks->runbook(name);
               response.set_header("Content-Security-Policy", kRunbookPageCsp);
               response.set_header("X-Content-Type-Options", "nosniff");
               response.set_header("Referrer-Policy", "no-referrer");
               if (const auto* book = std::get_if<runbook::Runbook>(&answer)) {
                 response.set_content(runbook_page_html(*book), kHtml);
                 return;
               }
               const Refused& refused = std::get<Refused>(answer);
               if (refused.reason == Refusal::kNotFound) {
                 response.status = 404;
                 response.set_content(runbook_not_found_html(name), kHtml);
                 return;
               }
               send_refusal(response, refused);
             });
}

void install_runs(Router& router, const Routes& routes) {
  router.get(R"(/api/v1/incidents/([^/]+)/runbooks)", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = path_id(request, 1, "id", "incident", response);
               if (id && no_query(request, response))
                 send_run_answer(response, routes->runbooks->runs(*id), 200, runs_json, "id", "id");
             });
  router.post(R"(/api/v1/incidents/([^/]+)/runbooks)", Access::kResponder,
              [routes](const Request& request, Response& response, const Principal& principal) {
                const auto id = path_id(request, 1, "id", "incident", response);
                if (!id || !no_query(request, response))
                  return;
                const auto parsed = parse_start_request(request.body);
                if (const auto* error = std::get_if<FieldError>(&parsed)) {
                  send_field_error(response, *error);
                  return;
                }
                send_run_answer(
                    response,
                    routes->runbooks->start(*id, std::get<std::string>(parsed), principal.name),
                    201, run_json, "runbook", "runbook");
              });
  router.post(
      R"(/api/v1/incidents/([^/]+)/runbooks/([^/]+)/steps/([^/]+)/([^/]+))", Access::kResponder,
      [routes](const Request& request, Response& response, const Principal& principal) {
        const auto id = path_id(request, 1, "id", "incident", response);
        if (!id)
          return;
        const auto run = path_id(request, 2, "run", "runbook run", response);
        if (!run || !no_query(request, response))
          return;
        const std::string step = request.matches[3].str();
        if (!is_step_reference(step)) {
          send_error(response, 400,
                     "'" + step + "' is neither a step id ([a-z0-9_-]+) nor a 1-based step number",
                     "step");
          return;
        }
        const std::string action_text = request.matches[4].str();
        const auto action = parse_action(action_text);
        if (!action) {
          const std::string suggestion = closest_match(action_text, kActions);
          send_error(response, 400,
                     "'" + action_text + "' is not a step action (approve, reject, tick, skip, " +
                         "retry)" +
                         (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"),
                     "action");
          return;
        }
        if (const auto error = check_no_body(request.body)) {
          send_field_error(response, *error);
          return;
        }
        send_run_answer(response, routes->runbooks->act(*id, *run, step, *action, principal.name),
                        200, run_json, "step", "step");
      });
}

}  // namespace

void ApiServer::set_runbook_routes(const RunbookRoutes& routes) {
  const auto shared = std::make_shared<const RunbookRoutes>(routes);
  install_runbook_resources(router(), shared);
  install_runs(router(), shared);
}

}  // namespace sloe::api

#include "incident_routes.h"

#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "incident_json.h"
#include "responses.h"
#include "sloe/api/json.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

constexpr std::size_t kMaxLimit = 1000;
constexpr std::size_t kDefaultTimelineLimit = 100;

const std::vector<std::string> kListParams{"state", "severity", "service", "since",
                                           "until", "tests",    "limit",   "before"};
const std::vector<std::string> kTimelineParams{"after", "limit"};
const std::vector<std::string> kNoParams{};

using Request = httplib::Request;
using Response = httplib::Response;

// Answers with render(value) and `status`, or with the refusal.
template <typename T, typename Render>
void send_answer(Response& response, const Answer<T>& answer, int status, Render render) {
  if (const auto* refused = std::get_if<Refused>(&answer)) {
    send_refusal(response, *refused);
    return;
  }
  response.status = status;
  response.set_content(render(std::get<T>(answer)), kJson);
}

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1)
    return std::nullopt;
  return value;
}

// The id captured by the route's group `index`; answers 404 naming `field` when it is not one.
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

// Query parameters not in `allowed` are refused, so a misspelt filter is not silently ignored.
std::optional<FieldError> unknown_param(const Request& request,
                                        const std::vector<std::string>& allowed) {
  for (const auto& [name, value] : request.params) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
      continue;
    const std::string suggestion = closest_match(name, allowed);
    return FieldError{name, suggestion.empty()
                                ? "unknown query parameter"
                                : "unknown query parameter; did you mean '" + suggestion + "'?"};
  }
  return std::nullopt;
}

std::optional<FieldError> limit_param(const Request& request, std::size_t& out) {
  if (!request.has_param("limit"))
    return std::nullopt;
  const std::string text = request.get_param_value("limit");
  const auto limit = positive_integer(text);
  if (!limit || *limit > static_cast<std::int64_t>(kMaxLimit))
    return FieldError{"limit", "must be an integer from 1 to 1000, not '" + text + "'"};
  out = static_cast<std::size_t>(*limit);
  return std::nullopt;
}

std::optional<FieldError> time_param(const Request& request, const char* name,
                                     std::optional<TimePoint>& out) {
  if (!request.has_param(name))
    return std::nullopt;
  const std::string text = request.get_param_value(name);
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    return FieldError{name, "'" + text + "' is not an RFC 3339 time with an offset " +
                                "(e.g. 2026-11-23T10:00:00Z): " + parsed.error().message};
  }
  out = *parsed;
  return std::nullopt;
}

Parsed<IncidentFilter> parse_filter(const Request& request) {
  if (auto error = unknown_param(request, kListParams))
    return *error;
  IncidentFilter filter;
  if (request.has_param("state")) {
    const std::string text = request.get_param_value("state");
    filter.state = incident::parse_state(text);
    if (!filter.state) {
      return FieldError{"state",
                        "must be one of triage, investigating, identified, monitoring, "
                        "resolved, closed, not '" +
                            text + "'"};
    }
  }
  if (request.has_param("severity")) {
    const std::string text = request.get_param_value("severity");
    filter.severity = incident::parse_severity(text);
    if (!filter.severity)
      return FieldError{"severity", "must be one of SEV1, SEV2, SEV3, SEV4, not '" + text + "'"};
  }
  filter.service = request.get_param_value("service");
  if (auto error = time_param(request, "since", filter.since))
    return *error;
  if (auto error = time_param(request, "until", filter.until))
    return *error;
  if (filter.since && filter.until && *filter.until < *filter.since)
    return FieldError{"until", "must not be before since"};
  if (request.has_param("tests")) {
    const std::string text = request.get_param_value("tests");
    if (text != "true" && text != "false")
      return FieldError{"tests", "must be true or false, not '" + text + "'"};
    filter.include_tests = text == "true";
  }
  if (auto error = limit_param(request, filter.limit))
    return *error;
  if (request.has_param("before")) {
    const std::string text = request.get_param_value("before");
    const auto before = positive_integer(text);
    if (!before) {
      return FieldError{"before",
                        "must be the \"next\" cursor of the previous page, not '" + text + "'"};
    }
    filter.before_id = *before;
  }
  return filter;
}

struct TimelinePage {
  std::int64_t after = 0;
  std::size_t limit = kDefaultTimelineLimit;
};

Parsed<TimelinePage> parse_timeline_page(const Request& request) {
  if (auto error = unknown_param(request, kTimelineParams))
    return *error;
  TimelinePage page;
  if (request.has_param("after")) {
    const std::string text = request.get_param_value("after");
    const auto after = positive_integer(text);
    if (!after && text != "0") {
      return FieldError{"after",
                        "must be the \"next\" cursor of the previous page, not '" + text + "'"};
    }
    page.after = after.value_or(0);
  }
  if (auto error = limit_param(request, page.limit))
    return *error;
  return page;
}

// A parsed body or query, or the 400 already sent.
template <typename T>
const T* accepted(const Parsed<T>& parsed, Response& response) {
  if (const auto* error = std::get_if<FieldError>(&parsed)) {
    send_field_error(response, *error);
    return nullptr;
  }
  return &std::get<T>(parsed);
}

bool no_query(const Request& request, Response& response) {
  if (auto error = unknown_param(request, kNoParams)) {
    send_field_error(response, *error);
    return false;
  }
  return true;
}

std::string incident_path(std::int64_t id) {
  return "/api/v1/incidents/" + std::to_string(id);
}

using Routes = std::shared_ptr<const IncidentRoutes>;

void install_incident_resource(Router& router, const Routes& routes) {
  router.get("/api/v1/incidents", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto parsed = parse_filter(request);
               if (const IncidentFilter* filter = accepted(parsed, response)) {
                 send_answer(response, routes->incidents->list(*filter), 200, incident_list_json);
               }
             });
  router.post("/api/v1/incidents", Access::kResponder,
              [routes](const Request& request, Response& response, const Principal& principal) {
                const auto parsed = parse_declaration(request.body);
                const incident::Declaration* declaration = accepted(parsed, response);
                if (declaration == nullptr)
                  return;
                const auto answer = routes->incidents->declare(*declaration, principal.name);
                if (const auto* incident = std::get_if<incident::Incident>(&answer))
                  response.set_header("Location", incident_path(incident->id));
                send_answer(response, answer, 201, incident_json);
              });
  // Before the {id} routes, though "stats" never parses as an id.
  router.get("/api/v1/incidents/stats", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               if (no_query(request, response))
                 send_answer(response, routes->incidents->stats(), 200, stats_json);
             });
  router.get(R"(/api/v1/incidents/([^/]+))", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = path_id(request, 1, "id", "incident", response);
               if (id && no_query(request, response))
                 send_answer(response, routes->incidents->get(*id), 200, incident_detail_json);
             });
  router.patch(R"(/api/v1/incidents/([^/]+))", Access::kResponder,
               [routes](const Request& request, Response& response, const Principal& principal) {
                 const auto id = path_id(request, 1, "id", "incident", response);
                 if (!id)
                   return;
                 const auto parsed = parse_incident_update(request.body);
                 if (const IncidentUpdate* update = accepted(parsed, response)) {
                   send_answer(response,
                               routes->incidents->update(*id, update->version, update->patch,
                                                         principal.name),
                               200, incident_json);
                 }
               });
}

void install_timeline(Router& router, const Routes& routes) {
  router.get(R"(/api/v1/incidents/([^/]+)/timeline)", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = path_id(request, 1, "id", "incident", response);
               if (!id)
                 return;
               const auto parsed = parse_timeline_page(request);
               const TimelinePage* page = accepted(parsed, response);
               if (page == nullptr)
                 return;
               send_answer(response, routes->incidents->timeline(*id, page->after, page->limit),
                           200, [&](const std::vector<incident::TimelineEvent>& events) {
                             // A full page may have more after it; a short one is the last.
                             const std::int64_t next =
                                 events.size() == page->limit && !events.empty() ? events.back().id
                                                                                 : 0;
                             return timeline_json(events, next);
                           });
             });
  router.post(R"(/api/v1/incidents/([^/]+)/timeline)", Access::kResponder,
              [routes](const Request& request, Response& response, const Principal& principal) {
                const auto id = path_id(request, 1, "id", "incident", response);
                if (!id)
                  return;
                const auto parsed = parse_note_request(request.body);
                if (const NoteRequest* note = accepted(parsed, response)) {
                  send_answer(
                      response,
                      routes->incidents->add_note(*id, note->text, note->pinned, principal.name),
                      201, event_json);
                }
              });
  router.patch(R"(/api/v1/incidents/([^/]+)/timeline/([^/]+))", Access::kResponder,
               [routes](const Request& request, Response& response, const Principal& principal) {
                 const auto id = path_id(request, 1, "id", "incident", response);
                 if (!id)
                   return;
                 const auto event_id = path_id(request, 2, "event", "timeline event", response);
                 if (!event_id)
                   return;
                 const auto parsed = parse_note_edit(request.body);
                 if (const NoteEdit* edit = accepted(parsed, response)) {
                   send_answer(
                       response,
                       routes->incidents->edit_note(*id, *event_id, edit->expected_revision,
                                                    edit->text, edit->pinned, principal.name),
                       200, event_json);
                 }
               });
  router.get(R"(/api/v1/incidents/([^/]+)/timeline/([^/]+)/revisions)", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = path_id(request, 1, "id", "incident", response);
               if (!id)
                 return;
               const auto event_id = path_id(request, 2, "event", "timeline event", response);
               if (event_id && no_query(request, response)) {
                 send_answer(response, routes->incidents->note_revisions(*id, *event_id), 200,
                             revisions_json);
               }
             });
}

void install_actions(Router& router, const Routes& routes) {
  auto render_actions = [routes](const std::vector<incident::ActionItem>& items) {
    return actions_json(items, routes->clock->now());
  };
  auto render_action = [routes](const incident::ActionItem& item) {
    return action_json(item, routes->clock->now());
  };
  router.get(
      R"(/api/v1/incidents/([^/]+)/actions)", Access::kViewer,
      [routes, render_actions](const Request& request, Response& response, const Principal&) {
        const auto id = path_id(request, 1, "id", "incident", response);
        if (id && no_query(request, response))
          send_answer(response, routes->incidents->actions(*id), 200, render_actions);
      });
  router.post(R"(/api/v1/incidents/([^/]+)/actions)", Access::kResponder,
              [routes, render_action](const Request& request, Response& response,
                                      const Principal& principal) {
                const auto id = path_id(request, 1, "id", "incident", response);
                if (!id)
                  return;
                const auto parsed = parse_action_draft(request.body);
                if (const incident::ActionDraft* draft = accepted(parsed, response)) {
                  send_answer(response, routes->incidents->add_action(*id, *draft, principal.name),
                              201, render_action);
                }
              });
  router.patch(R"(/api/v1/incidents/([^/]+)/actions/([^/]+))", Access::kResponder,
               [routes, render_action](const Request& request, Response& response,
                                       const Principal& principal) {
                 const auto id = path_id(request, 1, "id", "incident", response);
                 if (!id)
                   return;
                 const auto action_id = path_id(request, 2, "action", "action item", response);
                 if (!action_id)
                   return;
                 const auto parsed = parse_action_update(request.body);
                 if (const ActionUpdate* update = accepted(parsed, response)) {
                   send_answer(response,
                               routes->incidents->update_action(*id, *action_id, update->version,
                                                                update->patch, principal.name),
                               200, render_action);
                 }
               });
  router.get(
      "/api/v1/actions/overdue", Access::kViewer,
      [routes, render_actions](const Request& request, Response& response, const Principal&) {
        if (no_query(request, response))
          send_answer(response, routes->incidents->overdue_actions(), 200, render_actions);
      });
}

}  // namespace

void install_incident_routes(Router& router, const IncidentRoutes& routes) {
  const auto shared = std::make_shared<const IncidentRoutes>(routes);
  install_incident_resource(router, shared);
  install_timeline(router, shared);
  install_actions(router, shared);
}

}  // namespace sloe::api

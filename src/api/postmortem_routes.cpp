// The postmortem endpoints (sloe/api/postmortems.h): the document in three formats, and the
// narrative people write, as JSON.
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "responses.h"
#include "router.h"
#include "sloe/api/postmortems.h"
#include "sloe/api/server.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"

namespace sloe::api {

std::optional<PostmortemFormat> parse_postmortem_format(std::string_view text) {
  if (text == "md")
    return PostmortemFormat::kMarkdown;
  if (text == "json")
    return PostmortemFormat::kJsonDocument;
  if (text == "html")
    return PostmortemFormat::kHtml;
  return std::nullopt;
}

namespace {

using nlohmann::json;
using postmortem::Narrative;
using Request = httplib::Request;
using Response = httplib::Response;

const std::vector<std::string> kDocumentParams{"format", "tz"};
const std::vector<std::string> kListFields{
    "contributing_factors", "went_well", "went_wrong", "got_lucky", "links", "authors"};
const std::vector<std::string> kNarrativeFields{
    "version",   "summary",    "root_cause", "resolution", "contributing_factors",
    "went_well", "went_wrong", "got_lucky",  "links",      "authors"};
// Read-only keys of the GET answer, accepted (and ignored) in a PUT so that a client may send
// back what it read with its edits.
const std::vector<std::string> kAnswerOnlyFields{"updated_by", "updated_at"};

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1)
    return std::nullopt;
  return value;
}

// The incident id of the path; answers 404 (field "id") when it is not one.
std::optional<std::int64_t> incident_id(const Request& request, Response& response) {
  const std::string text = request.matches[1].str();
  const auto id = positive_integer(text);
  if (!id)
    send_error(response, 404, "no incident '" + text + "': ids are positive integers", "id");
  return id;
}

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

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json narrative_json(const Narrative& narrative) {
  json out = json::object();
  out["version"] = narrative.version;
  out["summary"] = narrative.summary;
  out["root_cause"] = narrative.root_cause;
  out["contributing_factors"] = narrative.contributing_factors;
  out["resolution"] = narrative.resolution;
  out["went_well"] = narrative.went_well;
  out["went_wrong"] = narrative.went_wrong;
  out["got_lucky"] = narrative.got_lucky;
  out["links"] = narrative.links;
  out["authors"] = narrative.authors;
  out["updated_by"] = narrative.updated_by;
  out["updated_at"] = narrative.updated_at
                          ? json(format_rfc3339(*narrative.updated_at, Rfc3339Precision::kMillis))
                          : json(nullptr);
  return out;
}

struct NarrativeUpdate {
  Narrative narrative;
  std::int64_t version = 0;
};

std::optional<FieldError> read_text(const json& body, const char* key, std::string& out) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if (!found->is_string())
    return FieldError{key, std::string("must be a string, not ") + found->type_name()};
  out = found->get<std::string>();
  return std::nullopt;
}

std::optional<FieldError> read_list(const json& body, const std::string& key,
                                    std::vector<std::string>& out) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null())
    return std::nullopt;
  if (!found->is_array())
    return FieldError{key, std::string("must be an array of strings, not ") + found->type_name()};
  for (std::size_t i = 0; i < found->size(); ++i) {
    const json& item = (*found)[i];
    if (!item.is_string()) {
      return FieldError{key + "[" + std::to_string(i) + "]",
                        std::string("must be a string, not ") + item.type_name()};
    }
    out.push_back(item.get<std::string>());
  }
  return std::nullopt;
}

Parsed<NarrativeUpdate> parse_narrative_update(std::string_view text) {
  const json body = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return FieldError{"",
                      "the body must be a JSON object such as {\"version\": 0, \"root_cause\": "
                      "\"...\", \"went_well\": [\"...\"]}"};
  }
  for (const auto& item : body.items()) {
    const std::string& key = item.key();
    const auto known = [&](const std::vector<std::string>& names) {
      return std::find(names.begin(), names.end(), key) != names.end();
    };
    if (known(kNarrativeFields) || known(kAnswerOnlyFields))
      continue;
    const std::string suggestion = closest_match(key, kNarrativeFields);
    return FieldError{key, suggestion.empty()
                               ? "unknown field"
                               : "unknown field; did you mean '" + suggestion + "'?"};
  }
  NarrativeUpdate update;
  const auto version = body.find("version");
  if (version == body.end()) {
    return FieldError{"version",
                      "required: the version read from GET (0 when no narrative was written yet)"};
  }
  if (!version->is_number_integer() || version->get<std::int64_t>() < 0) {
    return FieldError{"version",
                      "must be a non-negative integer (the version read), not " + version->dump()};
  }
  update.version = version->get<std::int64_t>();
  Narrative& narrative = update.narrative;
  for (auto [key, out] :
       {std::pair{"summary", &narrative.summary}, std::pair{"root_cause", &narrative.root_cause},
        std::pair{"resolution", &narrative.resolution}}) {
    if (auto error = read_text(body, key, *out))
      return *error;
  }
  std::vector<std::string>* lists[] = {&narrative.contributing_factors,
                                       &narrative.went_well,
                                       &narrative.went_wrong,
                                       &narrative.got_lucky,
                                       &narrative.links,
                                       &narrative.authors};
  for (std::size_t i = 0; i < kListFields.size(); ++i) {
    if (auto error = read_list(body, kListFields[i], *lists[i]))
      return *error;
  }
  return update;
}

template <typename T>
bool refused(const Answer<T>& answer, Response& response) {
  if (const auto* refusal = std::get_if<Refused>(&answer)) {
    send_refusal(response, *refusal);
    return true;
  }
  return false;
}

using Routes = std::shared_ptr<const PostmortemRoutes>;

void install(Router& router, const Routes& routes) {
  router.get(R"(/api/v1/incidents/([^/]+)/postmortem)", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = incident_id(request, response);
               if (!id)
                 return;
               if (auto error = unknown_param(request, kDocumentParams)) {
                 send_field_error(response, *error);
                 return;
               }
               PostmortemFormat format = PostmortemFormat::kMarkdown;
               if (request.has_param("format")) {
                 const std::string text = request.get_param_value("format");
                 const auto parsed = parse_postmortem_format(text);
                 if (!parsed) {
                   send_field_error(
                       response,
                       FieldError{"format", "must be md, json or html, not '" + text + "'"});
                   return;
                 }
                 format = *parsed;
               }
               std::optional<std::string> zone;
               if (request.has_param("tz"))
                 zone = request.get_param_value("tz");
               const auto answer = routes->postmortems->render(*id, format, zone);
               if (refused(answer, response))
                 return;
               const auto& rendered = std::get<RenderedPostmortem>(answer);
               response.status = 200;
               response.set_content(rendered.body, rendered.content_type);
             });
  router.get(R"(/api/v1/incidents/([^/]+)/postmortem/narrative)", Access::kViewer,
             [routes](const Request& request, Response& response, const Principal&) {
               const auto id = incident_id(request, response);
               if (!id)
                 return;
               if (auto error = unknown_param(request, {})) {
                 send_field_error(response, *error);
                 return;
               }
               const auto answer = routes->postmortems->narrative(*id);
               if (refused(answer, response))
                 return;
               response.status = 200;
               response.set_content(dump(narrative_json(std::get<Narrative>(answer))), kJson);
             });
  router.put(R"(/api/v1/incidents/([^/]+)/postmortem/narrative)", Access::kResponder,
             [routes](const Request& request, Response& response, const Principal& principal) {
               const auto id = incident_id(request, response);
               if (!id)
                 return;
               const auto parsed = parse_narrative_update(request.body);
               if (const auto* error = std::get_if<FieldError>(&parsed)) {
                 send_field_error(response, *error);
                 return;
               }
               const auto& update = std::get<NarrativeUpdate>(parsed);
               const auto answer = routes->postmortems->put_narrative(
                   *id, update.narrative, update.version, principal.name);
               if (refused(answer, response))
                 return;
               response.status = 200;
               response.set_content(dump(narrative_json(std::get<Narrative>(answer))), kJson);
             });
}

}  // namespace

void ApiServer::set_postmortem_routes(const PostmortemRoutes& routes) {
  install(router(), std::make_shared<const PostmortemRoutes>(routes));
}

}  // namespace sloe::api

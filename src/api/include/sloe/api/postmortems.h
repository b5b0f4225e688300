// The interface the postmortem endpoints call (the durable implementation is
// app::PostmortemService; tests substitute their own). Handlers validate the request fully (400
// naming the field), then map the answer: kNotFound → 404, kInvalid → 400 (field), kConflict →
// 409 (the narrative's version is stale), kUnavailable → 503.
//
// Endpoints (ApiServer::set_postmortem_routes):
//   GET /api/v1/incidents/{id}/postmortem?format=md|json|html&tz=ZONE                     viewer
//       the postmortem document: text/markdown; charset=utf-8 (default md) / application/json /
//       text/html; charset=utf-8. tz: an IANA zone shown beside UTC in the timeline (default:
//       sloe.yaml's postmortem.second_zone; empty for UTC only). 400 naming format or tz.
//   GET /api/v1/incidents/{id}/postmortem/narrative                                       viewer
//       {"summary", "root_cause", "contributing_factors": [..], "resolution", "went_well": [..],
//        "went_wrong": [..], "got_lucky": [..], "links": [..], "authors": [..], "version",
//        "updated_by", "updated_at"}; version 0 (every field empty) when never written.
//   PUT /api/v1/incidents/{id}/postmortem/narrative                                    responder
//       the same fields (each optional: an absent one is empty) and "version" (required: the
//       version read, 0 for the first write) → 200 with the stored narrative (version + 1);
//       409 when the version is stale; 400 naming the field.
//
// Thread-safety: implementations are called from the server's thread pool, concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sloe/api/alert_intake.h"  // Refusal, Refused, Answer
#include "sloe/core/clock.h"
#include "sloe/postmortem/document.h"

namespace sloe::api {

// (kJsonDocument, not kJson: that name is the api module's JSON content type.)
enum class PostmortemFormat { kMarkdown, kJsonDocument, kHtml };

// "md" / "json" / "html"; nullopt for anything else.
std::optional<PostmortemFormat> parse_postmortem_format(std::string_view text);

struct RenderedPostmortem {
  std::string content_type;  // e.g. "text/markdown; charset=utf-8"
  std::string body;
};

class PostmortemService {
 public:
  virtual ~PostmortemService() = default;

  // The document of an incident in `format`. second_zone: nullopt → the configured default;
  // "" → UTC only; else an IANA zone name (kInvalid, field "tz", when unknown).
  // kNotFound: no such incident; kUnavailable: the record could not be read.
  virtual Answer<RenderedPostmortem> render(
      std::int64_t incident_id, PostmortemFormat format,
      const std::optional<std::string>& second_zone) const = 0;
  // The stored narrative (version 0 and empty fields when never written). kNotFound: no incident.
  virtual Answer<postmortem::Narrative> narrative(std::int64_t incident_id) const = 0;
  // Stores narrative's fields as version expected_version + 1, redacted, by actor. kNotFound: no
  // incident; kConflict: expected_version is not the stored version; kInvalid (field).
  virtual Answer<postmortem::Narrative> put_narrative(std::int64_t incident_id,
                                                      const postmortem::Narrative& narrative,
                                                      std::int64_t expected_version,
                                                      const std::string& actor) = 0;
};

struct PostmortemRoutes {
  PostmortemService* postmortems = nullptr;  // required; must outlive the server
};

}  // namespace sloe::api

// PostmortemService: the durable implementation of api::PostmortemService. It gathers what a
// postmortem is made of and hands it to postmortem::build, then renders the Document:
//   - the incident, its whole timeline (paged through) and its action items, read through the
//     api::IncidentService interface (so the reads see exactly what the incident API answers);
//   - the narrative people wrote, from its own connection to the database (store::
//     PostmortemStore, migration 8), redacted on write as incident notes are;
//   - the numbers of the affected SLOs through Options::slo_counts. The affected SLOs are those
//     named by the `slo` label of the alerts on the timeline (incident opened by / alert fired
//     events) plus every configured SLO whose service is the incident's service. The incident
//     window is [impact start (else detected, else created), resolved (else now)].
//   - Markdown and HTML through Mustache templates: <config>/templates/postmortem.md.mustache and
//     postmortem.html.mustache replace the built-in ones when they exist (read once, at open());
//     JSON is the Document itself (api's postmortem JSON), which is also the templates' context.
//
// Thread-safety: every public method may be called from any thread; the narrative connection is
// serialised by a mutex of its own. The IncidentService and clock must outlive the service.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sloe/api/incidents.h"
#include "sloe/api/postmortems.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"
#include "sloe/incident/redact.h"
#include "sloe/postmortem/document.h"

namespace sloe::app {

// The counts of the named SLOs over [from, to] and over each SLO's window ending at `to`. Names
// it does not know are left out of the answer. Called on the server's threads.
using SloCountsFunction = std::function<std::vector<postmortem::SloInput>(
    const incident::Incident& incident, const std::vector<std::string>& slo_names, TimePoint from,
    TimePoint to)>;

class PostmortemService final : public api::PostmortemService {
 public:
  struct Options {
    incident::Redactor redactor;   // applied to every narrative text before it is stored
    SloCountsFunction slo_counts;  // null: the impact section lists no SLO numbers
    // (name, service) of every configured SLO: those of the incident's service are affected.
    std::vector<std::pair<std::string, std::string>> slo_services;
    std::string config_dir;           // where templates/ may hold replacement templates
    std::string default_second_zone;  // sloe.yaml postmortem.second_zone; empty: UTC only
  };

  // Opens a connection to the database file at db_path (migrating it) and reads the replacement
  // templates, if any. Errors name the file that could not be read.
  // REQUIRES: incidents and clock outlive the service.
  static Result<std::unique_ptr<PostmortemService>> open(const std::string& db_path,
                                                         const api::IncidentService& incidents,
                                                         const Clock& clock, Options options);
  ~PostmortemService() override;
  PostmortemService(const PostmortemService&) = delete;
  PostmortemService& operator=(const PostmortemService&) = delete;

  api::Answer<api::RenderedPostmortem> render(
      std::int64_t incident_id, api::PostmortemFormat format,
      const std::optional<std::string>& second_zone) const override;
  api::Answer<postmortem::Narrative> narrative(std::int64_t incident_id) const override;
  api::Answer<postmortem::Narrative> put_narrative(std::int64_t incident_id,
                                                   const postmortem::Narrative& narrative,
                                                   std::int64_t expected_version,
                                                   const std::string& actor) override;

  // The Document render() would format (for tests and for callers that render it themselves).
  api::Answer<postmortem::Document> document(std::int64_t incident_id,
                                             const std::optional<std::string>& second_zone) const;

 private:
  struct Impl;
  explicit PostmortemService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

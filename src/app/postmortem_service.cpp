#include "sloe/app/postmortem_service.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

// The JSON export is the api module's (private to it, compiled into sloe::api): the app renders
// the same JSON the API answers, so the templates' context and format=json never drift apart.
#include "../api/postmortem_json.h"
#include "sloe/app/postmortem_render.h"
#include "sloe/store/database.h"
#include "sloe/store/postmortem_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using api::Answer;
using api::Refusal;
using api::Refused;
using postmortem::Narrative;

constexpr std::size_t kTimelinePage = 10000;

Refused unavailable(const std::string& what, const Error& error) {
  return Refused{Refusal::kUnavailable, what + ": " + error.message, ""};
}

// A replacement template, or nullopt when the file does not exist.
Result<std::optional<std::string>> read_optional_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::optional<std::string>();
  const auto unreadable = Error{"cannot read the postmortem template " + path.string() +
                                " (remove it to use the built-in one)"};
  if (!std::filesystem::is_regular_file(path, ec))
    return unreadable;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return unreadable;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return unreadable;
  return std::optional<std::string>(text.str());
}

Narrative redacted(const Narrative& narrative, const incident::Redactor& redactor) {
  Narrative clean;
  clean.summary = redactor.redact(narrative.summary);
  clean.root_cause = redactor.redact(narrative.root_cause);
  clean.resolution = redactor.redact(narrative.resolution);
  const auto list = [&](const std::vector<std::string>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const std::string& item : items)
      out.push_back(redactor.redact(item));
    return out;
  };
  clean.contributing_factors = list(narrative.contributing_factors);
  clean.went_well = list(narrative.went_well);
  clean.went_wrong = list(narrative.went_wrong);
  clean.got_lucky = list(narrative.got_lucky);
  clean.links = list(narrative.links);
  clean.authors = list(narrative.authors);
  return clean;
}

TimePoint window_start(const incident::Incident& incident) {
  if (incident.times.impact_started)
    return *incident.times.impact_started;
  if (incident.times.detected)
    return *incident.times.detected;
  return incident.created_at;
}

}  // namespace

struct PostmortemService::Impl {
  Impl(const api::IncidentService& incidents_in, const Clock& clock_in, Options options_in)
      : incidents(incidents_in), clock(clock_in), options(std::move(options_in)) {}

  // Every event of the incident, oldest first.
  Answer<std::vector<incident::TimelineEvent>> whole_timeline(std::int64_t id) const {
    std::vector<incident::TimelineEvent> all;
    std::int64_t after = 0;
    while (true) {
      auto page = incidents.timeline(id, after, kTimelinePage);
      if (const auto* refused = std::get_if<Refused>(&page))
        return *refused;
      auto& events = std::get<std::vector<incident::TimelineEvent>>(page);
      const bool last = events.size() < kTimelinePage;
      if (!events.empty())
        after = events.back().id;
      all.insert(all.end(), std::make_move_iterator(events.begin()),
                 std::make_move_iterator(events.end()));
      if (last || events.empty())
        return all;
    }
  }

  // Alerts' `slo` labels first (in timeline order), then the SLOs of the incident's service.
  std::vector<std::string> affected_slos(
      const incident::Incident& incident,
      const std::vector<incident::TimelineEvent>& timeline) const {
    std::vector<std::string> names;
    std::set<std::string> seen;
    const auto add = [&](const std::string& name) {
      if (!name.empty() && seen.insert(name).second)
        names.push_back(name);
    };
    for (const incident::TimelineEvent& event : timeline) {
      if (event.kind != incident::event_kind::kOpenedByAlert &&
          event.kind != incident::event_kind::kAlertFired) {
        continue;
      }
      if (const auto slo = event.fields.find("slo"); slo != event.fields.end())
        add(slo->second);
    }
    if (!incident.service.empty()) {
      for (const auto& [name, service] : options.slo_services) {
        if (service == incident.service)
          add(name);
      }
    }
    return names;
  }

  Answer<Narrative> stored_narrative(std::int64_t id) const {
    const std::lock_guard lock(narrative_mutex);
    auto stored = store->get(id);
    if (!stored)
      return unavailable("reading the postmortem narrative", stored.error());
    return stored->value_or(Narrative{});
  }

  const api::IncidentService& incidents;
  const Clock& clock;
  Options options;
  std::string markdown_template;  // replacement, or the built-in one
  std::string html_template;

  mutable std::mutex narrative_mutex;  // guards the connection and the store
  std::unique_ptr<store::Database> database;
  std::unique_ptr<store::PostmortemStore> store;
};

PostmortemService::PostmortemService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostmortemService::~PostmortemService() = default;

Result<std::unique_ptr<PostmortemService>> PostmortemService::open(
    const std::string& db_path, const api::IncidentService& incidents, const Clock& clock,
    Options options) {
  auto impl = std::make_unique<Impl>(incidents, clock, std::move(options));
  const std::filesystem::path templates =
      std::filesystem::path(impl->options.config_dir) / "templates";
  for (auto [file, format, out] :
       {std::tuple{"postmortem.md.mustache", PostmortemFormat::kMarkdown, &impl->markdown_template},
        std::tuple{"postmortem.html.mustache", PostmortemFormat::kHtml, &impl->html_template}}) {
    std::optional<std::string> replacement;
    if (!impl->options.config_dir.empty()) {
      auto read = read_optional_file(templates / file);
      if (!read)
        return read.error();
      replacement = std::move(read).value();
    }
    if (replacement) {
      // A malformed template is found now, not at the first export.
      const std::string name = (templates / file).string();
      if (auto tried = render_postmortem(*replacement, "{}", format, name); !tried)
        return tried.error();
    }
    *out = replacement ? std::move(*replacement) : std::string(builtin_postmortem_template(format));
  }
  auto database = store::Database::open(db_path, store::sloe_migrations());
  if (!database)
    return database.error();
  impl->database = std::move(database).value();
  impl->store = std::make_unique<store::PostmortemStore>(*impl->database);
  return std::unique_ptr<PostmortemService>(new PostmortemService(std::move(impl)));
}

Answer<postmortem::Document> PostmortemService::document(
    std::int64_t incident_id, const std::optional<std::string>& second_zone) const {
  auto detail = impl_->incidents.get(incident_id);
  if (const auto* refused = std::get_if<Refused>(&detail))
    return *refused;
  postmortem::BuildInput input;
  input.incident = std::move(std::get<api::IncidentDetail>(detail).incident);
  auto timeline = impl_->whole_timeline(incident_id);
  if (const auto* refused = std::get_if<Refused>(&timeline))
    return *refused;
  input.timeline = std::move(std::get<std::vector<incident::TimelineEvent>>(timeline));
  auto actions = impl_->incidents.actions(incident_id);
  if (const auto* refused = std::get_if<Refused>(&actions))
    return *refused;
  input.actions = std::move(std::get<std::vector<incident::ActionItem>>(actions));
  auto narrative = impl_->stored_narrative(incident_id);
  if (const auto* refused = std::get_if<Refused>(&narrative))
    return *refused;
  input.narrative = std::move(std::get<Narrative>(narrative));
  input.now = impl_->clock.now();
  input.second_zone = second_zone.value_or(impl_->options.default_second_zone);
  if (impl_->options.slo_counts) {
    const std::vector<std::string> names = impl_->affected_slos(input.incident, input.timeline);
    if (!names.empty()) {
      const TimePoint from = window_start(input.incident);
      const TimePoint to = input.incident.times.resolved.value_or(input.now);
      input.slos = impl_->options.slo_counts(input.incident, names, from, std::max(from, to));
    }
  }
  auto built = postmortem::build(input);
  if (!built) {
    if (second_zone)
      return Refused{Refusal::kInvalid, "tz: " + built.error().message, "tz"};
    // The configured default is at fault, not the request.
    return Refused{Refusal::kUnavailable,
                   "postmortem.second_zone in sloe.yaml: " + built.error().message, ""};
  }
  return std::move(built).value();
}

Answer<api::RenderedPostmortem> PostmortemService::render(
    std::int64_t incident_id, api::PostmortemFormat format,
    const std::optional<std::string>& second_zone) const {
  auto built = document(incident_id, second_zone);
  if (const auto* refused = std::get_if<Refused>(&built))
    return *refused;
  std::string json = api::postmortem_to_json(std::get<postmortem::Document>(built));
  if (format == api::PostmortemFormat::kJsonDocument)
    return api::RenderedPostmortem{"application/json", std::move(json)};
  const bool html = format == api::PostmortemFormat::kHtml;
  auto rendered = render_postmortem(html ? impl_->html_template : impl_->markdown_template, json,
                                    html ? PostmortemFormat::kHtml : PostmortemFormat::kMarkdown);
  if (!rendered)
    return Refused{Refusal::kUnavailable, "rendering the postmortem: " + rendered.error().message,
                   ""};
  return api::RenderedPostmortem{html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8",
                                 std::move(rendered).value()};
}

Answer<Narrative> PostmortemService::narrative(std::int64_t incident_id) const {
  auto detail = impl_->incidents.get(incident_id);
  if (const auto* refused = std::get_if<Refused>(&detail))
    return *refused;
  return impl_->stored_narrative(incident_id);
}

Answer<Narrative> PostmortemService::put_narrative(std::int64_t incident_id,
                                                   const Narrative& narrative,
                                                   std::int64_t expected_version,
                                                   const std::string& actor) {
  if (expected_version < 0)
    return Refused{Refusal::kInvalid, "version must not be negative", "version"};
  auto detail = impl_->incidents.get(incident_id);
  if (const auto* refused = std::get_if<Refused>(&detail))
    return *refused;
  Narrative clean = redacted(narrative, impl_->options.redactor);
  clean.updated_by = actor;
  clean.updated_at = impl_->clock.now();
  const std::lock_guard lock(impl_->narrative_mutex);
  auto written = impl_->store->put(incident_id, clean, expected_version);
  if (!written)
    return unavailable("writing the postmortem narrative", written.error());
  auto stored = impl_->store->get(incident_id);
  if (!stored)
    return unavailable("reading the postmortem narrative", stored.error());
  const std::int64_t current = stored->has_value() ? (*stored)->version : 0;
  if (!*written) {
    return Refused{Refusal::kConflict,
                   "the narrative changed meanwhile: it is at version " + std::to_string(current) +
                       ", not " + std::to_string(expected_version) +
                       "; read it again and reapply the edit",
                   "version"};
  }
  return stored->value_or(Narrative{});
}

}  // namespace sloe::app

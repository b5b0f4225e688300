// app::PostmortemService over the real IncidentService and database: which SLOs count as
// affected and over which window, the narrative's versions and redaction, the second zone's
// default, and refusals (unknown incident, unknown zone, stale version).
#include "sloe/app/postmortem_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "../store/temp_dir.h"
#include "sloe/app/incident_service.h"
#include "sloe/core/time_format.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TimePoint at(const char* text) {
  return parse_rfc3339(text).value();
}

template <typename T>
T value_of(api::Answer<T> answer) {
  if (const auto* refused = std::get_if<api::Refused>(&answer)) {
    ADD_FAILURE() << "refused: " << refused->message << " (field '" << refused->field << "')";
    return T{};
  }
  return std::get<T>(std::move(answer));
}

template <typename T>
api::Refused refusal_of(const api::Answer<T>& answer) {
  if (const auto* refused = std::get_if<api::Refused>(&answer))
    return *refused;
  ADD_FAILURE() << "not refused";
  return api::Refused{};
}

struct SloCall {
  std::vector<std::string> names;
  TimePoint from;
  TimePoint to;
};

class PostmortemServiceTest : public ::testing::Test {
 protected:
  PostmortemServiceTest() : clock_(at("2026-11-23T10:00:00Z")) {}

  void SetUp() override {
    auto redactor = incident::Redactor::create(incident::RedactionOptions{});
    ASSERT_TRUE(redactor) << redactor.error().message;
    IncidentService::Options incident_options;
    incident_options.redactor = redactor.value();
    auto incidents = IncidentService::open(dir_.file("sloe.db"), clock_, incident_options);
    ASSERT_TRUE(incidents) << incidents.error().message;
    incidents_ = std::move(incidents).value();

    PostmortemService::Options options;
    options.redactor = redactor.value();
    options.slo_services = {{"api-availability", "api"}, {"web-availability", "web"}};
    options.default_second_zone = "Europe/Berlin";
    options.slo_counts = [this](const incident::Incident&, const std::vector<std::string>& names,
                                TimePoint from, TimePoint to) {
      const std::lock_guard lock(mutex_);
      calls_.push_back({names, from, to});
      std::vector<postmortem::SloInput> inputs;
      for (const std::string& name : names) {
        postmortem::SloInput input;
        input.name = name;
        input.objective = 0.99;
        input.window = 30 * 24h;
        input.during_incident = {90, 100};
        input.window_at_end = {9890, 10000};
        input.has_data = true;
        inputs.push_back(input);
      }
      return inputs;
    };
    auto opened = PostmortemService::open(dir_.file("sloe.db"), *incidents_, clock_, options);
    ASSERT_TRUE(opened) << opened.error().message;
    postmortems_ = std::move(opened).value();
  }

  incident::Incident declare(const std::string& service) {
    incident::Declaration declaration;
    declaration.title = "Errors on " + service;
    declaration.service = service;
    declaration.severity = incident::Severity::kSev2;
    declaration.impact_started = clock_.now() - 10min;
    return value_of(incidents_->declare(declaration, "alice"));
  }

  std::vector<SloCall> calls() {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

  store::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<IncidentService> incidents_;
  std::unique_ptr<PostmortemService> postmortems_;
  std::mutex mutex_;
  std::vector<SloCall> calls_;
};

TEST_F(PostmortemServiceTest, AffectedSlosAreTheAlertsSloLabelsAndTheServicesSlos) {
  alert::Alert burning;
  burning.labels = {{"alertname", "ErrorBudgetBurn"},
                    {"service", "api"},
                    {"severity", "page"},
                    {"slo", "api-latency"}};
  burning.starts_at = clock_.now() - 2min;
  ASSERT_TRUE(incidents_->on_alerts({burning}, clock_.now()));
  api::IncidentFilter filter;
  const auto listed = value_of(incidents_->list(filter));
  ASSERT_EQ(listed.incidents.size(), 1u);
  const incident::Incident& opened = listed.incidents[0];
  ASSERT_EQ(opened.service, "api");

  clock_.advance(5min);
  const postmortem::Document document = value_of(postmortems_->document(opened.id, std::nullopt));
  ASSERT_EQ(calls().size(), 1u);
  EXPECT_THAT(calls()[0].names, ElementsAre("api-latency", "api-availability"));
  EXPECT_EQ(calls()[0].from, opened.times.impact_started.value_or(opened.created_at));
  EXPECT_EQ(calls()[0].to, clock_.now());  // still open: up to now
  ASSERT_EQ(document.slos.size(), 2u);
  EXPECT_EQ(document.slos[0].name, "api-latency");
  EXPECT_TRUE(document.slos[0].has_data);

  // Resolved: the window ends at the resolution, however late the export.
  const TimePoint resolved_at = clock_.now();
  incident::IncidentPatch patch;
  patch.state = incident::State::kResolved;
  value_of(incidents_->update(opened.id, opened.version, patch, "alice"));
  clock_.advance(3h);
  value_of(postmortems_->document(opened.id, std::nullopt));
  ASSERT_EQ(calls().size(), 2u);
  EXPECT_EQ(calls()[1].to, resolved_at);
}

TEST_F(PostmortemServiceTest, IncidentWithoutServiceOrSloAlertsAsksForNoCounts) {
  const incident::Incident declared = declare("");
  const postmortem::Document document = value_of(postmortems_->document(declared.id, std::nullopt));
  EXPECT_TRUE(calls().empty());
  EXPECT_TRUE(document.slos.empty());
  const incident::Incident web = declare("web");
  value_of(postmortems_->document(web.id, std::nullopt));
  ASSERT_EQ(calls().size(), 1u);
  EXPECT_THAT(calls()[0].names, ElementsAre("web-availability"));
  EXPECT_EQ(calls()[0].from, clock_.now() - 10min);
}

TEST_F(PostmortemServiceTest, SecondZoneDefaultsToTheConfiguredOne) {
  const incident::Incident declared = declare("api");
  EXPECT_EQ(value_of(postmortems_->document(declared.id, std::nullopt)).second_zone,
            "Europe/Berlin");
  EXPECT_EQ(value_of(postmortems_->document(declared.id, std::string("Asia/Tokyo"))).second_zone,
            "Asia/Tokyo");
  EXPECT_EQ(value_of(postmortems_->document(declared.id, std::string())).second_zone, "");
  const api::Refused bad = refusal_of(postmortems_->render(
      declared.id, api::PostmortemFormat::kMarkdown, std::string("Mars/Olympus")));
  EXPECT_EQ(bad.reason, api::Refusal::kInvalid);
  EXPECT_EQ(bad.field, "tz");
  EXPECT_THAT(bad.message, HasSubstr("Mars/Olympus"));
}

TEST_F(PostmortemServiceTest, RendersEachFormatWithItsContentType) {
  const incident::Incident declared = declare("api");
  postmortem::Narrative narrative;
  narrative.root_cause = "A bad deploy";
  value_of(postmortems_->put_narrative(declared.id, narrative, 0, "bob"));
  const auto md =
      value_of(postmortems_->render(declared.id, api::PostmortemFormat::kMarkdown, std::nullopt));
  EXPECT_EQ(md.content_type, "text/markdown; charset=utf-8");
  EXPECT_THAT(md.body, HasSubstr("A bad deploy"));
  const auto json = value_of(
      postmortems_->render(declared.id, api::PostmortemFormat::kJsonDocument, std::nullopt));
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_THAT(json.body, HasSubstr("\"root_cause\":\"A bad deploy\""));
  const auto html =
      value_of(postmortems_->render(declared.id, api::PostmortemFormat::kHtml, std::nullopt));
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(html.body, HasSubstr("A bad deploy"));
}

TEST_F(PostmortemServiceTest, NarrativeIsVersionedRedactedAndAttributed) {
  const incident::Incident declared = declare("api");
  EXPECT_EQ(value_of(postmortems_->narrative(declared.id)).version, 0);

  postmortem::Narrative narrative;
  narrative.root_cause = "the deploy used password=hunter2hunter2 in its URL";
  narrative.went_wrong = {"token sk_live_0123456789abcdefghijklmn leaked in chat"};
  narrative.authors = {"alice"};
  const postmortem::Narrative stored =
      value_of(postmortems_->put_narrative(declared.id, narrative, 0, "alice"));
  EXPECT_EQ(stored.version, 1);
  EXPECT_EQ(stored.updated_by, "alice");
  EXPECT_EQ(stored.updated_at, clock_.now());
  EXPECT_THAT(stored.root_cause, ::testing::Not(HasSubstr("hunter2hunter2")));
  ASSERT_EQ(stored.went_wrong.size(), 1u);
  EXPECT_THAT(stored.went_wrong[0], ::testing::Not(HasSubstr("sk_live_0123456789")));
  EXPECT_EQ(value_of(postmortems_->narrative(declared.id)).root_cause, stored.root_cause);

  const api::Refused stale =
      refusal_of(postmortems_->put_narrative(declared.id, narrative, 0, "bob"));
  EXPECT_EQ(stale.reason, api::Refusal::kConflict);
  EXPECT_EQ(stale.field, "version");
  EXPECT_THAT(stale.message, HasSubstr("version 1"));
  narrative.resolution = "rolled back";
  EXPECT_EQ(value_of(postmortems_->put_narrative(declared.id, narrative, 1, "bob")).version, 2);
}

TEST_F(PostmortemServiceTest, UnknownIncidentsAreNotFound) {
  EXPECT_EQ(refusal_of(postmortems_->narrative(42)).reason, api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(postmortems_->put_narrative(42, {}, 0, "alice")).reason,
            api::Refusal::kNotFound);
  EXPECT_EQ(refusal_of(postmortems_->render(42, api::PostmortemFormat::kHtml, std::nullopt)).reason,
            api::Refusal::kNotFound);
}

TEST_F(PostmortemServiceTest, AnUnreadableReplacementTemplateStopsTheStart) {
  const auto templates = dir_.path() / "config" / "templates";
  std::filesystem::create_directories(templates / "postmortem.md.mustache");  // a folder
  PostmortemService::Options options;
  options.config_dir = (dir_.path() / "config").string();
  auto opened = PostmortemService::open(dir_.file("sloe.db"), *incidents_, clock_, options);
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr("postmortem.md.mustache"));
}

TEST_F(PostmortemServiceTest, AMalformedReplacementTemplateStopsTheStart) {
  const auto templates = dir_.path() / "config" / "templates";
  std::filesystem::create_directories(templates);
  std::ofstream(templates / "postmortem.html.mustache") << "<h1>{{title}}</h1>\n{{#actions}}\n";
  PostmortemService::Options options;
  options.config_dir = (dir_.path() / "config").string();
  auto opened = PostmortemService::open(dir_.file("sloe.db"), *incidents_, clock_, options);
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr("postmortem.html.mustache"));
}

}  // namespace
}  // namespace sloe::app

#include "postmortem_json.h"

#include <nlohmann/json.hpp>

namespace sloe::api {
namespace {

// ordered_json keeps the keys in document order, so the export reads top to bottom like the page.
using json = nlohmann::ordered_json;

json texts(const std::vector<std::string>& items) {
  json out = json::array();
  for (const std::string& item : items)
    out.push_back({{"text", item}});
  return out;
}

// key, has_<key>: a text and whether it says anything.
void put_text(json& out, const std::string& key, const std::string& value) {
  out[key] = value;
  out["has_" + key] = !value.empty();
}

// key as [{"text"}] and has_<key>.
void put_texts(json& out, const std::string& key, const std::vector<std::string>& items) {
  out[key] = texts(items);
  out["has_" + key] = !items.empty();
}

json slo_json(const postmortem::SloImpact& slo) {
  return {{"name", slo.name},
          {"service", slo.service},
          {"objective", slo.objective},
          {"window", slo.window},
          {"has_data", slo.has_data},
          {"budget_consumed", slo.budget_consumed},
          {"budget_left", slo.budget_left},
          {"budget_consumed_ratio", slo.budget_consumed_ratio},
          {"budget_left_ratio", slo.budget_left_ratio},
          {"budget_exhausted", slo.has_data && slo.budget_left_ratio <= 0},
          {"bad_events", slo.bad_events},
          {"total_events", slo.total_events}};
}

// "runbook_step" -> "runbook step": the event kind as a table shows it.
std::string kind_label(std::string kind) {
  for (char& c : kind)
    c = c == '_' ? ' ' : c;
  return kind;
}

json row_json(const postmortem::TimelineRow& row) {
  return {{"at_utc", row.at_utc}, {"at_second", row.at_second},         {"actor", row.actor},
          {"kind", row.kind},     {"kind_label", kind_label(row.kind)}, {"text", row.text},
          {"pinned", row.pinned}};
}

json action_json(const postmortem::ActionRow& action) {
  return {{"id", action.id},
          {"title", action.title},
          {"owner", action.owner},
          {"has_owner", !action.owner.empty()},
          {"due", action.due},
          {"has_due", !action.due.empty()},
          {"priority", action.priority},
          {"type", action.type},
          {"status", action.status},
          {"ticket_url", action.ticket_url},
          {"has_ticket_url", !action.ticket_url.empty()},
          {"overdue", action.overdue}};
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

std::string postmortem_to_json(const postmortem::Document& doc) {
  json out = json::object();
  out["incident_id"] = doc.incident_id;
  out["title"] = doc.title;
  out["severity"] = doc.severity;
  out["status"] = doc.status;
  put_text(out, "service", doc.service);
  put_text(out, "commander", doc.commander);
  json authors = json::array();
  for (const std::string& author : doc.authors)
    authors.push_back({{"name", author}});
  out["authors"] = std::move(authors);
  out["has_authors"] = !doc.authors.empty();
  out["authors_text"] = joined(doc.authors);
  put_text(out, "started", doc.started);
  put_text(out, "detected", doc.detected);
  put_text(out, "acknowledged", doc.acknowledged);
  put_text(out, "mitigated", doc.mitigated);
  put_text(out, "resolved", doc.resolved);
  out["generated_at"] = doc.generated_at;
  put_text(out, "second_zone", doc.second_zone);

  put_text(out, "summary", doc.summary);
  out["duration"] = doc.duration;
  json slos = json::array();
  for (const postmortem::SloImpact& slo : doc.slos)
    slos.push_back(slo_json(slo));
  out["slos"] = std::move(slos);
  out["has_slos"] = !doc.slos.empty();

  out["detection"] = doc.detection;
  put_text(out, "time_to_detect", doc.time_to_detect);
  put_text(out, "time_to_acknowledge", doc.time_to_acknowledge);
  put_text(out, "time_to_mitigate", doc.time_to_mitigate);
  put_text(out, "time_to_resolve", doc.time_to_resolve);

  json timeline = json::array();
  json key_moments = json::array();
  for (const postmortem::TimelineRow& row : doc.timeline) {
    timeline.push_back(row_json(row));
    if (row.pinned)
      key_moments.push_back(row_json(row));
  }
  out["has_timeline"] = !timeline.empty();
  out["has_key_moments"] = !key_moments.empty();
  out["timeline"] = std::move(timeline);
  out["key_moments"] = std::move(key_moments);

  put_text(out, "root_cause", doc.root_cause);
  put_texts(out, "contributing_factors", doc.contributing_factors);
  put_text(out, "resolution", doc.resolution);
  put_texts(out, "went_well", doc.went_well);
  put_texts(out, "went_wrong", doc.went_wrong);
  put_texts(out, "got_lucky", doc.got_lucky);

  json actions = json::array();
  std::size_t overdue = 0;
  for (const postmortem::ActionRow& action : doc.actions) {
    actions.push_back(action_json(action));
    overdue += action.overdue ? 1 : 0;
  }
  out["actions"] = std::move(actions);
  out["has_actions"] = !doc.actions.empty();
  out["overdue_actions"] = overdue;
  out["has_overdue_actions"] = overdue > 0;

  json links = json::array();
  for (const std::string& link : doc.links) {
    // Only web links become clickable: a template must not turn "javascript:..." into a link.
    const bool is_web = link.rfind("https://", 0) == 0 || link.rfind("http://", 0) == 0;
    links.push_back({{"url", link}, {"is_web", is_web}});
  }
  out["links"] = std::move(links);
  out["has_links"] = !doc.links.empty();
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sloe::api

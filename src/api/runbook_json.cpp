#include "runbook_json.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <variant>

#include "sloe/core/duration.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

using nlohmann::json;

std::string duration_text(Duration d) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

json duration_or_null(const std::optional<Duration>& d) {
  return d ? json(duration_text(*d)) : json(nullptr);
}

json time_or_null(const std::optional<TimePoint>& t) {
  return t ? json(format_rfc3339(*t, Rfc3339Precision::kMillis)) : json(nullptr);
}

std::string time_text(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

// Text from files and step output may hold bytes that are not UTF-8; they are replaced rather
// than failing the whole answer.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json applies_to_json(const runbook::AppliesTo& applies_to) {
  json matchers = json::array();
  for (const alert::Matcher& matcher : applies_to.matchers)
    matchers.push_back(matcher.to_string());
  json severities = json::array();
  for (const incident::Severity severity : applies_to.severities)
    severities.push_back(std::string(incident::to_string(severity)));
  return json{
      {"matchers", matchers}, {"services", applies_to.services}, {"severities", severities}};
}

void add_action_fields(const runbook::Step& step, json& out) {
  std::visit(
      [&](const auto& action) {
        using Action = std::decay_t<decltype(action)>;
        if constexpr (std::is_same_v<Action, runbook::HttpStep>) {
          json header_names = json::array();
          for (const runbook::HttpHeaderSpec& header : action.headers)
            header_names.push_back(header.name);
          out["method"] = action.method;
          out["url"] = action.url;
          out["header_names"] = header_names;
          out["expect_status"] = expected_statuses(action);
          out["timeout"] = duration_text(action.timeout);
        } else if constexpr (std::is_same_v<Action, runbook::CommandStep>) {
          out["program"] = action.program;
          out["args"] = action.args;
          out["timeout"] = duration_text(action.timeout);
        } else if constexpr (std::is_same_v<Action, runbook::NotifyStep>) {
          out["receiver"] = action.receiver;
          out["message"] = action.message;
        } else if constexpr (std::is_same_v<Action, runbook::ApprovalStep>) {
          out["prompt"] = action.prompt;
          out["expires"] = duration_text(action.expires_after);
        }
      },
      step.action);
}

json step_json(const runbook::Step& step, std::size_t index) {
  json out = {{"index", index + 1},
              {"id", step.id},
              {"title", step.title},
              {"description", step.description},
              {"kind", std::string(runbook::to_string(step.kind()))},
              {"automated", step.automated()}};
  add_action_fields(step, out);
  return out;
}

json runbook_object(const runbook::Runbook& book, bool with_sections) {
  json triggers = json::array();
  for (const runbook::Trigger trigger : book.triggers)
    triggers.push_back(std::string(runbook::to_string(trigger)));
  json steps = json::array();
  for (std::size_t i = 0; i < book.steps.size(); ++i)
    steps.push_back(step_json(book.steps[i], i));
  json out = {{"name", book.name},
              {"title", book.title},
              {"file", book.file},
              {"url", runbook_page_path(book.name)},
              {"applies_to", applies_to_json(book.applies_to)},
              {"triggers", triggers},
              {"recovery",
               {{"rpo", duration_or_null(book.recovery.rpo)},
                {"rto", duration_or_null(book.recovery.rto)}}},
              {"steps", steps}};
  if (with_sections) {
    out["sections"] = {{"meaning", book.meaning},
                       {"impact", book.impact},
                       {"diagnosis", book.diagnosis},
                       {"mitigation", book.mitigation}};
  }
  return out;
}

json step_run_json(const runbook::StepRun& step, std::size_t index) {
  return json{{"index", index + 1},
              {"id", step.step_id},
              {"state", std::string(runbook::to_string(step.state))},
              {"attempts", step.attempts},
              {"started_at", time_or_null(step.started_at)},
              {"finished_at", time_or_null(step.finished_at)},
              {"expires_at", time_or_null(step.expires_at)},
              {"actor", step.actor},
              {"output", step.output},
              {"error", step.error},
              {"status_code", step.status_code}};
}

json run_object(const runbook::Run& run) {
  json steps = json::array();
  for (std::size_t i = 0; i < run.steps.size(); ++i)
    steps.push_back(step_run_json(run.steps[i], i));
  return json{{"id", run.id},
              {"incident_id", run.incident_id},
              {"runbook", run.runbook},
              {"trigger", std::string(runbook::to_string(run.trigger))},
              {"state", std::string(runbook::to_string(run.state))},
              {"started_by", run.started_by},
              {"created_at", time_text(run.created_at)},
              {"updated_at", time_text(run.updated_at)},
              {"version", run.version},
              {"steps", steps}};
}

}  // namespace

std::string runbook_page_path(const std::string& name) {
  return "/runbooks/" + name;
}

std::vector<std::string> expected_statuses(const runbook::HttpStep& step) {
  if (step.expect_status.empty())
    return {"200-299"};
  std::vector<std::string> out;
  for (const auto& [low, high] : step.expect_status) {
    out.push_back(low == high ? std::to_string(low)
                              : std::to_string(low) + "-" + std::to_string(high));
  }
  return out;
}

std::string runbook_json(const runbook::Runbook& book) {
  return dump(runbook_object(book, /*with_sections=*/true));
}

std::string runbook_list_json(const std::vector<runbook::Runbook>& books) {
  json list = json::array();
  for (const runbook::Runbook& book : books)
    list.push_back(runbook_object(book, /*with_sections=*/false));
  return dump(json{{"runbooks", list}});
}

std::string run_json(const runbook::Run& run) {
  return dump(run_object(run));
}

std::string runs_json(const std::vector<runbook::Run>& runs) {
  json list = json::array();
  for (const runbook::Run& run : runs)
    list.push_back(run_object(run));
  return dump(json{{"runs", list}});
}

Parsed<std::string> parse_start_request(std::string_view body) {
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return FieldError{"",
                      "the body must be a JSON object such as {\"runbook\": \"slo-fast-burn\"}"};
  for (const auto& [key, value] : parsed.items()) {
    if (key != "runbook")
      return FieldError{key, "unknown field (expected: runbook)"};
  }
  const auto found = parsed.find("runbook");
  if (found == parsed.end())
    return FieldError{"runbook", "is required: the name of the runbook to start"};
  if (!found->is_string())
    return FieldError{"runbook", std::string("must be a string, not ") + found->type_name()};
  std::string name = found->get<std::string>();
  if (name.empty())
    return FieldError{"runbook", "must not be empty"};
  return name;
}

std::optional<FieldError> check_no_body(std::string_view body) {
  if (std::all_of(body.begin(), body.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; })) {
    return std::nullopt;
  }
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return FieldError{"", "a step action takes no body (or an empty JSON object)"};
  if (!parsed.empty())
    return FieldError{parsed.items().begin().key(), "unknown field: a step action takes no body"};
  return std::nullopt;
}

}  // namespace sloe::api

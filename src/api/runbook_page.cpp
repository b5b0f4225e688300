#include "runbook_page.h"

#include <chrono>
#include <type_traits>
#include <variant>
#include <vector>

#include "markdown_html.h"
#include "runbook_json.h"  // expected_statuses
#include "sloe/core/duration.h"

namespace sloe::api {
namespace {

// Printable on A4 and Letter: the screen width cap goes, links print their targets.
constexpr const char* kStyle = R"css(
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1b1f24;background:#fff;margin:0}
main{max-width:50rem;margin:0 auto;padding:2rem 1.5rem 3rem}
header{border-bottom:2px solid #1b1f24;margin-bottom:1.2rem}
.kicker{margin:0;color:#57606a;font-size:.8rem;text-transform:uppercase;letter-spacing:.06em}
h1{margin:.2rem 0 .8rem;font-size:1.8rem;line-height:1.2}
h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
h3,h4,h5,h6{font-size:1.05rem;margin:1.2rem 0 .4rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.2rem;margin:0}
dl.facts dt{font-weight:600;color:#57606a}
dl.facts dd{margin:0}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;
padding:.05em .3em;border-radius:3px}
pre{background:#f3f4f6;padding:.7rem .9rem;border-radius:4px;white-space:pre-wrap;
overflow-wrap:anywhere}
pre code{background:none;padding:0}
.empty{color:#57606a;font-style:italic}
ol.steps{padding-left:1.8rem}
ol.steps li.step{margin:0 0 1.1rem;padding-left:.3rem;break-inside:avoid}
.step-title{font-weight:600}
.kind{display:inline-block;font-size:.72rem;text-transform:uppercase;letter-spacing:.05em;
border:1px solid #8c959f;border-radius:3px;padding:0 .35em;margin-left:.5em;color:#57606a;
vertical-align:.1em}
.detail{margin:.25rem 0;color:#32383f}
footer{margin-top:2.5rem;color:#57606a;font-size:.8rem;border-top:1px solid #d0d7de;
padding-top:.5rem}
a{color:#0b57d0}
@page{margin:16mm 14mm}
@media print{
body{font-size:10.5pt}
main{max-width:none;padding:0}
a{color:inherit}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;color:#57606a}
pre,code{background:none}
pre{border:1px solid #d0d7de}
h1,h2,h3{break-after:avoid}
}
)css";

std::string duration_text(Duration d) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

std::string code(const std::string& text) {
  return "<code>" + escape_html(text) + "</code>";
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts)
    out += (out.empty() ? "" : separator) + part;
  return out;
}

// An argument as a person would type it in a shell, so spaces inside one stay visible.
std::string shell_word(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos)
    return arg;
  std::string quoted = "'";
  for (const char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string trigger_words(runbook::Trigger trigger) {
  switch (trigger) {
    case runbook::Trigger::kOpen:
      return "when an incident it applies to opens";
    case runbook::Trigger::kSeverityChange:
      return "when such an incident's severity changes";
    case runbook::Trigger::kManual:
      return "by hand";
  }
  return "by hand";
}

std::string applies_to_html(const runbook::AppliesTo& applies_to) {
  if (applies_to.empty())
    return "<span class=\"empty\">nothing automatically (started by hand, or linked from an "
           "SLO)</span>";
  std::vector<std::string> parts;
  if (!applies_to.matchers.empty()) {
    std::vector<std::string> matchers;
    for (const alert::Matcher& matcher : applies_to.matchers)
      matchers.push_back(code(matcher.to_string()));
    parts.push_back("alerts matching " + joined(matchers, " and "));
  }
  if (!applies_to.services.empty()) {
    std::vector<std::string> services;
    for (const std::string& service : applies_to.services)
      services.push_back(code(service));
    parts.push_back("service " + joined(services, " or "));
  }
  if (!applies_to.severities.empty()) {
    std::vector<std::string> severities;
    for (const incident::Severity severity : applies_to.severities)
      severities.push_back(escape_html(std::string(incident::to_string(severity))));
    parts.push_back("severity " + joined(severities, " or "));
  }
  return "incidents with " + joined(parts, "; ");
}

std::string triggers_html(const std::vector<runbook::Trigger>& triggers) {
  std::vector<std::string> words;
  for (const runbook::Trigger trigger : triggers) {
    if (trigger != runbook::Trigger::kManual)
      words.push_back(escape_html(trigger_words(trigger)));
  }
  words.emplace_back("by hand");
  return "Starts " + joined(words, ", ");
}

std::string recovery_html(const runbook::RecoveryTargets& recovery) {
  std::vector<std::string> parts;
  if (recovery.rpo)
    parts.push_back("RPO " + escape_html(duration_text(*recovery.rpo)) +
                    " (data loss it accepts at most)");
  if (recovery.rto)
    parts.push_back("RTO " + escape_html(duration_text(*recovery.rto)) +
                    " (time to restore service at most)");
  return parts.empty() ? "<span class=\"empty\">none stated</span>" : joined(parts, "; ");
}

std::string step_detail_html(const runbook::Step& step) {
  return std::visit(
      [](const auto& action) -> std::string {
        using Action = std::decay_t<decltype(action)>;
        if constexpr (std::is_same_v<Action, runbook::ManualStep>) {
          return "A responder does this and ticks it off.";
        } else if constexpr (std::is_same_v<Action, runbook::HttpStep>) {
          std::string detail = "sloe sends " + code(action.method + " " + action.url) +
                               " and expects status " +
                               escape_html(joined(expected_statuses(action), ", "));
          if (!action.headers.empty()) {
            std::vector<std::string> names;
            for (const runbook::HttpHeaderSpec& header : action.headers)
              names.push_back(code(header.name));
            detail += "; headers " + joined(names, ", ");
          }
          return detail + "; timeout " + escape_html(duration_text(action.timeout)) + ".";
        } else if constexpr (std::is_same_v<Action, runbook::CommandStep>) {
          std::string command = shell_word(action.program);
          for (const std::string& arg : action.args)
            command += " " + shell_word(arg);
          return "sloe runs " + code(command) + " (no shell; timeout " +
                 escape_html(duration_text(action.timeout)) + ").";
        } else if constexpr (std::is_same_v<Action, runbook::NotifyStep>) {
          std::string detail = "sloe notifies receiver " + code(action.receiver);
          if (!action.message.empty())
            detail += ": " + escape_html(action.message);
          return detail + ".";
        } else {
          std::string detail =
              "A responder or admin must approve before later automated steps "
              "run";
          if (!action.prompt.empty())
            detail += ": " + escape_html(action.prompt);
          return detail + " (the request expires after " +
                 escape_html(duration_text(action.expires_after)) + ").";
        }
      },
      step.action);
}

std::string markdown_block(const std::string& markdown, int heading_shift) {
  if (markdown.find_first_not_of(" \t\r\n") == std::string::npos)
    return "<p class=\"empty\">Not written yet.</p>\n";
  return markdown_to_html(markdown, MarkdownOptions{heading_shift});
}

std::string steps_html(const std::vector<runbook::Step>& steps) {
  if (steps.empty())
    return "<p class=\"empty\">No steps: follow the sections above.</p>\n";
  std::string out = "<ol class=\"steps\">\n";
  for (const runbook::Step& step : steps) {
    out += "<li class=\"step\" id=\"step-" + escape_html(step.id) + "\">";
    out += "<span class=\"step-title\">" + escape_html(step.title.empty() ? step.id : step.title) +
           "</span><span class=\"kind\">" +
           escape_html(std::string(runbook::to_string(step.kind()))) + "</span>\n";
    out += "<p class=\"detail\">" + step_detail_html(step) + "</p>\n";
    if (step.description.find_first_not_of(" \t\r\n") != std::string::npos)
      out += markdown_to_html(step.description, MarkdownOptions{3});
    out += "</li>\n";
  }
  return out + "</ol>\n";
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
         "<meta name=\"robots\" content=\"noindex\"/>\n<title>" +
         escape_html(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n" +
         body + "</main>\n</body>\n</html>\n";
}

}  // namespace

std::string runbook_page_html(const runbook::Runbook& book) {
  const std::string title = book.title.empty() ? book.name : book.title;
  std::string body = "<header>\n<p class=\"kicker\">Runbook " + code(book.name) + "</p>\n<h1>" +
                     escape_html(title) + "</h1>\n</header>\n";
  body += "<dl class=\"facts\">\n<dt>Applies to</dt><dd>" + applies_to_html(book.applies_to) +
          "</dd>\n<dt>Runs</dt><dd>" + triggers_html(book.triggers) +
          "</dd>\n<dt>Recovery targets</dt><dd>" + recovery_html(book.recovery) + "</dd>\n";
  body += "<dt>Steps</dt><dd>" + std::to_string(book.steps.size()) + "</dd>\n</dl>\n";

  const bool no_sections = (book.meaning + book.impact + book.diagnosis + book.mitigation)
                               .find_first_not_of(" \t\r\n") == std::string::npos;
  if (no_sections && book.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    body += "<section>\n<h2>Runbook</h2>\n" + markdown_block(book.body, 1) + "</section>\n";
  } else {
    for (const auto& [heading, text] :
         {std::pair{"Meaning", &book.meaning}, std::pair{"Impact", &book.impact},
          std::pair{"Diagnosis", &book.diagnosis}, std::pair{"Mitigation", &book.mitigation}}) {
      body += "<section>\n<h2>" + std::string(heading) + "</h2>\n" + markdown_block(*text, 2) +
              "</section>\n";
    }
  }
  body += "<section>\n<h2>Steps</h2>\n" + steps_html(book.steps) + "</section>\n";
  body += "<footer>sloe runbook " + code(book.name) +
          (book.file.empty() ? "" : " from " + code(book.file)) + "</footer>\n";
  return page(title + " · sloe runbook", body);
}

std::string runbook_not_found_html(const std::string& name) {
  return page("No such runbook · sloe",
              "<header>\n<p class=\"kicker\">sloe</p>\n<h1>No runbook named " + code(name) +
                  "</h1>\n</header>\n<p>The configuration's <code>runbooks/</code> folder has no "
                  "such file; the list is at <a href=\"/api/v1/runbooks\">/api/v1/runbooks</a>."
                  "</p>\n");
}

}  // namespace sloe::api

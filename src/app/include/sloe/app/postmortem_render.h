// Markdown and HTML postmortems: a Mustache template (libmstch) rendered with the postmortem's
// JSON (api/postmortem_json, documented key by key in docs/postmortem-template.md) as its context.
// The same JSON is the `--format json` export, so a replacement template sees exactly what an API
// client sees.
//
// Escaping: every {{name}} value is escaped for the output format ({{{name}}} is not):
//   - HTML: & < > " ' as character references; control characters other than tab and line
//     breaks are dropped (they are not allowed in XML), so the page stays well-formed.
//   - Markdown: the characters that would start emphasis, code, links, raw HTML, headings or a
//     table cell ( \ ` * [ ] < > | # ~, and _ unless inside a word) get a backslash, and a line
//     break becomes "<br>" so a value never breaks the table row or list item it sits in.
//
// Thread-safety: render_postmortem may be called from any thread. libmstch keeps its escaper in
// one process-wide variable (mstch::config::escape); renders are serialized on a mutex that holds
// it for the whole render, so a concurrent render for the other format never sees the wrong
// escaper.
#pragma once

#include <string>
#include <string_view>

#include "sloe/core/result.h"

namespace sloe::app {

enum class PostmortemFormat { kMarkdown, kHtml };

// "md" / "html".
std::string_view to_string(PostmortemFormat format);

// The built-in template (templates/postmortem.{md,html}.mustache in the source tree, embedded in
// the binary when it is built).
std::string_view builtin_postmortem_template(PostmortemFormat format);

// Renders template_text with json_context (a JSON object) as the Mustache context: objects become
// maps, arrays lists, booleans booleans, null false, and numbers their decimal text.
//
// Errors: json_context is not a JSON object; the template is malformed (a section never closed or
// closed under another name, a closing tag without its section, a tag without "}}", a partial —
// templates are single files). The message names the template (template_name, or "the md
// template" / "the html template" when empty) and the line of the fault.
Result<std::string> render_postmortem(std::string_view template_text, std::string_view json_context,
                                      PostmortemFormat format, std::string_view template_name = {});

}  // namespace sloe::app

// A small, safe Markdown → HTML converter for the runbook text sloe shows on its own pages.
// Runbook files are written by the people who operate sloe, but they are read by everyone with a
// viewer token, so nothing in them may become markup the author did not mean: whatever is not one
// of the constructs below is text, HTML-escaped.
//
// Supported (a subset of CommonMark, enough for runbooks):
//   - ATX headings "# " .. "###### " (optionally closed by #s)
//   - paragraphs (lines joined; a blank line ends one)
//   - unordered lists ("- ", "* ", "+ ") and ordered lists ("1. ", "1) "), nested by indentation;
//     a list without blank lines between its items is tight (no <p> inside <li>)
//   - fenced code blocks (``` or ~~~, an optional language word), content verbatim
//   - thematic breaks (---, ***, ___)
//   - inline: `code` spans, **bold**, [text](target) links, backslash escapes
// Not supported, rendered as text: raw HTML, images, setext headings, block quotes, tables,
// emphasis with single * or _, indented code blocks, autolinks, reference links.
//
// Links: only http:, https: and relative targets (no scheme: "/runbooks/x", "#step-2",
// "../docs/x.md") become <a href>; any other ("javascript:", "data:", "file:", ...) leaves the
// whole "[text](target)" as text.
//
// The output is well-formed XML (XHTML-style void elements, only the five XML entities, bytes
// that are not UTF-8 and control characters replaced by U+FFFD), so pages that embed it can be
// checked with an XML parser.
//
// Meant for configuration text (runbook files of a few KiB): inline parsing may rescan a line, so
// time grows with the square of a pathological line's length.
//
// Private to the api module. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sloe::api {

// Text as HTML character data or a quoted attribute value: & < > " ' escaped, invalid UTF-8 and
// control characters other than tab, newline and carriage return replaced by U+FFFD.
std::string escape_html(std::string_view text);

// Whether target may be a link's href: http(s) URLs and relative references, without
// whitespace or control characters.
bool is_safe_link_target(std::string_view target);

struct MarkdownOptions {
  // A "#" heading becomes <h(1 + heading_shift)> (at most h6): text embedded under a page's own
  // <h2> renders its "#" headings as h3 with heading_shift 2.
  int heading_shift = 0;
};

std::string markdown_to_html(std::string_view markdown, const MarkdownOptions& options = {});

}  // namespace sloe::api

#include "sloe/app/postmortem_render.h"

#include <cctype>
#include <cstddef>
#include <mstch/mstch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "sloe/core/text.h"

namespace sloe::app {

// Generated at build time from templates/*.mustache (cmake/SloeEmbedFiles.cmake).
namespace embedded {
extern const char kPostmortemMd[];
extern const std::size_t kPostmortemMdSize;
extern const char kPostmortemHtml[];
extern const std::size_t kPostmortemHtmlSize;
}  // namespace embedded

namespace {

using nlohmann::json;

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either.
    if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBF' &&
        (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      i += 2;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 allows no C0 control character other than tab, LF and CR.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          break;
        out += c;
    }
  }
  return out;
}

bool is_word_byte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80;
}

// Length of a list marker ("- ", "+ ", "12. ", "3) ") at the start of text, 0 when there is none.
// A value usually starts a line in a template, where such a marker would turn it into a list.
std::size_t list_marker_length(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && digits < 10 &&
         std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  std::size_t marker = 0;
  if (digits == 0 && !text.empty() && (text[0] == '-' || text[0] == '+'))
    marker = 1;
  else if (digits > 0 && digits < 10 && digits < text.size() &&
           (text[digits] == '.' || text[digits] == ')'))
    marker = digits + 1;
  if (marker == 0 || (marker < text.size() && text[marker] != ' ' && text[marker] != '\t'))
    return 0;
  return marker;
}

std::string escape_markdown(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  if (const std::size_t marker = list_marker_length(text); marker > 0) {
    // "\- x", "1\. x": the marker's last character escaped reads as text.
    out.append(text, 0, marker - 1);
    out += '\\';
    out += text[marker - 1];
    return out + escape_markdown(text.substr(marker));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '_':
        // An underscore inside a word (in_progress, New_York) never starts emphasis in
        // CommonMark, so it stays readable; at a word's edge it is escaped.
        if (i > 0 && i + 1 < text.size() && is_word_byte(text[i - 1]) &&
            is_word_byte(text[i + 1])) {
          out += c;
          break;
        }
        out += '\\';
        out += c;
        break;
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '#':
      case '~':
        out += '\\';
        out += c;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n')
          break;  // CRLF: the LF writes the break
        out += "<br>";
        break;
      case '\n':
        out += "<br>";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
          break;
        out += c;
    }
  }
  return out;
}

mstch::node to_node(const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      mstch::map map;
      for (const auto& [key, item] : value.items())
        map.emplace(key, to_node(item));
      return map;
    }
    case json::value_t::array: {
      mstch::array array;
      array.reserve(value.size());
      for (const json& item : value)
        array.push_back(to_node(item));
      return array;
    }
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>();
    case json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return format_double(value.get<double>());
    default:  // null, and nothing else a parsed document holds: renders empty, counts as false
      return std::string();
  }
}

// libmstch renders a malformed template without complaint (an unclosed section swallows the rest
// of the page), so the tags are checked first, the way the Mustache spec reads them.
Status check_template(std::string_view text, const std::string& name) {
  std::string open = "{{";
  std::string close = "}}";
  struct Section {
    std::string name;
    int line = 0;
  };
  std::vector<Section> sections;
  int line = 1;
  std::size_t pos = 0;
  auto at = [&](int where) { return name + " line " + std::to_string(where) + ": "; };
  auto count_lines = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && i < text.size(); ++i)
      line += text[i] == '\n' ? 1 : 0;
  };
  while (true) {
    const std::size_t start = text.find(open, pos);
    if (start == std::string_view::npos)
      break;
    count_lines(pos, start);
    const int tag_line = line;
    std::size_t body_start = start + open.size();
    std::string end_marker = close;
    if (open == "{{" && body_start < text.size() && text[body_start] == '{')
      end_marker = "}" + close;
    std::size_t end = text.find(end_marker, body_start);
    if (end == std::string_view::npos)
      return Error{at(tag_line) + "tag \"" + std::string(text.substr(start, 20)) +
                   "...\" is never closed with \"" + end_marker + "\""};
    std::string_view body = text.substr(body_start, end - body_start);
    pos = end + end_marker.size();
    count_lines(start, pos);
    const std::string trimmed(trim(body));
    if (trimmed.empty())
      return Error{at(tag_line) + "empty tag \"" + open + close + "\""};
    const char sigil = trimmed.front();
    const std::string tag_name(trim(std::string_view(trimmed).substr(1)));
    switch (sigil) {
      case '#':
      case '^':
        sections.push_back(Section{tag_name, tag_line});
        break;
      case '/':
        if (sections.empty())
          return Error{at(tag_line) + "\"" + open + "/" + tag_name + close +
                       "\" closes a section that was never opened"};
        if (sections.back().name != tag_name)
          return Error{at(tag_line) + "\"" + open + "/" + tag_name + close +
                       "\" closes section \"" + sections.back().name + "\" opened at line " +
                       std::to_string(sections.back().line) + " (close it with \"" + open + "/" +
                       sections.back().name + close + "\" first)"};
        sections.pop_back();
        break;
      case '>':
        return Error{at(tag_line) + "partial \"" + tag_name +
                     "\": partials are not supported, a postmortem template is one file"};
      case '=': {
        // {{=<% %>=}}: new delimiters, separated by white space.
        if (trimmed.size() < 3 || trimmed.back() != '=')
          return Error{at(tag_line) + "malformed delimiter change \"" + std::string(trimmed) +
                       "\""};
        const std::string pair(trim(std::string_view(trimmed).substr(1, trimmed.size() - 2)));
        const std::size_t space = pair.find_first_of(" \t");
        if (space == std::string::npos)
          return Error{at(tag_line) + "malformed delimiter change \"" + std::string(trimmed) +
                       "\""};
        open = pair.substr(0, space);
        close = std::string(trim(std::string_view(pair).substr(space)));
        if (open.empty() || close.empty() || close.find_first_of(" \t") != std::string::npos)
          return Error{at(tag_line) + "malformed delimiter change \"" + std::string(trimmed) +
                       "\""};
        break;
      }
      default:
        break;  // variables, {{{raw}}}, {{&raw}}, {{! comments }}
    }
  }
  if (!sections.empty())
    return Error{at(sections.back().line) + "section \"" + sections.back().name +
                 "\" is never closed (add \"{{/" + sections.back().name + "}}\")"};
  return {};
}

// Guards mstch::config::escape, which libmstch reads during every render.
std::mutex& render_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

std::string_view to_string(PostmortemFormat format) {
  return format == PostmortemFormat::kHtml ? "html" : "md";
}

std::string_view builtin_postmortem_template(PostmortemFormat format) {
  if (format == PostmortemFormat::kHtml)
    return {embedded::kPostmortemHtml, embedded::kPostmortemHtmlSize};
  return {embedded::kPostmortemMd, embedded::kPostmortemMdSize};
}

Result<std::string> render_postmortem(std::string_view template_text, std::string_view json_context,
                                      PostmortemFormat format, std::string_view template_name) {
  const std::string name = template_name.empty()
                               ? "the " + std::string(to_string(format)) + " template"
                               : "template " + std::string(template_name);
  if (Status checked = check_template(template_text, name); !checked)
    return checked.error();
  const json context =
      json::parse(json_context.begin(), json_context.end(), nullptr, /*allow_exceptions=*/false);
  if (context.is_discarded() || !context.is_object())
    return Error{"postmortem context for " + name + " is not a JSON object"};
  const mstch::node root = to_node(context);
  const std::string text(template_text);

  const std::lock_guard lock(render_mutex());
  const auto previous = mstch::config::escape;
  mstch::config::escape = format == PostmortemFormat::kHtml ? escape_html : escape_markdown;
  try {
    std::string rendered = mstch::render(text, root);
    mstch::config::escape = previous;
    return rendered;
  } catch (const std::exception& e) {
    mstch::config::escape = previous;
    return Error{"rendering " + name + " failed: " + e.what()};
  }
}

}  // namespace sloe::app

#include "markdown_html.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

namespace sloe::api {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
// Nesting beyond this renders as text: a hostile file cannot recurse the converter deep.
constexpr int kMaxBlockDepth = 12;
constexpr int kMaxInlineDepth = 8;
constexpr std::size_t kTabWidth = 4;

// The length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no overlong forms, no
// surrogates, at most U+10FFFF), or 0. U+FFFE and U+FFFF count as invalid (not XML characters).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + length > text.size())
    return 0;
  if (byte(i + 1) < low || byte(i + 1) > high)
    return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
      return 0;
  }
  if (length == 3 && lead == 0xEF && byte(i + 1) == 0xBF &&
      (byte(i + 2) == 0xBE || byte(i + 2) == 0xBF)) {
    return 0;
  }
  return length;
}

bool is_ascii_punctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ')
    ++n;
  return n;
}

bool is_blank(std::string_view line) {
  return trim(line).empty();
}

// ---- inline ----

void render_inline(std::string_view text, bool in_link, int depth, std::string& out);

// The index of the backtick run of exactly `run` closing a code span opened before from, or npos.
std::size_t closing_backticks(std::string_view text, std::size_t from, std::size_t run) {
  std::size_t j = from;
  while (j < text.size()) {
    if (text[j] != '`') {
      ++j;
      continue;
    }
    std::size_t length = 0;
    while (j + length < text.size() && text[j + length] == '`')
      ++length;
    if (length == run)
      return j;
    j += length;
  }
  return std::string_view::npos;
}

// The ']' closing the '[' at open (nested brackets counted, backslash escapes skipped), or npos.
std::size_t closing_bracket(std::string_view text, std::size_t open) {
  int nesting = 0;
  for (std::size_t j = open; j < text.size(); ++j) {
    if (text[j] == '\\') {
      ++j;
    } else if (text[j] == '[') {
      ++nesting;
    } else if (text[j] == ']' && --nesting == 0) {
      return j;
    }
  }
  return std::string_view::npos;
}

// The ')' ending a link target that starts at from (balanced parentheses, no whitespace), or
// npos.
std::size_t closing_paren(std::string_view text, std::size_t from) {
  int nesting = 0;
  for (std::size_t j = from; j < text.size(); ++j) {
    const char c = text[j];
    if (is_space(c))
      return std::string_view::npos;
    if (c == '(') {
      ++nesting;
    } else if (c == ')') {
      if (nesting == 0)
        return j;
      --nesting;
    }
  }
  return std::string_view::npos;
}

void render_inline(std::string_view text, bool in_link, int depth, std::string& out) {
  std::string plain;  // text not yet escaped into out
  const auto flush = [&] {
    out += escape_html(plain);
    plain.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && is_ascii_punctuation(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c == '`') {
      std::size_t run = 0;
      while (i + run < text.size() && text[i + run] == '`')
        ++run;
      const std::size_t close = closing_backticks(text, i + run, run);
      if (close == std::string_view::npos) {
        plain.append(run, '`');
        i += run;
        continue;
      }
      std::string code(text.substr(i + run, close - i - run));
      std::replace(code.begin(), code.end(), '\n', ' ');
      if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ' && !trim(code).empty())
        code = code.substr(1, code.size() - 2);
      flush();
      out += "<code>" + escape_html(code) + "</code>";
      i = close + run;
      continue;
    }
    if (c == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      const std::size_t close = text.find("**", i + 2);
      if (depth < kMaxInlineDepth && close != std::string_view::npos && close > i + 2 &&
          !is_space(text[i + 2]) && !is_space(text[close - 1])) {
        flush();
        out += "<strong>";
        render_inline(text.substr(i + 2, close - i - 2), in_link, depth + 1, out);
        out += "</strong>";
        i = close + 2;
        continue;
      }
      plain += "**";
      i += 2;
      continue;
    }
    if (c == '[' && !in_link && depth < kMaxInlineDepth) {
      const std::size_t label_end = closing_bracket(text, i);
      if (label_end != std::string_view::npos && label_end + 1 < text.size() &&
          text[label_end + 1] == '(') {
        const std::size_t target_end = closing_paren(text, label_end + 2);
        if (target_end != std::string_view::npos) {
          const std::string_view target = text.substr(label_end + 2, target_end - label_end - 2);
          if (is_safe_link_target(target)) {
            flush();
            out += "<a href=\"" + escape_html(target) + "\">";
            render_inline(text.substr(i + 1, label_end - i - 1), /*in_link=*/true, depth + 1, out);
            out += "</a>";
            i = target_end + 1;
            continue;
          }
        }
      }
    }
    plain += c;
    ++i;
  }
  flush();
}

std::string inline_html(std::string_view text) {
  std::string out;
  render_inline(text, /*in_link=*/false, 0, out);
  return out;
}

// ---- blocks ----

struct Fence {
  char marker = '`';
  std::size_t length = 0;
  std::size_t indent = 0;
  std::string language;  // the info string's first word when it is a plain word
};

std::optional<Fence> fence_open(std::string_view line) {
  const std::size_t indent = indent_of(line);
  if (indent > 3 || indent >= line.size())
    return std::nullopt;
  const char marker = line[indent];
  if (marker != '`' && marker != '~')
    return std::nullopt;
  std::size_t length = 0;
  while (indent + length < line.size() && line[indent + length] == marker)
    ++length;
  if (length < 3)
    return std::nullopt;
  const std::string_view info = trim(line.substr(indent + length));
  if (marker == '`' && info.find('`') != std::string_view::npos)
    return std::nullopt;
  Fence fence{marker, length, indent, ""};
  const std::string_view word = info.substr(0, info.find(' '));
  const bool plain_word = std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '+';
  });
  if (plain_word)
    fence.language = std::string(word);
  return fence;
}

bool fence_close(std::string_view line, const Fence& fence) {
  const std::size_t indent = indent_of(line);
  if (indent > 3)
    return false;
  std::size_t length = 0;
  while (indent + length < line.size() && line[indent + length] == fence.marker)
    ++length;
  return length >= fence.length && trim(line.substr(indent + length)).empty();
}

struct Heading {
  int level = 1;
  std::string_view text;
};

std::optional<Heading> heading(std::string_view line) {
  const std::size_t indent = indent_of(line);
  if (indent > 3)
    return std::nullopt;
  std::size_t level = 0;
  while (indent + level < line.size() && line[indent + level] == '#')
    ++level;
  if (level == 0 || level > 6)
    return std::nullopt;
  std::string_view rest = line.substr(indent + level);
  if (!rest.empty() && rest.front() != ' ')
    return std::nullopt;
  rest = trim(rest);
  // An optional closing sequence of #s, preceded by a space (or making up the whole rest).
  std::size_t end = rest.size();
  while (end > 0 && rest[end - 1] == '#')
    --end;
  if (end == 0 || rest[end - 1] == ' ')
    rest = trim(rest.substr(0, end));
  return Heading{static_cast<int>(level), rest};
}

bool thematic_break(std::string_view line) {
  if (indent_of(line) > 3)
    return false;
  const std::string_view text = trim(line);
  if (text.empty() || (text.front() != '-' && text.front() != '*' && text.front() != '_'))
    return false;
  std::size_t marks = 0;
  for (const char c : text) {
    if (c == text.front()) {
      ++marks;
    } else if (c != ' ') {
      return false;
    }
  }
  return marks >= 3;
}

struct ListMarker {
  bool ordered = false;
  char symbol = '-';  // the bullet, or the delimiter after an ordered number ('.' or ')')
  long start = 1;
  std::size_t content_indent = 0;  // where the item's text starts
  std::string_view first_line;     // the item's text on the marker line
};

std::optional<ListMarker> list_marker(std::string_view line) {
  const std::size_t indent = indent_of(line);
  if (indent > 3 || indent >= line.size())
    return std::nullopt;
  ListMarker marker;
  std::size_t end = 0;  // one past the marker
  const char c = line[indent];
  if (c == '-' || c == '*' || c == '+') {
    marker.symbol = c;
    end = indent + 1;
  } else {
    std::size_t digits = 0;
    long number = 0;
    while (indent + digits < line.size() && digits < 9 && line[indent + digits] >= '0' &&
           line[indent + digits] <= '9') {
      number = number * 10 + (line[indent + digits] - '0');
      ++digits;
    }
    if (digits == 0 || indent + digits >= line.size())
      return std::nullopt;
    const char delimiter = line[indent + digits];
    if (delimiter != '.' && delimiter != ')')
      return std::nullopt;
    marker.ordered = true;
    marker.symbol = delimiter;
    marker.start = number;
    end = indent + digits + 1;
  }
  if (end < line.size() && line[end] != ' ')
    return std::nullopt;
  std::size_t spaces = 0;
  while (end + spaces < line.size() && line[end + spaces] == ' ')
    ++spaces;
  if (end + spaces >= line.size()) {
    marker.content_indent = end + 1;
    marker.first_line = "";
    return marker;
  }
  marker.content_indent = end + (spaces > 4 ? 1 : spaces);
  marker.first_line = line.substr(marker.content_indent);
  return marker;
}

bool same_list(const ListMarker& a, const ListMarker& b) {
  return a.ordered == b.ordered && a.symbol == b.symbol;
}

// A line that starts a block other than a paragraph (and so ends a paragraph). An empty item or
// an ordered list not starting at 1 does not interrupt a paragraph (as in CommonMark).
bool interrupts_paragraph(std::string_view line) {
  if (fence_open(line) || heading(line) || thematic_break(line))
    return true;
  const auto marker = list_marker(line);
  return marker && !trim(marker->first_line).empty() && (!marker->ordered || marker->start == 1);
}

// Whether an item's lines hold a blank line outside fenced code (then its list is loose).
bool has_inner_blank_line(const std::vector<std::string>& lines) {
  std::optional<Fence> open;
  std::size_t last_content = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!is_blank(lines[i]))
      last_content = i;
  }
  for (std::size_t i = 0; i < last_content; ++i) {
    if (open) {
      if (fence_close(lines[i], *open))
        open.reset();
      continue;
    }
    if (is_blank(lines[i]))
      return true;
    open = fence_open(lines[i]);
  }
  return false;
}

class BlockRenderer {
 public:
  BlockRenderer(const MarkdownOptions& options, std::string& out) : options_(options), out_(out) {}

  // tight: paragraphs without <p> (the items of a tight list).
  void render(const std::vector<std::string>& lines, int depth, bool tight) {
    std::size_t i = 0;
    while (i < lines.size()) {
      const std::string_view line = lines[i];
      if (is_blank(line)) {
        ++i;
      } else if (depth >= kMaxBlockDepth) {
        i = paragraph(lines, i, tight, /*anything_goes=*/true);
      } else if (const auto fence = fence_open(line)) {
        i = code_block(lines, i, *fence);
      } else if (const auto title = heading(line)) {
        const int level = std::clamp(title->level + options_.heading_shift, 1, 6);
        const std::string tag = "h" + std::to_string(level);
        out_.append("<").append(tag).append(">");
        out_.append(inline_html(title->text)).append("</").append(tag).append(">\n");
        ++i;
      } else if (thematic_break(line)) {
        out_ += "<hr/>\n";
        ++i;
      } else if (const auto marker = list_marker(line)) {
        i = list(lines, i, *marker, depth);
      } else {
        i = paragraph(lines, i, tight, /*anything_goes=*/false);
      }
    }
  }

 private:
  std::size_t code_block(const std::vector<std::string>& lines, std::size_t i, const Fence& fence) {
    std::string code;
    ++i;
    for (; i < lines.size(); ++i) {
      if (fence_close(lines[i], fence)) {
        ++i;
        break;
      }
      const std::string_view line = lines[i];
      code += line.substr(std::min(indent_of(line), fence.indent));
      code += '\n';
    }
    out_ += fence.language.empty()
                ? "<pre><code>"
                : "<pre><code class=\"language-" + escape_html(fence.language) + "\">";
    out_ += escape_html(code) + "</code></pre>\n";
    return i;
  }

  std::size_t paragraph(const std::vector<std::string>& lines, std::size_t i, bool tight,
                        bool anything_goes) {
    std::string text;
    const std::size_t first = i;
    for (; i < lines.size(); ++i) {
      const std::string_view line = lines[i];
      if (is_blank(line) || (i > first && !anything_goes && interrupts_paragraph(line)))
        break;
      if (i > first)
        text += '\n';
      text += trim(line);
    }
    out_ += tight ? inline_html(text) + "\n" : "<p>" + inline_html(text) + "</p>\n";
    return i;
  }

  std::size_t list(const std::vector<std::string>& lines, std::size_t i, const ListMarker& first,
                   int depth) {
    std::vector<std::vector<std::string>> items;
    bool loose = false;
    while (i < lines.size()) {
      const auto marker = list_marker(lines[i]);
      if (!marker || !same_list(*marker, first) || thematic_break(lines[i]))
        break;
      std::vector<std::string> item{std::string(marker->first_line)};
      ++i;
      std::size_t blanks = 0;
      while (i < lines.size()) {
        const std::string_view line = lines[i];
        if (is_blank(line)) {
          ++blanks;
          ++i;
          continue;
        }
        if (indent_of(line) >= marker->content_indent) {
          item.insert(item.end(), blanks, std::string());
          item.emplace_back(line.substr(marker->content_indent));
          blanks = 0;
          ++i;
          continue;
        }
        // A lazy continuation of the item's paragraph.
        if (blanks == 0 && !interrupts_paragraph(line) && !list_marker(line) &&
            !is_blank(item.back())) {
          item.emplace_back(trim(line));
          ++i;
          continue;
        }
        break;
      }
      loose = loose || has_inner_blank_line(item);
      items.push_back(std::move(item));
      if (blanks > 0 && i < lines.size()) {
        const auto next = list_marker(lines[i]);
        if (next && same_list(*next, first) && !thematic_break(lines[i]))
          loose = true;
      }
    }
    if (first.ordered) {
      out_ += first.start == 1 ? "<ol>\n" : "<ol start=\"" + std::to_string(first.start) + "\">\n";
    } else {
      out_ += "<ul>\n";
    }
    for (const auto& item : items) {
      out_ += "<li>";
      render(item, depth + 1, !loose);
      if (!out_.empty() && out_.back() == '\n')
        out_.pop_back();
      out_ += "</li>\n";
    }
    out_ += first.ordered ? "</ol>\n" : "</ul>\n";
    return i;
  }

  const MarkdownOptions& options_;
  std::string& out_;
};

// The lines of text, without line ends; leading tabs expanded to spaces.
std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view raw = text.substr(start, end - start);
    if (!raw.empty() && raw.back() == '\r')
      raw.remove_suffix(1);
    std::string line;
    std::size_t k = 0;
    for (; k < raw.size() && (raw[k] == ' ' || raw[k] == '\t'); ++k) {
      if (raw[k] == '\t') {
        line.append(kTabWidth - line.size() % kTabWidth, ' ');
      } else {
        line += ' ';
      }
    }
    line += raw.substr(k);
    lines.push_back(std::move(line));
    if (end == text.size())
      break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, i);
      if (length == 0) {
        out += kReplacement;
        ++i;
      } else {
        out += text.substr(i, length);
        i += length;
      }
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
      case '\t':
      case '\n':
      case '\r':
        out += static_cast<char>(c);
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += kReplacement;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

bool is_safe_link_target(std::string_view target) {
  if (target.empty())
    return false;
  for (const char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    // Backslashes are refused too: browsers read them as slashes in some places.
    if (byte <= 0x20 || byte == 0x7F || c == '\\')
      return false;
  }
  const std::size_t delimiter = target.find_first_of(":/?#");
  if (delimiter == std::string_view::npos || target[delimiter] != ':')
    return true;  // relative: no scheme
  std::string scheme(target.substr(0, delimiter));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return scheme == "http" || scheme == "https";
}

std::string markdown_to_html(std::string_view markdown, const MarkdownOptions& options) {
  std::string out;
  BlockRenderer renderer(options, out);
  renderer.render(split_lines(markdown), 0, /*tight=*/false);
  return out;
}

}  // namespace sloe::api

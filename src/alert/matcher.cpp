#include "sloe/alert/matcher.h"

#include <cstdio>
#include <utility>

namespace sloe::alert {
namespace {

// Linear-time, constant-stack matching where the standard library offers it (see matcher.h).
#if defined(__GLIBCXX__)
constexpr auto kRegexFlags = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr auto kRegexFlags = std::regex::ECMAScript;
#endif

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Characters that end a label name: the operator, list punctuation, quotes, whitespace.
bool ends_name(char c) {
  return is_space(c) || c == '=' || c == '!' || c == '~' || c == '{' || c == '}' || c == ',' ||
         c == '"';
}

// Characters that end an unquoted value. '=', '!' and '~' may appear in it (`a=b=c`).
bool ends_unquoted_value(char c) {
  return is_space(c) || c == '{' || c == '}' || c == ',' || c == '"';
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// Recursive-descent reader over the matcher syntax; positions are byte offsets into text_.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Matcher> parse_one() {
    skip_space();
    const std::size_t name_start = pos_;
    while (!at_end() && !ends_name(peek()))
      ++pos_;
    const std::string_view name = text_.substr(name_start, pos_ - name_start);
    if (name.empty()) {
      return fail("expected a label name at column " + column(name_start) + ", got " +
                  describe(name_start) + " (a matcher looks like name=\"value\")");
    }
    if (!is_valid_label_name(name)) {
      return fail("invalid label name \"" + std::string(name) + "\" at column " +
                  column(name_start) + ": a label name must match [a-zA-Z_][a-zA-Z0-9_]*");
    }

    skip_space();
    const std::size_t op_start = pos_;
    MatchType type;
    if (consume("=~")) {
      type = MatchType::kRegexMatch;
    } else if (consume("!~")) {
      type = MatchType::kRegexNoMatch;
    } else if (consume("!=")) {
      type = MatchType::kNotEqual;
    } else if (consume("=")) {
      type = MatchType::kEqual;
    } else {
      return fail("missing operator after label name \"" + std::string(name) + "\" at column " +
                  column(op_start) + ": expected one of =, !=, =~, !~ but got " +
                  describe(op_start));
    }

    skip_space();
    const std::size_t value_start = pos_;
    std::string value;
    if (!at_end() && peek() == '"') {
      auto quoted = read_quoted();
      if (!quoted.ok())
        return quoted.error();
      value = std::move(quoted).value();
    } else {
      while (!at_end() && !ends_unquoted_value(peek()))
        ++pos_;
      value = std::string(text_.substr(value_start, pos_ - value_start));
    }

    auto matcher = Matcher::create(std::string(name), type, std::move(value));
    if (!matcher.ok()) {
      return fail(matcher.error().message + " (in the matcher at column " + column(name_start) +
                  ")");
    }
    return matcher;
  }

  Result<std::vector<Matcher>> parse_list() {
    std::vector<Matcher> matchers;
    skip_space();
    const std::size_t open_brace = pos_;
    const bool braced = consume("{");
    while (true) {
      skip_space();
      if (at_end() || peek() == '}')
        break;
      auto matcher = parse_one();
      if (!matcher.ok())
        return matcher.error();
      matchers.push_back(std::move(matcher).value());
      skip_space();
      if (consume(","))
        continue;
      if (at_end() || peek() == '}')
        break;
      return fail(std::string("expected ',' ") + (braced ? "or '}' " : "") +
                  "between matchers at column " + column(pos_) + ", got " + describe(pos_));
    }
    if (braced) {
      if (!consume("}")) {
        return fail("missing '}' to close the '{' at column " + column(open_brace));
      }
    } else if (!at_end()) {
      return fail("unexpected '}' at column " + column(pos_) + " without an opening '{'");
    }
    skip_space();
    if (!at_end()) {
      return fail("unexpected " + describe(pos_) + " at column " + column(pos_) +
                  " after the closing '}'");
    }
    return matchers;
  }

  // After a single matcher: only whitespace may follow.
  Status expect_end() {
    skip_space();
    if (at_end())
      return {};
    return Error{"unexpected " + describe(pos_) + " at column " + column(pos_) +
                 " after the matcher (use parse_matchers for a list)"};
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_space() {
    while (!at_end() && is_space(peek()))
      ++pos_;
  }
  bool consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token)
      return false;
    pos_ += token.size();
    return true;
  }

  static std::string column(std::size_t pos) { return std::to_string(pos + 1); }

  std::string describe(std::size_t pos) const {
    if (pos >= text_.size())
      return "end of input";
    const auto byte = static_cast<unsigned char>(text_[pos]);
    if (byte >= 0x20 && byte < 0x7f)
      return std::string("'") + text_[pos] + "'";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    return std::string("byte ") + hex;
  }

  static Error fail(std::string message) { return Error{std::move(message)}; }

  // REQUIRES: peek() == '"'. Unescapes \" \\ \n; other backslashes stay literal (Alertmanager
  // does the same), so regex escapes such as \. survive unchanged.
  Result<std::string> read_quoted() {
    const std::size_t open_quote = pos_;
    ++pos_;
    std::string value;
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return value;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        append_unescaped(text_[pos_ + 1], value);
        pos_ += 2;
        continue;
      }
      value += c;
      ++pos_;
    }
    return fail("unterminated quoted value starting at column " + column(open_quote) +
                ": missing closing '\"'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view to_string(MatchType type) {
  switch (type) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

Matcher::Matcher(std::string name, MatchType type, std::string value,
                 std::shared_ptr<const std::regex> regex)
    : name_(std::move(name)), type_(type), value_(std::move(value)), regex_(std::move(regex)) {}

Result<Matcher> Matcher::create(std::string name, MatchType type, std::string value) {
  if (!is_valid_label_name(name)) {
    return Error{"invalid label name " + quote(name) +
                 ": a label name must match [a-zA-Z_][a-zA-Z0-9_]*"};
  }
  std::shared_ptr<const std::regex> regex;
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    if (value.size() > kMaxRegexLength) {
      return Error{"regular expression for label \"" + name + "\" is " +
                   std::to_string(value.size()) + " bytes long; at most " +
                   std::to_string(kMaxRegexLength) + " are allowed"};
    }
    // std::regex reports syntax errors by throwing; they are expected input errors here.
    // regex_match() anchors at both ends, which is what Prometheus' ^(?:...)$ does, without
    // splicing the user's text into a larger pattern.
    try {
      regex = std::make_shared<const std::regex>(value, kRegexFlags);
    } catch (const std::regex_error& e) {
      return Error{"invalid regular expression " + quote(value) + " for label \"" + name +
                   "\": " + e.what()};
    }
  }
  return Matcher(std::move(name), type, std::move(value), std::move(regex));
}

bool Matcher::matches(const Labels& labels) const {
  const auto it = labels.find(name_);
  const std::string_view actual = it == labels.end() ? std::string_view{} : it->second;
  switch (type_) {
    case MatchType::kEqual:
      return actual == value_;
    case MatchType::kNotEqual:
      return actual != value_;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch: {
      bool matched = false;
      try {
        matched = std::regex_match(actual.begin(), actual.end(), *regex_);
      } catch (const std::regex_error&) {
        matched = false;  // the engine gave up (complexity/stack): count as no match
      }
      return type_ == MatchType::kRegexMatch ? matched : !matched;
    }
  }
  return false;
}

std::string Matcher::to_string() const {
  return name_ + std::string(alert::to_string(type_)) + quote(value_);
}

Result<Matcher> parse_matcher(std::string_view text) {
  Parser parser(text);
  auto matcher = parser.parse_one();
  if (!matcher.ok())
    return matcher;
  if (Status end = parser.expect_end(); !end.ok())
    return end.error();
  return matcher;
}

Result<std::vector<Matcher>> parse_matchers(std::string_view text) {
  return Parser(text).parse_list();
}

void append_unescaped(char escaped, std::string& out) {
  if (escaped == 'n') {
    out += '\n';
  } else if (escaped == '"' || escaped == '\\') {
    out += escaped;
  } else {
    out += '\\';
    out += escaped;
  }
}

bool matches_all(const std::vector<Matcher>& matchers, const Labels& labels) {
  for (const Matcher& matcher : matchers) {
    if (!matcher.matches(labels))
      return false;
  }
  return true;
}

}  // namespace sloe::alert

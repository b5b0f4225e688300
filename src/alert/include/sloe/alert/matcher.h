// Matcher: an Alertmanager label matcher (`name="value"`, `!=`, `=~`, `!~`) and its text syntax.
//
// Routes, silences and inhibition rules select alerts with lists of matchers; this header is the
// one place that decides what a matcher means, so sloe and an existing Alertmanager configuration
// agree on which alerts a route or silence covers.
//
// Semantics (as Alertmanager): a label missing from the set matches as the empty string, so
// `foo=""` matches an alert without foo, `foo!=""` requires foo to be present and non-empty, and
// `foo=~".*"` matches an alert without foo. Regular expressions are fully anchored, as
// Prometheus anchors them with ^(?:...)$: `severity=~"pa"` does not match "page".
//
// Regex dialect: Alertmanager uses Go's RE2; sloe uses std::regex with ECMAScript grammar, the
// closest the standard library offers. Common patterns (alternation, classes, `.*`, `\d`, `{m,n}`,
// `(?:...)`) behave the same. Differences: no inline flags such as `(?i)` or `(?s)`, no `\C`,
// `\pL` or `[[:^alpha:]]`-style negated POSIX classes, no `\z`/`\A`; ECMAScript adds lookaheads
// (which RE2 rejects, and so does sloe); matching is over bytes, so `.` matches one byte of a
// multi-byte UTF-8 character. Patterns longer than kMaxRegexLength are rejected.
//
// Matching runs on libstdc++'s breadth-first executor (the __polynomial extension), as RE2 does in
// spirit: time linear in the label value and constant stack, so a label value of any length cannot
// crash the process (the default backtracking executor recurses once per byte for patterns such
// as `(a|b)*` and overflows the stack on values of a few KB). Back-references need backtracking
// and are rejected at create(), as RE2 rejects them. A match that gives up anyway (regex_error at
// match time) is treated as not matching (=~ false, !~ true).
//
// Thread-safety: a Matcher is immutable after create(); const methods may be called from any
// number of threads at once. Copies share the compiled regex.
#pragma once

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/labels.h"
#include "sloe/core/result.h"

namespace sloe::alert {

enum class MatchType {
  kEqual,         // =
  kNotEqual,      // !=
  kRegexMatch,    // =~
  kRegexNoMatch,  // !~
};

// The operator as written in matcher syntax: "=", "!=", "=~" or "!~".
std::string_view to_string(MatchType type);

// Longest regular expression create() accepts, in bytes.
inline constexpr std::size_t kMaxRegexLength = 1024;

class Matcher {
 public:
  // Fails if name is not a valid label name, or, for the regex types, if value does not compile
  // or is longer than kMaxRegexLength; the message quotes the offending name or regex.
  static Result<Matcher> create(std::string name, MatchType type, std::string value);

  // True if the label set satisfies this matcher; a missing label reads as "".
  bool matches(const Labels& labels) const;

  const std::string& name() const { return name_; }
  MatchType type() const { return type_; }
  const std::string& value() const { return value_; }

  // `name<op>"value"` with \, " and newline escaped, e.g. severity=~"page|ticket". Parsing the
  // result with parse_matcher() gives back an equal matcher.
  std::string to_string() const;

  friend bool operator==(const Matcher& a, const Matcher& b) {
    return a.name_ == b.name_ && a.type_ == b.type_ && a.value_ == b.value_;
  }

 private:
  Matcher(std::string name, MatchType type, std::string value,
          std::shared_ptr<const std::regex> regex);

  std::string name_;
  MatchType type_;
  std::string value_;
  std::shared_ptr<const std::regex> regex_;  // set only for the regex types
};

// Parses one matcher: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`, with
// optional whitespace around the operator. Values may also be unquoted (`severity=page`), as
// Alertmanager and amtool accept; an unquoted value ends at whitespace, ',', '{', '}' or '"', and
// may be empty (`foo=`). Inside quotes, \" \\ and \n are escapes; any other backslash is kept
// literally, so regexes like "a\.b" need no doubling. Errors say what is wrong and at which
// 1-based column.
Result<Matcher> parse_matcher(std::string_view text);

// Parses a comma-separated list, with or without surrounding braces: `{a="b", c=~"d"}` or
// `a="b",c=~"d"`. A trailing comma is allowed; `{}` and the empty string give an empty list.
// Columns in error messages count from the start of text.
Result<std::vector<Matcher>> parse_matchers(std::string_view text);

// Appends the character that the escape `\<escaped>` stands for inside a quoted matcher value:
// \n is a newline, \" and \\ are themselves, and any other backslash stays literal (as in
// Alertmanager), so regex escapes such as \. survive. amtool's label arguments use the same rule.
void append_unescaped(char escaped, std::string& out);

// True if every matcher matches; true for an empty list.
bool matches_all(const std::vector<Matcher>& matchers, const Labels& labels);

}  // namespace sloe::alert

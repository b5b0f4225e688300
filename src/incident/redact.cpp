// Redaction. The built-in detectors are hand-written scanners, not regular expressions: this runs
// on every alert label, annotation and note, and most text holds no secret, so each scanner first
// looks for the one cheap thing its secret cannot lack ('@', "://", a digit, a separator) and
// returns at once when it is absent. std::regex is used only for the configured user patterns.
//
// Idempotence: scanners run only on the text between existing markers ("[REDACTED:name]"), so a
// marker is never matched again; every scanner refuses an empty secret (so "password=" left in
// front of a marker is not redacted a second time); and redact() repeats until a pass changes
// nothing.
#include "sloe/incident/redact.h"

#include <algorithm>
#include <array>
#include <regex>

#include "sloe/core/text.h"

namespace sloe::incident {
namespace {

// Header order; also the order detector_names() reports.
enum Builtin : int {
  kBearerToken,
  kApiKey,
  kAwsKey,
  kUrlPassword,
  kPrivateKey,
  kEmail,
  kPhone,
  kCardNumber,
  kBuiltinCount
};

constexpr std::array<const char*, kBuiltinCount> kBuiltinNames{
    "bearer_token", "api_key", "aws_key", "url_password",
    "private_key",  "email",   "phone",   "card_number"};

// When two findings overlap they become one redaction named after the more specific detector.
constexpr std::array<int, kBuiltinCount> kPriority{
    /*bearer_token*/ 3, /*api_key*/ 4, /*aws_key*/ 1, /*url_password*/ 2,
    /*private_key*/ 0,  /*email*/ 6,   /*phone*/ 7,   /*card_number*/ 5};

// std::regex compiles recursively; an unbounded pattern could exhaust the stack.
constexpr std::size_t kMaxRegexLength = 1024;

constexpr std::string_view kMarkerPrefix = "[REDACTED:";
constexpr int kMaxPasses = 16;

struct Span {
  std::size_t begin;
  std::size_t end;
  int detector;  // a Builtin
};

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}

bool starts_with_ci(std::string_view text, std::size_t at, std::string_view word) {
  if (at + word.size() > text.size())
    return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(text[at + i]) != word[i])
      return false;
  }
  return true;
}

// Position of the first case-insensitive occurrence of word (lower case) at or after from.
std::size_t find_ci(std::string_view text, std::string_view word, std::size_t from) {
  const char first_lower = word.front();
  const char first_upper = static_cast<char>(first_lower - 'a' + 'A');
  for (std::size_t i = from; i + word.size() <= text.size(); ++i) {
    if ((text[i] == first_lower || text[i] == first_upper) && starts_with_ci(text, i, word))
      return i;
  }
  return std::string_view::npos;
}

// A complete marker "[REDACTED:<name>]" starting at at: its length, else 0.
std::size_t marker_length(std::string_view text, std::size_t at) {
  if (text.compare(at, kMarkerPrefix.size(), kMarkerPrefix) != 0)
    return 0;
  std::size_t i = at + kMarkerPrefix.size();
  const std::size_t name_start = i;
  while (i < text.size() &&
         (is_digit(text[i]) || (text[i] >= 'a' && text[i] <= 'z') || text[i] == '_')) {
    ++i;
  }
  if (i == name_start || i >= text.size() || text[i] != ']')
    return 0;
  return i + 1 - at;
}

// Calls fn(begin, end) for each stretch of text between markers.
template <typename Fn>
void for_each_gap(std::string_view text, Fn&& fn) {
  std::size_t gap_start = 0;
  std::size_t at = text.find(kMarkerPrefix);
  while (at != std::string_view::npos) {
    const std::size_t length = marker_length(text, at);
    if (length == 0) {
      at = text.find(kMarkerPrefix, at + 1);
      continue;
    }
    if (at > gap_start)
      fn(gap_start, at);
    gap_start = at + length;
    at = text.find(kMarkerPrefix, gap_start);
  }
  if (gap_start < text.size())
    fn(gap_start, text.size());
}

// ---- bearer_token ----

bool is_token_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

std::size_t token_end(std::string_view text, std::size_t i) {
  while (i < text.size() && is_token_char(text[i]))
    ++i;
  return i;
}

// A word that follows "Bearer" in prose ("a bearer token") is not a credential; real tokens are
// long or mix in digits and symbols.
bool looks_like_credential(std::string_view token) {
  if (token.size() < 8)
    return false;
  if (token.size() >= 20)
    return true;
  return std::any_of(token.begin(), token.end(), [](char c) { return !is_alpha(c); });
}

void scan_bearer(std::string_view text, std::vector<Span>& out) {
  for (std::size_t at = find_ci(text, "bearer", 0); at != std::string_view::npos;
       at = find_ci(text, "bearer", at + 6)) {
    if (at > 0 && is_word(text[at - 1]))
      continue;
    std::size_t i = at + 6;
    if (i >= text.size() || !is_space(text[i]))
      continue;
    while (i < text.size() && is_space(text[i]))
      ++i;
    const std::size_t end = token_end(text, i);
    if (looks_like_credential(text.substr(i, end - i)))
      out.push_back(Span{i, end, kBearerToken});
  }
  // "Authorization: <scheme> <credentials>", also as a JSON key or with '='.
  for (std::size_t at = find_ci(text, "authorization", 0); at != std::string_view::npos;
       at = find_ci(text, "authorization", at + 13)) {
    if (at > 0 && is_alnum(text[at - 1]))
      continue;
    std::size_t i = at + 13;
    if (i < text.size() && (text[i] == '"' || text[i] == '\''))
      ++i;
    while (i < text.size() && is_space(text[i]))
      ++i;
    if (i >= text.size() || (text[i] != ':' && text[i] != '='))
      continue;
    ++i;
    while (i < text.size() && is_space(text[i]))
      ++i;
    if (i < text.size() && text[i] == '\\')
      ++i;
    if (i < text.size() && (text[i] == '"' || text[i] == '\''))
      ++i;
    const std::size_t first_end = token_end(text, i);
    if (first_end == i)
      continue;
    if (first_end < text.size() && is_space(text[first_end])) {
      // scheme, then credentials (a Bearer token was found above; this covers Basic, Token...)
      std::size_t c = first_end;
      while (c < text.size() && is_space(text[c]))
        ++c;
      const std::size_t end = token_end(text, c);
      if (end > c)
        out.push_back(Span{c, end, kBearerToken});
    } else {
      out.push_back(Span{i, first_end, kBearerToken});  // credentials without a scheme
    }
  }
}

// ---- api_key ----

// Key names (lower case, '_', '-' and '.' removed) whose value is a credential.
constexpr std::array<std::string_view, 15> kSecretKeySuffixes{
    "apikey",     "token",       "secret",    "password",   "passwd",
    "pwd",        "accesskey",   "secretkey", "privatekey", "clientsecret",
    "credential", "credentials", "authkey",   "passphrase", "signingkey"};

bool is_key_char(char c) {
  return is_word(c) || c == '-' || c == '.';
}

bool names_a_secret(std::string_view key) {
  std::array<char, 64> normalized{};
  std::size_t n = 0;
  for (const char c : key) {
    if (c == '_' || c == '-' || c == '.')
      continue;
    if (n == normalized.size())
      return false;
    normalized[n++] = lower(c);
  }
  const std::string_view name(normalized.data(), n);
  return std::any_of(kSecretKeySuffixes.begin(), kSecretKeySuffixes.end(),
                     [&](std::string_view suffix) {
                       return name.size() >= suffix.size() &&
                              name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
                     });
}

bool is_placeholder_value(std::string_view value) {
  static constexpr std::array<std::string_view, 5> kPlaceholders{"null", "none", "true", "false",
                                                                 "nil"};
  if (value.size() > 5)
    return false;
  std::string lowered;
  for (const char c : value)
    lowered.push_back(lower(c));
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), lowered) != kPlaceholders.end();
}

bool ends_unquoted_value(char c) {
  return is_space(c) || c == '\n' || c == '\r' || c == '&' || c == ',' || c == ';' || c == '"' ||
         c == '\'' || c == '}' || c == '\\' || c == '<' || c == '>';
}

// key=value, key: value, "key": "value", key="value" (also with JSON-escaped quotes) where the key
// names a secret. The value is redacted; the key stays so the text still reads.
void scan_key_values(std::string_view text, std::vector<Span>& out) {
  for (std::size_t sep = 0; sep < text.size(); ++sep) {
    const char s = text[sep];
    if (s != '=' && s != ':')
      continue;
    // The key: back over spaces, an optional closing quote (possibly escaped), then the name.
    std::size_t k = sep;
    while (k > 0 && is_space(text[k - 1]))
      --k;
    if (k > 0 && (text[k - 1] == '"' || text[k - 1] == '\'')) {
      --k;
      if (k > 0 && text[k - 1] == '\\')
        --k;
    }
    const std::size_t key_end = k;
    while (k > 0 && is_key_char(text[k - 1]) && key_end - k < 64)
      --k;
    if (k == key_end || !names_a_secret(text.substr(k, key_end - k)))
      continue;
    std::size_t v = sep + 1;
    if (s == ':' && v < text.size() && text[v] == ':')
      continue;  // "::" is a scope operator or an IPv6 address, not a pair
    while (v < text.size() && is_space(text[v]))
      ++v;
    char quote = 0;
    if (v + 1 < text.size() && text[v] == '\\' && (text[v + 1] == '"' || text[v + 1] == '\'')) {
      quote = text[v + 1];
      v += 2;
    } else if (v < text.size() && (text[v] == '"' || text[v] == '\'')) {
      quote = text[v];
      ++v;
    }
    std::size_t end = v;
    if (quote != 0) {
      while (end < text.size() && text[end] != quote && text[end] != '\n' &&
             !(text[end] == '\\' && end + 1 < text.size() && text[end + 1] == quote)) {
        ++end;
      }
    } else {
      while (end < text.size() && !ends_unquoted_value(text[end]))
        ++end;
      while (end > v && (text[end - 1] == '.' || text[end - 1] == ')'))
        --end;  // sentence punctuation
    }
    if (end == v || is_placeholder_value(text.substr(v, end - v)))
      continue;
    out.push_back(Span{v, end, kApiKey});
    sep = end > sep ? end - 1 : sep;
  }
}

struct KnownShape {
  std::string_view prefix;
  std::size_t min_rest;  // characters after the prefix
};

constexpr std::array<KnownShape, 19> kKnownShapes{{
    {"ghp_", 30},        {"gho_", 30},   {"ghu_", 30},  {"ghs_", 30},     {"ghr_", 30},
    {"github_pat_", 40}, {"glpat-", 20}, {"xoxb-", 10}, {"xoxp-", 10},    {"xoxa-", 10},
    {"xoxr-", 10},       {"xoxs-", 10},  {"xoxe-", 10}, {"sk_live_", 16}, {"sk_test_", 16},
    {"rk_live_", 16},    {"whsec_", 16}, {"AIza", 30},  {"npm_", 30},
}};

bool is_shape_char(char c) {
  return is_word(c) || c == '-';
}

// A JWT: three base64url segments, the first (the header) starting "eyJ".
std::size_t jwt_end(std::string_view text, std::size_t at) {
  std::size_t i = at;
  for (int segment = 0; segment < 3; ++segment) {
    const std::size_t start = i;
    while (i < text.size() && (is_word(text[i]) || text[i] == '-'))
      ++i;
    if (segment < 2 && i - start < 10)
      return 0;
    if (segment < 2) {
      if (i >= text.size() || text[i] != '.')
        return 0;
      ++i;
    }
  }
  return i;
}

void scan_known_shapes(std::string_view text, std::vector<Span>& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && is_alnum(text[i - 1]))
      continue;  // only at the start of a word
    const char c = text[i];
    if (c != 'g' && c != 'x' && c != 's' && c != 'r' && c != 'w' && c != 'A' && c != 'n' &&
        c != 'e') {
      continue;
    }
    if (c == 'e' && text.compare(i, 3, "eyJ") == 0) {
      if (const std::size_t end = jwt_end(text, i); end != 0) {
        out.push_back(Span{i, end, kApiKey});
        i = end;
      }
      continue;
    }
    for (const KnownShape& shape : kKnownShapes) {
      if (shape.prefix.front() != c || text.compare(i, shape.prefix.size(), shape.prefix) != 0)
        continue;
      std::size_t end = i + shape.prefix.size();
      while (end < text.size() && is_shape_char(text[end]))
        ++end;
      if (end - i - shape.prefix.size() >= shape.min_rest) {
        out.push_back(Span{i, end, kApiKey});
        i = end;
      }
      break;
    }
  }
}

// ---- aws_key ----

bool is_upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || is_digit(c);
}

void scan_aws(std::string_view text, std::vector<Span>& out) {
  static constexpr std::array<std::string_view, 6> kIdPrefixes{"AKIA", "ASIA", "AGPA",
                                                               "AIDA", "AROA", "ANPA"};
  for (std::size_t at = text.find('A'); at != std::string_view::npos; at = text.find('A', at + 1)) {
    if ((at > 0 && is_alnum(text[at - 1])) || at + 20 > text.size())
      continue;
    const bool known = std::any_of(kIdPrefixes.begin(), kIdPrefixes.end(),
                                   [&](auto p) { return text.compare(at, p.size(), p) == 0; });
    if (!known)
      continue;
    std::size_t end = at + 4;
    while (end < text.size() && is_upper_alnum(text[end]))
      ++end;
    if (end - at == 20 && (end == text.size() || !is_alnum(text[end])))
      out.push_back(Span{at, end, kAwsKey});
  }
  // aws_secret_access_key = <40 chars>, SecretAccessKey: "<40 chars>"
  for (std::size_t at = find_ci(text, "secret", 0); at != std::string_view::npos;
       at = find_ci(text, "secret", at + 6)) {
    std::size_t i = at + 6;
    if (i < text.size() && (text[i] == '_' || text[i] == '-'))
      ++i;
    if (!starts_with_ci(text, i, "access"))
      continue;
    i += 6;
    if (i < text.size() && (text[i] == '_' || text[i] == '-'))
      ++i;
    if (!starts_with_ci(text, i, "key"))
      continue;
    i += 3;
    while (i < text.size() && (is_space(text[i]) || text[i] == '"' || text[i] == '\'' ||
                               text[i] == '\\' || text[i] == ':' || text[i] == '=')) {
      ++i;
    }
    std::size_t end = i;
    while (end < text.size() && (is_alnum(text[end]) || text[end] == '/' || text[end] == '+'))
      ++end;
    if (end - i == 40)
      out.push_back(Span{i, end, kAwsKey});
  }
}

// ---- url_password ----

bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || is_space(c) || c == '\n' || c == '\r' || c == '"' ||
         c == '\'' || c == '<' || c == '>' || c == '`';
}

// An unencoded '/', '?' or '#' in a password ends the authority early ("redis://:pa#ss@h"); when
// what follows "user:" is not a port, the userinfo runs to the next '@' before white space.
std::size_t unencoded_userinfo_end(std::string_view text, std::size_t colon, std::size_t end) {
  const std::string_view after = text.substr(colon + 1, end - colon - 1);
  if (after.empty() || std::all_of(after.begin(), after.end(), is_digit))
    return std::string_view::npos;
  std::size_t i = end;
  while (i < text.size() && text[i] != '@' && !is_space(text[i]) && text[i] != '\n' &&
         text[i] != '"' && text[i] != '\'')
    ++i;
  return i < text.size() && text[i] == '@' ? i : std::string_view::npos;
}

void scan_url_passwords(std::string_view text, std::vector<Span>& out) {
  for (std::size_t at = text.find("://"); at != std::string_view::npos;
       at = text.find("://", at + 3)) {
    if (at == 0 || !is_alpha(text[at - 1]))
      continue;
    const std::size_t start = at + 3;
    std::size_t end = start;
    while (end < text.size() && !ends_authority(text[end]))
      ++end;
    const std::string_view authority = text.substr(start, end - start);
    std::size_t userinfo_end = std::string_view::npos;
    std::size_t colon = std::string_view::npos;
    if (const std::size_t at_sign = authority.rfind('@'); at_sign != std::string_view::npos) {
      userinfo_end = start + at_sign;
      colon = authority.substr(0, at_sign).find(':');
    } else if (const std::size_t c = authority.find(':'); c != std::string_view::npos) {
      colon = c;
      userinfo_end = unencoded_userinfo_end(text, start + c, end);
    }
    if (colon == std::string_view::npos || userinfo_end == std::string_view::npos)
      continue;
    const std::size_t password = start + colon + 1;
    if (password < userinfo_end)
      out.push_back(Span{password, userinfo_end, kUrlPassword});
  }
}

// ---- private_key ----

void scan_private_keys(std::string_view text, std::vector<Span>& out) {
  for (std::size_t at = text.find("-----BEGIN "); at != std::string_view::npos;
       at = text.find("-----BEGIN ", at + 1)) {
    const std::size_t label_end = text.find("-----", at + 11);
    if (label_end == std::string_view::npos)
      continue;
    const std::string_view label = text.substr(at + 11, label_end - at - 11);
    if (label.find("PRIVATE KEY") == std::string_view::npos || label.find('\n') != label.npos)
      continue;
    std::size_t end = text.size();
    const std::size_t end_line = text.find("-----END ", label_end + 5);
    if (end_line != std::string_view::npos) {
      const std::size_t close = text.find("-----", end_line + 9);
      if (close != std::string_view::npos)
        end = close + 5;
    }
    out.push_back(Span{at, end, kPrivateKey});
    at = end - 1;
  }
}

// ---- email ----

bool is_local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool is_domain_char(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

// "scheme://user@host": the user of a URL, not an address (url_password handles its password).
bool in_url_userinfo(std::string_view text, std::size_t local_start) {
  std::size_t i = local_start;
  while (i > 0 && !is_space(text[i - 1]) && text[i - 1] != '\n' && text[i - 1] != '"' &&
         text[i - 1] != '\'') {
    --i;
    if (text.compare(i, 3, "://") == 0)
      return text.substr(i + 3, local_start - i - 3).find('/') == std::string_view::npos;
  }
  return false;
}

void scan_emails(std::string_view text, std::vector<Span>& out) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && is_local_char(text[begin - 1]))
      --begin;
    while (begin < at && (text[begin] == '.' || text[begin] == '-'))
      ++begin;
    if (begin == at)
      continue;
    std::size_t end = at + 1;
    while (end < text.size() && is_domain_char(text[end]))
      ++end;
    while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-'))
      --end;
    const std::string_view domain = text.substr(at + 1, end - at - 1);
    const std::size_t last_dot = domain.rfind('.');
    if (last_dot == std::string_view::npos || last_dot == 0 || domain.find("..") != domain.npos)
      continue;
    const std::string_view tld = domain.substr(last_dot + 1);
    if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), is_alpha))
      continue;
    if (in_url_userinfo(text, begin))
      continue;
    out.push_back(Span{begin, end, kEmail});
    at = end - 1;
  }
}

// ---- phone and card_number ----

// One group of digits in a run, "(415)" counting as a group.
struct DigitGroup {
  std::size_t begin = 0;  // at '(' for a parenthesised group
  std::size_t end = 0;    // past ')' for a parenthesised group
  int digits = 0;
  bool paren = false;
  char separator_after = 0;  // ' ', '-' or '.' before the next group; 0 for the last
};

// Digit groups joined by single separators: "+1 (415) 555-0132", "4111 1111 1111 1111 12".
struct DigitRun {
  std::size_t begin = 0;
  bool plus = false;
  std::vector<DigitGroup> groups;
};

DigitRun read_digit_run(std::string_view text, std::size_t at) {
  DigitRun run;
  run.begin = at;
  std::size_t i = at;
  if (text[i] == '+') {
    run.plus = true;
    ++i;
  }
  while (true) {
    DigitGroup group;
    group.begin = i;
    std::size_t j = i;
    if (j < text.size() && text[j] == '(') {
      group.paren = true;
      ++j;
    }
    const std::size_t digits_start = j;
    while (j < text.size() && is_digit(text[j]))
      ++j;
    if (j == digits_start || (group.paren && (j >= text.size() || text[j] != ')')))
      break;
    group.digits = static_cast<int>(j - digits_start);
    if (group.paren)
      ++j;
    group.end = j;
    run.groups.push_back(group);
    // A separator counts only when another group follows it.
    std::size_t k = j;
    char separator = 0;
    if (k < text.size() && (text[k] == ' ' || text[k] == '-' || text[k] == '.')) {
      separator = text[k];
      ++k;
    } else if (group.paren) {
      separator = ' ';  // "(415)555-0132"
    }
    const bool group_follows =
        k < text.size() &&
        (is_digit(text[k]) || (text[k] == '(' && k + 1 < text.size() && is_digit(text[k + 1])));
    if (separator == 0 || !group_follows)
      break;
    run.groups.back().separator_after = separator;
    i = k;
  }
  return run;
}

// Groups [first, last) of a run, flattened for the shape checks.
struct NumberCandidate {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool plus = false;
  bool parens = false;
  std::vector<int> groups;  // digits per group
  std::vector<bool> paren_groups;
  std::string digits;
  std::string separators;  // one per gap between groups
};

NumberCandidate slice(std::string_view text, const DigitRun& run, std::size_t first,
                      std::size_t last) {
  NumberCandidate c;
  c.plus = run.plus && first == 0;
  c.begin = first == 0 ? run.begin : run.groups[first].begin;
  c.end = run.groups[last - 1].end;
  for (std::size_t g = first; g < last; ++g) {
    const DigitGroup& group = run.groups[g];
    c.parens = c.parens || group.paren;
    c.groups.push_back(group.digits);
    c.paren_groups.push_back(group.paren);
    const std::size_t digits_begin = group.paren ? group.begin + 1 : group.begin;
    c.digits.append(text.substr(digits_begin, static_cast<std::size_t>(group.digits)));
    if (g + 1 < last)
      c.separators.push_back(group.separator_after);
  }
  return c;
}

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

// Issuer prefixes and lengths: a random 13-19 digit ID passes Luhn one time in ten, so the
// prefix is what keeps order numbers and epoch milliseconds out.
bool known_card_prefix(std::string_view d) {
  const auto prefix = [&](std::size_t n) {
    int value = 0;
    for (std::size_t i = 0; i < n; ++i)
      value = value * 10 + (d[i] - '0');
    return value;
  };
  const std::size_t len = d.size();
  if (d[0] == '4')
    return len == 13 || len == 16 || len == 19;  // Visa
  if ((prefix(2) >= 51 && prefix(2) <= 55) || (prefix(4) >= 2221 && prefix(4) <= 2720))
    return len == 16;  // Mastercard
  if (prefix(2) == 34 || prefix(2) == 37)
    return len == 15;  // American Express
  if (prefix(4) == 6011 || prefix(2) == 65 || (prefix(3) >= 644 && prefix(3) <= 649))
    return len >= 16;  // Discover
  if (prefix(2) == 36 || prefix(2) == 38 || (prefix(3) >= 300 && prefix(3) <= 305))
    return len >= 14;  // Diners Club
  if (prefix(4) >= 3528 && prefix(4) <= 3589)
    return len >= 16;  // JCB
  if (prefix(2) == 62)
    return len >= 16;  // UnionPay
  return false;
}

bool is_card(const NumberCandidate& c) {
  if (c.plus || c.parens || c.digits.size() < 13 || c.digits.size() > 19)
    return false;
  if (!c.separators.empty()) {
    const char first = c.separators.front();
    if (first == '.' || c.separators.find_first_not_of(first) != std::string::npos)
      return false;
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
      const bool last = g + 1 == c.groups.size();
      if (c.groups[g] > 6 || c.groups[g] < (last ? 3 : 4))
        return false;
    }
  }
  return known_card_prefix(c.digits) && luhn_valid(c.digits);
}

bool is_date_shape(const NumberCandidate& c) {
  const auto& g = c.groups;
  return g.size() == 3 &&
         ((g[0] == 4 && g[1] <= 2 && g[2] <= 2) || (g[0] <= 2 && g[1] <= 2 && g[2] == 4));
}

bool is_phone(const NumberCandidate& c) {
  const std::size_t digits = c.digits.size();
  const auto& g = c.groups;
  // After the first (a country code, or the US "1-800"), single digits are counts and lists,
  // except "(0)" in "+44 (0)20 ...".
  for (std::size_t i = 1; i < g.size(); ++i) {
    if (g[i] < 2 && !c.paren_groups[i])
      return false;
  }
  if (c.plus)
    return digits >= 8 && digits <= 15 && c.digits[0] != '0';
  if (g.size() == 1)  // one plain run: only a national number with its trunk '0'
    return c.digits[0] == '0' && digits >= 10 && digits <= 11;
  if (digits < 7 || digits > 12 || is_date_shape(c))
    return false;
  // Two groups are a range ("8080-8090", "30000-32767") unless they read like "555-0132".
  if (g.size() == 2 && !(g[0] == 3 && g[1] == 4))
    return false;
  // Pairs ("06 12 34 56 78") are a national number only with the trunk prefix '0'.
  if (std::all_of(g.begin(), g.end(), [](int n) { return n == 2; }) && c.digits[0] != '0')
    return false;
  if (c.separators.find('.') != std::string::npos) {
    // dots are versions and addresses unless in the two common phone layouts
    const bool us = g.size() == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4;
    const bool pairs =
        g.size() == 5 && std::all_of(g.begin(), g.end(), [](int n) { return n == 2; });
    return c.separators.find_first_not_of('.') == std::string::npos && (us || pairs);
  }
  // "1 000 000" and "120 230 450": thousands or lists, not numbers to dial
  const bool thousands =
      std::all_of(g.begin() + 1, g.end(), [](int n) { return n == 3; }) && g[0] <= 3;
  return !thousands;
}

// Characters that glue a number to a larger token (IDs, versions, paths, UUIDs, timestamps).
bool joins_token(char c) {
  return is_word(c) || c == '-' || c == '.' || c == '/' || c == '#';
}

// Finds cards, then phones, in one run. A run can hold more than one number ("+1 415 555 0132
// 4111 1111 1111 1111") or a number and a count ("4111 1111 1111 1111 12"), so cards are looked
// for in every stretch of groups; what is left between them is checked as a phone as a whole
// (or, after a '+', by its longest phone-shaped prefix). A stretch bounded by '.' is part of a
// version or an address and is skipped.
void classify_run(std::string_view text, const DigitRun& run, bool glued_after, bool phone,
                  bool card, std::vector<Span>& out) {
  int total_digits = 0;
  for (const DigitGroup& group : run.groups)
    total_digits += group.digits;
  if (total_digits < 7)
    return;  // too short for either; most runs in text are times, counts and versions
  const std::size_t count = run.groups.size();
  const auto dotted_before = [&](std::size_t first) {
    return first > 0 && run.groups[first - 1].separator_after == '.';
  };
  const auto bounded = [&](std::size_t first, std::size_t last) {
    if (dotted_before(first))
      return false;
    return last == count ? !glued_after : run.groups[last - 1].separator_after != '.';
  };
  const auto find_phone = [&](std::size_t first, std::size_t last) {
    if (!phone || first == last)
      return;
    if (bounded(first, last) && is_phone(slice(text, run, first, last))) {
      const NumberCandidate c = slice(text, run, first, last);
      out.push_back(Span{c.begin, c.end, kPhone});
      return;
    }
    if (first != 0 || !run.plus)
      return;
    for (std::size_t end = last - 1; end > first; --end) {
      if (!bounded(first, end))
        continue;
      const NumberCandidate c = slice(text, run, first, end);
      if (is_phone(c)) {
        out.push_back(Span{c.begin, c.end, kPhone});
        return;
      }
    }
  };
  std::size_t phone_from = 0;
  std::size_t first = 0;
  while (first < count) {
    bool found = false;
    for (std::size_t last = count; card && last > first; --last) {
      if (!bounded(first, last))
        continue;
      const NumberCandidate c = slice(text, run, first, last);
      if (c.digits.size() < 13)
        break;  // shorter stretches hold fewer digits still
      if (is_card(c)) {
        find_phone(phone_from, first);
        out.push_back(Span{c.begin, c.end, kCardNumber});
        first = last;
        phone_from = last;
        found = true;
        break;
      }
    }
    if (!found)
      ++first;
  }
  find_phone(phone_from, count);
}

void scan_numbers(std::string_view text, std::vector<Span>& out, bool phone, bool card) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const bool starts =
        is_digit(c) || ((c == '+' || c == '(') && i + 1 < text.size() && is_digit(text[i + 1]));
    if (!starts) {
      ++i;
      continue;
    }
    if (i > 0 && (joins_token(text[i - 1]) || text[i - 1] == '+')) {
      ++i;
      while (i < text.size() && is_alnum(text[i]))
        ++i;  // the rest of this token
      continue;
    }
    const DigitRun run = read_digit_run(text, i);
    if (run.groups.empty()) {
      ++i;
      continue;
    }
    const std::size_t end = run.groups.back().end;
    const bool glued_after =
        end < text.size() &&
        (is_word(text[end]) ||
         ((text[end] == '-' || text[end] == '.' || text[end] == '/' || text[end] == ':') &&
          end + 1 < text.size() && is_alnum(text[end + 1])));
    classify_run(text, run, glued_after, phone, card, out);
    i = std::max(end, i + 1);
  }
}

// ---- putting it together ----

// A phone or card has at least seven digits in the text.
bool has_enough_digits(std::string_view text, std::size_t min) {
  std::size_t digits = 0;
  for (const char c : text) {
    if (is_digit(c) && ++digits >= min)
      return true;
  }
  return false;
}

void scan_gap(std::string_view gap, const std::array<bool, kBuiltinCount>& on,
              std::vector<Span>& out) {
  if (on[kPrivateKey] && gap.find("-----BEGIN ") != std::string_view::npos)
    scan_private_keys(gap, out);
  if (on[kBearerToken])
    scan_bearer(gap, out);
  if (on[kApiKey]) {
    if (gap.find_first_of("=:") != std::string_view::npos)
      scan_key_values(gap, out);
    scan_known_shapes(gap, out);
  }
  if (on[kAwsKey] && gap.find('A') != std::string_view::npos)
    scan_aws(gap, out);
  if (on[kUrlPassword] && gap.find("://") != std::string_view::npos)
    scan_url_passwords(gap, out);
  if (on[kEmail] && gap.find('@') != std::string_view::npos)
    scan_emails(gap, out);
  if ((on[kPhone] || on[kCardNumber]) && has_enough_digits(gap, 7))
    scan_numbers(gap, out, on[kPhone], on[kCardNumber]);
}

std::string marker(std::string_view name) {
  std::string out(kMarkerPrefix);
  out.append(name);
  out.push_back(']');
  return out;
}

bool is_valid_pattern_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
  });
}

}  // namespace

struct Redactor::Impl {
  std::array<bool, kBuiltinCount> enabled{};
  struct UserPattern {
    std::string name;
    std::string marker;
    std::regex regex;
  };
  std::vector<UserPattern> patterns;

  std::string apply_builtins(std::string_view text) const {
    std::vector<Span> spans;
    for_each_gap(text, [&](std::size_t begin, std::size_t end) {
      const std::size_t before = spans.size();
      scan_gap(text.substr(begin, end - begin), enabled, spans);
      for (std::size_t i = before; i < spans.size(); ++i) {
        spans[i].begin += begin;
        spans[i].end += begin;
      }
    });
    if (spans.empty())
      return std::string(text);
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.begin < b.begin; });
    // Overlapping findings become one redaction, so nothing either detector found survives.
    std::vector<Span> merged;
    for (const Span& span : spans) {
      if (!merged.empty() && span.begin < merged.back().end) {
        Span& last = merged.back();
        last.end = std::max(last.end, span.end);
        if (kPriority[span.detector] < kPriority[last.detector])
          last.detector = span.detector;
      } else {
        merged.push_back(span);
      }
    }
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    for (const Span& span : merged) {
      out.append(text.substr(copied, span.begin - copied));
      out.append(kMarkerPrefix);
      out.append(kBuiltinNames[span.detector]);
      out.push_back(']');
      copied = span.end;
    }
    out.append(text.substr(copied));
    return out;
  }

  std::string apply_pattern(const UserPattern& pattern, const std::string& text) const {
    std::string out;
    bool changed = false;
    std::size_t copied = 0;
    for_each_gap(text, [&](std::size_t begin, std::size_t end) {
      auto it = std::cregex_iterator(text.data() + begin, text.data() + end, pattern.regex);
      for (; it != std::cregex_iterator(); ++it) {
        const std::cmatch& match = *it;
        if (match.length(0) == 0)
          continue;
        const auto match_begin = static_cast<std::size_t>(match[0].first - text.data());
        out.append(text, copied, match_begin - copied);
        out.append(pattern.marker);
        copied = match_begin + static_cast<std::size_t>(match.length(0));
        changed = true;
      }
    });
    if (!changed)
      return text;
    out.append(text, copied, std::string::npos);
    return out;
  }
};

Result<Redactor> Redactor::create(const RedactionOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->enabled.fill(true);
  std::vector<std::string> names(kBuiltinNames.begin(), kBuiltinNames.end());
  for (const std::string& name : options.disabled_builtins) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      const std::string suggestion = closest_match(name, names);
      std::string message = "redaction: unknown built-in detector '" + name + "'";
      message += suggestion.empty() ? " (built-ins: bearer_token, api_key, aws_key, url_password, "
                                      "private_key, email, phone, card_number)"
                                    : "; did you mean '" + suggestion + "'?";
      return Error{message};
    }
    impl->enabled[static_cast<std::size_t>(it - names.begin())] = false;
  }
  for (const RedactionPattern& pattern : options.patterns) {
    if (!is_valid_pattern_name(pattern.name)) {
      return Error{"redaction pattern '" + pattern.name +
                   "': the name must be lower-case letters, digits and '_' ([a-z0-9_]+)"};
    }
    if (pattern.regex.empty())
      return Error{"redaction pattern '" + pattern.name + "': the regex is empty"};
    if (pattern.regex.size() > kMaxRegexLength) {
      return Error{"redaction pattern '" + pattern.name + "': the regex is longer than " +
                   std::to_string(kMaxRegexLength) + " characters"};
    }
    try {
      impl->patterns.push_back(Impl::UserPattern{
          pattern.name, marker(pattern.name), std::regex(pattern.regex, std::regex::ECMAScript)});
    } catch (const std::regex_error& e) {
      return Error{"redaction pattern '" + pattern.name + "': invalid regular expression '" +
                   pattern.regex + "': " + e.what()};
    }
  }
  Redactor redactor;
  redactor.impl_ = std::move(impl);
  return redactor;
}

Redactor::Redactor() {
  auto impl = std::make_shared<Impl>();
  impl->enabled.fill(true);
  impl_ = std::move(impl);
}

Redactor::~Redactor() = default;
Redactor::Redactor(const Redactor&) = default;
Redactor& Redactor::operator=(const Redactor&) = default;
Redactor::Redactor(Redactor&&) noexcept = default;
Redactor& Redactor::operator=(Redactor&&) noexcept = default;

std::string Redactor::redact(std::string_view text) const {
  const auto pass = [this](std::string_view input) {
    std::string out = impl_->apply_builtins(input);
    for (const Impl::UserPattern& pattern : impl_->patterns)
      out = impl_->apply_pattern(pattern, out);
    return out;
  };
  std::string current = pass(text);
  if (current == text)
    return current;  // the common case: nothing to redact, one pass
  // A marker changes what its neighbours look like ("a@b.example-AKIA..." holds no address until
  // the key is gone), so passes repeat until nothing changes: that is what makes redact()
  // idempotent. Each changing pass turns plain text into markers, so this ends; the cap only
  // guards against a mistake in that reasoning.
  for (int passes = 1; passes < kMaxPasses; ++passes) {
    std::string next = pass(current);
    if (next == current)
      break;
    current = std::move(next);
  }
  return current;
}

Labels Redactor::redact(const Labels& labels) const {
  Labels out;
  for (const auto& [name, value] : labels) {
    std::string redacted = redact(value);
    // The name is the key of a key=value pair the text scanners never see: {password: hunter2}.
    const bool whole_marker = marker_length(redacted, 0) == redacted.size();
    if (!redacted.empty() && !whole_marker && !is_placeholder_value(value)) {
      if (impl_->enabled[kBearerToken] && (name == "authorization" || name == "Authorization")) {
        redacted = marker(kBuiltinNames[kBearerToken]);
      } else if (impl_->enabled[kApiKey] && names_a_secret(name)) {
        redacted = marker(kBuiltinNames[kApiKey]);
      }
    }
    out.insert_or_assign(redact(name), std::move(redacted));
  }
  return out;
}

std::vector<std::string> Redactor::detector_names() const {
  std::vector<std::string> names;
  for (int i = 0; i < kBuiltinCount; ++i) {
    if (impl_->enabled[static_cast<std::size_t>(i)])
      names.emplace_back(kBuiltinNames[static_cast<std::size_t>(i)]);
  }
  for (const Impl::UserPattern& pattern : impl_->patterns)
    names.push_back(pattern.name);
  return names;
}

}  // namespace sloe::incident

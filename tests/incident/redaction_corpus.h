// The redaction corpus (redaction_corpus.txt): realistic text with one secret each, and text that
// must pass through unchanged. Shared by the redactor's unit test and end-to-end tests that feed
// the same text through the API and then search the database and logs for the secrets.
//
// File format, one case per line (blank lines and lines starting with '#' are skipped):
//   <detector>\t<text containing a secret>\t<the secret substring>
//   none\t<text that must stay unchanged>
// In text and secret, "\n", "\t" and "\\" stand for a newline, a tab and a backslash, so a PEM
// block fits on one line.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sloe::incident::testing {

struct Case {
  std::string detector;  // a built-in detector name, or "none" for a negative
  std::string text;
  std::string secret;  // empty for negatives
  int line = 0;        // in the corpus file, for failure messages

  bool negative() const { return detector == "none"; }
};

inline std::string unescape_corpus_field(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    const char next = field[++i];
    out.push_back(next == 'n' ? '\n' : next == 't' ? '\t' : next);
  }
  return out;
}

// Throws std::runtime_error naming the file and line on a malformed corpus: a test fixture that
// cannot be read is a bug in the test, not an expected failure.
inline std::vector<Case> load_corpus(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open redaction corpus " + path);
  std::vector<Case> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty() || line.front() == '#')
      continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t tab = line.find('\t'); tab != std::string::npos;
         tab = line.find('\t', start)) {
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    Case c;
    c.line = number;
    c.detector = fields[0];
    const bool negative = c.detector == "none";
    if (fields.size() != (negative ? 2u : 3u) || fields[1].empty() ||
        (!negative && fields[2].empty())) {
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected <detector>\\t<text>\\t<secret> or none\\t<text>");
    }
    c.text = unescape_corpus_field(fields[1]);
    if (!negative)
      c.secret = unescape_corpus_field(fields[2]);
    if (!negative && c.text.find(c.secret) == std::string::npos)
      throw std::runtime_error(path + ":" + std::to_string(number) + ": secret not in text");
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace sloe::incident::testing

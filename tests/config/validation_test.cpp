// Every mistake a person can make in a file is reported at the node that holds it, with a
// message that says what to write instead.
#include <gtest/gtest.h>

#include "sloe/config/loader.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using testing::HasError;
using testing::load_one;

struct Position {
  int line = 0;
  int column = 0;
};

// 1-based line and column of text[index].
Position position_at(std::string_view text, std::size_t index) {
  Position p{1, 1};
  for (std::size_t i = 0; i < index && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// Index of the nth occurrence of needle in text, so expectations name the text they point at
// instead of counting columns by hand.
std::size_t index_of(std::string_view text, std::string_view needle, int occurrence = 1) {
  std::size_t at = std::string_view::npos;
  for (std::size_t from = 0; occurrence > 0; --occurrence, from = at + 1) {
    at = text.find(needle, from);
    if (at == std::string_view::npos) {
      ADD_FAILURE() << "'" << needle << "' not in the test text";
      return 0;
    }
  }
  return at;
}

Position position_of(std::string_view text, std::string_view needle, int occurrence = 1) {
  return position_at(text, index_of(text, needle, occurrence));
}

// Points just after `prefix`: for values that also occur elsewhere in the text.
::testing::AssertionResult HasErrorAfter(const LoadResult& result, std::string_view text,
                                         std::string_view prefix, std::string_view fragment) {
  const Position p = position_at(text, index_of(text, prefix) + prefix.size());
  return HasError(result, p.line, p.column, fragment);
}

::testing::AssertionResult HasErrorAt(const LoadResult& result, std::string_view text,
                                      std::string_view needle, std::string_view fragment,
                                      int occurrence = 1) {
  const Position p = position_of(text, needle, occurrence);
  return HasError(result, p.line, p.column, fragment);
}

std::size_t count_errors(const LoadResult& result) {
  std::size_t n = 0;
  for (const Diagnostic& d : result.diagnostics)
    n += d.severity == Diagnostic::Severity::kError;
  return n;
}

// A valid probe to reference from SLO snippets.
constexpr const char* kProbeP = "probes:\n  - name: p\n    tcp: { address: \"h:1\" }\n";

TEST(Validation, UnknownKeySuggestsTheClosestKnownKey) {
  const std::string text = std::string(kProbeP) + R"(slos:
  - name: s
    service: x
    objectve: 99.9
    sli: { availability: { probe: p } }
)";
  const LoadResult result = load_one(text);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(
      HasError(result, 7, 5, "unknown key 'objectve' in SLO 's'; did you mean 'objective'?"));
  EXPECT_TRUE(HasError(result, 5, 5, "SLO 's' is missing required key 'objective'"));
  EXPECT_EQ(count_errors(result), 2u) << testing::all_diagnostics(result);
}

TEST(Validation, UnknownKeyWithoutACloseMatchListsTheKnownKeys) {
  const std::string text = "probe:\n  - name: x\nbanana: 1\n";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(
      HasError(result, 1, 1, "unknown key 'probe' in the top level; did you mean 'probes'?"));
  EXPECT_TRUE(HasError(result, 3, 1,
                       "unknown key 'banana' in the top level (expected one of: "
                       "probes, slos)"));
}

TEST(Validation, WrongTypesSayWhatWasExpected) {
  const std::string text = R"(probes:
  - name: p
    interval: abc
    timeout: 30
    http:
      url: http://h/
      follow_redirects: yes
      body_must_match: "one"
slos:
  - name: s
    service: x
    objective: [1]
    sli: { availability: { probe: p } }
    labels: [a]
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "abc", "interval: expected a duration like 30s, got 'abc'"));
  EXPECT_TRUE(HasErrorAt(result, text, "30",
                         "timeout: expected a duration like 30s, got '30': "
                         "missing unit"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "yes", "follow_redirects: expected true or false, got 'yes'"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"one\"", "body_must_match: expected a list, got 'one'"));
  EXPECT_TRUE(HasErrorAt(result, text, "[1]", "objective: expected a number, got a list"));
  EXPECT_TRUE(HasErrorAt(result, text, "[a]", "labels of SLO 's': expected a mapping"));
  EXPECT_EQ(count_errors(result), 6u) << testing::all_diagnostics(result);
}

TEST(Validation, MissingRequiredKeysAreReportedAtTheDefinition) {
  const std::string text = R"(probes:
  - interval: 5s
slos:
  - name: s
    objective: 99
  - name: t
    service: x
    sli: { availability: { probe: nowhere } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasError(result, 2, 5, "probe is missing required key 'name'"));
  EXPECT_TRUE(HasError(result, 2, 5, "probe has no kind; add one of 'http', 'tcp' or 'dns'"));
  EXPECT_TRUE(HasError(result, 4, 5, "SLO 's' is missing required key 'service'"));
  EXPECT_TRUE(HasError(result, 4, 5, "SLO 's' is missing required key 'sli'"));
  EXPECT_TRUE(HasError(result, 6, 5, "SLO 't' is missing required key 'objective'"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "nowhere", "unknown probe 'nowhere' (no probes are defined)"));
  EXPECT_EQ(count_errors(result), 6u) << testing::all_diagnostics(result);
}

TEST(Validation, EmptyValuesOfRequiredKeysAreReportedAtTheKey) {
  const std::string text = "probes:\n  - name:\n    http:\n";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasError(result, 2, 5, "'name' in probe has no value"));
  EXPECT_TRUE(HasError(result, 3, 5, "'http' in probe has no value"));
}

TEST(Validation, AProbeHasExactlyOneKind) {
  const std::string text = R"(probes:
  - name: p
    tcp: { address: "h:1" }
    dns: { query_name: example.org }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(
      HasError(result, 4, 5, "probe 'p' has both 'tcp' and 'dns'; a probe has exactly one kind"));
  EXPECT_EQ(count_errors(result), 1u) << testing::all_diagnostics(result);
}

TEST(Validation, AnSliHasExactlyOneKind) {
  const std::string text = std::string(kProbeP) + R"(slos:
  - name: s
    service: x
    objective: 99
    sli:
      availability: { probe: p }
      latency: { probe: p, threshold: 1s }
  - name: t
    service: x
    objective: 99
    sli: {}
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "latency", "has both 'availability' and 'latency'"));
  EXPECT_TRUE(HasErrorAt(result, text, "{}", "sli of SLO 't' has no kind"));
}

TEST(Validation, DuplicateProbeNamesPointAtTheFirstDefinition) {
  const std::string first = "probes:\n  - name: x\n    tcp: { address: \"h:1\" }\n";
  const std::string second =
      "probes:\n  - name: y\n    tcp: { address: \"h:1\" }\n  - name: x\n    tcp: { address: "
      "\"h:2\" }\n";
  const LoadResult result =
      load_config_from_strings({{"slo/a.yaml", first}, {"slo/b.yaml", second}});
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << testing::all_diagnostics(result);
  const Diagnostic& d = result.diagnostics[0];
  EXPECT_EQ(d.location.file, "slo/b.yaml");
  EXPECT_EQ(d.location.line, 4);
  EXPECT_EQ(d.location.column, 11);
  EXPECT_EQ(d.message, "duplicate probe name 'x' (first defined at slo/a.yaml:2:11)");
}

TEST(Validation, DuplicateSloNamesPointAtTheFirstDefinition) {
  const std::string text = std::string(kProbeP) + R"(slos:
  - { name: s, service: x, objective: 99, sli: { availability: { probe: p } } }
  - { name: s, service: y, objective: 99, sli: { availability: { probe: p } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasError(result, 6, 13, "duplicate SLO name 's' (first defined at slo/a.yaml:5:13)"));
  EXPECT_EQ(count_errors(result), 1u) << testing::all_diagnostics(result);
}

TEST(Validation, UnknownProbeReferenceSuggestsADefinedProbe) {
  const std::string text = R"(probes:
  - name: checkout
    tcp: { address: "h:1" }
slos:
  - name: s
    service: x
    objective: 99
    sli: { availability: { probe: chekout } }
  - name: t
    service: x
    objective: 99
    sli: { availability: { probe: zzzzzzzzzz } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(
      HasErrorAt(result, text, "chekout", "unknown probe 'chekout'; did you mean 'checkout'?"));
  EXPECT_TRUE(HasErrorAt(result, text, "zzzzzzzzzz", "unknown probe 'zzzzzzzzzz' (define it"));
}

TEST(Validation, LatencyThresholdMustBePositiveAndBelowTheProbeTimeout) {
  const std::string text = R"(probes:
  - name: p
    interval: 5s
    timeout: 2s
    tcp: { address: "h:1" }
slos:
  - { name: a, service: x, objective: 99, sli: { latency: { probe: p, threshold: 2s } } }
  - { name: b, service: x, objective: 99, sli: { latency: { probe: p, threshold: 0s } } }
  - { name: c, service: x, objective: 99, sli: { latency: { probe: p } } }
  - { name: d, service: x, objective: 99, sli: { latency: { probe: p, threshold: 1999ms } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "2s }",
                         "latency threshold 2s must be below the timeout of probe 'p' (2s)"));
  EXPECT_TRUE(HasErrorAt(result, text, "0s", "threshold must be greater than 0"));
  EXPECT_TRUE(HasErrorAt(result, text, "{ probe: p } }",
                         "latency SLI of SLO 'c' is missing required key 'threshold'"));
  EXPECT_EQ(count_errors(result), 3u) << testing::all_diagnostics(result);
}

TEST(Validation, IntervalAndTimeoutLimits) {
  const std::string text = R"(probes:
  - name: a
    interval: 50ms
    tcp: { address: "h:1" }
  - name: b
    interval: 10s
    timeout: 20s
    tcp: { address: "h:1" }
  - name: c
    timeout: 0s
    tcp: { address: "h:1" }
  - name: d
    interval: 100ms
    tcp: { address: "h:1" }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "50ms", "interval 50ms is too short; the minimum is 100ms"));
  EXPECT_TRUE(HasErrorAt(result, text, "20s", "timeout 20s is longer than interval 10s"));
  EXPECT_TRUE(
      HasErrorAfter(result, text, "name: c\n    timeout: ", "timeout must be greater than 0"));
  EXPECT_EQ(count_errors(result), 3u) << testing::all_diagnostics(result);
}

TEST(Validation, InvalidRegularExpressionsAreReportedPerItem) {
  const std::string text = R"(probes:
  - name: p
    http:
      url: http://h/
      body_must_match: ["ok", "(unclosed"]
      body_must_not_match: ["[z-a]"]
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "\"(unclosed\"",
                         "body_must_match[1]: invalid regular expression '(unclosed'"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"[z-a]\"",
                         "body_must_not_match[0]: invalid regular expression '[z-a]'"));
  EXPECT_EQ(count_errors(result), 2u) << testing::all_diagnostics(result);
}

TEST(Validation, StatusCodesMustBeWithin100To599) {
  const std::string text = R"(probes:
  - name: p
    http:
      url: http://h/
      valid_status_codes: [700, "600-700", "abc", "399-300", "6xx", 99]
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "700,",
                         "valid_status_codes[0]: status code 700 is outside 100-599"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"600-700\"", "status code 600 is outside 100-599"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"abc\"",
                         "expected a status code like 200, a range like "
                         "\"200-299\" or a class like \"2xx\", got 'abc'"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"399-300\"", "range '399-300' is reversed"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"6xx\"", "expected a status code"));
  EXPECT_TRUE(HasErrorAt(result, text, "99]", "status code 99 is outside 100-599"));
  EXPECT_EQ(count_errors(result), 6u) << testing::all_diagnostics(result);
}

TEST(Validation, UrlsNeedAnHttpSchemeAndAHost) {
  const std::string text = R"(probes:
  - { name: a, http: { url: "ftp://files.example.com/" } }
  - { name: b, http: { url: "http://" } }
  - { name: c, http: { url: "https://user:hunter2@example.com/" } }
  - { name: d, http: { url: "example.com/health" } }
  - { name: e, http: { url: "http://h:99999/" } }
  - { name: f, http: { url: "http://[::1]:8080/ok" } }
  - { name: g, http: { url: "HTTPS://Example.com:443/path?q=1" } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(
      HasErrorAt(result, text, "\"ftp:", "has scheme 'ftp'; only http and https are supported"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"http://\"", "url 'http://' has no host"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"https://user", "carries credentials"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"example.com/", "must start with http:// or https://"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"http://h:99999", "outside 1-65535"));
  EXPECT_EQ(count_errors(result), 5u) << testing::all_diagnostics(result);
}

TEST(Validation, TcpAddressNeedsHostAndPortInRange) {
  const std::string text = R"(probes:
  - { name: a, tcp: { address: "db.internal" } }
  - { name: b, tcp: { address: "db.internal:70000" } }
  - { name: c, tcp: { address: "db.internal:0" } }
  - { name: d, tcp: { address: ":5432" } }
  - { name: e, tcp: { address: "::1:5432" } }
  - { name: f, tcp: { address: "db.internal:5432", tls: { verify: false } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "\"db.internal\"",
                         "address 'db.internal' has no port; expected host:port"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"db.internal:70000\"", "has port 70000, outside 1-65535"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"db.internal:0\"", "has port 0, outside 1-65535"));
  EXPECT_TRUE(HasErrorAt(result, text, "\":5432\"", "has no host"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"::1:5432\"", "IPv6 address without brackets"));
  EXPECT_EQ(count_errors(result), 5u) << testing::all_diagnostics(result);
  const LoadResult valid =
      load_one("probes:\n  - { name: f, tcp: { address: \"db:5432\", tls: { verify: false } } }\n");
  ASSERT_TRUE(valid.ok()) << testing::all_diagnostics(valid);
  const auto& tcp = std::get<TcpProbeSpec>(valid.config->probes[0].kind);
  EXPECT_TRUE(tcp.tls);  // a mapping of TLS options turns TLS on
  EXPECT_FALSE(tcp.tls_options.verify);
}

TEST(Validation, DnsQueryTypeAndNamesAreChecked) {
  const std::string text = R"(probes:
  - { name: a, dns: { query_name: example.com, query_type: AXFR } }
  - { name: b, dns: { query_name: "bad name.com" } }
  - { name: c, dns: { query_name: example.com, server: "1.1.1.1:99999" } }
  - { name: d, dns: { query_name: example.com, query_type: mx, server: "[::1]:53" } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "AXFR",
                         "query_type: 'AXFR' is not one of A, AAAA, CNAME, MX, "
                         "TXT, NS, SOA, SRV"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"bad name.com\"", "is not a valid domain name"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"1.1.1.1:99999\"", "outside 1-65535"));
  EXPECT_EQ(count_errors(result), 3u) << testing::all_diagnostics(result);
}

TEST(Validation, HttpMethodMustBeKnown) {
  const std::string text =
      "probes:\n  - { name: a, http: { url: \"http://h/\", method: FETCH } }\n";
  EXPECT_TRUE(
      HasErrorAt(load_one(text), text, "FETCH",
                 "method: 'FETCH' is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
}

TEST(Validation, SecretBearingHeadersMustNotBeWrittenIntoTheFile) {
  const std::string text = R"(probes:
  - name: p
    http:
      url: https://h/
      headers:
        Accept: application/json
        Authorization: Bearer abc123
        Proxy-Authorization: Basic eA==
        Cookie: session=1
        X-Api-Key: k
        X-Auth-TOKEN: t
        Client-Secret: s
        X-Request-Source: sloe
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "Bearer",
                         "header 'Authorization' carries a secret: use { env: NAME } or "
                         "{ file: PATH } instead of writing it into the file"));
  EXPECT_TRUE(HasErrorAt(result, text, "Basic", "header 'Proxy-Authorization' carries a secret"));
  EXPECT_TRUE(HasErrorAt(result, text, "session=1", "header 'Cookie' carries a secret"));
  EXPECT_TRUE(HasErrorAfter(result, text, "X-Api-Key: ", "header 'X-Api-Key' carries a secret"));
  EXPECT_TRUE(
      HasErrorAfter(result, text, "X-Auth-TOKEN: ", "header 'X-Auth-TOKEN' carries a secret"));
  EXPECT_TRUE(
      HasErrorAfter(result, text, "Client-Secret: ", "header 'Client-Secret' carries a secret"));
  // Accept and X-Request-Source are not secrets.
  EXPECT_EQ(count_errors(result), 6u) << testing::all_diagnostics(result);
}

TEST(Validation, SecretReferencesNeedExactlyEnvOrFileAndAValidName) {
  const std::string text = R"(probes:
  - name: p
    http:
      url: https://h/
      headers:
        X-Token-A: { env: 1BAD }
        X-Token-B: { env: A, file: b }
        X-Token-C: { enf: A }
        X-Token-D: { file: "" }
      basic_auth: { username: u, password: hunter2 }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(
      HasErrorAt(result, text, "1BAD", "env: '1BAD' is not a valid environment variable name"));
  EXPECT_TRUE(HasErrorAt(result, text, "file: b", "set either 'env' or 'file', not both"));
  EXPECT_TRUE(HasErrorAt(result, text, "enf",
                         "unknown key 'enf' in header 'X-Token-C'; did you mean 'env'?"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"\"", "file: the path is empty"));
  EXPECT_TRUE(HasErrorAt(result, text, "hunter2",
                         "basic_auth password carries a secret: use "
                         "{ env: NAME } or { file: PATH }"));
}

TEST(Validation, HeaderNamesAreUniqueIgnoringCaseAndBasicAuthDoesNotFightAuthorization) {
  const std::string text = R"(probes:
  - name: p
    http:
      url: https://h/
      headers:
        Accept: a
        accept: b
        Authorization: { env: TOKEN }
        "Bad Header": x
      basic_auth: { username: u, password: { env: PW } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "accept:", "header 'accept' is set twice"));
  EXPECT_TRUE(
      HasErrorAt(result, text, "\"Bad Header\"", "'Bad Header' is not a valid header name"));
  EXPECT_TRUE(HasErrorAt(result, text, "basic_auth", "basic_auth and an 'Authorization' header"));
  EXPECT_EQ(count_errors(result), 3u) << testing::all_diagnostics(result);
}

TEST(Validation, TlsKeyFileNeedsACertificateAndTlsOnPlainHttpWarns) {
  const std::string text = R"(probes:
  - { name: a, http: { url: "https://h/", tls: { key_file: k.pem } } }
  - { name: b, http: { url: "http://h/", tls: { verify: false } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "key_file", "key_file needs cert_file"));
  EXPECT_EQ(count_errors(result), 1u) << testing::all_diagnostics(result);
  const Position tls_b = position_of(text, "tls", 2);
  bool warned = false;
  for (const Diagnostic& d : result.diagnostics) {
    warned = warned || (d.severity == Diagnostic::Severity::kWarning &&
                        d.location.line == tls_b.line && d.location.column == tls_b.column &&
                        d.message.find("no effect on an http:// URL") != std::string::npos);
  }
  EXPECT_TRUE(warned) << testing::all_diagnostics(result);
}

TEST(Validation, ObjectiveIsAPercentStrictlyBetween0And100) {
  const std::string text = std::string(kProbeP) + R"(slos:
  - { name: a, service: x, objective: 100, sli: { availability: { probe: p } } }
  - { name: b, service: x, objective: 0, sli: { availability: { probe: p } } }
  - { name: c, service: x, objective: -5, sli: { availability: { probe: p } } }
  - { name: d, service: x, objective: abc, sli: { availability: { probe: p } } }
  - { name: e, service: x, objective: .nan, sli: { availability: { probe: p } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "100,",
                         "objective 100 is not a percent strictly between 0 and 100"));
  EXPECT_TRUE(HasErrorAt(result, text, "0,", "objective 0 is not a percent", 2));
  EXPECT_TRUE(HasErrorAt(result, text, "-5", "objective -5 is not a percent"));
  EXPECT_TRUE(HasErrorAt(result, text, "abc", "objective: expected a number, got 'abc'"));
  EXPECT_TRUE(HasErrorAt(result, text, ".nan", "objective: expected a number"));
  EXPECT_EQ(count_errors(result), 5u) << testing::all_diagnostics(result);
}

TEST(Validation, ObjectiveThatLooksLikeARatioIsAWarningNotAnError) {
  const std::string text = std::string(kProbeP) +
                           "slos:\n  - { name: a, service: x, objective: 0.999, sli: { "
                           "availability: { probe: p } } }\n";
  const LoadResult result = load_one(text);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_NE(result.diagnostics[0].message.find("did you mean 99.9?"), std::string::npos)
      << result.diagnostics[0].message;
  EXPECT_DOUBLE_EQ(result.config->slos[0].objective, 0.00999);
}

TEST(Validation, WindowIsAtLeastOneHour) {
  const std::string text = std::string(kProbeP) +
                           "slos:\n  - { name: a, service: x, objective: 99, window: 30m, sli: { "
                           "availability: { probe: p } } }\n";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "30m", "window 30m is too short; the minimum is 1h"));
}

TEST(Validation, LabelsMustBeValidAndNotReserved) {
  const std::string text = std::string(kProbeP) + R"(slos:
  - name: a
    service: x
    objective: 99
    sli: { availability: { probe: p } }
    labels:
      team: payments
      bad-name: x
      service: y
      __meta: z
      empty:
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "bad-name",
                         "label name 'bad-name' is not a valid Prometheus label name"));
  EXPECT_TRUE(HasErrorAt(result, text, "service: y", "label name 'service' is reserved"));
  EXPECT_TRUE(HasErrorAt(result, text, "__meta", "starts with '__'"));
  EXPECT_TRUE(HasErrorAt(result, text, "empty", "label 'empty' has no value"));
  EXPECT_EQ(count_errors(result), 4u) << testing::all_diagnostics(result);
}

TEST(Validation, NamesUseASafeCharacterSet) {
  const std::string text = std::string(kProbeP) + R"(  - name: "bad name"
    tcp: { address: "h:1" }
slos:
  - { name: "a/b", service: x, objective: 99, sli: { availability: { probe: p } } }
)";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasErrorAt(result, text, "\"bad name\"",
                         "probe name 'bad name' may only contain letters, "
                         "digits, '_', '.' and '-'"));
  EXPECT_TRUE(HasErrorAt(result, text, "\"a/b\"", "SLO name 'a/b' may only contain"));
}

TEST(Validation, RepeatedKeysInOneMappingAreErrors) {
  const std::string text = "probes:\n  - name: a\n    name: b\n    tcp: { address: \"h:1\" }\n";
  const LoadResult result = load_one(text);
  EXPECT_TRUE(HasError(result, 3, 5, "duplicate key 'name' in probe (first at line 2)"));
}

TEST(Validation, YamlSyntaxErrorsCarryTheirPosition) {
  const std::string text = "probes:\n  - name: [p\n    tcp: x\n";
  const LoadResult result = load_one(text);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << testing::all_diagnostics(result);
  EXPECT_NE(result.diagnostics[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GE(result.diagnostics[0].location.line, 2);
  EXPECT_GE(result.diagnostics[0].location.column, 1);
}

TEST(Validation, YamlSyntaxErrorAtAKnownPosition) {
  // A second ':' on one line: the scanner stops at it.
  const std::string text = "probes:\n  - name: p\n    url: a: b\n";
  const LoadResult result = load_one(text);
  ASSERT_EQ(result.diagnostics.size(), 1u) << testing::all_diagnostics(result);
  EXPECT_TRUE(HasError(result, 3, 11, "YAML syntax error: illegal map value"));
}

// yaml-cpp 0.7 loops forever on a token that cannot start a node; the loader must not.
TEST(Validation, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_TRUE(HasError(load_one(",\n"), 1, 1, "YAML syntax error: unexpected ','"));
  EXPECT_TRUE(
      HasError(load_one("probes: []\n---\n[a],\n"), 3, 4, "YAML syntax error: unexpected ','"));
  EXPECT_TRUE(HasError(load_one("- a\n,\n"), 2, 1, "YAML syntax error: unexpected ','"));
}

TEST(Validation, DocumentsMustBeMappings) {
  const std::string list = "- probes\n- slos\n";
  EXPECT_TRUE(
      HasError(load_one(list), 1, 1,
               "expected a mapping with 'probes' and/or 'slos' at the top level, got a list"));
  const std::string scalar = "probes: []\n---\nhello\n";
  EXPECT_TRUE(HasError(load_one(scalar), 3, 1, "got 'hello'"));
  const std::string wrong_list = "probes: { name: p }\n";
  EXPECT_TRUE(HasError(load_one(wrong_list), 1, 9, "probes: expected a list, got a mapping"));
  const std::string scalar_item = "probes:\n  - p\n";
  EXPECT_TRUE(HasError(load_one(scalar_item), 2, 5, "probe: expected a mapping"));
}

TEST(Validation, EveryErrorInAFileIsReportedInLineOrder) {
  const std::string text = R"(slos:
  - name: s
    service: x
    objective: 150
    window: 5m
    sli: { availability: { probe: nope } }
    colour: blue
probes:
  - name: p
    interval: soon
    tcp: { address: "nohost" }
)";
  const LoadResult result = load_one(text);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 6u) << testing::all_diagnostics(result);
  const int expected_lines[] = {4, 5, 6, 7, 10, 11};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(result.diagnostics[i].location.line, expected_lines[i])
        << testing::all_diagnostics(result);
  }
}

TEST(Validation, DiagnosticsAreOrderedByFileThenLine) {
  // The duplicate is found while checking across files, after b.yaml's own error was found.
  const LoadResult result = load_config_from_strings(
      {{"slo/a.yaml",
        "probes:\n  - name: x\n    tcp: { address: \"h:1\" }\n  - name: y\n    "
        "interval: bad\n    tcp: { address: \"h:1\" }\n"},
       {"slo/b.yaml", "probes:\n  - name: x\n    tcp: { address: \"h\" }\n"}});
  ASSERT_EQ(result.diagnostics.size(), 3u) << testing::all_diagnostics(result);
  EXPECT_EQ(result.diagnostics[0].location.file, "slo/a.yaml");
  EXPECT_EQ(result.diagnostics[1].location.file, "slo/b.yaml");
  EXPECT_EQ(result.diagnostics[1].location.line, 2);
  EXPECT_EQ(result.diagnostics[2].location.line, 3);
}

}  // namespace
}  // namespace sloe::config

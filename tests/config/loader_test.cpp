// What a valid configuration turns into, and where it is read from.
#include "sloe/config/loader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace sloe::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HasError;
using testing::load_one;
using testing::TempDir;

constexpr const char* kFullExample = R"(probes:
  - name: checkout-http
    interval: 30s
    timeout: 10s
    http:
      url: https://shop.example.com/health
      method: post
      headers:
        Accept: application/json
        X-Api-Key: { env: CHECKOUT_TOKEN }
        X-Session-Token: { file: secrets/token }
      body: '{"probe": true}'
      basic_auth: { username: probe, password: { env: PROBE_PASSWORD } }
      valid_status_codes: [200, 204, "300-399", "2xx"]
      body_must_match: ["\"status\":\\s*\"ok\""]
      body_must_not_match: ["maintenance"]
      follow_redirects: false
      tls: { verify: false, ca_file: ca.pem, cert_file: client.pem, key_file: client.key, server_name: shop.internal }
  - name: db-tcp
    interval: 5s
    tcp: { address: "db.internal:5432", tls: true }
  - name: example-dns
    dns: { query_name: example.com, query_type: aaaa, server: "127.0.0.1:53", require_answers: false }
slos:
  - name: checkout-availability
    service: checkout
    description: Checkout answers health checks.
    objective: 99.9
    window: 30d
    sli:
      availability: { probe: checkout-http }
    labels: { team: payments, tier: "1" }
    runbook_url: https://runbooks.example.com/checkout
  - name: checkout-latency
    service: checkout
    objective: 95
    window: 7d
    sli:
      latency: { probe: checkout-http, threshold: 300ms }
)";

TEST(LoadConfig, FullExampleParsesToTheExpectedStructs) {
  const LoadResult result = load_one(kFullExample);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  const Config& config = *result.config;
  EXPECT_EQ(config.directory, "");
  ASSERT_EQ(config.probes.size(), 3u);
  ASSERT_EQ(config.probe_locations.size(), 3u);

  const ProbeSpec& checkout = config.probes[0];
  EXPECT_EQ(checkout.name, "checkout-http");
  EXPECT_EQ(checkout.interval, seconds(30));
  EXPECT_EQ(checkout.timeout, seconds(10));
  ASSERT_TRUE(std::holds_alternative<HttpProbeSpec>(checkout.kind));
  const auto& http = std::get<HttpProbeSpec>(checkout.kind);
  EXPECT_EQ(http.url, "https://shop.example.com/health");
  EXPECT_EQ(http.method, "POST");
  ASSERT_EQ(http.headers.size(), 3u);
  EXPECT_EQ(http.headers[0].name, "Accept");
  EXPECT_EQ(http.headers[0].value.literal, "application/json");
  EXPECT_FALSE(http.headers[0].value.secret);
  EXPECT_EQ(http.headers[1].name, "X-Api-Key");
  EXPECT_FALSE(http.headers[1].value.literal);
  ASSERT_TRUE(http.headers[1].value.secret);
  EXPECT_EQ(http.headers[1].value.secret->kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(http.headers[1].value.secret->name, "CHECKOUT_TOKEN");
  ASSERT_TRUE(http.headers[2].value.secret);
  EXPECT_EQ(http.headers[2].value.secret->kind, SecretRef::Kind::kFile);
  EXPECT_EQ(http.headers[2].value.secret->name, "secrets/token");
  EXPECT_EQ(http.body, R"({"probe": true})");
  ASSERT_TRUE(http.basic_auth);
  EXPECT_EQ(http.basic_auth->username, "probe");
  EXPECT_EQ(http.basic_auth->password.kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(http.basic_auth->password.name, "PROBE_PASSWORD");
  ASSERT_EQ(http.valid_status.size(), 4u);
  EXPECT_EQ(http.valid_status[0].low, 200);
  EXPECT_EQ(http.valid_status[0].high, 200);
  EXPECT_EQ(http.valid_status[1].low, 204);
  EXPECT_EQ(http.valid_status[1].high, 204);
  EXPECT_EQ(http.valid_status[2].low, 300);
  EXPECT_EQ(http.valid_status[2].high, 399);
  EXPECT_EQ(http.valid_status[3].low, 200);
  EXPECT_EQ(http.valid_status[3].high, 299);
  ASSERT_EQ(http.body_must_match.size(), 1u);
  EXPECT_EQ(http.body_must_match[0], R"("status":\s*"ok")");
  EXPECT_EQ(http.body_must_not_match, std::vector<std::string>{"maintenance"});
  EXPECT_FALSE(http.follow_redirects);
  EXPECT_FALSE(http.tls.verify);
  EXPECT_EQ(http.tls.ca_file, "ca.pem");  // in-memory loads keep relative paths as written
  EXPECT_EQ(http.tls.cert_file, "client.pem");
  EXPECT_EQ(http.tls.key_file, "client.key");
  EXPECT_EQ(http.tls.server_name, "shop.internal");
  EXPECT_EQ(checkout.target(), "https://shop.example.com/health");
  EXPECT_EQ(config.probe_locations[0].file, "slo/a.yaml");
  EXPECT_EQ(config.probe_locations[0].line, 2);
  EXPECT_EQ(config.probe_locations[0].column, 5);

  const ProbeSpec& db = config.probes[1];
  EXPECT_EQ(db.name, "db-tcp");
  EXPECT_EQ(db.interval, seconds(5));
  EXPECT_EQ(db.timeout, seconds(5));  // default: min(10s, interval)
  ASSERT_TRUE(std::holds_alternative<TcpProbeSpec>(db.kind));
  const auto& tcp = std::get<TcpProbeSpec>(db.kind);
  EXPECT_EQ(tcp.host, "db.internal");
  EXPECT_EQ(tcp.port, 5432);
  EXPECT_TRUE(tcp.tls);
  EXPECT_TRUE(tcp.tls_options.verify);
  EXPECT_EQ(db.target(), "db.internal:5432");
  EXPECT_EQ(config.probe_locations[1].line, 19);

  const ProbeSpec& dns_probe = config.probes[2];
  EXPECT_EQ(dns_probe.interval, seconds(30));
  EXPECT_EQ(dns_probe.timeout, seconds(10));
  ASSERT_TRUE(std::holds_alternative<DnsProbeSpec>(dns_probe.kind));
  const auto& dns = std::get<DnsProbeSpec>(dns_probe.kind);
  EXPECT_EQ(dns.query_name, "example.com");
  EXPECT_EQ(dns.query_type, "AAAA");
  EXPECT_EQ(dns.server, "127.0.0.1:53");
  EXPECT_FALSE(dns.require_answers);
  EXPECT_TRUE(dns.valid_rcode_noerror_only);
  EXPECT_EQ(dns_probe.target(), "example.com");

  ASSERT_EQ(config.slos.size(), 2u);
  ASSERT_EQ(config.slo_locations.size(), 2u);
  const SloSpec& availability = config.slos[0];
  EXPECT_EQ(availability.name, "checkout-availability");
  EXPECT_EQ(availability.service, "checkout");
  EXPECT_EQ(availability.description, "Checkout answers health checks.");
  // Exactly the double nearest 0.999, not 99.9 / 100 (one step above): see percent_to_ratio.
  EXPECT_EQ(availability.objective, 0.999);
  EXPECT_EQ(availability.window, hours(24 * 30));
  EXPECT_EQ(availability.sli.kind, SliKind::kAvailability);
  EXPECT_EQ(availability.sli.probe, "checkout-http");
  EXPECT_EQ(availability.labels, (Labels{{"team", "payments"}, {"tier", "1"}}));
  EXPECT_EQ(availability.runbook_url, "https://runbooks.example.com/checkout");
  EXPECT_EQ(config.slo_locations[0].line, 25);
  EXPECT_EQ(config.slo_locations[0].column, 5);

  const SloSpec& latency = config.slos[1];
  EXPECT_DOUBLE_EQ(latency.objective, 0.95);
  EXPECT_EQ(latency.window, hours(24 * 7));
  EXPECT_EQ(latency.sli.kind, SliKind::kLatency);
  EXPECT_EQ(latency.sli.probe, "checkout-http");
  EXPECT_EQ(latency.sli.latency_threshold, milliseconds(300));
  EXPECT_TRUE(latency.labels.empty());
  EXPECT_EQ(latency.runbook_url, "");
}

TEST(LoadConfig, DefaultsApplyWhenKeysAreLeftOut) {
  const LoadResult result = load_one(R"(probes:
  - name: p
    http: { url: "http://localhost/" }
  - name: fast
    interval: 2s
    dns: { query_name: example.org }
slos:
  - name: s
    service: svc
    objective: 99
    sli: { availability: { probe: p } }
)");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const ProbeSpec& probe = result.config->probes[0];
  EXPECT_EQ(probe.interval, seconds(30));
  EXPECT_EQ(probe.timeout, seconds(10));
  const auto& http = std::get<HttpProbeSpec>(probe.kind);
  EXPECT_EQ(http.method, "GET");
  EXPECT_TRUE(http.valid_status.empty());
  EXPECT_TRUE(http.follow_redirects);
  EXPECT_TRUE(http.tls.verify);
  EXPECT_TRUE(http.headers.empty());
  EXPECT_FALSE(http.basic_auth);

  const ProbeSpec& fast = result.config->probes[1];
  EXPECT_EQ(fast.timeout, seconds(2));
  const auto& dns = std::get<DnsProbeSpec>(fast.kind);
  EXPECT_EQ(dns.query_type, "A");
  EXPECT_EQ(dns.server, "");
  EXPECT_TRUE(dns.require_answers);
  EXPECT_TRUE(dns.valid_rcode_noerror_only);

  const SloSpec& slo = result.config->slos[0];
  EXPECT_EQ(slo.window, hours(24 * 30));
  EXPECT_EQ(slo.description, "");
}

TEST(LoadConfig, EmptyFilesAndCommentOnlyFilesAreValid) {
  const LoadResult result = load_config_from_strings({{"slo/empty.yaml", ""},
                                                      {"slo/comments.yaml", "# nothing here yet\n"},
                                                      {"slo/n.yaml", "---\n"}});
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_TRUE(result.config->probes.empty());
  EXPECT_TRUE(result.config->slos.empty());
}

TEST(LoadConfig, ReadsEveryDocumentOfAMultiDocumentFile) {
  const LoadResult result = load_one(R"(probes:
  - name: a
    tcp: { address: "localhost:1" }
---
probes:
  - name: b
    tcp: { address: "localhost:2" }
---
slos:
  - { name: s, service: x, objective: 99, sli: { availability: { probe: b } } }
)");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  ASSERT_EQ(result.config->probes.size(), 2u);
  EXPECT_EQ(result.config->probes[1].name, "b");
  EXPECT_EQ(result.config->probe_locations[1].line, 6);
  ASSERT_EQ(result.config->slos.size(), 1u);
  EXPECT_EQ(result.config->slo_locations[0].line, 10);
}

TEST(LoadConfig, ReferencesResolveAcrossFiles) {
  const LoadResult result = load_config_from_strings(
      {{"slo/probes.yaml", "probes:\n  - name: p\n    tcp: { address: \"h:1\" }\n"},
       {"slo/slos.yaml",
        "slos:\n  - { name: s, service: x, objective: 99, sli: { availability: { probe: p } } "
        "}\n"}});
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_EQ(result.config->probe_locations[0].file, "slo/probes.yaml");
  EXPECT_EQ(result.config->slo_locations[0].file, "slo/slos.yaml");
}

TEST(ProbeTarget, BracketsIpv6HostsSoThePortStaysUnambiguous) {
  const LoadResult result =
      load_one("probes:\n  - name: v6\n    tcp: { address: \"[::1]:5432\" }\n");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const auto& tcp = std::get<TcpProbeSpec>(result.config->probes[0].kind);
  EXPECT_EQ(tcp.host, "::1");
  EXPECT_EQ(result.config->probes[0].target(), "[::1]:5432");
}

TEST(Diagnostic, FormatsLikeACompiler) {
  Diagnostic error{Diagnostic::Severity::kError, {"slo/a.yaml", 3, 5}, "bad thing"};
  EXPECT_EQ(error.to_string(), "slo/a.yaml:3:5: error: bad thing");
  Diagnostic warning{Diagnostic::Severity::kWarning, {"slo/a.yaml", 1, 2}, "odd thing"};
  EXPECT_EQ(warning.to_string(), "slo/a.yaml:1:2: warning: odd thing");
  Diagnostic whole_file{Diagnostic::Severity::kError, {"slo/b.yaml", 0, 0}, "unreadable"};
  EXPECT_EQ(whole_file.to_string(), "slo/b.yaml: error: unreadable");
}

TEST(LoadConfigFromDirectory, ReadsYamlFilesRecursivelyInPathOrder) {
  TempDir dir;
  dir.write("slo/b.yml", "probes:\n  - name: from-b\n    tcp: { address: \"h:2\" }\n");
  dir.write("slo/a.yaml", "probes:\n  - name: from-a\n    tcp: { address: \"h:1\" }\n");
  dir.write("slo/team/c.yaml",
            "slos:\n  - { name: s, service: x, objective: 99, sli: { availability: { probe: "
            "from-a } } }\n");
  // Not configuration: other extensions, hidden files and hidden folders.
  dir.write("slo/notes.txt", "this: is not yaml: [");
  dir.write("slo/.draft.yaml", "this: is not valid: [");
  dir.write("slo/..data/c.yaml", "probes:\n  - name: from-a\n    tcp: { address: \"h:1\" }\n");

  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_EQ(result.config->directory, dir.path().string());
  ASSERT_EQ(result.config->probes.size(), 2u);
  EXPECT_EQ(result.config->probes[0].name, "from-a");
  EXPECT_EQ(result.config->probes[1].name, "from-b");
  EXPECT_EQ(result.config->probe_locations[0].file, (dir.path() / "slo/a.yaml").string());
  ASSERT_EQ(result.config->slos.size(), 1u);
  EXPECT_EQ(result.config->slo_locations[0].file, (dir.path() / "slo/team/c.yaml").string());
}

TEST(LoadConfigFromDirectory, ReportsDiagnosticsWithThePathOfTheFile) {
  TempDir dir;
  dir.write("slo/bad.yaml",
            "probes:\n  - name: p\n    interval: abc\n    tcp: { address: \"h:1\" }\n");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << testing::all_diagnostics(result);
  EXPECT_EQ(result.diagnostics[0].location.file, (dir.path() / "slo/bad.yaml").string());
  EXPECT_TRUE(HasError(result, 3, 15, "expected a duration like 30s, got 'abc'"));
}

TEST(LoadConfigFromDirectory, JoinsRelativeTlsPathsToTheConfigDirectory) {
  TempDir dir;
  dir.write("slo/a.yaml", R"(probes:
  - name: p
    http:
      url: https://h/
      tls: { ca_file: certs/ca.pem, cert_file: /etc/abs.pem }
)");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const auto& tls = std::get<HttpProbeSpec>(result.config->probes[0].kind).tls;
  EXPECT_EQ(tls.ca_file, (dir.path() / "certs/ca.pem").string());
  EXPECT_EQ(tls.cert_file, "/etc/abs.pem");
}

TEST(LoadConfigFromDirectory, EmptySloFolderIsAValidEmptyConfiguration) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "slo");
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.config->probes.empty());
  EXPECT_TRUE(result.config->slos.empty());
}

TEST(LoadConfigFromDirectory, MissingSloFolderIsAnError) {
  TempDir dir;
  const LoadResult result = load_config(dir.path().string());
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].location.file, (dir.path() / "slo").string());
  EXPECT_NE(result.diagnostics[0].message.find("no slo/ folder"), std::string::npos);
}

// The configuration shipped in the repository is the first thing a newcomer runs.
TEST(ShippedConfiguration, LoadsWithoutASingleDiagnostic) {
  const LoadResult result = load_config(SLOE_SOURCE_DIR);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::all_diagnostics(result);
  const Config& config = *result.config;

  ASSERT_EQ(config.probes.size(), 3u);
  const char* const names[] = {"demo-healthy", "demo-checkout", "demo-slow"};
  const char* const urls[] = {"http://127.0.0.1:9466/healthy", "http://127.0.0.1:9466/checkout",
                              "http://127.0.0.1:9466/slow"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(config.probes[i].name, names[i]);
    EXPECT_EQ(config.probes[i].interval, seconds(1));
    EXPECT_EQ(config.probes[i].target(), urls[i]);
  }

  ASSERT_EQ(config.slos.size(), 3u);
  const SloSpec& frontend = config.slos[0];
  EXPECT_EQ(frontend.name, "demo-frontend-availability");
  EXPECT_EQ(frontend.service, "frontend");
  EXPECT_DOUBLE_EQ(frontend.objective, 0.999);
  EXPECT_EQ(frontend.window, hours(24 * 30));
  EXPECT_EQ(frontend.sli.probe, "demo-healthy");

  const SloSpec& checkout = config.slos[1];
  EXPECT_EQ(checkout.name, "demo-checkout-availability");
  EXPECT_EQ(checkout.service, "checkout");
  EXPECT_DOUBLE_EQ(checkout.objective, 0.995);
  EXPECT_EQ(checkout.sli.probe, "demo-checkout");
  EXPECT_EQ(checkout.labels, (Labels{{"team", "payments"}}));
  EXPECT_EQ(checkout.runbook_url, "runbooks/error-budget-fast-burn.md");
  EXPECT_TRUE(
      std::filesystem::exists(std::filesystem::path(SLOE_SOURCE_DIR) / checkout.runbook_url));

  const SloSpec& search = config.slos[2];
  EXPECT_EQ(search.name, "demo-search-latency");
  EXPECT_EQ(search.service, "search");
  EXPECT_DOUBLE_EQ(search.objective, 0.95);
  EXPECT_EQ(search.window, hours(24 * 7));
  EXPECT_EQ(search.sli.kind, SliKind::kLatency);
  EXPECT_EQ(search.sli.probe, "demo-slow");
  EXPECT_EQ(search.sli.latency_threshold, milliseconds(250));
}

}  // namespace
}  // namespace sloe::config

// sloe.yaml: the agent's settings (server, incidents, redaction; runbooks and postmortem in
// runbook_config_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sloe/config/loader.h"
#include "sloe/incident/redact.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using testing::TempDir;

LoadResult load_settings(const std::string& text) {
  return load_config_from_strings({{"sloe.yaml", text}});
}

std::vector<std::string> messages(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics)
    out.push_back(d.to_string());
  return out;
}

TEST(Settings, DefaultsWhenTheFileIsAbsent) {
  const LoadResult result = load_config_from_strings({});
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const Settings& settings = result.config->settings;
  EXPECT_FALSE(settings.server.tls.has_value());
  EXPECT_EQ(settings.server.tokens_file, "");
  EXPECT_EQ(settings.server.max_body_bytes, 1024u * 1024u);
  EXPECT_FALSE(settings.server.webhook.token.has_value());
  EXPECT_FALSE(settings.server.webhook.hmac_secret.has_value());
  ASSERT_EQ(settings.incidents.policies.size(), 1u);
  const IncidentPolicySettings& policy = settings.incidents.policies[0];
  EXPECT_EQ(policy.name, "page");
  EXPECT_EQ(policy.matchers, std::vector<std::string>{R"(severity="page")"});
  EXPECT_EQ(policy.severity, "SEV2");
  EXPECT_EQ(policy.group_by, "service");
  EXPECT_TRUE(settings.redaction.disable.empty());
  EXPECT_TRUE(settings.redaction.patterns.empty());
}

TEST(Settings, EmptyFileAndEmptySectionsKeepTheDefaults) {
  for (const char* text : {"", "# nothing yet\n", "server:\nincidents:\nredaction:\n",
                           "incidents: {}\nserver: {}\n"}) {
    const LoadResult result = load_settings(text);
    ASSERT_TRUE(result.ok()) << text << testing::all_diagnostics(result);
    EXPECT_EQ(result.config->settings.incidents.policies.size(), 1u) << text;
    EXPECT_EQ(result.config->settings.server.max_body_bytes, kDefaultMaxBodyBytes) << text;
  }
}

constexpr const char* kFullSettings = R"(server:
  tls: {cert_file: certs/sloe.crt, key_file: certs/sloe.key}
  tokens_file: tokens.txt
  max_body_bytes: 2097152
  webhook:
    token: {env: SLOE_WEBHOOK_TOKEN}
    hmac_secret: {file: secrets/webhook.key}
incidents:
  policies:
    - name: page
      matchers: ['severity="page"']
      severity: SEV2
      group_by: service
    - name: db-critical
      matchers: ['team="dba", severity=~"critical|page"', 'env!="staging"']
      severity: SEV1
      group_by: cluster
redaction:
  disable: [phone]
  patterns:
    - {name: customer_id, regex: 'CUST-[0-9]{6}'}
)";

TEST(Settings, EverySectionIsRead) {
  const LoadResult result = load_settings(kFullSettings);
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const Settings& settings = result.config->settings;
  ASSERT_TRUE(settings.server.tls.has_value());
  EXPECT_EQ(settings.server.tls->cert_file, "certs/sloe.crt");  // as written without a directory
  EXPECT_EQ(settings.server.tls->key_file, "certs/sloe.key");
  EXPECT_EQ(settings.server.tokens_file, "tokens.txt");
  EXPECT_EQ(settings.server.max_body_bytes, 2097152u);
  ASSERT_TRUE(settings.server.webhook.token.has_value());
  EXPECT_EQ(settings.server.webhook.token->kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(settings.server.webhook.token->name, "SLOE_WEBHOOK_TOKEN");
  ASSERT_TRUE(settings.server.webhook.hmac_secret.has_value());
  EXPECT_EQ(settings.server.webhook.hmac_secret->kind, SecretRef::Kind::kFile);
  EXPECT_EQ(settings.server.webhook.hmac_secret->name, "secrets/webhook.key");
  ASSERT_EQ(settings.incidents.policies.size(), 2u);
  const IncidentPolicySettings& db = settings.incidents.policies[1];
  EXPECT_EQ(db.name, "db-critical");
  EXPECT_EQ(db.matchers, (std::vector<std::string>{R"(team="dba", severity=~"critical|page")",
                                                   R"(env!="staging")"}));
  EXPECT_EQ(db.severity, "SEV1");
  EXPECT_EQ(db.group_by, "cluster");
  EXPECT_EQ(settings.redaction.disable, std::vector<std::string>{"phone"});
  ASSERT_EQ(settings.redaction.patterns.size(), 1u);
  EXPECT_EQ(settings.redaction.patterns[0].name, "customer_id");
  EXPECT_EQ(settings.redaction.patterns[0].regex, "CUST-[0-9]{6}");
}

TEST(Settings, AnExplicitEmptyPolicyListOpensNoIncidents) {
  const LoadResult result = load_settings("incidents:\n  policies: []\n");
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  EXPECT_TRUE(result.config->settings.incidents.policies.empty());
}

TEST(Settings, LoadConfigReadsTheFileAtTheRootAndJoinsRelativePaths) {
  TempDir dir;
  dir.write("slo/empty.yaml", "");
  dir.write("sloe.yaml", kFullSettings);
  const LoadResult result = load_config(dir.path().string());
  ASSERT_TRUE(result.ok()) << testing::all_diagnostics(result);
  const ServerSettings& server = result.config->settings.server;
  EXPECT_EQ(server.tls->cert_file, (dir.path() / "certs/sloe.crt").string());
  EXPECT_EQ(server.tls->key_file, (dir.path() / "certs/sloe.key").string());
  EXPECT_EQ(server.tokens_file, (dir.path() / "tokens.txt").string());
  // Secret files stay relative: resolve_secret() joins them when the agent starts.
  EXPECT_EQ(server.webhook.hmac_secret->name, "secrets/webhook.key");
}

TEST(Settings, ProblemsInTheFileFailTheWholeCheck) {
  TempDir dir;
  dir.write("slo/empty.yaml", "");
  dir.write("sloe.yaml", "redaction:\n  disable: [phon]\n");
  const LoadResult result = load_config(dir.path().string());
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u) << testing::all_diagnostics(result);
  EXPECT_EQ(result.diagnostics[0].to_string(),
            (dir.path() / "sloe.yaml").string() +
                ":2:13: error: unknown built-in redaction detector 'phon'; did you mean 'phone'?");
}

TEST(Settings, AFileInSloIsNotTheSettingsFile) {
  const LoadResult result = load_config_from_strings({{"slo/sloe.yaml", "server: {}\n"}});
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(testing::HasError(result, 1, 1, "unknown key 'server' in the top level"));
}

TEST(Settings, ServerErrors) {
  const LoadResult result = load_settings(R"(server:
  tls: {cert_file: certs/sloe.crt}
  tokens_file: ""
  max_body_bytes: 12.5
  webhook:
    token: s3cr3t
    hmac: {file: k}
  listen: 0.0.0.0:9000
)");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(messages(result),
            (std::vector<std::string>{
                "sloe.yaml:2:8: error: server.tls is missing required key 'key_file'",
                "sloe.yaml:3:16: error: tokens_file: must not be empty",
                "sloe.yaml:4:19: error: max_body_bytes: expected a whole number of bytes from "
                "1024 to 1073741824 (1 GiB), got 12.5",
                "sloe.yaml:6:12: error: server.webhook token carries a secret: use { env: NAME } "
                "or { file: PATH } instead of writing it into the file",
                "sloe.yaml:7:5: error: unknown key 'hmac' in server.webhook (expected one of: "
                "token, hmac_secret)",
                "sloe.yaml:8:3: error: unknown key 'listen' in server (expected one of: tls, "
                "tokens_file, max_body_bytes, webhook)",
            }));
}

TEST(Settings, MaxBodyBytesHasLimits) {
  EXPECT_TRUE(testing::HasError(load_settings("server: {max_body_bytes: 100}\n"), 1, 26,
                                "from 1024 to 1073741824"));
  EXPECT_TRUE(testing::HasError(load_settings("server: {max_body_bytes: 2000000000}\n"), 1, 26,
                                "from 1024 to 1073741824"));
  EXPECT_TRUE(testing::HasError(load_settings("server: {max_body_bytes: lots}\n"), 1, 26,
                                "max_body_bytes: expected a number"));
}

TEST(Settings, IncidentPolicyErrors) {
  const LoadResult result = load_settings(R"(incidents:
  policies:
    - name: page
      matchers: ['severity="page"']
      severity: SEV5
    - name: Page Two
      matchers: ['severity="page"']
    - name: db
      matchers: ['team=dba"']
      group_by: "1cluster"
    - name: nomatch
      sevrity: SEV3
    - name: ticket
      matchers: []
    - name: dba
      matchers: ['team="dba"']
    - name: dba
      matchers: ['team="dba"']
  policy: []
)");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(messages(result),
            (std::vector<std::string>{
                "sloe.yaml:5:17: error: severity: expected one of SEV1, SEV2, SEV3, SEV4, got "
                "'SEV5'",
                "sloe.yaml:6:13: error: name: 'Page Two' is not a valid incident policy name "
                "(lower-case letters, digits, '_' and '-')",
                "sloe.yaml:9:18: error: invalid matcher 'team=dba\"': expected ',' between "
                "matchers at column 9, got '\"'",
                "sloe.yaml:10:17: error: group_by: '1cluster' is not a valid label name",
                "sloe.yaml:11:7: error: incident policy 'nomatch' is missing required key "
                "'matchers'",
                "sloe.yaml:12:7: error: unknown key 'sevrity' in incident policy 'nomatch'; did "
                "you mean 'severity'?",
                "sloe.yaml:14:17: error: incident policy 'ticket': matchers must not be empty",
                "sloe.yaml:17:13: error: duplicate incident policy name 'dba' (first defined at "
                "sloe.yaml:15:13)",
                "sloe.yaml:19:3: error: unknown key 'policy' in incidents (expected one of: "
                "policies)",
            }));
}

TEST(Settings, RedactionErrors) {
  const LoadResult result = load_settings(R"(redaction:
  disable: [phone, phone, emails, everything]
  patterns:
    - {name: customer_id, regex: 'CUST-([0-9]{6}'}
    - {name: Customer-ID, regex: 'x'}
    - {name: ticket, regex: 'T-[0-9]+'}
    - {name: ticket, regex: 'TICKET-[0-9]+'}
    - {name: empty, regex: ''}
    - {name: no_regex}
    - {name: typo, regx: 'a'}
  pattern: []
)");
  EXPECT_FALSE(result.ok());
  std::vector<std::string> got = messages(result);
  ASSERT_EQ(got.size(), 11u) << testing::all_diagnostics(result);
  // The regex library's own words follow the pattern; only our part is golden.
  const std::string bad_regex =
      "sloe.yaml:4:34: error: redaction pattern 'customer_id': invalid regular expression "
      "'CUST-([0-9]{6}': ";
  EXPECT_EQ(got[3].substr(0, bad_regex.size()), bad_regex);
  EXPECT_GT(got[3].size(), bad_regex.size());
  got.erase(got.begin() + 3);
  EXPECT_EQ(got,
            (std::vector<std::string>{
                "sloe.yaml:2:20: error: redaction detector 'phone' is listed twice",
                "sloe.yaml:2:27: error: unknown built-in redaction detector 'emails'; did you "
                "mean 'email'?",
                "sloe.yaml:2:35: error: unknown built-in redaction detector 'everything' "
                "(expected one of: bearer_token, api_key, aws_key, url_password, private_key, "
                "email, phone, card_number)",
                "sloe.yaml:5:14: error: name: 'Customer-ID' is not a valid redaction pattern "
                "name (lower-case letters, digits and '_'; it appears in the marker "
                "[REDACTED:<name>])",
                "sloe.yaml:7:14: error: duplicate redaction pattern name 'ticket' (first "
                "defined at sloe.yaml:6:14)",
                "sloe.yaml:8:28: error: regex: must not be empty",
                "sloe.yaml:9:7: error: redaction pattern 'no_regex' is missing required key "
                "'regex'",
                "sloe.yaml:10:7: error: redaction pattern 'typo' is missing required key 'regex'",
                "sloe.yaml:10:20: error: unknown key 'regx' in redaction pattern 'typo'; did you "
                "mean 'regex'?",
                "sloe.yaml:11:3: error: unknown key 'pattern' in redaction; did you mean "
                "'patterns'?",
            }));
}

TEST(Settings, TopLevelErrors) {
  EXPECT_EQ(messages(load_settings("redacton: {}\n")),
            std::vector<std::string>{"sloe.yaml:1:1: error: unknown key 'redacton' in the top "
                                     "level of sloe.yaml; did you mean 'redaction'?"});
  EXPECT_EQ(messages(load_settings("- server\n")),
            std::vector<std::string>{"sloe.yaml:1:1: error: expected a mapping with 'server', "
                                     "'incidents', 'redaction', 'runbooks' and/or 'postmortem' "
                                     "at the top level, got a list"});
  EXPECT_EQ(messages(load_settings("server: {}\n---\nredaction: {}\n")),
            std::vector<std::string>{"sloe.yaml:3:1: error: sloe.yaml holds one document; merge "
                                     "this one into the first"});
}

TEST(Settings, BuiltinDetectorNamesMatchTheRedactor) {
  const std::vector<std::string> config_names(kRedactionBuiltins.begin(), kRedactionBuiltins.end());
  EXPECT_EQ(config_names, incident::Redactor().detector_names());
}

}  // namespace
}  // namespace sloe::config

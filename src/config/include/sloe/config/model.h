// The typed, validated configuration: what `sloe check` accepts and `sloe run` executes.
//
// Plain data with no parsing library in it; probe, slo wiring and the CLI read these structs.
// Every value here has passed validation (config/loader.h), so consumers need not re-check ranges.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/core/labels.h"
#include "sloe/oncall/model.h"
#include "sloe/route/route.h"
#include "sloe/route/silence.h"
#include "sloe/runbook/model.h"

namespace sloe::config {

// Where a secret comes from. The value itself is never written into configuration files.
struct SecretRef {
  enum class Kind { kEnv, kFile };
  Kind kind = Kind::kEnv;
  std::string name;  // environment variable name, or file path (relative paths: config dir)
};

// A header or credential value: a literal (only for non-secret headers) or a secret reference.
struct ValueSource {
  std::optional<std::string> literal;
  std::optional<SecretRef> secret;
};

struct HttpHeader {
  std::string name;
  ValueSource value;
};

// Inclusive status range; a single code is {code, code}.
struct StatusRange {
  int low = 200;
  int high = 299;
};

// File paths: config::load_config joins relative ones to the configuration directory, so
// consumers can open them as they are.
struct TlsOptions {
  bool verify = true;       // verify peer certificate and host name
  std::string ca_file;      // empty: system trust store
  std::string cert_file;    // client certificate (PEM), empty: none
  std::string key_file;     // client key (PEM), empty: none
  std::string server_name;  // SNI / verification name override, empty: from URL
};

struct BasicAuth {
  std::string username;
  SecretRef password;
};

struct HttpProbeSpec {
  std::string url;  // http:// or https://
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body;
  std::optional<BasicAuth> basic_auth;
  std::vector<StatusRange> valid_status;         // empty means 200-299
  std::vector<std::string> body_must_match;      // ECMAScript regexes, validated
  std::vector<std::string> body_must_not_match;  // ECMAScript regexes, validated
  bool follow_redirects = true;
  TlsOptions tls;
};

struct TcpProbeSpec {
  std::string host;
  int port = 0;
  bool tls = false;  // complete a TLS handshake after connecting
  TlsOptions tls_options;
};

struct DnsProbeSpec {
  std::string query_name;
  std::string query_type = "A";  // A, AAAA, CNAME, MX, TXT, NS, SOA, SRV
  std::string server;            // "host[:port]"; empty: first nameserver in /etc/resolv.conf
  bool valid_rcode_noerror_only = true;  // NXDOMAIN etc. count as failure (key: require_noerror)
  bool require_answers = true;           // an empty answer section counts as failure
};

struct ProbeSpec {
  std::string name;  // unique across the configuration
  std::chrono::milliseconds interval{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::variant<HttpProbeSpec, TcpProbeSpec, DnsProbeSpec> kind;
  // For metrics' `target` label: URL, host:port or query name.
  std::string target() const;
};

enum class SliKind { kAvailability, kLatency };

struct SliSpec {
  SliKind kind = SliKind::kAvailability;
  std::string probe;  // name of a ProbeSpec in the same configuration
  // Latency SLIs: a probe is good when it succeeds and its total time is at most this.
  std::chrono::milliseconds latency_threshold{0};
};

struct SloSpec {
  std::string name;  // unique across the configuration; [a-zA-Z0-9_.-]+
  std::string service;
  std::string description;
  double objective = 0.999;  // as a ratio in (0, 1); files state percent, e.g. 99.9
  std::chrono::milliseconds window{std::chrono::hours(24 * 30)};
  SliSpec sli;
  Labels labels;            // carried onto alerts and metrics
  std::string runbook_url;  // may be empty
};

// Where a definition came from, for messages that point a person at the line.
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// ---- Alertmanager configuration (a document with a top-level `route:` under alerts/) ----
//
// Field names and defaults are Alertmanager's, so an alertmanager.yml loads unchanged. Values that
// Alertmanager renders from Go templates (Slack title/text) are kept as written; empty means
// "sloe's default text". Secrets written inline are accepted with a warning; the *_file forms
// become SecretRef{kFile, path}.

struct WebhookSpec {
  ValueSource url;  // literal URL, or secret {kFile, path} from url_file
  bool send_resolved = true;
  int max_alerts = 0;  // 0: all alerts of the group
};

struct SlackSpec {
  ValueSource api_url;  // from api_url / api_url_file, or global slack_api_url(_file)
  std::string channel;
  std::string username;
  std::string title;  // empty: default
  std::string text;   // empty: default
  bool send_resolved = false;
};

inline constexpr const char* kDefaultPagerDutyUrl = "https://events.pagerduty.com/v2/enqueue";

struct PagerDutySpec {
  ValueSource routing_key;         // Events API v2 integration key
  std::string url;                 // global pagerduty_url, else kDefaultPagerDutyUrl
  std::string severity = "error";  // critical, error, warning or info
  bool send_resolved = true;
};

struct ReceiverSpec {
  std::string name;  // unique
  std::vector<WebhookSpec> webhooks;
  std::vector<SlackSpec> slack;
  std::vector<PagerDutySpec> pagerduty;
  // sloe extension: page through this escalation policy (on-call files) as well as the
  // integrations above. Empty: none. The loader checks that the policy exists.
  std::string escalation_policy;
};

// One entry of inhibit_rules, as written: deprecated source_match / source_match_re (and target_*)
// are folded into the matcher lists (regexes anchored "^(?:re)$", as Alertmanager does).
struct InhibitRuleSpec {
  std::string name;  // optional
  std::vector<alert::Matcher> source_matchers;
  std::vector<alert::Matcher> target_matchers;
  std::vector<std::string> equal;  // label names
};

// [start_minute, end_minute) of the day; 0 <= start < end <= 1440 (end_time 24:00).
struct TimeOfDaySpec {
  int start_minute = 0;
  int end_minute = 0;
};

// Inclusive range of integers.
struct IntRangeSpec {
  int begin = 0;
  int end = 0;
};

// One entry of a named interval's time_intervals list. Empty lists do not constrain.
struct TimePeriodSpec {
  std::vector<TimeOfDaySpec> times;
  std::vector<IntRangeSpec> weekdays;       // 0 = Sunday .. 6 = Saturday
  std::vector<IntRangeSpec> days_of_month;  // 1..31, or -31..-1 counted from the month's end
  std::vector<IntRangeSpec> months;         // 1 = January .. 12
  std::vector<IntRangeSpec> years;
  std::string location;  // IANA zone name, checked to exist; empty: UTC
};

// An entry of time_intervals (or the deprecated top-level mute_time_intervals).
struct NamedTimeIntervalSpec {
  std::string name;  // unique across both lists
  std::vector<TimePeriodSpec> periods;
};

struct GlobalSpec {
  std::chrono::milliseconds resolve_timeout{std::chrono::minutes(5)};
};

struct AlertingConfig {
  route::RouteTree routes;
  std::vector<ReceiverSpec> receivers;
  std::vector<InhibitRuleSpec> inhibit_rules;
  std::vector<NamedTimeIntervalSpec> time_intervals;  // time_intervals, then mute_time_intervals
  GlobalSpec global;
  std::vector<std::string> templates;  // as written; sloe does not render Go templates
};

struct AlertingLocations {
  SourceLocation document;                     // the `route:` key of the document
  std::vector<SourceLocation> receivers;       // parallel to AlertingConfig::receivers
  std::vector<SourceLocation> inhibit_rules;   // parallel to inhibit_rules
  std::vector<SourceLocation> time_intervals;  // parallel to time_intervals
};

// ---- sloe.yaml: settings of the agent itself (optional file at the configuration root) ----
//
// Plain strings where another module owns the meaning (matchers, severities, detector names): the
// loader has checked them, and the agent converts them into incident and API types.

// The listener's certificate and key (PEM). Both or neither; paths joined to the configuration
// directory by load_config().
struct ServerTlsSettings {
  std::string cert_file;
  std::string key_file;
};

// How /api/v1/alerts and other webhooks prove who sent them: a shared token, an HMAC secret for
// the signature header, either or both; neither means the endpoint needs a bearer token like the
// rest of the API.
struct WebhookAuthSettings {
  std::optional<SecretRef> token;
  std::optional<SecretRef> hmac_secret;
};

inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{1024} * 1024;

struct ServerSettings {
  std::optional<ServerTlsSettings> tls;  // nullopt: plain HTTP
  // Lines "<name> <role> sha256:<hex>"; empty: no tokens file. Joined to the configuration
  // directory by load_config(). The loader does not open it (it is read when the agent starts).
  std::string tokens_file;
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;  // larger request bodies get 413
  WebhookAuthSettings webhook;
};

// One incident policy, as written and checked: name [a-z0-9_-]+ and unique; each matchers entry
// is one Alertmanager matcher list ('severity="page"', 'a="b", c=~"d"'), all must match; severity
// is "SEV1".."SEV4"; group_by is a valid label name.
struct IncidentPolicySettings {
  std::string name = "page";
  std::vector<std::string> matchers{R"(severity="page")"};
  std::string severity = "SEV2";
  std::string group_by = "service";
};

struct IncidentSettings {
  // Absent `incidents.policies`: the one default policy above. An explicit empty list: alerts
  // open no incidents (responders still declare them).
  std::vector<IncidentPolicySettings> policies{IncidentPolicySettings{}};
};

// Names of the redactor's built-in detectors (incident/redact.h), for checking `disable:`.
inline constexpr std::array<const char*, 8> kRedactionBuiltins{
    "bearer_token", "api_key", "aws_key", "url_password",
    "private_key",  "email",   "phone",   "card_number"};

struct RedactionPatternSettings {
  std::string name;   // [a-z0-9_]+, unique
  std::string regex;  // ECMAScript, compiled by the loader to check it
};

struct RedactionSettings {
  std::vector<std::string> disable;  // names from kRedactionBuiltins, each at most once
  std::vector<RedactionPatternSettings> patterns;
};

// What runbook steps may do (sloe.yaml `runbooks:`).
inline constexpr std::size_t kDefaultRunbookOutputLimit = std::size_t{16} * 1024;

struct RunbookSettings {
  // Absolute paths of the programs command steps may run; a command step naming any other program
  // is a configuration error. Empty: no command step is allowed.
  std::vector<std::string> allowed_commands;
  // Output kept per step (http response body, command stdout+stderr), in bytes; the rest is cut
  // with a marker saying how much was dropped.
  std::size_t output_limit_bytes = kDefaultRunbookOutputLimit;
};

// Postmortem export defaults (sloe.yaml `postmortem:`). Templates replacing the built-in ones are
// read from <config>/templates/postmortem.md.mustache and postmortem.html.mustache when present.
struct PostmortemSettings {
  std::string second_zone;  // IANA zone shown beside UTC in the timeline; empty: UTC only
};

struct Settings {
  ServerSettings server;
  IncidentSettings incidents;
  RedactionSettings redaction;
  RunbookSettings runbooks;
  PostmortemSettings postmortem;
};

struct Config {
  std::string directory;  // the configuration folder as given
  std::vector<ProbeSpec> probes;
  std::vector<SloSpec> slos;
  std::vector<SourceLocation> probe_locations;  // parallel to probes
  std::vector<SourceLocation> slo_locations;    // parallel to slos
  // Users, rotations, schedules, overrides and escalation policies from the on-call documents
  // under alerts/; nullopt when there are none.
  std::optional<oncall::OncallConfig> oncall;
  // Silences kept as code (`silences:` in alerts/ documents): they mute like silences made
  // through the API, from starts_at to ends_at; ids are "file:<file>:<line>".
  std::vector<route::Silence> silences;
  // The Alertmanager document under alerts/, when there is one (at most one is allowed).
  std::optional<AlertingConfig> alerting;
  AlertingLocations alerting_locations;
  // sloe.yaml at the configuration root; defaults when the file (or a section) is absent.
  Settings settings;
  // Runbooks from <config>/runbooks/*.md (sorted by name), each checked: unique names, valid
  // matchers, steps, allowlisted commands. README.md in that folder is not a runbook.
  std::vector<runbook::Runbook> runbooks;
  std::vector<SourceLocation> runbook_locations;  // parallel to runbooks (the file, line 1)
};

}  // namespace sloe::config

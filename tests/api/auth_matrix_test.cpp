// Every route × every kind of credential, over a real socket: the role matrix is read from
// ApiServer::routes(), so a route added later is covered without touching this test.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "fake_incident_service.h"
#include "fake_runbook_service.h"
#include "fake_postmortem_service.h"
#include "sloe/api/auth.h"
#include "sloe/api/server.h"
#include "sloe/api/signed_link.h"

namespace sloe::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const TimePoint kT0 = from_unix_seconds(1'800'000'000);
const std::string kLinkKey(32, 'k');
const std::string kViewerToken = "sloe_viewer_token_0123456789abcdef";
const std::string kResponderToken = "sloe_responder_token_0123456789abcdef";
const std::string kAdminToken = "sloe_admin_token_0123456789abcdef";
const std::string kWebhookToken = "sloe_webhook_token_0123456789abcdef";
const std::string kHmacSecret = "hmac-secret-0123456789abcdef";
const std::string kBadToken = "sloe_no_such_token_0123456789abcdef";

// ---- fakes: every service answers something harmless ----

class FakeAlerts final : public AlertSink {
 public:
  Status accept(std::vector<alert::Alert>, std::string_view) override { return {}; }
  std::vector<ReceivedAlert> current(TimePoint) const override { return {}; }
};

class FakeSilences final : public SilenceService {
 public:
  std::vector<route::Silence> list() const override { return {}; }
  std::optional<route::Silence> get(std::string_view) const override { return std::nullopt; }
  Answer<std::string> put(route::Silence, TimePoint) override { return std::string("s1"); }
  Answer<route::Silence> expire(std::string_view, TimePoint) override {
    return Refused{Refusal::kNotFound, "no silence", "id"};
  }
  std::vector<std::string> silenced_by(const Labels&, TimePoint) const override { return {}; }
};

class FakeEscalations final : public EscalationService {
 public:
  std::vector<EscalationView> escalations() const override { return {}; }
  std::optional<EscalationView> escalation(std::string_view) const override { return std::nullopt; }
  Result<EscalationView> acknowledge(std::string_view id, std::string) override {
    return Error{"no escalation with id '" + std::string(id) + "'"};
  }
};

class FakeOverrides final : public OverrideService {
 public:
  std::vector<OverrideView> list() const override { return {}; }
  OverrideAnswer<std::string> add(const OverrideRequest&, TimePoint) override {
    return OverrideRefused{Refusal::kInvalid, "no such schedule", "schedule"};
  }
  OverrideAnswer<OverrideView> remove(std::string_view) override {
    return OverrideRefused{Refusal::kNotFound, "no override", "id"};
  }
  std::optional<OnCallView> who(std::string_view, TimePoint) const override { return std::nullopt; }
};

class MemoryAudit final : public AuditSink, public AuditReader {
 public:
  void record(AuditRecord record) override {
    const std::lock_guard lock(mutex_);
    records_.push_back(std::move(record));
  }
  Result<std::vector<StoredAuditRecord>> list(std::int64_t before_id,
                                              std::size_t limit) const override {
    const std::lock_guard lock(mutex_);
    std::vector<StoredAuditRecord> out;
    for (std::int64_t id = static_cast<std::int64_t>(records_.size()); id >= 1; --id) {
      if (before_id > 0 && id >= before_id)
        continue;
      if (out.size() == limit)
        break;
      out.push_back({id, records_[static_cast<std::size_t>(id - 1)]});
    }
    return out;
  }
  std::vector<AuditRecord> records() const {
    const std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<AuditRecord> records_;
};

// ---- credentials ----

enum class Credential {
  kNone,
  kUnknownToken,
  kViewer,
  kResponder,
  kAdmin,
  kSharedWebhookToken,
  kHmac
};
constexpr Credential kAllCredentials[] = {Credential::kNone,   Credential::kUnknownToken,
                                          Credential::kViewer, Credential::kResponder,
                                          Credential::kAdmin,  Credential::kSharedWebhookToken,
                                          Credential::kHmac};

std::string name_of(Credential credential) {
  switch (credential) {
    case Credential::kNone:
      return "no credential";
    case Credential::kUnknownToken:
      return "unknown token";
    case Credential::kViewer:
      return "viewer token";
    case Credential::kResponder:
      return "responder token";
    case Credential::kAdmin:
      return "admin token";
    case Credential::kSharedWebhookToken:
      return "webhook token";
    case Credential::kHmac:
      return "HMAC signature";
  }
  return "?";
}

httplib::Headers headers_for(Credential credential, const std::string& body) {
  const auto bearer = [](const std::string& token) {
    return httplib::Headers{{"Authorization", "Bearer " + token}};
  };
  switch (credential) {
    case Credential::kNone:
      return {};
    case Credential::kUnknownToken:
      return bearer(kBadToken);
    case Credential::kViewer:
      return bearer(kViewerToken);
    case Credential::kResponder:
      return bearer(kResponderToken);
    case Credential::kAdmin:
      return bearer(kAdminToken);
    case Credential::kSharedWebhookToken:
      return bearer(kWebhookToken);
    case Credential::kHmac:
      return {{"X-Sloe-Signature", webhook_signature(kHmacSecret, body)}};
  }
  return {};
}

// The role a credential's bearer token carries, if it is an API token.
std::optional<Role> api_role(Credential credential) {
  switch (credential) {
    case Credential::kViewer:
      return Role::kViewer;
    case Credential::kResponder:
      return Role::kResponder;
    case Credential::kAdmin:
      return Role::kAdmin;
    default:
      return std::nullopt;
  }
}

std::string token_name(Credential credential) {
  switch (credential) {
    case Credential::kViewer:
      return "vera";
    case Credential::kResponder:
      return "rui";
    case Credential::kAdmin:
      return "ada";
    default:
      return "";
  }
}

// What auth.h promises, written out independently of the implementation.
struct Expected {
  int status = 0;  // 0: neither 401 nor 403
  std::string principal;
};

Expected expected(Access access, Credential credential) {
  const auto role = api_role(credential);
  const auto needs = [&](Role required) -> Expected {
    if (!role)
      return {401, "unauthenticated"};
    if (*role < required)
      return {403, token_name(credential)};
    return {0, token_name(credential)};
  };
  switch (access) {
    case Access::kPublic:
      return {0, role ? token_name(credential) : "anonymous"};
    case Access::kSignedLink:
      return {0, role ? token_name(credential) : "signed-link"};
    case Access::kWebhook:
      if (credential == Credential::kSharedWebhookToken || credential == Credential::kHmac)
        return {0, "webhook"};
      return needs(Role::kResponder);
    case Access::kViewer:
      return needs(Role::kViewer);
    case Access::kResponder:
      return needs(Role::kResponder);
    case Access::kAdmin:
      return needs(Role::kAdmin);
  }
  return {};
}

// ---- turning a route's regex into a request path ----

// The text of the capture group opening at pattern[open], without its parentheses.
std::string group_at(const std::string& pattern, std::size_t open, std::size_t& close) {
  int depth = 0;
  for (std::size_t i = open; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] == '(')
      ++depth;
    if (pattern[i] == ')' && --depth == 0) {
      close = i;
      return pattern.substr(open + 1, i - open - 1);
    }
  }
  close = pattern.size();
  return "";
}

// A path the pattern matches, each capture group filled with the first sample it accepts;
// nullopt when no sample fits (then extend the samples for the new route).
std::optional<std::string> concrete_path(const std::string& pattern) {
  static const std::vector<std::string> kSamples = {"0123456789abcdef", "abc", "1",
                                                    "checkout-availability"};
  std::string path;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      path.push_back(pattern[++i]);
      continue;
    }
    if (pattern[i] != '(') {
      path.push_back(pattern[i]);
      continue;
    }
    std::size_t close = 0;
    const std::regex group(group_at(pattern, i, close));
    const auto sample = std::find_if(kSamples.begin(), kSamples.end(), [&](const std::string& s) {
      return std::regex_match(s, group);
    });
    if (sample == kSamples.end())
      return std::nullopt;
    path += *sample;
    i = close;
  }
  if (!std::regex_match(path, std::regex(pattern)))
    return std::nullopt;
  return path;
}

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

httplib::Result send(httplib::Client& client, const std::string& method, const std::string& path,
                     const httplib::Headers& headers, const std::string& body) {
  constexpr const char* kType = "application/json";
  if (method == "GET")
    return client.Get(path, headers);
  if (method == "POST")
    return client.Post(path, headers, body, kType);
  if (method == "PUT")
    return client.Put(path, headers, body, kType);
  if (method == "PATCH")
    return client.Patch(path, headers, body, kType);
  return client.Delete(path, headers, body, kType);
}

const std::vector<std::string>& secrets() {
  static const std::vector<std::string> all = {kViewerToken,  kResponderToken, kAdminToken,
                                               kWebhookToken, kHmacSecret,     kBadToken};
  return all;
}

// Captures everything spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return stream_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

class ServerWithEveryRoute {
 public:
  explicit ServerWithEveryRoute(std::shared_ptr<const Authenticator> auth,
                                ServerOptions options = {}) {
    AlertRoutes alert_routes;
    alert_routes.alerts = &alerts_;
    alert_routes.silences = &silences_;
    alert_routes.clock = &clock_;
    server_.set_alert_routes(alert_routes);
    server_.set_escalation_routes(EscalationRoutes{&escalations_, kLinkKey, &clock_});
    server_.set_oncall_routes(OncallRoutes{&overrides_, &clock_});
    server_.set_incident_routes(IncidentRoutes{&incidents_, &clock_});
    server_.set_runbook_routes(RunbookRoutes{&runbooks_, &clock_});
    server_.set_postmortem_routes(PostmortemRoutes{&postmortems_});
    server_.set_audit(&audit_, &clock_, &audit_);
    if (auth)
      server_.set_authenticator(std::move(auth));
    options.port = 0;
    started_ = server_.start(options);
  }
  ~ServerWithEveryRoute() { server_.stop(); }

  const Status& started() const { return started_; }
  ApiServer& server() { return server_; }
  MemoryAudit& audit() { return audit_; }
  const ManualClock& clock() const { return clock_; }

 private:
  ManualClock clock_{kT0};
  FakeAlerts alerts_;
  FakeSilences silences_;
  FakeEscalations escalations_;
  FakeOverrides overrides_;
  testing::FakeIncidentService incidents_{clock_};
  testing::FakeRunbookService runbooks_{clock_, {testing::sample_runbook()}};
  testing::FakePostmortemService postmortems_;
  MemoryAudit audit_;
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  Status started_;
};

std::shared_ptr<const Authenticator> test_authenticator() {
  auto auth = Authenticator::create({{"vera", Role::kViewer, hash_token(kViewerToken)},
                                     {"rui", Role::kResponder, hash_token(kResponderToken)},
                                     {"ada", Role::kAdmin, hash_token(kAdminToken)}},
                                    WebhookCredentials{hash_token(kWebhookToken), kHmacSecret});
  EXPECT_TRUE(auth.ok()) << auth.error().message;
  return auth.value();
}

// The request path for a route: its pattern made concrete, plus a valid signed link where the
// route verifies one itself.
std::string request_path(const RouteInfo& route) {
  const auto path = concrete_path(route.pattern);
  EXPECT_TRUE(path.has_value()) << "no sample path for " << route.pattern
                                << ": add one to concrete_path's samples";
  if (!path)
    return "/";
  if (route.access != Access::kSignedLink)
    return *path;
  return *path + "?" + sign_link(kLinkKey, "ack", "0123456789abcdef", kT0 + 1h).query();
}

TEST(AuthMatrix, EveryRouteAnswersEveryCredentialAsItsAccessLevelSays) {
  LogCapture log;
  ServerWithEveryRoute fixture(test_authenticator());
  ASSERT_TRUE(fixture.started().ok()) << fixture.started().error().message;
  httplib::Client client("127.0.0.1", fixture.server().port());

  const std::vector<RouteInfo> routes = fixture.server().routes();
  ASSERT_GE(routes.size(), 41u);  // the route sets above; more are welcome
  std::size_t mutating_requests = 0;
  for (const RouteInfo& route : routes) {
    const std::string path = request_path(route);
    const std::string body = is_mutating(route.method) ? "{}" : "";
    for (const Credential credential : kAllCredentials) {
      SCOPED_TRACE(route.method + " " + route.pattern + " (" +
                   std::string(to_string(route.access)) + ") with " + name_of(credential));
      const std::size_t audited_before = fixture.audit().records().size();
      const auto response = send(client, route.method, path, headers_for(credential, body), body);
      ASSERT_TRUE(response) << httplib::to_string(response.error());
      const Expected want = expected(route.access, credential);
      if (want.status == 0) {
        EXPECT_NE(response->status, 401) << response->body;
        EXPECT_NE(response->status, 403) << response->body;
      } else {
        EXPECT_EQ(response->status, want.status) << response->body;
        const json error = json::parse(response->body, nullptr, false);
        ASSERT_TRUE(error.is_object()) << response->body;
        EXPECT_FALSE(error["error"]["message"].get<std::string>().empty());
        if (want.status == 401) {
          EXPECT_EQ(response->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u);
        }
      }
      for (const std::string& secret : secrets())
        EXPECT_EQ(response->body.find(secret), std::string::npos) << "answer echoes a secret";

      const std::vector<AuditRecord> audited = fixture.audit().records();
      if (!is_mutating(route.method)) {
        EXPECT_EQ(audited.size(), audited_before) << "a GET was audited";
        continue;
      }
      ++mutating_requests;
      ASSERT_EQ(audited.size(), audited_before + 1) << "a mutating request was not audited";
      const AuditRecord& record = audited.back();
      EXPECT_EQ(record.method, route.method);
      EXPECT_EQ(record.path, path.substr(0, path.find('?')));
      EXPECT_EQ(record.status, response->status);
      EXPECT_EQ(record.principal.name, want.principal);
      EXPECT_EQ(record.at, kT0);
      EXPECT_EQ(record.remote.rfind("127.0.0.1:", 0), 0u) << record.remote;
    }
  }
  EXPECT_GT(mutating_requests, 0u);

  for (const AuditRecord& record : fixture.audit().records()) {
    for (const std::string& secret : secrets()) {
      for (const std::string& field : {record.principal.name, record.principal.role, record.method,
                                       record.path, record.remote}) {
        EXPECT_EQ(field.find(secret), std::string::npos) << "audit record holds a secret";
      }
    }
  }
  const std::string logged = log.text();
  EXPECT_NE(logged.find("denied"), std::string::npos) << "refusals are logged";
  for (const std::string& secret : secrets())
    EXPECT_EQ(logged.find(secret), std::string::npos) << "a secret reached the log";
}

TEST(AuthMatrix, TheAccessLevelsOfTheKnownRoutes) {
  ServerWithEveryRoute fixture(test_authenticator());
  std::map<std::string, Access> levels;
  for (const RouteInfo& route : fixture.server().routes())
    levels[route.method + " " + route.pattern] = route.access;
  const std::map<std::string, Access> want = {
      {"GET /healthz", Access::kPublic},
      {"GET /readyz", Access::kPublic},
      {"GET /metrics", Access::kViewer},
      {"GET /api/v1/slos", Access::kViewer},
      {"POST /api/v1/alerts/alertmanager", Access::kWebhook},
      {"POST /api/v2/alerts", Access::kWebhook},
      {"GET /api/v2/alerts", Access::kViewer},
      {"POST /api/v2/silences", Access::kAdmin},
      {R"(DELETE /api/v2/silence/([A-Za-z0-9_\-]+))", Access::kAdmin},
      {R"(POST /api/v1/escalations/([0-9a-f]{16})/ack)", Access::kResponder},
      {"GET /api/v1/ack", Access::kSignedLink},
      {"POST /api/v1/ack", Access::kSignedLink},
      {"POST /api/v1/oncall/overrides", Access::kAdmin},
      {R"(DELETE /api/v1/oncall/overrides/([A-Za-z0-9_\-]+))", Access::kAdmin},
      {"GET /api/v1/oncall/who", Access::kViewer},
      {"GET /api/v1/audit", Access::kAdmin},
      {"GET /api/v1/runbooks", Access::kViewer},
      {R"(GET /api/v1/runbooks/([^/]+))", Access::kViewer},
      {R"(GET /runbooks/([^/]+))", Access::kViewer},
      {R"(GET /api/v1/incidents/([^/]+)/runbooks)", Access::kViewer},
      {R"(POST /api/v1/incidents/([^/]+)/runbooks)", Access::kResponder},
      {R"(POST /api/v1/incidents/([^/]+)/runbooks/([^/]+)/steps/([^/]+)/([^/]+))",
       Access::kResponder},
      {"GET /api/v1/incidents/([^/]+)/postmortem", Access::kViewer},
      {"GET /api/v1/incidents/([^/]+)/postmortem/narrative", Access::kViewer},
      {"PUT /api/v1/incidents/([^/]+)/postmortem/narrative", Access::kResponder},
  };
  for (const auto& [route, access] : want) {
    ASSERT_EQ(levels.count(route), 1u) << route;
    EXPECT_EQ(levels[route], access) << route;
  }
  for (const auto& [route, access] : levels) {
    if (route.rfind("GET ", 0) == 0 && access != Access::kPublic && access != Access::kSignedLink) {
      EXPECT_GE(static_cast<int>(access), static_cast<int>(Access::kViewer)) << route;
    }
  }
}

TEST(AuthMatrix, WithoutAuthenticationEveryoneIsAnonymousAdminAndStillAudited) {
  ServerWithEveryRoute fixture(nullptr);
  ASSERT_TRUE(fixture.started().ok());
  httplib::Client client("127.0.0.1", fixture.server().port());
  for (const RouteInfo& route : fixture.server().routes()) {
    SCOPED_TRACE(route.method + " " + route.pattern);
    const auto response = send(client, route.method, request_path(route), {}, "{}");
    ASSERT_TRUE(response);
    EXPECT_NE(response->status, 401);
    EXPECT_NE(response->status, 403);
  }
  const auto audited = fixture.audit().records();
  ASSERT_FALSE(audited.empty());
  for (const AuditRecord& record : audited) {
    EXPECT_EQ(record.principal.name, "anonymous");
    EXPECT_EQ(record.principal.role, "admin");
  }
}

TEST(AuditEndpoint, ListsNewestFirstInPagesForAdminsOnly) {
  ServerWithEveryRoute fixture(test_authenticator());
  ASSERT_TRUE(fixture.started().ok());
  httplib::Client client("127.0.0.1", fixture.server().port());
  const httplib::Headers admin{{"Authorization", "Bearer " + kAdminToken}};
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(client.Post("/api/v2/silences", admin, "{}", "application/json"));
  ASSERT_TRUE(client.Delete("/api/v2/silence/abc", {}));  // 401, audited too

  const auto first = client.Get("/api/v1/audit?limit=2", admin);
  ASSERT_EQ(first->status, 200) << first->body;
  const json page = json::parse(first->body);
  ASSERT_EQ(page["entries"].size(), 2u);
  EXPECT_EQ(page["entries"][0]["method"], "DELETE");
  EXPECT_EQ(page["entries"][0]["status"], 401);
  EXPECT_EQ(page["entries"][0]["actor"], "unauthenticated");
  EXPECT_EQ(page["entries"][1]["actor"], "ada");
  EXPECT_EQ(page["entries"][1]["role"], "admin");
  EXPECT_EQ(page["entries"][1]["path"], "/api/v2/silences");
  EXPECT_EQ(page["entries"][1]["at"], "2027-01-15T08:00:00.000Z");
  const auto next = page["next_before"].get<std::int64_t>();
  const auto second = client.Get("/api/v1/audit?limit=2&before=" + std::to_string(next), admin);
  ASSERT_EQ(second->status, 200);
  const json rest = json::parse(second->body);
  EXPECT_EQ(rest["entries"].size(), 2u);
  EXPECT_TRUE(rest["next_before"].is_number());
  const auto empty = client.Get(
      "/api/v1/audit?limit=2&before=" + std::to_string(rest["next_before"].get<std::int64_t>()),
      admin);
  EXPECT_TRUE(json::parse(empty->body)["next_before"].is_null());

  const auto bad = client.Get("/api/v1/audit?limit=0", admin);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["field"], "limit");
  EXPECT_EQ(client.Get("/api/v1/audit", {{"Authorization", "Bearer " + kResponderToken}})->status,
            403);
}

TEST(BodyLimit, ABodyOverTheLimitIsA413WithAJsonError) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  ServerWithEveryRoute fixture(test_authenticator(), options);
  ASSERT_TRUE(fixture.started().ok());
  httplib::Client client("127.0.0.1", fixture.server().port());
  const std::string big = "[" + std::string(8 * 1024, ' ') + "]";
  const auto response = client.Post("/api/v2/alerts", {{"Authorization", "Bearer " + kAdminToken}},
                                    big, "application/json");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 413);
  const json body = json::parse(response->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << response->body;
  EXPECT_EQ(body["error"]["message"], "request body too large");
  const auto small = client.Post("/api/v2/alerts", {{"Authorization", "Bearer " + kAdminToken}},
                                 "[]", "application/json");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
}

// ---- TLS ----

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sloe-tls-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A throwaway self-signed certificate for 127.0.0.1 (P-256 key), written as PEM files.
bool write_self_signed(const std::string& cert_file, const std::string& key_file) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  bool ok = key != nullptr && cert != nullptr;
  if (ok) {
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san =
        X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1");
    ok = san != nullptr && X509_add_ext(cert, san, -1) == 1;
    X509_EXTENSION_free(san);
    ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  }
  if (ok) {
    std::FILE* cert_out = std::fopen(cert_file.c_str(), "w");
    std::FILE* key_out = std::fopen(key_file.c_str(), "w");
    ok = cert_out != nullptr && key_out != nullptr && PEM_write_X509(cert_out, cert) == 1 &&
         PEM_write_PrivateKey(key_out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (cert_out != nullptr)
      std::fclose(cert_out);
    if (key_out != nullptr)
      std::fclose(key_out);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST(Tls, ServesHttpsWithTheConfiguredCertificateAndAuthStillApplies) {
  TempDir dir;
  ServerOptions options;
  options.tls_cert_file = dir.file("cert.pem");
  options.tls_key_file = dir.file("key.pem");
  ASSERT_TRUE(write_self_signed(options.tls_cert_file, options.tls_key_file));
  ServerWithEveryRoute fixture(test_authenticator(), options);
  ASSERT_TRUE(fixture.started().ok()) << fixture.started().error().message;

  httplib::SSLClient client("127.0.0.1", fixture.server().port());
  client.set_ca_cert_path(options.tls_cert_file.c_str());
  client.enable_server_certificate_verification(true);
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer " + kViewerToken}})->status, 200);

  // The port speaks TLS only.
  httplib::Client plain("127.0.0.1", fixture.server().port());
  plain.set_read_timeout(5s);
  const auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST(Tls, UnreadableOrMismatchedFilesNameTheFile) {
  TempDir dir;
  const std::string cert = dir.file("cert.pem");
  const std::string key = dir.file("key.pem");
  ASSERT_TRUE(write_self_signed(cert, key));
  const std::string other_cert = dir.file("other-cert.pem");
  const std::string other_key = dir.file("other-key.pem");
  ASSERT_TRUE(write_self_signed(other_cert, other_key));

  const auto start_error = [](const std::string& cert_file, const std::string& key_file) {
    ServerOptions options;
    options.tls_cert_file = cert_file;
    options.tls_key_file = key_file;
    ServerWithEveryRoute fixture(nullptr, options);
    return fixture.started().ok() ? std::string() : fixture.started().error().message;
  };
  const std::string missing = start_error(dir.file("missing.pem"), key);
  EXPECT_NE(missing.find("missing.pem"), std::string::npos) << missing;
  EXPECT_NE(missing.find("certificate"), std::string::npos) << missing;
  const std::string not_a_key = start_error(cert, cert);
  EXPECT_NE(not_a_key.find("key '" + cert + "'"), std::string::npos) << not_a_key;
  const std::string mismatch = start_error(cert, other_key);
  EXPECT_NE(mismatch.find(other_key), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("does not belong"), std::string::npos) << mismatch;
  const std::string half = start_error(cert, "");
  EXPECT_NE(half.find("both"), std::string::npos) << half;
}

}  // namespace
}  // namespace sloe::api

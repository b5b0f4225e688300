// Who may call what: bearer tokens with roles, webhook credentials, and the audit trail of every
// mutating request.
//
// Roles are ordered: viewer (read) < responder (incidents, notes, acks, action items) < admin
// (silences, overrides, config reload, the audit log). A token of a higher role may do everything
// a lower one may. Webhook endpoints (alert intake) accept a responder-or-higher token, the shared
// webhook token, or an HMAC-SHA256 signature of the body (header X-Sloe-Signature:
// sha256=<hex>). /healthz and /readyz are public; the signed acknowledgement link carries its own
// signature.
//
// Tokens are never stored or logged in clear: the tokens file holds SHA-256 hashes, tokens from
// the environment are hashed when read, and comparisons run in constant time.
//
// When no token is configured at all, authentication is off and every request acts as
// "anonymous" with the admin role; the agent allows that only on a loopback listen address.
//
// Webhook credentials and API tokens are independent: with webhook credentials but no API token,
// webhook endpoints require them while the other endpoints stay open (loopback only, as above).
//
// Thread-safety: an Authenticator is immutable after create(); use it from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::api {

enum class Role { kViewer = 1, kResponder = 2, kAdmin = 3 };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

// What an endpoint requires.
enum class Access {
  kPublic,      // anyone (health checks)
  kSignedLink,  // verified by the handler (HMAC-signed link)
  kWebhook,     // webhook token, HMAC signature, or a responder token
  kViewer,
  kResponder,
  kAdmin,
};
std::string_view to_string(Access access);

struct ApiToken {
  std::string name;  // shown in the audit log and as the actor; [A-Za-z0-9_.@-]+
  Role role = Role::kViewer;
  std::string sha256_hex;  // of the token's bytes, lower-case hex
};

// SHA-256 of token, lower-case hex (what the tokens file stores).
std::string hash_token(std::string_view token);

// A fresh token: "sloe_" and 64 hex digits from 32 random bytes (OpenSSL RAND_bytes).
// Error only when the system's random source fails.
Result<std::string> generate_token();

// The X-Sloe-Signature value a sender puts on body: "sha256=" + hex HMAC-SHA256(secret, body).
std::string webhook_signature(std::string_view secret, std::string_view body);

// tokens file (YAML-free on purpose, one token per line, '#' comments):
//   <name> <role> sha256:<64 hex>
// Errors name file:line.
Result<std::vector<ApiToken>> parse_tokens_file(std::string_view text, std::string_view file_name);
// SLOE_API_TOKENS: "<name>:<role>:<token>[,<name>:<role>:<token>...]"; the tokens are hashed here.
// A token has at least 16 characters and no ','. Errors name the entry, never the token.
Result<std::vector<ApiToken>> parse_tokens_env(std::string_view value);

struct WebhookCredentials {
  std::string token_sha256_hex;  // empty: no shared webhook token
  std::string hmac_secret;       // empty: no signature accepted
};

// The caller a request was authenticated as.
struct Principal {
  std::string name;  // token name, "anonymous", "webhook"
  std::string role;  // "viewer", "responder", "admin", "webhook", "none"
};

// An authorization decision: status 0 when allowed (principal set), else 401 or 403 with a
// message that never repeats the credential. A refused request's principal is the token's for a
// 403 and {"unauthenticated", "none"} for a 401, so the audit log can say who tried.
struct Decision {
  int status = 0;
  std::string message;
  std::string field;  // the header at fault: "Authorization" or "X-Sloe-Signature"
  Principal principal;
};

class Authenticator {
 public:
  // Errors: duplicate token names or hashes.
  static Result<std::shared_ptr<const Authenticator>> create(std::vector<ApiToken> tokens,
                                                             WebhookCredentials webhook);
  // Authentication off (no tokens): everyone is anonymous admin.
  static std::shared_ptr<const Authenticator> open();

  // False only for open(), or create() with no token and no webhook credential.
  bool enabled() const;
  // API tokens configured (the webhook token is not one).
  std::size_t token_count() const;
  // authorization: the Authorization header value ("" when absent); signature: the
  // X-Sloe-Signature header ("" when absent); body: the request body (for the HMAC).
  Decision authorize(Access access, std::string_view authorization, std::string_view signature,
                     std::string_view body) const;

  struct Impl;

 private:
  explicit Authenticator(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// One audited request (every POST, PUT, PATCH and DELETE, whatever its answer).
struct AuditRecord {
  TimePoint at{};
  Principal principal;
  std::string method;
  std::string path;  // without the query string
  int status = 0;
  std::string remote;  // "ip:port"
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Called after the answer is decided; must not block for long (implementations queue).
  virtual void record(AuditRecord record) = 0;
};

// One stored audit record, as listed to admins (GET /api/v1/audit).
struct StoredAuditRecord {
  std::int64_t id = 0;  // increasing; pages go backwards from it
  AuditRecord record;
};

class AuditReader {
 public:
  virtual ~AuditReader() = default;
  // Newest first: records with id < before_id (0: from the newest), at most limit. Includes
  // every record handed to the sink before the call.
  virtual Result<std::vector<StoredAuditRecord>> list(std::int64_t before_id,
                                                      std::size_t limit) const = 0;
};

// One route the server answers, for documentation and the role-matrix test.
struct RouteInfo {
  std::string method;
  std::string pattern;  // regex as registered
  Access access = Access::kViewer;
};

}  // namespace sloe::api

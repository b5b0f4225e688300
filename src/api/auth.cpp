#include "sloe/api/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace sloe::api {
namespace {

using Digest = std::array<unsigned char, 32>;

constexpr std::size_t kMinimumTokenLength = 16;
constexpr std::string_view kSignaturePrefix = "sha256=";
constexpr std::string_view kHashPrefix = "sha256:";

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xf]);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// 64 hex digits (either case) to 32 bytes; nullopt otherwise.
std::optional<Digest> parse_digest(std::string_view hex) {
  if (hex.size() != 64)
    return std::nullopt;
  Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0)
      return std::nullopt;
    digest[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return digest;
}

Digest sha256(std::string_view bytes) {
  Digest digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

Digest hmac_sha256(std::string_view key, std::string_view bytes) {
  Digest mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), mac.data(), &size);
  return mac;
}

bool same(const Digest& a, const Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' ||
           c == '-';
  });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i > start)
      fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::string role_names() {
  return "viewer, responder or admin";
}

struct StoredToken {
  std::string name;
  Role role;
  Digest hash;
};

// What the Authorization header carried.
struct Bearer {
  enum class Kind { kAbsent, kMalformed, kToken } kind = Kind::kAbsent;
  Digest hash{};
};

Bearer parse_bearer(std::string_view authorization) {
  Bearer bearer;
  authorization = trim(authorization);
  if (authorization.empty())
    return bearer;
  constexpr std::string_view kScheme = "bearer";
  if (!starts_with_ignoring_case(authorization, kScheme) ||
      authorization.size() == kScheme.size() ||
      !std::isspace(static_cast<unsigned char>(authorization[kScheme.size()]))) {
    bearer.kind = Bearer::Kind::kMalformed;
    return bearer;
  }
  const std::string_view token = trim(authorization.substr(kScheme.size()));
  if (token.empty()) {
    bearer.kind = Bearer::Kind::kMalformed;
    return bearer;
  }
  bearer.kind = Bearer::Kind::kToken;
  bearer.hash = sha256(token);
  return bearer;
}

const Principal kAnonymousAdmin{"anonymous", "admin"};
const Principal kUnauthenticated{"unauthenticated", "none"};
const Principal kWebhookPrincipal{"webhook", "webhook"};

Decision allow(Principal principal) {
  return Decision{0, "", "", std::move(principal)};
}

Decision unauthenticated(std::string message, std::string field = "Authorization") {
  return Decision{401, std::move(message), std::move(field), kUnauthenticated};
}

}  // namespace

struct Authenticator::Impl {
  std::vector<StoredToken> tokens;
  std::optional<Digest> webhook_token;
  std::string hmac_secret;

  // The token whose hash matches; every stored hash is compared, so the time taken does not
  // depend on which (or whether one) matched.
  const StoredToken* find(const Digest& hash) const {
    const StoredToken* found = nullptr;
    for (const StoredToken& token : tokens) {
      if (same(token.hash, hash))
        found = &token;
    }
    return found;
  }

  bool enabled() const { return !tokens.empty() || webhook_token || !hmac_secret.empty(); }
};

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kResponder:
      return "responder";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer")
    return Role::kViewer;
  if (text == "responder")
    return Role::kResponder;
  if (text == "admin")
    return Role::kAdmin;
  return std::nullopt;
}

std::string_view to_string(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kSignedLink:
      return "signed-link";
    case Access::kWebhook:
      return "webhook";
    case Access::kViewer:
      return "viewer";
    case Access::kResponder:
      return "responder";
    case Access::kAdmin:
      return "admin";
  }
  return "admin";
}

std::string hash_token(std::string_view token) {
  const Digest digest = sha256(token);
  return to_hex(digest.data(), digest.size());
}

Result<std::string> generate_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return Error{"the system's random number generator failed; cannot make a token"};
  return "sloe_" + to_hex(bytes.data(), bytes.size());
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  const Digest mac = hmac_sha256(secret, body);
  return std::string(kSignaturePrefix) + to_hex(mac.data(), mac.size());
}

Result<std::vector<ApiToken>> parse_tokens_file(std::string_view text, std::string_view file_name) {
  std::vector<ApiToken> tokens;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (const std::size_t comment = line.find('#'); comment != std::string_view::npos)
      line = line.substr(0, comment);
    const std::vector<std::string_view> fields = split_whitespace(line);
    if (fields.empty())
      continue;
    const std::string where = std::string(file_name) + ":" + std::to_string(line_number) + ": ";
    if (fields.size() != 3) {
      return Error{where + "expected '<name> <role> sha256:<64 hex digits>' (" +
                   std::to_string(fields.size()) + " fields found)"};
    }
    if (!valid_name(fields[0])) {
      return Error{where + "token name '" + std::string(fields[0]) +
                   "' may hold only letters, digits and _ . @ -"};
    }
    const auto role = parse_role(fields[1]);
    if (!role) {
      return Error{where + "role '" + std::string(fields[1]) + "' is not " + role_names()};
    }
    const std::string_view hash = fields[2];
    const auto digest = hash.substr(0, kHashPrefix.size()) == kHashPrefix
                            ? parse_digest(hash.substr(kHashPrefix.size()))
                            : std::nullopt;
    if (!digest) {
      // The third field may be a token pasted by mistake: never repeat it.
      return Error{where +
                   "third field must be the token's hash, sha256:<64 hex digits> (make one with "
                   "`sloe token hash`; never put the token itself in this file)"};
    }
    tokens.push_back(
        ApiToken{std::string(fields[0]), *role, to_hex(digest->data(), digest->size())});
  }
  return tokens;
}

Result<std::vector<ApiToken>> parse_tokens_env(std::string_view value) {
  std::vector<ApiToken> tokens;
  std::size_t entry = 0;
  while (!value.empty()) {
    ++entry;
    const std::size_t comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    const std::string where = "SLOE_API_TOKENS entry " + std::to_string(entry) + ": ";
    const std::size_t first = item.find(':');
    const std::size_t second = first == std::string_view::npos ? first : item.find(':', first + 1);
    if (second == std::string_view::npos)
      return Error{where + "expected <name>:<role>:<token>"};
    const std::string_view name = item.substr(0, first);
    const std::string_view role_text = item.substr(first + 1, second - first - 1);
    const std::string_view token = item.substr(second + 1);
    if (!valid_name(name)) {
      return Error{where + "token name '" + std::string(name) +
                   "' may hold only letters, digits and _ . @ -"};
    }
    const auto role = parse_role(role_text);
    if (!role)
      return Error{where + "role '" + std::string(role_text) + "' is not " + role_names()};
    if (token.size() < kMinimumTokenLength) {
      return Error{where + "the token of '" + std::string(name) + "' is shorter than " +
                   std::to_string(kMinimumTokenLength) +
                   " characters (make one with `sloe token new`)"};
    }
    tokens.push_back(ApiToken{std::string(name), *role, hash_token(token)});
  }
  return tokens;
}

Result<std::shared_ptr<const Authenticator>> Authenticator::create(std::vector<ApiToken> tokens,
                                                                   WebhookCredentials webhook) {
  auto impl = std::make_shared<Impl>();
  std::set<std::string> names;
  for (ApiToken& token : tokens) {
    const auto digest = parse_digest(token.sha256_hex);
    if (!digest) {
      return Error{"token '" + token.name + "': hash must be 64 hex digits"};
    }
    if (!names.insert(token.name).second)
      return Error{"token name '" + token.name + "' is defined twice"};
    for (const StoredToken& other : impl->tokens) {
      if (same(other.hash, *digest)) {
        return Error{"tokens '" + other.name + "' and '" + token.name +
                     "' are the same token; give each its own"};
      }
    }
    impl->tokens.push_back(StoredToken{std::move(token.name), token.role, *digest});
  }
  if (!webhook.token_sha256_hex.empty()) {
    const auto digest = parse_digest(webhook.token_sha256_hex);
    if (!digest)
      return Error{"webhook token hash must be 64 hex digits"};
    if (impl->find(*digest) != nullptr) {
      return Error{"the webhook token is also an API token; give the webhook its own token"};
    }
    impl->webhook_token = *digest;
  }
  impl->hmac_secret = std::move(webhook.hmac_secret);
  return std::shared_ptr<const Authenticator>(new Authenticator(std::move(impl)));
}

std::shared_ptr<const Authenticator> Authenticator::open() {
  return std::shared_ptr<const Authenticator>(new Authenticator(std::make_shared<Impl>()));
}

bool Authenticator::enabled() const {
  return impl_->enabled();
}

std::size_t Authenticator::token_count() const {
  return impl_->tokens.size();
}

Decision Authenticator::authorize(Access access, std::string_view authorization,
                                  std::string_view signature, std::string_view body) const {
  if (!impl_->enabled())
    return allow(kAnonymousAdmin);
  const Bearer bearer = parse_bearer(authorization);
  const StoredToken* token =
      bearer.kind == Bearer::Kind::kToken ? impl_->find(bearer.hash) : nullptr;
  const auto token_principal = [token] {
    return Principal{token->name, std::string(to_string(token->role))};
  };

  switch (access) {
    case Access::kPublic:
      return allow(token ? token_principal() : Principal{"anonymous", "none"});
    case Access::kSignedLink:
      return allow(token ? token_principal() : Principal{"signed-link", "none"});
    case Access::kWebhook: {
      if (!signature.empty() && !impl_->hmac_secret.empty()) {
        signature = trim(signature);
        const auto given = starts_with_ignoring_case(signature, kSignaturePrefix)
                               ? parse_digest(signature.substr(kSignaturePrefix.size()))
                               : std::nullopt;
        if (given && same(*given, hmac_sha256(impl_->hmac_secret, body)))
          return allow(kWebhookPrincipal);
      }
      if (bearer.kind == Bearer::Kind::kToken && impl_->webhook_token &&
          same(*impl_->webhook_token, bearer.hash)) {
        return allow(kWebhookPrincipal);
      }
      if (token != nullptr) {
        if (token->role >= Role::kResponder)
          return allow(token_principal());
        return Decision{403,
                        "token '" + token->name + "' has role " +
                            std::string(to_string(token->role)) +
                            "; sending alerts needs responder, or the webhook token or signature",
                        "Authorization", token_principal()};
      }
      if (!signature.empty())
        return unauthenticated("X-Sloe-Signature does not match the body", "X-Sloe-Signature");
      if (bearer.kind != Bearer::Kind::kAbsent)
        return unauthenticated("unknown or malformed bearer token");
      return unauthenticated(
          "authentication required: send 'Authorization: Bearer <token>' or sign the body "
          "(X-Sloe-Signature: sha256=<hex HMAC-SHA256>)");
    }
    case Access::kViewer:
    case Access::kResponder:
    case Access::kAdmin: {
      if (impl_->tokens.empty())
        return allow(kAnonymousAdmin);  // only webhook credentials configured
      if (bearer.kind == Bearer::Kind::kAbsent)
        return unauthenticated("authentication required: send 'Authorization: Bearer <token>'");
      if (token == nullptr)
        return unauthenticated("unknown or malformed bearer token");
      const Role required = access == Access::kViewer      ? Role::kViewer
                            : access == Access::kResponder ? Role::kResponder
                                                           : Role::kAdmin;
      if (token->role < required) {
        return Decision{403,
                        "token '" + token->name + "' has role " +
                            std::string(to_string(token->role)) + "; this needs " +
                            std::string(to_string(required)),
                        "Authorization", token_principal()};
      }
      return allow(token_principal());
    }
  }
  return unauthenticated("authentication required");
}

}  // namespace sloe::api

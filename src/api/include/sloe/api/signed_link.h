// Signed links: a URL parameter set that lets whoever holds the link perform one action (e.g.
// acknowledge one escalation) until it expires, without a login — what the "Acknowledge" link in
// a notification carries.
//
// Format: subject, expiry (Unix seconds) and sig = base64url(HMAC-SHA256(key, action "\n"
// subject "\n" expiry)) without padding. The action is part of what is signed, so a link made for
// one action cannot be replayed for another. Verification compares in constant time.
//
// Keys are at least 32 random bytes; load_or_create_link_key() keeps one in the data directory
// (mode 0600) so links survive a restart.
//
// Thread-safety: pure functions, except load_or_create_link_key() which touches the file system.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::api {

struct SignedLink {
  std::string subject;
  std::int64_t expires_unix = 0;
  std::string signature;  // base64url, no padding

  // "subject=<percent-encoded>&expires=<n>&sig=<sig>"
  std::string query() const;
};

// REQUIRES: key.size() >= 32.
SignedLink sign_link(std::string_view key, std::string_view action, std::string_view subject,
                     TimePoint expires);

// Ok when the signature matches action/subject/expiry and expiry is after now. The error says
// which check failed (expired or bad signature) but never reveals the expected signature.
Status verify_link(std::string_view key, std::string_view action, const SignedLink& link,
                   TimePoint now);

// Reads <data_dir>/link.key, creating it with 32 random bytes (mode 0600) when missing.
Result<std::string> load_or_create_link_key(const std::string& data_dir);

}  // namespace sloe::api

// Redaction: secrets and personal data are scrubbed from text before sloe stores or logs it —
// notes, alert labels and annotations, runbook output, webhook bodies.
//
// Built-in detectors (each can be switched off by name) replace a match with "[REDACTED:<name>]":
//   bearer_token  "Bearer <token>" / "Authorization: <scheme> <credentials>"
//   api_key       key=value / "key": "value" pairs whose key names a secret (api_key, apikey,
//                 token, secret, password, passwd, access_key, client_secret, ...), and
//                 well-known key shapes (GitHub ghp_/gho_/github_pat_, Slack xox?-, Stripe
//                 sk_live_, Google AIza..., JWTs eyJ...)
//   aws_key       AKIA/ASIA access key ids and 40-character secrets after aws_secret_access_key
//   url_password  the password in scheme://user:password@host
//   private_key   -----BEGIN ... PRIVATE KEY----- blocks (to the END line, or to the end of text)
//   email         e-mail addresses
//   phone         international (+...) and common national phone number shapes (7+ digits)
//   card_number   13-19 digit card numbers (spaces/dashes allowed) passing the Luhn check
// User patterns (ECMAScript regular expressions, from the configuration) are applied after the
// built-ins, each with its own name.
//
// Contract: redact() is idempotent (redacting redacted text changes nothing) and never lengthens
// a secret's appearance: the only text it inserts is the marker. Thread-safe after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/labels.h"
#include "sloe/core/result.h"

namespace sloe::incident {

struct RedactionPattern {
  std::string name;   // shown in the marker: [REDACTED:<name>]; [a-z0-9_]+
  std::string regex;  // ECMAScript
};

struct RedactionOptions {
  std::vector<std::string> disabled_builtins;  // names from the list above
  std::vector<RedactionPattern> patterns;      // extra, applied in order
};

class Redactor {
 public:
  // Errors name the offending pattern (bad regex, bad name, unknown built-in).
  static Result<Redactor> create(const RedactionOptions& options);
  // All built-ins, no extra patterns.
  Redactor();
  ~Redactor();
  Redactor(const Redactor&);
  Redactor& operator=(const Redactor&);
  Redactor(Redactor&&) noexcept;
  Redactor& operator=(Redactor&&) noexcept;

  std::string redact(std::string_view text) const;
  // Redacts every value, and every name that itself looks like a secret (rare, but an
  // annotation key can be anything). Label names that are valid stay unchanged otherwise.
  Labels redact(const Labels& labels) const;

  // Names of the detectors in effect, built-ins first.
  std::vector<std::string> detector_names() const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sloe::incident

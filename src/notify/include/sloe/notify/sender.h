// Sender: delivers one HTTP request and reports what happened, without judging it (the retry
// policy does that). CurlSender is the real one; tests use doubles.
//
// Thread-safety: CurlSender::send may be called from several threads at once (each call uses its
// own curl handle). Doubles document their own.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sloe::notify {

// A request ready to go: the secrets are already filled in, so it is never stored or logged.
struct OutboxRequest {
  std::string url;
  // Sent as given; include Content-Type. The notifier adds "Idempotency-Key: <key>".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POSTed
  std::string idempotency_key;
};

struct SendResult {
  int status = 0;  // the HTTP status; 0 when no response arrived
  std::string
      transport_error;  // why no response arrived (timeout, refused, TLS, ...); "" if one did
  std::optional<std::chrono::seconds> retry_after;  // the response's Retry-After, when in seconds
  std::string response_excerpt;  // the start of the response body, for error messages

  bool responded() const { return transport_error.empty(); }
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual SendResult send(const OutboxRequest& request) = 0;
};

struct CurlSenderOptions {
  std::chrono::milliseconds timeout{10000};         // the whole request
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS setup
  std::string user_agent = "sloe-notify";
  std::string ca_file;  // extra CA bundle for TLS verification; "" = the system's
};

// POSTs with libcurl: TLS peer and host verification always on, no redirects followed (a 3xx is
// reported as it is), no signals (safe in threads), no proxy from the environment.
class CurlSender final : public Sender {
 public:
  explicit CurlSender(CurlSenderOptions options = {});
  SendResult send(const OutboxRequest& request) override;

 private:
  CurlSenderOptions options_;
};

// Retry-After given in seconds ("120"); nullopt for an HTTP-date or anything unparseable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace sloe::notify

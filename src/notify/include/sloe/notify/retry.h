// How the notifier judges a delivery attempt and paces the next one.
//
// Retried: no response (timeout, refused connection, TLS or DNS failure), 5xx, 429 and 408.
// Any other status outside 2xx is permanent: the request itself is wrong (bad URL, bad routing
// key, payload rejected), and sending it again would fail the same way.
// Backoff is exponential with full jitter: after the n-th failed attempt, wait a uniformly random
// time in [0, min(cap, base * 2^(n-1))]. A Retry-After in the response replaces that wait (up to
// max_retry_after). A notification still undelivered max_age after it was enqueued has failed.
//
// Thread-safety: pure functions; TokenBucket is not synchronized (the notifier owns its buckets).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "sloe/core/clock.h"
#include "sloe/notify/sender.h"
#include "sloe/notify/targets.h"

namespace sloe::notify {

struct RetryPolicy {
  Duration base = std::chrono::seconds(1);
  Duration cap = std::chrono::minutes(5);
  Duration max_age = std::chrono::hours(24);
  Duration max_retry_after = std::chrono::hours(1);
};

enum class Outcome { kDelivered, kRetry, kPermanent };

struct Verdict {
  Outcome outcome;
  std::string reason;  // e.g. "HTTP 503: upstream down", "timeout after 10000 ms"; "" if delivered
};

Verdict judge(const SendResult& result);

// The wait before the next attempt after `attempts` failed ones (attempts >= 1), given a uniform
// random number unit in [0, 1). REQUIRES: policy.base > 0, policy.cap >= policy.base.
Duration backoff_delay(const RetryPolicy& policy, int attempts, double unit);

// The rate limit of one receiver (see RateLimit). Time moving backwards adds no tokens.
class TokenBucket {
 public:
  TokenBucket(RateLimit limit, TimePoint now);
  // Takes one token if there is one.
  bool try_take(TimePoint now);
  // When the next token will be there (now if one is).
  TimePoint next_token_at(TimePoint now);
  void set_limit(RateLimit limit) { limit_ = limit; }

 private:
  void refill(TimePoint now);

  RateLimit limit_;
  double tokens_;
  TimePoint updated_;
};

}  // namespace sloe::notify

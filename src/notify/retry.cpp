#include "sloe/notify/retry.h"

#include <algorithm>
#include <cmath>

namespace sloe::notify {

Verdict judge(const SendResult& result) {
  if (!result.responded())
    return {Outcome::kRetry, result.transport_error};
  const int status = result.status;
  if (status >= 200 && status <= 299)
    return {Outcome::kDelivered, ""};
  std::string reason = "HTTP " + std::to_string(status);
  if (!result.response_excerpt.empty())
    reason += ": " + result.response_excerpt;
  // 408 and 429 say "not now"; 5xx is the receiver's own trouble. Everything else (3xx, the rest
  // of 4xx) will be answered the same way next time.
  const bool retryable = status >= 500 || status == 429 || status == 408;
  return {retryable ? Outcome::kRetry : Outcome::kPermanent, std::move(reason)};
}

Duration backoff_delay(const RetryPolicy& policy, int attempts, double unit) {
  const int doublings = std::clamp(attempts - 1, 0, 62);
  // Compare in double to avoid overflowing base * 2^n before capping.
  const double ceiling_ns =
      std::min(static_cast<double>(policy.cap.count()),
               static_cast<double>(policy.base.count()) * std::ldexp(1.0, doublings));
  const double fraction = std::clamp(unit, 0.0, 1.0);
  return Duration{static_cast<Duration::rep>(ceiling_ns * fraction)};
}

// Tokens accumulate in floating point; a drain at the instant next_token_at() named must find
// the token even if the sum came out a hair under 1.
constexpr double kWholeToken = 1.0 - 1e-9;

TokenBucket::TokenBucket(RateLimit limit, TimePoint now)
    : limit_(limit), tokens_(limit.burst), updated_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= updated_)
    return;
  const double elapsed = std::chrono::duration<double>(now - updated_).count();
  tokens_ = std::min(limit_.burst, tokens_ + elapsed * limit_.per_second);
  updated_ = now;
}

bool TokenBucket::try_take(TimePoint now) {
  refill(now);
  if (tokens_ < kWholeToken)
    return false;
  tokens_ = std::max(0.0, tokens_ - 1.0);
  return true;
}

TimePoint TokenBucket::next_token_at(TimePoint now) {
  refill(now);
  if (tokens_ >= kWholeToken)
    return now;
  const double wait_seconds = (1.0 - tokens_) / limit_.per_second;
  // Round up so that a drain at this time finds the token there.
  return std::max(now, updated_) +
         Duration{static_cast<Duration::rep>(std::ceil(wait_seconds * 1e9))};
}

}  // namespace sloe::notify

#include "sloe/notify/retry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace sloe::notify {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using testing::kStart;
using testing::ScriptedSender;

TEST(Judge, TwoHundredsAreDelivered) {
  EXPECT_EQ(judge(ScriptedSender::status(200)).outcome, Outcome::kDelivered);
  EXPECT_EQ(judge(ScriptedSender::status(202)).outcome, Outcome::kDelivered);
}

TEST(Judge, TransportErrorsServerErrorsAndThrottlingAreRetried) {
  const Verdict refused = judge(ScriptedSender::refused());
  EXPECT_EQ(refused.outcome, Outcome::kRetry);
  EXPECT_THAT(refused.reason, HasSubstr("Connection refused"));
  for (int code : {500, 502, 503, 504, 429, 408})
    EXPECT_EQ(judge(ScriptedSender::status(code)).outcome, Outcome::kRetry) << code;
}

TEST(Judge, OtherClientErrorsAndRedirectsArePermanent) {
  for (int code : {400, 401, 403, 404, 413, 301, 302}) {
    const Verdict verdict = judge(ScriptedSender::status(code, "invalid_payload"));
    EXPECT_EQ(verdict.outcome, Outcome::kPermanent) << code;
    EXPECT_EQ(verdict.reason, "HTTP " + std::to_string(code) + ": invalid_payload");
  }
}

TEST(Backoff, FullJitterUnderAnExponentialCeilingThatIsCapped) {
  RetryPolicy policy;  // 1s base, 5min cap
  EXPECT_EQ(backoff_delay(policy, 1, 0.0), Duration{0});
  EXPECT_EQ(backoff_delay(policy, 1, 0.5), 500ms);
  EXPECT_EQ(backoff_delay(policy, 2, 0.5), 1s);
  EXPECT_EQ(backoff_delay(policy, 4, 0.5), 4s);
  EXPECT_EQ(backoff_delay(policy, 9, 1.0), 256s);
  EXPECT_EQ(backoff_delay(policy, 10, 1.0), 5min);
  EXPECT_EQ(backoff_delay(policy, 1000, 1.0), 5min);
  EXPECT_EQ(backoff_delay(policy, 1000, 0.25), 75s);
}

TEST(RetryAfter, SecondsOnly) {
  EXPECT_EQ(parse_retry_after("120"), 120s);
  EXPECT_EQ(parse_retry_after(" 7\r\n"), 7s);
  EXPECT_EQ(parse_retry_after("0"), 0s);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(parse_retry_after("-5").has_value());
  EXPECT_FALSE(parse_retry_after("").has_value());
  EXPECT_FALSE(parse_retry_after("12s").has_value());
}

TEST(TokenBucket, BurstThenOnePerInterval) {
  TokenBucket bucket(RateLimit{2.0, 3.0}, kStart);
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_FALSE(bucket.try_take(kStart));
  EXPECT_EQ(bucket.next_token_at(kStart), kStart + 500ms);
  EXPECT_FALSE(bucket.try_take(kStart + 499ms));
  EXPECT_TRUE(bucket.try_take(kStart + 500ms));
  // Idle time refills at most to the burst.
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(bucket.try_take(kStart + 1h));
  EXPECT_FALSE(bucket.try_take(kStart + 1h));
}

TEST(TokenBucket, ClockGoingBackwardsAddsNothing) {
  TokenBucket bucket(RateLimit{1.0, 1.0}, kStart);
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_FALSE(bucket.try_take(kStart - 1h));
  EXPECT_FALSE(bucket.try_take(kStart + 999ms));
  EXPECT_TRUE(bucket.try_take(kStart + 1s));
}

}  // namespace
}  // namespace sloe::notify

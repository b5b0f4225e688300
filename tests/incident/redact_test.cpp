#include "sloe/incident/redact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "redaction_corpus.h"

namespace sloe::incident {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kBuiltins{"bearer_token", "api_key", "aws_key", "url_password",
                                         "private_key",  "email",   "phone",   "card_number"};

const std::vector<testing::Case>& corpus() {
  static const std::vector<testing::Case> cases = testing::load_corpus(SLOE_REDACTION_CORPUS);
  return cases;
}

std::string marker(const std::string& name) {
  return "[REDACTED:" + name + "]";
}

Redactor make(const RedactionOptions& options) {
  auto redactor = Redactor::create(options);
  if (!redactor.ok())
    ADD_FAILURE() << redactor.error().message;
  return redactor.ok() ? std::move(redactor).value() : Redactor();
}

TEST(RedactionCorpus, CoversEveryBuiltinWithManyCases) {
  std::map<std::string, int> per_detector;
  int negatives = 0;
  for (const auto& c : corpus()) {
    if (c.negative()) {
      ++negatives;
    } else {
      ++per_detector[c.detector];
    }
  }
  int positives = 0;
  for (const std::string& name : kBuiltins) {
    EXPECT_GE(per_detector[name], 5) << name;
    positives += per_detector[name];
  }
  EXPECT_EQ(per_detector.size(), kBuiltins.size()) << "a case names an unknown detector";
  EXPECT_GE(positives, 60);
  EXPECT_GE(negatives, 20);
}

TEST(RedactionCorpus, EverySecretIsReplacedByItsDetectorsMarker) {
  const Redactor redactor;
  for (const auto& c : corpus()) {
    if (c.negative())
      continue;
    const std::string out = redactor.redact(c.text);
    EXPECT_THAT(out, Not(HasSubstr(c.secret))) << "corpus line " << c.line;
    EXPECT_THAT(out, HasSubstr(marker(c.detector))) << "corpus line " << c.line << ": " << out;
  }
}

TEST(RedactionCorpus, NegativesStayExactlyAsWritten) {
  const Redactor redactor;
  for (const auto& c : corpus()) {
    if (c.negative()) {
      EXPECT_EQ(redactor.redact(c.text), c.text) << "corpus line " << c.line;
    }
  }
}

TEST(RedactionCorpus, RedactingTwiceChangesNothing) {
  const Redactor redactor = make({{}, {{"customer_id", "CUST-[0-9]{6}"}}});
  for (const auto& c : corpus()) {
    const std::string once = redactor.redact(c.text);
    EXPECT_EQ(redactor.redact(once), once) << "corpus line " << c.line;
  }
}

TEST(RedactionCorpus, SecretsInsideLabelValuesAreRedacted) {
  const Redactor redactor;
  for (const auto& c : corpus()) {
    if (c.negative())
      continue;
    const Labels out = redactor.redact(Labels{{"description", c.text}});
    EXPECT_THAT(out.at("description"), Not(HasSubstr(c.secret))) << "corpus line " << c.line;
  }
}

TEST(Redactor, KeepsTheTextAroundASecret) {
  const Redactor redactor;
  EXPECT_EQ(redactor.redact("postgres://app:hunter2@db.internal:5432/orders"),
            "postgres://app:[REDACTED:url_password]@db.internal:5432/orders");
  EXPECT_EQ(redactor.redact("call +44 20 7946 0958 now"), "call [REDACTED:phone] now");
  EXPECT_EQ(redactor.redact("{\"api_key\": \"abc123def\", \"n\": 1}"),
            "{\"api_key\": \"[REDACTED:api_key]\", \"n\": 1}");
  EXPECT_EQ(redactor.redact("a\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nb"),
            "a\n[REDACTED:private_key]\nb");
}

TEST(Redactor, CardNumbersMustPassTheLuhnCheck) {
  const Redactor redactor;
  EXPECT_EQ(redactor.redact("card 4111 1111 1111 1111"), "card [REDACTED:card_number]");
  EXPECT_EQ(redactor.redact("card 4111 1111 1111 1112"), "card 4111 1111 1111 1112");
  EXPECT_EQ(redactor.redact("id 4111111111111112"), "id 4111111111111112");
}

TEST(Redactor, NumbersSharingARunAreFoundSeparately) {
  const Redactor redactor;
  EXPECT_EQ(redactor.redact("call +1 415 555 0132 4111 1111 1111 1111"),
            "call [REDACTED:phone] [REDACTED:card_number]");
  EXPECT_EQ(redactor.redact("020 7946 0958 4111 1111 1111 1111 12"),
            "[REDACTED:phone] [REDACTED:card_number] 12");
  EXPECT_EQ(redactor.redact("v4111.1111.1111.1111 and 10.4111111111111111"),
            "v4111.1111.1111.1111 and 10.4111111111111111");
}

TEST(Redactor, OverlappingFindingsBecomeOneRedaction) {
  const Redactor redactor;
  // api_key (the key names a secret) and aws_key (the shape) both find this value.
  EXPECT_EQ(redactor.redact("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "aws_secret_access_key=[REDACTED:aws_key]");
}

TEST(Redactor, UserPatternsRunAfterBuiltinsInOrder) {
  const Redactor redactor =
      make({{}, {{"customer_id", "CUST-[0-9]{6}"}, {"ticket", "TICKET-[0-9]+"}}});
  EXPECT_EQ(redactor.redact("CUST-123456 mailed ops@example.com about TICKET-77"),
            "[REDACTED:customer_id] mailed [REDACTED:email] about [REDACTED:ticket]");
  EXPECT_EQ(
      redactor.detector_names(),
      (std::vector<std::string>{"bearer_token", "api_key", "aws_key", "url_password", "private_key",
                                "email", "phone", "card_number", "customer_id", "ticket"}));
}

TEST(Redactor, UserPatternsNeverRewriteMarkers) {
  const Redactor redactor = make({{}, {{"shout", "[A-Z]{4,}"}, {"anything", "x*"}}});
  const std::string out = redactor.redact("HELLO jane@example.com");
  EXPECT_EQ(out, "[REDACTED:shout] [REDACTED:email]");
  EXPECT_EQ(redactor.redact(out), out);
}

TEST(Redactor, DisabledBuiltinsLeaveTheirFindingsAlone) {
  for (const std::string& name : kBuiltins) {
    const Redactor redactor = make({{name}, {}});
    const std::vector<std::string> names = redactor.detector_names();
    EXPECT_EQ(std::count(names.begin(), names.end(), name), 0) << name;
    for (const auto& c : corpus()) {
      if (c.text.find(marker(name)) == std::string::npos) {
        EXPECT_THAT(redactor.redact(c.text), Not(HasSubstr(marker(name))))
            << name << " corpus line " << c.line;
      }
    }
  }
  const Redactor no_phone = make({{"phone"}, {}});
  EXPECT_EQ(no_phone.redact("call +44 20 7946 0958"), "call +44 20 7946 0958");
  EXPECT_EQ(no_phone.redact("mail jane@example.com"), "mail [REDACTED:email]");
}

TEST(Redactor, ErrorsNameTheOffendingPattern) {
  auto bad_regex = Redactor::create({{}, {{"customer_id", "CUST-([0-9]{6}"}}});
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_THAT(bad_regex.error().message, HasSubstr("redaction pattern 'customer_id'"));
  EXPECT_THAT(bad_regex.error().message, HasSubstr("CUST-([0-9]{6}"));

  auto bad_name = Redactor::create({{}, {{"Customer ID", "CUST"}}});
  ASSERT_FALSE(bad_name.ok());
  EXPECT_THAT(bad_name.error().message, HasSubstr("'Customer ID'"));
  EXPECT_THAT(bad_name.error().message, HasSubstr("[a-z0-9_]+"));

  auto empty = Redactor::create({{}, {{"blank", ""}}});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().message, HasSubstr("'blank'"));

  auto unknown = Redactor::create({{"phones"}, {}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "redaction: unknown built-in detector 'phones'; did you mean 'phone'?");
}

TEST(Redactor, LabelsWhoseNameIsASecretHaveTheirValueRedacted) {
  const Redactor redactor;
  const Labels out = redactor.redact(Labels{{"alertname", "DBDown"},
                                            {"db_password", "hunter2"},
                                            {"authorization", "Basic YWRtaW46cGFzcw=="},
                                            {"summary", "mail jane@example.com"},
                                            {"token_enabled", "true"}});
  EXPECT_EQ(out, (Labels{{"alertname", "DBDown"},
                         {"db_password", "[REDACTED:api_key]"},
                         {"authorization", "[REDACTED:bearer_token]"},
                         {"summary", "mail [REDACTED:email]"},
                         {"token_enabled", "true"}}));
  EXPECT_EQ(redactor.redact(out), out);
}

TEST(Redactor, CopiesShareConfiguration) {
  const Redactor original = make({{"email"}, {{"customer_id", "CUST-[0-9]{6}"}}});
  Redactor copy = original;
  Redactor moved = std::move(copy);
  EXPECT_EQ(moved.redact("CUST-000001 jane@example.com"),
            "[REDACTED:customer_id] jane@example.com");
}

// Text stitched from corpus pieces and random punctuation: whatever comes out, a second pass must
// not change it, and a corpus secret that survived intact must not be one the stitching left
// whole. Seeded, so a failure reproduces.
TEST(Redactor, StitchedTextStaysIdempotent) {
  const Redactor redactor = make({{}, {{"customer_id", "CUST-[0-9]{6}"}}});
  std::mt19937 random(20261123);
  const std::string glue = " \n\t:=@/.-+()[]{}\"',;&?#0123456789abcXYZ";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int pieces = 1 + static_cast<int>(random() % 4);
    for (int p = 0; p < pieces; ++p) {
      const auto& c = corpus()[random() % corpus().size()];
      const std::size_t from = random() % (c.text.size() + 1);
      const std::size_t length = random() % (c.text.size() + 1);
      text += c.text.substr(from, length);
      for (int g = static_cast<int>(random() % 3); g > 0; --g)
        text.push_back(glue[random() % glue.size()]);
    }
    const std::string once = redactor.redact(text);
    ASSERT_EQ(redactor.redact(once), once) << "input: " << text;
  }
}

TEST(Redactor, LongTextWithoutSecretsPassesThroughUnchanged) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "2026-11-23T10:00:00Z checkout-api 10.0.0.1 v2.45.0 p99=1.5s fp=8f3a2b1c9d0e4f57\n";
  EXPECT_EQ(Redactor().redact(text), text);
}

}  // namespace
}  // namespace sloe::incident

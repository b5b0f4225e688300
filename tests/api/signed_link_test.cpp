#include "sloe/api/signed_link.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

namespace sloe::api {
namespace {

using namespace std::chrono_literals;

const std::string kKey(32, 'k');
const TimePoint kNow = TimePoint{} + 20000 * 24h;

TEST(SignedLink, VerifiesWhatItSignedUntilItExpires) {
  const SignedLink link = sign_link(kKey, "ack", "escalation/42", kNow + 1h);
  EXPECT_TRUE(verify_link(kKey, "ack", link, kNow).ok());
  EXPECT_TRUE(verify_link(kKey, "ack", link, kNow + 59min).ok());
  const Status expired = verify_link(kKey, "ack", link, kNow + 1h);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST(SignedLink, RejectsAnyAlteration) {
  const SignedLink link = sign_link(kKey, "ack", "escalation/42", kNow + 1h);
  SignedLink other_subject = link;
  other_subject.subject = "escalation/43";
  SignedLink later = link;
  later.expires_unix += 3600;
  SignedLink flipped = link;
  flipped.signature[0] = flipped.signature[0] == 'A' ? 'B' : 'A';
  SignedLink truncated = link;
  truncated.signature.pop_back();
  for (const SignedLink& bad : {other_subject, later, flipped, truncated}) {
    const Status status = verify_link(kKey, "ack", bad, kNow);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("signature"), std::string::npos);
  }
  EXPECT_FALSE(verify_link(kKey, "resolve", link, kNow).ok());
  EXPECT_FALSE(verify_link(std::string(32, 'x'), "ack", link, kNow).ok());
}

TEST(SignedLink, QueryEncodesTheSubject) {
  const SignedLink link = sign_link(kKey, "ack", "a b/c&d", kNow);
  const std::string query = link.query();
  EXPECT_EQ(query.rfind("subject=a%20b%2Fc%26d&expires=", 0), 0u) << query;
  EXPECT_NE(query.find("&sig=" + link.signature), std::string::npos);
  // base64url of 32 bytes without padding.
  EXPECT_EQ(link.signature.size(), 43u);
  EXPECT_EQ(link.signature.find_first_of("+/="), std::string::npos);
}

TEST(SignedLink, KeyFileIsCreatedPrivateAndReused) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sloe-link-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const Result<std::string> first = load_or_create_link_key(dir.string());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->size(), 32u);
  struct stat info {};
  ASSERT_EQ(::stat((dir / "link.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const Result<std::string> second = load_or_create_link_key(dir.string());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sloe::api

#include "sloe/api/auth.h"

#include <gtest/gtest.h>

namespace sloe::api {
namespace {

const std::string kViewerToken = "viewer-token-0123456789";
const std::string kAdminToken = "admin-token-0123456789";

std::shared_ptr<const Authenticator> two_tokens(WebhookCredentials webhook = {}) {
  auto auth = Authenticator::create({{"vera", Role::kViewer, hash_token(kViewerToken)},
                                     {"ada", Role::kAdmin, hash_token(kAdminToken)}},
                                    std::move(webhook));
  EXPECT_TRUE(auth.ok()) << auth.error().message;
  return auth.value();
}

TEST(HashToken, IsLowerCaseHexSha256) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(WebhookSignature, IsHexHmacSha256WithPrefix) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(GenerateToken, GivesDistinctLongTokens) {
  auto first = generate_token();
  auto second = generate_token();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first.value(), second.value());
  EXPECT_EQ(first->rfind("sloe_", 0), 0u);
  EXPECT_EQ(first->size(), 5u + 64u);
}

TEST(TokensFile, ParsesLinesCommentsAndUpperCaseHashes) {
  const std::string hash = hash_token(kAdminToken);
  std::string upper = hash_token(kViewerToken);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string text = "# who may call sloe\n\nada admin sha256:" + hash +
                           "  # on-call lead\n  vera   viewer sha256:" + upper + "\n";
  auto tokens = parse_tokens_file(text, "tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].name, "ada");
  EXPECT_EQ((*tokens)[0].role, Role::kAdmin);
  EXPECT_EQ((*tokens)[0].sha256_hex, hash);
  EXPECT_EQ((*tokens)[1].role, Role::kViewer);
  EXPECT_EQ((*tokens)[1].sha256_hex, hash_token(kViewerToken));  // stored lower-case
}

TEST(TokensFile, ErrorsNameFileAndLineButNeverATokenPastedByMistake) {
  auto role = parse_tokens_file(
      "ada admin sha256:" + hash_token("x") + "\nbob root sha256:" + hash_token("y"),
      "/etc/sloe/tokens");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.error().message.find("/etc/sloe/tokens:2:"), std::string::npos);
  EXPECT_NE(role.error().message.find("'root'"), std::string::npos);

  auto pasted = parse_tokens_file("ada admin " + kAdminToken, "tokens");
  ASSERT_FALSE(pasted.ok());
  EXPECT_NE(pasted.error().message.find("tokens:1:"), std::string::npos);
  EXPECT_EQ(pasted.error().message.find(kAdminToken), std::string::npos);

  EXPECT_FALSE(parse_tokens_file("ad min admin sha256:" + hash_token("x"), "t").ok());
  EXPECT_FALSE(parse_tokens_file("a/b admin sha256:" + hash_token("x"), "t").ok());
}

TEST(TokensEnv, HashesTokensAndNeverEchoesThem) {
  auto tokens = parse_tokens_env("ada:admin:" + kAdminToken + ", vera:viewer:" + kViewerToken);
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].sha256_hex, hash_token(kAdminToken));
  EXPECT_EQ((*tokens)[1].name, "vera");
  EXPECT_EQ((*tokens)[1].sha256_hex, hash_token(kViewerToken));

  const std::string short_token = "shorty";
  auto too_short = parse_tokens_env("ada:admin:" + short_token);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().message.find(short_token), std::string::npos);
  auto bad_role = parse_tokens_env("ada:admin:" + kAdminToken + ",bob:god:" + kViewerToken);
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.error().message.find("entry 2"), std::string::npos);
  EXPECT_EQ(bad_role.error().message.find(kViewerToken), std::string::npos);
  EXPECT_FALSE(parse_tokens_env("just-a-token-without-fields").ok());
}

TEST(Authenticator, RefusesDuplicateNamesAndSharedTokens) {
  EXPECT_FALSE(Authenticator::create({{"ada", Role::kAdmin, hash_token("a-token-0123456789")},
                                      {"ada", Role::kViewer, hash_token("b-token-0123456789")}},
                                     {})
                   .ok());
  auto shared = Authenticator::create({{"ada", Role::kAdmin, hash_token(kAdminToken)},
                                       {"bob", Role::kViewer, hash_token(kAdminToken)}},
                                      {});
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(shared.error().message.find("same token"), std::string::npos);
  EXPECT_FALSE(Authenticator::create({{"ada", Role::kAdmin, hash_token(kAdminToken)}},
                                     WebhookCredentials{hash_token(kAdminToken), ""})
                   .ok());
}

TEST(Authenticator, OffMeansAnonymousAdminEverywhere) {
  const auto auth = Authenticator::open();
  EXPECT_FALSE(auth->enabled());
  for (const Access access : {Access::kPublic, Access::kWebhook, Access::kViewer, Access::kAdmin}) {
    const Decision decision = auth->authorize(access, "", "", "");
    EXPECT_EQ(decision.status, 0);
    EXPECT_EQ(decision.principal.name, "anonymous");
    EXPECT_EQ(decision.principal.role, "admin");
  }
}

TEST(Authenticator, ChecksTheBearerSchemeAndTheRole) {
  const auto auth = two_tokens();
  EXPECT_TRUE(auth->enabled());
  EXPECT_EQ(auth->token_count(), 2u);
  EXPECT_EQ(auth->authorize(Access::kViewer, "bearer " + kViewerToken, "", "").status, 0);
  EXPECT_EQ(auth->authorize(Access::kViewer, "Bearer   " + kViewerToken + " ", "", "").status, 0);
  EXPECT_EQ(auth->authorize(Access::kViewer, "Basic " + kViewerToken, "", "").status, 401);
  EXPECT_EQ(auth->authorize(Access::kViewer, "Bearer", "", "").status, 401);
  EXPECT_EQ(auth->authorize(Access::kViewer, kViewerToken, "", "").status, 401);

  const Decision denied = auth->authorize(Access::kAdmin, "Bearer " + kViewerToken, "", "");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.principal.name, "vera");
  EXPECT_EQ(denied.message.find(kViewerToken), std::string::npos);
  const Decision unknown = auth->authorize(Access::kViewer, "Bearer nope-0123456789abc", "", "");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.principal.name, "unauthenticated");
  EXPECT_EQ(unknown.message.find("nope"), std::string::npos);

  const Decision allowed = auth->authorize(Access::kAdmin, "Bearer " + kAdminToken, "", "");
  EXPECT_EQ(allowed.status, 0);
  EXPECT_EQ(allowed.principal.name, "ada");
  EXPECT_EQ(allowed.principal.role, "admin");
}

TEST(Authenticator, WebhooksTakeTheSharedTokenASignatureOrAResponder) {
  const std::string webhook_token = "webhook-token-0123456789";
  const auto auth = two_tokens(WebhookCredentials{hash_token(webhook_token), "s3cret"});
  const std::string body = R"({"alerts":[]})";
  EXPECT_EQ(auth->authorize(Access::kWebhook, "Bearer " + webhook_token, "", body).principal.name,
            "webhook");
  EXPECT_EQ(auth->authorize(Access::kWebhook, "", webhook_signature("s3cret", body), body).status,
            0);
  std::string upper = webhook_signature("s3cret", body);
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  EXPECT_EQ(auth->authorize(Access::kWebhook, "", upper, body).status, 0);
  // A signature of another body, or with another secret, is refused.
  const Decision tampered =
      auth->authorize(Access::kWebhook, "", webhook_signature("s3cret", body), body + " ");
  EXPECT_EQ(tampered.status, 401);
  EXPECT_EQ(tampered.field, "X-Sloe-Signature");
  EXPECT_EQ(auth->authorize(Access::kWebhook, "", webhook_signature("guess", body), body).status,
            401);
  EXPECT_EQ(auth->authorize(Access::kWebhook, "", "sha256=zz", body).status, 401);
  EXPECT_EQ(auth->authorize(Access::kWebhook, "Bearer " + kViewerToken, "", body).status, 403);
  EXPECT_EQ(auth->authorize(Access::kWebhook, "Bearer " + kAdminToken, "", body).status, 0);
  EXPECT_EQ(auth->authorize(Access::kWebhook, "", "", body).status, 401);
  // The webhook token is no API token.
  EXPECT_EQ(auth->authorize(Access::kViewer, "Bearer " + webhook_token, "", "").status, 401);
}

TEST(Authenticator, WebhookCredentialsAloneLeaveTheRestOpen) {
  auto auth = Authenticator::create({}, WebhookCredentials{"", "s3cret"});
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE((*auth)->enabled());
  EXPECT_EQ((*auth)->token_count(), 0u);
  EXPECT_EQ((*auth)->authorize(Access::kWebhook, "", "", "{}").status, 401);
  EXPECT_EQ((*auth)->authorize(Access::kAdmin, "", "", "").status, 0);
}

}  // namespace
}  // namespace sloe::api

// Secrets are resolved at agent start, from the environment or a file, never from config text.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "sloe/config/loader.h"
#include "test_util.h"

namespace sloe::config {
namespace {

using testing::TempDir;

SecretRef env(const std::string& name) {
  return SecretRef{SecretRef::Kind::kEnv, name};
}
SecretRef file(const std::string& path) {
  return SecretRef{SecretRef::Kind::kFile, path};
}

TEST(ResolveSecret, ReadsAnEnvironmentVariable) {
  ::setenv("SLOE_TEST_SECRET_TOKEN", "s3cr3t value", 1);
  auto value = resolve_secret(env("SLOE_TEST_SECRET_TOKEN"), "");
  ::unsetenv("SLOE_TEST_SECRET_TOKEN");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "s3cr3t value");
}

TEST(ResolveSecret, UnsetOrEmptyVariableIsAnErrorThatNamesIt) {
  ::unsetenv("SLOE_TEST_SECRET_UNSET");
  auto unset = resolve_secret(env("SLOE_TEST_SECRET_UNSET"), "");
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error().message.find("'SLOE_TEST_SECRET_UNSET' is not set"), std::string::npos);

  ::setenv("SLOE_TEST_SECRET_EMPTY", "", 1);
  auto empty = resolve_secret(env("SLOE_TEST_SECRET_EMPTY"), "");
  ::unsetenv("SLOE_TEST_SECRET_EMPTY");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);
}

TEST(ResolveSecret, ReadsAFileRelativeToTheConfigDirectoryStrippingOneNewline) {
  TempDir dir;
  dir.write("secrets/token", "abc123\n\n");
  dir.write("secrets/crlf", "abc123\r\n");
  auto relative = resolve_secret(file("secrets/token"), dir.path().string());
  ASSERT_TRUE(relative.ok()) << relative.error().message;
  EXPECT_EQ(*relative, "abc123\n");  // exactly one trailing newline is removed
  auto absolute = resolve_secret(file((dir.path() / "secrets/crlf").string()), "/nonexistent");
  ASSERT_TRUE(absolute.ok()) << absolute.error().message;
  EXPECT_EQ(*absolute, "abc123");
}

TEST(ResolveSecret, MissingEmptyOrDirectoryFileIsAnError) {
  TempDir dir;
  dir.write("secrets/empty", "\n");
  auto missing = resolve_secret(file("secrets/none"), dir.path().string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read secret file"), std::string::npos);
  EXPECT_NE(missing.error().message.find("secrets/none"), std::string::npos);
  auto empty = resolve_secret(file("secrets/empty"), dir.path().string());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);
  auto directory = resolve_secret(file("secrets"), dir.path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);
}

TEST(LoadConfig, KeepsTheSecretReferenceAndNeverReadsTheValue) {
  ::setenv("SLOE_TEST_SECRET_OK", "do-not-print-me", 1);
  const LoadResult result = load_config_from_strings({{"slo/a.yaml", R"(probes:
  - name: p
    http:
      url: https://h/
      headers: { Authorization: { env: SLOE_TEST_SECRET_OK } }
)"}});
  ::unsetenv("SLOE_TEST_SECRET_OK");
  // Loading does not resolve: the configuration holds the reference, not the value.
  ASSERT_TRUE(result.ok());
  const auto& header = std::get<HttpProbeSpec>(result.config->probes[0].kind).headers[0];
  EXPECT_FALSE(header.value.literal);
  EXPECT_EQ(header.value.secret->name, "SLOE_TEST_SECRET_OK");
}

}  // namespace
}  // namespace sloe::config

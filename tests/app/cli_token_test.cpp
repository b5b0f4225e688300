// `sloe token` and the agent's refusal to run an open API, through the real binary.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <regex>

#include "cli_util.h"

namespace sloe::testing {
namespace {

TEST(CliToken, NewPrintsATokenAndTheLineThatHashHasFor) {
  const CommandResult made = run_sloe("token new --name ada --role responder 2>/dev/null");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      made.output, match,
      std::regex(R"(^(sloe_[0-9a-f]{64})\nada responder sha256:([0-9a-f]{64})\n)")))
      << made.output;
  const std::string token = match[1];
  const std::string hash = match[2];
  TempConfigDir dir({});
  std::ofstream(dir.path() + "/token") << token << "\n";
  const CommandResult hashed = run_sloe("token hash < " + dir.path() + "/token");
  ASSERT_EQ(hashed.exit_code, 0) << hashed.output;
  EXPECT_EQ(hashed.output, "sha256:" + hash + "\n");
  EXPECT_NE(run_sloe("token new --name ada --role responder 2>/dev/null").output, made.output);
  EXPECT_NE(run_sloe("token new --name ada --role root").exit_code, 0);
}

TEST(CliToken, RunRefusesAnOpenApiOffLoopbackAndBadTokenSources) {
  TempConfigDir config({});
  const std::string base = "run -c " + config.path() + " -d " + config.path() + "/data ";
  const CommandResult open = run_sloe(base + "--listen 0.0.0.0:0");
  EXPECT_EQ(open.exit_code, 2) << open.output;
  EXPECT_NE(open.output.find("--tokens"), std::string::npos) << open.output;

  const CommandResult missing = run_sloe(base + "--tokens " + config.path() + "/no-such-file");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("no-such-file"), std::string::npos) << missing.output;

  const std::string pasted = "sloe_pasted_by_mistake_0123456789";
  std::ofstream(config.path() + "/tokens") << "# team\nada admin " << pasted << "\n";
  const CommandResult in_file = run_sloe(base + "--tokens " + config.path() + "/tokens");
  EXPECT_NE(in_file.exit_code, 0);
  EXPECT_NE(in_file.output.find("tokens:2:"), std::string::npos) << in_file.output;
  EXPECT_EQ(in_file.output.find(pasted), std::string::npos) << in_file.output;

  ::setenv("SLOE_API_TOKENS", "ada:admin:tooshort", 1);
  const CommandResult short_token = run_sloe(base);
  ::unsetenv("SLOE_API_TOKENS");
  EXPECT_NE(short_token.exit_code, 0);
  EXPECT_NE(short_token.output.find("SLOE_API_TOKENS entry 1"), std::string::npos)
      << short_token.output;
  EXPECT_EQ(short_token.output.find("tooshort"), std::string::npos) << short_token.output;
}

}  // namespace
}  // namespace sloe::testing

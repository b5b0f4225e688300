// `sloe oncall who` and the on-call part of `sloe check`, through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"

namespace {

using sloe::testing::CommandResult;

CommandResult run(const std::string& arguments) {
  return sloe::testing::run_sloe(arguments);
}

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// A configuration folder with an empty slo/ and the given alerts/oncall.yaml.
class TempOncallConfig : public sloe::testing::TempConfigDir {
 public:
  explicit TempOncallConfig(const std::string& oncall_yaml)
      : TempConfigDir({{"alerts/oncall.yaml", oncall_yaml}}) {}
};

TEST(CliOncall, WhoOnTheShippedConfigurationAtAGivenInstant) {
  // Weekly handoffs on Mondays 09:00 Tallinn from 2026-01-05; 2026-11-23 is 46 weeks later, so
  // the primary rotation (alice, bob, carol) is at bob and the backup (carol, alice, bob) at alice.
  const CommandResult result =
      run(std::string("oncall who --config ") + SLOE_SOURCE_DIR + " --at 2026-11-23T12:00:00Z");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "on call at 2026-11-23T12:00:00Z")) << result.output;
  EXPECT_TRUE(contains(result.output, "sre-primary    bob (Bob)      2026-11-30T09:00:00+02:00"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "sre-secondary  alice (Alice)  2026-11-30T09:00:00+02:00"))
      << result.output;
  const CommandResult one = run(std::string("oncall who --config ") + SLOE_SOURCE_DIR +
                                " --schedule sre-secondary --at 2026-11-23T12:00:00Z");
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_FALSE(contains(one.output, "sre-primary")) << one.output;
}

TEST(CliOncall, WhoRejectsUnknownSchedulesAndBadInstants) {
  const CommandResult unknown =
      run(std::string("oncall who --config ") + SLOE_SOURCE_DIR + " --schedule sre-primay");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.output, "did you mean 'sre-primary'?")) << unknown.output;
  const CommandResult bad_at =
      run(std::string("oncall who --config ") + SLOE_SOURCE_DIR + " --at tomorrow");
  EXPECT_EQ(bad_at.exit_code, 1);
  EXPECT_TRUE(contains(bad_at.output, "--at:")) << bad_at.output;
}

TEST(CliOncall, WhoShowsNobodyDuringAGap) {
  TempOncallConfig config(R"(users: [{ name: alice, receiver: r }]
rotations:
  - { name: r, users: [alice], shift_length: 1d, start: 2030-01-01T00:00, time_zone: UTC }
schedules:
  - { name: later, layers: [{ rotation: r }] }
)");
  const CommandResult result =
      run("oncall who --config " + config.path() + " --at 2029-12-31T12:00:00Z");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "later     nobody   2030-01-01T00:00:00Z")) << result.output;
}

TEST(CliOncall, CheckWarnsAboutGapsInTheNextThirtyDays) {
  // The rotation starts in 2099: nobody is on call for the whole check horizon.
  TempOncallConfig config(R"(users: [{ name: alice, receiver: r }]
rotations:
  - { name: r, users: [alice], shift_length: 1w, start: 2099-01-05T09:00, time_zone: UTC }
schedules:
  - { name: future, layers: [{ rotation: r }] }
)");
  const CommandResult result = run("check --config " + config.path());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "warning: schedule 'future' has nobody on call from "))
      << result.output;
  EXPECT_TRUE(contains(result.output, "configuration OK")) << result.output;
}

TEST(CliOncall, CheckReportsOncallErrorsWithFileLineAndColumn) {
  TempOncallConfig config(R"(users: [{ name: alice, receiver: r }]
rotations:
  - { name: r, users: [alice], shift_length: 1w, start: 2026-01-05T09:00, time_zone: Europe/Tallin }
)");
  const CommandResult result = run("check --config " + config.path());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "oncall.yaml:3:86: error: unknown time zone 'Europe/Tallin'"))
      << result.output;
  EXPECT_FALSE(contains(result.output, "configuration OK")) << result.output;
}

}  // namespace

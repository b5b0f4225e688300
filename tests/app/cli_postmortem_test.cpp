// `sloe postmortem ...` through the real binary, against an in-process ApiServer whose postmortem
// endpoints answer through an in-memory service: the query it sends, --out, the narrative PUT
// with its version read first and one retry on 409, and its error messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "fake_postmortem_service.h"
#include "sloe/api/server.h"

namespace sloe::api {
namespace {

using nlohmann::json;

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& arguments) {
  const std::string command =
      std::string("env -u SLOE_TOKEN ") + SLOE_BINARY + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    output += buffer.data();
  const int status = ::pclose(pipe);
  return CommandResult{WEXITSTATUS(status), output};
}

class CliPostmortemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_postmortem_routes(PostmortemRoutes{&service_});
    ServerOptions options;
    options.port = 0;
    ASSERT_TRUE(server_.start(options).ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
    dir_ = std::filesystem::temp_directory_path() /
           ("sloe-cli-postmortem-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandResult run(const std::string& arguments) {
    return run_command("postmortem " + arguments + " --server " + url_);
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  testing::FakePostmortemService service_{2};
  StatusBoard board_;
  AgentMetrics metrics_{"test"};
  ApiServer server_{board_, metrics_};
  std::string url_;
  std::filesystem::path dir_;
};

TEST_F(CliPostmortemTest, PrintsMarkdownByDefaultAndPassesTheZone) {
  const CommandResult plain = run("1");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(plain.output.rfind("# Postmortem 1\nzone default\n", 0), 0u) << plain.output;
  const CommandResult zoned = run("1 --format json --tz Asia/Tokyo");
  ASSERT_EQ(zoned.exit_code, 0) << zoned.output;
  EXPECT_EQ(json::parse(zoned.output)["zone"], "Asia/Tokyo");
}

TEST_F(CliPostmortemTest, WritesToTheOutFile) {
  const auto out = dir_ / "pm.html";
  const CommandResult result = run("2 --format html --out " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream in(out);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "<!DOCTYPE html><html><body><h1>Postmortem 2</h1></body></html>");
}

TEST_F(CliPostmortemTest, RefusalsAreExplained) {
  const CommandResult missing = run("7");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("404"), std::string::npos) << missing.output;
  const CommandResult zone = run("1 --tz Mars/Olympus");
  EXPECT_EQ(zone.exit_code, 1);
  EXPECT_NE(zone.output.find("tz: unknown time zone"), std::string::npos) << zone.output;
  const CommandResult format = run("1 --format pdf");
  EXPECT_NE(format.exit_code, 0);
  const CommandResult no_id = run("");
  EXPECT_EQ(no_id.exit_code, 1);
  EXPECT_NE(no_id.output.find("needs an incident id"), std::string::npos) << no_id.output;
  const CommandResult json_template = run("1 --format json --template " + write("t", "x"));
  EXPECT_EQ(json_template.exit_code, 1);
  EXPECT_NE(json_template.output.find("--template"), std::string::npos) << json_template.output;
}

TEST_F(CliPostmortemTest, NarrativeReadsTheVersionAndRetriesOnceOnConflict) {
  const std::string file = write("n.json", R"({"root_cause": "bad config", "version": 99})");
  const CommandResult first = run("narrative 1 --file " + file);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("version 1"), std::string::npos) << first.output;
  EXPECT_EQ(std::get<postmortem::Narrative>(service_.narrative(1)).root_cause, "bad config");

  service_.conflict_next_puts(1);  // someone else's edit lands between read and write
  const CommandResult retried = run("narrative 1 --file " + file);
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  EXPECT_NE(retried.output.find("version 3"), std::string::npos) << retried.output;

  service_.conflict_next_puts(2);  // twice: give up and say so
  const CommandResult gave_up = run("narrative 1 --file " + file);
  EXPECT_EQ(gave_up.exit_code, 1);
  EXPECT_NE(gave_up.output.find("409"), std::string::npos) << gave_up.output;
}

TEST_F(CliPostmortemTest, NarrativeFileProblemsAreNamed) {
  const CommandResult missing = run("narrative 1 --file " + (dir_ / "none.json").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("none.json"), std::string::npos) << missing.output;
  const CommandResult not_object = run("narrative 1 --file " + write("bad.json", "[1, 2]"));
  EXPECT_EQ(not_object.exit_code, 1);
  EXPECT_NE(not_object.output.find("JSON object"), std::string::npos) << not_object.output;
  const CommandResult bad_field =
      run("narrative 1 --file " + write("typo.json", R"({"root_cuase": "x"})"));
  EXPECT_EQ(bad_field.exit_code, 1);
  EXPECT_NE(bad_field.output.find("root_cuase"), std::string::npos) << bad_field.output;
}

}  // namespace
}  // namespace sloe::api

// Running the real `sloe` binary from tests, and configuration folders to run it on.
// REQUIRES: SLOE_BINARY is defined (the test target's compile definition).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace sloe::testing {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `sloe <arguments>` through the shell and waits for it.
inline CommandResult run_sloe(const std::string& arguments) {
  const std::string command = std::string(SLOE_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    output += buffer.data();
  const int status = ::pclose(pipe);
  return CommandResult{WEXITSTATUS(status), output};
}

// A configuration folder with an slo/ folder and the given files (path relative to the folder ->
// contents); removed with everything in it on destruction.
class TempConfigDir {
 public:
  explicit TempConfigDir(const std::vector<std::pair<std::string, std::string>>& files) {
    dir_ = std::filesystem::temp_directory_path() /
           ("sloe-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_ / "slo");
    for (const auto& [name, contents] : files) {
      std::filesystem::create_directories((dir_ / name).parent_path());
      std::ofstream(dir_ / name) << contents;
    }
  }
  TempConfigDir(const TempConfigDir&) = delete;
  TempConfigDir& operator=(const TempConfigDir&) = delete;
  ~TempConfigDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string path() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

}  // namespace sloe::testing

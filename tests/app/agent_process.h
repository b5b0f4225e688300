// The real `sloe run` process for end-to-end tests: started on 127.0.0.1 port 0 with a config
// and data folder, its output captured (and drained, so it never blocks on a full pipe), stopped
// with SIGTERM on destruction — or killed outright by the test (kill -9) to prove durability.
// REQUIRES: SLOE_BINARY is defined (the test target's compile definition).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace sloe::testing {

class AgentProcess {
 public:
  // Runs `sloe run --config DIR --data DIR/data --listen 127.0.0.1:0 --eval-interval 200ms` plus
  // extra_arguments, and waits until it says where it listens (port() stays 0 if it never does).
  explicit AgentProcess(const std::filesystem::path& dir,
                        const std::vector<std::string>& extra_arguments = {}) {
    std::vector<std::string> arguments = {SLOE_BINARY,  "run",         "--config",
                                          dir.string(), "--data",      (dir / "data").string(),
                                          "--listen",   "127.0.0.1:0", "--eval-interval",
                                          "200ms"};
    arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::close(fds[0]);
      std::vector<char*> argv;
      for (std::string& argument : arguments)
        argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(SLOE_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    output_ = ::fdopen(fds[0], "r");
    const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
    std::smatch match;
    std::array<char, 4096> line{};
    while (std::fgets(line.data(), line.size(), output_) != nullptr) {
      log_ += line.data();
      if (std::regex_search(log_, match, listening)) {
        port_ = std::stoi(match[1]);
        break;
      }
    }
    reader_ = std::thread([this] {
      std::array<char, 4096> more{};
      while (std::fgets(more.data(), more.size(), output_) != nullptr) {
        const std::lock_guard lock(mutex_);
        log_ += more.data();
      }
    });
  }
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;
  ~AgentProcess() { stop(SIGTERM); }

  // Sends signal and waits for the process to end; idempotent. Returns the wait status.
  int stop(int signal) {
    if (pid_ > 0) {
      ::kill(pid_, signal);
      ::waitpid(pid_, &wait_status_, 0);
      pid_ = -1;
      reader_.join();
      std::fclose(output_);
    }
    return wait_status_;
  }
  int port() const { return port_; }
  std::string log() {
    const std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  pid_t pid_ = -1;
  FILE* output_ = nullptr;
  int port_ = 0;
  int wait_status_ = 0;
  std::thread reader_;
  std::mutex mutex_;
  std::string log_;
};

}  // namespace sloe::testing

#include "sloe/app/step_executor.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using runbook::StepOutcome;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr std::size_t kLimit = 1000;

std::string marker(std::size_t dropped) {
  return "[\u2026 " + std::to_string(dropped) + " bytes dropped]";
}

runbook::Step command_step(const std::string& program, std::vector<std::string> args,
                           Duration timeout = 20s) {
  runbook::Step step;
  step.id = "cmd";
  step.title = "Run " + program;
  step.action = runbook::CommandStep{program, std::move(args), timeout};
  return step;
}

runbook::Step http_step(const std::string& url, Duration timeout = 10s) {
  runbook::HttpStep http;
  http.url = url;
  http.timeout = timeout;
  runbook::Step step;
  step.id = "probe";
  step.title = "Probe";
  step.action = http;
  return step;
}

runbook::Step notify_step(const std::string& receiver, const std::string& message) {
  runbook::Step step;
  step.id = "tell-sre";
  step.title = "Tell the SREs";
  step.action = runbook::NotifyStep{receiver, message};
  return step;
}

StepContext context() {
  StepContext context;
  context.incident.id = 42;
  context.incident.title = "Checkout errors above budget";
  context.incident.service = "checkout";
  context.incident.severity = incident::Severity::kSev2;
  context.incident.labels = {{"alertname", "HighErrorRate"}, {"service", "checkout"}};
  context.runbook = "fast-burn";
  return context;
}

SystemStepExecutor::Options options(std::vector<std::string> allowed = {}) {
  SystemStepExecutor::Options options;
  options.allowed_commands = std::move(allowed);
  options.output_limit_bytes = kLimit;
  return options;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

// Whether process pid has ended (gone, or a zombie nobody reaped yet). Waits for it up to 10 s:
// a SIGKILL sent just before is delivered asynchronously.
bool process_ended(pid_t pid) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (true) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string contents;
    std::getline(stat, contents);
    const auto close_paren = contents.rfind(')');
    if (!stat || close_paren == std::string::npos || close_paren + 2 >= contents.size())
      return true;
    const char state = contents[close_paren + 2];
    if (state == 'Z' || state == 'X')
      return true;
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::sleep_for(10ms);
  }
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sloe-step-executor-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// ---- command ------------------------------------------------------------------------------------

TEST(CommandStepTest, ArgumentsArriveAsSeparateArgvEntriesWithoutAShell) {
  SystemStepExecutor executor(options({"/usr/bin/printf"}));
  const StepOutcome outcome = executor.perform(
      command_step("/usr/bin/printf", {"[%s]\\n", "$(id)", "; rm -rf /", "a b", "*", "$HOME",
                                       "`id`", "x > /tmp/y", "{{incident_id}}/{{service}}"}),
      context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.status_code, 0);
  EXPECT_EQ(outcome.output,
            "[$(id)]\n[; rm -rf /]\n[a b]\n[*]\n[$HOME]\n[`id`]\n[x > /tmp/y]\n[42/checkout]\n");
}

TEST(CommandStepTest, EchoPrintsShellSyntaxLiterally) {
  SystemStepExecutor executor(options({"/bin/echo"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/echo", {"$(id)", ";", "rm", "&&", "$PATH"}), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.output, "$(id) ; rm && $PATH\n");
}

TEST(CommandStepTest, EnvironmentHoldsOnlyTheDocumentedVariables) {
  ASSERT_EQ(::setenv("SLOE_TEST_LEAK", "must-not-reach-the-child", 1), 0);
  SystemStepExecutor executor(options({"/usr/bin/env"}));
  const StepOutcome outcome = executor.perform(command_step("/usr/bin/env", {}), context());
  ::unsetenv("SLOE_TEST_LEAK");
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_THAT(lines(outcome.output),
              UnorderedElementsAre("PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                                   "SLOE_INCIDENT_ID=42", "SLOE_INCIDENT_SERVICE=checkout",
                                   "SLOE_INCIDENT_SEVERITY=SEV2", "SLOE_RUNBOOK=fast-burn"));
}

TEST(CommandStepTest, PlaceholderValuesGivenByTheCallerWin) {
  StepContext given = context();
  given.placeholders.service = "checkout-eu";
  SystemStepExecutor executor(options({"/usr/bin/env"}));
  const StepOutcome outcome = executor.perform(command_step("/usr/bin/env", {}), given);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_THAT(outcome.output, HasSubstr("SLOE_INCIDENT_SERVICE=checkout-eu\n"));
}

TEST(CommandStepTest, StdinIsEmptyAndTheWorkingDirectoryIsRoot) {
  SystemStepExecutor executor(options({"/bin/cat", "/bin/pwd"}));
  // cat copies stdin to stdout: with /dev/null it ends at once with nothing to say.
  const StepOutcome cat = executor.perform(command_step("/bin/cat", {}), context());
  ASSERT_TRUE(cat.ok) << cat.error;
  EXPECT_EQ(cat.output, "");
  const StepOutcome pwd = executor.perform(command_step("/bin/pwd", {}), context());
  ASSERT_TRUE(pwd.ok) << pwd.error;
  EXPECT_EQ(pwd.output, "/\n");
}

TEST(CommandStepTest, NoOtherDescriptorIsInherited) {
  // A descriptor the agent left open without close-on-exec (a socket, the database...).
  const int leaked = ::dup2(STDERR_FILENO, 100);
  ASSERT_EQ(leaked, 100);
  SystemStepExecutor executor(options({"/bin/ls"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/ls", {"/proc/self/fd"}), context());
  ::close(leaked);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  // stdin, stdout, stderr, and the directory ls itself is reading.
  EXPECT_THAT(lines(outcome.output), UnorderedElementsAre("0", "1", "2", "3"));
}

TEST(CommandStepTest, ConcurrentCommandsKeepTheirOutputApart) {
  SystemStepExecutor executor(options({"/usr/bin/seq"}));
  constexpr int kThreads = 4;
  std::vector<StepOutcome> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const std::string first = std::to_string(i * 1000);
      outcomes[i] = executor.perform(
          command_step("/usr/bin/seq", {first, std::to_string(i * 1000 + 50)}), context());
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int i = 0; i < kThreads; ++i) {
    std::string expected;
    for (int n = i * 1000; n <= i * 1000 + 50; ++n)
      expected += std::to_string(n) + "\n";
    ASSERT_TRUE(outcomes[i].ok) << outcomes[i].error;
    EXPECT_EQ(outcomes[i].output, expected) << "thread " << i;
  }
}

TEST(CommandStepTest, StderrIsCapturedWithStdout) {
  SystemStepExecutor executor(options({"/bin/sh"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/sh", {"-c", "echo out; echo err >&2"}), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.output, "out\nerr\n");
}

TEST(CommandStepTest, TimeoutKillsTheProcess) {
  SystemStepExecutor executor(options({"/bin/sleep"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/sleep", {"30"}, 200ms), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "timed out after 200ms");
  EXPECT_EQ(outcome.status_code, 128 + SIGTERM);
}

TEST(CommandStepTest, TimeoutKillsGrandchildrenToo) {
  SystemStepExecutor executor(options({"/bin/sh"}));
  // The shell starts a grandchild, prints its pid and waits for it.
  const StepOutcome outcome = executor.perform(
      command_step("/bin/sh", {"-c", "/bin/sleep 30 & echo $!; wait"}, 1s), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, StartsWith("timed out"));
  const pid_t grandchild = std::atoi(outcome.output.c_str());
  ASSERT_GT(grandchild, 1) << outcome.output;
  EXPECT_TRUE(process_ended(grandchild)) << "pid " << grandchild;
}

TEST(CommandStepTest, ProcessesIgnoringSigtermGetSigkill) {
  SystemStepExecutor executor(options({"/bin/sh"}));
  // Both the shell and its grandchild ignore SIGTERM (an ignored signal stays ignored across
  // exec), so only the SIGKILL after the grace period ends them.
  const StepOutcome outcome = executor.perform(
      command_step("/bin/sh", {"-c", "trap '' TERM; /bin/sleep 30 & echo $!; wait"}, 1s),
      context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, StartsWith("timed out"));
  EXPECT_EQ(outcome.status_code, 128 + SIGKILL);
  const pid_t grandchild = std::atoi(outcome.output.c_str());
  ASSERT_GT(grandchild, 1) << outcome.output;
  EXPECT_TRUE(process_ended(grandchild)) << "pid " << grandchild;
}

TEST(CommandStepTest, ProgramNotOnTheAllowlistIsRefusedWithoutRunning) {
  TempDir dir;
  const std::string witness = dir.file("ran");
  SystemStepExecutor executor(options({"/bin/echo"}));
  const StepOutcome outcome =
      executor.perform(command_step("/usr/bin/touch", {witness}), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("/usr/bin/touch is not on the allowlist"));
  EXPECT_FALSE(std::filesystem::exists(witness));

  // Allowlisted by another spelling does not count: the path must be the one on the list.
  const StepOutcome relative = executor.perform(command_step("echo", {"hi"}), context());
  EXPECT_FALSE(relative.ok);
  EXPECT_THAT(relative.error, HasSubstr("not an absolute path"));
  const StepOutcome dotted = executor.perform(command_step("/bin/../bin/echo", {"hi"}), context());
  EXPECT_FALSE(dotted.ok);
  EXPECT_THAT(dotted.error, HasSubstr("not on the allowlist"));
}

TEST(CommandStepTest, MissingOrNonExecutableProgramIsReportedClearly) {
  TempDir dir;
  const std::string missing = dir.file("no-such-tool");
  const std::string plain = dir.file("not-executable");
  std::ofstream(plain) << "#!/bin/sh\necho hi\n";
  std::filesystem::permissions(
      plain, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  SystemStepExecutor executor(options({missing, plain}));

  const StepOutcome absent = executor.perform(command_step(missing, {}), context());
  EXPECT_FALSE(absent.ok);
  EXPECT_THAT(absent.error, HasSubstr(missing));
  EXPECT_THAT(absent.error, HasSubstr("No such file or directory"));

  // No execute bit at all: refused even for root, who may run anything with one x bit.
  const StepOutcome denied = executor.perform(command_step(plain, {}), context());
  EXPECT_FALSE(denied.ok);
  EXPECT_THAT(denied.error, HasSubstr(plain + " is not executable"));

  // Executable but not a program the kernel can start (and no shell is tried instead).
  const std::string garbage = dir.file("garbage");
  std::ofstream(garbage) << "echo this is not a program\n";
  std::filesystem::permissions(garbage, std::filesystem::perms::owner_all);
  SystemStepExecutor garbage_executor(options({garbage}));
  const StepOutcome refused = garbage_executor.perform(command_step(garbage, {}), context());
  EXPECT_FALSE(refused.ok);
  EXPECT_THAT(refused.error, HasSubstr(garbage + " cannot be run: Exec format error"));
  EXPECT_EQ(refused.output, "");
}

TEST(CommandStepTest, NonZeroExitFailsWithTheStatus) {
  SystemStepExecutor executor(options({"/bin/sh"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/sh", {"-c", "echo draining; exit 3"}), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.status_code, 3);
  EXPECT_EQ(outcome.error, "exit status 3");
  EXPECT_EQ(outcome.output, "draining\n");
}

TEST(CommandStepTest, DeathBySignalIsReported) {
  SystemStepExecutor executor(options({"/bin/sh"}));
  const StepOutcome outcome =
      executor.perform(command_step("/bin/sh", {"-c", "kill -9 $$"}), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.status_code, 128 + SIGKILL);
  EXPECT_THAT(outcome.error, HasSubstr("SIGKILL"));
}

TEST(CommandStepTest, ChattyOutputIsReadWhileItRunsAndCutAtTheLimit) {
  // Far more than a pipe buffer holds: the child would block if nobody read while it ran.
  SystemStepExecutor executor(options({"/usr/bin/seq"}));
  const StepOutcome outcome =
      executor.perform(command_step("/usr/bin/seq", {"-f", "line %g", "1", "50000"}), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  std::string full;
  for (int i = 1; i <= 50000; ++i)
    full += "line " + std::to_string(i) + "\n";
  ASSERT_GT(full.size(), 2 * kLimit + 64 * 1024);  // beyond what is even captured
  const std::string kept = full.substr(0, kLimit);
  EXPECT_EQ(outcome.output,
            kept + (kept.back() == '\n' ? "" : "\n") + marker(full.size() - kLimit));
}

TEST(CommandStepTest, SecretsInOutputAreRedacted) {
  SystemStepExecutor executor(options({"/bin/echo"}));
  const StepOutcome outcome = executor.perform(
      command_step("/bin/echo", {"Authorization: Bearer abc.def.ghi", "key AKIAIOSFODNN7EXAMPLE"}),
      context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_THAT(outcome.output, Not(HasSubstr("abc.def.ghi")));
  EXPECT_THAT(outcome.output, Not(HasSubstr("AKIAIOSFODNN7EXAMPLE")));
  EXPECT_THAT(outcome.output, HasSubstr("[REDACTED:bearer_token]"));
  EXPECT_THAT(outcome.output, HasSubstr("[REDACTED:aws_key]"));
}

// ---- http ---------------------------------------------------------------------------------------

// A real HTTP service on loopback.
class Service {
 public:
  struct Received {
    std::string method;
    std::string path;
    std::string service_header;
    std::string token_header;
    std::string body;
  };

  Service() {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("all good", "text/plain");
    });
    server_.Get("/down", [](const httplib::Request&, httplib::Response& response) {
      response.status = 503;
      response.set_content("maintenance", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(std::string(100000, 'x'), "text/plain");
    });
    server_.Get("/secret", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(
          "{\"api_key\":\"pk_fake_51Hx9QmZ2bT7\"}\nAuthorization: Bearer abc.def.ghi\n",
          "text/plain");
    });
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/ok");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& response) {
      std::unique_lock lock(mutex_);
      released_.wait_for(lock, 30s, [this] { return release_; });
      response.set_content("late", "text/plain");
    });
    const auto record = [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      received_.push_back({request.method, request.path, request.get_header_value("X-Service"),
                           request.get_header_value("X-Token"), request.body});
      response.status = 202;
    };
    server_.Post(R"(/echo/.*)", record);
    server_.Put(R"(/echo/.*)", record);
    server_.Delete(R"(/echo/.*)", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listen loop began would be lost, and the destructor would wait forever.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(1ms);
  }
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  ~Service() {
    {
      std::lock_guard lock(mutex_);
      release_ = true;
    }
    released_.notify_all();
    server_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
  std::vector<Received> received_;
};

class HttpStepTest : public ::testing::Test {
 protected:
  Service service_;
  SystemStepExecutor executor_{options()};
};

TEST_F(HttpStepTest, ExpectedStatusSucceedsWithStatusAndBodyAsOutput) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/ok")), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.status_code, 200);
  EXPECT_EQ(outcome.output, "HTTP 200\nall good");
}

TEST_F(HttpStepTest, StatusOutsideTheExpectedRangesFails) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/down")), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.status_code, 503);
  EXPECT_EQ(outcome.error, "expected status 200-299, got 503");
  EXPECT_EQ(outcome.output, "HTTP 503\nmaintenance");
}

TEST_F(HttpStepTest, ExpectedRangesAreHonoured) {
  runbook::Step step = http_step(service_.url("/down"));
  std::get<runbook::HttpStep>(step.action).expect_status = {{200, 200}, {500, 503}};
  EXPECT_TRUE(executor_.perform(step, context()).ok);

  std::get<runbook::HttpStep>(step.action).expect_status = {{500, 502}, {504, 504}};
  const StepOutcome outcome = executor_.perform(step, context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "expected status 500-502, 504, got 503");
}

TEST_F(HttpStepTest, RedirectsAreNotFollowed) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/redirect")), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.status_code, 302);
}

TEST_F(HttpStepTest, MethodHeadersBodyAndPlaceholdersAreSent) {
  ASSERT_EQ(::setenv("SLOE_TEST_STEP_TOKEN", "t0ken-from-env", 1), 0);
  runbook::HttpStep http;
  http.method = "PUT";
  http.url = service_.url("/echo/{{incident_id}}");
  http.headers = {{"X-Service", "{{service}}", ""}, {"X-Token", "", "SLOE_TEST_STEP_TOKEN"}};
  http.body = "severity={{severity}}&runbook={{runbook}}";
  http.expect_status = {{202, 202}};
  runbook::Step step;
  step.id = "put";
  step.action = http;
  const StepOutcome outcome = executor_.perform(step, context());
  ::unsetenv("SLOE_TEST_STEP_TOKEN");
  ASSERT_TRUE(outcome.ok) << outcome.error;
  const auto received = service_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "PUT");
  EXPECT_EQ(received[0].path, "/echo/42");
  EXPECT_EQ(received[0].service_header, "checkout");
  EXPECT_EQ(received[0].token_header, "t0ken-from-env");
  EXPECT_EQ(received[0].body, "severity=SEV2&runbook=fast-burn");
}

TEST_F(HttpStepTest, PostAndDeleteUseTheirMethods) {
  for (const std::string method : {"POST", "DELETE"}) {
    runbook::Step step = http_step(service_.url("/echo/x"));
    std::get<runbook::HttpStep>(step.action).method = method;
    const StepOutcome outcome = executor_.perform(step, context());
    EXPECT_TRUE(outcome.ok) << method << ": " << outcome.error;
  }
  const auto received = service_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[1].method, "DELETE");
}

TEST_F(HttpStepTest, UnsetSecretVariableFailsWithoutSending) {
  ::unsetenv("SLOE_TEST_UNSET_TOKEN");
  runbook::Step step = http_step(service_.url("/echo/x"));
  auto& http = std::get<runbook::HttpStep>(step.action);
  http.method = "POST";
  http.headers = {{"X-Token", "", "SLOE_TEST_UNSET_TOKEN"}};
  const StepOutcome outcome = executor_.perform(step, context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("SLOE_TEST_UNSET_TOKEN is not set"));
  EXPECT_TRUE(service_.received().empty());
}

TEST_F(HttpStepTest, PlaceholderValuesCannotInjectHeaders) {
  StepContext hostile = context();
  hostile.incident.service = "checkout\r\nX-Token: forged";
  runbook::Step step = http_step(service_.url("/echo/x"));
  auto& http = std::get<runbook::HttpStep>(step.action);
  http.method = "POST";
  http.headers = {{"X-Service", "{{service}}", ""}};
  const StepOutcome in_header = executor_.perform(step, hostile);
  EXPECT_FALSE(in_header.ok);
  EXPECT_THAT(in_header.error, HasSubstr("control character"));

  http.headers.clear();
  http.url = service_.url("/echo/{{service}}");
  const StepOutcome in_url = executor_.perform(step, hostile);
  EXPECT_FALSE(in_url.ok);
  EXPECT_THAT(in_url.error, HasSubstr("control character"));
  EXPECT_TRUE(service_.received().empty());
}

TEST_F(HttpStepTest, LongBodyIsCutAtTheLimit) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/big")), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  const std::string full = "HTTP 200\n" + std::string(100000, 'x');
  EXPECT_EQ(outcome.output, full.substr(0, kLimit) + "\n" + marker(full.size() - kLimit));
}

TEST_F(HttpStepTest, SecretsInTheBodyAreRedacted) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/secret")), context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_THAT(outcome.output, StartsWith("HTTP 200\n"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("pk_fake_51Hx9QmZ2bT7")));
  EXPECT_THAT(outcome.output, Not(HasSubstr("abc.def.ghi")));
  EXPECT_THAT(outcome.output, HasSubstr("[REDACTED:"));
}

TEST_F(HttpStepTest, ConnectionRefusedFailsWithAClearError) {
  // A bound socket that never listens: connecting to it is refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);

  const StepOutcome outcome =
      executor_.perform(http_step("http://127.0.0.1:" + std::to_string(port) + "/"), context());
  ::close(fd);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.status_code, 0);
  EXPECT_THAT(outcome.error, StartsWith("request failed: "));
  EXPECT_THAT(outcome.error, HasSubstr("127.0.0.1"));
  EXPECT_EQ(outcome.output, "");
}

TEST_F(HttpStepTest, SlowServerTimesOut) {
  const StepOutcome outcome = executor_.perform(http_step(service_.url("/slow"), 300ms), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "timed out after 300ms");
}

TEST_F(HttpStepTest, OnlyHttpUrlsAreRequested) {
  const StepOutcome outcome = executor_.perform(http_step("file:///etc/passwd"), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("is not http:// or https://"));
}

// ---- notify -------------------------------------------------------------------------------------

TEST(NotifyStepTest, QueuesOneNotificationWithTheIncidentsLabelsAndTheMessage) {
  std::vector<alert::GroupNotification> queued;
  SystemStepExecutor::Options with_outbox = options();
  with_outbox.notify = [&](const alert::GroupNotification& notification) -> Status {
    queued.push_back(notification);
    return {};
  };
  with_outbox.has_receiver = [](std::string_view name) { return name == "sre-pager"; };
  SystemStepExecutor executor(with_outbox);

  const StepOutcome outcome = executor.perform(
      notify_step("sre-pager",
                  "Incident {{incident_id}} ({{service}}, {{severity}}): failing over"),
      context());
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.output, "queued for sre-pager: Incident 42 (checkout, SEV2): failing over");
  ASSERT_EQ(queued.size(), 1u);
  const alert::GroupNotification& notification = queued[0];
  EXPECT_EQ(notification.receiver, "sre-pager");
  ASSERT_EQ(notification.alerts.size(), 1u);
  const alert::Alert& sent = notification.alerts[0];
  EXPECT_EQ(sent.annotations.at("summary"), "Incident 42 (checkout, SEV2): failing over");
  EXPECT_EQ(sent.labels.at("alertname"), "RunbookNotification");
  EXPECT_EQ(sent.labels.at("service"), "checkout");
  EXPECT_EQ(sent.labels.at("incident"), "42");
  EXPECT_EQ(sent.labels.at("runbook"), "fast-burn");
  EXPECT_TRUE(notification.firing());
}

TEST(NotifyStepTest, UnknownReceiverIsRefused) {
  int calls = 0;
  SystemStepExecutor::Options with_outbox = options();
  with_outbox.notify = [&](const alert::GroupNotification&) -> Status {
    ++calls;
    return {};
  };
  with_outbox.has_receiver = [](std::string_view name) { return name == "sre-pager"; };
  SystemStepExecutor executor(with_outbox);
  const StepOutcome outcome = executor.perform(notify_step("nobody", "hello"), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("no receiver named 'nobody'"));
  EXPECT_EQ(calls, 0);
}

TEST(NotifyStepTest, WithoutAnOutboxNotifyStepsFail) {
  SystemStepExecutor executor(options());
  const StepOutcome outcome = executor.perform(notify_step("sre-pager", "hello"), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "no notification outbox configured");
}

TEST(NotifyStepTest, OutboxErrorsAreReported) {
  SystemStepExecutor::Options with_outbox = options();
  with_outbox.notify = [](const alert::GroupNotification&) -> Status {
    return Error{"database is locked"};
  };
  SystemStepExecutor executor(with_outbox);
  const StepOutcome outcome = executor.perform(notify_step("sre-pager", "hello"), context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("sre-pager"));
  EXPECT_THAT(outcome.error, HasSubstr("database is locked"));
}

TEST(StepExecutorTest, StepsForAPersonAreNotPerformed) {
  SystemStepExecutor executor(options());
  runbook::Step manual;
  manual.id = "look";
  manual.action = runbook::ManualStep{};
  const StepOutcome outcome = executor.perform(manual, context());
  EXPECT_FALSE(outcome.ok);
  EXPECT_THAT(outcome.error, HasSubstr("manual"));
}

}  // namespace
}  // namespace sloe::app

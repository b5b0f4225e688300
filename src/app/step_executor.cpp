#include "sloe/app/step_executor.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/duration.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using runbook::StepOutcome;
using SteadyTime = std::chrono::steady_clock::time_point;

// After SIGTERM, the process group gets this long before SIGKILL.
constexpr auto kKillGrace = 2s;
// How often a command's exit is checked when the kernel cannot tell us (no pidfd), and how often,
// after a timeout, whether its process group is gone.
constexpr auto kExitCheckEvery = 50ms;
// Raw output kept beyond output_limit_bytes before redaction: the redactor must see a secret at
// the limit whole, and text that redaction shortened must still fill the limit.
constexpr std::size_t kCaptureSlack = 64 * 1024;

std::string errno_text(int error) {
  char buffer[256];
  return strerror_r(error, buffer, sizeof buffer);  // GNU strerror_r: returns the message
}

std::string seconds_text(Duration duration) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(duration));
}

// Output kept up to a cap; the bytes past it are only counted.
class Capture {
 public:
  explicit Capture(std::size_t limit)
      : cap_(limit > (SIZE_MAX - kCaptureSlack) / 2 ? SIZE_MAX : 2 * limit + kCaptureSlack) {}
  void append(const char* data, std::size_t size) {
    const std::size_t room = cap_ - std::min(cap_, text_.size());
    const std::size_t kept = std::min(room, size);
    text_.append(data, kept);
    uncaptured_ += size - kept;
  }
  const std::string& text() const { return text_; }
  std::size_t uncaptured() const { return uncaptured_; }

 private:
  std::size_t cap_;
  std::string text_;
  std::size_t uncaptured_ = 0;
};

// What the timeline may hold: redacted first (so a secret is recognised whole), then cut to limit
// at a UTF-8 character boundary, with a marker counting what was dropped (bytes cut after
// redaction plus raw bytes never captured).
std::string finish_output(const incident::Redactor& redactor, std::string_view raw,
                          std::size_t uncaptured, std::size_t limit) {
  std::string text = redactor.redact(raw);
  std::size_t dropped = uncaptured;
  if (text.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
      --cut;
    dropped += text.size() - cut;
    text.resize(cut);
  }
  if (dropped > 0) {
    if (!text.empty() && text.back() != '\n')
      text += '\n';
    text += "[\u2026 " + std::to_string(dropped) + " bytes dropped]";
  }
  return text;
}

StepOutcome failed(const incident::Redactor& redactor, const std::string& error,
                   std::string output = {}, int status_code = 0) {
  StepOutcome outcome;
  outcome.ok = false;
  outcome.error = redactor.redact(error);
  outcome.output = std::move(output);
  outcome.status_code = status_code;
  return outcome;
}

// The placeholder values, those the caller left empty taken from the incident.
runbook::Placeholders placeholders_for(const StepContext& context) {
  runbook::Placeholders values = context.placeholders;
  if (values.incident_id.empty())
    values.incident_id = std::to_string(context.incident.id);
  if (values.service.empty())
    values.service = context.incident.service;
  if (values.severity.empty())
    values.severity = std::string(incident::to_string(context.incident.severity));
  if (values.runbook.empty())
    values.runbook = context.runbook;
  return values;
}

// ---- command ------------------------------------------------------------------------------------

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  bool actions_ready = false;
  bool attributes_ready = false;
  SpawnSetup() = default;
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    if (actions_ready)
      posix_spawn_file_actions_destroy(&actions);
    if (attributes_ready)
      posix_spawnattr_destroy(&attributes);
  }
};

// stdin /dev/null, stdout and stderr the pipe's write end, every other descriptor closed, working
// directory /, a process group of its own (so the timeout reaches grandchildren), default signal
// dispositions and an empty signal mask (whatever the agent ignores or blocks).
int prepare_spawn(SpawnSetup& setup, int output_fd) {
  if (int rc = posix_spawn_file_actions_init(&setup.actions); rc != 0)
    return rc;
  setup.actions_ready = true;
  posix_spawn_file_actions_t* actions = &setup.actions;
  for (int rc : {posix_spawn_file_actions_addopen(actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
                 posix_spawn_file_actions_adddup2(actions, output_fd, STDOUT_FILENO),
                 posix_spawn_file_actions_adddup2(actions, output_fd, STDERR_FILENO),
                 posix_spawn_file_actions_addclosefrom_np(actions, STDERR_FILENO + 1),
                 posix_spawn_file_actions_addchdir_np(actions, "/")}) {
    if (rc != 0)
      return rc;
  }
  if (int rc = posix_spawnattr_init(&setup.attributes); rc != 0)
    return rc;
  setup.attributes_ready = true;
  sigset_t none;
  sigemptyset(&none);
  sigset_t every;
  sigfillset(&every);
  sigdelset(&every, SIGKILL);
  sigdelset(&every, SIGSTOP);
  posix_spawnattr_t* attributes = &setup.attributes;
  for (int rc :
       {posix_spawnattr_setsigmask(attributes, &none),
        posix_spawnattr_setsigdefault(attributes, &every), posix_spawnattr_setpgroup(attributes, 0),
        posix_spawnattr_setflags(attributes,
                                 static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                    POSIX_SPAWN_SETSIGDEF))}) {
    if (rc != 0)
      return rc;
  }
  return 0;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (std::string& s : strings)
    result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

std::string signal_text(int signal) {
  const char* name = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) + (name ? " (SIG" + std::string(name) + ")" : "");
}

// True when no process is left in the group (zombies not yet reaped by their parent count).
bool group_gone(pid_t group) {
  return ::kill(-group, 0) != 0 && errno == ESRCH;
}

// Reads whatever the pipe holds now, without waiting. Returns false at end of file (or an error).
bool drain(int fd, Capture& capture) {
  char buffer[16384];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      capture.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0)
      return false;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// Milliseconds from now until `until`, at most kExitCheckEvery when `capped`.
int poll_millis(SteadyTime now, SteadyTime until, bool capped) {
  auto left = std::max(std::chrono::ceil<std::chrono::milliseconds>(until - now), 0ms);
  if (capped)
    left = std::min<std::chrono::milliseconds>(left, kExitCheckEvery);
  return static_cast<int>(std::min<std::int64_t>(left.count(), 60'000));
}

StepOutcome run_command(const runbook::CommandStep& step, const runbook::Placeholders& values,
                        const SystemStepExecutor::Options& options) {
  const incident::Redactor& redactor = options.redactor;
  const std::string& program = step.program;
  if (program.empty() || program.front() != '/')
    return failed(redactor, "program '" + program + "' is not an absolute path; not run");
  if (std::find(options.allowed_commands.begin(), options.allowed_commands.end(), program) ==
      options.allowed_commands.end()) {
    return failed(redactor, "program " + program +
                                " is not on the allowlist (runbooks.allowed_commands); not run");
  }
  struct stat info {};
  if (::stat(program.c_str(), &info) != 0)
    return failed(redactor, "program " + program + " cannot be run: " + errno_text(errno));
  if (!S_ISREG(info.st_mode))
    return failed(redactor, "program " + program + " cannot be run: not a regular file");
  if (::access(program.c_str(), X_OK) != 0)
    return failed(redactor, "program " + program + " is not executable: " + errno_text(errno));

  std::vector<std::string> argv_strings{program};
  for (const std::string& arg : step.args)
    argv_strings.push_back(runbook::expand_placeholders(arg, values));
  std::vector<std::string> env_strings{
      "PATH=/usr/local/bin:/usr/bin:/bin",         "LANG=C.UTF-8",
      "SLOE_INCIDENT_ID=" + values.incident_id,    "SLOE_INCIDENT_SERVICE=" + values.service,
      "SLOE_INCIDENT_SEVERITY=" + values.severity, "SLOE_RUNBOOK=" + values.runbook,
  };
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return failed(redactor, "running " + program + ": cannot create a pipe: " + errno_text(errno));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  // Only our end is non-blocking: the child's output stays an ordinary blocking pipe.
  const int flags = ::fcntl(read_end.get(), F_GETFL);
  if (flags < 0 || ::fcntl(read_end.get(), F_SETFL, flags | O_NONBLOCK) != 0)
    return failed(redactor,
                  "running " + program + ": cannot set up the pipe: " + errno_text(errno));

  pid_t pid = 0;
  {
    SpawnSetup setup;
    if (int rc = prepare_spawn(setup, write_end.get()); rc != 0)
      return failed(redactor,
                    "running " + program + ": cannot set up the process: " + errno_text(rc));
    if (int rc = ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes,
                               argv.data(), envp.data());
        rc != 0) {
      return failed(redactor, "program " + program + " cannot be run: " + errno_text(rc));
    }
  }
  write_end.reset();  // the child holds the only write end now: end of file when it closes it
  // Readable once the child exits; -1 on kernels without pidfds (before 5.3): then polled.
  UniqueFd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  Capture capture(options.output_limit_bytes);
  const SteadyTime deadline = std::chrono::steady_clock::now() + step.timeout;
  std::optional<SteadyTime> kill_at;  // set once the timeout sent SIGTERM
  bool pipe_open = true;
  bool reaped = false;
  int status = 0;
  int wait_error = 0;  // waitpid failed (ECHILD: something else reaped the child)
  const auto reap = [&](int wait_flags) {
    const pid_t waited = ::waitpid(pid, &status, wait_flags);
    if (waited == pid) {
      reaped = true;
    } else if (waited < 0 && errno != EINTR) {
      wait_error = errno;
      reaped = true;
    }
  };
  while (true) {
    if (!reaped)
      reap(WNOHANG);
    if (reaped) {
      // Everything the child wrote before it exited is in the pipe now. A grandchild still
      // holding the pipe is not waited for (its later output is not captured).
      if (pipe_open)
        pipe_open = drain(read_end.get(), capture);
      if (!kill_at || group_gone(pid))
        break;
    }
    const SteadyTime now = std::chrono::steady_clock::now();
    if (!kill_at && now >= deadline) {
      ::kill(-pid, SIGTERM);
      kill_at = now + kKillGrace;
    }
    if (kill_at && now >= *kill_at) {
      ::kill(-pid, SIGKILL);
      while (!reaped)
        reap(0);
      if (pipe_open)
        drain(read_end.get(), capture);
      break;
    }
    // Wake up for output, for the child's exit (its pidfd turns readable), or at the next
    // deadline; without a pidfd, or while waiting for grandchildren, check every so often.
    pollfd watched[2];
    nfds_t count = 0;
    if (pipe_open)
      watched[count++] = pollfd{read_end.get(), POLLIN, 0};
    const bool exit_wakes_us = !reaped && exit_fd.get() >= 0;
    if (exit_wakes_us)
      watched[count++] = pollfd{exit_fd.get(), POLLIN, 0};
    const int wait_ms = poll_millis(now, kill_at ? *kill_at : deadline, !exit_wakes_us);
    if (::poll(watched, count, wait_ms) > 0 && pipe_open && watched[0].revents != 0)
      pipe_open = drain(read_end.get(), capture);
  }

  StepOutcome outcome;
  if (wait_error != 0 && !kill_at) {
    return failed(
        redactor, "lost track of " + program + ": " + errno_text(wait_error),
        finish_output(redactor, capture.text(), capture.uncaptured(), options.output_limit_bytes));
  }
  if (WIFEXITED(status))
    outcome.status_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    outcome.status_code = 128 + WTERMSIG(status);
  outcome.output =
      finish_output(redactor, capture.text(), capture.uncaptured(), options.output_limit_bytes);
  if (kill_at) {
    outcome.error = "timed out after " + seconds_text(step.timeout);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    outcome.ok = true;
  } else if (WIFEXITED(status)) {
    outcome.error = "exit status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    outcome.error = "killed by " + signal_text(WTERMSIG(status));
  } else {
    outcome.error = "ended with wait status " + std::to_string(status);
  }
  return outcome;
}

// ---- http ---------------------------------------------------------------------------------------

void curl_global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Capture*>(user)->append(data, size * count);
  return size * count;
}

std::string ranges_text(const std::vector<std::pair<int, int>>& ranges) {
  std::string text;
  for (const auto& [low, high] : ranges) {
    if (!text.empty())
      text += ", ";
    text += low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
  }
  return text;
}

StepOutcome run_http(const runbook::HttpStep& step, const runbook::Placeholders& values,
                     const SystemStepExecutor::Options& options) {
  const incident::Redactor& redactor = options.redactor;
  if (step.method.empty() || !std::all_of(step.method.begin(), step.method.end(),
                                          [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return failed(redactor, "method '" + step.method + "' is not an HTTP method");
  }
  const std::string url = runbook::expand_placeholders(step.url, values);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return failed(redactor, "url '" + url + "' is not http:// or https://");
  // A placeholder value (an incident's service comes from alert labels) must not smuggle in a
  // second header or request line.
  if (has_control_character(url))
    return failed(redactor, "url contains a control character after placeholders were replaced");
  std::vector<std::string> lines;
  for (const runbook::HttpHeaderSpec& header : step.headers) {
    std::string value;
    if (!header.secret_env.empty()) {
      const char* secret = std::getenv(header.secret_env.c_str());
      if (secret == nullptr) {
        return failed(redactor, "header " + header.name + ": environment variable " +
                                    header.secret_env + " is not set");
      }
      value = secret;
    } else {
      value = runbook::expand_placeholders(header.value, values);
    }
    if (has_control_character(header.name) || has_control_character(value)) {
      return failed(redactor, "header " + header.name +
                                  " contains a control character after placeholders were replaced");
    }
    lines.push_back(header.name + ": " + value);
  }
  lines.emplace_back("Expect:");  // no 100-continue round trip for larger bodies
  const std::string body = runbook::expand_placeholders(step.body, values);

  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy)
    return failed(redactor, "cannot create a curl handle");
  curl_slist* list = nullptr;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      return failed(redactor, "out of memory building the request headers");
    }
    list = grown;
  }
  const std::unique_ptr<curl_slist, ListDeleter> headers(list);

  Capture capture(options.output_limit_bytes);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(
      h, CURLOPT_TIMEOUT_MS,
      static_cast<long>(std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::milliseconds>(step.timeout).count())));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "sloe-runbook");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (step.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (step.method == "GET" && body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (!body.empty() || step.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    }
    if (step.method != "POST")
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, step.method.c_str());
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OPERATION_TIMEDOUT)
    return failed(redactor, "timed out after " + seconds_text(step.timeout));
  if (code != CURLE_OK) {
    const std::string why = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return failed(redactor, "request failed: " + why);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);

  StepOutcome outcome;
  outcome.status_code = static_cast<int>(status);
  outcome.output = finish_output(redactor, "HTTP " + std::to_string(status) + "\n" + capture.text(),
                                 capture.uncaptured(), options.output_limit_bytes);
  const std::vector<std::pair<int, int>> expected =
      step.expect_status.empty() ? std::vector<std::pair<int, int>>{{200, 299}}
                                 : step.expect_status;
  outcome.ok = std::any_of(expected.begin(), expected.end(), [&](const auto& range) {
    return status >= range.first && status <= range.second;
  });
  if (!outcome.ok)
    outcome.error = "expected status " + ranges_text(expected) + ", got " + std::to_string(status);
  return outcome;
}

// ---- notify -------------------------------------------------------------------------------------

StepOutcome run_notify(const runbook::Step& step, const runbook::NotifyStep& notify,
                       const StepContext& context, const runbook::Placeholders& values,
                       const SystemStepExecutor::Options& options) {
  const incident::Redactor& redactor = options.redactor;
  if (notify.receiver.empty())
    return failed(redactor, "the notify step names no receiver");
  if (!options.notify)
    return failed(redactor, "no notification outbox configured");
  if (options.has_receiver && !options.has_receiver(notify.receiver))
    return failed(redactor, "no receiver named '" + notify.receiver + "' in the routing tree");
  const std::string message = runbook::expand_placeholders(notify.message, values);
  const TimePoint now = SystemClock().now();

  alert::GroupNotification notification;
  notification.receiver = notify.receiver;
  notification.group_key =
      "{}:{incident=\"" + values.incident_id + "\",runbook=\"" + values.runbook + "\"}";
  notification.group_labels = {{"incident", values.incident_id}, {"runbook", values.runbook}};
  notification.at = now;
  alert::Alert alert;
  alert.labels = context.incident.labels;
  // A message from a runbook, not the alert that opened the incident: a receiver (and a person
  // reading it) must not take it for a second page or a ticket that inhibition let through.
  alert.labels["alertname"] = "RunbookNotification";
  alert.labels["incident"] = values.incident_id;
  alert.labels["runbook"] = values.runbook;
  alert.labels["runbook_step"] = step.id;
  alert.annotations = {{"summary", message}};
  if (!context.incident.title.empty())
    alert.annotations["incident_title"] = context.incident.title;
  alert.starts_at = now;
  notification.alerts.push_back(std::move(alert));
  if (Status queued = options.notify(notification); !queued) {
    return failed(redactor, "queueing the notification to " + notify.receiver + ": " +
                                queued.error().message);
  }
  StepOutcome outcome;
  outcome.ok = true;
  outcome.output = finish_output(redactor, "queued for " + notify.receiver + ": " + message, 0,
                                 options.output_limit_bytes);
  return outcome;
}

}  // namespace

SystemStepExecutor::SystemStepExecutor(Options options) : options_(std::move(options)) {
  curl_global_init_once();
}

StepOutcome SystemStepExecutor::perform(const runbook::Step& step, const StepContext& context) {
  try {
    const runbook::Placeholders values = placeholders_for(context);
    if (const auto* command = std::get_if<runbook::CommandStep>(&step.action))
      return run_command(*command, values, options_);
    if (const auto* http = std::get_if<runbook::HttpStep>(&step.action))
      return run_http(*http, values, options_);
    if (const auto* notify = std::get_if<runbook::NotifyStep>(&step.action))
      return run_notify(step, *notify, context, values, options_);
    return failed(options_.redactor, "step '" + step.id + "' is " +
                                         std::string(runbook::to_string(step.kind())) +
                                         ": a person performs it, not sloe");
  } catch (const std::exception& error) {
    return failed(options_.redactor, "step '" + step.id + "' failed: " + error.what());
  }
}

}  // namespace sloe::app

// StepExecutor: performs the automated steps of a runbook (http, command, notify) and reports a
// runbook::StepOutcome whose output is already truncated and redacted — what the timeline may
// hold. The run rules (runbook/run.h) decide when a step runs; this only performs it.
//
// SystemStepExecutor, the real one:
// - http: one request through libcurl (method, url, headers, body, timeout; redirects not
//   followed; TLS verified). ok when the status is in the expected ranges (default 200-299).
//   Output: "HTTP <status>" then the response body, cut at output_limit_bytes.
// - command: fork + execve of the program with argv {program, args...} — no shell, so no
//   expansion or injection — with an environment holding only PATH=/usr/local/bin:/usr/bin:/bin,
//   LANG=C.UTF-8 and SLOE_INCIDENT_ID / SLOE_INCIDENT_SERVICE / SLOE_INCIDENT_SEVERITY /
//   SLOE_RUNBOOK, stdin from /dev/null, stdout and stderr captured together, working directory /.
//   The program must be on the allowlist at the time it runs (a configuration edited after loading
//   cannot sneak one in). On timeout the process group gets SIGTERM, then SIGKILL 2s later; the
//   outcome says "timed out after 30s". ok when it exits 0; status_code = exit status (or 128 +
//   signal).
// - notify: queues one notification (alert::GroupNotification: the incident's labels with
//   alertname=RunbookNotification, incident, runbook and runbook_step, and the message as its
//   summary annotation) to the receiver through Options::notify; ok when queued.
// Output of every kind passes Options::redactor, then is cut to output_limit_bytes with a marker
// "[… N bytes dropped]".
//
// Thread-safety: perform() may be called from several threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sloe/alert/notification.h"
#include "sloe/core/result.h"
#include "sloe/incident/model.h"
#include "sloe/incident/redact.h"
#include "sloe/runbook/model.h"
#include "sloe/runbook/run.h"

namespace sloe::app {

// What a step is performed for.
struct StepContext {
  incident::Incident incident;
  std::string runbook;  // Runbook::name
  runbook::Placeholders placeholders;
};

class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  // REQUIRES: step.automated(). Never throws; every failure is an outcome with ok == false.
  virtual runbook::StepOutcome perform(const runbook::Step& step, const StepContext& context) = 0;
};

class SystemStepExecutor final : public StepExecutor {
 public:
  struct Options {
    std::vector<std::string> allowed_commands;  // absolute paths
    std::size_t output_limit_bytes = 16 * 1024;
    incident::Redactor redactor;
    // Queues a notification durably (the notifier's outbox); null: notify steps fail ("no
    // notification outbox configured").
    std::function<Status(const alert::GroupNotification&)> notify;
    // Whether a receiver of this name exists; null: any name is accepted.
    std::function<bool(std::string_view)> has_receiver;
  };
  explicit SystemStepExecutor(Options options);
  runbook::StepOutcome perform(const runbook::Step& step, const StepContext& context) override;

 private:
  Options options_;
};

}  // namespace sloe::app

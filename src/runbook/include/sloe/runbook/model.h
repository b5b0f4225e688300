// A runbook: what the person who was paged should do, and which of those steps sloe can do for
// them. Plain data (no I/O); read from <config>/runbooks/*.md by the config loader (a Markdown
// file with an optional YAML front matter, see README "Runbooks"), run by run.h's rules.
//
// A file without front matter is still a runbook: name from the file name, no steps, applies to
// nothing automatically (it can still be attached by hand and linked from an SLO).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/incident/model.h"

namespace sloe::runbook {

// A checklist item a responder ticks. Never blocks the automated steps (see run.h).
struct ManualStep {};

// One HTTP request. Placeholders ({{incident_id}}, {{service}}, {{severity}}, {{runbook}}) are
// replaced in url, header values and body (see run.h expand_placeholders). Header values may name
// a secret instead of a literal: the agent resolves it when the step runs.
struct HttpHeaderSpec {
  std::string name;
  std::string value;       // literal (never a credential: the loader refuses obvious ones)
  std::string secret_env;  // non-empty: the value comes from this environment variable
};

struct HttpStep {
  std::string method = "GET";
  std::string url;  // http:// or https://
  std::vector<HttpHeaderSpec> headers;
  std::string body;
  std::vector<std::pair<int, int>> expect_status;  // inclusive ranges; empty: 200-299
  Duration timeout = std::chrono::seconds(10);
};

// A program run without a shell: argv = {program, args...}, environment cleared except PATH,
// LANG and SLOE_INCIDENT_ID / SLOE_INCIDENT_SERVICE / SLOE_INCIDENT_SEVERITY / SLOE_RUNBOOK.
// program is an absolute path that the configuration's allowlist names (checked when loading and
// again before running). Placeholders are replaced inside args (each arg stays one argv entry).
struct CommandStep {
  std::string program;
  std::vector<std::string> args;
  Duration timeout = std::chrono::seconds(30);
};

// A message to a receiver of the routing tree, through the notification outbox.
struct NotifyStep {
  std::string receiver;
  std::string message;  // placeholders replaced
};

// A responder or admin must approve before any later automated step runs. A request not answered
// within `expires_after` expires (the run stops there until the step is retried).
struct ApprovalStep {
  std::string prompt;
  Duration expires_after = std::chrono::minutes(30);
};

enum class StepKind { kManual, kHttp, kCommand, kNotify, kApproval };
// "manual", "http", "command", "notify", "approval".
std::string_view to_string(StepKind kind);

struct Step {
  std::string id;  // [a-z0-9_-]+, unique within the runbook (default: "step-<n>", 1-based)
  std::string title;
  std::string description;  // Markdown, may be empty
  // Alternatives in StepKind order (kind() is the index).
  std::variant<ManualStep, HttpStep, CommandStep, NotifyStep, ApprovalStep> action;

  StepKind kind() const;
  // http, command and notify: sloe runs them. manual and approval wait for a person.
  bool automated() const;
};

// What a runbook applies to. Each non-empty list must match (AND); within a list any entry
// matches (OR), except matchers, which must all match one alert's labels (Alertmanager matcher
// semantics). An empty AppliesTo matches nothing (the runbook is attached by hand only).
struct AppliesTo {
  std::vector<alert::Matcher> matchers;  // against the labels of an alert linked to the incident
  std::vector<std::string> services;     // the incident's service
  std::vector<incident::Severity> severities;
  bool empty() const { return matchers.empty() && services.empty() && severities.empty(); }
};

enum class Trigger { kOpen, kSeverityChange, kManual };
// "open", "severity_change", "manual".
std::string_view to_string(Trigger trigger);
std::optional<Trigger> parse_trigger(std::string_view text);

// Recovery targets the runbook serves (e.g. a restore procedure: RPO 24h, RTO 1h).
struct RecoveryTargets {
  std::optional<Duration> rpo;
  std::optional<Duration> rto;
};

struct Runbook {
  std::string name;   // [a-z0-9][a-z0-9_.-]*, unique; default: the file name without .md
  std::string title;  // front matter `title`, else the first "# " heading, else the name
  std::string file;   // path as loaded, for messages
  AppliesTo applies_to;
  // When sloe starts this runbook by itself (on top of by hand, always possible). Default: open.
  std::vector<Trigger> triggers{Trigger::kOpen};
  RecoveryTargets recovery;
  // The Markdown sections by heading ("## Meaning", ...), empty when absent; body is the whole
  // Markdown after the front matter.
  std::string meaning;
  std::string impact;
  std::string diagnosis;
  std::string mitigation;
  std::string body;
  std::vector<Step> steps;
};

}  // namespace sloe::runbook

// Loading and validating configuration: YAML files under <dir>/slo/ and <dir>/alerts/,
// <dir>/sloe.yaml and the runbooks in <dir>/runbooks/ -> config::Config.
//
// Contract:
// - Every problem is reported, not just the first: a person fixing a file sees the whole list
//   in one `sloe check` run. Each diagnostic points at the offending node (file:line:col).
// - A Config is returned only when there is no error; warnings alone do not block loading.
// - Secrets are never read while loading: configuration names where a secret lives
//   ({ env: NAME } or { file: PATH }) and the agent calls resolve_secret() when it starts.
// - Relative TLS file paths (ca_file, cert_file, key_file) are joined to the configuration
//   directory by load_config(); load_config_from_strings() keeps them as written.
//
// Thread-safety: every function here is reentrant and keeps no state between calls.
// resolve_secret() reads the process environment, so it must not race with setenv().
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/model.h"
#include "sloe/core/result.h"

namespace sloe::config {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation location;  // file path as opened, 1-based line and column (0: whole file)
  std::string message;

  // "file:line:col: error: message" (or "warning:"); "file: error: message" for whole-file
  // problems that have no line.
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;         // set only when there is no error
  std::vector<Diagnostic> diagnostics;  // every problem found, in file then line order

  bool ok() const { return config.has_value(); }
};

// Reads every *.yaml / *.yml file under dir/slo (recursively, sorted by path; names starting
// with '.' are skipped, so editor backups and Kubernetes ConfigMap internals are ignored) and
// validates the whole configuration. A missing slo/ folder is an error; an empty one is valid
// (no SLOs). A file may hold several YAML documents separated by `---`.
// Then every such file under dir/alerts (optional folder): a document with a top-level `route:`
// key is an Alertmanager configuration (Config::alerting; at most one across alerts/); other
// documents there are on-call definitions.
// Then dir/sloe.yaml (optional; one document): the agent's settings (Config::settings: server,
// incidents, redaction, runbooks, postmortem). Its relative tls and tokens_file paths are joined
// to dir.
// Then every dir/runbooks/*.md file (optional folder; not recursive; README.md and hidden names
// skipped): a runbook each (Config::runbooks, sorted by name), see runbooks/README.md.
LoadResult load_config(const std::string& dir);

// Same from in-memory documents (name -> YAML text), in the order given. The names appear in
// diagnostics as file names; a name that starts with "alerts/" or contains "/alerts/" is read as
// a file of the alerts/ folder, the name "sloe.yaml" as the settings file, a name that starts
// with "runbooks/" as a runbook file (Markdown; README.md is not skipped here), any other as one
// of slo/. Config::directory is empty.
LoadResult load_config_from_strings(const std::vector<std::pair<std::string, std::string>>& files);

// Resolves a secret: the environment variable's value, or the file's contents with one trailing
// newline ("\n" or "\r\n") stripped. Relative file paths are relative to base_dir (the
// configuration directory). Errors when the variable is unset or empty, or the file is
// unreadable or empty; the message names the variable or path but never the value.
Result<std::string> resolve_secret(const SecretRef& ref, const std::string& base_dir);

}  // namespace sloe::config

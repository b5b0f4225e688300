// Loading on-call configuration (users, rotations, schedules, overrides, escalation policies)
// from the YAML documents under <config>/alerts/ that have no top-level `route:` key; documents
// with one are Alertmanager configuration and are skipped here. docs/oncall.md describes the
// format.
//
// Contract (as load_config in loader.h): every problem is reported with file:line:col, the
// configuration is returned only when there is no error, warnings do not block it. A missing
// alerts/ folder, or one without on-call documents, gives an empty OncallConfig.
//
// Thread-safety: every function is reentrant and keeps no state between calls.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/loader.h"
#include "sloe/oncall/model.h"

namespace sloe::config {

struct OncallLoadResult {
  std::optional<oncall::OncallConfig> oncall;  // set only when there is no error
  std::vector<Diagnostic> diagnostics;         // in file then line order

  bool ok() const { return oncall.has_value(); }
};

// Reads every *.yaml / *.yml under dir/alerts (recursively, sorted by path, names starting with
// '.' skipped), as load_config reads slo/. The Alertmanager document there is validated too, so
// its diagnostics appear here as well; load_config() reads both folders.
OncallLoadResult load_oncall(const std::string& dir);

// Same from in-memory files (name -> YAML text, possibly several `---` documents), in order.
OncallLoadResult load_oncall_from_strings(
    const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace sloe::config

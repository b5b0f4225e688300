// libFuzzer entry point for the on-call configuration loader: whatever bytes the alerts/ files
// hold, loading must return diagnostics, never crash, hang or throw; and a configuration it
// accepts must evaluate (who, a week of shifts, an escalation) without crashing.
//
// The input is split at NUL bytes into up to four files, so that references across files are
// exercised too. Not built by default; for example:
//   clang++ -std=c++20 -fsanitize=fuzzer,address -DUSE_OS_TZDB=1 -Isrc/config/include
//     -Isrc/core/include -Isrc/oncall/include tests/config/fuzz_oncall.cpp src/config/*.cpp
//     src/core/*.cpp src/oncall/*.cpp -lyaml-cpp -ldate-tz
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/oncall_loader.h"
#include "sloe/oncall/escalation.h"
#include "sloe/oncall/schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr std::size_t kMaxFiles = 4;
  std::vector<std::pair<std::string, std::string>> files;
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && files.size() + 1 < kMaxFiles) {
      files.emplace_back("alerts/fuzz-" + std::to_string(files.size()) + ".yaml",
                         std::move(current));
      current.clear();
      continue;
    }
    current.push_back(static_cast<char>(data[i]));
  }
  files.emplace_back("alerts/fuzz-" + std::to_string(files.size()) + ".yaml", std::move(current));

  sloe::config::OncallLoadResult result = sloe::config::load_oncall_from_strings(files);
  bool has_error = false;
  for (const auto& diagnostic : result.diagnostics) {
    has_error = has_error || diagnostic.severity == sloe::config::Diagnostic::Severity::kError;
    (void)diagnostic.to_string();
  }
  if (has_error == result.ok())
    __builtin_trap();
  if (!result.ok())
    return 0;
  const auto config = std::make_shared<const sloe::oncall::OncallConfig>(std::move(*result.oncall));
  const sloe::TimePoint from = sloe::from_unix_seconds(1'790'000'000);  // 2026-09
  for (const auto& schedule : config->schedules) {
    (void)sloe::oncall::who(*config, schedule.name, from);
    (void)sloe::oncall::shifts(*config, schedule.name, from, from + std::chrono::hours(24 * 7));
  }
  for (const auto& policy : config->escalation_policies) {
    auto escalation = sloe::oncall::Escalation::start(config, policy.name, from);
    if (escalation.ok())
      (void)escalation->due(from + std::chrono::hours(24));
  }
  return 0;
}

// libFuzzer entry point for the configuration loader: whatever bytes a file holds, loading must
// return diagnostics, never crash, hang or throw.
//
// The input is split at NUL bytes into up to eight files, so that checks spanning files
// (duplicate names, probe references) are exercised too; every third one is a runbook file. Not
// built by default; for example:
//   clang++ -std=c++20 -fsanitize=fuzzer,address -DUSE_OS_TZDB=1 -Isrc/config/include
//     -Isrc/core/include -Isrc/oncall/include tests/config/fuzz_config.cpp src/config/*.cpp
//     src/core/*.cpp src/oncall/*.cpp -lyaml-cpp -ldate-tz
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sloe/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr std::size_t kMaxFiles = 8;
  std::vector<std::pair<std::string, std::string>> files;
  // Every third file is a runbook (Markdown with YAML front matter), the others slo/ files.
  const auto next_name = [&files] {
    const std::size_t index = files.size();
    return index % 3 == 2 ? "runbooks/fuzz-" + std::to_string(index) + ".md"
                          : "slo/fuzz-" + std::to_string(index) + ".yaml";
  };
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && files.size() + 1 < kMaxFiles) {
      files.emplace_back(next_name(), std::move(current));
      current.clear();
      continue;
    }
    current.push_back(static_cast<char>(data[i]));
  }
  files.emplace_back(next_name(), std::move(current));

  const sloe::config::LoadResult result = sloe::config::load_config_from_strings(files);
  // A configuration is returned exactly when no error was reported.
  bool has_error = false;
  for (const auto& diagnostic : result.diagnostics) {
    has_error = has_error || diagnostic.severity == sloe::config::Diagnostic::Severity::kError;
    (void)diagnostic.to_string();
  }
  if (has_error == result.ok())
    __builtin_trap();
  return 0;
}

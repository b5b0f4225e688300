// Helpers shared by the config tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "sloe/config/loader.h"

namespace sloe::config::testing {

inline LoadResult load_one(const std::string& text, const std::string& name = "slo/a.yaml") {
  return load_config_from_strings({{name, text}});
}

inline std::string all_diagnostics(const LoadResult& result) {
  std::string out;
  for (const Diagnostic& d : result.diagnostics)
    out += "  " + d.to_string() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

// Passes when some error sits exactly at line:column and its message contains fragment.
inline ::testing::AssertionResult HasError(const LoadResult& result, int line, int column,
                                           std::string_view fragment) {
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::kError && d.location.line == line &&
        d.location.column == column && d.message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no error at " << line << ":" << column
                                       << " containing \"" << fragment << "\"; diagnostics:\n"
                                       << all_diagnostics(result);
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sloe-config-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to path() / relative, creating folders on the way.
  void write(const std::string& relative, const std::string& text) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace sloe::config::testing

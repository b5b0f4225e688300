// Well-formedness checks with the real xmllint (libxml2-utils), which CI installs.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace sloe::api::testing {

inline constexpr const char* kXmllint = "/usr/bin/xmllint";

inline bool have_xmllint() {
  return ::access(kXmllint, X_OK) == 0;
}

// xmllint's complaints about text as an XML document: "" when it is well-formed.
// REQUIRES: have_xmllint().
inline std::string xml_errors(const std::string& text) {
  static int counter = 0;
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("sloe-xml-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".xml");
  std::ofstream(file, std::ios::binary) << text;
  const std::string command =
      std::string(kXmllint) + " --noout --nonet '" + file.string() + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe != nullptr && std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    output += buffer.data();
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  std::filesystem::remove(file);
  if (status != 0 && output.empty())
    output = "xmllint failed with status " + std::to_string(status);
  return output;
}

}  // namespace sloe::api::testing

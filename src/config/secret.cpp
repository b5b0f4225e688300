#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sloe/config/loader.h"

namespace sloe::config {

Result<std::string> resolve_secret(const SecretRef& ref, const std::string& base_dir) {
  if (ref.kind == SecretRef::Kind::kEnv) {
    const char* value = std::getenv(ref.name.c_str());
    if (value == nullptr)
      return Error{"environment variable '" + ref.name + "' is not set"};
    if (*value == '\0')
      return Error{"environment variable '" + ref.name + "' is empty"};
    return std::string(value);
  }
  namespace fs = std::filesystem;
  fs::path path(ref.name);
  if (path.is_relative() && !base_dir.empty())
    path = fs::path(base_dir) / path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Error{"secret file '" + path.string() + "' is a directory"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"cannot read secret file '" + path.string() + "': " + std::strerror(errno)};
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string value = contents.str();
  // Editors end files with a newline that is not part of the secret; strip exactly one.
  if (!value.empty() && value.back() == '\n') {
    value.pop_back();
    if (!value.empty() && value.back() == '\r')
      value.pop_back();
  }
  if (value.empty())
    return Error{"secret file '" + path.string() + "' is empty"};
  return value;
}

}  // namespace sloe::config

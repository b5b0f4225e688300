// Private to the config module: typed reads from yaml-cpp nodes that report, rather than throw,
// every shape problem with the node's file:line:col. Not installed, not included by other modules.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/config/loader.h"

namespace sloe::config::detail {

// Collects diagnostics for one file.
class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>* out) : file_(std::move(file)), out_(out) {}

  const std::string& file() const { return file_; }
  // yaml-cpp marks are 0-based; people count from 1. A node without a mark maps to line 0.
  SourceLocation location(const YAML::Node& node) const;
  SourceLocation location(int zero_based_line, int zero_based_column) const;

  void error(const SourceLocation& at, std::string message);
  void warning(const SourceLocation& at, std::string message);
  std::size_t error_count() const { return errors_; }

 private:
  std::string file_;
  std::vector<Diagnostic>* out_;
  std::size_t errors_ = 0;
};

// One key: value pair of a mapping, or one item of a list (then key reads "items[2]").
struct Field {
  std::string key;
  SourceLocation key_location;
  SourceLocation value_location;  // the key's location when the value is empty
  YAML::Node value;

  bool is_null() const { return !value.IsDefined() || value.IsNull(); }
};

// A YAML mapping with string keys, each at most once.
class Mapping {
 public:
  // Reports (and returns nullopt) when node is not a mapping. Non-string and repeated keys are
  // reported and skipped. `what` names the mapping in messages ("probe", "tls").
  static std::optional<Mapping> read(Reader& reader, const Field& field, const std::string& what);
  static std::optional<Mapping> read_node(Reader& reader, const YAML::Node& node,
                                          const SourceLocation& fallback, const std::string& what);

  // Reports every key not in `allowed`, with a did-you-mean suggestion. `context` replaces the
  // name given to read(), e.g. once the probe's name is known.
  void check_keys(Reader& reader, const std::vector<std::string>& allowed,
                  const std::string& context) const;

  // The field, or nullptr when it is absent or empty (`key:` and `key: null` mean "not set").
  const Field* get(std::string_view key) const;
  // The field even when its value is empty; nullptr only when the key is absent.
  const Field* find(std::string_view key) const;
  // Like get(), but reports a missing or empty key as an error.
  const Field* require(Reader& reader, std::string_view key, const std::string& context) const;

  const std::vector<Field>& fields() const { return fields_; }
  const SourceLocation& location() const { return location_; }

 private:
  std::vector<Field> fields_;
  SourceLocation location_;
};

// "a string", "a list", "a mapping", "nothing": how a node's shape reads in a message.
std::string describe(const YAML::Node& node);

// Typed reads. Each reports "<key>: expected ..., got ..." at the value and returns nullopt when
// the value has the wrong shape.
std::optional<std::string> read_string(Reader& reader, const Field& field);
std::optional<bool> read_bool(Reader& reader, const Field& field);
std::optional<std::chrono::milliseconds> read_duration(Reader& reader, const Field& field);
std::optional<double> read_number(Reader& reader, const Field& field);
// The items of a list, each as a Field named "key[i]".
std::optional<std::vector<Field>> read_list(Reader& reader, const Field& field);

}  // namespace sloe::config::detail

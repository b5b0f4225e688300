#include "reader.h"

#include <charconv>
#include <cmath>

#include "sloe/core/duration.h"
#include "sloe/core/text.h"

namespace sloe::config::detail {
namespace {

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty())
      out += ", ";
    out += word;
  }
  return out;
}

}  // namespace

SourceLocation Reader::location(const YAML::Node& node) const {
  if (!node.IsDefined())
    return SourceLocation{file_, 0, 0};
  const YAML::Mark mark = node.Mark();
  return location(mark.line, mark.column);
}

SourceLocation Reader::location(int zero_based_line, int zero_based_column) const {
  if (zero_based_line < 0 || zero_based_column < 0)
    return SourceLocation{file_, 0, 0};
  return SourceLocation{file_, zero_based_line + 1, zero_based_column + 1};
}

void Reader::error(const SourceLocation& at, std::string message) {
  ++errors_;
  out_->push_back(Diagnostic{Diagnostic::Severity::kError, at, std::move(message)});
}

void Reader::warning(const SourceLocation& at, std::string message) {
  out_->push_back(Diagnostic{Diagnostic::Severity::kWarning, at, std::move(message)});
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull())
    return "nothing";
  if (node.IsSequence())
    return "a list";
  if (node.IsMap())
    return "a mapping";
  return "'" + node.Scalar() + "'";
}

std::optional<Mapping> Mapping::read(Reader& reader, const Field& field, const std::string& what) {
  return read_node(reader, field.value, field.value_location, what);
}

std::optional<Mapping> Mapping::read_node(Reader& reader, const YAML::Node& node,
                                          const SourceLocation& fallback, const std::string& what) {
  const SourceLocation at = node.IsDefined() && !node.IsNull() ? reader.location(node) : fallback;
  if (!node.IsDefined() || !node.IsMap()) {
    reader.error(at, what + ": expected a mapping (key: value pairs), got " + describe(node));
    return std::nullopt;
  }
  Mapping mapping;
  mapping.location_ = at;
  for (const auto& entry : node) {
    // Copies: yaml-cpp's iterator hands out proxies whose members die with the temporary.
    const YAML::Node key = entry.first;
    const SourceLocation key_location = reader.location(key);
    if (!key.IsScalar()) {
      reader.error(key_location, what + ": keys must be plain strings, got " + describe(key));
      continue;
    }
    bool repeated = false;
    for (const Field& earlier : mapping.fields_) {
      if (earlier.key == key.Scalar()) {
        reader.error(key_location, "duplicate key '" + key.Scalar() + "' in " + what +
                                       " (first at line " +
                                       std::to_string(earlier.key_location.line) + ")");
        repeated = true;
        break;
      }
    }
    if (repeated)
      continue;
    const YAML::Node value = entry.second;
    // An empty value's mark points at the next token, often on the next line; the key is where
    // the person looks.
    const SourceLocation value_location =
        value.IsDefined() && !value.IsNull() ? reader.location(value) : key_location;
    mapping.fields_.push_back(Field{key.Scalar(), key_location, value_location, value});
  }
  return mapping;
}

void Mapping::check_keys(Reader& reader, const std::vector<std::string>& allowed,
                         const std::string& context) const {
  for (const Field& field : fields_) {
    bool known = false;
    for (const std::string& key : allowed)
      known = known || key == field.key;
    if (known)
      continue;
    const std::string suggestion = closest_match(field.key, allowed);
    std::string message = "unknown key '" + field.key + "' in " + context;
    if (!suggestion.empty()) {
      message += "; did you mean '" + suggestion + "'?";
    } else {
      message += " (expected one of: " + quoted_list(allowed) + ")";
    }
    reader.error(field.key_location, std::move(message));
  }
}

const Field* Mapping::get(std::string_view key) const {
  for (const Field& field : fields_) {
    if (field.key == key)
      return field.is_null() ? nullptr : &field;
  }
  return nullptr;
}

const Field* Mapping::find(std::string_view key) const {
  for (const Field& field : fields_) {
    if (field.key == key)
      return &field;
  }
  return nullptr;
}

const Field* Mapping::require(Reader& reader, std::string_view key,
                              const std::string& context) const {
  for (const Field& field : fields_) {
    if (field.key != key)
      continue;
    if (field.is_null()) {
      reader.error(field.key_location, "'" + field.key + "' in " + context + " has no value");
      return nullptr;
    }
    return &field;
  }
  reader.error(location_, context + " is missing required key '" + std::string(key) + "'");
  return nullptr;
}

std::optional<std::string> read_string(Reader& reader, const Field& field) {
  if (!field.is_null() && field.value.IsScalar())
    return field.value.Scalar();
  reader.error(field.value_location,
               field.key + ": expected a string, got " + describe(field.value));
  return std::nullopt;
}

std::optional<bool> read_bool(Reader& reader, const Field& field) {
  if (!field.is_null() && field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    if (text == "true" || text == "True" || text == "TRUE")
      return true;
    if (text == "false" || text == "False" || text == "FALSE")
      return false;
  }
  reader.error(field.value_location,
               field.key + ": expected true or false, got " + describe(field.value));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> read_duration(Reader& reader, const Field& field) {
  if (field.is_null() || !field.value.IsScalar()) {
    reader.error(field.value_location,
                 field.key + ": expected a duration like 30s, got " + describe(field.value));
    return std::nullopt;
  }
  auto parsed = parse_duration(field.value.Scalar());
  if (parsed)
    return parsed.value();
  // parse_duration says "invalid duration 'x': <reason>"; keep the reason, we name the value.
  std::string reason = parsed.error().message;
  const std::size_t cut = reason.find("': ");
  reason = cut == std::string::npos ? reason : reason.substr(cut + 3);
  std::string message =
      field.key + ": expected a duration like 30s, got '" + field.value.Scalar() + "'";
  if (reason.rfind("expected a number", 0) != 0)
    message += ": " + reason;
  reader.error(field.value_location, std::move(message));
  return std::nullopt;
}

std::optional<double> read_number(Reader& reader, const Field& field) {
  if (!field.is_null() && field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && end == text.data() + text.size() && std::isfinite(value)) {
      return value;
    }
  }
  reader.error(field.value_location,
               field.key + ": expected a number, got " + describe(field.value));
  return std::nullopt;
}

std::optional<std::vector<Field>> read_list(Reader& reader, const Field& field) {
  if (field.is_null() || !field.value.IsSequence()) {
    reader.error(field.value_location,
                 field.key + ": expected a list, got " + describe(field.value));
    return std::nullopt;
  }
  std::vector<Field> items;
  std::size_t index = 0;
  for (const YAML::Node& item : field.value) {
    const SourceLocation at = item.IsNull() ? field.value_location : reader.location(item);
    items.push_back(Field{field.key + "[" + std::to_string(index) + "]", at, at, item});
    ++index;
  }
  return items;
}

}  // namespace sloe::config::detail

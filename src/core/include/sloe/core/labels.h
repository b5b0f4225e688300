// Labels: the name=value pairs that identify a series, an SLO's carried labels, an alert.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sloe {

// Sorted by name, as Prometheus orders them.
using Labels = std::map<std::string, std::string, std::less<>>;

// True if name is a valid Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*.
bool is_valid_label_name(std::string_view name);

}  // namespace sloe

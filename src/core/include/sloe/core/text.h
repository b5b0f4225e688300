// Small text helpers shared by the config and CLI layers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sloe {

// Levenshtein edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Formats a double the way Prometheus and JSON readers expect, independent of the C locale:
// shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string format_double(double value);

}  // namespace sloe

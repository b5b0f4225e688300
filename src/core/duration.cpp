#include "sloe/core/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace sloe {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Largest first: the order a duration must be written in.
constexpr std::array<Unit, 7> kUnits{{{"y", 365LL * 24 * 3600 * 1000},
                                      {"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"m", 60LL * 1000},
                                      {"s", 1000},
                                      {"ms", 1}}};

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return Error{"empty duration"};
  if (text == "0") return std::chrono::milliseconds{0};
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t last_unit = 0;  // index into kUnits + 1 of the previous unit; enforces ordering
  while (pos < text.size()) {
    if (text[pos] < '0' || text[pos] > '9') {
      return Error{"invalid duration '" + std::string(text) + "': expected a number at '" +
                   std::string(text.substr(pos)) + "' (use e.g. 30s, 5m, 1h30m, 30d)"};
    }
    std::int64_t number = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (number > (std::numeric_limits<std::int64_t>::max() - 9) / 10) {
        return Error{"duration '" + std::string(text) + "' is too large"};
      }
      number = number * 10 + (text[pos] - '0');
      ++pos;
    }
    std::size_t unit_end = pos;
    while (unit_end < text.size() && (text[unit_end] < '0' || text[unit_end] > '9')) ++unit_end;
    const std::string_view suffix = text.substr(pos, unit_end - pos);
    if (suffix.empty()) {
      return Error{"invalid duration '" + std::string(text) +
                   "': missing unit (one of ms, s, m, h, d, w, y)"};
    }
    std::size_t index = 0;
    while (index < kUnits.size() && kUnits[index].suffix != suffix) ++index;
    if (index == kUnits.size()) {
      return Error{"invalid duration '" + std::string(text) + "': unknown unit '" +
                   std::string(suffix) + "' (one of ms, s, m, h, d, w, y)"};
    }
    if (index + 1 <= last_unit) {
      return Error{"invalid duration '" + std::string(text) +
                   "': units must go from largest to smallest, each at most once"};
    }
    last_unit = index + 1;
    if (number > std::numeric_limits<std::int64_t>::max() / kUnits[index].millis - total) {
      return Error{"duration '" + std::string(text) + "' is too large"};
    }
    total += number * kUnits[index].millis;
    pos = unit_end;
  }
  return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t remaining = d.count();
  if (remaining == 0) return "0s";
  std::string out;
  if (remaining < 0) {
    out = "-";
    remaining = -remaining;
  }
  for (const Unit& unit : kUnits) {
    // Years and weeks only when exact, so 30d stays "30d" rather than "4w2d".
    if ((unit.suffix == "y" || unit.suffix == "w") && remaining % unit.millis != 0) continue;
    if (remaining >= unit.millis) {
      out += std::to_string(remaining / unit.millis);
      out += unit.suffix;
      remaining %= unit.millis;
    }
  }
  return out;
}

}  // namespace sloe

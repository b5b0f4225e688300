#include "cert_time.h"

#include <array>
#include <charconv>
#include <chrono>
#include <string>
#include <vector>

namespace sloe::probe::detail {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ')
      ++i;
    const std::size_t begin = i;
    while (i < text.size() && text[i] != ' ')
      ++i;
    if (i > begin)
      words.push_back(text.substr(begin, i - begin));
  }
  return words;
}

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<TimePoint> parse_cert_time(std::string_view text) {
  const std::vector<std::string_view> words = split_spaces(text);
  if (words.size() != 5 || words[4] != "GMT")
    return std::nullopt;

  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned m = 0; m < kMonths.size(); ++m) {
    if (words[0] == kMonths[m])
      month = m + 1;
  }
  const std::optional<int> day = to_int(words[1]);
  const std::optional<int> year = to_int(words[3]);
  std::string_view clock = words[2];
  if (const std::size_t dot = clock.find('.'); dot != std::string_view::npos) {
    clock = clock.substr(0, dot);
  }
  if (month == 0 || !day || !year || clock.size() != 8 || clock[2] != ':' || clock[5] != ':') {
    return std::nullopt;
  }
  const std::optional<int> hour = to_int(clock.substr(0, 2));
  const std::optional<int> minute = to_int(clock.substr(3, 2));
  const std::optional<int> second = to_int(clock.substr(6, 2));
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60 || *day < 1) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{month},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok())
    return std::nullopt;
  return TimePoint{std::chrono::sys_days{date}} + std::chrono::hours{*hour} +
         std::chrono::minutes{*minute} + std::chrono::seconds{*second};
}

}  // namespace sloe::probe::detail

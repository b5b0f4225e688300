#include "sloe/oncall/time_zone.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "sloe/core/time_format.h"
#include "zone.h"

namespace sloe::oncall {
namespace {

constexpr std::array<std::string_view, 7> kWeekdayNames{"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kWeekdayLongNames{
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// Reads exactly `digits` decimal digits at text[at].
bool read_digits(std::string_view text, std::size_t at, std::size_t digits, unsigned& out) {
  if (at + digits > text.size())
    return false;
  for (std::size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return false;
  }
  const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, out);
  return ec == std::errc{} && end == text.data() + at + digits;
}

std::string two_digits(unsigned value) {
  std::string out = std::to_string(value);
  return out.size() < 2 ? "0" + out : out;
}

}  // namespace

Result<LocalDateTime> parse_local_date_time(std::string_view text) {
  const Error error{"invalid local date-time '" + std::string(text) +
                    "': expected YYYY-MM-DDThh:mm[:ss] without an offset, e.g. 2026-11-02T09:00"};
  // YYYY-MM-DD?hh:mm is 16 characters; :ss makes 19.
  if (text.size() != 16 && text.size() != 19)
    return error;
  unsigned year = 0;
  LocalDateTime local;
  if (!read_digits(text, 0, 4, year) || text[4] != '-' || !read_digits(text, 5, 2, local.month) ||
      text[7] != '-' || !read_digits(text, 8, 2, local.day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !read_digits(text, 11, 2, local.hour) || text[13] != ':' ||
      !read_digits(text, 14, 2, local.minute)) {
    return error;
  }
  if (text.size() == 19 && (text[16] != ':' || !read_digits(text, 17, 2, local.second)))
    return error;
  local.year = static_cast<int>(year);
  const date::year_month_day ymd{date::year{local.year}, date::month{local.month},
                                 date::day{local.day}};
  if (!ymd.ok()) {
    return Error{"invalid local date-time '" + std::string(text) + "': no such date"};
  }
  if (local.hour > 23 || local.minute > 59 || local.second > 59) {
    return Error{"invalid local date-time '" + std::string(text) +
                 "': time of day out of range (00:00 to 23:59:59)"};
  }
  return local;
}

std::string format_local_date_time(const LocalDateTime& local) {
  std::string year = std::to_string(local.year);
  if (year.size() < 4)
    year.insert(0, 4 - year.size(), '0');
  std::string out = year + "-" + two_digits(local.month) + "-" + two_digits(local.day) + "T" +
                    two_digits(local.hour) + ":" + two_digits(local.minute);
  if (local.second != 0)
    out += ":" + two_digits(local.second);
  return out;
}

Result<std::chrono::minutes> parse_time_of_day(std::string_view text) {
  const Error error{"invalid time of day '" + std::string(text) +
                    "': expected hh:mm between 00:00 and 24:00, e.g. 09:00"};
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3)
    return error;
  unsigned hour = 0;
  unsigned minute = 0;
  if (!read_digits(text, 0, colon, hour) || !read_digits(text, colon + 1, 2, minute))
    return error;
  if (minute > 59 || hour > 24 || (hour == 24 && minute != 0))
    return error;
  return std::chrono::minutes(hour * 60 + minute);
}

Result<Weekday> parse_weekday(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (Weekday day = 0; day < 7; ++day) {
    if (lower == kWeekdayNames[day] || lower == kWeekdayLongNames[day])
      return day;
  }
  return Error{"invalid weekday '" + std::string(text) + "': expected mon, tue, wed, thu, fri, " +
               "sat or sun"};
}

std::string_view weekday_name(Weekday day) {
  return day < 7 ? kWeekdayNames[day] : "?";
}

namespace detail {

const date::time_zone* find_zone(std::string_view name) {
  if (name.empty())
    return nullptr;
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::runtime_error&) {
    return nullptr;  // the library's way of saying "no such zone"
  }
}

}  // namespace detail

bool is_known_time_zone(std::string_view name) {
  return detail::find_zone(name) != nullptr;
}

std::vector<std::string> time_zone_names() {
  std::vector<std::string> names;
  try {
    const date::tzdb& db = date::get_tzdb();
    for (const date::time_zone& zone : db.zones)
      names.emplace_back(zone.name());
  } catch (const std::runtime_error&) {
    return {};  // no database: suggestions are a nicety
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Result<TimePoint> to_instant(const LocalDateTime& local, std::string_view zone) {
  const date::time_zone* tz = detail::find_zone(zone);
  if (tz == nullptr)
    return Error{"unknown time zone '" + std::string(zone) + "'"};
  return detail::earliest_instant(*tz, detail::to_local_time(local));
}

Result<LocalDateTime> to_local(TimePoint t, std::string_view zone) {
  const date::time_zone* tz = detail::find_zone(zone);
  if (tz == nullptr)
    return Error{"unknown time zone '" + std::string(zone) + "'"};
  const auto local = date::floor<std::chrono::seconds>(detail::local_of(*tz, t));
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{local - day};
  LocalDateTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<unsigned>(ymd.month());
  out.day = static_cast<unsigned>(ymd.day());
  out.hour = static_cast<unsigned>(time.hours().count());
  out.minute = static_cast<unsigned>(time.minutes().count());
  out.second = static_cast<unsigned>(time.seconds().count());
  return out;
}

std::string format_in_zone(TimePoint t, std::string_view zone) {
  const date::time_zone* tz = detail::find_zone(zone);
  if (tz == nullptr)
    return format_rfc3339(t);
  const auto seconds = date::floor<std::chrono::seconds>(t);
  const date::sys_info info = tz->get_info(seconds);
  const auto local = date::local_seconds{(seconds + info.offset).time_since_epoch()};
  std::string text = date::format("%Y-%m-%dT%H:%M:%S", local);
  const auto offset_minutes = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  if (offset_minutes == 0)
    return text + "Z";
  const long magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  text += offset_minutes < 0 ? "-" : "+";
  text += two_digits(static_cast<unsigned>(magnitude / 60)) + ":" +
          two_digits(static_cast<unsigned>(magnitude % 60));
  return text;
}

}  // namespace sloe::oncall

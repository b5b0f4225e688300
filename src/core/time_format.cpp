#include "sloe/core/time_format.h"

#include <chrono>
#include <cstdint>
#include <limits>

namespace sloe {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kNanosPerDay = kSecondsPerDay * kNanosPerSecond;

// Appends value as exactly `width` decimal digits; value must fit. Hand-rolled so the output can
// never depend on the C locale.
void append_digits(std::string& out, std::int64_t value, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A cursor over the text being parsed that produces errors naming what was expected where.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }

  // Reads exactly `count` digits.
  bool digits(int count, int& value) {
    value = 0;
    for (int i = 0; i < count; ++i) {
      if (!is_digit(peek()))
        return false;
      value = value * 10 + (peek() - '0');
      advance();
    }
    return true;
  }

  bool literal(char expected) {
    if (peek() != expected)
      return false;
    advance();
    return true;
  }

  Error error(std::string_view expected) const {
    std::string found = at_end() ? "end of text" : "'" + std::string(text_.substr(pos_, 1)) + "'";
    return Error{"invalid timestamp '" + std::string(text_) + "': expected " +
                 std::string(expected) + " at position " + std::to_string(pos_ + 1) +
                 " but found " + found + " (use RFC 3339, e.g. 2026-11-23T09:30:00Z)"};
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Error out_of_range(std::string_view text, std::string_view what) {
  return Error{"invalid timestamp '" + std::string(text) + "': " + std::string(what)};
}

}  // namespace

std::string format_rfc3339(TimePoint t, Rfc3339Precision precision) {
  using namespace std::chrono;
  const std::int64_t total = duration_cast<nanoseconds>(t.time_since_epoch()).count();
  // Floor division: instants before 1970 belong to the day that starts before them.
  std::int64_t day_count = total / kNanosPerDay;
  std::int64_t nanos_of_day = total % kNanosPerDay;
  if (nanos_of_day < 0) {
    nanos_of_day += kNanosPerDay;
    --day_count;
  }
  const year_month_day date{sys_days{days{day_count}}};
  const std::int64_t second_of_day = nanos_of_day / kNanosPerSecond;
  const std::int64_t nanos = nanos_of_day % kNanosPerSecond;

  std::string out;
  out.reserve(30);
  append_digits(out, static_cast<int>(date.year()), 4);
  out += '-';
  append_digits(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  append_digits(out, static_cast<unsigned>(date.day()), 2);
  out += 'T';
  append_digits(out, second_of_day / 3600, 2);
  out += ':';
  append_digits(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_digits(out, second_of_day % 60, 2);
  switch (precision) {
    case Rfc3339Precision::kSeconds:
      break;
    case Rfc3339Precision::kMillis:
      out += '.';
      append_digits(out, nanos / 1'000'000, 3);
      break;
    case Rfc3339Precision::kMicros:
      out += '.';
      append_digits(out, nanos / 1'000, 6);
      break;
    case Rfc3339Precision::kNanos:
      out += '.';
      append_digits(out, nanos, 9);
      break;
  }
  out += 'Z';
  return out;
}

Result<TimePoint> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  if (text.empty())
    return Error{"empty timestamp (use RFC 3339, e.g. 2026-11-23T09:30:00Z)"};
  Scanner in(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!in.digits(4, year))
    return in.error("a 4-digit year");
  if (!in.literal('-'))
    return in.error("'-'");
  if (!in.digits(2, month))
    return in.error("a 2-digit month");
  if (!in.literal('-'))
    return in.error("'-'");
  if (!in.digits(2, day))
    return in.error("a 2-digit day");
  if (!in.literal('T') && !in.literal('t') && !in.literal(' '))
    return in.error("'T'");
  if (!in.digits(2, hour))
    return in.error("a 2-digit hour");
  if (!in.literal(':'))
    return in.error("':'");
  if (!in.digits(2, minute))
    return in.error("a 2-digit minute");
  if (!in.literal(':'))
    return in.error("':'");
  if (!in.digits(2, second))
    return in.error("2-digit seconds");

  std::int64_t nanos = 0;
  if (in.literal('.')) {
    if (!is_digit(in.peek()))
      return in.error("a digit after '.'");
    std::int64_t scale = kNanosPerSecond / 10;
    while (is_digit(in.peek())) {
      nanos += (in.peek() - '0') * scale;  // digits past nanoseconds have scale 0: dropped
      scale /= 10;
      in.advance();
    }
  }

  int offset_sign = 0;
  int offset_hour = 0;
  int offset_minute = 0;
  if (in.literal('Z') || in.literal('z')) {
    // UTC
  } else if (in.peek() == '+' || in.peek() == '-') {
    offset_sign = in.peek() == '+' ? 1 : -1;
    in.advance();
    if (!in.digits(2, offset_hour))
      return in.error("a 2-digit offset hour");
    if (!in.literal(':'))
      return in.error("':' in the offset");
    if (!in.digits(2, offset_minute))
      return in.error("2-digit offset minutes");
  } else {
    return in.error("'Z' or an offset like +02:00");
  }
  if (!in.at_end())
    return in.error("the end of the timestamp");

  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.month().ok())
    return out_of_range(text, "month must be 01..12");
  if (!date.ok())
    return out_of_range(text, "day is not in that month");
  if (hour > 23)
    return out_of_range(text, "hour must be 00..23");
  if (minute > 59)
    return out_of_range(text, "minute must be 00..59");
  if (second == 60)
    return out_of_range(text, "leap seconds (:60) are not supported");
  if (second > 59)
    return out_of_range(text, "seconds must be 00..59");
  if (offset_hour > 23 || offset_minute > 59) {
    return out_of_range(text, "offset must be between -23:59 and +23:59");
  }

  const std::int64_t day_count = sys_days{date}.time_since_epoch().count();
  const std::int64_t second_of_day = (std::int64_t{hour} * 60 + minute) * 60 + second;
  const std::int64_t offset_seconds =
      std::int64_t{offset_sign} * ((std::int64_t{offset_hour} * 60 + offset_minute) * 60);
  const std::int64_t seconds = day_count * kSecondsPerDay + second_of_day - offset_seconds;
  // seconds * 1e9 + nanos must fit the nanosecond count of a TimePoint. The lowest instant has
  // floor seconds one below kMin / 1e9 (division truncates towards zero), hence the extra case.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMaxSeconds = kMax / kNanosPerSecond;
  constexpr std::int64_t kMinSeconds = kMin / kNanosPerSecond - 1;
  if (seconds > kMaxSeconds || seconds < kMinSeconds ||
      (seconds == kMaxSeconds && nanos > kMax % kNanosPerSecond) ||
      (seconds == kMinSeconds && nanos < kNanosPerSecond + kMin % kNanosPerSecond)) {
    return out_of_range(text, "outside the representable range (years 1678..2261)");
  }
  // For negative seconds, multiply one second closer to zero so the product cannot overflow.
  const std::int64_t total = seconds >= 0
                                 ? seconds * kNanosPerSecond + nanos
                                 : (seconds + 1) * kNanosPerSecond - (kNanosPerSecond - nanos);
  const nanoseconds since_epoch{total};
  return TimePoint{duration_cast<TimePoint::duration>(since_epoch)};
}

}  // namespace sloe

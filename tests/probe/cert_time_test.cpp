#include "cert_time.h"

#include <gtest/gtest.h>

namespace sloe::probe::detail {
namespace {

using namespace std::chrono;

TimePoint utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return TimePoint{sys_days{year{y} / month{m} / day{d}}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(CertTime, ParsesOpenSslFormat) {
  EXPECT_EQ(parse_cert_time("Jun 15 12:34:56 2039 GMT"), utc(2039, 6, 15, 12, 34, 56));
  EXPECT_EQ(parse_cert_time("Jan  1 00:00:00 2030 GMT"), utc(2030, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_cert_time("Dec 31 23:59:59 2049 GMT"), utc(2049, 12, 31, 23, 59, 59));
  EXPECT_EQ(parse_cert_time("Mar  3 04:05:06.789 2051 GMT"), utc(2051, 3, 3, 4, 5, 6));
}

TEST(CertTime, RejectsAnythingElse) {
  EXPECT_FALSE(parse_cert_time(""));
  EXPECT_FALSE(parse_cert_time("Jun 15 12:34:56 2039"));
  EXPECT_FALSE(parse_cert_time("Jun 15 12:34:56 2039 PST"));
  EXPECT_FALSE(parse_cert_time("Foo 15 12:34:56 2039 GMT"));
  EXPECT_FALSE(parse_cert_time("Feb 30 12:34:56 2039 GMT"));
  EXPECT_FALSE(parse_cert_time("Jun 15 25:34:56 2039 GMT"));
  EXPECT_FALSE(parse_cert_time("Jun 15 12-34-56 2039 GMT"));
  EXPECT_FALSE(parse_cert_time("2039-06-15 12:34:56 GMT"));
}

}  // namespace
}  // namespace sloe::probe::detail

// Parsing of certificate validity dates as libcurl's CURLINFO_CERTINFO reports them.
#pragma once

#include <optional>
#include <string_view>

#include "sloe/core/clock.h"

namespace sloe::probe::detail {

// Parses OpenSSL's ASN1_TIME_print form, "Jan  1 00:00:00 2030 GMT" (fractional seconds
// allowed and dropped). nullopt for anything else.
std::optional<TimePoint> parse_cert_time(std::string_view text);

}  // namespace sloe::probe::detail

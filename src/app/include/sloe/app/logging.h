// Logging setup: spdlog to stderr, human-readable or one JSON object per line.
#pragma once

#include <string>

#include "sloe/core/result.h"

namespace sloe::app {

// format: "text" or "json"; level: trace, debug, info, warn, error, off.
Status configure_logging(const std::string& format, const std::string& level);

}  // namespace sloe::app

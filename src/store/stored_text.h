// Text forms shared by the store's tables (internal to the store module; not installed).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sloe::store::detail {

// An alert fingerprint as stored: 16 lower-case hex digits (received_alerts, incident_alerts).
inline std::string fingerprint_text(std::uint64_t fingerprint) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fingerprint));
  return buffer;
}

}  // namespace sloe::store::detail

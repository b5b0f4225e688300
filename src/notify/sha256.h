// SHA-256 in lowercase hex (libcrypto), for dedup and idempotency keys. Private to notify.
#pragma once

#include <string>
#include <string_view>

namespace sloe::notify::detail {

std::string sha256_hex(std::string_view bytes);

}  // namespace sloe::notify::detail

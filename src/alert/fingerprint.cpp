#include "sloe/alert/fingerprint.h"

#include <string_view>

namespace sloe::alert {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
// Prometheus model.SeparatorByte: cannot occur in valid UTF-8, so "a"+"bc" != "ab"+"c".
constexpr unsigned char kSeparatorByte = 0xff;

std::uint64_t add_byte(std::uint64_t hash, unsigned char byte) {
  hash ^= byte;
  hash *= kFnvPrime;
  return hash;
}

std::uint64_t add_bytes(std::uint64_t hash, std::string_view bytes) {
  for (const char c : bytes)
    hash = add_byte(hash, static_cast<unsigned char>(c));
  return hash;
}

}  // namespace

std::uint64_t fingerprint(const Labels& labels) {
  // Labels iterates in byte-wise name order, the order Prometheus sorts names in.
  std::uint64_t hash = kFnvOffsetBasis;
  for (const auto& [name, value] : labels) {
    hash = add_bytes(hash, name);
    hash = add_byte(hash, kSeparatorByte);
    hash = add_bytes(hash, value);
    hash = add_byte(hash, kSeparatorByte);
  }
  return hash;
}

std::string fingerprint_hex(const Labels& labels) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::uint64_t hash = fingerprint(labels);
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i) {
    hex[static_cast<std::size_t>(i)] = kDigits[hash & 0xf];
    hash >>= 4;
  }
  return hex;
}

}  // namespace sloe::alert

#include "sloe/api/signed_link.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sloe::api {
namespace {

constexpr std::size_t kKeyBytes = 32;

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t chunk = (std::uint32_t{data[i]} << 16) |
                                (i + 1 < size ? std::uint32_t{data[i + 1]} << 8 : 0) |
                                (i + 2 < size ? std::uint32_t{data[i + 2]} : 0);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    if (i + 1 < size)
      out.push_back(kAlphabet[(chunk >> 6) & 63]);
    if (i + 2 < size)
      out.push_back(kAlphabet[chunk & 63]);
  }
  return out;
}

std::string signature(std::string_view key, std::string_view action, std::string_view subject,
                      std::int64_t expires_unix) {
  std::string message;
  message.append(action).append("\n").append(subject).append("\n");
  message.append(std::to_string(expires_unix));
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
       &mac_size);
  return base64url(mac.data(), mac_size);
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string SignedLink::query() const {
  return "subject=" + percent_encode(subject) + "&expires=" + std::to_string(expires_unix) +
         "&sig=" + signature;
}

SignedLink sign_link(std::string_view key, std::string_view action, std::string_view subject,
                     TimePoint expires) {
  const std::int64_t expires_unix = unix_seconds(expires);
  return SignedLink{std::string(subject), expires_unix,
                    signature(key, action, subject, expires_unix)};
}

Status verify_link(std::string_view key, std::string_view action, const SignedLink& link,
                   TimePoint now) {
  const std::string expected = signature(key, action, link.subject, link.expires_unix);
  if (expected.size() != link.signature.size() ||
      CRYPTO_memcmp(expected.data(), link.signature.data(), expected.size()) != 0) {
    return Error{"the link's signature does not match (altered, or signed with another key)"};
  }
  if (unix_seconds(now) >= link.expires_unix)
    return Error{"the link has expired"};
  return {};
}

Result<std::string> load_or_create_link_key(const std::string& data_dir) {
  const std::string path = (std::filesystem::path(data_dir) / "link.key").string();
  std::ifstream existing(path, std::ios::binary);
  if (existing) {
    std::ostringstream contents;
    contents << existing.rdbuf();
    std::string key = std::move(contents).str();
    if (key.size() < kKeyBytes)
      return Error{path + ": link key is shorter than " + std::to_string(kKeyBytes) + " bytes"};
    return key;
  }
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
    return Error{"cannot generate a link key: no randomness from OpenSSL"};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return Error{path + ": cannot create link key: " + std::strerror(errno)};
  const ssize_t written = ::write(fd, key.data(), key.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(key.size()) || !synced)
    return Error{path + ": cannot write link key"};
  return key;
}

}  // namespace sloe::api

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <vector>

#include "sloe/notify/sender.h"

namespace sloe::notify {
namespace {

constexpr std::size_t kMaxExcerpt = 512;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Exchange {
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange->body.size() < kMaxExcerpt)
    exchange->body.append(data, std::min(bytes, kMaxExcerpt - exchange->body.size()));
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "retry-after")
      exchange->retry_after = parse_retry_after(line.substr(colon + 1));
  }
  return bytes;
}

// One printable line of the response body, for error messages.
std::string excerpt(std::string body) {
  for (char& c : body) {
    if (static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  }
  const auto last = body.find_last_not_of(' ');
  body.erase(last == std::string::npos ? 0 : last + 1);
  return body;
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  long long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || seconds < 0)
    return std::nullopt;
  return std::chrono::seconds(seconds);
}

CurlSender::CurlSender(CurlSenderOptions options) : options_(std::move(options)) {
  global_init();
}

SendResult CurlSender::send(const OutboxRequest& request) {
  SendResult result;
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) {
    result.transport_error = "cannot create a curl handle";
    return result;
  }
  std::vector<std::string> lines;
  for (const auto& [name, value] : request.headers) {
    std::string line = name;
    line += ": ";
    line += value;
    lines.push_back(std::move(line));
  }
  lines.emplace_back("Expect:");  // no 100-continue round trip for larger bodies
  curl_slist* list = nullptr;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      result.transport_error = "out of memory building request headers";
      return result;
    }
    list = grown;
  }
  const std::unique_ptr<curl_slist, ListDeleter> headers(list);
  Exchange exchange;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty())
    curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    // The error buffer names the host at most, never the URL's path, where Slack keeps its
    // secret; the notifier redacts secrets from errors regardless.
    result.transport_error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return result;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  result.status = static_cast<int>(status);
  result.retry_after = exchange.retry_after;
  result.response_excerpt = excerpt(std::move(exchange.body));
  return result;
}

}  // namespace sloe::notify

#include "curl_transfer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "cert_time.h"

namespace sloe::probe::detail {
namespace {

// Regexes see at most this much of a body; the rest is read and dropped.
constexpr std::size_t kMaxCapturedBody = 1 << 20;
constexpr long kMaxRedirects = 10;

constexpr const char* kUserAgent = "sloe-probe";

std::string ranges_text(const std::vector<config::StatusRange>& ranges) {
  if (ranges.empty())
    return "200-299";
  std::string text;
  for (const config::StatusRange& range : ranges) {
    if (!text.empty())
      text += ", ";
    text += std::to_string(range.low);
    if (range.high != range.low)
      text += "-" + std::to_string(range.high);
  }
  return text;
}

bool status_valid(int status, const std::vector<config::StatusRange>& ranges) {
  if (ranges.empty())
    return status >= 200 && status <= 299;
  return std::any_of(ranges.begin(), ranges.end(), [status](const config::StatusRange& range) {
    return status >= range.low && status <= range.high;
  });
}

curl_slist* to_slist(const std::vector<std::string>& lines) {
  curl_slist* list = nullptr;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      return nullptr;
    }
    list = grown;
  }
  return list;
}

// Microsecond timestamps of the phase boundaries, each measured from the start of the run.
struct Boundaries {
  curl_off_t resolved = 0;
  curl_off_t connected = 0;
  curl_off_t handshaken = 0;  // TLS done; 0 for plain connections
  curl_off_t first_byte = 0;
  curl_off_t total = 0;
};

Boundaries read_boundaries(CURL* easy) {
  Boundaries b;
  curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &b.resolved);
  curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &b.connected);
  curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &b.handshaken);
  curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &b.first_byte);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &b.total);
  return b;
}

double seconds(curl_off_t micros) {
  return static_cast<double>(micros) / 1e6;
}

// Phases in blackbox_exporter's sense. curl reports 0 for a boundary it never reached; on a
// failed run that boundary is taken as the end of the run, so the time lands in the phase that
// was in progress instead of being smeared into "transfer". Boundaries are forced monotonic so
// phases are never negative and always sum to the total.
std::vector<Phase> phases_of(Boundaries b, bool tls, bool failed, bool http) {
  auto reached = [&](curl_off_t at) { return at > 0 || !failed ? std::min(at, b.total) : b.total; };
  const curl_off_t resolved = reached(b.resolved);
  const curl_off_t connected = std::max(resolved, reached(b.connected));
  const curl_off_t handshaken = tls ? std::max(connected, reached(b.handshaken)) : connected;
  std::vector<Phase> phases = {{"resolve", seconds(resolved)},
                               {"connect", seconds(connected - resolved)}};
  if (http) {
    const curl_off_t first_byte = std::max(handshaken, reached(b.first_byte));
    phases.push_back({"tls", seconds(handshaken - connected)});
    phases.push_back({"processing", seconds(first_byte - handshaken)});
    phases.push_back({"transfer", seconds(b.total - first_byte)});
  } else if (tls) {
    phases.push_back({"tls", seconds(handshaken - connected)});
  }
  return phases;
}

std::string timeout_stage(const Boundaries& b, bool tls, bool http) {
  if (b.resolved == 0)
    return "while resolving";
  if (b.connected == 0)
    return "while connecting";
  if (tls && b.handshaken == 0)
    return "during the TLS handshake";
  if (!http)
    return "after connecting";
  if (b.first_byte == 0)
    return "waiting for the response";
  return "while reading the body";
}

std::string describe_error(CURLcode code, const char* detail, long os_errno,
                           const PreparedProbe& probe, const Boundaries& b) {
  std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  const bool http = probe.kind == ProbeKind::kHttp;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return describe_timeout(probe.probe.spec.timeout) + " (" + timeout_stage(b, probe.tls, http) +
             ")";
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED)
        return "connection refused";
      if (os_errno == EHOSTUNREACH)
        return "host unreachable";
      if (os_errno == ENETUNREACH)
        return "network unreachable";
      return "could not connect: " + why;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "could not resolve host: " + why;
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate verification failed: " + why;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed: " + why;
    case CURLE_TOO_MANY_REDIRECTS:
      return "more than " + std::to_string(kMaxRedirects) + " redirects";
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without a response";
    default:
      return why;
  }
}

std::optional<TimePoint> earliest_expiry(CURL* easy) {
  curl_certinfo* chain = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &chain) != CURLE_OK || chain == nullptr) {
    return std::nullopt;
  }
  static constexpr std::string_view kExpire = "Expire date:";
  std::optional<TimePoint> earliest;
  for (int i = 0; i < chain->num_of_certs; ++i) {
    for (const curl_slist* item = chain->certinfo[i]; item != nullptr; item = item->next) {
      const std::string_view line = item->data;
      if (line.substr(0, kExpire.size()) != kExpire)
        continue;
      const std::optional<TimePoint> expiry = parse_cert_time(line.substr(kExpire.size()));
      if (expiry && (!earliest || *expiry < *earliest))
        earliest = expiry;
    }
  }
  return earliest;
}

}  // namespace

Status ensure_curl_initialized() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Error{std::string("libcurl initialisation failed: ") + curl_easy_strerror(code)};
  }
  return {};
}

Result<std::unique_ptr<CurlTransfer>> CurlTransfer::create(const PreparedProbe& probe,
                                                           bool reuse_connections) {
  std::unique_ptr<CurlTransfer> transfer(new CurlTransfer(probe));
  CURL* easy = transfer->easy_ = curl_easy_init();
  if (easy == nullptr)
    return Error{"curl_easy_init failed (out of memory?)"};
  const config::ProbeSpec& spec = probe.probe.spec;

  bool ok = true;
  auto set = [&ok](CURLcode code) { ok = ok && code == CURLE_OK; };
  set(curl_easy_setopt(easy, CURLOPT_URL, probe.curl_url.c_str()));
  set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
  // curl's default 16 KiB receive buffer per transfer dominates memory when many probes are in
  // flight at once (e.g. every target timing out); probes read small bodies, so 4 KiB costs no
  // throughput and keeps ~1,000 hung probes under 30 MB RSS (docs/benchmarks.md).
  set(curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 4096L));
  set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count())));
  set(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_));
  // Probes measure the target, not whatever proxy the agent's environment names.
  set(curl_easy_setopt(easy, CURLOPT_PROXY, ""));
  set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
  if (!reuse_connections) {
    set(curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L));
    set(curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L));
  }
  if (!probe.connect_to.empty()) {
    transfer->connect_to_ = to_slist(probe.connect_to);
    if (transfer->connect_to_ == nullptr)
      return Error{"out of memory building CONNECT_TO"};
    set(curl_easy_setopt(easy, CURLOPT_CONNECT_TO, transfer->connect_to_));
  }

  const config::TlsOptions* tls = nullptr;
  if (const auto* http = std::get_if<config::HttpProbeSpec>(&spec.kind)) {
    tls = &http->tls;
  } else if (const auto* tcp = std::get_if<config::TcpProbeSpec>(&spec.kind)) {
    tls = &tcp->tls_options;
  }
  if (tls != nullptr) {
    set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, tls->verify ? 1L : 0L));
    set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls->verify ? 2L : 0L));
    if (!tls->ca_file.empty())
      set(curl_easy_setopt(easy, CURLOPT_CAINFO, tls->ca_file.c_str()));
    if (!tls->cert_file.empty()) {
      set(curl_easy_setopt(easy, CURLOPT_SSLCERT, tls->cert_file.c_str()));
    }
    if (!tls->key_file.empty())
      set(curl_easy_setopt(easy, CURLOPT_SSLKEY, tls->key_file.c_str()));
    // Cheap with OpenSSL (the chain is already in memory) and the only way to read its expiry.
    set(curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L));
  }

  if (const auto* http = std::get_if<config::HttpProbeSpec>(&spec.kind)) {
    transfer->headers_ = to_slist(probe.header_lines);
    if (transfer->headers_ == nullptr && !probe.header_lines.empty()) {
      return Error{"out of memory building headers"};
    }
    set(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers_));
    set(curl_easy_setopt(easy, CURLOPT_USERAGENT, kUserAgent));
    set(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, http->follow_redirects ? 1L : 0L));
    set(curl_easy_setopt(easy, CURLOPT_MAXREDIRS, kMaxRedirects));
    if (http->method == "HEAD") {
      set(curl_easy_setopt(easy, CURLOPT_NOBODY, 1L));
    } else {
      // POST always carries a body (possibly empty) so curl sends Content-Length: 0.
      if (!http->body.empty() || http->method == "POST") {
        set(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(http->body.size())));
        set(curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, http->body.c_str()));
      }
      // A body makes curl say POST; any other verb, or GET with a body, is named explicitly.
      if (http->method != "POST" && (http->method != "GET" || !http->body.empty())) {
        set(curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, http->method.c_str()));
      }
    }
    if (probe.probe.basic_auth) {
      set(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
      set(curl_easy_setopt(easy, CURLOPT_USERNAME, probe.probe.basic_auth->first.c_str()));
      set(curl_easy_setopt(easy, CURLOPT_PASSWORD, probe.probe.basic_auth->second.c_str()));
    }
    transfer->capture_body_ = !probe.must_match.empty() || !probe.must_not_match.empty();
    set(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body));
    set(curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get()));
  } else {
    // TCP: connect (and handshake for TLS), then stop; nothing is sent.
    set(curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L));
  }
  if (!ok)
    return Error{std::string("configuring libcurl failed: ") + transfer->error_};
  return transfer;
}

CurlTransfer::~CurlTransfer() {
  if (easy_ != nullptr)
    curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(connect_to_);
}

std::size_t CurlTransfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* transfer = static_cast<CurlTransfer*>(self);
  const std::size_t bytes = size * count;
  if (transfer->capture_body_ && transfer->body_.size() < kMaxCapturedBody) {
    transfer->body_.append(data, std::min(bytes, kMaxCapturedBody - transfer->body_.size()));
  }
  return bytes;
}

void CurlTransfer::complete(CURLcode code, ProbeResult& result) const {
  const bool http = probe_.kind == ProbeKind::kHttp;
  const Boundaries boundaries = read_boundaries(easy_);
  result.phases = phases_of(boundaries, probe_.tls, code != CURLE_OK, http);
  if (probe_.tls)
    result.tls_earliest_cert_expiry = earliest_expiry(easy_);
  if (http) {
    long status = 0;
    long version = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &version);
    result.http_status = static_cast<int>(status);
    switch (version) {
      case CURL_HTTP_VERSION_1_0:
        result.http_version = 10;
        break;
      case CURL_HTTP_VERSION_1_1:
        result.http_version = 11;
        break;
      case CURL_HTTP_VERSION_2_0:
        result.http_version = 20;
        break;
      case CURL_HTTP_VERSION_3:
        result.http_version = 30;
        break;
      default:
        result.http_version = 0;
        break;
    }
  }
  if (code != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
    result.success = false;
    result.failure = describe_error(code, error_, os_errno, probe_, boundaries);
    return;
  }
  if (!http) {
    result.success = true;
    return;
  }
  const auto& spec = std::get<config::HttpProbeSpec>(probe_.probe.spec.kind);
  if (!status_valid(result.http_status, spec.valid_status)) {
    result.success = false;
    result.failure = "status " + std::to_string(result.http_status) + " not in " +
                     ranges_text(spec.valid_status);
    return;
  }
  try {
    for (const BodyPattern& pattern : probe_.must_match) {
      if (!std::regex_search(body_, pattern.regex, std::regex_constants::match_continuous)) {
        result.success = false;
        result.failure = "body did not match /" + pattern.source + "/";
        return;
      }
    }
    for (const BodyPattern& pattern : probe_.must_not_match) {
      if (std::regex_search(body_, pattern.regex, std::regex_constants::match_continuous)) {
        result.success = false;
        result.failure = "body matched forbidden /" + pattern.source + "/";
        return;
      }
    }
  } catch (const std::regex_error& error) {
    // libstdc++ reports patterns too complex for the input this way.
    result.success = false;
    result.failure = std::string("body regex could not be evaluated: ") + error.what();
    return;
  }
  result.success = true;
}

}  // namespace sloe::probe::detail

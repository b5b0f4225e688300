#include <curl/curl.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <variant>

#include "curl_transfer.h"
#include "prepared_probe.h"
#include "sloe/core/duration.h"

namespace sloe::probe::detail {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string bracketed_host(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[')
    return "[" + host + "]";
  return host;
}

bool has_header(const ResolvedProbe& probe, std::string_view name) {
  for (const auto& [header, value] : probe.headers) {
    if (equals_ignoring_case(header, name))
      return true;
  }
  return false;
}

// libstdc++'s default regex executor backtracks: on a long line, patterns such as `.*x` take
// quadratic time and recurse once per character, so a 100 KiB line overflows the stack. Its
// breadth-first executor (the __polynomial extension) needs neither, and wrapping the pattern in a
// lazy any-prefix lets one anchored pass stand for a search from every position: linear time in
// the body, constant stack. Back-references need backtracking, so that mode rejects them.
std::regex compile_body_regex(const std::string& source) {
#if defined(__GLIBCXX__)
  return std::regex("[\\s\\S]*?(?:" + source + ")",
                    std::regex::ECMAScript | std::regex_constants::__polynomial);
#else
  return std::regex("[\\s\\S]*?(?:" + source + ")", std::regex::ECMAScript);
#endif
}

Status compile_patterns(const std::vector<std::string>& sources, std::string_view field,
                        std::vector<BodyPattern>& out) {
  for (const std::string& source : sources) {
    const std::string where = std::string(field) + " /" + source + "/";
    try {
      // Validated as written first: a valid pattern has balanced groups, so wrapping it cannot
      // change its meaning.
      [[maybe_unused]] const std::regex as_written(source, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      return Error{where + " is not a valid regex: " + error.what()};
    }
    try {
      out.push_back(BodyPattern{source, compile_body_regex(source)});
    } catch (const std::regex_error& error) {
      return Error{where + " cannot run in linear time (back-references are not supported): " +
                   error.what()};
    }
  }
  return {};
}

struct UrlHandle {
  CURLU* url = curl_url();
  ~UrlHandle() { curl_url_cleanup(url); }
  UrlHandle() = default;
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;
};

std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr)
    return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

// TLS server_name: curl takes SNI and the verification name from the URL host, so the URL's host
// becomes server_name and CURLOPT_CONNECT_TO sends the connection to the configured host. Unlike
// CURLOPT_RESOLVE this still resolves the real host on every run, so the resolve and connect
// phases measure what a client of that host would see. The Host header keeps the original
// authority unless the probe sets one.
Status apply_server_name(PreparedProbe& prepared, const std::string& server_name,
                         bool set_host_header) {
  UrlHandle url;
  if (url.url == nullptr)
    return Error{"out of memory parsing the URL"};
  if (curl_url_set(url.url, CURLUPART_URL, prepared.curl_url.c_str(), 0) != CURLUE_OK) {
    return Error{"URL '" + prepared.curl_url + "' cannot be parsed"};
  }
  const std::optional<std::string> host = url_part(url.url, CURLUPART_HOST);
  const std::optional<std::string> port = url_part(url.url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  const std::optional<std::string> explicit_port = url_part(url.url, CURLUPART_PORT);
  if (!host || !port)
    return Error{"URL '" + prepared.curl_url + "' has no host or port"};
  if (curl_url_set(url.url, CURLUPART_HOST, server_name.c_str(), 0) != CURLUE_OK) {
    return Error{"tls server_name '" + server_name + "' is not a valid host name"};
  }
  const std::optional<std::string> rewritten = url_part(url.url, CURLUPART_URL);
  if (!rewritten)
    return Error{"URL '" + prepared.curl_url + "' cannot be rewritten"};
  prepared.curl_url = *rewritten;
  prepared.connect_to.push_back(bracketed_host(server_name) + ":" + *port + ":" + *host + ":" +
                                *port);
  if (set_host_header) {
    prepared.header_lines.push_back("Host: " + *host + (explicit_port ? ":" + *explicit_port : ""));
  }
  return {};
}

Status prepare_http(PreparedProbe& prepared, const config::HttpProbeSpec& http) {
  prepared.curl_url = http.url;
  prepared.tls = http.url.rfind("https://", 0) == 0;
  for (const auto& [name, value] : prepared.probe.headers) {
    // "Name;" is curl's way of sending a header with an empty value.
    prepared.header_lines.push_back(value.empty() ? name + ";" : name + ": " + value);
  }
  // curl would otherwise add "Expect: 100-continue" to large bodies and wait for the server.
  if (!has_header(prepared.probe, "Expect"))
    prepared.header_lines.emplace_back("Expect:");
  if (Status status =
          compile_patterns(http.body_must_match, "body_must_match", prepared.must_match);
      !status) {
    return status;
  }
  if (Status status = compile_patterns(http.body_must_not_match, "body_must_not_match",
                                       prepared.must_not_match);
      !status) {
    return status;
  }
  if (prepared.tls && !http.tls.server_name.empty()) {
    return apply_server_name(prepared, http.tls.server_name, !has_header(prepared.probe, "Host"));
  }
  return {};
}

Status prepare_tcp(PreparedProbe& prepared, const config::TcpProbeSpec& tcp) {
  if (tcp.host.empty() || tcp.port < 1 || tcp.port > 65535) {
    return Error{"TCP probe needs a host and a port in 1-65535"};
  }
  prepared.tls = tcp.tls;
  prepared.curl_url = std::string(tcp.tls ? "https" : "http") + "://" + bracketed_host(tcp.host) +
                      ":" + std::to_string(tcp.port) + "/";
  if (tcp.tls && !tcp.tls_options.server_name.empty()) {
    return apply_server_name(prepared, tcp.tls_options.server_name, false);
  }
  return {};
}

Status prepare_dns(PreparedProbe& prepared, const config::DnsProbeSpec& dns) {
  const std::optional<std::uint16_t> type = dns_type_code(dns.query_type);
  if (!type)
    return Error{"unsupported DNS query type '" + dns.query_type + "'"};
  prepared.dns_type = *type;
  if (Result<std::vector<std::uint8_t>> query = build_dns_query(0, dns.query_name, *type); !query) {
    return query.error();
  }
  std::string server = dns.server;
  if (server.empty()) {
    std::ifstream resolv_conf("/etc/resolv.conf");
    std::optional<std::string> nameserver = first_nameserver(resolv_conf);
    if (!nameserver) {
      return Error{"no DNS server configured and /etc/resolv.conf names no nameserver"};
    }
    server = *nameserver;
  }
  Result<DnsServer> parsed = parse_dns_server(server);
  if (!parsed)
    return parsed.error();
  prepared.dns_server = std::move(parsed).value();
  return {};
}

}  // namespace

std::string describe_timeout(std::chrono::milliseconds timeout) {
  return "timeout after " + format_duration(timeout);
}

PreparedProbe prepare_probe(const ResolvedProbe& probe) {
  PreparedProbe prepared;
  prepared.probe = probe;
  prepared.target = probe.spec.target();
  Status status;
  if (const auto* http = std::get_if<config::HttpProbeSpec>(&probe.spec.kind)) {
    prepared.kind = ProbeKind::kHttp;
    if (Status curl = ensure_curl_initialized(); !curl) {
      status = curl;
    } else {
      status = prepare_http(prepared, *http);
    }
  } else if (const auto* tcp = std::get_if<config::TcpProbeSpec>(&probe.spec.kind)) {
    prepared.kind = ProbeKind::kTcp;
    if (Status curl = ensure_curl_initialized(); !curl) {
      status = curl;
    } else {
      status = prepare_tcp(prepared, *tcp);
    }
  } else {
    prepared.kind = ProbeKind::kDns;
    status = prepare_dns(prepared, std::get<config::DnsProbeSpec>(probe.spec.kind));
  }
  if (status && probe.spec.timeout <= std::chrono::milliseconds::zero()) {
    status = Error{"timeout must be positive"};
  }
  if (!status)
    prepared.setup_error = "probe cannot run: " + status.error().message;
  return prepared;
}

}  // namespace sloe::probe::detail

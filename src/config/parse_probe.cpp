// Probe definitions: the http, tcp and dns kinds, with the checks that catch mistakes before the
// agent runs (unreachable-by-construction URLs, secrets written into files, broken regexes).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <regex>

#include "parse.h"
#include "sloe/core/duration.h"

namespace sloe::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kProbeKeys{"name", "interval", "timeout", "http", "tcp", "dns"};
const std::vector<std::string> kHttpKeys{"url",
                                         "method",
                                         "headers",
                                         "body",
                                         "basic_auth",
                                         "valid_status_codes",
                                         "body_must_match",
                                         "body_must_not_match",
                                         "follow_redirects",
                                         "tls"};
const std::vector<std::string> kTcpKeys{"address", "tls"};
const std::vector<std::string> kDnsKeys{"query_name", "query_type", "server", "require_answers",
                                        "require_noerror"};
const std::vector<std::string> kTlsKeys{"verify", "ca_file", "cert_file", "key_file",
                                        "server_name"};
const std::vector<std::string> kSecretKeys{"env", "file"};
const std::vector<std::string> kBasicAuthKeys{"username", "password"};
const std::vector<std::string> kMethods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
const std::vector<std::string> kQueryTypes{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV"};

constexpr milliseconds kMinInterval{100};
constexpr milliseconds kDefaultTimeout{10'000};
// std::regex compiles recursively; an unbounded pattern from a file could exhaust the stack.
constexpr std::size_t kMaxRegexLength = 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// REQUIRES: all_digits(text).
int to_int_saturated(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() ? value : 1'000'000;
}

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;      // 0: not given
};

// "host", "host:port", "[v6]", "[v6]:port". The error reads after the offending text.
Result<HostPort> parse_host_port(std::string_view text, bool port_required) {
  HostPort out;
  std::string_view port_text;
  bool has_port = false;
  if (text.empty())
    return Error{"is empty"};
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Error{"has an unclosed '[' in its IPv6 address"};
    out.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return Error{"has unexpected text after ']'"};
      port_text = rest.substr(1);
      has_port = true;
    }
    const bool v6_chars = std::all_of(out.host.begin(), out.host.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.' || c == '%';
    });
    if (out.host.empty() || !v6_chars)
      return Error{"has an invalid IPv6 address"};
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return Error{"has an IPv6 address without brackets; write it like [::1]:53"};
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
    }
    if (out.host.empty())
      return Error{"has no host"};
    const bool host_chars = std::all_of(out.host.begin(), out.host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
    });
    if (!host_chars)
      return Error{"has a host with characters not allowed in a host name"};
  }
  if (has_port) {
    if (!all_digits(port_text))
      return Error{"has a port that is not a number"};
    out.port = to_int_saturated(port_text);
    if (out.port < 1 || out.port > 65535) {
      return Error{"has port " + std::string(port_text) + ", outside 1-65535"};
    }
  } else if (port_required) {
    return Error{"has no port"};
  }
  return out;
}

}  // namespace

// http(s)://host[:port][/path][?query]; credentials in the URL are refused because they are
// secrets written into a file.
Status validate_url(std::string_view url) {
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return Error{"must not contain spaces or control characters (percent-encode them)"};
    }
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return Error{"must start with http:// or https://"};
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return Error{"has scheme '" + std::string(url.substr(0, scheme_end)) +
                 "'; only http and https are supported"};
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return Error{
        "carries credentials (user:password@); use basic_auth with { env: NAME } or "
        "{ file: PATH } instead"};
  }
  if (authority.empty())
    return Error{"has no host"};
  auto host = parse_host_port(authority, false);
  if (!host)
    return Error{host.error().message};
  return {};
}

// Names whose values are credentials. Matching "key" also catches X-Api-Key, Api-Key, X-Key-Id.
bool is_secret_header(std::string_view name) {
  const std::string n = lower(name);
  return n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "x-api-key" ||
         n.find("token") != std::string::npos || n.find("secret") != std::string::npos ||
         n.find("key") != std::string::npos;
}

// RFC 9110 token characters.
bool is_valid_header_name(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

bool is_valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

namespace {

std::string secret_hint(const std::string& what) {
  return what +
         " carries a secret: use { env: NAME } or { file: PATH } instead of writing it "
         "into the file";
}

}  // namespace

std::optional<SecretRef> read_secret_ref(Reader& reader, const Field& field,
                                         const std::string& what) {
  if (!field.is_null() && field.value.IsScalar()) {
    reader.error(field.value_location, secret_hint(what));
    return std::nullopt;
  }
  auto mapping = Mapping::read(reader, field, what);
  if (!mapping)
    return std::nullopt;
  mapping->check_keys(reader, kSecretKeys, what);
  const Field* env = mapping->get("env");
  const Field* file = mapping->get("file");
  if (env != nullptr && file != nullptr) {
    reader.error(file->key_location, what + ": set either 'env' or 'file', not both");
    return std::nullopt;
  }
  if (env == nullptr && file == nullptr) {
    reader.error(mapping->location(), what + ": expected { env: NAME } or { file: PATH }");
    return std::nullopt;
  }
  SecretRef ref;
  if (env != nullptr) {
    auto name = read_string(reader, *env);
    if (!name)
      return std::nullopt;
    if (!is_valid_env_name(*name)) {
      reader.error(env->value_location, "env: '" + *name +
                                            "' is not a valid environment variable name "
                                            "([A-Za-z_][A-Za-z0-9_]*)");
      return std::nullopt;
    }
    ref.kind = SecretRef::Kind::kEnv;
    ref.name = *name;
  } else {
    auto path = read_string(reader, *file);
    if (!path)
      return std::nullopt;
    if (path->empty()) {
      reader.error(file->value_location, "file: the path is empty");
      return std::nullopt;
    }
    ref.kind = SecretRef::Kind::kFile;
    ref.name = *path;
  }
  return ref;
}

namespace {

void read_tls_options(Reader& reader, const Mapping& tls, const std::string& what,
                      TlsOptions& out) {
  tls.check_keys(reader, kTlsKeys, what);
  if (const Field* f = tls.get("verify"))
    out.verify = read_bool(reader, *f).value_or(true);
  const auto read_path = [&](const char* key, std::string& target) {
    if (const Field* f = tls.get(key))
      target = read_string(reader, *f).value_or("");
  };
  read_path("ca_file", out.ca_file);
  read_path("cert_file", out.cert_file);
  read_path("key_file", out.key_file);
  read_path("server_name", out.server_name);
  if (!out.key_file.empty() && out.cert_file.empty()) {
    reader.error(tls.get("key_file")->key_location,
                 what + ": key_file needs cert_file (the client certificate it belongs to)");
  }
}

}  // namespace

void read_status_codes(Reader& reader, const Field& field, std::vector<StatusRange>& out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
  if (items->empty()) {
    reader.error(field.value_location,
                 field.key + ": the list is empty; leave the key out to accept 2xx");
    return;
  }
  for (const Field& item : *items) {
    const std::string text = item.value.IsScalar() ? item.value.Scalar() : std::string{};
    const auto in_range = [&](int code) {
      if (code >= 100 && code <= 599)
        return true;
      reader.error(item.value_location,
                   item.key + ": status code " + std::to_string(code) + " is outside 100-599");
      return false;
    };
    const std::size_t dash = text.find('-');
    if (all_digits(text)) {
      const int code = to_int_saturated(text);
      if (in_range(code))
        out.push_back(StatusRange{code, code});
    } else if (text.size() == 3 && text[0] >= '1' && text[0] <= '5' &&
               lower(text.substr(1)) == "xx") {
      const int low = (text[0] - '0') * 100;
      out.push_back(StatusRange{low, low + 99});
    } else if (dash != std::string::npos && all_digits(text.substr(0, dash)) &&
               all_digits(text.substr(dash + 1))) {
      const int low = to_int_saturated(text.substr(0, dash));
      const int high = to_int_saturated(text.substr(dash + 1));
      if (!in_range(low) || !in_range(high))
        continue;
      if (low > high) {
        reader.error(item.value_location,
                     item.key + ": range '" + text + "' is reversed; write the lower code first");
        continue;
      }
      out.push_back(StatusRange{low, high});
    } else {
      reader.error(item.value_location,
                   item.key +
                       ": expected a status code like 200, a range like \"200-299\" or a class "
                       "like \"2xx\", got " +
                       describe(item.value));
    }
  }
}

namespace {

void read_regexes(Reader& reader, const Field& field, std::vector<std::string>& out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
  for (const Field& item : *items) {
    auto pattern = read_string(reader, item);
    if (!pattern)
      continue;
    if (pattern->size() > kMaxRegexLength) {
      reader.error(item.value_location, item.key + ": regular expression is longer than " +
                                            std::to_string(kMaxRegexLength) + " characters");
      continue;
    }
    try {
      const std::regex compiled(*pattern, std::regex::ECMAScript);
      out.push_back(*pattern);
    } catch (const std::regex_error& e) {
      reader.error(item.value_location,
                   item.key + ": invalid regular expression '" + *pattern + "': " + e.what());
    }
  }
}

void read_headers(Reader& reader, const Field& field, const std::string& context,
                  std::vector<HttpHeader>& out) {
  auto headers = Mapping::read(reader, field, "headers of " + context);
  if (!headers)
    return;
  for (const Field& header : headers->fields()) {
    if (!is_valid_header_name(header.key)) {
      reader.error(header.key_location, "'" + header.key + "' is not a valid header name");
      continue;
    }
    const auto same_name = [&](const HttpHeader& h) { return lower(h.name) == lower(header.key); };
    if (std::any_of(out.begin(), out.end(), same_name)) {
      reader.error(header.key_location,
                   "header '" + header.key + "' is set twice (header names ignore case)");
      continue;
    }
    const std::string what = "header '" + header.key + "'";
    if (header.is_null()) {
      reader.error(header.key_location, what + " has no value (write \"\" for an empty one)");
      continue;
    }
    HttpHeader parsed{header.key, {}};
    if (header.value.IsScalar()) {
      if (is_secret_header(header.key)) {
        reader.error(header.value_location, secret_hint(what));
        continue;
      }
      const std::string& value = header.value.Scalar();
      if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        reader.error(header.value_location, what + ": the value must be a single line");
        continue;
      }
      parsed.value.literal = value;
    } else {
      auto secret = read_secret_ref(reader, header, what);
      if (!secret)
        continue;
      parsed.value.secret = *secret;
    }
    out.push_back(std::move(parsed));
  }
}

void read_basic_auth(Reader& reader, const Field& field, const std::string& context,
                     std::optional<BasicAuth>& out) {
  auto auth = Mapping::read(reader, field, "basic_auth");
  if (!auth)
    return;
  auth->check_keys(reader, kBasicAuthKeys, "basic_auth of " + context);
  const Field* username = auth->require(reader, "username", "basic_auth of " + context);
  const Field* password = auth->require(reader, "password", "basic_auth of " + context);
  std::optional<std::string> user = username ? read_string(reader, *username) : std::nullopt;
  std::optional<SecretRef> secret =
      password ? read_secret_ref(reader, *password, "basic_auth password") : std::nullopt;
  if (user && secret)
    out = BasicAuth{*user, *secret};
}

HttpProbeSpec read_http(Reader& reader, const Field& field, const std::string& context) {
  HttpProbeSpec http;
  const std::string what = "http of " + context;
  auto mapping = Mapping::read(reader, field, what);
  if (!mapping)
    return http;
  mapping->check_keys(reader, kHttpKeys, what);
  bool plain_http = false;
  if (const Field* f = mapping->require(reader, "url", what)) {
    if (auto url = read_string(reader, *f)) {
      if (auto valid = validate_url(*url); !valid) {
        reader.error(f->value_location, "url '" + *url + "' " + valid.error().message);
      } else {
        http.url = *url;
        plain_http = lower(url->substr(0, 7)) == "http://";
      }
    }
  }
  if (const Field* f = mapping->get("method")) {
    if (auto method = read_string(reader, *f)) {
      const std::string normalized = upper(*method);
      if (std::find(kMethods.begin(), kMethods.end(), normalized) == kMethods.end()) {
        reader.error(f->value_location,
                     "method: '" + *method + "' is not one of " + joined(kMethods));
      } else {
        http.method = normalized;
      }
    }
  }
  if (const Field* f = mapping->get("headers"))
    read_headers(reader, *f, context, http.headers);
  if (const Field* f = mapping->get("body"))
    http.body = read_string(reader, *f).value_or("");
  if (const Field* f = mapping->get("basic_auth")) {
    read_basic_auth(reader, *f, context, http.basic_auth);
    const auto is_authorization = [](const HttpHeader& h) {
      return lower(h.name) == "authorization";
    };
    if (std::any_of(http.headers.begin(), http.headers.end(), is_authorization)) {
      reader.error(f->key_location,
                   "basic_auth and an 'Authorization' header both set the same header; keep one");
    }
  }
  if (const Field* f = mapping->get("valid_status_codes")) {
    read_status_codes(reader, *f, http.valid_status);
  }
  if (const Field* f = mapping->get("body_must_match")) {
    read_regexes(reader, *f, http.body_must_match);
  }
  if (const Field* f = mapping->get("body_must_not_match")) {
    read_regexes(reader, *f, http.body_must_not_match);
  }
  if (const Field* f = mapping->get("follow_redirects")) {
    http.follow_redirects = read_bool(reader, *f).value_or(true);
  }
  if (const Field* f = mapping->get("tls")) {
    if (auto tls = Mapping::read(reader, *f, "tls of " + context)) {
      read_tls_options(reader, *tls, "tls of " + context, http.tls);
      if (plain_http) {
        reader.warning(f->key_location,
                       "tls settings have no effect on an http:// URL (use https://)");
      }
    }
  }
  return http;
}

TcpProbeSpec read_tcp(Reader& reader, const Field& field, const std::string& context) {
  TcpProbeSpec tcp;
  const std::string what = "tcp of " + context;
  auto mapping = Mapping::read(reader, field, what);
  if (!mapping)
    return tcp;
  mapping->check_keys(reader, kTcpKeys, what);
  if (const Field* f = mapping->require(reader, "address", what)) {
    if (auto address = read_string(reader, *f)) {
      auto parsed = parse_host_port(*address, true);
      if (!parsed) {
        reader.error(f->value_location, "address '" + *address + "' " + parsed.error().message +
                                            "; expected host:port like db.internal:5432");
      } else {
        tcp.host = parsed->host;
        tcp.port = parsed->port;
      }
    }
  }
  // `tls: true|false`, or a mapping of TLS options, which turns TLS on.
  if (const Field* f = mapping->get("tls")) {
    if (f->value.IsMap()) {
      tcp.tls = true;
      if (auto tls = Mapping::read(reader, *f, "tls of " + context)) {
        read_tls_options(reader, *tls, "tls of " + context, tcp.tls_options);
      }
    } else {
      tcp.tls = read_bool(reader, *f).value_or(false);
    }
  }
  return tcp;
}

bool is_valid_query_name(std::string_view name) {
  if (name == ".")
    return true;  // the root zone
  if (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  if (name.empty() || name.size() > 253)
    return false;
  std::size_t label_length = 0;
  for (char c : name) {
    if (c == '.') {
      if (label_length == 0)
        return false;
      label_length = 0;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '*') {
      return false;
    }
    if (++label_length > 63)
      return false;
  }
  return label_length > 0;
}

DnsProbeSpec read_dns(Reader& reader, const Field& field, const std::string& context) {
  DnsProbeSpec dns;
  const std::string what = "dns of " + context;
  auto mapping = Mapping::read(reader, field, what);
  if (!mapping)
    return dns;
  mapping->check_keys(reader, kDnsKeys, what);
  if (const Field* f = mapping->require(reader, "query_name", what)) {
    if (auto name = read_string(reader, *f)) {
      if (!is_valid_query_name(*name)) {
        reader.error(f->value_location,
                     "query_name: '" + *name +
                         "' is not a valid domain name (dot-separated labels of letters, digits, "
                         "'-' and '_', each at most 63 characters)");
      } else {
        dns.query_name = *name;
      }
    }
  }
  if (const Field* f = mapping->get("query_type")) {
    if (auto type = read_string(reader, *f)) {
      const std::string normalized = upper(*type);
      if (std::find(kQueryTypes.begin(), kQueryTypes.end(), normalized) == kQueryTypes.end()) {
        reader.error(f->value_location,
                     "query_type: '" + *type + "' is not one of " + joined(kQueryTypes));
      } else {
        dns.query_type = normalized;
      }
    }
  }
  if (const Field* f = mapping->get("server")) {
    if (auto server = read_string(reader, *f)) {
      if (auto parsed = parse_host_port(*server, false); !parsed) {
        reader.error(f->value_location, "server '" + *server + "' " + parsed.error().message +
                                            "; expected host or host:port like 127.0.0.1:53");
      } else {
        dns.server = *server;
      }
    }
  }
  if (const Field* f = mapping->get("require_answers")) {
    dns.require_answers = read_bool(reader, *f).value_or(true);
  }
  if (const Field* f = mapping->get("require_noerror")) {
    dns.valid_rcode_noerror_only = read_bool(reader, *f).value_or(true);
  }
  return dns;
}

}  // namespace

bool is_valid_object_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
}

std::optional<std::string> read_object_name(Reader& reader, const Field& field,
                                            const std::string& what) {
  auto name = read_string(reader, field);
  if (!name)
    return std::nullopt;
  if (!is_valid_object_name(*name)) {
    reader.error(field.value_location,
                 what + " name '" + *name + "' may only contain letters, digits, '_', '.' and '-'");
    return std::nullopt;
  }
  return name;
}

std::optional<ParsedProbe> parse_probe(Reader& reader, const Field& item) {
  auto mapping = Mapping::read(reader, item, "probe");
  if (!mapping)
    return std::nullopt;
  ParsedProbe parsed;
  parsed.location = mapping->location();
  std::string context = "probe";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "probe")) {
      parsed.spec.name = *name;
      parsed.name_location = f->value_location;
      context = "probe '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kProbeKeys, context);

  bool interval_valid = true;
  if (const Field* f = mapping->get("interval")) {
    auto interval = read_duration(reader, *f);
    interval_valid = interval.has_value();
    if (interval && *interval < kMinInterval) {
      reader.error(f->value_location, "interval " + format_duration(*interval) +
                                          " is too short; the minimum is 100ms");
      interval_valid = false;
    }
    if (interval_valid)
      parsed.spec.interval = *interval;
  }
  parsed.spec.timeout = std::min(kDefaultTimeout, parsed.spec.interval);
  parsed.timeout_valid = interval_valid;
  if (const Field* f = mapping->get("timeout")) {
    auto timeout = read_duration(reader, *f);
    parsed.timeout_valid = interval_valid && timeout.has_value();
    if (timeout && timeout->count() <= 0) {
      reader.error(f->value_location, "timeout must be greater than 0");
      parsed.timeout_valid = false;
    } else if (timeout && interval_valid && *timeout > parsed.spec.interval) {
      reader.error(f->value_location, "timeout " + format_duration(*timeout) +
                                          " is longer than interval " +
                                          format_duration(parsed.spec.interval) +
                                          "; a probe must finish before the next one starts");
      parsed.timeout_valid = false;
    }
    if (timeout)
      parsed.spec.timeout = *timeout;
  }

  const Field* kind = nullptr;
  for (const char* key : {"http", "tcp", "dns"}) {
    const Field* f = mapping->find(key);
    if (f == nullptr)
      continue;
    if (f->is_null()) {
      reader.error(f->key_location, "'" + f->key + "' in " + context + " has no value");
      kind = kind == nullptr ? f : kind;
      continue;
    }
    if (kind != nullptr) {
      reader.error(f->key_location, context + " has both '" + kind->key + "' and '" + f->key +
                                        "'; a probe has exactly one kind");
      continue;
    }
    kind = f;
  }
  if (kind == nullptr) {
    reader.error(mapping->location(), context + " has no kind; add one of 'http', 'tcp' or 'dns'");
  } else if (kind->is_null()) {
    // reported above
  } else if (kind->key == "http") {
    parsed.spec.kind = read_http(reader, *kind, context);
  } else if (kind->key == "tcp") {
    parsed.spec.kind = read_tcp(reader, *kind, context);
  } else {
    parsed.spec.kind = read_dns(reader, *kind, context);
  }
  return parsed;
}

}  // namespace sloe::config::detail

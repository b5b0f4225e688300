#include "test_servers.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

namespace sloe::probe::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string("test setup failed: ") + what);
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  check(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0, "getsockname");
  return ntohs(address.sin_port);
}

int closed_port(int type) {
  const int fd = socket(AF_INET, type, 0);
  check(fd >= 0, "socket");
  sockaddr_in address = loopback(0);
  check(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0, "bind");
  const int port = bound_port(fd);
  close(fd);
  return port;
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

TempDir::TempDir() {
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::filesystem::path candidate =
        std::filesystem::temp_directory_path() / ("sloe-probe-test-" + std::to_string(entropy()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TestCert make_self_signed_cert(const std::filesystem::path& dir, TimePoint not_after) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "EVP_EC_gen");
  X509* cert = X509_new();
  check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  const auto expiry =
      std::chrono::duration_cast<std::chrono::seconds>(not_after.time_since_epoch());
  check(ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(expiry.count())) != nullptr,
        "ASN1_TIME_set");
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert, NID_ext_key_usage, "serverAuth");
  add_extension(cert, NID_subject_alt_name, "DNS:localhost,DNS:sloe.test,IP:127.0.0.1");
  check(X509_sign(cert, key, EVP_sha256()) > 0, "X509_sign");

  TestCert paths{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  FILE* out = std::fopen(paths.cert_path.c_str(), "w");
  check(out != nullptr, "open cert.pem");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(paths.key_path.c_str(), "w");
  check(out != nullptr, "open key.pem");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return paths;
}

TestHttpServer::TestHttpServer() : server_(std::make_unique<httplib::Server>()) {}

TestHttpServer::TestHttpServer(const TestCert& cert)
    : server_(std::make_unique<httplib::SSLServer>(cert.cert_path.c_str(), cert.key_path.c_str())),
      tls_(true) {
  check(server_->is_valid(), "SSLServer could not load the certificate");
}

TestHttpServer::~TestHttpServer() {
  release_sleepers();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

void TestHttpServer::start() {
  port_ = server_->bind_to_any_port("127.0.0.1");
  check(port_ > 0, "bind_to_any_port");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Bounded polling: the server flips is_running() from its own thread.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  check(server_->is_running(), "server did not start");
}

std::string TestHttpServer::url(std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

bool TestHttpServer::sleep_unless_released(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return released_cv_.wait_for(lock, limit, [this] { return released_; });
}

void TestHttpServer::release_sleepers() {
  {
    const std::lock_guard lock(mutex_);
    released_ = true;
  }
  released_cv_.notify_all();
}

TestDnsServer::TestDnsServer(DnsBehaviour behaviour) : behaviour_(behaviour) {
  fd_ = socket(AF_INET, SOCK_DGRAM, 0);
  check(fd_ >= 0, "socket");
  sockaddr_in address = loopback(0);
  check(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0, "bind");
  port_ = bound_port(fd_);
  thread_ = std::thread([this] { serve(); });
}

TestDnsServer::~TestDnsServer() {
  stopping_ = true;
  thread_.join();
  close(fd_);
}

std::string TestDnsServer::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void TestDnsServer::serve() {
  std::vector<std::uint8_t> query(4096);
  while (!stopping_) {
    pollfd waiting{fd_, POLLIN, 0};
    if (::poll(&waiting, 1, 20) <= 0)
      continue;
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    const ssize_t received = recvfrom(fd_, query.data(), query.size(), 0,
                                      reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (received < 16)
      continue;
    const auto size = static_cast<std::size_t>(received);
    ++queries_;
    last_type_ = (query[size - 4] << 8) | query[size - 3];
    if (behaviour_ == DnsBehaviour::kSilent)
      continue;

    std::vector<std::uint8_t> reply(query.begin(), query.begin() + received);
    if (behaviour_ == DnsBehaviour::kGarbage) {
      reply.resize(5);
    } else {
      int rcode = behaviour_ == DnsBehaviour::kNxDomain ? 3 : 0;
      std::uint16_t flags = static_cast<std::uint16_t>(0x8180 | rcode);  // QR, RD, RA
      if (behaviour_ == DnsBehaviour::kTruncated)
        flags |= 0x0200;
      reply[2] = static_cast<std::uint8_t>(flags >> 8);
      reply[3] = static_cast<std::uint8_t>(flags & 0xff);
      const bool answer =
          behaviour_ == DnsBehaviour::kAnswerA || behaviour_ == DnsBehaviour::kWrongId;
      reply[7] = answer ? 1 : 0;  // ANCOUNT
      if (answer) {
        const std::uint8_t record[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7};
        reply.insert(reply.end(), std::begin(record), std::end(record));
      }
      if (behaviour_ == DnsBehaviour::kWrongId)
        reply[0] ^= 0xff;
    }
    sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

int closed_tcp_port() {
  return closed_port(SOCK_STREAM);
}
int closed_udp_port() {
  return closed_port(SOCK_DGRAM);
}

ResolvedProbe http_probe(const std::string& url, std::chrono::milliseconds timeout) {
  ResolvedProbe probe;
  probe.spec.name = "web";
  probe.spec.timeout = timeout;
  config::HttpProbeSpec http;
  http.url = url;
  probe.spec.kind = http;
  return probe;
}

ResolvedProbe tcp_probe(int port, std::chrono::milliseconds timeout) {
  ResolvedProbe probe;
  probe.spec.name = "port";
  probe.spec.timeout = timeout;
  config::TcpProbeSpec tcp;
  tcp.host = "127.0.0.1";
  tcp.port = port;
  probe.spec.kind = tcp;
  return probe;
}

ResolvedProbe dns_probe(const std::string& server, const std::string& name,
                        std::chrono::milliseconds timeout) {
  ResolvedProbe probe;
  probe.spec.name = "dns";
  probe.spec.timeout = timeout;
  config::DnsProbeSpec dns;
  dns.server = server;
  dns.query_name = name;
  probe.spec.kind = dns;
  return probe;
}

config::HttpProbeSpec& http_spec(ResolvedProbe& probe) {
  return std::get<config::HttpProbeSpec>(probe.spec.kind);
}
config::TcpProbeSpec& tcp_spec(ResolvedProbe& probe) {
  return std::get<config::TcpProbeSpec>(probe.spec.kind);
}
config::DnsProbeSpec& dns_spec(ResolvedProbe& probe) {
  return std::get<config::DnsProbeSpec>(probe.spec.kind);
}

double phase_seconds(const ProbeResult& result, std::string_view name) {
  for (const Phase& phase : result.phases) {
    if (phase.name == name)
      return phase.seconds;
  }
  return -1;
}

}  // namespace sloe::probe::testing

// Real local servers for the probe tests: HTTP(S) via cpp-httplib, a scriptable UDP DNS
// responder, self-signed certificates made with the OpenSSL API. All bind 127.0.0.1 port 0.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "sloe/core/clock.h"
#include "sloe/probe/engine.h"

namespace httplib {
class Server;
}

namespace sloe::probe::testing {

// A temporary directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct TestCert {
  std::string cert_path;  // PEM, self-signed, also usable as a CA file
  std::string key_path;   // PEM
};

// An EC P-256 certificate for CN=localhost with SANs localhost, sloe.test and 127.0.0.1,
// valid from an hour ago until not_after (whole seconds).
TestCert make_self_signed_cert(const std::filesystem::path& dir, TimePoint not_after);

// An HTTP or HTTPS server on 127.0.0.1. Register routes on server() before start().
class TestHttpServer {
 public:
  TestHttpServer();                               // plain HTTP
  explicit TestHttpServer(const TestCert& cert);  // HTTPS
  ~TestHttpServer();                              // releases sleepers, stops, joins
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  httplib::Server& server() { return *server_; }
  void start();  // binds port 0, serves on a thread, returns once the server runs
  int port() const { return port_; }
  std::string url(std::string_view path) const;

  // For slow handlers: waits up to `limit`, returning early (true) once release_sleepers() runs,
  // so tearing down never waits for a handler's full delay.
  bool sleep_unless_released(std::chrono::milliseconds limit);
  void release_sleepers();

 private:
  std::unique_ptr<httplib::Server> server_;
  bool tls_ = false;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

enum class DnsBehaviour {
  kAnswerA,    // NOERROR with one A record 192.0.2.7
  kNxDomain,   // NXDOMAIN, no answers
  kNoAnswers,  // NOERROR, empty answer section
  kGarbage,    // the right id followed by 3 bytes
  kWrongId,    // a valid answer with a different id
  kTruncated,  // NOERROR with the TC bit
  kSilent,     // never replies
};

// A UDP DNS responder on 127.0.0.1 that answers every query according to its behaviour.
class TestDnsServer {
 public:
  explicit TestDnsServer(DnsBehaviour behaviour);
  ~TestDnsServer();
  TestDnsServer(const TestDnsServer&) = delete;
  TestDnsServer& operator=(const TestDnsServer&) = delete;

  std::string address() const;  // "127.0.0.1:port"
  int queries() const { return queries_.load(); }
  int last_query_type() const { return last_type_.load(); }

 private:
  void serve();

  DnsBehaviour behaviour_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> queries_{0};
  std::atomic<int> last_type_{0};
  std::thread thread_;
};

// A TCP port on 127.0.0.1 with nothing listening (bound, then closed).
int closed_tcp_port();
// A UDP port on 127.0.0.1 with nothing listening.
int closed_udp_port();

ResolvedProbe http_probe(const std::string& url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(3));
ResolvedProbe tcp_probe(int port, std::chrono::milliseconds timeout = std::chrono::seconds(3));
ResolvedProbe dns_probe(const std::string& server, const std::string& name,
                        std::chrono::milliseconds timeout = std::chrono::seconds(2));

config::HttpProbeSpec& http_spec(ResolvedProbe& probe);
config::TcpProbeSpec& tcp_spec(ResolvedProbe& probe);
config::DnsProbeSpec& dns_spec(ResolvedProbe& probe);

// The named phase's seconds, or -1 if absent.
double phase_seconds(const ProbeResult& result, std::string_view name);

}  // namespace sloe::probe::testing

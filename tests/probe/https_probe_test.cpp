// HTTPS and TLS-TCP probes against a cpp-httplib SSLServer with a certificate made at test time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>

#include "sloe/probe/engine.h"
#include "test_servers.h"

namespace sloe::probe {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::http_spec;
using testing::phase_seconds;

// 2039-06-15T12:34:56Z: a notAfter with non-zero fields everywhere so an off-by-one in any of
// them shows.
const TimePoint kNotAfter = from_unix_seconds(2191754096);

class HttpsProbeTest : public ::testing::Test {
 protected:
  HttpsProbeTest()
      : cert_(testing::make_self_signed_cert(dir_.path(), kNotAfter)), server_(cert_) {}

  void SetUp() override {
    server_.server().Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      {
        const std::lock_guard lock(mutex_);
        last_host_ = req.get_header_value("Host");
      }
      res.set_content("secure", "text/plain");
    });
    server_.start();
  }

  std::string last_host() {
    const std::lock_guard lock(mutex_);
    return last_host_;
  }

  SystemClock clock_;
  testing::TempDir dir_;
  testing::TestCert cert_;
  testing::TestHttpServer server_;
  std::mutex mutex_;
  std::string last_host_;
};

TEST_F(HttpsProbeTest, CertificateFileHasTheExpectedExpiry) {
  // Guards the constant above: 2039-06-15 12:34:56 UTC.
  using namespace std::chrono;
  EXPECT_EQ(kNotAfter, TimePoint{sys_days{2039y / June / 15}} + 12h + 34min + 56s);
}

TEST_F(HttpsProbeTest, VerificationFailsOnSelfSignedCertificate) {
  const ProbeResult result = run_once(clock_, testing::http_probe(server_.url("/ok")));
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.failure, HasSubstr("certificate"));
  EXPECT_EQ(result.http_status, 0);
}

TEST_F(HttpsProbeTest, SucceedsWithoutVerificationAndReportsExpiry) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).tls.verify = false;
  const ProbeResult result = run_once(clock_, probe);
  ASSERT_TRUE(result.success) << result.failure;
  ASSERT_TRUE(result.tls_earliest_cert_expiry);
  EXPECT_EQ(*result.tls_earliest_cert_expiry, kNotAfter);
  EXPECT_GT(phase_seconds(result, "tls"), 0);
  double sum = 0;
  for (const Phase& phase : result.phases)
    sum += phase.seconds;
  EXPECT_NEAR(sum, result.duration_seconds, 0.05);
}

TEST_F(HttpsProbeTest, SucceedsWithTheCertificateAsCaFile) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).tls.ca_file = cert_.cert_path;
  const ProbeResult result = run_once(clock_, probe);
  EXPECT_TRUE(result.success) << result.failure;
  EXPECT_EQ(result.tls_earliest_cert_expiry, kNotAfter);
  EXPECT_EQ(last_host(), "127.0.0.1:" + std::to_string(server_.port()));
}

TEST_F(HttpsProbeTest, ServerNameOverridesVerificationNameButNotTheHostHeader) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).tls.ca_file = cert_.cert_path;
  http_spec(probe).tls.server_name = "sloe.test";  // in the certificate, not resolvable
  const ProbeResult result = run_once(clock_, probe);
  EXPECT_TRUE(result.success) << result.failure;
  EXPECT_EQ(result.target, server_.url("/ok"));
  EXPECT_EQ(last_host(), "127.0.0.1:" + std::to_string(server_.port()));

  http_spec(probe).tls.server_name = "other.test";  // not in the certificate
  const ProbeResult mismatch = run_once(clock_, probe);
  EXPECT_FALSE(mismatch.success);
  EXPECT_THAT(mismatch.failure, HasSubstr("other.test"));
}

TEST_F(HttpsProbeTest, MissingCaFileFails) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).tls.ca_file = (dir_.path() / "absent.pem").string();
  EXPECT_FALSE(run_once(clock_, probe).success);
}

TEST_F(HttpsProbeTest, TcpProbeCompletesTheHandshake) {
  ResolvedProbe probe = testing::tcp_probe(server_.port());
  testing::tcp_spec(probe).tls = true;
  testing::tcp_spec(probe).tls_options.ca_file = cert_.cert_path;
  const ProbeResult result = run_once(clock_, probe);
  ASSERT_TRUE(result.success) << result.failure;
  std::vector<std::string> names;
  for (const Phase& phase : result.phases)
    names.push_back(phase.name);
  EXPECT_THAT(names, ElementsAre("resolve", "connect", "tls"));
  EXPECT_GT(phase_seconds(result, "tls"), 0);
  EXPECT_EQ(result.tls_earliest_cert_expiry, kNotAfter);

  testing::tcp_spec(probe).tls_options.ca_file.clear();
  const ProbeResult unverified = run_once(clock_, probe);
  EXPECT_FALSE(unverified.success);
  EXPECT_THAT(unverified.failure, HasSubstr("certificate"));
}

}  // namespace
}  // namespace sloe::probe

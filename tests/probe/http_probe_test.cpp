// HTTP probes against a real cpp-httplib server on 127.0.0.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "sloe/probe/engine.h"
#include "test_servers.h"

namespace sloe::probe {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::http_spec;
using testing::phase_seconds;
using ::testing::StartsWith;

class HttpProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("status: healthy", "text/plain");
    });
    s.Get("/error", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    s.Get("/missing", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    s.Get("/maintenance", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<h1>Down for maintenance</h1>", "text/html");
    });
    s.Get("/redirect",
          [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/ok"); });
    s.Get("/loop",
          [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    s.Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
      const bool ok = req.get_header_value("X-Api-Key") == "s3cret" &&
                      req.get_header_value("Authorization") == "Basic dXNlcjpwYSBzcw==";
      res.status = ok ? 200 : 401;
    });
    s.Post("/submit", [](const httplib::Request& req, httplib::Response& res) {
      res.status = req.body == "ping" ? 201 : 400;
    });
    s.Post("/empty-post", [](const httplib::Request& req, httplib::Response& res) {
      res.status = req.body.empty() && req.get_header_value("Content-Length") == "0" ? 204 : 400;
    });
    s.Put("/put", [](const httplib::Request& req, httplib::Response& res) {
      res.status = req.body == "{}" ? 200 : 400;
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      server_.sleep_unless_released(3s);
      res.set_content("late", "text/plain");
    });
    s.Get("/long-line", [](const httplib::Request&, httplib::Response& res) {
      // One 1.5 MiB line: a backtracking regex engine would overflow its stack on `.*`.
      std::string body(900 * 1024, 'a');
      body += "needle";
      body += std::string(600 * 1024, 'a');
      body += "beyond-cap";
      res.set_content(body, "text/plain");
    });
    server_.start();
  }

  ProbeResult run(const ResolvedProbe& probe) { return run_once(clock_, probe); }

  SystemClock clock_;
  testing::TestHttpServer server_;
};

TEST_F(HttpProbeTest, SuccessReportsPhasesThatSumToTheDuration) {
  const TimePoint before = clock_.now();
  const ProbeResult result = run(testing::http_probe(server_.url("/ok")));
  EXPECT_TRUE(result.success) << result.failure;
  EXPECT_EQ(result.failure, "");
  EXPECT_EQ(result.probe, "web");
  EXPECT_EQ(result.target, server_.url("/ok"));
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.http_version, 11);
  EXPECT_GE(result.started_at, before);
  EXPECT_LE(result.started_at, clock_.now());
  EXPECT_FALSE(result.tls_earliest_cert_expiry);

  std::vector<std::string> names;
  double sum = 0;
  for (const Phase& phase : result.phases) {
    names.push_back(phase.name);
    EXPECT_GE(phase.seconds, 0) << phase.name;
    sum += phase.seconds;
  }
  EXPECT_THAT(names, ElementsAre("resolve", "connect", "tls", "processing", "transfer"));
  EXPECT_EQ(phase_seconds(result, "tls"), 0);
  EXPECT_GT(phase_seconds(result, "connect"), 0);
  EXPECT_GT(result.duration_seconds, 0);
  // The phases cover curl's part of the run; the rest is setup and checks, well under 50ms.
  EXPECT_LE(sum, result.duration_seconds + 1e-6);
  EXPECT_NEAR(sum, result.duration_seconds, 0.05);
}

TEST_F(HttpProbeTest, ServerErrorFailsWithReason) {
  const ProbeResult result = run(testing::http_probe(server_.url("/error")));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_EQ(result.failure, "status 500 not in 200-299");
}

TEST_F(HttpProbeTest, CustomValidStatusRanges) {
  ResolvedProbe missing = testing::http_probe(server_.url("/missing"));
  http_spec(missing).valid_status = {{200, 299}, {404, 404}};
  EXPECT_TRUE(run(missing).success);

  ResolvedProbe ok_but_unexpected = testing::http_probe(server_.url("/ok"));
  http_spec(ok_but_unexpected).valid_status = {{500, 599}, {302, 302}};
  const ProbeResult result = run(ok_but_unexpected);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "status 200 not in 500-599, 302");
}

TEST_F(HttpProbeTest, BodyMustMatch) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).body_must_match = {"status: (healthy|ok)"};
  EXPECT_TRUE(run(probe).success);

  http_spec(probe).body_must_match = {"healthy", "sick"};
  const ProbeResult result = run(probe);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "body did not match /sick/");
}

TEST_F(HttpProbeTest, BodyMustNotMatch) {
  ResolvedProbe probe = testing::http_probe(server_.url("/maintenance"));
  http_spec(probe).body_must_not_match = {"[Mm]aintenance"};
  const ProbeResult result = run(probe);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.failure, "body matched forbidden /[Mm]aintenance/");

  ResolvedProbe healthy = testing::http_probe(server_.url("/ok"));
  http_spec(healthy).body_must_not_match = {"[Mm]aintenance"};
  EXPECT_TRUE(run(healthy).success);
}

TEST_F(HttpProbeTest, RegexesOnLongLinesRunInLinearTimeUpToTheCap) {
  ResolvedProbe probe = testing::http_probe(server_.url("/long-line"), 30s);
  http_spec(probe).body_must_match = {".*needle", "^a+needle"};
  http_spec(probe).body_must_not_match = {"(a|b)*c"};
  const ProbeResult found = run(probe);
  // A backtracking engine overflows the stack on `(a|b)*c` over a 1 MiB line (or runs past the
  // probe's 30 s timeout, failing it); the linear one finishes well inside it. No wall-clock
  // bound is asserted: this machine is shared.
  EXPECT_TRUE(found.success) << found.failure;

  // Only the first MiB is kept for matching.
  http_spec(probe).body_must_match = {"beyond-cap"};
  http_spec(probe).body_must_not_match.clear();
  EXPECT_EQ(run(probe).failure, "body did not match /beyond-cap/");
}

TEST_F(HttpProbeTest, InvalidOrBacktrackingRegexFailsEveryRunWithTheReason) {
  ResolvedProbe probe = testing::http_probe(server_.url("/ok"));
  http_spec(probe).body_must_match = {"(unclosed"};
  EXPECT_THAT(run(probe).failure,
              StartsWith("probe cannot run: body_must_match /(unclosed/ is not a valid regex"));

  http_spec(probe).body_must_match = {"(a)\\1"};
  EXPECT_THAT(run(probe).failure, HasSubstr("back-references are not supported"));
}

TEST_F(HttpProbeTest, FollowsRedirectsOnlyWhenAsked) {
  ResolvedProbe probe = testing::http_probe(server_.url("/redirect"));
  const ProbeResult followed = run(probe);
  EXPECT_TRUE(followed.success) << followed.failure;
  EXPECT_EQ(followed.http_status, 200);

  http_spec(probe).follow_redirects = false;
  const ProbeResult stopped = run(probe);
  EXPECT_FALSE(stopped.success);
  EXPECT_EQ(stopped.http_status, 302);
  EXPECT_EQ(stopped.failure, "status 302 not in 200-299");

  const ProbeResult looping = run(testing::http_probe(server_.url("/loop")));
  EXPECT_FALSE(looping.success);
  EXPECT_EQ(looping.failure, "more than 10 redirects");
}

TEST_F(HttpProbeTest, SendsHeadersAndBasicAuth) {
  ResolvedProbe probe = testing::http_probe(server_.url("/auth"));
  EXPECT_EQ(run(probe).http_status, 401);

  probe.headers = {{"X-Api-Key", "s3cret"}};
  probe.basic_auth.emplace("user", "pa ss");
  const ProbeResult result = run(probe);
  EXPECT_TRUE(result.success) << result.failure;
}

TEST_F(HttpProbeTest, SendsMethodAndBody) {
  ResolvedProbe post = testing::http_probe(server_.url("/submit"));
  http_spec(post).method = "POST";
  http_spec(post).body = "ping";
  EXPECT_EQ(run(post).http_status, 201);

  ResolvedProbe empty_post = testing::http_probe(server_.url("/empty-post"));
  http_spec(empty_post).method = "POST";
  EXPECT_EQ(run(empty_post).http_status, 204);

  ResolvedProbe put = testing::http_probe(server_.url("/put"));
  http_spec(put).method = "PUT";
  http_spec(put).body = "{}";
  EXPECT_EQ(run(put).http_status, 200);
}

TEST_F(HttpProbeTest, TimeoutFailsAfterTheTimeout) {
  const ProbeResult result = run(testing::http_probe(server_.url("/slow"), 300ms));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "timeout after 300ms (waiting for the response)");
  EXPECT_EQ(result.http_status, 0);
  EXPECT_GE(result.duration_seconds, 0.29);
  // Well before the server's 3 s answer (loose: the machine is shared).
  EXPECT_LT(result.duration_seconds, 2.5);
  // The stuck phase holds the time, not "transfer".
  EXPECT_GT(phase_seconds(result, "processing"), 0.25);
  EXPECT_EQ(phase_seconds(result, "transfer"), 0);
}

TEST_F(HttpProbeTest, ConnectionRefused) {
  const int port = testing::closed_tcp_port();
  const ProbeResult result =
      run(testing::http_probe("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "connection refused");
  EXPECT_EQ(result.http_status, 0);
}

TEST(TcpProbe, ConnectsWithoutSendingAnything) {
  testing::TestHttpServer server;
  server.start();
  SystemClock clock;
  const ProbeResult result = run_once(clock, testing::tcp_probe(server.port()));
  EXPECT_TRUE(result.success) << result.failure;
  EXPECT_EQ(result.target, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(result.http_status, 0);
  ASSERT_EQ(result.phases.size(), 2u);
  EXPECT_EQ(result.phases[0].name, "resolve");
  EXPECT_EQ(result.phases[1].name, "connect");
  EXPECT_GT(result.duration_seconds, 0);
}

TEST(TcpProbe, ConnectionRefused) {
  SystemClock clock;
  const ProbeResult result = run_once(clock, testing::tcp_probe(testing::closed_tcp_port()));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.failure, "connection refused");
}

TEST(TcpProbe, TargetBracketsIpv6) {
  ResolvedProbe probe = testing::tcp_probe(9);
  testing::tcp_spec(probe).host = "::1";
  SystemClock clock;
  EXPECT_EQ(run_once(clock, probe).target, "[::1]:9");
}

}  // namespace
}  // namespace sloe::probe

// ingest_bench: how many alerts per second an alert API accepts, and how long each POST takes,
// for sloe (in this process: ApiServer + the durable SQLite sink on a temp database, the same
// code `sloe run` serves) and for a real Alertmanager (--target URL, started by
// run_ingest_bench.sh).
//
// --clients closed-loop HTTP clients, each on its own keep-alive connection, POST
// /api/v2/alerts bodies of --batch alerts for --duration seconds after --warmup seconds. Each
// client cycles through --distinct label sets of its own, so alerts are re-sent as Prometheus
// re-sends them (both servers merge a re-sent alert into the stored one). Latency is measured per
// request, from send to the complete answer. Prints one "RESULT key=value ..." line; figures are
// reported, never asserted.
//
// For sloe, a 2xx means the alerts were committed to SQLite (WAL, synchronous=FULL): concurrent
// requests share one transaction (group commit); commits_per_s tells how many fsyncs that took.
// Alertmanager keeps alerts in memory only.
//
// Usage: sloe_ingest_bench [--target URL] [--label L] [--clients N] [--batch B]
//          [--duration S] [--warmup S] [--distinct D] [--threads T]
#include <httplib.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http_load.h"
#include "sloe/api/server.h"
#include "sloe/app/alert_intake.h"
#include "sloe/store/schema.h"

namespace {

using Seconds = std::chrono::duration<double>;

struct Options {
  std::string target;  // empty: sloe in-process
  std::string label;
  int clients = 16;
  int batch = 1;
  double duration = 10;
  double warmup = 2;
  int distinct = 1000;  // label sets per client
  int threads = 0;      // sloe's HTTP worker threads; 0: one per client
};

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "ingest_bench: " << arg << " needs a value\n";
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "--target") {
      options.target = value;
    } else if (arg == "--label") {
      options.label = value;
    } else if (arg == "--clients") {
      options.clients = std::stoi(value);
    } else if (arg == "--batch") {
      options.batch = std::stoi(value);
    } else if (arg == "--duration") {
      options.duration = std::stod(value);
    } else if (arg == "--warmup") {
      options.warmup = std::stod(value);
    } else if (arg == "--distinct") {
      options.distinct = std::stoi(value);
    } else if (arg == "--threads") {
      options.threads = std::stoi(value);
    } else {
      std::cerr << "ingest_bench: unknown argument " << arg << "\n";
      return false;
    }
  }
  return options.clients > 0 && options.batch > 0 && options.distinct > 0;
}

// Bodies a client sends in turn: its `distinct` label sets, `batch` per body.
std::vector<std::string> bodies_for(int client, const Options& options) {
  std::vector<std::string> bodies;
  const int count = std::max(1, options.distinct / options.batch);
  for (int b = 0; b < count; ++b) {
    std::ostringstream body;
    body << '[';
    for (int a = 0; a < options.batch; ++a) {
      const int n = (b * options.batch + a) % options.distinct;
      body << (a ? "," : "") << R"({"labels":{"alertname":"IngestBench","client":")" << client
           << R"(","instance":"host-)" << n
           << R"(","severity":"page"},"annotations":{"summary":"ingest benchmark alert"},)"
           << R"("generatorURL":"http://bench/)" << n << R"("})";
    }
    body << ']';
    bodies.push_back(body.str());
  }
  return bodies;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: sloe_ingest_bench [--target URL] [--label L] [--clients N] [--batch B] "
                 "[--duration S] [--warmup S] [--distinct D] [--threads T]\n";
    return 2;
  }

  // sloe in-process, unless a target is given.
  sloe::SystemClock clock;
  std::filesystem::path work;
  std::unique_ptr<sloe::store::Database> db;
  std::mutex db_mutex;
  std::unique_ptr<sloe::app::DurableAlertIntake> intake;
  sloe::api::StatusBoard board;
  sloe::api::AgentMetrics metrics("bench");
  std::unique_ptr<sloe::api::ApiServer> server;
  std::string host = "127.0.0.1";
  int port = 0;
  if (options.target.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "sloe-ingest-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "ingest_bench: mkdtemp failed\n";
      return 1;
    }
    work = pattern;
    auto opened =
        sloe::store::Database::open((work / "sloe.db").string(), sloe::store::sloe_migrations());
    if (!opened) {
      std::cerr << "ingest_bench: " << opened.error().message << "\n";
      return 1;
    }
    db = std::move(opened).value();
    auto created = sloe::app::DurableAlertIntake::open(*db, db_mutex, clock);
    if (!created) {
      std::cerr << "ingest_bench: " << created.error().message << "\n";
      return 1;
    }
    intake = std::move(created).value();
    server = std::make_unique<sloe::api::ApiServer>(board, metrics);
    sloe::api::AlertRoutes routes;
    routes.alerts = intake.get();
    routes.clock = &clock;
    server->set_alert_routes(routes);
    sloe::api::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = static_cast<std::size_t>(
        options.threads > 0 ? options.threads : std::max(8, options.clients + 2));
    if (auto started = server->start(server_options); !started) {
      std::cerr << "ingest_bench: " << started.error().message << "\n";
      return 1;
    }
    port = server->port();
    if (options.label.empty())
      options.label = "sloe";
  } else {
    const std::string prefix = "http://";
    std::string rest = options.target.rfind(prefix, 0) == 0 ? options.target.substr(prefix.size())
                                                            : options.target;
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
      std::cerr << "ingest_bench: --target must look like http://127.0.0.1:9093\n";
      return 2;
    }
    host = rest.substr(0, colon);
    port = std::stoi(rest.substr(colon + 1));
    if (options.label.empty())
      options.label = "target";
  }

  const auto measure_from =
      sloe::bench::Steady::now() +
      std::chrono::duration_cast<sloe::bench::Steady::duration>(Seconds(options.warmup));
  std::uint64_t commits_before = 0;
  double cpu_before = 0;
  std::thread sampler([&] {
    std::this_thread::sleep_until(measure_from);
    commits_before = intake ? intake->commits() : 0;
    cpu_before = process_cpu_seconds();
  });
  std::vector<std::vector<std::string>> bodies;
  for (int c = 0; c < options.clients; ++c)
    bodies.push_back(bodies_for(c, options));
  sloe::bench::LoadResult totals = sloe::bench::run_closed_loop(
      host, port, options.clients, options.warmup, options.duration,
      [&](int client, std::size_t i, httplib::Client& http) {
        const auto& mine = bodies[static_cast<std::size_t>(client)];
        return http.Post("/api/v2/alerts", mine[i % mine.size()], "application/json");
      });
  sampler.join();
  const std::uint64_t accepted_alerts =
      totals.succeeded * static_cast<std::uint64_t>(options.batch);
  const double cpu_seconds = process_cpu_seconds() - cpu_before;
  const std::uint64_t commits = intake ? intake->commits() - commits_before : 0;

  const double requests = static_cast<double>(totals.latencies_ms.size());
  std::printf(
      "RESULT label=%s clients=%d batch=%d requests_per_s=%.0f alerts_per_s=%.0f p50_ms=%.2f "
      "p99_ms=%.2f max_ms=%.2f errors=%llu commits_per_s=%.0f bench_cpu_util=%.2f\n",
      options.label.c_str(), options.clients, options.batch, requests / options.duration,
      static_cast<double>(accepted_alerts) / options.duration,
      sloe::bench::percentile(totals.latencies_ms, 0.50),
      sloe::bench::percentile(totals.latencies_ms, 0.99),
      totals.latencies_ms.empty() ? 0.0 : totals.latencies_ms.back(),
      static_cast<unsigned long long>(totals.errors),
      static_cast<double>(commits) / options.duration, cpu_seconds / options.duration);
  if (!totals.first_error.empty())
    std::fprintf(stderr, "first error: %s\n", totals.first_error.c_str());

  if (server)
    server->stop();
  intake.reset();
  db.reset();
  if (!work.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  return accepted_alerts > 0 ? 0 : 1;
}

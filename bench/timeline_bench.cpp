// timeline_bench: how many timeline events per second a running sloe writes durably through its
// API, and how long each write takes. A note answered 201 is committed to SQLite (WAL,
// synchronous=FULL); concurrent notes share a commit (group commit).
//
// Declares --incidents incidents on the agent at --target, then --clients closed-loop clients
// POST notes to them (client c writes to incident c % incidents) for --duration seconds after
// --warmup seconds. Prints one "RESULT key=value ..." line; figures are reported, never asserted.
// bench/run_timeline_bench.sh starts an agent on a temp folder and runs this against it.
//
// Usage: sloe_timeline_bench --target http://127.0.0.1:PORT [--clients N] [--incidents K]
//          [--duration S] [--warmup S]   (SLOE_TOKEN: bearer token, when the agent wants one)
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "http_load.h"

namespace {

struct Options {
  std::string target;
  int clients = 32;
  int incidents = 8;
  double duration = 10;
  double warmup = 2;
};

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const std::string value = argv[i + 1];
    if (arg == "--target") {
      options.target = value;
    } else if (arg == "--clients") {
      options.clients = std::stoi(value);
    } else if (arg == "--incidents") {
      options.incidents = std::stoi(value);
    } else if (arg == "--duration") {
      options.duration = std::stod(value);
    } else if (arg == "--warmup") {
      options.warmup = std::stod(value);
    } else {
      std::cerr << "timeline_bench: unknown argument " << arg << "\n";
      return false;
    }
  }
  return argc % 2 == 1 && !options.target.empty() && options.clients > 0 && options.incidents > 0;
}

void authorize(httplib::Client& http) {
  if (const char* token = std::getenv("SLOE_TOKEN"); token != nullptr && *token != '\0')
    http.set_bearer_token_auth(token);
}

// The id in a {"id": N, ...} answer; 0 when there is none.
long long id_in(const std::string& body) {
  const auto at = body.find("\"id\":");
  return at == std::string::npos ? 0 : std::atoll(body.c_str() + at + 5);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: sloe_timeline_bench --target http://127.0.0.1:PORT [--clients N] "
                 "[--incidents K] [--duration S] [--warmup S]\n";
    return 2;
  }
  const std::string prefix = "http://";
  const std::string rest =
      options.target.rfind(prefix, 0) == 0 ? options.target.substr(prefix.size()) : options.target;
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "timeline_bench: --target must look like http://127.0.0.1:9465\n";
    return 2;
  }
  const std::string host = rest.substr(0, colon);
  const int port = std::stoi(rest.substr(colon + 1));

  std::vector<std::string> note_paths;
  httplib::Client setup(host, port);
  authorize(setup);
  for (int k = 0; k < options.incidents; ++k) {
    const auto declared = setup.Post("/api/v1/incidents",
                                     R"({"title":"timeline benchmark )" + std::to_string(k) +
                                         R"(","severity":"SEV4","test":true})",
                                     "application/json");
    if (!declared || declared->status != 201 || id_in(declared->body) == 0) {
      std::cerr << "timeline_bench: declaring an incident failed: "
                << (declared ? std::to_string(declared->status) + " " + declared->body
                             : httplib::to_string(declared.error()))
                << "\n";
      return 1;
    }
    note_paths.push_back("/api/v1/incidents/" + std::to_string(id_in(declared->body)) +
                         "/timeline");
  }

  const sloe::bench::LoadResult result = sloe::bench::run_closed_loop(
      host, port, options.clients, options.warmup, options.duration,
      [&](int client, std::size_t i, httplib::Client& http) {
        if (i == 0)
          authorize(http);
        const std::string body = R"({"text":"client )" + std::to_string(client) + " note " +
                                 std::to_string(i) +
                                 R"(: p99 latency on checkout-api back under 300ms after the )"
                                 R"(rollback of build 4812; watching error rate"})";
        return http.Post(note_paths[static_cast<std::size_t>(client) % note_paths.size()], body,
                         "application/json");
      });
  std::printf(
      "RESULT clients=%d incidents=%d events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "errors=%llu\n",
      options.clients, options.incidents, static_cast<double>(result.succeeded) / options.duration,
      sloe::bench::percentile(result.latencies_ms, 0.50),
      sloe::bench::percentile(result.latencies_ms, 0.99),
      result.latencies_ms.empty() ? 0.0 : result.latencies_ms.back(),
      static_cast<unsigned long long>(result.errors));
  if (!result.first_error.empty())
    std::fprintf(stderr, "first error: %s\n", result.first_error.c_str());
  return result.succeeded > 0 ? 0 : 1;
}

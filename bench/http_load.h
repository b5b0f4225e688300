// Closed-loop HTTP load for the API benchmarks: `clients` threads, each on its own keep-alive
// connection, send one request after another for warmup + duration seconds; only requests sent
// after the warm-up are measured (latency from send to the complete answer).
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sloe::bench {

using Steady = std::chrono::steady_clock;

struct LoadResult {
  std::vector<double> latencies_ms;  // sorted, measured window only
  std::uint64_t succeeded = 0;       // measured requests answered 2xx
  std::uint64_t errors = 0;
  std::string first_error;
};

// send(client, i, http) makes request number i of a client and returns its result.
using SendRequest = std::function<httplib::Result(int client, std::size_t i, httplib::Client&)>;

inline LoadResult run_closed_loop(const std::string& host, int port, int clients, double warmup_s,
                                  double duration_s, const SendRequest& send) {
  LoadResult total;
  std::mutex mutex;
  const auto measure_from = Steady::now() + std::chrono::duration_cast<Steady::duration>(
                                                std::chrono::duration<double>(warmup_s));
  const auto until = measure_from + std::chrono::duration_cast<Steady::duration>(
                                        std::chrono::duration<double>(duration_s));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client http(host, port);
      http.set_keep_alive(true);
      http.set_tcp_nodelay(true);
      http.set_read_timeout(30, 0);
      LoadResult mine;
      for (std::size_t i = 0;; ++i) {
        const Steady::time_point sent = Steady::now();
        if (sent >= until)
          break;
        const httplib::Result response = send(c, i, http);
        const Steady::time_point done = Steady::now();
        if (sent < measure_from)
          continue;
        mine.latencies_ms.push_back(std::chrono::duration<double, std::milli>(done - sent).count());
        if (response && response->status / 100 == 2) {
          ++mine.succeeded;
        } else {
          ++mine.errors;
          if (mine.first_error.empty()) {
            mine.first_error = response ? std::to_string(response->status) + " " + response->body
                                        : httplib::to_string(response.error());
          }
        }
      }
      const std::lock_guard lock(mutex);
      total.latencies_ms.insert(total.latencies_ms.end(), mine.latencies_ms.begin(),
                                mine.latencies_ms.end());
      total.succeeded += mine.succeeded;
      total.errors += mine.errors;
      if (total.first_error.empty())
        total.first_error = mine.first_error;
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  std::sort(total.latencies_ms.begin(), total.latencies_ms.end());
  return total;
}

// Nearest-rank percentile of sorted values (p in 0..1); 0 when empty.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
}

}  // namespace sloe::bench

// probe_bench: probe throughput, CPU and memory of sloe's probe engine, and of
// prometheus-blackbox-exporter driven at the same rate, against bench_target.
//
// Two modes; each prints one "RESULT key=value ..." line that run_probe_bench.sh turns into a
// table (figures are reported, never asserted):
//
//   engine mode (default): runs sloe::probe::Engine in this process with --targets HTTP probes
//     (GET <target-url>/t/<n>) whose interval makes the total rate --rate probes/s, waits
//     --warmup seconds, then measures for --duration seconds: probes completed per second, success
//     ratio, CPU seconds of this process (getrusage: utime + stime) per 1000 probes, RSS.
//
//   --drive-blackbox URL: a load generator that asks the blackbox exporter at URL to probe
//     <target-url>/t/<n> at --rate probes/s (open loop, many keep-alive clients), and measures the
//     exporter's CPU (/proc/<pid>/stat) and RSS (/proc/<pid>/status) over the same kind of window.
//     This process's own CPU is not counted.
//
// Both sides open a fresh connection per probe by default (blackbox_exporter always does), so
// the comparison is like for like; --reuse lets sloe keep connections for a separate figure.
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/probe/engine.h"

namespace {

using Steady = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::string target_url;  // e.g. http://127.0.0.1:8080 (bench_target)
  std::size_t targets = 1000;
  double rate = 2000;                 // probes per second over all targets
  std::optional<double> interval_ms;  // overrides rate
  double duration = 20;               // measured seconds
  std::optional<double> warmup;       // seconds before measuring
  double timeout_ms = 2000;
  std::string path_prefix = "/t/";  // bench_target's /hang/ never answers
  bool reuse = false;
  std::string label = "run";
  // --drive-blackbox
  std::string blackbox_url;
  int blackbox_pid = 0;
  int concurrency = 96;
};

[[noreturn]] void usage(const char* self) {
  std::fprintf(
      stderr,
      "usage: %s --target-url URL [--targets N] [--rate R | --interval-ms I]\n"
      "          [--duration S] [--warmup S] [--timeout-ms T] [--path-prefix /t/] [--reuse]\n"
      "          [--label L]\n"
      "       %s --drive-blackbox URL --pid PID --target-url URL [--targets N]\n"
      "          [--rate R] [--duration S] [--warmup S] [--concurrency C] [--label L]\n",
      self, self);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage(argv[0]);
      return argv[++i];
    };
    if (arg == "--target-url") {
      options.target_url = value();
    } else if (arg == "--targets") {
      options.targets = std::stoul(value());
    } else if (arg == "--rate") {
      options.rate = std::stod(value());
    } else if (arg == "--interval-ms") {
      options.interval_ms = std::stod(value());
    } else if (arg == "--duration") {
      options.duration = std::stod(value());
    } else if (arg == "--warmup") {
      options.warmup = std::stod(value());
    } else if (arg == "--timeout-ms") {
      options.timeout_ms = std::stod(value());
    } else if (arg == "--path-prefix") {
      options.path_prefix = value();
    } else if (arg == "--reuse") {
      options.reuse = true;
    } else if (arg == "--label") {
      options.label = value();
    } else if (arg == "--drive-blackbox") {
      options.blackbox_url = value();
    } else if (arg == "--pid") {
      options.blackbox_pid = std::stoi(value());
    } else if (arg == "--concurrency") {
      options.concurrency = std::max(1, std::stoi(value()));
    } else {
      usage(argv[0]);
    }
  }
  if (options.target_url.empty() || options.targets == 0 || options.rate <= 0)
    usage(argv[0]);
  if (!options.blackbox_url.empty() && options.blackbox_pid <= 0)
    usage(argv[0]);
  return options;
}

// Reads "Key:   123 kB" from /proc/<pid>/status, in MB.
double status_mb(const std::string& pid, std::string_view key) {
  std::ifstream status("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() &&
        line[key.size()] == ':') {
      return std::stod(line.substr(key.size() + 1)) / 1024.0;
    }
  }
  return 0;
}

// utime + stime of a process from /proc/<pid>/stat, in seconds (clock-tick resolution).
double proc_cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  // The command name may contain spaces; fields resume after its closing parenthesis.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14 || index == 15)
      ticks += std::stod(field);
    if (index == 15)
      break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Time the process's threads spent runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat,
// second field), in seconds. On a shared 2-core machine this tells a prober that was starved
// apart from one that was idle: cpu_util alone cannot.
double runqueue_wait_seconds(const std::string& pid) {
  double waited_ns = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + pid + "/task", error)) {
    std::ifstream schedstat(task.path() / "schedstat");
    double on_cpu_ns = 0;
    double runqueue_ns = 0;
    if (schedstat >> on_cpu_ns >> runqueue_ns)
      waited_ns += runqueue_ns;
  }
  return waited_ns / 1e9;
}

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Latency quantiles without storing samples (storing them would inflate the RSS being measured):
// logarithmic buckets, 5% wide, from 1 microsecond up.
class LatencyHistogram {
 public:
  void add(double seconds) {
    const double micros = std::max(1.0, seconds * 1e6);
    const auto bucket = static_cast<std::size_t>(std::log(micros) / std::log(kGrowth));
    ++counts_[std::min(bucket, counts_.size() - 1)];
    ++total_;
  }
  double quantile(double q) const {
    if (total_ == 0)
      return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank)
        return std::pow(kGrowth, static_cast<double>(i + 1)) / 1e6;
    }
    return std::pow(kGrowth, static_cast<double>(counts_.size())) / 1e6;
  }

 private:
  static constexpr double kGrowth = 1.05;
  std::array<std::uint64_t, 400> counts_{};  // 1.05^400 us ~ 3e8 us: far beyond any timeout
  std::uint64_t total_ = 0;
};

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

void sleep_until(Steady::time_point at) {
  std::this_thread::sleep_until(at);
}

struct Window {
  double elapsed = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  double cpu_seconds = 0;
  double runqueue_wait_seconds = 0;
};

void print_result(const Options& options, std::string_view side, double offered,
                  const Window& window, std::uint64_t started, const LatencyHistogram& latency,
                  double rss_mb, double hwm_mb, double anon_mb, const std::string& extra) {
  const double completed = static_cast<double>(window.completed);
  const double success =
      window.completed == 0 ? 0 : 1.0 - static_cast<double>(window.failed) / completed;
  std::ostringstream line;
  line << "RESULT side=" << side << " label=" << options.label << " targets=" << options.targets
       << " offered_per_s=" << fixed(offered, 0) << " started=" << started
       << " completed_per_s=" << fixed(completed / window.elapsed, 1)
       << " success_ratio=" << fixed(success, 4)
       << " cpu_s_per_1000=" << fixed(completed == 0 ? 0 : window.cpu_seconds / completed * 1000, 4)
       << " cpu_util=" << fixed(window.cpu_seconds / window.elapsed, 3)
       << " runq_wait_util=" << fixed(window.runqueue_wait_seconds / window.elapsed, 3)
       << " p50_ms=" << fixed(latency.quantile(0.5) * 1e3, 2)
       << " p99_ms=" << fixed(latency.quantile(0.99) * 1e3, 2) << " rss_mb=" << fixed(rss_mb, 1)
       << " hwm_mb=" << fixed(hwm_mb, 1) << " anon_mb=" << fixed(anon_mb, 1)
       << " window_s=" << fixed(window.elapsed, 1) << extra;
  std::cout << line.str() << std::endl;
}

// ---------------------------------------------------------------------------------------------
// engine mode

// Collects what the engine reports. The sink runs on the engine thread; main reads the
// histogram and failure samples only after Engine::stop() has joined that thread.
struct Collector {
  std::atomic<std::int64_t> window_begin_ns{INT64_MAX};
  std::atomic<std::int64_t> window_end_ns{INT64_MAX};
  LatencyHistogram latency;
  std::map<std::string, std::uint64_t> failures;  // reason -> count (within the window)

  void on_result(const sloe::probe::ProbeResult& result) {
    const std::int64_t at =
        std::chrono::duration_cast<std::chrono::nanoseconds>(result.started_at.time_since_epoch())
            .count();
    if (at < window_begin_ns.load(std::memory_order_relaxed) ||
        at >= window_end_ns.load(std::memory_order_relaxed)) {
      return;
    }
    if (result.success) {
      latency.add(result.duration_seconds);
    } else if (failures.size() < 20 || failures.count(result.failure) != 0) {
      ++failures[result.failure];
    }
  }
};

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run_engine(const Options& options) {
  const double interval_ms = options.interval_ms
                                 ? *options.interval_ms
                                 : static_cast<double>(options.targets) / options.rate * 1000.0;
  const auto interval =
      std::chrono::milliseconds(std::max<long long>(1, std::llround(interval_ms)));
  const double offered =
      static_cast<double>(options.targets) * 1000.0 / static_cast<double>(interval.count());
  const double warmup = options.warmup
                            ? *options.warmup
                            : std::max(3.0, 2.0 * std::chrono::duration<double>(interval).count());

  const double rss_before = status_mb("self", "VmRSS");
  std::vector<sloe::probe::ResolvedProbe> probes;
  probes.reserve(options.targets);
  for (std::size_t i = 0; i < options.targets; ++i) {
    sloe::config::HttpProbeSpec http;
    http.url = options.target_url + options.path_prefix + std::to_string(i);
    sloe::config::ProbeSpec spec;
    spec.name = "bench_" + std::to_string(i);
    spec.interval = interval;
    spec.timeout = std::chrono::milliseconds(std::llround(options.timeout_ms));
    spec.kind = std::move(http);
    probes.push_back(sloe::probe::ResolvedProbe{std::move(spec), {}, std::nullopt});
  }

  sloe::SystemClock clock;
  Collector collector;
  sloe::probe::EngineOptions engine_options;
  engine_options.jitter_seed = 42;
  engine_options.reuse_connections = options.reuse;
  sloe::probe::Engine engine(
      clock, std::move(probes),
      [&collector](const sloe::probe::ProbeResult& result) { collector.on_result(result); },
      engine_options);
  if (sloe::Status started = engine.start(); !started) {
    std::fprintf(stderr, "probe_bench: %s\n", started.error().message.c_str());
    return 1;
  }

  const Steady::time_point begin = Steady::now();
  sleep_until(begin + std::chrono::duration_cast<Steady::duration>(Seconds(warmup)));
  collector.window_begin_ns.store(wall_ns());
  const Steady::time_point window_begin = Steady::now();
  const sloe::probe::Engine::Stats stats_begin = engine.stats();
  const double cpu_begin = self_cpu_seconds();
  const double wait_begin = runqueue_wait_seconds("self");

  sleep_until(window_begin +
              std::chrono::duration_cast<Steady::duration>(Seconds(options.duration)));
  const sloe::probe::Engine::Stats stats_end = engine.stats();
  const double cpu_end = self_cpu_seconds();
  const double wait_end = runqueue_wait_seconds("self");
  const Steady::time_point window_end = Steady::now();
  collector.window_end_ns.store(wall_ns());
  const double rss = status_mb("self", "VmRSS");
  const double hwm = status_mb("self", "VmHWM");
  const double anon = status_mb("self", "RssAnon");
  engine.stop();

  Window window;
  window.elapsed = Seconds(window_end - window_begin).count();
  window.completed = stats_end.completed - stats_begin.completed;
  window.failed = stats_end.failed - stats_begin.failed;
  window.cpu_seconds = cpu_end - cpu_begin;
  window.runqueue_wait_seconds = wait_end - wait_begin;
  const std::string extra = " interval_ms=" + std::to_string(interval.count()) +
                            " reuse=" + (options.reuse ? "1" : "0") +
                            " rss_before_engine_mb=" + fixed(rss_before, 1);
  print_result(options, "sloe", offered, window, stats_end.started - stats_begin.started,
               collector.latency, rss, hwm, anon, extra);
  for (const auto& [reason, count] : collector.failures) {
    std::cerr << "  failure x" << count << ": " << reason << "\n";
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// --drive-blackbox mode

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

int run_blackbox_driver(const Options& options) {
  const double warmup = options.warmup.value_or(3.0);
  const std::string pid = std::to_string(options.blackbox_pid);

  std::vector<std::string> paths;
  paths.reserve(options.targets);
  for (std::size_t i = 0; i < options.targets; ++i) {
    paths.push_back("/probe?module=http_2xx&target=" +
                    url_encode(options.target_url + options.path_prefix + std::to_string(i)));
  }

  // Open loop: request k is due at start + k / rate, whoever is free sends it. A request that
  // finds every client busy goes out late, so a saturated exporter shows as a lower completed
  // rate rather than as a queue in this process.
  std::atomic<std::uint64_t> next_ticket{0};
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> in_window{false};
  std::mutex samples_mutex;
  LatencyHistogram latency;
  std::map<std::string, std::uint64_t> failures;

  const Steady::time_point begin = Steady::now();
  const auto period = Seconds(1.0 / options.rate);
  std::vector<std::thread> clients;
  for (int c = 0; c < options.concurrency; ++c) {
    clients.emplace_back([&] {
      httplib::Client client(options.blackbox_url);
      client.set_keep_alive(true);
      client.set_connection_timeout(std::chrono::seconds(5));
      client.set_read_timeout(std::chrono::seconds(10));
      while (!stop.load(std::memory_order_relaxed)) {
        const std::uint64_t ticket = next_ticket.fetch_add(1);
        const Steady::time_point due = begin + std::chrono::duration_cast<Steady::duration>(
                                                   period * static_cast<double>(ticket));
        sleep_until(due);
        if (stop.load(std::memory_order_relaxed))
          break;
        started.fetch_add(1, std::memory_order_relaxed);
        const Steady::time_point sent = Steady::now();
        const httplib::Result response = client.Get(paths[ticket % paths.size()]);
        const double took = Seconds(Steady::now() - sent).count();
        std::string reason;
        if (!response) {
          reason = "driver: " + httplib::to_string(response.error());
        } else if (response->status != 200) {
          reason = "driver: exporter answered " + std::to_string(response->status);
        } else if (response->body.find("\nprobe_success 1\n") == std::string::npos) {
          reason = "probe_success 0";
        }
        if (!reason.empty())
          failed.fetch_add(1, std::memory_order_relaxed);
        completed.fetch_add(1, std::memory_order_relaxed);
        if (in_window.load(std::memory_order_relaxed)) {
          const std::lock_guard<std::mutex> lock(samples_mutex);
          if (reason.empty()) {
            latency.add(took);
          } else if (failures.size() < 20 || failures.count(reason) != 0) {
            ++failures[reason];
          }
        }
      }
    });
  }

  sleep_until(begin + std::chrono::duration_cast<Steady::duration>(Seconds(warmup)));
  in_window.store(true);
  const Steady::time_point window_begin = Steady::now();
  const std::uint64_t completed_begin = completed.load();
  const std::uint64_t failed_begin = failed.load();
  const std::uint64_t started_begin = started.load();
  const double cpu_begin = proc_cpu_seconds(options.blackbox_pid);
  const double wait_begin = runqueue_wait_seconds(pid);
  const double driver_cpu_begin = self_cpu_seconds();

  sleep_until(window_begin +
              std::chrono::duration_cast<Steady::duration>(Seconds(options.duration)));
  const std::uint64_t completed_end = completed.load();
  const std::uint64_t failed_end = failed.load();
  const std::uint64_t started_end = started.load();
  const double cpu_end = proc_cpu_seconds(options.blackbox_pid);
  const double wait_end = runqueue_wait_seconds(pid);
  const double driver_cpu_end = self_cpu_seconds();
  const Steady::time_point window_end = Steady::now();
  in_window.store(false);
  const double rss = status_mb(pid, "VmRSS");
  const double hwm = status_mb(pid, "VmHWM");
  const double anon = status_mb(pid, "RssAnon");
  stop.store(true);
  for (std::thread& client : clients)
    client.join();

  Window window;
  window.elapsed = Seconds(window_end - window_begin).count();
  window.completed = completed_end - completed_begin;
  window.failed = failed_end - failed_begin;
  window.cpu_seconds = cpu_end - cpu_begin;
  window.runqueue_wait_seconds = wait_end - wait_begin;
  print_result(options, "blackbox", options.rate, window, started_end - started_begin, latency, rss,
               hwm, anon,
               " concurrency=" + std::to_string(options.concurrency) + " driver_cpu_util=" +
                   fixed((driver_cpu_end - driver_cpu_begin) / window.elapsed, 3));
  for (const auto& [reason, count] : failures) {
    std::cerr << "  failure x" << count << ": " << reason << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  return options.blackbox_url.empty() ? run_engine(options) : run_blackbox_driver(options);
}

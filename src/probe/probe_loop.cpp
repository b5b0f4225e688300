#include "probe_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "curl_transfer.h"

namespace sloe::probe::detail {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// curl enforces the run's timeout itself and reports where it stopped; the loop's own deadline
// is a backstop that fires only if curl does not.
constexpr std::chrono::milliseconds kCurlBackstopGrace{100};
constexpr std::size_t kMaxEventsPerWait = 64;
constexpr std::size_t kMaxDatagram = 65535;

std::string errno_text(int error) {
  return std::strerror(error);
}

class EpollProbeLoop final : public ProbeLoop {
 public:
  EpollProbeLoop(const Clock& clock, bool reuse_connections)
      : clock_(clock), reuse_connections_(reuse_connections), datagram_(kMaxDatagram) {}

  Status init() {
    if (Status curl = ensure_curl_initialized(); !curl)
      return curl;
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0)
      return Error{"epoll_create1 failed: " + errno_text(errno)};
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0)
      return Error{"eventfd failed: " + errno_text(errno)};
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = wake_fd_;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) {
      return Error{"registering the wake-up eventfd failed: " + errno_text(errno)};
    }
    multi_ = curl_multi_init();
    if (multi_ == nullptr)
      return Error{"curl_multi_init failed"};
    bool ok = curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &on_curl_socket) == CURLM_OK;
    ok = ok && curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this) == CURLM_OK;
    ok = ok && curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &on_curl_timer) == CURLM_OK;
    ok = ok && curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this) == CURLM_OK;
    if (!ok)
      return Error{"configuring the curl multi handle failed"};
    return {};
  }

  ~EpollProbeLoop() override {
    cancel_all();
    if (multi_ != nullptr)
      curl_multi_cleanup(multi_);
    if (wake_fd_ >= 0)
      close(wake_fd_);
    if (epoll_fd_ >= 0)
      close(epoll_fd_);
  }

  EpollProbeLoop(const EpollProbeLoop&) = delete;
  EpollProbeLoop& operator=(const EpollProbeLoop&) = delete;

  void begin(const PreparedProbe& probe, Done on_done) override {
    auto owned = std::make_unique<Run>();
    Run* run = owned.get();
    run->id = next_id_++;
    run->probe = &probe;
    run->on_done = std::move(on_done);
    run->started = clock_.monotonic();
    run->result.probe = probe.probe.spec.name;
    run->result.target = probe.target;
    run->result.started_at = clock_.now();
    const auto timeout = std::chrono::duration_cast<MonoTime::duration>(probe.probe.spec.timeout);
    run->deadline = run->started + timeout;
    if (probe.kind != ProbeKind::kDns)
      run->deadline += kCurlBackstopGrace;
    runs_.emplace(run->id, std::move(owned));
    deadlines_.emplace(run->deadline, run->id);

    if (!probe.setup_error.empty()) {
      fail(*run, probe.setup_error);
    } else if (probe.kind == ProbeKind::kDns) {
      begin_dns(*run);
    } else {
      begin_curl(*run);
    }
  }

  void poll(Duration max_wait) override {
    Duration wait = max_wait;
    if (!finished_.empty())
      wait = Duration::zero();
    if (curl_timer_)
      wait = std::min<Duration>(wait, *curl_timer_ - std::chrono::steady_clock::now());
    if (!deadlines_.empty()) {
      wait = std::min<Duration>(wait, deadlines_.begin()->first - clock_.monotonic());
    }
    int timeout_ms = 0;
    if (wait > Duration::zero()) {
      const auto rounded_up = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      timeout_ms = rounded_up > INT_MAX ? INT_MAX : static_cast<int>(rounded_up);
    }

    std::array<epoll_event, kMaxEventsPerWait> events{};
    const int ready =
        epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int i = 0; i < ready; ++i) {
      const epoll_event& event = events[static_cast<std::size_t>(i)];
      const int fd = event.data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t drained = read(wake_fd_, &count, sizeof count);
      } else if (const auto dns = dns_runs_.find(fd); dns != dns_runs_.end()) {
        on_dns_readable(*dns->second);
      } else {
        int mask = 0;
        if ((event.events & EPOLLIN) != 0)
          mask |= CURL_CSELECT_IN;
        if ((event.events & EPOLLOUT) != 0)
          mask |= CURL_CSELECT_OUT;
        if ((event.events & (EPOLLERR | EPOLLHUP)) != 0)
          mask |= CURL_CSELECT_ERR;
        int running = 0;
        curl_multi_socket_action(multi_, fd, mask, &running);
      }
    }
    if (curl_timer_ && std::chrono::steady_clock::now() >= *curl_timer_) {
      curl_timer_.reset();  // before the call: curl may set a new timer from inside it
      int running = 0;
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    collect_curl_results();
    expire_deadlines();
    deliver_finished();
  }

  void wake() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof one);
  }

  void cancel_all() override {
    for (auto& [id, run] : runs_)
      release(*run);
    runs_.clear();
    deadlines_.clear();
    finished_.clear();
  }

  std::size_t in_flight() const override { return runs_.size(); }

 private:
  struct Run {
    std::uint64_t id = 0;
    const PreparedProbe* probe = nullptr;
    Done on_done;
    MonoTime started;
    MonoTime deadline;
    ProbeResult result;
    std::unique_ptr<CurlTransfer> curl;
    bool in_multi = false;
    int dns_fd = -1;
    std::uint16_t dns_id = 0;
    int ignored_replies = 0;
  };

  static int on_curl_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* self,
                            void* /*socket_data*/) {
    auto& loop = *static_cast<EpollProbeLoop*>(self);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop.epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);  // may already be closed: fine
      loop.curl_fds_.erase(fd);
      return 0;
    }
    epoll_event event{};
    event.data.fd = fd;
    if ((what & CURL_POLL_IN) != 0)
      event.events |= EPOLLIN;
    if ((what & CURL_POLL_OUT) != 0)
      event.events |= EPOLLOUT;
    const bool known = loop.curl_fds_.count(fd) != 0;
    if (epoll_ctl(loop.epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) {
      // The number may have been closed and reused behind our back; try the other operation.
      if (epoll_ctl(loop.epoll_fd_, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0) {
        return -1;
      }
    }
    loop.curl_fds_.insert(fd);
    return 0;
  }

  static int on_curl_timer(CURLM* /*multi*/, long timeout_ms, void* self) {
    auto& loop = *static_cast<EpollProbeLoop*>(self);
    if (timeout_ms < 0) {
      loop.curl_timer_.reset();
    } else {
      loop.curl_timer_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  void begin_curl(Run& run) {
    Result<std::unique_ptr<CurlTransfer>> transfer =
        CurlTransfer::create(*run.probe, reuse_connections_);
    if (!transfer) {
      fail(run, "cannot start: " + transfer.error().message);
      return;
    }
    run.curl = std::move(transfer).value();
    curl_easy_setopt(run.curl->easy(), CURLOPT_PRIVATE, &run);
    const CURLMcode added = curl_multi_add_handle(multi_, run.curl->easy());
    if (added != CURLM_OK) {
      fail(run, std::string("cannot start: ") + curl_multi_strerror(added));
      return;
    }
    run.in_multi = true;
  }

  void collect_curl_results() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE)
        continue;
      void* data = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &data);
      // Read before finishing: removing the handle invalidates the message.
      const CURLcode code = message->data.result;
      Run& run = *static_cast<Run*>(data);
      run.curl->complete(code, run.result);
      finish(run);
    }
  }

  void begin_dns(Run& run) {
    const PreparedProbe& probe = *run.probe;
    const auto& spec = std::get<config::DnsProbeSpec>(probe.probe.spec.kind);
    const DnsServer& server = probe.dns_server;
    run.dns_fd = socket(server.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (run.dns_fd < 0) {
      fail(run, "cannot open a UDP socket: " + errno_text(errno));
      return;
    }
    // A connected UDP socket only accepts datagrams from the server and reports ICMP
    // port-unreachable as ECONNREFUSED.
    if (connect(run.dns_fd, reinterpret_cast<const sockaddr*>(&server.address),
                server.address_length) != 0) {
      fail(run, "cannot reach DNS server " + server.display + ": " + errno_text(errno));
      return;
    }
    run.dns_id = static_cast<std::uint16_t>(dns_ids_() & 0xffff);
    Result<std::vector<std::uint8_t>> query =
        build_dns_query(run.dns_id, spec.query_name, probe.dns_type);
    if (!query) {
      fail(run, query.error().message);
      return;
    }
    const ssize_t sent = send(run.dns_fd, query->data(), query->size(), 0);
    if (sent < 0 || static_cast<std::size_t>(sent) != query->size()) {
      fail(run, "sending the query to DNS server " + server.display +
                    " failed: " + (sent < 0 ? errno_text(errno) : "short write"));
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = run.dns_fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, run.dns_fd, &event) != 0) {
      fail(run, "cannot watch the DNS socket: " + errno_text(errno));
      return;
    }
    dns_runs_.emplace(run.dns_fd, &run);
  }

  void on_dns_readable(Run& run) {
    const PreparedProbe& probe = *run.probe;
    const auto& spec = std::get<config::DnsProbeSpec>(probe.probe.spec.kind);
    while (true) {
      const ssize_t received = recv(run.dns_fd, datagram_.data(), datagram_.size(), 0);
      if (received < 0) {
        if (errno == EINTR)
          continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          return;
        if (errno == ECONNREFUSED) {
          fail(run, "connection refused (nothing listening on DNS server " +
                        probe.dns_server.display + ")");
        } else {
          fail(run, "receiving from DNS server " + probe.dns_server.display +
                        " failed: " + errno_text(errno));
        }
        return;
      }
      const std::span<const std::uint8_t> reply(datagram_.data(),
                                                static_cast<std::size_t>(received));
      const std::optional<std::uint16_t> id = dns_reply_id(reply);
      if (!id || *id != run.dns_id) {
        // Not an answer to this query (late reply to an earlier one, or spoofing): keep waiting.
        ++run.ignored_replies;
        continue;
      }
      Result<DnsReply> parsed = parse_dns_reply(reply, spec.query_name, probe.dns_type);
      if (!parsed) {
        fail(run, parsed.error().message);
        return;
      }
      run.result.dns_answer_count = parsed->answer_count;
      if (parsed->truncated) {
        fail(run, "truncated DNS response (TC bit set); TCP fallback is not supported");
      } else if (spec.valid_rcode_noerror_only && parsed->rcode != 0) {
        fail(run, "rcode " + dns_rcode_name(parsed->rcode) + " for " + spec.query_type + " " +
                      spec.query_name);
      } else if (spec.require_answers && parsed->answer_count == 0) {
        fail(run, "no answer records for " + spec.query_type + " " + spec.query_name + " (rcode " +
                      dns_rcode_name(parsed->rcode) + ")");
      } else {
        run.result.success = true;
        finish(run);
      }
      return;
    }
  }

  void expire_deadlines() {
    const MonoTime now = clock_.monotonic();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      Run& run = *runs_.at(deadlines_.begin()->second);
      if (run.curl) {
        // curl missed its own timeout; let it describe how far the run got.
        run.curl->complete(CURLE_OPERATION_TIMEDOUT, run.result);
        finish(run);
      } else {
        std::string reason = describe_timeout(run.probe->probe.spec.timeout);
        if (run.ignored_replies > 0) {
          reason += " (ignored " + std::to_string(run.ignored_replies) +
                    " replies that did not match the query id)";
        } else if (run.probe->kind == ProbeKind::kDns) {
          reason += " (no reply from " + run.probe->dns_server.display + ")";
        }
        fail(run, reason);
      }
    }
  }

  void fail(Run& run, std::string reason) {
    run.result.success = false;
    run.result.failure = std::move(reason);
    finish(run);
  }

  // Ends a run: records its duration, frees its resources, queues its result for delivery.
  void finish(Run& run) {
    const auto elapsed = clock_.monotonic() - run.started;
    run.result.duration_seconds = std::max(0.0, std::chrono::duration<double>(elapsed).count());
    release(run);
    deadlines_.erase({run.deadline, run.id});
    finished_.emplace_back(std::move(run.on_done), std::move(run.result));
    runs_.erase(run.id);  // destroys run
  }

  // Frees a run's curl handle or socket. Leaves the bookkeeping maps to the caller.
  void release(Run& run) {
    if (run.curl) {
      if (run.in_multi)
        curl_multi_remove_handle(multi_, run.curl->easy());
      run.in_multi = false;
      run.curl.reset();
    }
    if (run.dns_fd >= 0) {
      dns_runs_.erase(run.dns_fd);
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, run.dns_fd, nullptr);
      close(run.dns_fd);
      run.dns_fd = -1;
    }
  }

  void deliver_finished() {
    std::vector<std::pair<Done, ProbeResult>> ready;
    ready.swap(finished_);  // a callback may begin() new runs
    for (auto& [on_done, result] : ready) {
      if (on_done)
        on_done(std::move(result));
    }
  }

  const Clock& clock_;
  const bool reuse_connections_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  CURLM* multi_ = nullptr;
  std::optional<SteadyTime> curl_timer_;
  std::unordered_set<int> curl_fds_;
  std::unordered_map<int, Run*> dns_runs_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Run>> runs_;
  std::set<std::pair<MonoTime, std::uint64_t>> deadlines_;
  std::vector<std::pair<Done, ProbeResult>> finished_;
  std::uint64_t next_id_ = 1;
  // DNS ids should be hard to guess (they are half of the defence against spoofed replies).
  std::mt19937 dns_ids_{std::random_device{}()};
  std::vector<std::uint8_t> datagram_;
};

}  // namespace

Result<std::unique_ptr<ProbeLoop>> ProbeLoop::create(const Clock& clock, bool reuse_connections) {
  auto loop = std::make_unique<EpollProbeLoop>(clock, reuse_connections);
  if (Status status = loop->init(); !status)
    return status.error();
  return std::unique_ptr<ProbeLoop>(std::move(loop));
}

}  // namespace sloe::probe::detail

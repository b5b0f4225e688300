// bench_target: the HTTP server the probe benchmark points its probes at.
//
// A minimal HTTP/1.1 responder on 127.0.0.1: GET /t/<n> answers 200 "ok", GET /hang/<n> is never
// answered (the connection stays open until the client gives up), anything else is a 404.
// It is hand-written on epoll rather than built on cpp-httplib because the benchmark opens a
// fresh connection for every probe (2000-10000 new connections a second) and httplib's
// thread-per-connection model spends more CPU per connection than the probe engine it is meant to
// measure; on a 2-core machine the target's CPU is taken from the engine under test.
//
// Each worker thread owns an epoll loop and its own SO_REUSEPORT listening socket, so the kernel
// spreads new connections without any shared state. Connections are kept alive until the client
// closes them (as a probe with a fresh connection does after one request).
//
// Usage: bench_target [--port P] [--threads T]
// Prints "port <P>" on the first line of stdout once it accepts connections; runs until SIGTERM
// or SIGINT, then prints the number of requests served to stderr.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
constexpr std::string_view kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: "
    "close\r\n\r\nok";
constexpr std::string_view kNotFound =
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found";
constexpr std::string_view kBadRequest =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
// A request head larger than this is not something a probe sends.
constexpr std::size_t kMaxHead = 16 * 1024;

std::atomic<bool> g_stop{false};
int g_stop_fd = -1;

void on_signal(int /*signal*/) {
  g_stop.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = write(g_stop_fd, &one, sizeof one);
}

struct Connection {
  std::string in;
  std::string out;  // bytes not yet accepted by the kernel
  bool close_after_write = false;
  bool open = false;
};

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
    if (a != prefix[i])
      return false;
  }
  return true;
}

// Whether the request head asks to close the connection after the response.
bool wants_close(std::string_view head, bool http10) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::string_view line = head.substr(pos + 2, head.find("\r\n", pos + 2) - (pos + 2));
    if (iequals_prefix(line, "connection:")) {
      const bool keep = line.find("eep-alive") != std::string_view::npos;
      const bool close = line.find("lose") != std::string_view::npos;
      return close || (http10 && !keep);
    }
    pos = head.find("\r\n", pos + 2);
  }
  return http10;
}

std::string_view respond(std::string_view head, bool& close_after) {
  const std::size_t method_end = head.find(' ');
  const std::size_t path_end =
      method_end == std::string_view::npos ? method_end : head.find(' ', method_end + 1);
  if (path_end == std::string_view::npos) {
    close_after = true;
    return kBadRequest;
  }
  const std::string_view method = head.substr(0, method_end);
  const std::string_view path = head.substr(method_end + 1, path_end - method_end - 1);
  const bool http10 = head.substr(path_end + 1, 8) == "HTTP/1.0";
  close_after = wants_close(head, http10);
  // Never answered: the client's timeout ends the request. For "every target is timing out".
  if (path.substr(0, 6) == "/hang/") {
    close_after = false;
    return {};
  }
  const bool target = (method == "GET" || method == "HEAD") && path.size() > 3 &&
                      path.substr(0, 3) == "/t/" &&
                      path.find_first_not_of("0123456789", 3) == std::string_view::npos;
  if (!target)
    return kNotFound;
  return close_after ? kOkClose : kOk;
}

class Worker {
 public:
  explicit Worker(int listen_fd) : listen_fd_(listen_fd) {}

  std::uint64_t served() const { return served_; }

  void run() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    add(listen_fd_, EPOLLIN);
    add(g_stop_fd, EPOLLIN);
    std::array<epoll_event, 256> events{};
    while (!g_stop.load(std::memory_order_relaxed)) {
      const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
      for (int i = 0; i < ready; ++i) {
        const epoll_event& event = events[static_cast<std::size_t>(i)];
        if (event.data.fd == listen_fd_) {
          accept_all();
        } else if (event.data.fd != g_stop_fd) {
          serve(event.data.fd, event.events);
        }
      }
    }
    for (std::size_t fd = 0; fd < connections_.size(); ++fd) {
      if (connections_[fd].open)
        close(static_cast<int>(fd));
    }
    close(epoll_fd_);
  }

 private:
  void add(int fd, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }

  void accept_all() {
    while (true) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;  // EAGAIN, or a transient error such as EMFILE: retry on next wake
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (static_cast<std::size_t>(fd) >= connections_.size()) {
        connections_.resize(static_cast<std::size_t>(fd) + 1024);
      }
      Connection& connection = connections_[static_cast<std::size_t>(fd)];
      connection = Connection{};
      connection.open = true;
      add(fd, EPOLLIN | EPOLLRDHUP);
    }
  }

  void drop(int fd) {
    connections_[static_cast<std::size_t>(fd)] = Connection{};
    close(fd);  // also removes it from the epoll set
  }

  void serve(int fd, std::uint32_t events) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    if ((events & EPOLLOUT) != 0 && !flush(fd, connection))
      return;
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0)
      return;
    char buffer[8192];
    while (true) {
      const ssize_t got = read(fd, buffer, sizeof buffer);
      if (got > 0) {
        connection.in.append(buffer, static_cast<std::size_t>(got));
        if (static_cast<std::size_t>(got) < sizeof buffer)
          break;
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (got < 0 && errno == EINTR)
        continue;
      drop(fd);  // EOF or error: the client is done
      return;
    }
    std::size_t consumed = 0;
    while (!connection.close_after_write) {
      const std::size_t end = connection.in.find("\r\n\r\n", consumed);
      if (end == std::string::npos)
        break;
      bool close_after = false;
      const std::string_view head(connection.in.data() + consumed, end - consumed);
      connection.out.append(respond(head, close_after));
      connection.close_after_write = close_after;
      consumed = end + 4;  // probes send no request body
      ++served_;
    }
    connection.in.erase(0, consumed);
    if (connection.in.size() > kMaxHead) {
      drop(fd);
      return;
    }
    flush(fd, connection);
  }

  // Writes pending output. Returns false if the connection was closed.
  bool flush(int fd, Connection& connection) {
    while (!connection.out.empty()) {
      const ssize_t sent = send(fd, connection.out.data(), connection.out.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR)
          continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          epoll_event event{};
          event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
          event.data.fd = fd;
          epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
          return true;
        }
        drop(fd);
        return false;
      }
      connection.out.erase(0, static_cast<std::size_t>(sent));
    }
    if (connection.close_after_write) {
      drop(fd);
      return false;
    }
    return true;
  }

  int listen_fd_;
  int epoll_fd_ = -1;
  std::vector<Connection> connections_;
  std::uint64_t served_ = 0;
};

int open_listener(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 4096) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--port P] [--threads T]\n", argv[0]);
      return 2;
    }
  }

  g_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  // The first listener picks the port (port 0: any free one); the others share it.
  std::vector<int> listeners;
  for (int i = 0; i < threads; ++i) {
    const int fd = open_listener(port);
    if (fd < 0) {
      std::fprintf(stderr, "bench_target: cannot listen on 127.0.0.1:%d: %s\n", port,
                   std::strerror(errno));
      return 1;
    }
    port = bound_port(fd);
    listeners.push_back(fd);
  }
  std::vector<Worker> workers;
  workers.reserve(listeners.size());
  for (const int fd : listeners)
    workers.emplace_back(fd);
  std::vector<std::thread> running;
  for (Worker& worker : workers)
    running.emplace_back([&worker] { worker.run(); });

  std::printf("port %d\n", port);
  std::fflush(stdout);

  for (std::thread& thread : running)
    thread.join();
  std::uint64_t served = 0;
  for (const Worker& worker : workers)
    served += worker.served();
  std::fprintf(stderr, "bench_target: served %llu requests\n",
               static_cast<unsigned long long>(served));
  return 0;
}

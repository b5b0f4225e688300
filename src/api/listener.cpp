#include "sloe/api/listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

namespace sloe::api {

Result<int> serve_in_background(httplib::Server& server, const std::string& host, int port,
                                std::thread& thread) {
  server.set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Error{"cannot listen on " + host + ":" + std::to_string(port) +
                 ": address in use, not local, or not permitted"};
  }
  thread = std::thread([&server] { server.listen_after_bind(); });
  // httplib 0.11 has no wait_until_ready(), and its stop() is a no-op until the accept loop runs:
  // wait here so that a stop() right after start cannot leave the thread listening forever.
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void stop_serving(httplib::Server& server, std::thread& thread) {
  server.stop();
  if (thread.joinable())
    thread.join();
}

}  // namespace sloe::api

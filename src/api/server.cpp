#include "sloe/api/server.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <thread>

#include "sloe/api/json.h"
#include "sloe/api/listener.h"

namespace sloe::api {
namespace {

constexpr const char* kJson = "application/json";

void send_error(httplib::Response& response, int status, const std::string& message,
                const std::string& field = "") {
  response.status = status;
  response.set_content(error_json(message, field), kJson);
}

}  // namespace

struct ApiServer::Impl {
  Impl(const StatusBoard& board_in, const AgentMetrics& metrics_in, std::function<bool()> ready_in)
      : board(board_in), metrics(metrics_in), ready(std::move(ready_in)) {}

  void install_routes() {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok\n", "text/plain");
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
      const bool is_ready = ready ? ready() : board.snapshot() != nullptr;
      response.status = is_ready ? 200 : 503;
      response.set_content(is_ready ? "ready\n" : "not ready: no evaluation yet\n", "text/plain");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/api/v1/slos", [this](const httplib::Request&, httplib::Response& response) {
      const auto snapshot = board.snapshot();
      if (!snapshot) {
        send_error(response, 503, "no evaluation has completed yet; retry in a few seconds");
        return;
      }
      response.set_content(board_to_json(*snapshot), kJson);
    });
    server.Get(R"(/api/v1/slos/([A-Za-z0-9_.\-]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                 const auto snapshot = board.snapshot();
                 if (!snapshot) {
                   send_error(response, 503, "no evaluation has completed yet");
                   return;
                 }
                 const std::string name = request.matches[1];
                 for (const SloReport& report : snapshot->slos) {
                   if (report.name != name)
                     continue;
                   Board single{snapshot->published_at, snapshot->evaluation_seconds, {report}};
                   response.set_content(board_to_json(single), kJson);
                   return;
                 }
                 send_error(response, 404, "no SLO named '" + name + "'", "name");
               });
    server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
      if (!response.body.empty())
        return;
      if (response.status == 404) {
        send_error(response, 404, "no route for " + request.method + " " + request.path);
      } else if (response.status == 413) {
        send_error(response, 413, "request body too large");
      }
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& response, const std::exception_ptr&) {
          send_error(response, 500, "internal error");
        });
  }

  const StatusBoard& board;
  const AgentMetrics& metrics;
  std::function<bool()> ready;
  httplib::Server server;
  std::thread thread;
  int bound_port = 0;
  std::atomic<bool> running{false};
};

ApiServer::ApiServer(const StatusBoard& board, const AgentMetrics& metrics,
                     std::function<bool()> ready)
    : impl_(std::make_unique<Impl>(board, metrics, std::move(ready))) {
  impl_->install_routes();
}

ApiServer::~ApiServer() {
  stop();
}

Status ApiServer::start(const ServerOptions& options) {
  impl_->server.set_payload_max_length(options.max_body_bytes);
  impl_->server.set_keep_alive_max_count(1000);
  auto port = serve_in_background(impl_->server, options.host, options.port, impl_->thread);
  if (!port)
    return Error{port.error().message + " (choose another with --listen)"};
  impl_->bound_port = port.value();
  impl_->running = true;
  return {};
}

int ApiServer::port() const {
  return impl_->bound_port;
}

void ApiServer::stop() {
  if (!impl_->running.exchange(false))
    return;
  stop_serving(impl_->server, impl_->thread);
}

Result<ServerOptions> parse_listen_address(const std::string& address) {
  ServerOptions options;
  std::string host;
  std::string port_text;
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return Error{"listen address '" + address + "' must look like [::1]:9465"};
    }
    host = address.substr(1, close - 1);
    port_text = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) {
      return Error{"listen address '" + address + "' needs a port, e.g. 127.0.0.1:9465"};
    }
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Error{"listen address '" + address + "' has an invalid port '" + port_text +
                 "' (0-65535)"};
  }
  options.host = host.empty() ? "0.0.0.0" : host;
  options.port = port;
  return options;
}

}  // namespace sloe::api

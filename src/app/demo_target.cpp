#include "sloe/app/demo_target.h"

#include <httplib.h>

#include <atomic>
#include <thread>

#include "sloe/api/listener.h"

namespace sloe::app {
namespace {

// The checkout endpoint is healthy for this long, so the demo first shows a full budget.
constexpr auto kHealthyStart = std::chrono::seconds(20);

}  // namespace

struct DemoTarget::Impl {
  explicit Impl(const Clock& clock_in) : clock(clock_in), started(clock_in.monotonic()) {}

  void install_routes() {
    server.Get("/healthy", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("{\"status\":\"ok\"}\n", "application/json");
    });
    server.Get("/checkout", [this](const httplib::Request&, httplib::Response& response) {
      const std::uint64_t n = checkout_requests.fetch_add(1);
      const bool failing_phase = clock.monotonic() - started >= kHealthyStart;
      if (failing_phase && n % 8 == 7) {
        response.status = 500;
        response.set_content("{\"status\":\"error\",\"reason\":\"payment backend timeout\"}\n",
                             "application/json");
        return;
      }
      response.set_content("{\"status\":\"ok\"}\n", "application/json");
    });
    server.Get("/slow", [this](const httplib::Request&, httplib::Response& response) {
      // A deterministic spread of delays: most answers are quick, one in thirty is slow, so the
      // search latency SLO spends part of its budget without paging.
      const std::uint64_t n = slow_requests.fetch_add(1);
      const auto delay = (n % 30 == 29) ? std::chrono::milliseconds(300 + 20 * (n % 5))
                                        : std::chrono::milliseconds(20 + 10 * (n % 7));
      std::this_thread::sleep_for(delay);
      response.set_content("{\"results\":[]}\n", "application/json");
    });
  }

  const Clock& clock;
  MonoTime started;
  std::atomic<std::uint64_t> checkout_requests{0};
  std::atomic<std::uint64_t> slow_requests{0};
  httplib::Server server;
  std::thread thread;
  int bound_port = 0;
  bool running = false;
};

DemoTarget::DemoTarget(const Clock& clock) : impl_(std::make_unique<Impl>(clock)) {
  impl_->install_routes();
}

DemoTarget::~DemoTarget() {
  stop();
}

Status DemoTarget::start(const std::string& host, int port) {
  impl_->started = impl_->clock.monotonic();
  auto bound = api::serve_in_background(impl_->server, host, port, impl_->thread);
  if (!bound) {
    return Error{"demo target " + bound.error().message +
                 " (is another sloe demo running? choose another with --demo-listen)"};
  }
  impl_->bound_port = bound.value();
  impl_->running = true;
  return {};
}

int DemoTarget::port() const {
  return impl_->bound_port;
}

void DemoTarget::stop() {
  if (!impl_->running)
    return;
  impl_->running = false;
  api::stop_serving(impl_->server, impl_->thread);
}

}  // namespace sloe::app

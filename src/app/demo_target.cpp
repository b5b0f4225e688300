#include "sloe/app/demo_target.h"

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

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
    server.Post(R"(/hooks/([A-Za-z0-9_.\-]+))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  auto delivery = parse_delivery(request.matches[1], request.body);
                  if (!delivery) {
                    response.status = 400;
                    response.set_content("{\"error\":\"not an Alertmanager webhook payload\"}\n",
                                         "application/json");
                    return;
                  }
                  const std::lock_guard lock(deliveries_mutex);
                  if (deliveries.size() < kMaxKeptDeliveries)
                    deliveries.push_back(std::move(*delivery));
                  response.set_content("{}\n", "application/json");
                });
  }

  static std::optional<Delivery> parse_delivery(const std::string& receiver,
                                                const std::string& body) {
    const nlohmann::json payload = nlohmann::json::parse(body, nullptr, false);
    if (!payload.is_object() || !payload.contains("alerts") || !payload["alerts"].is_array())
      return std::nullopt;
    Delivery delivery;
    delivery.receiver = receiver;
    delivery.status = payload.value("status", "");
    for (const nlohmann::json& alert : payload["alerts"]) {
      if (!alert.is_object() || !alert.contains("labels") || !alert["labels"].is_object())
        return std::nullopt;
      const nlohmann::json& labels = alert["labels"];
      std::string line = labels.value("alertname", "alert");
      for (const char* name : {"slo", "service", "severity"}) {
        if (labels.contains(name) && labels[name].is_string())
          line += std::string(" ") + name + "=" + labels[name].get<std::string>();
      }
      delivery.alerts.push_back(std::move(line));
    }
    return delivery;
  }

  static constexpr std::size_t kMaxKeptDeliveries = 1000;

  const Clock& clock;
  MonoTime started;
  std::atomic<std::uint64_t> checkout_requests{0};
  std::atomic<std::uint64_t> slow_requests{0};
  std::mutex deliveries_mutex;
  std::vector<Delivery> deliveries;
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

std::vector<DemoTarget::Delivery> DemoTarget::take_deliveries() {
  const std::lock_guard lock(impl_->deliveries_mutex);
  return std::exchange(impl_->deliveries, {});
}

void DemoTarget::stop() {
  if (!impl_->running)
    return;
  impl_->running = false;
  api::stop_serving(impl_->server, impl_->thread);
}

}  // namespace sloe::app

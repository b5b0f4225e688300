// DemoTarget: a small HTTP service that sloe serves on loopback for the shipped demo
// configuration, so a newcomer sees budgets move without any network.
//
//   /healthy   always 200, fast
//   /checkout  200, but after the first 20 seconds one request in eight answers 500
//   /slow      200 after a delay; one request in thirty takes longer than 250 ms
//   POST /hooks/<receiver>  a webhook receiver: accepts Alertmanager-format (version 4)
//              notifications, so the demo shows where a page went; take_deliveries() hands them
//              to the terminal
//
// Thread-safety: start/stop from one thread; requests are served on the server's pool.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"

namespace sloe::app {

class DemoTarget {
 public:
  explicit DemoTarget(const Clock& clock);
  ~DemoTarget();
  DemoTarget(const DemoTarget&) = delete;
  DemoTarget& operator=(const DemoTarget&) = delete;

  Status start(const std::string& host, int port);  // port 0: any free port
  int port() const;
  void stop();

  // One notification received on /hooks/<receiver>.
  struct Delivery {
    std::string receiver;             // from the path
    std::string status;               // "firing" or "resolved"
    std::vector<std::string> alerts;  // "<alertname> slo=<slo> severity=<severity>" per alert
  };
  // The deliveries received since the last call, oldest first. Thread-safe.
  std::vector<Delivery> take_deliveries();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

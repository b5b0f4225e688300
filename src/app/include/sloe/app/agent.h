// Agent: the long-running process behind `sloe run` — probes feed SLI windows, an evaluator turns
// them into budgets, burn rates and alert conditions, and one HTTP port serves the results.
// Burn-rate alerts and alerts received over HTTP are recorded durably and, when alerts/ holds a
// routing tree, go through the alert pipeline (routing, grouping, silences, inhibition,
// escalation) to the notification outbox, drained by the notifier.
//
// Lifecycle: create() validates everything that can fail before anything starts (secrets,
// database, listen address); start() spawns the probe loop, the evaluator and the HTTP server;
// stop() is the one shutdown path: it stops probing, evaluates once more, saves SLI history, and
// closes the port. Thread-safety: create/start/stop from one owner thread; board() and port() from
// any thread once started.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sloe/api/server.h"
#include "sloe/api/status_board.h"
#include "sloe/config/model.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/probe/engine.h"

namespace sloe::app {

struct AgentOptions {
  std::string data_dir = ".sloe-data";
  api::ServerOptions listen;
  std::chrono::milliseconds evaluation_interval{std::chrono::seconds(5)};
  std::chrono::milliseconds snapshot_interval{std::chrono::seconds(60)};
  std::uint64_t jitter_seed = 0;  // 0: random
  // How people reach this agent, for links in alerts (slo_url) and notifications (ack_url).
  // Empty: http://<listen host>:<port> once the port is known.
  std::string external_url;
  // Who may call the API (api/auth.h); null: authentication off, which create() allows only on a
  // loopback listen address. Mutating requests are audited in the database either way.
  std::shared_ptr<const api::Authenticator> auth;
};

// Resolves a probe's secrets (environment variables, files). The agent does this once at start so
// a missing secret stops it before it runs rather than failing every probe.
Result<probe::ResolvedProbe> resolve_probe(const config::ProbeSpec& spec,
                                           const std::string& config_dir);

class Agent {
 public:
  // REQUIRES: config passed validation (config::load_config). The clock must outlive the agent.
  static Result<std::unique_ptr<Agent>> create(const Clock& clock, config::Config config,
                                               AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  Status start();
  void stop();  // idempotent

  // Runs one evaluation of every SLO now and publishes it (the evaluator thread does this on its
  // interval; tests and the demo may call it directly).
  void evaluate_now();
  // Saves every SLO's SLI history to the database now.
  Status save_history();

  int port() const;
  const api::StatusBoard& board() const;
  // Escalations of pages (empty when alerts/ has no routing tree).
  std::vector<api::EscalationView> escalations() const;
  // The incident record (reads answer from the database). REQUIRES: create() succeeded.
  const api::IncidentService* incidents() const;
  // The runbooks and their runs (api/runbooks.h). REQUIRES: create() succeeded.
  const api::RunbookService* runbooks() const;
  std::size_t restored_slo_count() const;

 private:
  struct Impl;
  explicit Agent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

// ApiServer: sloe's one HTTP port — /metrics, /healthz, /readyz and the JSON API under /api/v1.
//
// Every route is registered through one Router with the Access it requires (see auth.h and
// routes()): /healthz and /readyz are public, every other GET needs a viewer token, alert intake
// a webhook credential, acknowledging an escalation a responder, and silences, on-call overrides
// and the audit log an admin. Without set_authenticator() (or with Authenticator::open())
// authentication is off. Mutating requests are audited once set_audit() names a sink.
// With ServerOptions::tls_cert_file and tls_key_file the port speaks HTTPS only.
//
// Thread-safety: every set_* and start() and stop() from one owner thread, the set_* calls
// before start(); requests are served on the server's own thread pool and only read the
// StatusBoard and AgentMetrics, which are thread-safe. The board and metrics must outlive the
// server.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sloe/api/alert_intake.h"
#include "sloe/api/auth.h"
#include "sloe/api/escalations.h"
#include "sloe/api/incidents.h"
#include "sloe/api/metrics.h"
#include "sloe/api/oncall_api.h"
#include "sloe/api/postmortems.h"
#include "sloe/api/runbooks.h"
#include "sloe/api/status_board.h"
#include "sloe/core/result.h"

namespace sloe::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 9465;  // 0: any free port (see ApiServer::port())
  std::size_t max_body_bytes = 1 << 20;
  // Worker threads. cpp-httplib keeps a thread on each keep-alive connection, so this bounds the
  // clients served at once. 0: cpp-httplib's default (8 or the core count, if larger).
  std::size_t threads = 0;
  // PEM files; both set: serve HTTPS (TLS 1.2+) only. Unreadable or mismatched files fail
  // start() with a message naming the file.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Router;

class ApiServer {
 public:
  // ready: answers /readyz (true once the first evaluation has been published, by default).
  ApiServer(const StatusBoard& board, const AgentMetrics& metrics,
            std::function<bool()> ready = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Adds the alert intake and silence endpoints (see alert_intake.h), answering through routes'
  // sink and service. REQUIRES: called once, before start(); routes.alerts and routes.clock set.
  void set_alert_routes(const AlertRoutes& routes);

  // Adds the escalation endpoints (escalations.h). REQUIRES: called before start().
  void set_escalation_routes(const EscalationRoutes& routes);

  // Adds the on-call override and who-is-on-call endpoints (oncall_api.h). REQUIRES: called once,
  // before start(); routes.overrides and routes.clock set.
  void set_oncall_routes(const OncallRoutes& routes);

  // Adds the incident endpoints (incidents.h). REQUIRES: called once, before start();
  // routes.incidents and routes.clock set.
  void set_incident_routes(const IncidentRoutes& routes);

  // Adds the runbook endpoints (runbooks.h). REQUIRES: called once, before start();
  // routes.runbooks and routes.clock set.
  void set_runbook_routes(const RunbookRoutes& routes);

  // Adds the postmortem endpoints (postmortems.h). REQUIRES: called once, before start();
  // routes.postmortems set.
  void set_postmortem_routes(const PostmortemRoutes& routes);

  // Who may call what (auth.h). Null: authentication off. REQUIRES: before start().
  void set_authenticator(std::shared_ptr<const Authenticator> auth);

  // Records every POST/PUT/PATCH/DELETE (status, principal, remote address) in sink, timed by
  // clock; with a reader, adds GET /api/v1/audit?before=&limit= (admin) answering from it.
  // REQUIRES: before start(); sink, clock and reader outlive the server.
  void set_audit(AuditSink* sink, const Clock* clock, const AuditReader* reader = nullptr);

  // Every route registered so far, with its access level (for docs and the role-matrix test).
  std::vector<RouteInfo> routes() const;

  // Binds and starts serving on a background thread. Fails with a clear message when the address
  // cannot be bound (in use, permission, bad host).
  Status start(const ServerOptions& options);
  // The bound port (useful with port 0). REQUIRES: start() succeeded.
  int port() const;
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void stop();

 private:
  // The one router every route set registers through (for set_*_routes in any api .cpp).
  Router& router();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port" / ":port" into options. Error names the bad part.
Result<ServerOptions> parse_listen_address(const std::string& address);

}  // namespace sloe::api

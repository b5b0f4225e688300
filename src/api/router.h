// Router: the only way sloe's routes are registered on the httplib server. Every route names the
// Access it requires; the router authenticates the request before the handler runs (401/403
// otherwise), passes the Principal to the handler, and records mutating requests in the audit
// sink. Keeping registration in one place is what lets the role-matrix test see every route.
//
// Internal to the api module (httplib types in its signature).
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sloe/api/auth.h"
#include "sloe/core/clock.h"

namespace sloe::api {

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Principal&)>;

class Router {
 public:
  // Keeps the routes until install(): ApiServer decides at start() whether it serves plain HTTP
  // or TLS, so its server does not exist yet when the routes are added. auth never null when a
  // request is served (Authenticator::open() when off).
  explicit Router(std::shared_ptr<const Authenticator> auth);

  // Registers every route added so far on server. REQUIRES: before server starts.
  void install(httplib::Server& server) const;

  // audit may be null (nothing recorded); clock is used for AuditRecord::at. REQUIRES: before
  // the server starts; both outlive the server.
  void set_audit(AuditSink* audit, const Clock* clock);
  // REQUIRES: before the server starts.
  void set_authenticator(std::shared_ptr<const Authenticator> auth);

  void get(const std::string& pattern, Access access, Handler handler);
  void post(const std::string& pattern, Access access, Handler handler);
  void put(const std::string& pattern, Access access, Handler handler);
  void patch(const std::string& pattern, Access access, Handler handler);
  void del(const std::string& pattern, Access access, Handler handler);

  const std::vector<RouteInfo>& routes() const { return routes_; }

  // What the wrapped handlers share with the router: set before the server starts, read by the
  // server's threads afterwards. Shared, so handlers stay valid if the router goes first.
  struct State {
    std::shared_ptr<const Authenticator> auth;
    AuditSink* audit = nullptr;
    const Clock* clock = nullptr;
  };

 private:
  void add(const std::string& method, const std::string& pattern, Access access, Handler handler);
  httplib::Server::Handler wrap(const std::string& method, Access access, Handler handler) const;

  std::shared_ptr<State> state_;
  std::vector<RouteInfo> routes_;
  std::vector<httplib::Server::Handler> handlers_;  // wrapped, parallel to routes_
};

}  // namespace sloe::api

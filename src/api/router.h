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
  // REQUIRES: server outlives the router. auth never null (Authenticator::open() when off).
  Router(httplib::Server& server, std::shared_ptr<const Authenticator> auth);

  // audit may be null (nothing recorded); clock is used for AuditRecord::at. REQUIRES: before
  // the server starts; both outlive the server.
  void set_audit(AuditSink* audit, const Clock* clock);
  void set_authenticator(std::shared_ptr<const Authenticator> auth);

  void get(const std::string& pattern, Access access, Handler handler);
  void post(const std::string& pattern, Access access, Handler handler);
  void put(const std::string& pattern, Access access, Handler handler);
  void patch(const std::string& pattern, Access access, Handler handler);
  void del(const std::string& pattern, Access access, Handler handler);

  const std::vector<RouteInfo>& routes() const { return routes_; }

 private:
  httplib::Server::Handler wrap(const std::string& method, Access access, Handler handler);

  httplib::Server& server_;
  std::shared_ptr<std::shared_ptr<const Authenticator>> auth_;
  AuditSink* audit_ = nullptr;
  const Clock* clock_ = nullptr;
  std::vector<RouteInfo> routes_;
};

}  // namespace sloe::api

#include "router.h"

namespace sloe::api {

Router::Router(httplib::Server& server, std::shared_ptr<const Authenticator> auth)
    : server_(server),
      auth_(std::make_shared<std::shared_ptr<const Authenticator>>(std::move(auth))) {}

void Router::set_audit(AuditSink* audit, const Clock* clock) {
  audit_ = audit;
  clock_ = clock;
}

void Router::set_authenticator(std::shared_ptr<const Authenticator> auth) {
  *auth_ = std::move(auth);
}

// Provisional: authentication and audit are filled in by the auth work; until then every
// request runs as anonymous admin.
httplib::Server::Handler Router::wrap(const std::string& method, Access access, Handler handler) {
  (void)method;
  (void)access;
  return
      [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
        handler(request, response, Principal{"anonymous", "admin"});
      };
}

void Router::get(const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({"GET", pattern, access});
  server_.Get(pattern, wrap("GET", access, std::move(handler)));
}
void Router::post(const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({"POST", pattern, access});
  server_.Post(pattern, wrap("POST", access, std::move(handler)));
}
void Router::put(const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({"PUT", pattern, access});
  server_.Put(pattern, wrap("PUT", access, std::move(handler)));
}
void Router::patch(const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({"PATCH", pattern, access});
  server_.Patch(pattern, wrap("PATCH", access, std::move(handler)));
}
void Router::del(const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({"DELETE", pattern, access});
  server_.Delete(pattern, wrap("DELETE", access, std::move(handler)));
}

}  // namespace sloe::api

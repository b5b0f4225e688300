#include "router.h"

#include <spdlog/spdlog.h>

#include "sloe/api/json.h"

namespace sloe::api {
namespace {

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string remote_of(const httplib::Request& request) {
  const std::string port = std::to_string(request.remote_port);
  if (request.remote_addr.find(':') != std::string::npos)
    return "[" + request.remote_addr + "]:" + port;
  return request.remote_addr + ":" + port;
}

// httplib leaves the status at -1 until it writes a routed answer, which it then sends as 200.
int final_status(const httplib::Response& response) {
  return response.status == -1 ? 200 : response.status;
}

void refuse(const Decision& decision, httplib::Response& response) {
  response.status = decision.status;
  if (decision.status == 401)
    response.set_header("WWW-Authenticate", "Bearer realm=\"sloe\"");
  response.set_content(error_json(decision.message, decision.field), "application/json");
}

void audit(const Router::State& state, const std::string& method, const httplib::Request& request,
           const Principal& principal, int status) {
  if (state.audit == nullptr || !is_mutating(method))
    return;
  AuditRecord record;
  record.at = state.clock != nullptr ? state.clock->now() : TimePoint{};
  record.principal = principal;
  record.method = method;
  record.path = request.path;  // httplib keeps the query string apart
  record.status = status;
  record.remote = remote_of(request);
  state.audit->record(std::move(record));
}

void register_on(httplib::Server& server, const RouteInfo& route,
                 const httplib::Server::Handler& handler) {
  if (route.method == "GET") {
    server.Get(route.pattern, handler);
  } else if (route.method == "POST") {
    server.Post(route.pattern, handler);
  } else if (route.method == "PUT") {
    server.Put(route.pattern, handler);
  } else if (route.method == "PATCH") {
    server.Patch(route.pattern, handler);
  } else {
    server.Delete(route.pattern, handler);
  }
}

}  // namespace

Router::Router(std::shared_ptr<const Authenticator> auth) : state_(std::make_shared<State>()) {
  state_->auth = std::move(auth);
}

void Router::install(httplib::Server& server) const {
  for (std::size_t i = 0; i < routes_.size(); ++i)
    register_on(server, routes_[i], handlers_[i]);
}

void Router::set_audit(AuditSink* audit, const Clock* clock) {
  state_->audit = audit;
  state_->clock = clock;
}

void Router::set_authenticator(std::shared_ptr<const Authenticator> auth) {
  state_->auth = std::move(auth);
}

// Authentication runs before the handler and the audit record is written after it, with the
// status the client is about to receive; a handler that throws is recorded as a 500 (the
// server's exception handler answers it).
httplib::Server::Handler Router::wrap(const std::string& method, Access access,
                                      Handler handler) const {
  return [state = state_, method, access, handler = std::move(handler)](
             const httplib::Request& request, httplib::Response& response) {
    const Decision decision =
        state->auth->authorize(access, request.get_header_value("Authorization"),
                               request.get_header_value("X-Sloe-Signature"), request.body);
    if (decision.status != 0) {
      // The message names the token's owner at most, never the credential.
      spdlog::info("denied {} {} from {} ({}): {}", method, request.path, remote_of(request),
                   decision.status, decision.message);
      refuse(decision, response);
      audit(*state, method, request, decision.principal, decision.status);
      return;
    }
    try {
      handler(request, response, decision.principal);
    } catch (...) {
      audit(*state, method, request, decision.principal, 500);
      throw;
    }
    audit(*state, method, request, decision.principal, final_status(response));
  };
}

void Router::add(const std::string& method, const std::string& pattern, Access access,
                 Handler handler) {
  routes_.push_back({method, pattern, access});
  handlers_.push_back(wrap(method, access, std::move(handler)));
}

void Router::get(const std::string& pattern, Access access, Handler handler) {
  add("GET", pattern, access, std::move(handler));
}
void Router::post(const std::string& pattern, Access access, Handler handler) {
  add("POST", pattern, access, std::move(handler));
}
void Router::put(const std::string& pattern, Access access, Handler handler) {
  add("PUT", pattern, access, std::move(handler));
}
void Router::patch(const std::string& pattern, Access access, Handler handler) {
  add("PATCH", pattern, access, std::move(handler));
}
void Router::del(const std::string& pattern, Access access, Handler handler) {
  add("DELETE", pattern, access, std::move(handler));
}

}  // namespace sloe::api

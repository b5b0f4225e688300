#include "sloe/api/server.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "alert_json.h"
#include "incident_routes.h"
#include "oncall_json.h"
#include "responses.h"
#include "router.h"
#include "sloe/api/json.h"
#include "sloe/api/listener.h"
#include "sloe/api/signed_link.h"
#include "sloe/core/time_format.h"

namespace sloe::api {
namespace {

// Reads an optional boolean query parameter ("true"/"false"); false when it is malformed.
bool bool_param(const httplib::Request& request, const char* name, bool fallback, bool& out,
                httplib::Response& response) {
  out = fallback;
  if (!request.has_param(name))
    return true;
  const std::string value = request.get_param_value(name);
  if (value == "true" || value == "false") {
    out = value == "true";
    return true;
  }
  send_error(response, 400, "must be true or false, not '" + value + "'", name);
  return false;
}

// Every `filter` query parameter, parsed as matchers (`filter=service="api"`, or a
// {a="b",c=~"d"} list); false after answering 400 when one is malformed.
bool filter_params(const httplib::Request& request, std::vector<alert::Matcher>& out,
                   httplib::Response& response) {
  const std::size_t count = request.get_param_value_count("filter");
  for (std::size_t i = 0; i < count; ++i) {
    auto parsed = alert::parse_matchers(request.get_param_value("filter", i));
    if (!parsed) {
      send_error(response, 400, parsed.error().message, "filter");
      return false;
    }
    for (alert::Matcher& m : parsed.value())
      out.push_back(std::move(m));
  }
  return true;
}

// Alertmanager's silence filter: the filter matchers must match the label set formed by the
// silence's equality matchers.
bool silence_matches_filter(const route::Silence& silence,
                            const std::vector<alert::Matcher>& filter) {
  Labels equalities;
  for (const alert::Matcher& m : silence.matchers) {
    if (m.type() == alert::MatchType::kEqual)
      equalities.emplace(m.name(), m.value());
  }
  return alert::matches_all(filter, equalities);
}

void accept_alerts(const AlertRoutes& routes, std::string_view source,
                   Parsed<std::vector<alert::Alert>> parsed, httplib::Response& response) {
  if (const auto* error = std::get_if<FieldError>(&parsed)) {
    send_field_error(response, *error);
    return;
  }
  auto& alerts = std::get<std::vector<alert::Alert>>(parsed);
  const std::size_t count = alerts.size();
  if (count > 0) {
    if (Status accepted = routes.alerts->accept(std::move(alerts), source); !accepted) {
      send_error(response, 503, "alerts not recorded, retry: " + accepted.error().message);
      return;
    }
  }
  response.set_content("{\"accepted\":" + std::to_string(count) + "}", kJson);
}

void install_alert_routes(Router& router, const AlertRoutes& routes_in) {
  auto routes = std::make_shared<const AlertRoutes>(routes_in);
  router.post(
      "/api/v1/alerts/alertmanager", Access::kWebhook,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        accept_alerts(*routes, kSourceAlertmanagerWebhook,
                      parse_webhook(request.body, routes->clock->now()), response);
      });
  router.post(
      "/api/v2/alerts", Access::kWebhook,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        accept_alerts(
            *routes, kSourceApiV2,
            parse_postable_alerts(request.body, routes->clock->now(), routes->resolve_timeout),
            response);
      });
  router.get(
      "/api/v2/alerts", Access::kViewer,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        std::vector<alert::Matcher> filter;
        bool active = true;
        bool silenced = true;
        if (!filter_params(request, filter, response) ||
            !bool_param(request, "active", true, active, response) ||
            !bool_param(request, "silenced", true, silenced, response)) {
          return;
        }
        const TimePoint now = routes->clock->now();
        std::vector<ReceivedAlert> selected;
        std::vector<std::vector<std::string>> silenced_by;
        for (ReceivedAlert& received : routes->alerts->current(now)) {
          if (!alert::matches_all(filter, received.alert.labels))
            continue;
          std::vector<std::string> silences;
          if (routes->silences != nullptr)
            silences = routes->silences->silenced_by(received.alert.labels, now);
          if (silences.empty() ? !active : !silenced)
            continue;
          selected.push_back(std::move(received));
          silenced_by.push_back(std::move(silences));
        }
        response.set_content(gettable_alerts_json(selected, silenced_by), kJson);
      });
  if (routes->silences == nullptr)
    return;
  router.get(
      "/api/v2/silences", Access::kViewer,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        std::vector<alert::Matcher> filter;
        if (!filter_params(request, filter, response))
          return;
        std::vector<route::Silence> selected;
        for (route::Silence& silence : routes->silences->list()) {
          if (silence_matches_filter(silence, filter))
            selected.push_back(std::move(silence));
        }
        response.set_content(gettable_silences_json(selected, routes->clock->now()), kJson);
      });
  router.post(
      "/api/v2/silences", Access::kAdmin,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        auto parsed = parse_postable_silence(request.body);
        if (const auto* error = std::get_if<FieldError>(&parsed)) {
          send_field_error(response, *error);
          return;
        }
        auto answer = routes->silences->put(std::move(std::get<route::Silence>(parsed)),
                                            routes->clock->now());
        if (const auto* refused = std::get_if<Refused>(&answer)) {
          send_refusal(response, *refused);
          return;
        }
        response.set_content(silence_id_json(std::get<std::string>(answer)), kJson);
      });
  const char* kSilenceById = R"(/api/v2/silence/([A-Za-z0-9_\-]+))";
  router.get(
      kSilenceById, Access::kViewer,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const std::string id = request.matches[1];
        const auto silence = routes->silences->get(id);
        if (!silence) {
          send_error(response, 404, "no silence with id '" + id + "'", "id");
          return;
        }
        response.set_content(gettable_silence_json(*silence, routes->clock->now()), kJson);
      });
  router.del(
      kSilenceById, Access::kAdmin,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const std::string id = request.matches[1];
        auto answer = routes->silences->expire(id, routes->clock->now());
        if (const auto* refused = std::get_if<Refused>(&answer)) {
          send_refusal(response, *refused);
          return;
        }
        response.status = 200;
      });
}

void send_ack_result(httplib::Response& response, const Result<EscalationView>& result) {
  if (result) {
    response.set_content(escalation_to_json(result.value()), kJson);
    return;
  }
  const std::string& message = result.error().message;
  send_error(response, message.rfind("no escalation", 0) == 0 ? 404 : 409, message, "id");
}

// The signed link's query, checked; writes the 403 and returns nullopt when it does not verify.
std::optional<std::string> verified_subject(const EscalationRoutes& routes,
                                            const httplib::Request& request,
                                            httplib::Response& response) {
  SignedLink link;
  link.subject = request.get_param_value("subject");
  link.signature = request.get_param_value("sig");
  const std::string expires = request.get_param_value("expires");
  try {
    std::size_t used = 0;
    link.expires_unix = std::stoll(expires, &used);
    if (used != expires.size())
      throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    send_error(response, 400, "expires must be a Unix time in seconds", "expires");
    return std::nullopt;
  }
  if (Status verified = verify_link(routes.link_key, "ack", link, routes.clock->now()); !verified) {
    send_error(response, 403, verified.error().message, "sig");
    return std::nullopt;
  }
  return link.subject;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void install_escalation_routes(Router& router, const EscalationRoutes& routes_in) {
  auto routes = std::make_shared<const EscalationRoutes>(routes_in);
  router.get("/api/v1/escalations", Access::kViewer,
             [routes](const httplib::Request&, httplib::Response& response, const Principal&) {
               std::string body = "{\"escalations\":[";
               bool first = true;
               for (const EscalationView& view : routes->escalations->escalations()) {
                 body += (first ? "" : ",") + escalation_to_json(view);
                 first = false;
               }
               response.set_content(body + "]}", kJson);
             });
  router.get(
      R"(/api/v1/escalations/([0-9a-f]{16}))", Access::kViewer,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const auto view = routes->escalations->escalation(request.matches[1].str());
        if (!view) {
          send_error(response, 404, "no escalation with id '" + request.matches[1].str() + "'",
                     "id");
          return;
        }
        response.set_content(escalation_to_json(*view), kJson);
      });
  router.post(
      R"(/api/v1/escalations/([0-9a-f]{16})/ack)", Access::kResponder,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        auto by = parse_ack_body(request.body);
        if (!by) {
          send_error(response, 400, by.error().message, "by");
          return;
        }
        send_ack_result(response, routes->escalations->acknowledge(request.matches[1].str(),
                                                                   std::move(by).value()));
      });
  router.get(
      "/api/v1/ack", Access::kSignedLink,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const auto subject = verified_subject(*routes, request, response);
        if (!subject)
          return;
        const auto view = routes->escalations->escalation(*subject);
        const std::string what = view ? html_escape(view->group_key) : html_escape(*subject);
        const std::string state = view ? html_escape(view->state) : "unknown";
        response.set_content(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Acknowledge "
            "page</title></head>"
            "<body><h1>Acknowledge this page?</h1><p>Alert group: <code>" +
                what + "</code></p><p>Escalation state: " + state +
                "</p><form method=\"post\"><button type=\"submit\">Acknowledge</button></form>"
                "</body></html>\n",
            "text/html; charset=utf-8");
      });
  router.post(
      "/api/v1/ack", Access::kSignedLink,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const auto subject = verified_subject(*routes, request, response);
        if (!subject)
          return;
        send_ack_result(response, routes->escalations->acknowledge(*subject, "signed link"));
      });
}

void send_override_refusal(httplib::Response& response, const OverrideRefused& refused) {
  switch (refused.reason) {
    case Refusal::kInvalid:
      send_error(response, 400, refused.message, refused.field);
      return;
    case Refusal::kNotFound:
      send_error(response, 404, refused.message, refused.field.empty() ? "id" : refused.field);
      return;
    case Refusal::kConflict:
      send_error(response, 409, refused.message, refused.field);
      return;
    case Refusal::kUnavailable:
      send_error(response, 503, refused.message);
      return;
  }
}

void install_oncall_routes(Router& router, const OncallRoutes& routes_in) {
  auto routes = std::make_shared<const OncallRoutes>(routes_in);
  router.get("/api/v1/oncall/overrides", Access::kViewer,
             [routes](const httplib::Request&, httplib::Response& response, const Principal&) {
               response.set_content(overrides_json(routes->overrides->list()), kJson);
             });
  router.post(
      "/api/v1/oncall/overrides", Access::kAdmin,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        auto parsed = parse_override_request(request.body);
        if (const auto* error = std::get_if<FieldError>(&parsed)) {
          send_field_error(response, *error);
          return;
        }
        auto answer =
            routes->overrides->add(std::get<OverrideRequest>(parsed), routes->clock->now());
        if (const auto* refused = std::get_if<OverrideRefused>(&answer)) {
          send_override_refusal(response, *refused);
          return;
        }
        response.status = 201;
        response.set_content(override_id_json(std::get<std::string>(answer)), kJson);
      });
  router.del(
      R"(/api/v1/oncall/overrides/([A-Za-z0-9_\-]+))", Access::kAdmin,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        auto answer = routes->overrides->remove(request.matches[1].str());
        if (const auto* refused = std::get_if<OverrideRefused>(&answer)) {
          send_override_refusal(response, *refused);
          return;
        }
        response.set_content(override_json(std::get<OverrideView>(answer)), kJson);
      });
  router.get(
      "/api/v1/oncall/who", Access::kViewer,
      [routes](const httplib::Request& request, httplib::Response& response, const Principal&) {
        const std::string schedule = request.get_param_value("schedule");
        if (schedule.empty()) {
          send_error(response, 400, "is required: the schedule's name", "schedule");
          return;
        }
        TimePoint at = routes->clock->now();
        if (request.has_param("at")) {
          const std::string text = request.get_param_value("at");
          auto parsed = parse_rfc3339(text);
          if (!parsed) {
            send_error(
                response, 400,
                "'" + text + "' is not an RFC 3339 time with an offset: " + parsed.error().message,
                "at");
            return;
          }
          at = *parsed;
        }
        const auto on_call = routes->overrides->who(schedule, at);
        if (!on_call) {
          send_error(response, 404, "no schedule named '" + schedule + "'", "schedule");
          return;
        }
        response.set_content(on_call_json(schedule, at, *on_call), kJson);
      });
}

// Reads an optional integer query parameter within [min, max]; false after answering 400.
bool integer_param(const httplib::Request& request, const char* name, std::int64_t min,
                   std::int64_t max, std::int64_t& out, httplib::Response& response) {
  if (!request.has_param(name))
    return true;
  const std::string text = request.get_param_value(name);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    send_error(response, 400,
               "must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", not '" + text + "'",
               name);
    return false;
  }
  out = value;
  return true;
}

//   GET /api/v1/audit?before=&limit=   admins: the audit log, newest first, a page at a time
//   → {"entries": [{"id", "at", "actor", "role", "method", "path", "status", "remote"}],
//      "next_before": id to pass as before for the next page, or null on the last page}
void install_audit_routes(Router& router, const AuditReader* reader) {
  constexpr std::int64_t kMaxPage = 1000;
  router.get(
      "/api/v1/audit", Access::kAdmin,
      [reader](const httplib::Request& request, httplib::Response& response, const Principal&) {
        std::int64_t before = 0;
        std::int64_t limit = 100;
        if (!integer_param(request, "before", 0, std::numeric_limits<std::int64_t>::max(), before,
                           response) ||
            !integer_param(request, "limit", 1, kMaxPage, limit, response)) {
          return;
        }
        auto listed = reader->list(before, static_cast<std::size_t>(limit));
        if (!listed) {
          send_error(response, 503, "audit log unavailable: " + listed.error().message);
          return;
        }
        nlohmann::json entries = nlohmann::json::array();
        for (const StoredAuditRecord& stored : listed.value()) {
          const AuditRecord& record = stored.record;
          entries.push_back({{"id", stored.id},
                             {"at", format_rfc3339(record.at, Rfc3339Precision::kMillis)},
                             {"actor", record.principal.name},
                             {"role", record.principal.role},
                             {"method", record.method},
                             {"path", record.path},
                             {"status", record.status},
                             {"remote", record.remote}});
        }
        const bool more = listed->size() == static_cast<std::size_t>(limit);
        nlohmann::json body = {
            {"entries", std::move(entries)},
            {"next_before", more ? nlohmann::json(listed->back().id) : nlohmann::json()}};
        response.set_content(body.dump(), kJson);
      });
}

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  if (code == 0)
    return "unknown OpenSSL error";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

// A plain server, or a TLS one when a certificate and key are configured. Errors name the file.
Result<std::unique_ptr<httplib::Server>> make_server(const ServerOptions& options) {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  if (cert.empty() && key.empty())
    return std::make_unique<httplib::Server>();
  if (cert.empty() || key.empty()) {
    return Error{std::string("TLS needs both a certificate and a key; only the ") +
                 (cert.empty() ? "key" : "certificate") + " is set (--tls-cert, --tls-key)"};
  }
  for (const auto& [what, path] : {std::pair{"certificate", &cert}, std::pair{"key", &key}}) {
    std::FILE* file = std::fopen(path->c_str(), "rb");
    if (file == nullptr) {
      return Error{std::string("cannot read TLS ") + what + " '" + *path +
                   "': " + std::strerror(errno)};
    }
    std::fclose(file);
  }
  std::string problem;
  ERR_clear_error();
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& context) {
    SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
    SSL_CTX_set_options(&context,
                        SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    // An encrypted key must fail here rather than wait for a passphrase on the terminal.
    SSL_CTX_set_default_passwd_cb(&context, [](char*, int, int, void*) { return 0; });
    if (SSL_CTX_use_certificate_chain_file(&context, cert.c_str()) != 1) {
      problem = "TLS certificate '" + cert + "' is not a PEM certificate: " + openssl_error();
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&context, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
        problem = "TLS key '" + key + "' does not belong to certificate '" + cert + "'";
      } else {
        problem = "TLS key '" + key + "' is not an unencrypted PEM private key: " + openssl_error();
      }
      return false;
    }
    if (SSL_CTX_check_private_key(&context) != 1) {
      problem = "TLS key '" + key + "' does not belong to certificate '" + cert + "'";
      return false;
    }
    return true;
  });
  if (!server->is_valid())
    return Error{problem.empty() ? "cannot set up TLS: " + openssl_error() : problem};
  return std::unique_ptr<httplib::Server>(std::move(server));
}

}  // namespace

struct ApiServer::Impl {
  Impl(const StatusBoard& board_in, const AgentMetrics& metrics_in, std::function<bool()> ready_in)
      : board(board_in),
        metrics(metrics_in),
        ready(std::move(ready_in)),
        router(Authenticator::open()) {}

  void install_routes() {
    router.get("/healthz", Access::kPublic,
               [](const httplib::Request&, httplib::Response& response, const Principal&) {
                 response.set_content("ok\n", "text/plain");
               });
    router.get("/readyz", Access::kPublic,
               [this](const httplib::Request&, httplib::Response& response, const Principal&) {
                 const bool is_ready = ready ? ready() : board.snapshot() != nullptr;
                 response.status = is_ready ? 200 : 503;
                 response.set_content(is_ready ? "ready\n" : "not ready: no evaluation yet\n",
                                      "text/plain");
               });
    router.get("/metrics", Access::kViewer,
               [this](const httplib::Request&, httplib::Response& response, const Principal&) {
                 response.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
               });
    router.get("/api/v1/slos", Access::kViewer,
               [this](const httplib::Request&, httplib::Response& response, const Principal&) {
                 const auto snapshot = board.snapshot();
                 if (!snapshot) {
                   send_error(response, 503,
                              "no evaluation has completed yet; retry in a few seconds");
                   return;
                 }
                 response.set_content(board_to_json(*snapshot), kJson);
               });
    router.get(
        R"(/api/v1/slos/([A-Za-z0-9_.\-]+))", Access::kViewer,
        [this](const httplib::Request& request, httplib::Response& response, const Principal&) {
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
  }

  // What every server answers outside the routes: JSON errors for unknown routes, bodies over
  // the limit (413, sent by httplib before any route runs) and exceptions.
  static void configure(httplib::Server& server, const ServerOptions& options) {
    server.set_payload_max_length(options.max_body_bytes);
    server.set_keep_alive_max_count(1000);
    server.set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs
    if (options.threads > 0) {
      const std::size_t threads = options.threads;
      server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    }
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
  Router router;
  bool audit_routes_installed = false;
  std::unique_ptr<httplib::Server> server;  // made by start(): plain HTTP or TLS
  std::thread thread;
  int bound_port = 0;
  std::atomic<bool> running{false};
};

ApiServer::ApiServer(const StatusBoard& board, const AgentMetrics& metrics,
                     std::function<bool()> ready)
    : impl_(std::make_unique<Impl>(board, metrics, std::move(ready))) {
  impl_->install_routes();
}

Router& ApiServer::router() {
  return impl_->router;
}

void ApiServer::set_alert_routes(const AlertRoutes& routes) {
  install_alert_routes(router(), routes);
}

void ApiServer::set_escalation_routes(const EscalationRoutes& routes) {
  install_escalation_routes(router(), routes);
}

void ApiServer::set_oncall_routes(const OncallRoutes& routes) {
  install_oncall_routes(router(), routes);
}

void ApiServer::set_authenticator(std::shared_ptr<const Authenticator> auth) {
  router().set_authenticator(auth ? std::move(auth) : Authenticator::open());
}

void ApiServer::set_audit(AuditSink* sink, const Clock* clock, const AuditReader* reader) {
  router().set_audit(sink, clock);
  if (reader != nullptr && !impl_->audit_routes_installed) {
    install_audit_routes(router(), reader);
    impl_->audit_routes_installed = true;
  }
}

std::vector<RouteInfo> ApiServer::routes() const {
  return impl_->router.routes();
}

void ApiServer::set_incident_routes(const IncidentRoutes& routes) {
  install_incident_routes(router(), routes);
}

ApiServer::~ApiServer() {
  stop();
}

Status ApiServer::start(const ServerOptions& options) {
  if (impl_->running)
    return Error{"the API server is already running"};
  auto server = make_server(options);
  if (!server)
    return server.error();
  impl_->server = std::move(server).value();
  Impl::configure(*impl_->server, options);
  impl_->router.install(*impl_->server);
  auto port = serve_in_background(*impl_->server, options.host, options.port, impl_->thread);
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
  stop_serving(*impl_->server, impl_->thread);
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

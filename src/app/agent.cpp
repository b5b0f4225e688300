#include "sloe/app/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "sloe/alert/matcher.h"
#include "sloe/api/metrics.h"
#include "sloe/api/signed_link.h"
#include "sloe/app/alert_intake.h"
#include "sloe/app/alert_pipeline.h"
#include "sloe/app/audit_writer.h"
#include "sloe/app/incident_service.h"
#include "sloe/app/oncall_overrides.h"
#include "sloe/app/postmortem_service.h"
#include "sloe/app/redacting_sink.h"
#include "sloe/app/runbook_service.h"
#include "sloe/app/slo_alerts.h"
#include "sloe/app/step_executor.h"
#include "sloe/config/loader.h"
#include "sloe/core/duration.h"
#include "sloe/notify/notifier.h"
#include "sloe/notify/outbox.h"
#include "sloe/notify/sender.h"
#include "sloe/probe/engine.h"
#include "sloe/sli/event_window.h"
#include "sloe/slo/evaluator.h"
#include "sloe/store/database.h"
#include "sloe/store/schema.h"
#include "sloe/store/sli_snapshots.h"

#ifndef SLOE_VERSION
#define SLOE_VERSION "0.0.0"
#endif

namespace sloe::app {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Addresses only this machine can reach: the one place the API may run without tokens.
bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string url_scheme(const api::ServerOptions& listen) {
  return listen.tls_cert_file.empty() ? "http://" : "https://";
}

struct SloState {
  config::SloSpec spec;
  slo::Objective objective;
  sli::EventWindow events;
};

}  // namespace

Result<probe::ResolvedProbe> resolve_probe(const config::ProbeSpec& spec,
                                           const std::string& config_dir) {
  probe::ResolvedProbe resolved;
  resolved.spec = spec;
  if (const auto* http = std::get_if<config::HttpProbeSpec>(&spec.kind)) {
    for (const config::HttpHeader& header : http->headers) {
      if (header.value.literal) {
        resolved.headers.emplace_back(header.name, *header.value.literal);
        continue;
      }
      auto value = config::resolve_secret(*header.value.secret, config_dir);
      if (!value) {
        return Error{"probe '" + spec.name + "' header '" + header.name +
                     "': " + value.error().message};
      }
      resolved.headers.emplace_back(header.name, std::move(value).value());
    }
    if (http->basic_auth) {
      auto password = config::resolve_secret(http->basic_auth->password, config_dir);
      if (!password) {
        return Error{"probe '" + spec.name + "' basic_auth password: " + password.error().message};
      }
      resolved.basic_auth.emplace(http->basic_auth->username, std::move(password).value());
    }
  }
  return resolved;
}

struct Agent::Impl {
  Impl(const Clock& clock_in, config::Config config_in, AgentOptions options_in)
      : clock(clock_in),
        config(std::move(config_in)),
        options(std::move(options_in)),
        metrics(SLOE_VERSION),
        server(board, metrics) {}
  // Created but never started (stop() not run): runbook workers may perform steps that notify
  // through the notifier, and the incident writer may call into the runbook service.
  ~Impl() {
    if (runbooks)
      runbooks->stop();
    if (incidents)
      incidents->stop();
  }

  void on_probe_result(const probe::ProbeResult& result) {
    metrics.observe_probe(result);
    const auto found = slos_by_probe.find(result.probe);
    if (found == slos_by_probe.end())
      return;
    const std::lock_guard lock(slos_mutex);
    for (const std::size_t index : found->second) {
      SloState& state = slos[index];
      bool good = result.success;
      if (state.spec.sli.kind == config::SliKind::kLatency) {
        const double threshold =
            std::chrono::duration<double>(state.spec.sli.latency_threshold).count();
        good = good && result.duration_seconds <= threshold;
      }
      state.events.record(result.started_at, sli::Counts{good ? 1.0 : 0.0, 1.0});
      metrics.observe_sli_event(state.spec.name, state.spec.service, good);
    }
  }

  void evaluate() {
    const std::lock_guard evaluation_lock(evaluation_mutex);
    const MonoTime started = clock.monotonic();
    api::Board next;
    next.published_at = clock.now();
    next.slos.reserve(slos.size());
    {
      const std::lock_guard lock(slos_mutex);
      for (const SloState& state : slos) {
        api::SloReport report;
        report.name = state.spec.name;
        report.service = state.spec.service;
        report.description = state.spec.description;
        report.sli_kind =
            state.spec.sli.kind == config::SliKind::kLatency ? "latency" : "availability";
        report.probe = state.spec.sli.probe;
        report.latency_threshold_seconds =
            std::chrono::duration<double>(state.spec.sli.latency_threshold).count();
        report.runbook_url = state.spec.runbook_url;
        report.labels = state.spec.labels;
        report.objective = state.objective;
        report.status = slo::evaluate(state.objective, state.events, next.published_at);
        next.slos.push_back(std::move(report));
      }
    }
    next.evaluation_seconds = std::chrono::duration<double>(clock.monotonic() - started).count();
    metrics.observe_board(next);
    log_page_transitions(next);
    raise_alerts(next);
    board.publish(std::move(next));
  }

  // sloe's own alerts take the same path as received ones: recorded, then routed.
  void raise_alerts(const api::Board& next) {
    std::vector<alert::Alert> alerts = slo_alerts.update(next);
    if (alerts.empty() || !alert_intake)
      return;
    if (Status accepted = alert_intake->accept(std::move(alerts), api::kSourceSloe); !accepted)
      spdlog::error("recording burn-rate alerts failed: {}", accepted.error().message);
  }

  // Expired silences (kept 120 h, as Alertmanager) and ended on-call overrides (kept 7 days).
  void collect_garbage() {
    const TimePoint now = clock.now();
    if (silences) {
      if (Status collected = silences->collect_garbage(now); !collected)
        spdlog::warn("removing expired silences failed: {}", collected.error().message);
    }
    if (oncall_overrides) {
      if (auto collected = oncall_overrides->collect_garbage(now); !collected)
        spdlog::warn("removing ended on-call overrides failed: {}", collected.error().message);
    }
  }

  void observe_notifications() {
    if (!notifier)
      return;
    const notify::NotifyStats stats = notifier->stats();
    api::NotificationFigures figures;
    for (const auto& [receiver, counters] : stats.receivers)
      figures.receivers[receiver] = {counters.sent, counters.failed, counters.retried};
    figures.outbox_depth = stats.outbox_depth;
    figures.oldest_pending_seconds =
        std::chrono::duration<double>(stats.oldest_pending_age).count();
    metrics.observe_notifications(figures);
  }

  void observe_incidents() {
    if (!incidents)
      return;
    auto figures = incidents->figures();
    if (!figures) {
      spdlog::warn("reading incident metrics failed: {}", figures.error().message);
      return;
    }
    metrics.observe_incidents(*figures);
  }

  // Owners of overdue action items are reminded (at most once a day each) through the outbox.
  void remind_action_items() {
    if (!incidents)
      return;
    auto sent = incidents->remind_overdue(clock.now());
    if (!sent) {
      spdlog::warn("reminding owners of overdue action items failed: {}", sent.error().message);
    } else if (*sent > 0) {
      spdlog::info("reminded owners of {} overdue action items", *sent);
    }
  }

  // Approvals expire and runs that can continue are handed to the runbook workers again.
  void tick_runbooks() {
    if (!runbooks)
      return;
    if (auto ticked = runbooks->tick(); !ticked)
      spdlog::warn("advancing runbook runs failed: {}", ticked.error().message);
  }

  // Runbooks share the database file with a connection of their own; steps notify through the
  // outbox like reminders do, and incidents' triggers reach the service once it exists.
  Status open_runbooks(const std::string& db_path) {
    SystemStepExecutor::Options executor_options;
    executor_options.allowed_commands = config.settings.runbooks.allowed_commands;
    executor_options.output_limit_bytes = config.settings.runbooks.output_limit_bytes;
    executor_options.redactor = alert_redactor;
    executor_options.notify = [this](const alert::GroupNotification& notification) -> Status {
      if (!notifier)
        return Error{"no routing tree in alerts/: notifications are not sent"};
      auto queued = notifier->enqueue(notification);
      if (!queued)
        return queued.error();
      return {};
    };
    executor_options.has_receiver = [this](std::string_view name) {
      return receivers.find(name) != nullptr;
    };
    step_executor = std::make_unique<SystemStepExecutor>(std::move(executor_options));
    RunbookService::Options runbook_options;
    runbook_options.redactor = alert_redactor;
    runbook_options.warn = [](const std::string& message) {
      spdlog::warn("runbooks: {}", message);
    };
    auto opened = RunbookService::open(db_path, clock, config.runbooks, *step_executor,
                                       std::move(runbook_options));
    if (!opened)
      return opened.error();
    runbooks = std::move(opened).value();
    runbook_triggers.store(runbooks.get());
    return {};
  }

  // Incidents share the database file, with connections of their own. Reminders go through the
  // notifier once the pipeline exists: to the receiver page-<owner> when the routing tree has
  // one, else to the routing tree's root receiver.
  Status open_incidents(const std::string& db_path) {
    IncidentService::Options incident_options;
    incident_options.warn = [](const std::string& message) {
      spdlog::warn("incidents: {}", message);
    };
    incident_options.notify = [this](const alert::GroupNotification& notification) -> Status {
      if (!notifier)
        return Error{"no routing tree in alerts/: notifications are not sent"};
      auto queued = notifier->enqueue(notification);
      if (!queued)
        return queued.error();
      return {};
    };
    incident_options.has_receiver = [this](std::string_view name) {
      return receivers.find(name) != nullptr;
    };
    incident_options.on_trigger = [this](const incident::Incident& incident,
                                         std::string_view trigger) {
      if (RunbookService* service = runbook_triggers.load())
        service->on_trigger(incident, trigger);
    };
    if (config.alerting)
      incident_options.default_receiver = config.alerting->routes.root().options().receiver;
    // sloe.yaml's incidents.policies and redaction, checked by the loader.
    incident_options.policies.clear();
    for (const config::IncidentPolicySettings& settings : config.settings.incidents.policies) {
      incident::IncidentPolicy policy;
      policy.name = settings.name;
      for (const std::string& text : settings.matchers) {
        auto matchers = alert::parse_matchers(text);
        if (!matchers)
          return Error{"incident policy '" + settings.name + "': " + matchers.error().message};
        policy.matchers.insert(policy.matchers.end(), matchers->begin(), matchers->end());
      }
      if (const auto severity = incident::parse_severity(settings.severity))
        policy.severity = *severity;
      policy.group_by = settings.group_by;
      incident_options.policies.push_back(std::move(policy));
    }
    incident::RedactionOptions redaction;
    redaction.disabled_builtins = config.settings.redaction.disable;
    for (const config::RedactionPatternSettings& pattern : config.settings.redaction.patterns)
      redaction.patterns.push_back(incident::RedactionPattern{pattern.name, pattern.regex});
    auto redactor = incident::Redactor::create(redaction);
    if (!redactor)
      return Error{"redaction: " + redactor.error().message};
    incident_options.redactor = redactor.value();
    alert_redactor = std::move(redactor).value();
    auto opened = IncidentService::open(db_path, clock, std::move(incident_options));
    if (!opened)
      return opened.error();
    incidents = std::move(opened).value();
    return {};
  }

  // The counts a postmortem shows for the named SLOs, from their SLI windows: over the incident
  // window [from, to] and over each SLO's window ending at `to`. has_data is false once `to` is
  // older than what the window retains.
  std::vector<postmortem::SloInput> postmortem_slo_counts(const std::vector<std::string>& names,
                                                          TimePoint from, TimePoint to) {
    const TimePoint now = clock.now();
    const auto incident_window =
        std::max(seconds(1), std::chrono::ceil<seconds>(to - from));  // sum() wants > 0
    std::vector<postmortem::SloInput> inputs;
    const std::lock_guard lock(slos_mutex);
    for (const std::string& name : names) {
      const auto found = std::find_if(
          slos.begin(), slos.end(), [&](const SloState& state) { return state.spec.name == name; });
      if (found == slos.end())
        continue;
      postmortem::SloInput input;
      input.name = found->spec.name;
      input.service = found->spec.service;
      input.objective = found->spec.objective;
      input.window = found->spec.window;
      const sli::Counts during = found->events.sum(to, incident_window);
      const sli::Counts window = found->events.sum(to, found->objective.window);
      input.during_incident = {during.good, during.total};
      input.window_at_end = {window.good, window.total};
      input.has_data = now - to < found->events.retention();
      inputs.push_back(std::move(input));
    }
    return inputs;
  }

  // Postmortems read the incident record through the incident service and keep their narratives
  // on a connection of their own.
  Status open_postmortems(const std::string& db_path) {
    PostmortemService::Options postmortem_options;
    postmortem_options.redactor = alert_redactor;
    postmortem_options.config_dir = config.directory;
    postmortem_options.default_second_zone = config.settings.postmortem.second_zone;
    for (const config::SloSpec& spec : config.slos)
      postmortem_options.slo_services.emplace_back(spec.name, spec.service);
    postmortem_options.slo_counts =
        [this](const incident::Incident&, const std::vector<std::string>& names, TimePoint from,
               TimePoint to) { return postmortem_slo_counts(names, from, to); };
    auto opened =
        PostmortemService::open(db_path, *incidents, clock, std::move(postmortem_options));
    if (!opened)
      return opened.error();
    postmortems = std::move(opened).value();
    server.set_postmortem_routes(api::PostmortemRoutes{postmortems.get()});
    return {};
  }

  // Logs when an SLO starts or stops meeting a page or ticket condition, so the log tells the
  // story of an incident without anyone polling the API.
  void log_page_transitions(const api::Board& next) {
    for (const api::SloReport& report : next.slos) {
      for (const slo::AlertCondition& condition : report.status.conditions) {
        const std::string key = report.name + "/" + condition.name;
        const bool was_firing = firing_conditions.count(key) > 0;
        if (condition.firing == was_firing)
          continue;
        if (condition.firing) {
          firing_conditions.insert(key);
          spdlog::warn(
              "slo {} {} condition firing: burn {:.1f} over {} and {:.1f} over {} > {:.2f}",
              report.name, condition.name, condition.long_burn,
              format_duration(duration_cast<std::chrono::milliseconds>(condition.long_window)),
              condition.short_burn,
              format_duration(duration_cast<std::chrono::milliseconds>(condition.short_window)),
              condition.threshold);
        } else {
          firing_conditions.erase(key);
          spdlog::info("slo {} {} condition resolved", report.name, condition.name);
        }
      }
    }
  }

  Status save_history() {
    std::vector<std::pair<std::string, std::string>> snapshots;
    {
      const std::lock_guard lock(slos_mutex);
      snapshots.reserve(slos.size());
      for (const SloState& state : slos) {
        snapshots.emplace_back(state.spec.name, state.events.serialize());
      }
    }
    const MonoTime started = clock.monotonic();
    const std::lock_guard db_lock(database_mutex);
    store::SliSnapshotStore snapshot_store(*database);
    Status saved = snapshot_store.put_all(snapshots, clock.now());
    metrics.observe_snapshot_saved(
        std::chrono::duration<double>(clock.monotonic() - started).count(), saved.ok());
    return saved;
  }

  void evaluator_loop() {
    MonoTime next_snapshot = clock.monotonic() + options.snapshot_interval;
    std::unique_lock lock(wake_mutex);
    while (!stopping) {
      lock.unlock();
      evaluate();
      observe_notifications();
      observe_incidents();
      if (clock.monotonic() >= next_snapshot) {
        if (Status saved = save_history(); !saved) {
          spdlog::error("saving SLI history failed: {}", saved.error().message);
        }
        collect_garbage();
        remind_action_items();
        tick_runbooks();
        next_snapshot = clock.monotonic() + options.snapshot_interval;
      }
      lock.lock();
      wake.wait_for(lock, options.evaluation_interval, [this] { return stopping; });
    }
  }

  // Without a routing tree in alerts/, alerts are recorded and served but not routed.
  Status create_pipeline(const std::string& db_path) {
    if (!config.alerting)
      return {};
    auto built = build_receivers(*config.alerting, config.directory);
    if (!built)
      return built.error();
    receivers.replace(std::move(built).value());
    auto opened = store::Database::open(db_path, store::sloe_migrations());
    if (!opened)
      return opened.error();
    outbox_database = std::move(opened).value();
    outbox = std::make_unique<notify::Outbox>(*outbox_database);
    notify::NotifierOptions notifier_options;
    notifier_options.on_finished = [this](const notify::OutboxEntry& row, bool delivered,
                                          const std::string& reason, TimePoint at) {
      if (incidents)
        incidents->notification_delivered(row.receiver, row.group_key, delivered, reason, at);
    };
    notifier_options.log = [](notify::LogLevel level, const std::string& message) {
      if (level == notify::LogLevel::kError) {
        spdlog::error("notify: {}", message);
      } else if (level == notify::LogLevel::kWarning) {
        spdlog::warn("notify: {}", message);
      } else {
        spdlog::info("notify: {}", message);
      }
    };
    notifier = std::make_unique<notify::Notifier>(*outbox, receivers, sender, clock,
                                                  std::move(notifier_options));
    auto key = api::load_or_create_link_key(options.data_dir);
    if (!key)
      return key.error();
    AlertPipeline::Options pipeline_options;
    pipeline_options.external_url = options.external_url;
    pipeline_options.link_key = key.value();
    pipeline_options.warn = [](const std::string& message) { spdlog::warn("{}", message); };
    if (incidents) {
      IncidentService* observer = incidents.get();
      pipeline_options.on_enqueued = [observer](const alert::GroupNotification& notification) {
        observer->notification_enqueued(notification);
      };
      pipeline_options.on_acknowledged = [observer](const alert::GroupNotification& latest,
                                                    const std::string& by, TimePoint at) {
        observer->escalation_acknowledged(latest, by, at);
      };
    }
    DurableSilences* silence_service = silences.get();
    auto created = AlertPipeline::create(
        clock, config, *notifier,
        [silence_service, file_silences = config.silences](const Labels& labels, TimePoint now) {
          return std::any_of(file_silences.begin(), file_silences.end(),
                             [&](const route::Silence& silence) {
                               return route::mutes(silence, labels, now);
                             }) ||
                 !silence_service->silenced_by(labels, now).empty();
        },
        std::move(pipeline_options));
    if (!created)
      return created.error();
    pipeline = std::move(created).value();
    oncall_overrides->set_listener(
        [target = pipeline.get()](std::shared_ptr<const oncall::OncallConfig> oncall) {
          target->set_oncall(std::move(oncall));
        });
    server.set_escalation_routes(api::EscalationRoutes{pipeline.get(), key.value(), &clock});
    return {};
  }

  const Clock& clock;
  config::Config config;
  AgentOptions options;
  api::StatusBoard board;
  api::AgentMetrics metrics;
  api::ApiServer server;

  std::mutex slos_mutex;  // guards the EventWindows inside slos
  std::vector<SloState> slos;
  std::unordered_map<std::string, std::vector<std::size_t>> slos_by_probe;  // read-only once built
  std::size_t restored = 0;
  std::mutex evaluation_mutex;  // one evaluation at a time (evaluator thread, evaluate_now)
  std::set<std::string> firing_conditions;  // guarded by evaluation_mutex

  std::mutex database_mutex;
  std::unique_ptr<store::Database> database;
  // Incidents: called by the intake, the pipeline and the notifier, so declared before them (and
  // destroyed after them); its writer is stopped after the HTTP server.
  std::unique_ptr<IncidentService> incidents;
  // Runbooks: opened once the notifier exists (notify steps use it); incidents' triggers find the
  // service through runbook_triggers (null until then). Stopped right after the HTTP server.
  std::unique_ptr<StepExecutor> step_executor;
  std::unique_ptr<RunbookService> runbooks;
  std::atomic<RunbookService*> runbook_triggers{nullptr};
  std::unique_ptr<PostmortemService> postmortems;  // reads through incidents; served by server
  std::unique_ptr<probe::Engine> engine;
  SloAlerts slo_alerts{""};  // guarded by evaluation_mutex
  // Notifications: the outbox has a connection of its own (the notifier drains it on its own
  // thread). Declared before the intake that forwards into the pipeline, so they outlive it.
  std::unique_ptr<store::Database> outbox_database;
  std::unique_ptr<notify::Outbox> outbox;
  notify::ReceiverRegistry receivers;
  notify::CurlSender sender;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<AlertPipeline> pipeline;
  // Serve /api/v1/alerts/alertmanager, /api/v2/alerts and /api/v2/silences; declared after the
  // database they write to, and the server is stopped before either is destroyed.
  std::unique_ptr<DurableAlertIntake> alert_intake;
  // Redacts alerts before the intake stores them (the same redactor as the incident record's).
  incident::Redactor alert_redactor;
  std::unique_ptr<RedactingAlertSink> redacting_intake;
  std::unique_ptr<DurableSilences> silences;
  std::unique_ptr<OncallOverrides> oncall_overrides;  // on-call overrides made through the API
  std::unique_ptr<AuditWriter> audit;  // stopped after the server that records into it

  std::mutex wake_mutex;
  std::condition_variable wake;
  bool stopping = false;  // guarded by wake_mutex
  std::thread evaluator;
  bool running = false;
};

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() {
  stop();
}

Result<std::unique_ptr<Agent>> Agent::create(const Clock& clock, config::Config config,
                                             AgentOptions options) {
  auto impl = std::make_unique<Impl>(clock, std::move(config), std::move(options));

  std::vector<probe::ResolvedProbe> probes;
  for (const config::ProbeSpec& spec : impl->config.probes) {
    auto resolved = resolve_probe(spec, impl->config.directory);
    if (!resolved)
      return resolved.error();
    probes.push_back(std::move(resolved).value());
  }

  if (!impl->options.auth)
    impl->options.auth = api::Authenticator::open();
  const api::ServerOptions& listen = impl->options.listen;
  if (impl->options.auth->token_count() == 0 && !is_loopback_host(listen.host)) {
    return Error{"not listening on " + listen.host + ":" + std::to_string(listen.port) +
                 " without API tokens: anyone who can reach it could change silences and "
                 "on-call. Configure tokens with --tokens FILE (lines '<name> <role> "
                 "sha256:<hex>'; `sloe token new --name NAME --role admin` makes one) or "
                 "SLOE_API_TOKENS=name:role:token, or listen on 127.0.0.1"};
  }
  impl->server.set_authenticator(impl->options.auth);

  std::error_code ec;
  std::filesystem::create_directories(impl->options.data_dir, ec);
  if (ec) {
    return Error{"cannot create data directory '" + impl->options.data_dir + "': " + ec.message()};
  }
  const std::string db_path = (std::filesystem::path(impl->options.data_dir) / "sloe.db").string();
  auto database = store::Database::open(db_path, store::sloe_migrations());
  if (!database)
    return database.error();
  impl->database = std::move(database).value();
  auto audit = AuditWriter::open(db_path, AuditWriter::Options{});
  if (!audit)
    return audit.error();
  impl->audit = std::move(audit).value();
  impl->server.set_audit(impl->audit.get(), &clock, impl->audit.get());

  std::map<std::string, std::string> saved;
  {
    store::SliSnapshotStore snapshot_store(*impl->database);
    auto loaded = snapshot_store.load_all();
    if (!loaded)
      return Error{"reading SLI history: " + loaded.error().message};
    saved = std::move(loaded).value();
  }

  auto id_engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto silences = DurableSilences::open(*impl->database, impl->database_mutex, [id_engine] {
    return route::random_silence_id(*id_engine);
  });
  if (!silences)
    return Error{"reading silences: " + silences.error().message};
  impl->silences = std::move(silences).value();

  auto overrides = OncallOverrides::open(*impl->database, impl->database_mutex,
                                         impl->config.oncall.value_or(oncall::OncallConfig{}));
  if (!overrides)
    return Error{"reading on-call overrides: " + overrides.error().message};
  impl->oncall_overrides = std::move(overrides).value();
  impl->server.set_oncall_routes(api::OncallRoutes{impl->oncall_overrides.get(), &clock});

  // Durable writes (alerts, incidents) are group-committed: one fsync serves every request
  // waiting at that moment, so throughput grows with the requests served at once. cpp-httplib
  // holds a worker per keep-alive connection and defaults to 8 of them.
  if (impl->options.listen.threads == 0)
    impl->options.listen.threads = 64;
  if (impl->options.external_url.empty() && impl->options.listen.port != 0) {
    impl->options.external_url = url_scheme(impl->options.listen) + impl->options.listen.host +
                                 ":" + std::to_string(impl->options.listen.port);
  }
  impl->slo_alerts = SloAlerts(impl->options.external_url, impl->config.runbooks);
  if (Status opened = impl->open_incidents(db_path); !opened)
    return Error{"opening incidents: " + opened.error().message};
  impl->server.set_incident_routes(api::IncidentRoutes{impl->incidents.get(), &clock});
  if (Status opened = impl->open_postmortems(db_path); !opened)
    return Error{"opening postmortems: " + opened.error().message};
  if (Status piped = impl->create_pipeline(db_path); !piped)
    return piped.error();
  if (Status opened = impl->open_runbooks(db_path); !opened)
    return Error{"opening runbooks: " + opened.error().message};
  impl->server.set_runbook_routes(api::RunbookRoutes{impl->runbooks.get(), &clock});
  Impl* forward_to = impl.get();
  auto intake = DurableAlertIntake::open(
      *impl->database, impl->database_mutex, clock,
      [forward_to](const std::vector<alert::Alert>& alerts) {
        // Incidents first: the pipeline's notifications then
        // find the alerts already linked.
        if (forward_to->incidents) {
          if (Status recorded = forward_to->incidents->on_alerts(alerts, forward_to->clock.now());
              !recorded) {
            spdlog::error("{}", recorded.error().message);
          }
        }
        if (forward_to->pipeline)
          forward_to->pipeline->ingest(alerts);
      });
  if (!intake)
    return intake.error();
  impl->alert_intake = std::move(intake).value();
  api::AlertRoutes alert_routes;
  impl->redacting_intake =
      std::make_unique<RedactingAlertSink>(*impl->alert_intake, impl->alert_redactor);
  alert_routes.alerts = impl->redacting_intake.get();
  alert_routes.silences = impl->silences.get();
  alert_routes.clock = &clock;
  impl->server.set_alert_routes(alert_routes);

  impl->slos.reserve(impl->config.slos.size());
  for (const config::SloSpec& spec : impl->config.slos) {
    slo::Objective objective;
    objective.target = spec.objective;
    objective.window = duration_cast<seconds>(spec.window);
    sli::EventWindow events(objective.window);
    if (const auto found = saved.find(spec.name); found != saved.end()) {
      auto restored = sli::EventWindow::deserialize(found->second);
      if (!restored) {
        spdlog::warn("slo {}: saved SLI history is unreadable ({}); starting empty", spec.name,
                     restored.error().message);
      } else if (restored->retention() != events.retention()) {
        spdlog::warn("slo {}: window changed since the history was saved; starting empty",
                     spec.name);
      } else {
        events = std::move(restored).value();
        ++impl->restored;
      }
    }
    impl->slos_by_probe[spec.sli.probe].push_back(impl->slos.size());
    impl->slos.push_back(SloState{spec, objective, std::move(events)});
  }

  probe::EngineOptions engine_options;
  engine_options.jitter_seed = impl->options.jitter_seed;
  Impl* raw = impl.get();
  impl->engine = std::make_unique<probe::Engine>(
      clock, std::move(probes), [raw](const probe::ProbeResult& r) { raw->on_probe_result(r); },
      engine_options);
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

Status Agent::start() {
  impl_->audit->start();
  if (Status listening = impl_->server.start(impl_->options.listen); !listening)
    return listening;
  if (impl_->options.external_url.empty()) {
    // Listening on port 0: links can name the port only now.
    impl_->options.external_url = url_scheme(impl_->options.listen) + impl_->options.listen.host +
                                  ":" + std::to_string(impl_->server.port());
    const std::lock_guard lock(impl_->evaluation_mutex);
    impl_->slo_alerts = SloAlerts(impl_->options.external_url, impl_->config.runbooks);
  }
  impl_->evaluate();  // serve a first board at once, from restored history
  if (Status probing = impl_->engine->start(); !probing) {
    impl_->server.stop();
    return probing;
  }
  // Alerts accepted just before a crash may not have reached their incidents (the intake feeds
  // incidents after answering): offer the active ones again; alerts already linked are skipped.
  if (impl_->incidents) {
    std::vector<alert::Alert> active;
    for (api::ReceivedAlert& received : impl_->alert_intake->current(impl_->clock.now()))
      active.push_back(std::move(received.alert));
    if (Status recorded = impl_->incidents->on_alerts(active, impl_->clock.now()); !recorded)
      spdlog::error("{}", recorded.error().message);
  }
  if (impl_->pipeline) {
    impl_->pipeline->set_external_url(impl_->options.external_url);
    impl_->notifier->start();
    // Groups live in memory: rebuild them from the alerts still active after a restart.
    std::vector<alert::Alert> active;
    for (api::ReceivedAlert& received : impl_->alert_intake->current(impl_->clock.now()))
      active.push_back(std::move(received.alert));
    impl_->pipeline->ingest(std::move(active));
    impl_->pipeline->start();
  }
  impl_->evaluator = std::thread([this] { impl_->evaluator_loop(); });
  impl_->running = true;
  const api::Authenticator& auth = *impl_->options.auth;
  spdlog::info("API {}, {} token(s), {}",
               auth.enabled() ? "authentication on" : "authentication off", auth.token_count(),
               impl_->options.listen.tls_cert_file.empty() ? "plain HTTP" : "HTTPS (TLS)");
  spdlog::info("sloe {} listening on {}:{} with {} probes and {} SLOs ({} restored from {})",
               SLOE_VERSION, impl_->options.listen.host, impl_->server.port(),
               impl_->config.probes.size(), impl_->slos.size(), impl_->restored,
               impl_->options.data_dir);
  return {};
}

void Agent::stop() {
  if (!impl_ || !impl_->running)
    return;
  impl_->running = false;
  impl_->engine->stop();
  {
    const std::lock_guard lock(impl_->wake_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->evaluator.joinable())
    impl_->evaluator.join();
  impl_->evaluate();
  if (Status saved = impl_->save_history(); !saved) {
    spdlog::error("saving SLI history on shutdown failed: {}", saved.error().message);
  } else {
    spdlog::info("saved SLI history of {} SLOs", impl_->slos.size());
  }
  impl_->server.stop();
  impl_->audit->stop();
  // Before the notifier its notify steps use; a step being performed is finished first.
  if (impl_->runbooks)
    impl_->runbooks->stop();
  if (impl_->pipeline) {
    impl_->pipeline->stop();
    impl_->notifier->stop();
  }
  // After every caller (HTTP, pipeline, notifier) stopped: commits what is queued, then ends.
  if (impl_->incidents)
    impl_->incidents->stop();
}

void Agent::evaluate_now() {
  impl_->evaluate();
}
Status Agent::save_history() {
  return impl_->save_history();
}
int Agent::port() const {
  return impl_->server.port();
}
const api::StatusBoard& Agent::board() const {
  return impl_->board;
}
std::vector<api::EscalationView> Agent::escalations() const {
  if (!impl_->pipeline)
    return {};
  return impl_->pipeline->escalations();
}
const api::IncidentService* Agent::incidents() const {
  return impl_->incidents.get();
}
const api::RunbookService* Agent::runbooks() const {
  return impl_->runbooks.get();
}
std::size_t Agent::restored_slo_count() const {
  return impl_->restored;
}

}  // namespace sloe::app

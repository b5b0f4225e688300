// Files -> documents -> definitions, then the checks that span files: unique names, references
// to probes, latency thresholds against probe timeouts.
#include "sloe/config/loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "parse.h"
#include "parse_oncall.h"
#include "reader.h"
#include "sloe/config/oncall_loader.h"
#include "sloe/core/duration.h"
#include "sloe/core/text.h"

namespace sloe::config {
namespace {

namespace fs = std::filesystem;
using detail::Field;
using detail::Mapping;
using detail::ParsedProbe;
using detail::ParsedSlo;
using detail::Reader;

const std::vector<std::string> kTopLevelKeys{"probes", "slos"};

std::string format_location(const SourceLocation& at) {
  if (at.line <= 0)
    return at.file;
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

// Records where each document starts, to catch a yaml-cpp 0.7 parser that stops making progress.
class DocumentStarts final : public YAML::EventHandler {
 public:
  YAML::Mark start;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 never consumes a token that cannot start a node (a stray ',' after a document),
// so YAML::LoadAll would append empty documents forever (jbeder/yaml-cpp#1040, fixed upstream in
// #1319). Walking the documents once with a parser of our own, every document must start after
// the previous one; the first that does not is where the stray token is. Throws what the parser
// throws on a syntax error.
std::optional<YAML::Mark> find_stuck_document(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts events;
  int previous = -1;
  while (parser.HandleNextDocument(events)) {
    if (events.start.pos <= previous)
      return events.start;
    previous = events.start.pos;
  }
  return std::nullopt;
}

// Which top-level folder a file was read from decides how its documents are read; sloe.yaml at
// the root holds the agent's settings.
enum class Folder { kSlo, kAlerts, kSettings, kRunbooks };

constexpr const char* kSettingsFile = "sloe.yaml";

Folder folder_of(const std::string& name) {
  const std::string generic = fs::path(name).lexically_normal().generic_string();
  if (generic == kSettingsFile)
    return Folder::kSettings;
  if (generic.rfind("runbooks/", 0) == 0)
    return Folder::kRunbooks;
  return generic.rfind("alerts/", 0) == 0 || generic.find("/alerts/") != std::string::npos
             ? Folder::kAlerts
             : Folder::kSlo;
}

class Loader {
 public:
  void add_file(const std::string& name, const std::string& text, Folder folder) {
    file_order_.push_back(name);
    Reader reader(name, &diagnostics_);
    if (folder == Folder::kRunbooks) {
      // Markdown with YAML front matter, not a YAML file.
      if (auto parsed = detail::parse_runbook(reader, text))
        runbooks_.push_back(std::move(*parsed));
      return;
    }
    std::vector<YAML::Node> documents;
    try {
      if (const auto stuck = find_stuck_document(text)) {
        const auto at = static_cast<std::size_t>(stuck->pos);
        const std::string token = at < text.size() ? std::string(1, text[at]) : "end of file";
        reader.error(reader.location(stuck->line, stuck->column),
                     "YAML syntax error: unexpected '" + token + "'");
        return;
      }
      documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
      reader.error(reader.location(e.mark.line, e.mark.column), "YAML syntax error: " + e.msg);
      return;
    }
    if (folder == Folder::kSettings) {
      add_settings_file(reader, documents);
      return;
    }
    for (const YAML::Node& document : documents) {
      // yaml-cpp throws only on misuse, which would be a bug here; keep it a diagnostic anyway
      // so one bad file cannot take the whole check down.
      try {
        if (folder == Folder::kAlerts) {
          add_alerts_document(reader, document);
        } else {
          add_document(reader, document);
        }
      } catch (const YAML::Exception& e) {
        reader.error(reader.location(document),
                     std::string("could not read document: ") + e.what());
      }
    }
  }

  void add_file_error(const std::string& name, std::string message) {
    file_order_.push_back(name);
    diagnostics_.push_back(
        Diagnostic{Diagnostic::Severity::kError, SourceLocation{name, 0, 0}, std::move(message)});
  }

  LoadResult finish(const std::string& directory) {
    check_probe_names();
    check_slos();
    oncall::OncallConfig oncall = detail::check_oncall(oncall_, &diagnostics_);
    check_escalation_references(oncall);
    check_runbooks();
    LoadResult result;
    sort_diagnostics();
    result.diagnostics = std::move(diagnostics_);
    const bool has_error =
        std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });
    if (has_error)
      return result;
    Config config;
    config.directory = directory;
    for (ParsedProbe& probe : probes_) {
      config.probes.push_back(std::move(probe.spec));
      config.probe_locations.push_back(std::move(probe.location));
    }
    for (ParsedSlo& slo : slos_) {
      config.slos.push_back(std::move(slo.spec));
      config.slo_locations.push_back(std::move(slo.location));
    }
    if (has_oncall_)
      config.oncall = std::move(oncall);
    config.silences = std::move(silences_);
    if (alerting_) {
      config.alerting = std::move(alerting_->config);
      config.alerting_locations = std::move(alerting_->locations);
    }
    config.settings = std::move(settings_);
    for (detail::ParsedRunbook& parsed : runbooks_) {
      config.runbook_locations.push_back(SourceLocation{parsed.book.file, 1, 1});
      config.runbooks.push_back(std::move(parsed.book));
    }
    result.config = std::move(config);
    return result;
  }

 private:
  // sloe.yaml: one document of settings.
  void add_settings_file(Reader& reader, const std::vector<YAML::Node>& documents) {
    if (has_settings_) {
      reader.error(reader.location(0, 0), "a second settings file; sloe reads one sloe.yaml");
      return;
    }
    has_settings_ = true;
    bool seen = false;
    for (const YAML::Node& document : documents) {
      if (document.IsNull())
        continue;
      if (seen) {
        reader.error(reader.location(document),
                     "sloe.yaml holds one document; merge this one into the first");
        return;
      }
      seen = true;
      try {
        detail::parse_settings_document(reader, document, &settings_);
      } catch (const YAML::Exception& e) {
        reader.error(reader.location(document),
                     std::string("could not read document: ") + e.what());
      }
    }
  }

  // alerts/: an Alertmanager configuration (top-level `route:`) or an on-call document.
  void add_alerts_document(Reader& reader, const YAML::Node& document) {
    if (document.IsNull())
      return;
    if (!document.IsMap()) {
      reader.error(reader.location(document),
                   "expected a mapping at the top level (an Alertmanager configuration with "
                   "'route:', or on-call definitions), got " +
                       detail::describe(document));
      return;
    }
    auto top = Mapping::read_node(reader, document, reader.location(document), "the top level");
    if (!top)
      return;
    const Field* route = top->find("route");
    if (route == nullptr) {
      // Users, rotations, schedules, overrides, escalation policies. The on-call parser also
      // reports Alertmanager keys here: a document that forgot `route:` must not route nothing.
      detail::parse_oncall_document(reader, document, &oncall_);
      has_oncall_ = true;
      if (const Field* silences = top->get("silences"))
        detail::parse_silences(reader, *silences, &silences_);
      return;
    }
    if (alerting_file_) {
      reader.error(route->key_location,
                   "a second Alertmanager configuration (top-level 'route:'); the first is at " +
                       format_location(*alerting_file_) +
                       ". sloe reads one routing tree: merge them into one file");
      return;
    }
    alerting_file_ = route->key_location;
    if (auto parsed = detail::parse_alerting(reader, *top))
      alerting_ = std::move(parsed);
  }

  // Receivers name escalation policies and users name receivers, across the two kinds of
  // alerts/ documents.
  void check_escalation_references(const oncall::OncallConfig& oncall) {
    check_attached_receivers();
    if (!alerting_)
      return;
    const AlertingConfig& alerting = alerting_->config;
    for (std::size_t i = 0; i < alerting.receivers.size(); ++i) {
      const ReceiverSpec& receiver = alerting.receivers[i];
      if (receiver.escalation_policy.empty() ||
          oncall.find_policy(receiver.escalation_policy) != nullptr) {
        continue;
      }
      std::vector<std::string> names;
      for (const oncall::EscalationPolicy& policy : oncall.escalation_policies)
        names.push_back(policy.name);
      const std::string suggestion = closest_match(receiver.escalation_policy, names);
      diagnostics_.push_back(
          Diagnostic{Diagnostic::Severity::kError, alerting_->locations.receivers[i],
                     "receiver '" + receiver.name + "' names escalation policy '" +
                         receiver.escalation_policy + "', which no on-call document defines" +
                         (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?")});
    }
  }

  // attach_to_receivers: each receiver exists in the route tree and escalates under one policy.
  void check_attached_receivers() {
    std::map<std::string, std::string, std::less<>> policy_of;  // receiver -> policy
    if (alerting_) {
      for (const ReceiverSpec& receiver : alerting_->config.receivers) {
        if (!receiver.escalation_policy.empty())
          policy_of[receiver.name] = receiver.escalation_policy;
      }
    }
    std::vector<std::string> receiver_names;
    if (alerting_) {
      for (const ReceiverSpec& receiver : alerting_->config.receivers)
        receiver_names.push_back(receiver.name);
    }
    for (const detail::ParsedPolicy& parsed : oncall_.policies) {
      const oncall::EscalationPolicy& policy = parsed.policy;
      for (std::size_t i = 0; i < policy.attach_to_receivers.size(); ++i) {
        const std::string& receiver = policy.attach_to_receivers[i];
        const SourceLocation& at = parsed.attach_locations[i];
        if (std::find(receiver_names.begin(), receiver_names.end(), receiver) ==
            receiver_names.end()) {
          const std::string suggestion = closest_match(receiver, receiver_names);
          diagnostics_.push_back(
              Diagnostic{Diagnostic::Severity::kError, at,
                         "escalation policy '" + policy.name + "' attaches to receiver '" +
                             receiver + "', which the Alertmanager configuration does not define" +
                             (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?")});
          continue;
        }
        const auto [existing, inserted] = policy_of.emplace(receiver, policy.name);
        if (!inserted && existing->second != policy.name) {
          diagnostics_.push_back(
              Diagnostic{Diagnostic::Severity::kError, at,
                         "receiver '" + receiver + "' already escalates under policy '" +
                             existing->second + "'; a receiver escalates under one policy"});
        }
      }
    }
  }

  void add_document(Reader& reader, const YAML::Node& document) {
    if (document.IsNull())
      return;  // an empty document, e.g. a file of comments
    if (!document.IsMap()) {
      reader.error(reader.location(document),
                   "expected a mapping with 'probes' and/or 'slos' at the top level, got " +
                       detail::describe(document));
      return;
    }
    auto top = Mapping::read_node(reader, document, reader.location(document), "the top level");
    if (!top)
      return;
    top->check_keys(reader, kTopLevelKeys, "the top level");
    if (const Field* list = top->get("probes")) {
      if (auto items = detail::read_list(reader, *list)) {
        for (const Field& item : *items) {
          if (auto probe = detail::parse_probe(reader, item))
            probes_.push_back(std::move(*probe));
        }
      }
    }
    if (const Field* list = top->get("slos")) {
      if (auto items = detail::read_list(reader, *list)) {
        for (const Field& item : *items) {
          if (auto slo = detail::parse_slo(reader, item))
            slos_.push_back(std::move(*slo));
        }
      }
    }
  }

  void error(const SourceLocation& at, std::string message) {
    diagnostics_.push_back(Diagnostic{Diagnostic::Severity::kError, at, std::move(message)});
  }

  void check_probe_names() {
    for (std::size_t i = 0; i < probes_.size(); ++i) {
      const std::string& name = probes_[i].spec.name;
      if (name.empty())
        continue;  // already reported as missing or invalid
      auto [first, inserted] = probe_index_.emplace(name, i);
      if (!inserted) {
        error(probes_[i].name_location, "duplicate probe name '" + name + "' (first defined at " +
                                            format_location(probes_[first->second].name_location) +
                                            ")");
      }
    }
  }

  void check_slos() {
    std::map<std::string, std::size_t, std::less<>> slo_index;
    std::vector<std::string> probe_names;
    for (const auto& [name, index] : probe_index_)
      probe_names.push_back(name);
    for (std::size_t i = 0; i < slos_.size(); ++i) {
      const ParsedSlo& slo = slos_[i];
      if (!slo.spec.name.empty()) {
        auto [first, inserted] = slo_index.emplace(slo.spec.name, i);
        if (!inserted) {
          error(slo.name_location, "duplicate SLO name '" + slo.spec.name + "' (first defined at " +
                                       format_location(slos_[first->second].name_location) + ")");
        }
      }
      if (!slo.has_probe_reference)
        continue;
      const auto probe = probe_index_.find(slo.spec.sli.probe);
      if (probe == probe_index_.end()) {
        std::string message = "unknown probe '" + slo.spec.sli.probe + "'";
        const std::string suggestion = closest_match(slo.spec.sli.probe, probe_names);
        if (!suggestion.empty()) {
          message += "; did you mean '" + suggestion + "'?";
        } else {
          message += probe_names.empty() ? " (no probes are defined)"
                                         : " (define it under 'probes:' in any file)";
        }
        error(slo.probe_location, std::move(message));
        continue;
      }
      const ParsedProbe& target = probes_[probe->second];
      if (slo.threshold_valid && target.timeout_valid &&
          slo.spec.sli.latency_threshold >= target.spec.timeout) {
        error(slo.threshold_location,
              "latency threshold " + format_duration(slo.spec.sli.latency_threshold) +
                  " must be below the timeout of probe '" + target.spec.name + "' (" +
                  format_duration(target.spec.timeout) +
                  "); slower requests are cut off and count as failures");
      }
    }
  }

  // Runbooks: unique names, commands on the allowlist, notify receivers in the routing tree.
  // Sorted by name afterwards, so the order does not depend on file names.
  void check_runbooks() {
    std::map<std::string, SourceLocation, std::less<>> first_of;
    for (const detail::ParsedRunbook& parsed : runbooks_) {
      const auto [first, inserted] = first_of.emplace(parsed.book.name, parsed.name_location);
      if (!inserted) {
        error(parsed.name_location, "duplicate runbook name '" + parsed.book.name +
                                        "' (first defined at " + format_location(first->second) +
                                        ")");
      }
      const auto& allowed = settings_.runbooks.allowed_commands;
      for (const auto& command : parsed.commands) {
        if (std::find(allowed.begin(), allowed.end(), command.name) == allowed.end()) {
          error(command.location,
                "command " + command.name + " is not in sloe.yaml runbooks.allowed_commands");
        }
      }
      check_receivers(parsed);
    }
    std::stable_sort(runbooks_.begin(), runbooks_.end(),
                     [](const detail::ParsedRunbook& a, const detail::ParsedRunbook& b) {
                       return a.book.name < b.book.name;
                     });
  }

  void check_receivers(const detail::ParsedRunbook& parsed) {
    if (parsed.receivers.empty())
      return;
    if (!alerting_) {
      if (!alerting_file_) {  // an unreadable routing tree is reported where it is written
        diagnostics_.push_back(
            Diagnostic{Diagnostic::Severity::kWarning, parsed.receivers.front().location,
                       "notify steps name receivers, but alerts/ has no Alertmanager configuration "
                       "(route: and receivers:); these steps will fail until one defines '" +
                           parsed.receivers.front().name + "'"});
      }
      return;
    }
    std::vector<std::string> names;
    for (const ReceiverSpec& receiver : alerting_->config.receivers)
      names.push_back(receiver.name);
    for (const auto& receiver : parsed.receivers) {
      if (std::find(names.begin(), names.end(), receiver.name) != names.end())
        continue;
      const std::string suggestion = closest_match(receiver.name, names);
      error(receiver.location,
            "receiver '" + receiver.name +
                "' is not defined in the Alertmanager configuration under alerts/" +
                (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
    }
  }

  // File order first (the order files were read), then position; stable, so messages about one
  // node keep the order they were found in.
  void sort_diagnostics() {
    const auto file_rank = [this](const std::string& file) {
      const auto it = std::find(file_order_.begin(), file_order_.end(), file);
      return it - file_order_.begin();
    };
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) {
                       const auto ra = file_rank(a.location.file);
                       const auto rb = file_rank(b.location.file);
                       if (ra != rb)
                         return ra < rb;
                       if (a.location.line != b.location.line) {
                         return a.location.line < b.location.line;
                       }
                       return a.location.column < b.location.column;
                     });
  }

  std::vector<Diagnostic> diagnostics_;
  std::vector<std::string> file_order_;
  std::vector<ParsedProbe> probes_;
  std::vector<ParsedSlo> slos_;
  std::map<std::string, std::size_t, std::less<>> probe_index_;
  std::optional<SourceLocation> alerting_file_;  // where the Alertmanager document was found
  std::optional<detail::ParsedAlerting> alerting_;
  detail::ParsedOncall oncall_;
  bool has_oncall_ = false;  // at least one on-call document was read
  std::vector<route::Silence> silences_;
  Settings settings_;
  bool has_settings_ = false;
  std::vector<detail::ParsedRunbook> runbooks_;
};

bool is_config_file(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml";
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

void join_relative(std::string& path, const fs::path& base) {
  if (path.empty() || fs::path(path).is_absolute())
    return;
  path = (base / path).lexically_normal().string();
}

// TLS files are opened by the probe engine, which does not know the configuration directory.
void join_tls_paths(TlsOptions& tls, const fs::path& base) {
  join_relative(tls.ca_file, base);
  join_relative(tls.cert_file, base);
  join_relative(tls.key_file, base);
}

}  // namespace

std::string Diagnostic::to_string() const {
  const char* label = severity == Severity::kError ? "error" : "warning";
  return format_location(location) + ": " + label + ": " + message;
}

LoadResult load_config_from_strings(const std::vector<std::pair<std::string, std::string>>& files) {
  Loader loader;
  for (const auto& [name, text] : files)
    loader.add_file(name, text, folder_of(name));
  return loader.finish("");
}

namespace {

// Reads one file into the loader; false (reported) when it cannot be read.
bool read_file(Loader& loader, const fs::path& path, Folder kind) {
  const std::string name = path.lexically_normal().generic_string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    loader.add_file_error(name, std::string("cannot read file: ") + std::strerror(errno));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  loader.add_file(name, text.str(), kind);
  return true;
}

// Reads every configuration file under folder (recursively, sorted, hidden names skipped) into
// the loader. False when the folder cannot be listed (reported).
bool read_folder(Loader& loader, const fs::path& folder, Folder kind) {
  std::error_code ec;
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (is_hidden(path)) {
      if (it->is_directory(ec))
        it.disable_recursion_pending();
      continue;
    }
    if (is_config_file(path) && it->is_regular_file(ec))
      files.push_back(path);
  }
  if (ec) {
    loader.add_file_error(folder.generic_string(), "cannot list files: " + ec.message());
    return false;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files)
    read_file(loader, path, kind);
  return true;
}

// Every runbooks/*.md file (not sub-folders, not README.md, not hidden), sorted. False when the
// folder cannot be listed (reported).
bool read_runbooks_folder(Loader& loader, const fs::path& folder) {
  std::error_code ec;
  std::vector<fs::path> files;
  fs::directory_iterator it(folder, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (is_hidden(path) || path.extension() != ".md" || path.filename() == "README.md")
      continue;
    if (it->is_regular_file(ec))
      files.push_back(path);
  }
  if (ec) {
    loader.add_file_error(folder.generic_string(), "cannot list files: " + ec.message());
    return false;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files)
    read_file(loader, path, Folder::kRunbooks);
  return true;
}

// The settings file, when it exists. False when it is not a readable regular file (reported).
bool read_settings_file(Loader& loader, const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    loader.add_file_error(path.generic_string(), "not a regular file");
    return false;
  }
  return read_file(loader, path, Folder::kSettings);
}

}  // namespace

LoadResult load_config(const std::string& dir) {
  Loader loader;
  const fs::path root = fs::path(dir.empty() ? "." : dir);
  const fs::path slo_dir = (root / "slo").lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(slo_dir, ec)) {
    loader.add_file_error(slo_dir.generic_string(),
                          "no slo/ folder in configuration directory '" + dir +
                              "'; create it (an empty folder is a valid configuration)");
    return loader.finish(dir);
  }
  if (!read_folder(loader, slo_dir, Folder::kSlo))
    return loader.finish(dir);
  // alerts/ is optional: without it, nothing is routed.
  const fs::path alerts_dir = (root / "alerts").lexically_normal();
  if (fs::is_directory(alerts_dir, ec) && !read_folder(loader, alerts_dir, Folder::kAlerts))
    return loader.finish(dir);
  // sloe.yaml is optional: without it, every setting keeps its default.
  const fs::path settings_file = (root / kSettingsFile).lexically_normal();
  if (fs::exists(settings_file, ec) && !read_settings_file(loader, settings_file))
    return loader.finish(dir);
  // runbooks/ is optional: without it, incidents get no runbooks.
  const fs::path runbooks_dir = (root / "runbooks").lexically_normal();
  if (fs::is_directory(runbooks_dir, ec) && !read_runbooks_folder(loader, runbooks_dir))
    return loader.finish(dir);
  LoadResult result = loader.finish(dir);
  if (result.config) {
    const fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
    ServerSettings& server = result.config->settings.server;
    if (server.tls) {
      join_relative(server.tls->cert_file, base);
      join_relative(server.tls->key_file, base);
    }
    join_relative(server.tokens_file, base);
    for (ProbeSpec& probe : result.config->probes) {
      if (auto* http = std::get_if<HttpProbeSpec>(&probe.kind))
        join_tls_paths(http->tls, base);
      if (auto* tcp = std::get_if<TcpProbeSpec>(&probe.kind))
        join_tls_paths(tcp->tls_options, base);
    }
  }
  return result;
}

}  // namespace sloe::config

namespace sloe::config {
namespace {

OncallLoadResult oncall_part(LoadResult all) {
  OncallLoadResult result;
  result.diagnostics = std::move(all.diagnostics);
  if (all.config)
    result.oncall = all.config->oncall.value_or(oncall::OncallConfig{});
  return result;
}

}  // namespace

OncallLoadResult load_oncall_from_strings(
    const std::vector<std::pair<std::string, std::string>>& files) {
  Loader loader;
  for (const auto& [name, text] : files)
    loader.add_file(name, text, Folder::kAlerts);
  return oncall_part(loader.finish(""));
}

OncallLoadResult load_oncall(const std::string& dir) {
  Loader loader;
  const fs::path alerts_dir = (fs::path(dir.empty() ? "." : dir) / "alerts").lexically_normal();
  std::error_code ec;
  if (fs::is_directory(alerts_dir, ec))
    read_folder(loader, alerts_dir, Folder::kAlerts);
  return oncall_part(loader.finish(dir));
}

}  // namespace sloe::config

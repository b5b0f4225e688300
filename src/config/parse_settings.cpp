// sloe.yaml: the agent's own settings — the API listener (TLS, tokens file, body limit, webhook
// authentication), incident policies, redaction, runbook step limits and postmortem defaults.
// Everything is optional; what is written is checked as strictly as probes are, so `sloe check`
// catches a typo before the agent starts.
#include <algorithm>
#include <regex>

#include "parse.h"
#include "sloe/alert/matcher.h"
#include "sloe/core/labels.h"
#include "sloe/core/text.h"
#include "sloe/oncall/time_zone.h"

namespace sloe::config::detail {
namespace {

const std::vector<std::string> kSettingsKeys{"server", "incidents", "redaction", "runbooks",
                                             "postmortem"};
const std::vector<std::string> kServerKeys{"tls", "tokens_file", "max_body_bytes", "webhook"};
const std::vector<std::string> kServerTlsKeys{"cert_file", "key_file"};
const std::vector<std::string> kWebhookKeys{"token", "hmac_secret"};
const std::vector<std::string> kIncidentsKeys{"policies"};
const std::vector<std::string> kPolicyKeys{"name", "matchers", "severity", "group_by"};
const std::vector<std::string> kRedactionKeys{"disable", "patterns"};
const std::vector<std::string> kPatternKeys{"name", "regex"};
const std::vector<std::string> kSeverities{"SEV1", "SEV2", "SEV3", "SEV4"};
const std::vector<std::string> kRunbooksKeys{"allowed_commands", "output_limit"};
const std::vector<std::string> kPostmortemKeys{"second_zone"};

constexpr std::size_t kMinBodyBytes = 1024;
// Step output is stored with the run and shown on the timeline: enough for a stack trace, not a
// log file.
constexpr std::size_t kMinOutputLimit = 1024;
constexpr std::size_t kMaxOutputLimit = std::size_t{1} << 20;
constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 30;
// std::regex compiles recursively; an unbounded pattern from a file could exhaust the stack.
constexpr std::size_t kMaxRegexLength = 1024;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words)
    out += (out.empty() ? "" : ", ") + word;
  return out;
}

std::string where(const SourceLocation& at) {
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

bool only_chars(std::string_view text, std::string_view extra) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

// A non-empty string, or nullopt (reported).
std::optional<std::string> read_non_empty(Reader& reader, const Field& field) {
  auto text = read_string(reader, field);
  if (text && text->empty()) {
    reader.error(field.value_location, field.key + ": must not be empty");
    return std::nullopt;
  }
  return text;
}

void read_server_tls(Reader& reader, const Field& field, ServerSettings& out) {
  auto tls = Mapping::read(reader, field, "server.tls");
  if (!tls)
    return;
  tls->check_keys(reader, kServerTlsKeys, "server.tls");
  const Field* cert = tls->require(reader, "cert_file", "server.tls");
  const Field* key = tls->require(reader, "key_file", "server.tls");
  auto cert_file = cert != nullptr ? read_non_empty(reader, *cert) : std::nullopt;
  auto key_file = key != nullptr ? read_non_empty(reader, *key) : std::nullopt;
  if (cert_file && key_file)
    out.tls = ServerTlsSettings{*cert_file, *key_file};
}

void read_max_body_bytes(Reader& reader, const Field& field, ServerSettings& out) {
  const auto value = read_number(reader, field);
  if (!value)
    return;
  if (*value != static_cast<double>(static_cast<long long>(*value)) ||
      *value < static_cast<double>(kMinBodyBytes) || *value > static_cast<double>(kMaxBodyBytes)) {
    reader.error(field.value_location, field.key + ": expected a whole number of bytes from " +
                                           std::to_string(kMinBodyBytes) + " to " +
                                           std::to_string(kMaxBodyBytes) + " (1 GiB), got " +
                                           field.value.Scalar());
    return;
  }
  out.max_body_bytes = static_cast<std::size_t>(*value);
}

void read_webhook(Reader& reader, const Field& field, ServerSettings& out) {
  auto webhook = Mapping::read(reader, field, "server.webhook");
  if (!webhook)
    return;
  webhook->check_keys(reader, kWebhookKeys, "server.webhook");
  if (const Field* token = webhook->get("token"))
    out.webhook.token = read_secret_ref(reader, *token, "server.webhook token");
  if (const Field* hmac = webhook->get("hmac_secret"))
    out.webhook.hmac_secret = read_secret_ref(reader, *hmac, "server.webhook hmac_secret");
}

void read_server(Reader& reader, const Field& field, ServerSettings& out) {
  auto server = Mapping::read(reader, field, "server");
  if (!server)
    return;
  server->check_keys(reader, kServerKeys, "server");
  if (const Field* tls = server->get("tls"))
    read_server_tls(reader, *tls, out);
  if (const Field* tokens = server->get("tokens_file"))
    out.tokens_file = read_non_empty(reader, *tokens).value_or("");
  if (const Field* limit = server->get("max_body_bytes"))
    read_max_body_bytes(reader, *limit, out);
  if (const Field* webhook = server->get("webhook"))
    read_webhook(reader, *webhook, out);
}

// Each entry is one Alertmanager matcher list; alert::parse_matchers is the same parser the
// routing tree's `matchers:` use, so a policy accepts exactly what a route accepts.
std::vector<std::string> read_policy_matchers(Reader& reader, const Field& field,
                                              const std::string& context) {
  std::vector<std::string> out;
  auto items = read_list(reader, field);
  if (!items)
    return out;
  if (items->empty())
    reader.error(field.value_location, context + ": matchers must not be empty");
  for (const Field& item : *items) {
    auto text = read_string(reader, item);
    if (!text)
      continue;
    auto parsed = alert::parse_matchers(*text);
    if (!parsed) {
      reader.error(item.value_location,
                   "invalid matcher '" + *text + "': " + parsed.error().message);
      continue;
    }
    if (parsed.value().empty()) {
      reader.error(item.value_location, item.key + ": empty matcher list");
      continue;
    }
    out.push_back(*text);
  }
  return out;
}

std::optional<IncidentPolicySettings> read_policy(Reader& reader, const Field& item,
                                                  SourceLocation* name_location) {
  auto policy = Mapping::read(reader, item, "incident policy");
  if (!policy)
    return std::nullopt;
  IncidentPolicySettings out;
  bool ok = true;
  std::string context = "incident policy";
  if (const Field* name = policy->require(reader, "name", "incident policy")) {
    auto text = read_string(reader, *name);
    if (text && !only_chars(*text, "_-")) {
      reader.error(name->value_location, "name: '" + *text +
                                             "' is not a valid incident policy name "
                                             "(lower-case letters, digits, '_' and '-')");
      ok = false;
    } else if (text) {
      out.name = *text;
      context = "incident policy '" + *text + "'";
      *name_location = name->value_location;
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  policy->check_keys(reader, kPolicyKeys, context);
  if (const Field* matchers = policy->require(reader, "matchers", context)) {
    const std::size_t errors = reader.error_count();
    out.matchers = read_policy_matchers(reader, *matchers, context);
    ok = ok && reader.error_count() == errors;
  } else {
    ok = false;
  }
  if (const Field* severity = policy->get("severity")) {
    auto text = read_string(reader, *severity);
    if (text && std::find(kSeverities.begin(), kSeverities.end(), *text) != kSeverities.end()) {
      out.severity = *text;
    } else {
      if (text) {
        reader.error(severity->value_location,
                     "severity: expected one of " + joined(kSeverities) + ", got '" + *text + "'");
      }
      ok = false;
    }
  }
  if (const Field* group_by = policy->get("group_by")) {
    auto text = read_string(reader, *group_by);
    if (text && is_valid_label_name(*text)) {
      out.group_by = *text;
    } else {
      if (text) {
        reader.error(group_by->value_location,
                     "group_by: '" + *text + "' is not a valid label name");
      }
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return out;
}

void read_incidents(Reader& reader, const Field& field, IncidentSettings& out) {
  auto incidents = Mapping::read(reader, field, "incidents");
  if (!incidents)
    return;
  incidents->check_keys(reader, kIncidentsKeys, "incidents");
  const Field* policies = incidents->get("policies");
  if (policies == nullptr)
    return;
  auto items = read_list(reader, *policies);
  if (!items)
    return;
  out.policies.clear();
  std::vector<SourceLocation> name_locations;
  for (const Field& item : *items) {
    SourceLocation name_location;
    auto policy = read_policy(reader, item, &name_location);
    if (!policy)
      continue;
    for (std::size_t i = 0; i < out.policies.size(); ++i) {
      if (out.policies[i].name == policy->name) {
        reader.error(name_location, "duplicate incident policy name '" + policy->name +
                                        "' (first defined at " + where(name_locations[i]) + ")");
      }
    }
    out.policies.push_back(std::move(*policy));
    name_locations.push_back(name_location);
  }
}

void read_disabled_detectors(Reader& reader, const Field& field, RedactionSettings& out) {
  const std::vector<std::string> builtins(kRedactionBuiltins.begin(), kRedactionBuiltins.end());
  auto items = read_list(reader, field);
  if (!items)
    return;
  for (const Field& item : *items) {
    auto name = read_string(reader, item);
    if (!name)
      continue;
    if (std::find(builtins.begin(), builtins.end(), *name) == builtins.end()) {
      const std::string suggestion = closest_match(*name, builtins);
      reader.error(item.value_location,
                   "unknown built-in redaction detector '" + *name + "'" +
                       (suggestion.empty() ? " (expected one of: " + joined(builtins) + ")"
                                           : "; did you mean '" + suggestion + "'?"));
      continue;
    }
    if (std::find(out.disable.begin(), out.disable.end(), *name) != out.disable.end()) {
      reader.error(item.value_location, "redaction detector '" + *name + "' is listed twice");
      continue;
    }
    out.disable.push_back(*name);
  }
}

void read_patterns(Reader& reader, const Field& field, RedactionSettings& out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
  std::vector<SourceLocation> name_locations;
  for (const Field& item : *items) {
    auto pattern = Mapping::read(reader, item, "redaction pattern");
    if (!pattern)
      continue;
    RedactionPatternSettings parsed;
    std::string context = "redaction pattern";
    SourceLocation name_location;
    bool ok = true;
    if (const Field* name = pattern->require(reader, "name", context)) {
      auto text = read_string(reader, *name);
      if (text && only_chars(*text, "_")) {
        parsed.name = *text;
        context = "redaction pattern '" + *text + "'";
        name_location = name->value_location;
      } else {
        if (text) {
          reader.error(name->value_location,
                       "name: '" + *text +
                           "' is not a valid redaction pattern name (lower-case letters, digits "
                           "and '_'; it appears in the marker [REDACTED:<name>])");
        }
        ok = false;
      }
    } else {
      ok = false;
    }
    pattern->check_keys(reader, kPatternKeys, context);
    if (const Field* regex = pattern->require(reader, "regex", context)) {
      auto text = read_non_empty(reader, *regex);
      if (!text) {
        ok = false;
      } else if (text->size() > kMaxRegexLength) {
        reader.error(regex->value_location, context + ": regular expression is longer than " +
                                                std::to_string(kMaxRegexLength) + " characters");
        ok = false;
      } else {
        try {
          const std::regex compiled(*text, std::regex::ECMAScript);
          parsed.regex = *text;
        } catch (const std::regex_error& e) {
          reader.error(regex->value_location,
                       context + ": invalid regular expression '" + *text + "': " + e.what());
          ok = false;
        }
      }
    } else {
      ok = false;
    }
    if (!ok)
      continue;
    for (std::size_t i = 0; i < out.patterns.size(); ++i) {
      if (out.patterns[i].name == parsed.name) {
        reader.error(name_location, "duplicate redaction pattern name '" + parsed.name +
                                        "' (first defined at " + where(name_locations[i]) + ")");
      }
    }
    out.patterns.push_back(std::move(parsed));
    name_locations.push_back(name_location);
  }
}

void read_redaction(Reader& reader, const Field& field, RedactionSettings& out) {
  auto redaction = Mapping::read(reader, field, "redaction");
  if (!redaction)
    return;
  redaction->check_keys(reader, kRedactionKeys, "redaction");
  if (const Field* disable = redaction->get("disable"))
    read_disabled_detectors(reader, *disable, out);
  if (const Field* patterns = redaction->get("patterns"))
    read_patterns(reader, *patterns, out);
}

void read_allowed_commands(Reader& reader, const Field& field, RunbookSettings& out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
  for (const Field& item : *items) {
    auto path = read_string(reader, item);
    if (!path)
      continue;
    if (path->empty() || path->front() != '/' ||
        path->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      reader.error(item.value_location,
                   item.key + ": '" + *path +
                       "' is not an absolute path; commands run without a shell or PATH lookup");
      continue;
    }
    if (std::find(out.allowed_commands.begin(), out.allowed_commands.end(), *path) !=
        out.allowed_commands.end()) {
      reader.error(item.value_location, "command '" + *path + "' is listed twice");
      continue;
    }
    out.allowed_commands.push_back(*path);
  }
}

// A whole number of bytes, written plainly (16384) or with a unit: B, KiB, MiB (1024-based) or
// kB, MB (1000-based).
std::optional<std::size_t> parse_byte_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 12)
    return std::nullopt;
  std::size_t value = 0;
  for (std::size_t i = 0; i < digits; ++i)
    value = value * 10 + static_cast<std::size_t>(text[i] - '0');
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ')
    unit.remove_prefix(1);
  const std::vector<std::pair<std::string_view, std::size_t>> units{
      {"", 1},      {"B", 1},     {"KiB", 1024},      {"MiB", 1024 * 1024},
      {"kB", 1000}, {"KB", 1000}, {"MB", 1000 * 1000}};
  for (const auto& [name, factor] : units) {
    if (unit == name)
      return value * factor;
  }
  return std::nullopt;
}

void read_output_limit(Reader& reader, const Field& field, RunbookSettings& out) {
  if (field.is_null() || !field.value.IsScalar()) {
    reader.error(field.value_location,
                 field.key + ": expected a size like 16KiB, got " + describe(field.value));
    return;
  }
  const std::string& text = field.value.Scalar();
  const auto bytes = parse_byte_size(text);
  if (!bytes) {
    reader.error(field.value_location,
                 field.key + ": expected a size like 16384, 16KiB or 1MiB, got '" + text + "'");
    return;
  }
  if (*bytes < kMinOutputLimit || *bytes > kMaxOutputLimit) {
    reader.error(field.value_location, field.key + ": " + text +
                                           " is outside the allowed 1KiB to 1MiB (" +
                                           std::to_string(kMinOutputLimit) + " to " +
                                           std::to_string(kMaxOutputLimit) + " bytes)");
    return;
  }
  out.output_limit_bytes = *bytes;
}

void read_runbooks(Reader& reader, const Field& field, RunbookSettings& out) {
  auto runbooks = Mapping::read(reader, field, "runbooks");
  if (!runbooks)
    return;
  runbooks->check_keys(reader, kRunbooksKeys, "runbooks");
  if (const Field* commands = runbooks->get("allowed_commands"))
    read_allowed_commands(reader, *commands, out);
  if (const Field* limit = runbooks->get("output_limit"))
    read_output_limit(reader, *limit, out);
}

void read_postmortem(Reader& reader, const Field& field, PostmortemSettings& out) {
  auto postmortem = Mapping::read(reader, field, "postmortem");
  if (!postmortem)
    return;
  postmortem->check_keys(reader, kPostmortemKeys, "postmortem");
  const Field* zone_field = postmortem->get("second_zone");
  if (zone_field == nullptr)
    return;
  auto zone = read_string(reader, *zone_field);
  if (!zone)
    return;
  if (oncall::is_known_time_zone(*zone)) {
    out.second_zone = *zone;
    return;
  }
  static const std::vector<std::string> names = oncall::time_zone_names();
  const std::string suggestion = closest_match(*zone, names);
  reader.error(zone_field->value_location,
               "second_zone: unknown time zone '" + *zone + "'" +
                   (suggestion.empty() ? " (use an IANA name such as Europe/Berlin or UTC)"
                                       : "; did you mean '" + suggestion + "'?"));
}

}  // namespace

void parse_settings_document(Reader& reader, const YAML::Node& document, Settings* out) {
  if (document.IsNull())
    return;
  if (!document.IsMap()) {
    reader.error(reader.location(document),
                 "expected a mapping with 'server', 'incidents', 'redaction', 'runbooks' and/or "
                 "'postmortem' at the top level, got " +
                     describe(document));
    return;
  }
  auto top = Mapping::read_node(reader, document, reader.location(document), "the top level");
  if (!top)
    return;
  top->check_keys(reader, kSettingsKeys, "the top level of sloe.yaml");
  if (const Field* server = top->get("server"))
    read_server(reader, *server, out->server);
  if (const Field* incidents = top->get("incidents"))
    read_incidents(reader, *incidents, out->incidents);
  if (const Field* redaction = top->get("redaction"))
    read_redaction(reader, *redaction, out->redaction);
  if (const Field* runbooks = top->get("runbooks"))
    read_runbooks(reader, *runbooks, out->runbooks);
  if (const Field* postmortem = top->get("postmortem"))
    read_postmortem(reader, *postmortem, out->postmortem);
}

}  // namespace sloe::config::detail

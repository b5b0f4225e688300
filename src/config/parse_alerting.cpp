// Alertmanager configuration: route, receivers, inhibit_rules, time_intervals, global, templates.
// Field names, defaults and checks follow Alertmanager's config package, so a team's
// alertmanager.yml loads unchanged; every problem is reported with its position.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>

#include "parse.h"
#include "sloe/core/labels.h"
#include "sloe/core/text.h"
#include "sloe/core/time_format.h"

namespace sloe::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kAlertmanagerKeys{
    "global",   "route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals",
    "templates"};
const std::vector<std::string> kRouteKeys{"receiver",
                                          "group_by",
                                          "match",
                                          "match_re",
                                          "matchers",
                                          "continue",
                                          "routes",
                                          "group_wait",
                                          "group_interval",
                                          "repeat_interval",
                                          "mute_time_intervals",
                                          "active_time_intervals"};
const std::vector<std::string> kGlobalKeys{"resolve_timeout", "slack_api_url", "slack_api_url_file",
                                           "pagerduty_url"};
const std::vector<std::string> kGlobalIgnored{"http_config",
                                              "smtp_from",
                                              "smtp_hello",
                                              "smtp_smarthost",
                                              "smtp_auth_username",
                                              "smtp_auth_password",
                                              "smtp_auth_password_file",
                                              "smtp_auth_secret",
                                              "smtp_auth_secret_file",
                                              "smtp_auth_identity",
                                              "smtp_require_tls",
                                              "smtp_tls_config",
                                              "opsgenie_api_url",
                                              "opsgenie_api_key",
                                              "opsgenie_api_key_file",
                                              "wechat_api_url",
                                              "wechat_api_secret",
                                              "wechat_api_corp_id",
                                              "victorops_api_url",
                                              "victorops_api_key",
                                              "victorops_api_key_file",
                                              "telegram_api_url",
                                              "webex_api_url",
                                              "jira_api_url",
                                              "rocketchat_api_url",
                                              "rocketchat_token",
                                              "rocketchat_token_file",
                                              "rocketchat_token_id",
                                              "rocketchat_token_id_file"};
const std::vector<std::string> kReceiverKeys{"name", "webhook_configs", "slack_configs",
                                             "pagerduty_configs", "escalation_policy"};
const std::vector<std::string> kReceiverIgnored{
    "email_configs",      "opsgenie_configs",   "wechat_configs",    "pushover_configs",
    "victorops_configs",  "sns_configs",        "telegram_configs",  "webex_configs",
    "msteams_configs",    "msteamsv2_configs",  "discord_configs",   "jira_configs",
    "rocketchat_configs", "mattermost_configs", "incidentio_configs"};
const std::vector<std::string> kWebhookKeys{"url", "url_file", "send_resolved", "max_alerts"};
const std::vector<std::string> kWebhookIgnored{"http_config", "timeout"};
const std::vector<std::string> kSlackKeys{"api_url", "api_url_file", "channel",      "username",
                                          "title",   "text",         "send_resolved"};
const std::vector<std::string> kSlackIgnored{
    "http_config", "color",      "icon_emoji",  "icon_url",     "title_link",   "pretext",
    "fields",      "actions",    "callback_id", "footer",       "fallback",     "image_url",
    "thumb_url",   "link_names", "mrkdwn_in",   "short_fields", "message_text", "update_message"};
const std::vector<std::string> kPagerDutyKeys{"routing_key", "routing_key_file", "url", "severity",
                                              "send_resolved"};
const std::vector<std::string> kPagerDutyIgnored{
    "http_config", "client", "client_url", "description", "details", "images",
    "links",       "source", "class",      "component",   "group",   "timeout"};
const std::vector<std::string> kInhibitKeys{
    "name",         "source_match",    "source_match_re", "source_matchers",
    "target_match", "target_match_re", "target_matchers", "equal"};
const std::vector<std::string> kNamedIntervalKeys{"name", "time_intervals"};
const std::vector<std::string> kPeriodKeys{"times",  "weekdays", "days_of_month",
                                           "months", "years",    "location"};
const std::vector<std::string> kTimesKeys{"start_time", "end_time"};

const std::vector<std::string> kWeekdays{"sunday",   "monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday"};
const std::vector<std::string> kMonths{"january",   "february", "march",    "april",
                                       "may",       "june",     "july",     "august",
                                       "september", "october",  "november", "december"};

std::string position(const SourceLocation& at) {
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

std::vector<std::string> joined(const std::vector<std::string>& a,
                                const std::vector<std::string>& b) {
  std::vector<std::string> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Known Alertmanager keys that sloe does not act on are warnings; anything else is an error.
void check_keys(Reader& reader, const Mapping& mapping, const std::vector<std::string>& supported,
                const std::vector<std::string>& ignored, const std::string& context) {
  for (const Field& field : mapping.fields()) {
    if (std::find(ignored.begin(), ignored.end(), field.key) != ignored.end()) {
      reader.warning(field.key_location,
                     "'" + field.key + "' in " + context + " is not supported by sloe, ignored");
    }
  }
  mapping.check_keys(reader, joined(supported, ignored), context);
}

// A list of strings, each with its own position.
std::optional<std::vector<std::pair<std::string, SourceLocation>>> read_strings(
    Reader& reader, const Field& field) {
  auto items = read_list(reader, field);
  if (!items)
    return std::nullopt;
  std::vector<std::pair<std::string, SourceLocation>> out;
  for (const Field& item : *items) {
    if (auto text = read_string(reader, item))
      out.emplace_back(*text, item.value_location);
  }
  return out;
}

std::optional<int> read_int(Reader& reader, const Field& field) {
  if (!field.is_null() && field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc{} && end == text.data() + text.size())
      return value;
  }
  reader.error(field.value_location,
               field.key + ": expected a whole number, got " + describe(field.value));
  return std::nullopt;
}

bool has_http_scheme_and_host(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const std::string prefix = scheme;
    if (url.rfind(prefix, 0) == 0) {
      const std::size_t host_end = url.find_first_of("/?#", prefix.size());
      return host_end == std::string::npos ? url.size() > prefix.size() : host_end > prefix.size();
    }
  }
  return false;
}

std::optional<std::string> read_url(Reader& reader, const Field& field) {
  auto url = read_string(reader, field);
  if (!url)
    return std::nullopt;
  if (!has_http_scheme_and_host(*url)) {
    // The value may be a secret (a Slack webhook URL): name the key, not the value.
    reader.error(field.value_location,
                 field.key + ": expected an http:// or https:// URL with a host");
    return std::nullopt;
  }
  return url;
}

SecretRef file_secret(std::string path) {
  return SecretRef{SecretRef::Kind::kFile, std::move(path)};
}

// `key` inline (a secret in the file: warning) or `key_file`; at most one of them. Returns
// nullopt when neither is given or the value is invalid (the latter is reported).
std::optional<ValueSource> read_secret_pair(Reader& reader, const Mapping& mapping,
                                            const std::string& key, bool is_url, bool warn_inline,
                                            const std::string& context) {
  const Field* inline_field = mapping.get(key);
  const Field* file_field = mapping.get(key + "_file");
  if (inline_field != nullptr && file_field != nullptr) {
    reader.error(file_field->key_location,
                 "at most one of " + key + " & " + key + "_file must be configured in " + context);
    return std::nullopt;
  }
  if (file_field != nullptr) {
    auto path = read_string(reader, *file_field);
    if (!path)
      return std::nullopt;
    if (path->empty()) {
      reader.error(file_field->value_location, key + "_file is empty");
      return std::nullopt;
    }
    return ValueSource{std::nullopt, file_secret(*path)};
  }
  if (inline_field == nullptr)
    return std::nullopt;
  auto value = is_url ? read_url(reader, *inline_field) : read_string(reader, *inline_field);
  if (!value)
    return std::nullopt;
  if (warn_inline) {
    reader.warning(inline_field->value_location,
                   key + " in " + context +
                       " is a secret written in the configuration file; put it in a file "
                       "readable only by sloe and use " +
                       key + "_file instead");
  }
  return ValueSource{*value, std::nullopt};
}

// ---- matchers ----

// Alertmanager anchors match_re values itself and keeps the anchored text as the matcher value.
std::string anchored(const std::string& regex) {
  return "^(?:" + regex + ")$";
}

// `matchers: ['a="b"', 'c=~"d", e!="f"']`: each string is a list of matchers.
void read_matcher_strings(Reader& reader, const Field& field, std::vector<alert::Matcher>& out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
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
    for (alert::Matcher& matcher : parsed.value())
      out.push_back(std::move(matcher));
  }
}

// Deprecated `match: {name: value}` and `match_re: {name: regex}`.
void read_match_map(Reader& reader, const Field& field, bool regex,
                    std::vector<alert::Matcher>& out) {
  auto mapping = Mapping::read(reader, field, field.key);
  if (!mapping)
    return;
  for (const Field& entry : mapping->fields()) {
    if (!is_valid_label_name(entry.key)) {
      reader.error(entry.key_location, "invalid label name '" + entry.key + "' in " + field.key +
                                           ": a label name must match [a-zA-Z_][a-zA-Z0-9_]*");
      continue;
    }
    std::string value;
    if (!entry.is_null()) {  // `match: {a: }` means a="", as in Alertmanager
      auto text = read_string(reader, entry);
      if (!text)
        continue;
      value = *text;
    }
    if (regex) {
      // Validate the regex as written, so the message quotes what the person wrote.
      if (auto plain = alert::Matcher::create(entry.key, alert::MatchType::kRegexMatch, value);
          !plain) {
        reader.error(entry.value_location, plain.error().message);
        continue;
      }
      value = anchored(value);
    }
    auto matcher = alert::Matcher::create(
        entry.key, regex ? alert::MatchType::kRegexMatch : alert::MatchType::kEqual, value);
    if (!matcher) {
      reader.error(entry.value_location, matcher.error().message);
      continue;
    }
    out.push_back(std::move(matcher).value());
  }
}

// ---- the document ----

struct Reference {
  std::string name;
  SourceLocation at;
};

class AlertingParser {
 public:
  explicit AlertingParser(Reader& reader) : reader_(reader) {}

  std::optional<ParsedAlerting> parse(const Mapping& top) {
    check_keys(reader_, top, kAlertmanagerKeys, {}, "the Alertmanager configuration");
    if (const Field* f = top.get("global"))
      read_global(*f);
    if (const Field* f = top.get("templates"))
      read_templates(*f);
    if (const Field* f = top.get("receivers"))
      read_receivers(*f);
    if (const Field* f = top.get("time_intervals"))
      read_time_intervals(*f);
    if (const Field* f = top.get("mute_time_intervals"))
      read_time_intervals(*f);
    if (const Field* f = top.get("inhibit_rules"))
      read_inhibit_rules(*f);

    const Field* route_field = top.find("route");
    parsed_.locations.document = route_field->key_location;
    std::optional<route::RouteSpec> root;
    if (route_field->is_null()) {
      reader_.error(route_field->key_location,
                    "route has no value; the root route needs at least a receiver");
    } else {
      root = read_route(*route_field, /*is_root=*/true, "the root route");
    }
    check_references();
    if (!root)
      return std::nullopt;
    auto tree = route::RouteTree::build(*root);
    if (!tree) {
      // Every cause is reported with its position above; this is a guard against gaps.
      if (reader_.error_count() == 0)
        reader_.error(route_field->key_location, tree.error().message);
      return std::nullopt;
    }
    parsed_.config.routes = std::move(tree).value();
    return std::move(parsed_);
  }

 private:
  void read_global(const Field& field) {
    auto global = Mapping::read(reader_, field, "global");
    if (!global)
      return;
    check_keys(reader_, *global, kGlobalKeys, kGlobalIgnored, "global");
    if (const Field* f = global->get("resolve_timeout")) {
      if (auto timeout = read_duration(reader_, *f)) {
        if (timeout->count() <= 0) {
          reader_.error(f->value_location, "resolve_timeout must be greater than 0");
        } else {
          parsed_.config.global.resolve_timeout = *timeout;
        }
      }
    }
    slack_api_url_ = read_secret_pair(reader_, *global, "slack_api_url", /*is_url=*/true,
                                      /*warn_inline=*/true, "global");
    if (const Field* f = global->get("pagerduty_url")) {
      if (auto url = read_url(reader_, *f))
        pagerduty_url_ = *url;
    }
  }

  void read_templates(const Field& field) {
    auto templates = read_strings(reader_, field);
    if (!templates)
      return;
    for (auto& [path, at] : *templates)
      parsed_.config.templates.push_back(path);
    if (!templates->empty()) {
      reader_.warning(field.key_location,
                      "templates are not supported by sloe (notifications use sloe's own "
                      "formats), ignored");
    }
  }

  // ---- receivers ----

  void read_receivers(const Field& field) {
    auto items = read_list(reader_, field);
    if (!items)
      return;
    for (const Field& item : *items) {
      auto mapping = Mapping::read(reader_, item, "receiver");
      if (!mapping)
        continue;
      ReceiverSpec receiver;
      std::string context = "receiver";
      if (const Field* f = mapping->require(reader_, "name", "receiver")) {
        if (auto name = read_string(reader_, *f)) {
          receiver.name = *name;
          context = "receiver '" + *name + "'";
          auto [first, inserted] = receiver_names_.emplace(*name, f->value_location);
          if (!inserted) {
            reader_.error(f->value_location, "duplicate receiver name '" + *name +
                                                 "' (first defined at " + position(first->second) +
                                                 ")");
          }
        }
      }
      check_keys(reader_, *mapping, kReceiverKeys, kReceiverIgnored, context);
      if (const Field* f = mapping->get("webhook_configs")) {
        for_each_mapping(*f, "webhook_configs of " + context, [&](const Mapping& m) {
          read_webhook(m, "webhook_configs of " + context, receiver);
        });
      }
      if (const Field* f = mapping->get("slack_configs")) {
        for_each_mapping(*f, "slack_configs of " + context, [&](const Mapping& m) {
          read_slack(m, "slack_configs of " + context, receiver);
        });
      }
      if (const Field* f = mapping->get("pagerduty_configs")) {
        for_each_mapping(*f, "pagerduty_configs of " + context, [&](const Mapping& m) {
          read_pagerduty(m, "pagerduty_configs of " + context, receiver);
        });
      }
      if (const Field* f = mapping->get("escalation_policy")) {
        if (auto policy = read_string(reader_, *f))
          receiver.escalation_policy = *policy;
      }
      parsed_.config.receivers.push_back(std::move(receiver));
      parsed_.locations.receivers.push_back(mapping->location());
    }
  }

  template <typename Visit>
  void for_each_mapping(const Field& field, const std::string& what, Visit visit) {
    auto items = read_list(reader_, field);
    if (!items)
      return;
    for (const Field& item : *items) {
      if (auto mapping = Mapping::read(reader_, item, what))
        visit(*mapping);
    }
  }

  void read_send_resolved(const Mapping& m, bool& out) {
    if (const Field* f = m.get("send_resolved")) {
      if (auto value = read_bool(reader_, *f))
        out = *value;
    }
  }

  void read_webhook(const Mapping& m, const std::string& context, ReceiverSpec& receiver) {
    check_keys(reader_, m, kWebhookKeys, kWebhookIgnored, context);
    WebhookSpec spec;
    auto url = read_secret_pair(reader_, m, "url", /*is_url=*/true, /*warn_inline=*/false, context);
    if (url) {
      spec.url = std::move(*url);
    } else if (m.get("url") == nullptr && m.get("url_file") == nullptr) {
      reader_.error(m.location(), context + ": one of url or url_file must be configured");
    }
    read_send_resolved(m, spec.send_resolved);
    if (const Field* f = m.get("max_alerts")) {
      if (auto max = read_int(reader_, *f)) {
        if (*max < 0) {
          reader_.error(f->value_location, "max_alerts must not be negative (0 means all)");
        } else {
          spec.max_alerts = *max;
        }
      }
    }
    receiver.webhooks.push_back(std::move(spec));
  }

  void read_slack(const Mapping& m, const std::string& context, ReceiverSpec& receiver) {
    check_keys(reader_, m, kSlackKeys, kSlackIgnored, context);
    SlackSpec spec;
    auto url =
        read_secret_pair(reader_, m, "api_url", /*is_url=*/true, /*warn_inline=*/true, context);
    if (url) {
      spec.api_url = std::move(*url);
    } else if (m.get("api_url") == nullptr && m.get("api_url_file") == nullptr) {
      if (slack_api_url_) {
        spec.api_url = *slack_api_url_;
      } else {
        reader_.error(m.location(), context +
                                        ": no Slack API URL; set api_url_file here or "
                                        "slack_api_url_file under global");
      }
    }
    for (const auto& [key, target] :
         {std::pair<const char*, std::string*>{"channel", &spec.channel},
          {"username", &spec.username},
          {"title", &spec.title},
          {"text", &spec.text}}) {
      if (const Field* f = m.get(key)) {
        if (auto value = read_string(reader_, *f))
          *target = *value;
      }
    }
    read_send_resolved(m, spec.send_resolved);
    receiver.slack.push_back(std::move(spec));
  }

  void read_pagerduty(const Mapping& m, const std::string& context, ReceiverSpec& receiver) {
    for (const char* v1 : {"service_key", "service_key_file"}) {
      if (const Field* f = m.find(v1)) {
        reader_.error(f->key_location,
                      std::string(v1) +
                          " (PagerDuty Events API v1) is not supported by sloe; use "
                          "routing_key_file with an Events API v2 integration key");
      }
    }
    // service_key* are reported above, not as unknown keys.
    check_keys(reader_, m, joined(kPagerDutyKeys, {"service_key", "service_key_file"}),
               kPagerDutyIgnored, context);
    PagerDutySpec spec;
    spec.url = pagerduty_url_.empty() ? kDefaultPagerDutyUrl : pagerduty_url_;
    auto key = read_secret_pair(reader_, m, "routing_key", /*is_url=*/false,
                                /*warn_inline=*/true, context);
    if (key) {
      spec.routing_key = std::move(*key);
    } else if (m.get("routing_key") == nullptr && m.get("routing_key_file") == nullptr &&
               m.find("service_key") == nullptr && m.find("service_key_file") == nullptr) {
      reader_.error(m.location(),
                    context + ": missing routing_key_file (or routing_key) in PagerDuty config");
    }
    if (const Field* f = m.get("url")) {
      if (auto url = read_url(reader_, *f))
        spec.url = *url;
    }
    if (const Field* f = m.get("severity")) {
      if (auto severity = read_string(reader_, *f)) {
        const std::vector<std::string> allowed{"critical", "error", "warning", "info"};
        if (std::find(allowed.begin(), allowed.end(), *severity) == allowed.end() &&
            severity->find("{{") == std::string::npos) {
          reader_.error(f->value_location,
                        "severity '" + *severity +
                            "' is not one of critical, error, warning, info (PagerDuty's levels)");
        } else {
          spec.severity = *severity;
        }
      }
    }
    read_send_resolved(m, spec.send_resolved);
    receiver.pagerduty.push_back(std::move(spec));
  }

  // ---- routes ----

  std::optional<route::RouteSpec> read_route(const Field& field, bool is_root,
                                             const std::string& context) {
    auto mapping = Mapping::read(reader_, field, context);
    if (!mapping)
      return std::nullopt;
    check_keys(reader_, *mapping, kRouteKeys, {}, context);
    route::RouteSpec spec;
    if (const Field* f = mapping->get("receiver")) {
      if (auto receiver = read_string(reader_, *f)) {
        spec.receiver = *receiver;
        if (!receiver->empty())
          receiver_references_.push_back(Reference{*receiver, f->value_location});
      }
    }
    if (is_root && spec.receiver.empty()) {
      reader_.error(mapping->location(),
                    "the root route must name a receiver (where alerts that match no other "
                    "route go)");
    }
    if (const Field* f = mapping->get("group_by"))
      read_group_by(*f, spec);
    if (const Field* f = mapping->get("match"))
      read_match_map(reader_, *f, /*regex=*/false, spec.matchers);
    if (const Field* f = mapping->get("match_re"))
      read_match_map(reader_, *f, /*regex=*/true, spec.matchers);
    if (const Field* f = mapping->get("matchers"))
      read_matcher_strings(reader_, *f, spec.matchers);
    if (is_root) {
      for (const char* key : {"match", "match_re", "matchers"}) {
        const Field* f = mapping->get(key);
        if (f != nullptr && f->value.size() > 0) {
          reader_.error(f->key_location,
                        "the root route must not have any matchers: every alert enters at the "
                        "root; move them to a child route");
        }
      }
    }
    if (const Field* f = mapping->get("continue")) {
      if (auto value = read_bool(reader_, *f)) {
        spec.continue_matching = *value;
        if (is_root && *value)
          reader_.error(f->key_location, "the root route cannot have 'continue: true'");
      }
    }
    read_timer(*mapping, "group_wait", /*zero_ok=*/true, spec.group_wait);
    read_timer(*mapping, "group_interval", /*zero_ok=*/false, spec.group_interval);
    read_timer(*mapping, "repeat_interval", /*zero_ok=*/false, spec.repeat_interval);
    read_interval_names(*mapping, "mute_time_intervals", is_root, spec.mute_time_intervals);
    read_interval_names(*mapping, "active_time_intervals", is_root, spec.active_time_intervals);
    if (const Field* f = mapping->get("routes")) {
      if (auto items = read_list(reader_, *f)) {
        for (const Field& item : *items) {
          if (auto child = read_route(item, /*is_root=*/false, "route"))
            spec.routes.push_back(std::move(*child));
        }
      }
    }
    return spec;
  }

  void read_group_by(const Field& field, route::RouteSpec& spec) {
    auto labels = read_strings(reader_, field);
    if (!labels)
      return;
    std::map<std::string, SourceLocation, std::less<>> seen;
    for (const auto& [label, at] : *labels) {
      if (label == "...") {
        spec.group_by_all = true;
        continue;
      }
      if (!is_valid_label_name(label)) {
        reader_.error(at, "invalid label name '" + label + "' in group_by list");
        continue;
      }
      if (!seen.emplace(label, at).second) {
        reader_.error(at, "duplicated label '" + label + "' in group_by");
        continue;
      }
      spec.group_by.push_back(label);
    }
    if (spec.group_by_all && !spec.group_by.empty()) {
      reader_.error(field.value_location,
                    "cannot have wildcard group_by ('...') and other labels at the same time");
      spec.group_by.clear();
    }
  }

  void read_timer(const Mapping& mapping, const char* key, bool zero_ok,
                  std::optional<milliseconds>& out) {
    const Field* f = mapping.get(key);
    if (f == nullptr)
      return;
    auto value = read_duration(reader_, *f);
    if (!value)
      return;
    if (!zero_ok && value->count() == 0) {
      reader_.error(f->value_location, std::string(key) + " cannot be zero");
      return;
    }
    out = *value;
  }

  void read_interval_names(const Mapping& mapping, const char* key, bool is_root,
                           std::vector<std::string>& out) {
    const Field* f = mapping.get(key);
    if (f == nullptr)
      return;
    auto names = read_strings(reader_, *f);
    if (!names)
      return;
    if (is_root && !names->empty()) {
      reader_.error(f->key_location, "the root route must not have any " + std::string(key));
      return;
    }
    for (const auto& [name, at] : *names) {
      out.push_back(name);
      interval_references_.push_back(Reference{name, at});
    }
  }

  // ---- inhibit rules ----

  void read_inhibit_rules(const Field& field) {
    auto items = read_list(reader_, field);
    if (!items)
      return;
    for (const Field& item : *items) {
      auto mapping = Mapping::read(reader_, item, "inhibit rule");
      if (!mapping)
        continue;
      check_keys(reader_, *mapping, kInhibitKeys, {}, "inhibit rule");
      InhibitRuleSpec rule;
      if (const Field* f = mapping->get("name"))
        rule.name = read_string(reader_, *f).value_or("");
      for (const char* side : {"source", "target"}) {
        const std::string prefix = side;
        auto& out = prefix == "source" ? rule.source_matchers : rule.target_matchers;
        if (const Field* f = mapping->get(prefix + "_match"))
          read_match_map(reader_, *f, /*regex=*/false, out);
        if (const Field* f = mapping->get(prefix + "_match_re"))
          read_match_map(reader_, *f, /*regex=*/true, out);
        if (const Field* f = mapping->get(prefix + "_matchers"))
          read_matcher_strings(reader_, *f, out);
      }
      if (const Field* f = mapping->get("equal")) {
        if (auto labels = read_strings(reader_, *f)) {
          for (const auto& [label, at] : *labels) {
            if (!is_valid_label_name(label)) {
              reader_.error(at, "invalid label name '" + label + "' in equal list");
              continue;
            }
            rule.equal.push_back(label);
          }
        }
      }
      parsed_.config.inhibit_rules.push_back(std::move(rule));
      parsed_.locations.inhibit_rules.push_back(mapping->location());
    }
  }

  // ---- time intervals ----

  void read_time_intervals(const Field& field) {
    auto items = read_list(reader_, field);
    if (!items)
      return;
    for (const Field& item : *items) {
      auto mapping = Mapping::read(reader_, item, "time interval");
      if (!mapping)
        continue;
      NamedTimeIntervalSpec interval;
      std::string context = "time interval";
      if (const Field* f = mapping->require(reader_, "name", context)) {
        if (auto name = read_string(reader_, *f)) {
          interval.name = *name;
          context = "time interval '" + *name + "'";
          auto [first, inserted] = interval_names_.emplace(*name, f->value_location);
          if (!inserted) {
            reader_.error(f->value_location, "time interval '" + *name +
                                                 "' is not unique (first defined at " +
                                                 position(first->second) + ")");
          }
        }
      }
      check_keys(reader_, *mapping, kNamedIntervalKeys, {}, context);
      if (const Field* f = mapping->get("time_intervals")) {
        if (auto periods = read_list(reader_, *f)) {
          for (const Field& period : *periods) {
            if (auto spec = read_period(period, context))
              interval.periods.push_back(std::move(*spec));
          }
        }
      }
      parsed_.config.time_intervals.push_back(std::move(interval));
      parsed_.locations.time_intervals.push_back(mapping->location());
    }
  }

  std::optional<TimePeriodSpec> read_period(const Field& field, const std::string& context) {
    auto mapping = Mapping::read(reader_, field, "time_intervals entry of " + context);
    if (!mapping)
      return std::nullopt;
    check_keys(reader_, *mapping, kPeriodKeys, {}, "time_intervals entry of " + context);
    TimePeriodSpec spec;
    if (const Field* f = mapping->get("times")) {
      if (auto items = read_list(reader_, *f)) {
        for (const Field& item : *items) {
          if (auto range = read_times(item))
            spec.times.push_back(*range);
        }
      }
    }
    read_ranges(*mapping, "weekdays", spec.weekdays);
    read_ranges(*mapping, "days_of_month", spec.days_of_month);
    read_ranges(*mapping, "months", spec.months);
    read_ranges(*mapping, "years", spec.years);
    if (const Field* f = mapping->get("location")) {
      if (auto location = read_string(reader_, *f)) {
        if (check_location(*location, f->value_location))
          spec.location = *location;
      }
    }
    return spec;
  }

  // "HH:MM" (00:00..23:59, or 24:00) -> minutes of the day.
  static std::optional<int> parse_clock(const std::string& text) {
    if (text.size() != 5 || text[2] != ':')
      return std::nullopt;
    for (const std::size_t i : {0u, 1u, 3u, 4u}) {
      if (std::isdigit(static_cast<unsigned char>(text[i])) == 0)
        return std::nullopt;
    }
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (hours == 24 && minutes == 0)
      return 24 * 60;
    if (hours > 23 || minutes > 59)
      return std::nullopt;
    return hours * 60 + minutes;
  }

  std::optional<TimeOfDaySpec> read_times(const Field& field) {
    auto mapping = Mapping::read(reader_, field, "times entry");
    if (!mapping)
      return std::nullopt;
    check_keys(reader_, *mapping, kTimesKeys, {}, "times entry");
    std::optional<int> start;
    std::optional<int> end;
    for (const auto& [key, out] :
         {std::pair<const char*, std::optional<int>*>{"start_time", &start}, {"end_time", &end}}) {
      const Field* f = mapping->require(reader_, key, "times entry");
      if (f == nullptr)
        continue;
      auto text = read_string(reader_, *f);
      if (!text)
        continue;
      *out = parse_clock(*text);
      if (!*out) {
        reader_.error(f->value_location, std::string(key) + ": invalid time of day '" + *text +
                                             "'; expected HH:MM between 00:00 and 24:00");
      }
    }
    if (!start || !end)
      return std::nullopt;
    if (*start >= *end) {
      reader_.error(mapping->location(), "start_time must be before end_time");
      return std::nullopt;
    }
    return TimeOfDaySpec{*start, *end};
  }

  // One bound of a range: a number, or for weekdays and months a (case-insensitive) name.
  std::optional<int> parse_bound(const std::string& key, std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::vector<std::string>* names = key == "weekdays" ? &kWeekdays
                                            : key == "months" ? &kMonths
                                                              : nullptr;
    if (names != nullptr) {
      const auto it = std::find(names->begin(), names->end(), text);
      if (it != names->end())
        return static_cast<int>(it - names->begin()) + (key == "months" ? 1 : 0);
      if (key == "weekdays")
        return std::nullopt;
    }
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
      return std::nullopt;
    return value;
  }

  void read_ranges(const Mapping& mapping, const std::string& key, std::vector<IntRangeSpec>& out) {
    const Field* f = mapping.get(key);
    if (f == nullptr)
      return;
    auto items = read_list(reader_, *f);
    if (!items)
      return;
    for (const Field& item : *items) {
      auto text = read_string(reader_, item);
      if (!text)
        continue;
      const std::size_t colon = text->find(':');
      const std::string first = text->substr(0, colon);
      const std::string second = colon == std::string::npos ? first : text->substr(colon + 1);
      const auto begin = parse_bound(key, first);
      const auto end = parse_bound(key, second);
      if (!begin || !end) {
        reader_.error(item.value_location,
                      "invalid " + key + " range '" + *text + "'" + range_hint(key));
        continue;
      }
      if (auto problem = check_range(key, *begin, *end)) {
        reader_.error(item.value_location,
                      "invalid " + key + " range '" + *text + "': " + *problem);
        continue;
      }
      out.push_back(IntRangeSpec{*begin, *end});
    }
  }

  static std::string range_hint(const std::string& key) {
    if (key == "weekdays")
      return "; expected a day name or a range like monday:friday";
    if (key == "months")
      return "; expected a month name or number (1-12), or a range like january:march";
    if (key == "days_of_month")
      return "; expected a day (1 to 31, or -31 to -1 from the month's end) or a range like 1:7";
    return "; expected a year or a range like 2024:2026";
  }

  // Alertmanager's timeinterval checks.
  static std::optional<std::string> check_range(const std::string& key, int begin, int end) {
    if (key == "days_of_month") {
      for (const int day : {begin, end}) {
        if (day == 0 || day < -31 || day > 31)
          return std::to_string(day) + " is not a valid day of the month: out of range";
      }
      if (begin < 0 && end > 0)
        return "end day must be negative if start day is negative";
      // Without knowing the month, a 28-day month is the case that is always checkable.
      const int check_begin = begin < 0 ? 28 + begin : begin;
      const int check_end = end < 0 ? 28 + end : end;
      if (check_begin > check_end)
        return "end day " + std::to_string(end) + " is before start day " + std::to_string(begin);
      return std::nullopt;
    }
    if (key == "months") {
      for (const int month : {begin, end}) {
        if (month < 1 || month > 12)
          return std::to_string(month) + " is not a valid month";
      }
    }
    if (key == "years" && (begin < 0 || end < 0))
      return "years cannot be negative";
    if (begin > end)
      return "start of the range is after its end";
    return std::nullopt;
  }

  bool check_location(const std::string& name, const SourceLocation& at) {
    if (name.empty() || name == "UTC")
      return true;
    if (name == "Local") {
      reader_.error(at,
                    "location 'Local' depends on the host's time zone; name the zone, e.g. "
                    "Europe/Tallinn");
      return false;
    }
    const bool plausible = name.front() != '/' && name.find("..") == std::string::npos &&
                           name.find('\\') == std::string::npos;
    std::error_code ec;
    if (!plausible || !std::filesystem::is_regular_file(
                          std::filesystem::path("/usr/share/zoneinfo") / name, ec)) {
      reader_.error(at, "unknown time zone '" + name +
                            "'; use an IANA name such as Europe/Tallinn or America/New_York");
      return false;
    }
    return true;
  }

  // ---- references inside the document ----

  void check_references() {
    std::vector<std::string> receivers;
    for (const auto& [name, at] : receiver_names_)
      receivers.push_back(name);
    for (const Reference& ref : receiver_references_) {
      if (receiver_names_.count(ref.name) != 0)
        continue;
      std::string message = "undefined receiver '" + ref.name + "' used in route";
      const std::string suggestion = closest_match(ref.name, receivers);
      if (!suggestion.empty())
        message += "; did you mean '" + suggestion + "'?";
      else
        message +=
            receivers.empty() ? " (no receivers are defined)" : " (define it under 'receivers:')";
      reader_.error(ref.at, std::move(message));
    }
    std::vector<std::string> intervals;
    for (const auto& [name, at] : interval_names_)
      intervals.push_back(name);
    for (const Reference& ref : interval_references_) {
      if (interval_names_.count(ref.name) != 0)
        continue;
      std::string message = "undefined time interval '" + ref.name + "' used in route";
      const std::string suggestion = closest_match(ref.name, intervals);
      if (!suggestion.empty())
        message += "; did you mean '" + suggestion + "'?";
      else
        message += " (define it under 'time_intervals:')";
      reader_.error(ref.at, std::move(message));
    }
  }

  Reader& reader_;
  ParsedAlerting parsed_;
  std::optional<ValueSource> slack_api_url_;
  std::string pagerduty_url_;
  std::map<std::string, SourceLocation, std::less<>> receiver_names_;
  std::map<std::string, SourceLocation, std::less<>> interval_names_;
  std::vector<Reference> receiver_references_;
  std::vector<Reference> interval_references_;
};

}  // namespace

std::optional<ParsedAlerting> parse_alerting(Reader& reader, const Mapping& top) {
  return AlertingParser(reader).parse(top);
}

namespace {

const std::vector<std::string> kSilenceKeys{"matchers", "starts_at", "ends_at", "created_by",
                                            "comment"};

std::optional<TimePoint> read_instant(Reader& reader, const Field& field) {
  auto text = read_string(reader, field);
  if (!text)
    return std::nullopt;
  auto instant = parse_rfc3339(*text);
  if (!instant) {
    reader.error(field.value_location,
                 field.key + ": " + instant.error().message + " (e.g. 2026-12-24T18:00:00Z)");
    return std::nullopt;
  }
  return instant.value();
}

}  // namespace

void parse_silences(Reader& reader, const Field& field, std::vector<route::Silence>* out) {
  auto items = read_list(reader, field);
  if (!items)
    return;
  for (const Field& item : *items) {
    auto mapping = Mapping::read(reader, item, "silence");
    if (!mapping)
      continue;
    mapping->check_keys(reader, kSilenceKeys, "silence");
    const std::size_t errors_before = reader.error_count();
    route::Silence silence;
    silence.id = "file:" + reader.file() + ":" + std::to_string(mapping->location().line);
    if (const Field* f = mapping->require(reader, "matchers", "silence"))
      read_matcher_strings(reader, *f, silence.matchers);
    // Without starts_at a silence kept as code holds from the beginning of time.
    if (const Field* f = mapping->get("starts_at")) {
      if (auto at = read_instant(reader, *f))
        silence.starts_at = *at;
    }
    if (const Field* f = mapping->require(reader, "ends_at", "silence")) {
      if (auto at = read_instant(reader, *f))
        silence.ends_at = *at;
    }
    if (const Field* f = mapping->require(reader, "created_by", "silence")) {
      if (auto text = read_string(reader, *f))
        silence.created_by = *text;
    }
    if (const Field* f = mapping->require(reader, "comment", "silence")) {
      if (auto text = read_string(reader, *f))
        silence.comment = *text;
    }
    if (reader.error_count() != errors_before)
      continue;
    if (const auto problem = route::validate(silence)) {
      const Field* at = mapping->find(problem->field.substr(0, problem->field.find('[')));
      reader.error(at != nullptr ? at->key_location : mapping->location(),
                   "silence: " + problem->message);
      continue;
    }
    out->push_back(std::move(silence));
  }
}

}  // namespace sloe::config::detail

#include "sloe/notify/payload.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sha256.h"
#include "sloe/alert/fingerprint.h"
#include "sloe/core/time_format.h"

namespace sloe::notify {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kSlackMaxLines = 20;
constexpr std::size_t kPagerDutyMaxSummary = 1024;

Json labels_json(const Labels& labels) {
  Json object = Json::object();
  for (const auto& [name, value] : labels)  // Labels is sorted, as Go sorts map keys
    object[name] = value;
  return object;
}

// nlohmann's encoding, then the escapes Go's json.Encoder adds by default (SetEscapeHTML(true)
// plus U+2028/U+2029). These bytes can only occur inside strings, so replacing them everywhere
// is safe. Invalid UTF-8 becomes U+FFFD, as in Go.
std::string go_encode(const Json& value) {
  const std::string plain = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(plain.size() + 16);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    const char c = plain[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < plain.size() && plain[i + 1] == '\x80' &&
               (plain[i + 2] == '\xa8' || plain[i + 2] == '\xa9')) {
      out += plain[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string label_pairs(const Labels& labels) {
  std::string text;
  for (const auto& [name, value] : labels) {
    if (!text.empty())
      text += ' ';
    text += name;
    text += '=';
    text += value;
  }
  return text;
}

const std::string* find_value(const Labels& labels, std::string_view name) {
  const auto found = labels.find(name);
  return found == labels.end() || found->second.empty() ? nullptr : &found->second;
}

// What a person reads first about one alert.
std::string alert_summary(const alert::Alert& a) {
  if (const std::string* summary = find_value(a.annotations, "summary"))
    return *summary;
  if (const std::string* description = find_value(a.annotations, "description"))
    return *description;
  if (const std::string* name = find_value(a.labels, "alertname"))
    return *name;
  return "{" + label_pairs(a.labels) + "}";
}

std::size_t count_firing(const alert::GroupNotification& n) {
  return static_cast<std::size_t>(
      std::count_if(n.alerts.begin(), n.alerts.end(),
                    [&n](const alert::Alert& a) { return !a.resolved_at(n.at); }));
}

std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// At most max bytes, cut before a UTF-8 continuation byte, "..." marking the cut.
std::string truncate_utf8(std::string text, std::size_t max) {
  if (text.size() <= max)
    return text;
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  text.resize(cut);
  return text + "...";
}

std::string alert_lines(const alert::GroupNotification& n, bool firing) {
  std::string text;
  for (const alert::Alert& a : n.alerts) {
    if (a.resolved_at(n.at) == firing)
      continue;
    text += "- " + alert_summary(a) + " {" + label_pairs(a.labels) + "}\n";
  }
  return text;
}

}  // namespace

std::optional<alert::GroupNotification> visible_alerts(const alert::GroupNotification& notification,
                                                       bool send_resolved) {
  alert::GroupNotification visible = notification;
  if (!send_resolved) {
    std::erase_if(visible.alerts, [&notification](const alert::Alert& a) {
      return a.resolved_at(notification.at);
    });
  }
  if (visible.alerts.empty())
    return std::nullopt;
  return visible;
}

std::string go_json_time(TimePoint t) {
  std::string text = format_rfc3339(t, Rfc3339Precision::kNanos);
  const std::size_t dot = text.find('.');
  if (dot == std::string::npos)
    return text;
  std::size_t end = text.size() - 1;  // the 'Z'
  std::size_t last = end;
  while (last > dot + 1 && text[last - 1] == '0')
    --last;
  if (last == dot + 1)
    last = dot;  // all zeros: no fraction at all
  return text.substr(0, last) + "Z";
}

std::string webhook_payload(const alert::GroupNotification& notification, std::size_t max_alerts) {
  alert::GroupNotification kept = notification;
  std::size_t truncated = 0;
  if (max_alerts > 0 && kept.alerts.size() > max_alerts) {
    truncated = kept.alerts.size() - max_alerts;
    kept.alerts.resize(max_alerts);
  }
  Json alerts = Json::array();
  for (const alert::Alert& a : kept.alerts) {
    Json item = Json::object();
    item["status"] = a.resolved_at(kept.at) ? "resolved" : "firing";
    item["labels"] = labels_json(a.labels);
    item["annotations"] = labels_json(a.annotations);
    item["startsAt"] = go_json_time(a.starts_at);
    item["endsAt"] = a.ends_at ? go_json_time(*a.ends_at) : std::string(kGoZeroTime);
    item["generatorURL"] = a.generator_url;
    item["fingerprint"] = alert::fingerprint_hex(a.labels);
    alerts.push_back(std::move(item));
  }
  Json message = Json::object();
  message["receiver"] = kept.receiver;
  message["status"] = kept.firing() ? "firing" : "resolved";
  message["alerts"] = std::move(alerts);
  message["groupLabels"] = labels_json(kept.group_labels);
  message["commonLabels"] = labels_json(kept.common_labels());
  message["commonAnnotations"] = labels_json(kept.common_annotations());
  message["externalURL"] = kept.external_url;
  message["version"] = "4";
  message["groupKey"] = kept.group_key;
  message["truncatedAlerts"] = truncated;
  return go_encode(message) + "\n";
}

std::string notification_title(const alert::GroupNotification& notification) {
  std::string title = notification.firing()
                          ? "[FIRING:" + std::to_string(count_firing(notification)) + "]"
                          : std::string("[RESOLVED]");
  const std::string group = label_pairs(notification.group_labels);
  if (!group.empty())
    title += " " + group;
  Labels extra = notification.common_labels();
  std::erase_if(extra, [&notification](const auto& entry) {
    return notification.group_labels.count(entry.first) > 0;
  });
  if (!extra.empty())
    title += " (" + label_pairs(extra) + ")";
  return title;
}

std::string slack_payload(const alert::GroupNotification& notification, const SlackTarget& target) {
  const std::string title = slack_escape(notification_title(notification));
  std::string lines;
  std::size_t shown = 0;
  for (const alert::Alert& a : notification.alerts) {
    if (shown == kSlackMaxLines) {
      lines += "_and " + std::to_string(notification.alerts.size() - shown) + " more_\n";
      break;
    }
    ++shown;
    lines += "• ";
    lines += a.resolved_at(notification.at) ? "resolved: " : "firing: ";
    lines += slack_escape(alert_summary(a));
    if (const std::string* runbook = find_value(a.annotations, "runbook_url"))
      lines += " <" + slack_escape(*runbook) + "|runbook>";
    lines += "\n";
  }
  if (!lines.empty())
    lines.pop_back();

  Json attachment = Json::object();
  attachment["fallback"] = title;
  attachment["color"] = notification.firing() ? "danger" : "good";
  attachment["title"] = title;
  if (!notification.external_url.empty())
    attachment["title_link"] = notification.external_url;
  attachment["text"] = lines;
  attachment["mrkdwn_in"] = Json::array({"text"});

  Json message = Json::object();
  if (!target.channel.empty())
    message["channel"] = target.channel;
  if (!target.username.empty())
    message["username"] = target.username;
  message["text"] = title;
  message["attachments"] = Json::array({std::move(attachment)});
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string pagerduty_dedup_key(std::string_view group_key) {
  return detail::sha256_hex(group_key);
}

std::string pagerduty_severity(const alert::GroupNotification& notification,
                               const PagerDutyTarget& target) {
  if (!target.severity.empty())
    return target.severity;
  const Labels common = notification.common_labels();
  if (const std::string* severity = find_value(common, "severity")) {
    for (const char* valid : {"critical", "error", "warning", "info"}) {
      if (*severity == valid)
        return *severity;
    }
  }
  return "error";
}

std::string pagerduty_event(const alert::GroupNotification& notification,
                            const PagerDutyTarget& target) {
  Json event = Json::object();
  if (!notification.firing()) {
    event["event_action"] = "resolve";
    event["dedup_key"] = pagerduty_dedup_key(notification.group_key);
    return event.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  const std::size_t firing = count_firing(notification);
  Json details = Json::object();
  details["num_firing"] = firing;
  details["num_resolved"] = notification.alerts.size() - firing;
  details["firing"] = alert_lines(notification, true);
  details["resolved"] = alert_lines(notification, false);
  details["group_labels"] = labels_json(notification.group_labels);

  Json payload = Json::object();
  payload["summary"] = truncate_utf8(notification_title(notification), kPagerDutyMaxSummary);
  payload["source"] = target.source.empty() ? target.client : target.source;
  payload["severity"] = pagerduty_severity(notification, target);
  payload["timestamp"] = go_json_time(notification.at);
  payload["custom_details"] = std::move(details);

  event["event_action"] = "trigger";
  event["dedup_key"] = pagerduty_dedup_key(notification.group_key);
  event["payload"] = std::move(payload);
  event["client"] = target.client;
  if (!notification.external_url.empty())
    event["client_url"] = notification.external_url;
  return event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string pagerduty_acknowledge_event(std::string_view group_key) {
  Json event = Json::object();
  event["event_action"] = "acknowledge";
  event["dedup_key"] = pagerduty_dedup_key(group_key);
  return event.dump();
}

Result<std::string> with_routing_key(std::string_view event_body, std::string_view routing_key) {
  Json event;
  try {
    event = Json::parse(event_body);
  } catch (const Json::exception& e) {
    return Error{std::string("stored PagerDuty event is not valid JSON: ") + e.what()};
  }
  if (!event.is_object())
    return Error{"stored PagerDuty event is not a JSON object"};
  Json keyed = Json::object();
  keyed["routing_key"] = std::string(routing_key);
  for (auto& [name, value] : event.items())
    keyed[name] = value;
  return keyed.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sloe::notify

// Request bodies for each kind of integration, built from an alert::GroupNotification.
//
// Pure functions: same input, same bytes. None of them takes a secret: the PagerDuty builders
// leave routing_key out, and with_routing_key() adds it only when a request is about to be sent,
// so bodies can be stored in the outbox as they are.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sloe/alert/notification.h"
#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/notify/targets.h"

namespace sloe::notify {

// The alerts an integration is told about: all of them when send_resolved, else only the firing
// ones; nullopt when that leaves nothing to send (Alertmanager then sends nothing either).
std::optional<alert::GroupNotification> visible_alerts(const alert::GroupNotification& notification,
                                                       bool send_resolved);

// A time as Go's encoding/json writes time.Time: RFC 3339 in UTC with the fraction's trailing
// zeros dropped ("2026-11-23T09:30:00.25Z", "2026-11-23T09:30:00Z").
std::string go_json_time(TimePoint t);
// What Alertmanager writes for an unset time (Go's zero time.Time).
inline constexpr std::string_view kGoZeroTime = "0001-01-01T00:00:00Z";

// Alertmanager's webhook payload, version 4, byte for byte as Alertmanager encodes it: keys in
// its order (receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL,
// version, groupKey, truncatedAlerts), '<' '>' '&' escaped as \u003c \u003e \u0026, a final
// newline. Each alert has status, labels, annotations, startsAt, endsAt (kGoZeroTime when unset),
// generatorURL and fingerprint. With max_alerts > 0 only the first max_alerts alerts are kept and
// the others counted in truncatedAlerts; status and the common labels describe the kept alerts,
// as in Alertmanager.
std::string webhook_payload(const alert::GroupNotification& notification,
                            std::size_t max_alerts = 0);

// The one-line subject: "[FIRING:2] service=api" or "[RESOLVED] service=api", the group labels
// as name=value, followed by "(name=value ...)" for further labels every alert shares.
std::string notification_title(const alert::GroupNotification& notification);

// A Slack incoming-webhook message: optional channel and username, `text` = the title, and one
// attachment (red while firing, green when resolved) listing each alert's summary (annotation
// summary, else description, else alertname, else its labels), at most 20 lines.
std::string slack_payload(const alert::GroupNotification& notification, const SlackTarget& target);

// The PagerDuty dedup_key of a group: SHA-256 of the group key in lowercase hex, which is what
// Alertmanager sends, so a group keeps its PagerDuty incident when moving between the two.
std::string pagerduty_dedup_key(std::string_view group_key);

// The severity sent to PagerDuty (see PagerDutyTarget::severity).
std::string pagerduty_severity(const alert::GroupNotification& notification,
                               const PagerDutyTarget& target);

// A PagerDuty Events v2 event without routing_key: "trigger" while any alert fires, with
// payload{summary (the title, at most 1024 characters), source, severity, timestamp,
// custom_details{num_firing, num_resolved, firing, resolved, group_labels}}, client and
// client_url; "resolve" (dedup_key only) when every alert is resolved.
std::string pagerduty_event(const alert::GroupNotification& notification,
                            const PagerDutyTarget& target);

// A PagerDuty "acknowledge" event for the group's incident, without routing_key.
std::string pagerduty_acknowledge_event(std::string_view group_key);

// event_body with "routing_key" added as its first member.
// REQUIRES: event_body is a JSON object (as the builders above produce); an error otherwise.
Result<std::string> with_routing_key(std::string_view event_body, std::string_view routing_key);

}  // namespace sloe::notify

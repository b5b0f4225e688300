// GroupNotification: what one receiver is told about one group of alerts at one moment.
//
// It is the content of Alertmanager's webhook payload (version 4), independent of how it is sent:
// the route module produces it when a group's timers say so, the notify module turns it into a
// webhook, Slack or PagerDuty request. Keeping it here, in the module both depend on, keeps the
// arrow between them one-way.
//
// Thread-safety: plain data.
#pragma once

#include <string>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"

namespace sloe::alert {

struct GroupNotification {
  std::string receiver;  // the receiver's name in the route tree
  // Identifies the aggregation group across notifications, as Alertmanager's groupKey does:
  // the route's path of matchers, ':', then the group labels, e.g.
  // {}/{severity="page"}:{service="api"}.
  std::string group_key;
  Labels group_labels;        // the values of the route's group_by labels
  std::vector<Alert> alerts;  // every alert of the group at `at`, firing and resolved
  TimePoint at{};             // when the notification was produced
  std::string external_url;   // link back to sloe; may be empty

  // "firing" when any alert is still active at `at`, else "resolved" (Alertmanager's status).
  bool firing() const;
  // Labels / annotations shared, with the same value, by every alert (empty when none are).
  Labels common_labels() const;
  Labels common_annotations() const;
};

}  // namespace sloe::alert

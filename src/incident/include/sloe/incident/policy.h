// Incident policies: which firing alerts open an incident, and which open incident a later alert
// joins instead of opening a second one.
//
// By default one policy: alerts with severity="page" open a SEV2 incident, one per value of the
// `service` label. An alert without the group_by label joins/opens the incident keyed by its
// alertname instead, so unrelated unlabelled pages do not pile into one incident.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/alert/matcher.h"
#include "sloe/incident/lifecycle.h"
#include "sloe/incident/model.h"

namespace sloe::incident {

struct IncidentPolicy {
  std::string name = "page";             // [a-z0-9_-]+, unique
  std::vector<alert::Matcher> matchers;  // all must match the alert's labels
  Severity severity = Severity::kSev2;   // of an incident this policy opens
  std::string group_by = "service";      // label whose value keys the open incident
};

std::vector<IncidentPolicy> default_policies();

// The first policy whose matchers all match labels; nullptr when none does.
const IncidentPolicy* match_policy(const std::vector<IncidentPolicy>& policies,
                                   const Labels& labels);

// "<policy>/<group_by>=<value>" (or "<policy>/alertname=<name>" when the label is missing).
std::string dedup_key(const IncidentPolicy& policy, const Labels& labels);

// A new incident opened by alert at now: title from the alert's summary annotation (else
// alertname and service), service from group_by, impact_started = alert.starts_at, detected =
// now, created_by "sloe", labels = the alert's labels; events kOpenedByAlert and kAlertFired.
Change<Incident> open_from_alert(const IncidentPolicy& policy, const alert::Alert& alert,
                                 TimePoint now);

// The kAlertFired / kAlertResolved event for an alert joining or leaving incident_id. text names
// the alert; fields are the alert's labels plus "fingerprint" and "starts_at"/"ends_at".
TimelineEvent alert_event(std::int64_t incident_id, const alert::Alert& alert, bool resolved,
                          std::string_view actor, TimePoint now);

}  // namespace sloe::incident

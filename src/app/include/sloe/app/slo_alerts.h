// SloAlerts: turns each SLO's evaluated burn-rate conditions into alerts — one "page" and one
// "ticket" alert per SLO — with the same identity and state rules as alerts received from
// Prometheus or Alertmanager, so routing, silences and incidents treat both alike.
//
// Alert shape (what routes and silences see):
//   labels: alertname="ErrorBudgetBurn", slo, service, severity ("page" | "ticket"), plus the
//           SLO's own labels (which cannot override those four).
//   annotations: summary, description (the burn rates of the firing conditions against their
//           thresholds, budget left, time to exhaustion), runbook_url, slo_url (the SLO's status
//           in sloe's API), conditions (e.g. "page-fast,page-slow").
//   runbook_url: the SLO's own when it has one; else, with an external URL, sloe's page of the
//           first runbook whose matchers all match the alert's labels (runbook::for_alert):
//           <external_url>/runbooks/<name>; else none.
// State: an alert fires on the first evaluation in which any condition of its severity holds (the
// Workbook's short window already guards against flapping, so there is no `for:`), stays firing
// while one holds, and is reported once as resolved (ends_at = that evaluation) when none does.
//
// Thread-safety: not synchronised; the evaluator thread owns it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/api/status_board.h"
#include "sloe/runbook/model.h"

namespace sloe::app {

inline constexpr std::string_view kSloAlertName = "ErrorBudgetBurn";

class SloAlerts {
 public:
  // external_url: how people reach this sloe (e.g. http://sloe.example:9465), for slo_url and
  // runbook pages. runbooks: the configuration's, for runbook_url (see above).
  explicit SloAlerts(std::string external_url, std::vector<runbook::Runbook> runbooks = {});

  // Feeds one evaluation of every SLO; returns every alert that is firing now, and every alert
  // that stopped firing since the previous board (once, with ends_at set). An alert's starts_at
  // is the evaluation at which it began firing and stays the same while it fires.
  std::vector<alert::Alert> update(const api::Board& board);

 private:
  std::string external_url_;
  std::vector<runbook::Runbook> runbooks_;
  // The alerts firing after the last update, keyed by (slo name, severity).
  std::map<std::pair<std::string, std::string>, alert::Alert> firing_;
};

// The alert for one SLO and severity as evaluated in `report` (starts_at unset).
alert::Alert make_slo_alert(const api::SloReport& report, std::string_view severity,
                            const std::string& external_url);

}  // namespace sloe::app

// RedactingAlertSink: scrubs secrets and personal data from alerts before the durable intake
// sees them, so nothing an alert sender put in a label value, an annotation or a generator URL is
// stored (received_alerts, the notification outbox, the incident timeline) or sent on unredacted.
//
// Label and annotation names are kept (they must stay valid names); values are redacted. An
// alert's fingerprint is that of its redacted labels, so repeats of the same alert still merge.
// Thread-safety: as the wrapped sink (the redactor is immutable).
#pragma once

#include <string_view>
#include <vector>

#include "sloe/api/alert_intake.h"
#include "sloe/incident/redact.h"

namespace sloe::app {

class RedactingAlertSink final : public api::AlertSink {
 public:
  // REQUIRES: inner outlives this sink.
  RedactingAlertSink(api::AlertSink& inner, incident::Redactor redactor)
      : inner_(inner), redactor_(std::move(redactor)) {}

  Status accept(std::vector<alert::Alert> alerts, std::string_view source) override;
  std::vector<api::ReceivedAlert> current(TimePoint now) const override {
    return inner_.current(now);
  }

 private:
  api::AlertSink& inner_;
  incident::Redactor redactor_;
};

}  // namespace sloe::app

#include "sloe/app/redacting_sink.h"

#include <utility>

namespace sloe::app {
namespace {

Labels redact_values(const incident::Redactor& redactor, const Labels& labels) {
  Labels out;
  for (const auto& [name, value] : labels)
    out.emplace(name, redactor.redact(value));
  return out;
}

}  // namespace

Status RedactingAlertSink::accept(std::vector<alert::Alert> alerts, std::string_view source) {
  for (alert::Alert& alert : alerts) {
    alert.labels = redact_values(redactor_, alert.labels);
    alert.annotations = redact_values(redactor_, alert.annotations);
    alert.generator_url = redactor_.redact(alert.generator_url);
  }
  return inner_.accept(std::move(alerts), source);
}

}  // namespace sloe::app

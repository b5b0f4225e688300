// SLO definitions: objective, window, SLI and the labels carried onto alerts and metrics.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "parse.h"
#include "sloe/core/duration.h"
#include "sloe/core/labels.h"
#include "sloe/core/text.h"

namespace sloe::config::detail {
namespace {

// 99.9 / 100 is 0.9990000000000001, one step above 0.999: the budget comes out a little small and
// an exact 1x burn then reads as 1.0000000000001x, enough to cross a threshold of 1. Rounding the
// quotient to 15 significant digits gives the double nearest to the decimal the person wrote.
double percent_to_ratio(double percent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", percent / 100.0);
  return std::strtod(text, nullptr);
}

using std::chrono::milliseconds;

const std::vector<std::string> kSloKeys{"name",   "service", "description", "objective",
                                        "window", "sli",     "labels",      "runbook_url"};
const std::vector<std::string> kSliKeys{"availability", "latency"};
const std::vector<std::string> kAvailabilityKeys{"probe"};
const std::vector<std::string> kLatencyKeys{"probe", "threshold"};
// sloe sets these itself on every alert and series of an SLO.
const std::vector<std::string> kReservedLabels{"slo", "service", "severity"};

constexpr milliseconds kMinWindow{std::chrono::hours(1)};

void read_sli(Reader& reader, const Field& field, const std::string& context, ParsedSlo& out) {
  const std::string what = "sli of " + context;
  auto sli = Mapping::read(reader, field, what);
  if (!sli)
    return;
  sli->check_keys(reader, kSliKeys, what);
  const Field* kind = nullptr;
  for (const char* key : {"availability", "latency"}) {
    const Field* f = sli->find(key);
    if (f == nullptr)
      continue;
    if (kind != nullptr) {
      reader.error(f->key_location, what + " has both '" + kind->key + "' and '" + f->key +
                                        "'; an SLI has exactly one kind");
      continue;
    }
    kind = f;
  }
  if (kind == nullptr) {
    reader.error(sli->location(), what + " has no kind; add 'availability' or 'latency'");
    return;
  }
  const bool latency = kind->key == "latency";
  out.spec.sli.kind = latency ? SliKind::kLatency : SliKind::kAvailability;
  const std::string kind_what = kind->key + " SLI of " + context;
  auto body = Mapping::read(reader, *kind, kind_what);
  if (!body)
    return;
  body->check_keys(reader, latency ? kLatencyKeys : kAvailabilityKeys, kind_what);
  if (const Field* f = body->require(reader, "probe", kind_what)) {
    if (auto probe = read_string(reader, *f)) {
      out.spec.sli.probe = *probe;
      out.probe_location = f->value_location;
      out.has_probe_reference = true;
    }
  }
  if (!latency)
    return;
  if (const Field* f = body->require(reader, "threshold", kind_what)) {
    if (auto threshold = read_duration(reader, *f)) {
      out.threshold_location = f->value_location;
      if (threshold->count() <= 0) {
        reader.error(f->value_location, "threshold must be greater than 0");
      } else {
        out.spec.sli.latency_threshold = *threshold;
        out.threshold_valid = true;
      }
    }
  }
}

void read_labels(Reader& reader, const Field& field, const std::string& context, Labels& out) {
  auto labels = Mapping::read(reader, field, "labels of " + context);
  if (!labels)
    return;
  for (const Field& label : labels->fields()) {
    if (!is_valid_label_name(label.key)) {
      reader.error(label.key_location, "label name '" + label.key +
                                           "' is not a valid Prometheus label name "
                                           "([a-zA-Z_][a-zA-Z0-9_]*)");
      continue;
    }
    if (label.key.rfind("__", 0) == 0) {
      reader.error(label.key_location,
                   "label name '" + label.key + "' starts with '__', which Prometheus reserves");
      continue;
    }
    if (std::find(kReservedLabels.begin(), kReservedLabels.end(), label.key) !=
        kReservedLabels.end()) {
      reader.error(label.key_location, "label name '" + label.key +
                                           "' is reserved: sloe sets slo, service and severity "
                                           "itself");
      continue;
    }
    if (label.is_null()) {
      reader.error(label.key_location, "label '" + label.key + "' has no value");
      continue;
    }
    if (auto value = read_string(reader, label))
      out.emplace(label.key, *value);
  }
}

}  // namespace

std::optional<ParsedSlo> parse_slo(Reader& reader, const Field& item) {
  auto mapping = Mapping::read(reader, item, "SLO");
  if (!mapping)
    return std::nullopt;
  ParsedSlo parsed;
  parsed.location = mapping->location();
  std::string context = "SLO";
  if (const Field* f = mapping->require(reader, "name", context)) {
    if (auto name = read_object_name(reader, *f, "SLO")) {
      parsed.spec.name = *name;
      parsed.name_location = f->value_location;
      context = "SLO '" + *name + "'";
    }
  }
  mapping->check_keys(reader, kSloKeys, context);

  if (const Field* f = mapping->require(reader, "service", context)) {
    if (auto service = read_string(reader, *f)) {
      if (service->empty()) {
        reader.error(f->value_location, "service is empty; name the service this SLO is about");
      }
      parsed.spec.service = *service;
    }
  }
  if (const Field* f = mapping->get("description")) {
    parsed.spec.description = read_string(reader, *f).value_or("");
  }
  if (const Field* f = mapping->require(reader, "objective", context)) {
    if (auto percent = read_number(reader, *f)) {
      if (*percent <= 0 || *percent >= 100) {
        reader.error(f->value_location, "objective " + format_double(*percent) +
                                            " is not a percent strictly between 0 and 100; "
                                            "write e.g. 99.9 for 99.9%");
      } else {
        parsed.spec.objective = percent_to_ratio(*percent);
        if (*percent < 1) {
          // 0.999 reads like a ratio; as a percent it allows almost every event to fail.
          reader.warning(f->value_location,
                         "objective " + format_double(*percent) + " means " +
                             format_double(*percent) +
                             "% of events must be good; objectives are percents (did you "
                             "mean " +
                             format_double(*percent * 100) + "?)");
        }
      }
    }
  }
  if (const Field* f = mapping->get("window")) {
    if (auto window = read_duration(reader, *f)) {
      if (*window < kMinWindow) {
        reader.error(f->value_location, "window " + format_duration(*window) +
                                            " is too short; the minimum is 1h (30d is usual)");
      } else {
        parsed.spec.window = *window;
      }
    }
  }
  if (const Field* f = mapping->require(reader, "sli", context))
    read_sli(reader, *f, context, parsed);
  if (const Field* f = mapping->get("labels"))
    read_labels(reader, *f, context, parsed.spec.labels);
  if (const Field* f = mapping->get("runbook_url")) {
    parsed.spec.runbook_url = read_string(reader, *f).value_or("");
  }
  return parsed;
}

}  // namespace sloe::config::detail

#include "sloe/runbook/model.h"

namespace sloe::runbook {

std::string_view to_string(StepKind kind) {
  switch (kind) {
    case StepKind::kManual:
      return "manual";
    case StepKind::kHttp:
      return "http";
    case StepKind::kCommand:
      return "command";
    case StepKind::kNotify:
      return "notify";
    case StepKind::kApproval:
      return "approval";
  }
  return "manual";
}

StepKind Step::kind() const {
  return static_cast<StepKind>(action.index());
}

bool Step::automated() const {
  const StepKind step_kind = kind();
  return step_kind == StepKind::kHttp || step_kind == StepKind::kCommand ||
         step_kind == StepKind::kNotify;
}

std::string_view to_string(Trigger trigger) {
  switch (trigger) {
    case Trigger::kOpen:
      return "open";
    case Trigger::kSeverityChange:
      return "severity_change";
    case Trigger::kManual:
      return "manual";
  }
  return "manual";
}

std::optional<Trigger> parse_trigger(std::string_view text) {
  for (const Trigger trigger : {Trigger::kOpen, Trigger::kSeverityChange, Trigger::kManual}) {
    if (text == to_string(trigger))
      return trigger;
  }
  return std::nullopt;
}

}  // namespace sloe::runbook

#include "sloe/notify/targets.h"

namespace sloe::notify {

IntegrationKind kind_of(const Integration& integration) {
  switch (integration.index()) {
    case 0:
      return IntegrationKind::kWebhook;
    case 1:
      return IntegrationKind::kSlack;
    default:
      return IntegrationKind::kPagerDuty;
  }
}

std::string_view to_string(IntegrationKind kind) {
  switch (kind) {
    case IntegrationKind::kWebhook:
      return "webhook";
    case IntegrationKind::kSlack:
      return "slack";
    case IntegrationKind::kPagerDuty:
      return "pagerduty";
  }
  return "unknown";
}

std::optional<IntegrationKind> parse_integration_kind(std::string_view text) {
  for (IntegrationKind kind :
       {IntegrationKind::kWebhook, IntegrationKind::kSlack, IntegrationKind::kPagerDuty}) {
    if (to_string(kind) == text)
      return kind;
  }
  return std::nullopt;
}

void ReceiverRegistry::replace(std::vector<Receiver> receivers) {
  std::map<std::string, std::shared_ptr<const Receiver>, std::less<>> next;
  for (Receiver& receiver : receivers) {
    std::string name = receiver.name;
    next[name] = std::make_shared<const Receiver>(std::move(receiver));
  }
  std::lock_guard lock(mutex_);
  receivers_.swap(next);
}

std::shared_ptr<const Receiver> ReceiverRegistry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto found = receivers_.find(name);
  return found == receivers_.end() ? nullptr : found->second;
}

}  // namespace sloe::notify

#include "sloe/alert/notification.h"

#include <algorithm>

namespace sloe::alert {
namespace {

Labels common(const std::vector<Alert>& alerts, Labels Alert::*field) {
  if (alerts.empty())
    return {};
  Labels shared = alerts.front().*field;
  for (auto it = alerts.begin() + 1; it != alerts.end() && !shared.empty(); ++it) {
    const Labels& next = (*it).*field;
    std::erase_if(shared, [&next](const auto& entry) {
      const auto found = next.find(entry.first);
      return found == next.end() || found->second != entry.second;
    });
  }
  return shared;
}

}  // namespace

bool GroupNotification::firing() const {
  return std::any_of(alerts.begin(), alerts.end(),
                     [this](const Alert& alert) { return !alert.resolved_at(at); });
}

Labels GroupNotification::common_labels() const {
  return common(alerts, &Alert::labels);
}

Labels GroupNotification::common_annotations() const {
  return common(alerts, &Alert::annotations);
}

}  // namespace sloe::alert

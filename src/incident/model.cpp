#include "sloe/incident/model.h"

#include <array>
#include <utility>

namespace sloe::incident {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                              std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text)
      return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value)
      return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<State, std::string_view>, 6> kStates{{
    {State::kTriage, "triage"},
    {State::kInvestigating, "investigating"},
    {State::kIdentified, "identified"},
    {State::kMonitoring, "monitoring"},
    {State::kResolved, "resolved"},
    {State::kClosed, "closed"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 4> kSeverities{{
    {Severity::kSev1, "SEV1"},
    {Severity::kSev2, "SEV2"},
    {Severity::kSev3, "SEV3"},
    {Severity::kSev4, "SEV4"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 4> kSeveritiesLower{{
    {Severity::kSev1, "sev1"},
    {Severity::kSev2, "sev2"},
    {Severity::kSev3, "sev3"},
    {Severity::kSev4, "sev4"},
}};
constexpr std::array<std::pair<ActionType, std::string_view>, 3> kActionTypes{{
    {ActionType::kDetective, "detective"},
    {ActionType::kPreventive, "preventive"},
    {ActionType::kCorrective, "corrective"},
}};
constexpr std::array<std::pair<ActionStatus, std::string_view>, 4> kActionStatuses{{
    {ActionStatus::kOpen, "open"},
    {ActionStatus::kInProgress, "in_progress"},
    {ActionStatus::kDone, "done"},
    {ActionStatus::kWontDo, "wont_do"},
}};
constexpr std::array<std::pair<Priority, std::string_view>, 4> kPriorities{{
    {Priority::kP1, "P1"},
    {Priority::kP2, "P2"},
    {Priority::kP3, "P3"},
    {Priority::kP4, "P4"},
}};

}  // namespace

std::string_view to_string(State state) {
  return name_of(kStates, state);
}
std::string_view to_string(Severity severity) {
  return name_of(kSeverities, severity);
}
std::optional<State> parse_state(std::string_view text) {
  return find_name(kStates, text);
}
std::optional<Severity> parse_severity(std::string_view text) {
  if (auto upper = find_name(kSeverities, text))
    return upper;
  return find_name(kSeveritiesLower, text);
}
bool is_open(State state) {
  return state != State::kResolved && state != State::kClosed;
}

std::optional<std::string> current_holder(const Incident& incident, std::string_view role) {
  std::optional<std::string> holder;
  for (const RoleAssignment& assignment : incident.roles) {
    if (assignment.role == role && !assignment.until)
      holder = assignment.person;
  }
  return holder;
}

std::string_view to_string(ActionType type) {
  return name_of(kActionTypes, type);
}
std::string_view to_string(ActionStatus status) {
  return name_of(kActionStatuses, status);
}
std::string_view to_string(Priority priority) {
  return name_of(kPriorities, priority);
}
std::optional<ActionType> parse_action_type(std::string_view text) {
  return find_name(kActionTypes, text);
}
std::optional<ActionStatus> parse_action_status(std::string_view text) {
  return find_name(kActionStatuses, text);
}
std::optional<Priority> parse_priority(std::string_view text) {
  return find_name(kPriorities, text);
}

bool is_overdue(const ActionItem& item, TimePoint now) {
  return item.due && *item.due < now && item.status != ActionStatus::kDone &&
         item.status != ActionStatus::kWontDo;
}

}  // namespace sloe::incident

#include "sloe/route/inhibit.h"

#include <utility>

namespace sloe::route {
namespace {

// The values of the `equal` labels, in the rule's order; a missing label reads as "".
std::vector<std::string> equal_values(const std::vector<std::string>& equal, const Labels& labels) {
  std::vector<std::string> values;
  values.reserve(equal.size());
  for (const std::string& name : equal) {
    const auto it = labels.find(name);
    values.push_back(it == labels.end() ? std::string() : it->second);
  }
  return values;
}

bool firing_at(const std::optional<TimePoint>& ends_at, TimePoint now) {
  return !ends_at.has_value() || *ends_at > now;
}

}  // namespace

Inhibitor::Inhibitor(std::vector<InhibitRule> rules) {
  rules_.reserve(rules.size());
  for (InhibitRule& rule : rules)
    rules_.push_back(CompiledRule{std::move(rule), {}});
}

void Inhibitor::update(const alert::Alert& alert) {
  const std::uint64_t fingerprint = alert.fingerprint();
  std::lock_guard lock(mutex_);
  for (CompiledRule& compiled : rules_) {
    if (!alert::matches_all(compiled.rule.source_matchers, alert.labels))
      continue;
    Source& source = compiled.sources[equal_values(compiled.rule.equal, alert.labels)][fingerprint];
    source.ends_at = alert.ends_at;
    source.matches_target = alert::matches_all(compiled.rule.target_matchers, alert.labels);
  }
}

bool Inhibitor::is_inhibited(const Labels& labels, TimePoint now) const {
  return inhibited_by(labels, now).has_value();
}

std::optional<std::uint64_t> Inhibitor::inhibited_by(const Labels& labels, TimePoint now) const {
  std::lock_guard lock(mutex_);
  for (const CompiledRule& compiled : rules_) {
    if (!alert::matches_all(compiled.rule.target_matchers, labels))
      continue;
    const bool two_sided = alert::matches_all(compiled.rule.source_matchers, labels);
    const auto bucket = compiled.sources.find(equal_values(compiled.rule.equal, labels));
    if (bucket == compiled.sources.end())
      continue;
    for (const auto& [fingerprint, source] : bucket->second) {
      if (!firing_at(source.ends_at, now))
        continue;
      if (two_sided && source.matches_target)
        continue;
      return fingerprint;
    }
  }
  return std::nullopt;
}

void Inhibitor::collect_garbage(TimePoint now) {
  std::lock_guard lock(mutex_);
  for (CompiledRule& compiled : rules_) {
    for (auto bucket = compiled.sources.begin(); bucket != compiled.sources.end();) {
      std::erase_if(bucket->second,
                    [now](const auto& entry) { return !firing_at(entry.second.ends_at, now); });
      bucket = bucket->second.empty() ? compiled.sources.erase(bucket) : std::next(bucket);
    }
  }
}

std::size_t Inhibitor::source_alert_count() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const CompiledRule& compiled : rules_) {
    for (const auto& bucket : compiled.sources)
      count += bucket.second.size();
  }
  return count;
}

}  // namespace sloe::route

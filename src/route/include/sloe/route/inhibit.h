// Inhibitor: Alertmanager's inhibition rules — a firing alert (the source) mutes other alerts (the
// targets) that it makes redundant, e.g. "cluster down" mutes "service unreachable" in that
// cluster.
//
// Semantics (as Alertmanager's inhibit package): a label set is inhibited if, for some rule,
//   - it matches the rule's target matchers, and
//   - some source alert known to the inhibitor is firing at `now` (not resolved at now),
//   - matches the rule's source matchers, and
//   - has, for every label named in `equal`, the same value as the target; a label missing on
//     both sides counts as equal (both read as ""), and missing equals an empty value.
// Self-inhibition: when the target also matches the rule's source matchers, source alerts that
// also match the rule's target matchers are disregarded for it. So an alert matching both sides
// of a rule never inhibits itself, nor another alert that matches both sides; it can still be
// inhibited by a source-only alert and can still inhibit target-only alerts. This is
// Alertmanager's rule (hasEqual with excludeTwoSidedMatch).
// A silenced or inhibited source still inhibits, as in Alertmanager.
//
// Thread-safety: every method may be called from any thread; an internal mutex serializes them.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sloe/alert/alert.h"
#include "sloe/alert/matcher.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"

namespace sloe::route {

// One entry of `inhibit_rules`. Plain data; config fills it (source_match / target_match of old
// configurations become equality matchers).
struct InhibitRule {
  std::vector<alert::Matcher> source_matchers;
  std::vector<alert::Matcher> target_matchers;
  std::vector<std::string> equal;
};

class Inhibitor {
 public:
  explicit Inhibitor(std::vector<InhibitRule> rules);

  // Records the latest version of an alert (replacing any earlier one with the same labels) for
  // every rule whose source matchers it matches; other alerts are ignored. A resolved alert is
  // kept until collect_garbage() but never inhibits once resolved.
  void update(const alert::Alert& alert);

  // True if labels are inhibited at now; see the header comment.
  bool is_inhibited(const Labels& labels, TimePoint now) const;

  // The fingerprint of one source alert that inhibits labels at now (Alertmanager reports one in
  // inhibitedBy), or nullopt if none does.
  std::optional<std::uint64_t> inhibited_by(const Labels& labels, TimePoint now) const;

  // Forgets source alerts resolved at now.
  void collect_garbage(TimePoint now);

  // Distinct source alerts held (an alert serving several rules counts once per rule).
  std::size_t source_alert_count() const;

 private:
  struct Source {
    std::optional<TimePoint> ends_at;
    bool matches_target = false;  // also matches the rule's target side (self-inhibition rule)
  };
  struct CompiledRule {
    InhibitRule rule;
    // Source alerts indexed by their values of the rule's `equal` labels, then fingerprint, so
    // a lookup only visits sources that could inhibit.
    std::map<std::vector<std::string>, std::map<std::uint64_t, Source>> sources;
  };

  mutable std::mutex mutex_;
  std::vector<CompiledRule> rules_;  // guarded by mutex_
};

}  // namespace sloe::route

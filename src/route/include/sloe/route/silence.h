// Silences: time-boxed mutes for alerts whose labels satisfy a list of matchers, with
// Alertmanager's rules for what a valid silence is, when it is in force, and how an edit is
// applied.
//
// State at an instant t (Alertmanager's getState): pending while t < starts_at, active while
// starts_at <= t < ends_at, expired from ends_at on. Only an active silence mutes an alert.
//
// Editing (Alertmanager's Silences.Set): a silence is updated in place, keeping its id, only when
// its matchers are unchanged and the edit keeps the past intact — an active silence may change
// its end (not into the past) and text but not its start; a pending one may change anything but
// must not start in the past. Any other edit expires the old silence (if it is not already
// expired) and creates a new one with a new id. A new silence whose start lies in the past starts
// now. Expiring a pending silence sets both its start and end to now; an active one ends now.
//
// Domain code: no clock and no randomness of its own — time is a parameter and ids come from an
// injected generator (random_silence_id() makes UUID v4 strings from a seeded engine).
// Thread-safety: Silences is not synchronized; the owner serialises calls. Silence is plain data.
#pragma once

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/alert/matcher.h"
#include "sloe/core/clock.h"
#include "sloe/core/labels.h"
#include "sloe/core/result.h"

namespace sloe::route {

struct Silence {
  std::string id;  // empty for a silence not yet created
  std::vector<alert::Matcher> matchers;
  TimePoint starts_at{};
  TimePoint ends_at{};
  std::string created_by;
  std::string comment;
  TimePoint updated_at{};  // set by Silences on every write
};

enum class SilenceState { kPending, kActive, kExpired };

// "pending", "active", "expired" (Alertmanager's status.state values).
std::string_view to_string(SilenceState state);

SilenceState state_at(const Silence& silence, TimePoint now);

// True if the silence is active at now and every matcher matches labels.
bool mutes(const Silence& silence, const Labels& labels, TimePoint now);

// Why a silence is not valid: the field at fault ("matchers", "matchers[2]", "starts_at",
// "ends_at", "created_by", "comment") and a sentence a person can act on.
struct SilenceProblem {
  std::string field;
  std::string message;
};

// Alertmanager's validation: at least one matcher; not every matcher may match the empty string
// (such a silence would mute every alert); ends_at strictly after starts_at; created_by and
// comment not empty. Returns the first problem, or nothing when the silence is valid.
std::optional<SilenceProblem> validate(const Silence& silence);

// A UUID v4 string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") drawn from engine.
std::string random_silence_id(std::mt19937_64& engine);

class Silences {
 public:
  // Returns a fresh id for each new silence. REQUIRES: ids it returns are unique.
  using IdGenerator = std::function<std::string()>;

  explicit Silences(IdGenerator next_id);

  // What a set() wrote: the id the caller should use from now on, and every silence whose stored
  // form changed (the new or updated one, and the previous version it expired, if any), for the
  // caller to persist.
  struct Change {
    std::string id;
    std::vector<Silence> written;
  };

  // Creates (empty id) or edits (known id) a silence, following the rules above; updated_at is
  // set to now. Fails when the silence is invalid (see validate()), when the id is unknown
  // ("silence <id> not found"), or when a new or replacing silence would already be over
  // (ends_at not after now).
  Result<Change> set(Silence silence, TimePoint now);

  // Expires a pending or active silence now; returns the silence as written.
  // Fails when the id is unknown or the silence is already expired.
  Result<Silence> expire(std::string_view id, TimePoint now);

  // Puts back a silence exactly as it was persisted (no validation, no time adjustment); replaces
  // one with the same id. Used when loading from storage.
  void restore(Silence silence);

  // Forgets silences that expired at or before now - retention (Alertmanager keeps them for
  // --data.retention, 120h by default, so they can be looked up and re-created). Returns their ids.
  std::vector<std::string> collect_garbage(TimePoint now, Duration retention);

  const Silence* find(std::string_view id) const;
  // Every silence, in insertion order.
  const std::vector<Silence>& list() const { return silences_; }
  // Ids of the silences that mute labels at now, in insertion order.
  std::vector<std::string> silenced_by(const Labels& labels, TimePoint now) const;

 private:
  Silence* find_mutable(std::string_view id);

  IdGenerator next_id_;
  std::vector<Silence> silences_;
};

}  // namespace sloe::route

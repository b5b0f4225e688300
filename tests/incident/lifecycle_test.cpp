#include "sloe/incident/lifecycle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "sloe/core/time_format.h"

namespace sloe::incident {
namespace {

using std::chrono::minutes;
using ::testing::HasSubstr;

const TimePoint kT0 = from_unix_seconds(1'700'000'000);

std::string millis(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kMillis);
}

// The accepted value of checked; fails the test (and throws) when it was refused.
template <typename T>
T accepted(Checked<T> checked) {
  if (const auto* invalid = std::get_if<Invalid>(&checked))
    ADD_FAILURE() << "refused: " << invalid->field << ": " << invalid->message;
  return std::get<T>(std::move(checked));
}

template <typename T>
Invalid refused(Checked<T> checked) {
  if (std::holds_alternative<T>(checked))
    ADD_FAILURE() << "accepted, expected a refusal";
  return std::get<Invalid>(std::move(checked));
}

// An incident as the store returns it after a declaration at kT0.
Incident declared(TimePoint at = kT0) {
  Declaration declaration;
  declaration.title = "Checkout errors";
  declaration.service = "checkout";
  Incident incident = accepted(declare(declaration, "alice", at)).record;
  incident.id = 7;
  return incident;
}

Change<Incident> patched(const Incident& incident, const IncidentPatch& patch, TimePoint at) {
  return accepted(apply_patch(incident, patch, "bob", at));
}

IncidentPatch state_patch(State state) {
  IncidentPatch patch;
  patch.state = state;
  return patch;
}

IncidentPatch role_patch(std::string role, std::string person) {
  IncidentPatch patch;
  patch.roles.emplace_back(std::move(role), std::move(person));
  return patch;
}

// --- declare --------------------------------------------------------------------------------

TEST(DeclareTest, StartsInTriageDetectedNowWithOneEvent) {
  Declaration declaration;
  declaration.title = "  Checkout errors  ";
  declaration.severity = Severity::kSev1;
  const auto change = accepted(declare(declaration, "alice", kT0));
  const Incident& incident = change.record;
  EXPECT_EQ(incident.title, "Checkout errors");
  EXPECT_EQ(incident.state, State::kTriage);
  EXPECT_EQ(incident.severity, Severity::kSev1);
  EXPECT_EQ(incident.times.detected, kT0);
  EXPECT_EQ(incident.times.impact_started, kT0);
  EXPECT_FALSE(incident.times.acknowledged);
  EXPECT_EQ(incident.version, 1);
  EXPECT_EQ(incident.created_by, "alice");
  EXPECT_EQ(incident.created_at, kT0);
  EXPECT_EQ(incident.updated_at, kT0);
  EXPECT_TRUE(incident.dedup_key.empty());
  EXPECT_TRUE(incident.roles.empty());
  ASSERT_EQ(change.events.size(), 1u);
  EXPECT_EQ(change.events[0].kind, event_kind::kDeclared);
  EXPECT_EQ(change.events[0].text, "Checkout errors");
  EXPECT_EQ(change.events[0].actor, "alice");
  EXPECT_EQ(change.events[0].at, kT0);
  EXPECT_EQ(change.events[0].fields.at("severity"), "SEV1");
}

TEST(DeclareTest, NamedCommanderIsAssignedWithARoleEvent) {
  Declaration declaration;
  declaration.title = "Checkout errors";
  declaration.commander = "carol";
  const auto change = accepted(declare(declaration, "alice", kT0));
  EXPECT_EQ(current_holder(change.record, kRoleCommander), "carol");
  ASSERT_EQ(change.record.roles.size(), 1u);
  EXPECT_EQ(change.record.roles[0].since, kT0);
  EXPECT_EQ(change.record.roles[0].assigned_by, "alice");
  ASSERT_EQ(change.events.size(), 2u);
  EXPECT_EQ(change.events[1].kind, event_kind::kRoleChanged);
  EXPECT_EQ(change.events[1].fields,
            (Labels{{"role", "commander"}, {"from", ""}, {"to", "carol"}}));
}

TEST(DeclareTest, ServiceKeysTheIncidentLikeTheDefaultPolicy) {
  EXPECT_EQ(declared().dedup_key, "page/service=checkout");
}

TEST(DeclareTest, ImpactStartedMayBeEarlierButNotInTheFuture) {
  Declaration declaration;
  declaration.title = "Checkout errors";
  declaration.impact_started = kT0 - minutes(30);
  EXPECT_EQ(accepted(declare(declaration, "alice", kT0)).record.times.impact_started,
            kT0 - minutes(30));
  declaration.impact_started = kT0 + minutes(1);
  EXPECT_EQ(refused(declare(declaration, "alice", kT0)).field, "impact_started");
}

TEST(DeclareTest, RefusesBadTitlesAndNamesTheField) {
  Declaration declaration;
  for (const std::string& title :
       std::vector<std::string>{"", "   ", "two\nlines", std::string(201, 'x')}) {
    declaration.title = title;
    EXPECT_EQ(refused(declare(declaration, "alice", kT0)).field, "title") << title;
  }
  // Characters, not bytes: 200 two-byte characters fit.
  std::string umlauts;
  for (int i = 0; i < 200; ++i)
    umlauts += "ä";
  declaration.title = umlauts;
  EXPECT_EQ(accepted(declare(declaration, "alice", kT0)).record.title, umlauts);
}

TEST(DeclareTest, RefusesBadLabelNamesAndCommanders) {
  Declaration declaration;
  declaration.title = "Checkout errors";
  declaration.labels = {{"bad-name", "x"}};
  EXPECT_EQ(refused(declare(declaration, "alice", kT0)).field, "labels");
  declaration.labels = {};
  declaration.commander = std::string(101, 'c');
  EXPECT_EQ(refused(declare(declaration, "alice", kT0)).field, "commander");
}

// --- state transitions ----------------------------------------------------------------------

constexpr State kStates[] = {State::kTriage,     State::kInvestigating, State::kIdentified,
                             State::kMonitoring, State::kResolved,      State::kClosed};

// An incident already in `state`, with times consistent with having got there before kT0+1m.
Incident in_state(State state) {
  Incident incident = declared();
  incident.state = state;
  if (state != State::kTriage)
    incident.times.acknowledged = kT0;
  if (state == State::kMonitoring || !is_open(state))
    incident.times.mitigated = kT0;
  if (!is_open(state))
    incident.times.resolved = kT0;
  if (state == State::kClosed)
    incident.times.closed = kT0;
  return incident;
}

TEST(TransitionTest, EveryPairIsAllowedOrRefusedByTheRules) {
  for (State from : kStates) {
    for (State to : kStates) {
      const bool refused_pair = (is_open(from) && to == State::kClosed) ||
                                (from == State::kClosed && to == State::kResolved);
      const Incident incident = in_state(from);
      auto result = apply_patch(incident, state_patch(to), "bob", kT0 + minutes(1));
      SCOPED_TRACE(std::string(to_string(from)) + " -> " + std::string(to_string(to)));
      if (refused_pair) {
        const Invalid invalid = refused(std::move(result));
        EXPECT_EQ(invalid.field, "state");
        EXPECT_THAT(invalid.message, HasSubstr(std::string(to_string(to))));
        continue;
      }
      const auto change = accepted(std::move(result));
      EXPECT_EQ(change.record.state, to);
      if (from == to) {
        EXPECT_TRUE(change.events.empty());
        EXPECT_EQ(change.record.version, incident.version);
      } else {
        ASSERT_EQ(change.events.size(), 1u);
        EXPECT_EQ(change.events[0].kind, event_kind::kStateChanged);
        EXPECT_EQ(change.events[0].fields.at("from"), to_string(from));
        EXPECT_EQ(change.events[0].fields.at("to"), to_string(to));
        EXPECT_EQ(change.record.version, incident.version + 1);
      }
    }
  }
}

TEST(TransitionTest, RefusalListsTheStatesThatAreAllowed) {
  const Invalid invalid =
      refused(apply_patch(in_state(State::kTriage), state_patch(State::kClosed), "bob", kT0));
  EXPECT_THAT(invalid.message, HasSubstr("investigating, identified, monitoring, resolved"));
  const Invalid from_closed =
      refused(apply_patch(in_state(State::kClosed), state_patch(State::kResolved), "bob", kT0));
  EXPECT_THAT(from_closed.message, HasSubstr("triage, investigating, identified, monitoring"));
}

TEST(TransitionTest, EventTextIsASentence) {
  const auto change = patched(declared(), state_patch(State::kInvestigating), kT0 + minutes(1));
  EXPECT_EQ(change.events.at(0).text, "state triage → investigating");
  EXPECT_EQ(change.events.at(0).actor, "bob");
  EXPECT_EQ(change.events.at(0).incident_id, 7);
}

// --- derived timestamps ---------------------------------------------------------------------

TEST(DerivedTimesTest, LeavingTriageAcknowledges) {
  const TimePoint t1 = kT0 + minutes(4);
  const auto change = patched(declared(), state_patch(State::kInvestigating), t1);
  EXPECT_EQ(change.record.times.acknowledged, t1);
  EXPECT_FALSE(change.record.times.mitigated);
  EXPECT_EQ(change.events.at(0).fields.at("acknowledged"), millis(t1));
}

TEST(DerivedTimesTest, AnEarlierAcknowledgementIsKept) {
  IncidentPatch ack;
  ack.acknowledged = kT0 + minutes(2);
  const Incident acked = patched(declared(), ack, kT0 + minutes(3)).record;
  const auto change = patched(acked, state_patch(State::kIdentified), kT0 + minutes(9));
  EXPECT_EQ(change.record.times.acknowledged, kT0 + minutes(2));
  EXPECT_EQ(change.events.at(0).fields.count("acknowledged"), 0u);
}

TEST(DerivedTimesTest, MonitoringMitigatesAndResolvingKeepsThatMitigation) {
  const TimePoint t1 = kT0 + minutes(5);
  const TimePoint t2 = kT0 + minutes(20);
  const Incident investigating =
      patched(declared(), state_patch(State::kInvestigating), kT0 + minutes(1)).record;
  const Incident monitoring = patched(investigating, state_patch(State::kMonitoring), t1).record;
  EXPECT_EQ(monitoring.times.mitigated, t1);
  EXPECT_FALSE(monitoring.times.resolved);
  const Incident resolved = patched(monitoring, state_patch(State::kResolved), t2).record;
  EXPECT_EQ(resolved.times.mitigated, t1);
  EXPECT_EQ(resolved.times.resolved, t2);
  EXPECT_EQ(resolved.version, 4);
}

TEST(DerivedTimesTest, TriageStraightToResolvedSetsEveryTime) {
  const TimePoint t1 = kT0 + minutes(7);
  const auto change = patched(declared(), state_patch(State::kResolved), t1);
  EXPECT_EQ(change.record.times.acknowledged, t1);
  EXPECT_EQ(change.record.times.mitigated, t1);
  EXPECT_EQ(change.record.times.resolved, t1);
  EXPECT_FALSE(change.record.times.closed);
  ASSERT_EQ(change.events.size(), 1u);  // one change: the state, with the times it set
  EXPECT_EQ(change.events[0].fields.at("resolved"), millis(t1));
}

TEST(DerivedTimesTest, ClosingSetsClosedAndKeepsResolved) {
  const Incident resolved =
      patched(declared(), state_patch(State::kResolved), kT0 + minutes(5)).record;
  const Incident closed = patched(resolved, state_patch(State::kClosed), kT0 + minutes(60)).record;
  EXPECT_EQ(closed.times.closed, kT0 + minutes(60));
  EXPECT_EQ(closed.times.resolved, kT0 + minutes(5));
}

TEST(DerivedTimesTest, ReopeningClearsResolvedAndClosedOnly) {
  const Incident resolved =
      patched(declared(), state_patch(State::kResolved), kT0 + minutes(5)).record;
  const auto reopened = patched(resolved, state_patch(State::kInvestigating), kT0 + minutes(8));
  EXPECT_FALSE(reopened.record.times.resolved);
  EXPECT_EQ(reopened.record.times.mitigated, kT0 + minutes(5));
  EXPECT_EQ(reopened.record.times.acknowledged, kT0 + minutes(5));
  EXPECT_THAT(reopened.events.at(0).text, HasSubstr("reopened"));
  EXPECT_EQ(reopened.events.at(0).fields.at("resolved"), "");

  const Incident closed = patched(resolved, state_patch(State::kClosed), kT0 + minutes(9)).record;
  const auto from_closed = patched(closed, state_patch(State::kTriage), kT0 + minutes(10));
  EXPECT_FALSE(from_closed.record.times.resolved);
  EXPECT_FALSE(from_closed.record.times.closed);
  EXPECT_EQ(from_closed.record.state, State::kTriage);

  // Resolving again records the new resolution time.
  const auto again = patched(from_closed.record, state_patch(State::kResolved), kT0 + minutes(30));
  EXPECT_EQ(again.record.times.resolved, kT0 + minutes(30));
  EXPECT_EQ(again.record.times.mitigated, kT0 + minutes(5));
}

TEST(DerivedTimesTest, ExplicitTimesWinOverDerivedOnes) {
  IncidentPatch patch = state_patch(State::kResolved);
  patch.mitigated = kT0 + minutes(3);
  patch.resolved = kT0 + minutes(6);
  const TimePoint now = kT0 + minutes(30);
  const auto change = patched(declared(), patch, now);
  EXPECT_EQ(change.record.times.mitigated, kT0 + minutes(3));
  EXPECT_EQ(change.record.times.resolved, kT0 + minutes(6));
  EXPECT_EQ(change.record.times.acknowledged, now);  // not given: derived
  // The state event carries only the derived time; each explicit edit is its own event.
  ASSERT_EQ(change.events.size(), 3u);
  EXPECT_EQ(change.events[0].kind, event_kind::kStateChanged);
  EXPECT_EQ(change.events[0].fields.count("resolved"), 0u);
  EXPECT_EQ(change.events[0].fields.count("mitigated"), 0u);
  EXPECT_EQ(change.events[0].fields.at("acknowledged"), millis(now));
  for (std::size_t i = 1; i < 3; ++i)
    EXPECT_EQ(change.events[i].kind, event_kind::kFieldChanged);
  EXPECT_EQ(change.events[1].fields,
            (Labels{{"field", "mitigated"}, {"from", ""}, {"to", millis(kT0 + minutes(3))}}));
  EXPECT_EQ(change.events[2].fields.at("field"), "resolved");
  EXPECT_EQ(change.record.version, 2);
}

TEST(DerivedTimesTest, ExplicitResolvedNeedsAResolvedIncident) {
  IncidentPatch patch;
  patch.resolved = kT0 + minutes(1);
  EXPECT_EQ(refused(apply_patch(declared(), patch, "bob", kT0 + minutes(2))).field, "resolved");
  // Editing the resolution time of a resolved incident is fine.
  const Incident resolved =
      patched(declared(), state_patch(State::kResolved), kT0 + minutes(5)).record;
  IncidentPatch later;
  later.resolved = kT0 + minutes(8);
  EXPECT_EQ(patched(resolved, later, kT0 + minutes(9)).record.times.resolved, kT0 + minutes(8));
}

// --- timestamp order ------------------------------------------------------------------------

TEST(TimeOrderTest, OutOfOrderTimesAreRefusedNamingTheFieldSent) {
  const Incident incident = declared();  // impact_started = detected = kT0
  const TimePoint now = kT0 + minutes(10);
  IncidentPatch ack;
  ack.acknowledged = kT0 - minutes(1);
  const Invalid invalid = refused(apply_patch(incident, ack, "bob", now));
  EXPECT_EQ(invalid.field, "acknowledged");
  EXPECT_THAT(invalid.message, HasSubstr("detected"));

  const Incident acked =
      patched(incident, state_patch(State::kInvestigating), kT0 + minutes(2)).record;
  IncidentPatch detected;
  detected.detected = kT0 + minutes(3);  // after acknowledged
  EXPECT_EQ(refused(apply_patch(acked, detected, "bob", now)).field, "detected");

  IncidentPatch impact;
  impact.impact_started = kT0 + minutes(1);  // after detected
  EXPECT_EQ(refused(apply_patch(incident, impact, "bob", now)).field, "impact_started");

  IncidentPatch mitigated;
  mitigated.mitigated = kT0 - minutes(1);  // before impact_started
  EXPECT_EQ(refused(apply_patch(incident, mitigated, "bob", now)).field, "mitigated");

  IncidentPatch resolve = state_patch(State::kResolved);
  resolve.mitigated = kT0 + minutes(5);
  resolve.resolved = kT0 + minutes(4);
  EXPECT_EQ(refused(apply_patch(incident, resolve, "bob", now)).field, "resolved");
}

TEST(TimeOrderTest, OrderHoldsAcrossAnUnsetMiddleTime) {
  Incident incident = declared();
  const Incident resolved =
      patched(incident, state_patch(State::kResolved), kT0 + minutes(5)).record;
  Incident no_mitigation = resolved;
  no_mitigation.times.mitigated.reset();
  no_mitigation.times.detected.reset();
  no_mitigation.times.acknowledged.reset();
  IncidentPatch impact;
  impact.impact_started = kT0 + minutes(6);  // after resolved, with mitigated unset
  EXPECT_EQ(refused(apply_patch(no_mitigation, impact, "bob", kT0 + minutes(7))).field,
            "impact_started");
}

TEST(TimeOrderTest, EqualTimesAreInOrder) {
  IncidentPatch patch;
  patch.acknowledged = kT0;
  patch.mitigated = kT0;
  EXPECT_EQ(patched(declared(), patch, kT0).record.times.acknowledged, kT0);
}

TEST(TimeOrderTest, ARecordAlreadyOutOfOrderDoesNotBlockOtherEdits) {
  Incident broken = declared();
  broken.times.acknowledged = kT0 - minutes(5);  // e.g. written by an older version
  IncidentPatch patch;
  patch.title = "Checkout down";
  EXPECT_EQ(patched(broken, patch, kT0 + minutes(1)).record.title, "Checkout down");
}

// --- edits, events, versions ----------------------------------------------------------------

TEST(PatchTest, EmptyPatchChangesNothing) {
  const Incident incident = declared();
  const auto change = patched(incident, IncidentPatch{}, kT0 + minutes(1));
  EXPECT_TRUE(change.events.empty());
  EXPECT_EQ(change.record.version, incident.version);
  EXPECT_EQ(change.record.updated_at, incident.updated_at);
}

TEST(PatchTest, PatchRepeatingCurrentValuesIsANoOp) {
  Incident incident = patched(declared(), role_patch("commander", "carol"), kT0).record;
  IncidentPatch same;
  same.title = incident.title;
  same.summary = incident.summary;
  same.state = incident.state;
  same.severity = incident.severity;
  same.test = incident.test;
  same.detected = incident.times.detected;
  same.impact_started = incident.times.impact_started;
  same.roles = {{"commander", "carol"}, {"scribe", ""}};
  const auto change = patched(incident, same, kT0 + minutes(5));
  EXPECT_TRUE(change.events.empty());
  EXPECT_EQ(change.record.version, incident.version);
  EXPECT_EQ(change.record.updated_at, incident.updated_at);
  EXPECT_EQ(change.record.roles.size(), 1u);
}

TEST(PatchTest, OneEventPerChangeAndOneVersionStep) {
  const Incident incident = declared();
  IncidentPatch patch;
  patch.title = "Checkout down";
  patch.summary = "Payments fail with 502";
  patch.severity = Severity::kSev1;
  patch.test = true;
  patch.state = State::kInvestigating;
  const TimePoint now = kT0 + minutes(2);
  const auto change = patched(incident, patch, now);
  std::vector<std::string> kinds;
  for (const TimelineEvent& event : change.events) {
    kinds.push_back(event.kind);
    EXPECT_EQ(event.at, now);
    EXPECT_EQ(event.incident_id, incident.id);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"state_changed", "severity_changed", "field_changed",
                                             "field_changed", "field_changed"}));
  EXPECT_EQ(change.record.version, incident.version + 1);
  EXPECT_EQ(change.record.updated_at, now);
  EXPECT_EQ(change.record.title, "Checkout down");
  EXPECT_TRUE(change.record.test);
  EXPECT_EQ(change.events[1].fields, (Labels{{"from", "SEV3"}, {"to", "SEV1"}}));
  EXPECT_EQ(change.events[1].text, "severity SEV3 → SEV1");
  EXPECT_EQ(change.events[2].fields,
            (Labels{{"field", "title"}, {"from", "Checkout errors"}, {"to", "Checkout down"}}));
  EXPECT_EQ(change.events[4].fields,
            (Labels{{"field", "test"}, {"from", "false"}, {"to", "true"}}));
}

TEST(PatchTest, RefusedPatchNamesTheField) {
  IncidentPatch patch;
  patch.title = "";
  EXPECT_EQ(refused(apply_patch(declared(), patch, "bob", kT0)).field, "title");
  IncidentPatch summary;
  summary.summary = std::string(65537, 's');
  EXPECT_EQ(refused(apply_patch(declared(), summary, "bob", kT0)).field, "summary");
}

// --- roles ----------------------------------------------------------------------------------

TEST(RolesTest, AssignReassignUnassignKeepsHistory) {
  const TimePoint t1 = kT0 + minutes(1);
  const TimePoint t2 = kT0 + minutes(2);
  const TimePoint t3 = kT0 + minutes(3);
  const auto assigned = patched(declared(), role_patch("commander", "alice"), t1);
  EXPECT_EQ(current_holder(assigned.record, "commander"), "alice");
  const auto reassigned = patched(assigned.record, role_patch("commander", "dave"), t2);
  EXPECT_EQ(current_holder(reassigned.record, "commander"), "dave");
  const auto unassigned = patched(reassigned.record, role_patch("commander", ""), t3);
  EXPECT_FALSE(current_holder(unassigned.record, "commander"));

  const std::vector<RoleAssignment>& history = unassigned.record.roles;
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].person, "alice");
  EXPECT_EQ(history[0].since, t1);
  EXPECT_EQ(history[0].until, t2);
  EXPECT_EQ(history[0].assigned_by, "bob");
  EXPECT_EQ(history[1].person, "dave");
  EXPECT_EQ(history[1].since, t2);
  EXPECT_EQ(history[1].until, t3);

  ASSERT_EQ(assigned.events.size(), 1u);
  EXPECT_EQ(assigned.events[0].fields,
            (Labels{{"role", "commander"}, {"from", ""}, {"to", "alice"}}));
  EXPECT_EQ(reassigned.events.at(0).fields,
            (Labels{{"role", "commander"}, {"from", "alice"}, {"to", "dave"}}));
  EXPECT_EQ(reassigned.events.at(0).text, "commander alice → dave");
  EXPECT_EQ(unassigned.events.at(0).fields,
            (Labels{{"role", "commander"}, {"from", "dave"}, {"to", ""}}));
  EXPECT_EQ(unassigned.record.version, declared().version + 3);
}

TEST(RolesTest, SeveralRolesInOnePatchAndCustomRoles) {
  IncidentPatch patch;
  patch.roles = {{"scribe", "erin"}, {"communications", "frank"}, {"db-lead_2", " gina "}};
  const auto change = patched(declared(), patch, kT0 + minutes(1));
  EXPECT_EQ(change.events.size(), 3u);
  EXPECT_EQ(current_holder(change.record, "scribe"), "erin");
  EXPECT_EQ(current_holder(change.record, "communications"), "frank");
  EXPECT_EQ(current_holder(change.record, "db-lead_2"), "gina");
  EXPECT_EQ(change.record.version, 2);
}

TEST(RolesTest, UnassigningAnEmptyRoleIsANoOp) {
  const auto change = patched(declared(), role_patch("scribe", ""), kT0 + minutes(1));
  EXPECT_TRUE(change.events.empty());
  EXPECT_TRUE(change.record.roles.empty());
}

TEST(RolesTest, RefusesBadRoleNamesAndPeople) {
  for (const std::string& role :
       std::vector<std::string>{"Commander", "a b", "", std::string(41, 'r'), "x.y"}) {
    const Invalid invalid = refused(apply_patch(declared(), role_patch(role, "x"), "bob", kT0));
    EXPECT_EQ(invalid.field, "roles") << role;
    EXPECT_THAT(invalid.message, HasSubstr("commander, scribe, communications"));
  }
  EXPECT_EQ(refused(apply_patch(declared(), role_patch("scribe", "   "), "bob", kT0)).field,
            "roles.scribe");
  EXPECT_EQ(
      refused(apply_patch(declared(), role_patch("scribe", std::string(101, 'p')), "bob", kT0))
          .field,
      "roles.scribe");
  IncidentPatch twice;
  twice.roles = {{"scribe", "a"}, {"scribe", "b"}};
  EXPECT_EQ(refused(apply_patch(declared(), twice, "bob", kT0)).field, "roles.scribe");
  EXPECT_TRUE(std::holds_alternative<Change<Incident>>(
      apply_patch(declared(), role_patch(std::string(40, 'r'), "x"), "bob", kT0)));
}

// --- notes ----------------------------------------------------------------------------------

TEST(NoteTest, NoteIsTrimmedAndPinnable) {
  const TimelineEvent note = accepted(new_note(7, "  rolled back v42\n", true, "carol", kT0));
  EXPECT_EQ(note.kind, event_kind::kNote);
  EXPECT_EQ(note.text, "rolled back v42");
  EXPECT_TRUE(note.pinned);
  EXPECT_EQ(note.revision, 1);
  EXPECT_EQ(note.incident_id, 7);
  EXPECT_EQ(note.actor, "carol");
  EXPECT_EQ(note.at, kT0);
}

TEST(NoteTest, EmptyAndOversizedNotesAreRefused) {
  EXPECT_EQ(refused(new_note(7, " \n ", false, "carol", kT0)).field, "text");
  EXPECT_EQ(refused(new_note(7, std::string(65537, 'n'), false, "carol", kT0)).field, "text");
  EXPECT_EQ(accepted(new_note(7, std::string(65536, 'n'), false, "carol", kT0)).text.size(),
            65536u);
}

// --- action items ---------------------------------------------------------------------------

ActionDraft draft() {
  ActionDraft action;
  action.title = "Alert on checkout 5xx";
  action.owner = "alice";
  action.due = kT0 + std::chrono::hours(24 * 7);
  action.priority = Priority::kP2;
  action.type = ActionType::kDetective;
  action.ticket_url = "https://tracker.example/T-1";
  return action;
}

TEST(ActionTest, NewActionIsOpenWithACreatedEvent) {
  const auto change = accepted(new_action(7, draft(), "bob", kT0));
  const ActionItem& item = change.record;
  EXPECT_EQ(item.incident_id, 7);
  EXPECT_EQ(item.status, ActionStatus::kOpen);
  EXPECT_EQ(item.priority, Priority::kP2);
  EXPECT_EQ(item.type, ActionType::kDetective);
  EXPECT_EQ(item.version, 1);
  EXPECT_EQ(item.created_by, "bob");
  ASSERT_EQ(change.events.size(), 1u);
  EXPECT_EQ(change.events[0].kind, event_kind::kActionItem);
  EXPECT_EQ(change.events[0].incident_id, 7);
  EXPECT_EQ(change.events[0].fields.at("change"), "created");
  EXPECT_EQ(change.events[0].fields.at("title"), "Alert on checkout 5xx");
  EXPECT_EQ(change.events[0].fields.at("status"), "open");
}

TEST(ActionTest, RefusesBadDrafts) {
  ActionDraft bad = draft();
  bad.title = " ";
  EXPECT_EQ(refused(new_action(7, bad, "bob", kT0)).field, "title");
  for (const std::string url :
       {"ftp://tracker/T-1", "tracker.example/T-1", "https://", "http://a b"}) {
    bad = draft();
    bad.ticket_url = url;
    EXPECT_EQ(refused(new_action(7, bad, "bob", kT0)).field, "ticket_url") << url;
  }
  ActionDraft plain = draft();
  plain.ticket_url = "";
  plain.owner = "";
  EXPECT_TRUE(std::holds_alternative<Change<ActionItem>>(new_action(7, plain, "bob", kT0)));
}

ActionItem stored_action() {
  ActionItem item = accepted(new_action(7, draft(), "bob", kT0)).record;
  item.id = 12;
  return item;
}

TEST(ActionTest, PatchYieldsOneEventNamingWhatChanged) {
  const ActionItem item = stored_action();
  ActionPatch patch;
  patch.status = ActionStatus::kDone;
  patch.owner = "dave";
  patch.priority = Priority::kP2;  // unchanged: not reported
  const TimePoint now = kT0 + minutes(30);
  const auto change = accepted(apply_action_patch(item, patch, "carol", now));
  EXPECT_EQ(change.record.status, ActionStatus::kDone);
  EXPECT_EQ(change.record.owner, "dave");
  EXPECT_EQ(change.record.version, 2);
  EXPECT_EQ(change.record.updated_at, now);
  ASSERT_EQ(change.events.size(), 1u);
  const TimelineEvent& event = change.events[0];
  EXPECT_EQ(event.kind, event_kind::kActionItem);
  EXPECT_EQ(event.incident_id, 7);
  EXPECT_EQ(event.actor, "carol");
  EXPECT_EQ(event.fields.at("action_id"), "12");
  EXPECT_EQ(event.fields.at("change"), "updated");
  EXPECT_EQ(event.fields.at("changed"), "owner,status");
  EXPECT_EQ(event.fields.at("status_from"), "open");
  EXPECT_EQ(event.fields.at("status_to"), "done");
  EXPECT_EQ(event.fields.at("owner_from"), "alice");
  EXPECT_EQ(event.fields.count("priority_to"), 0u);
  EXPECT_THAT(event.text, HasSubstr("status open → done"));
}

TEST(ActionTest, NoOpPatchHasNoEvent) {
  const ActionItem item = stored_action();
  ActionPatch patch;
  patch.title = item.title;
  patch.status = item.status;
  const auto change = accepted(apply_action_patch(item, patch, "carol", kT0 + minutes(1)));
  EXPECT_TRUE(change.events.empty());
  EXPECT_EQ(change.record.version, item.version);
}

TEST(ActionTest, ClearingTheDueDateAndResettingTheReminder) {
  ActionItem item = stored_action();
  item.reminded_at = kT0 + minutes(1);
  ActionPatch patch;
  patch.due = std::optional<TimePoint>{};
  const auto change = accepted(apply_action_patch(item, patch, "carol", kT0 + minutes(2)));
  EXPECT_FALSE(change.record.due);
  EXPECT_FALSE(change.record.reminded_at);
  EXPECT_EQ(change.events.at(0).fields.at("due_to"), "");
  EXPECT_EQ(change.events.at(0).fields.at("due_from"), millis(*item.due));
}

TEST(ActionTest, PatchRefusesBadValues) {
  ActionPatch patch;
  patch.ticket_url = "mailto:x@example.com";
  EXPECT_EQ(refused(apply_action_patch(stored_action(), patch, "c", kT0)).field, "ticket_url");
  ActionPatch title;
  title.title = "";
  EXPECT_EQ(refused(apply_action_patch(stored_action(), title, "c", kT0)).field, "title");
}

}  // namespace
}  // namespace sloe::incident

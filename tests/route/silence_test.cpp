#include "sloe/route/silence.h"

#include <gtest/gtest.h>

#include <set>

namespace sloe::route {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = from_unix_seconds(1'800'000'000);

std::vector<alert::Matcher> matchers(std::string_view text) {
  auto parsed = alert::parse_matchers(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? std::move(parsed).value() : std::vector<alert::Matcher>{};
}

Silence silence(std::string_view matcher_text, TimePoint starts, TimePoint ends) {
  Silence s;
  s.matchers = matchers(matcher_text);
  s.starts_at = starts;
  s.ends_at = ends;
  s.created_by = "alice";
  s.comment = "deploying checkout";
  return s;
}

class SilencesTest : public ::testing::Test {
 protected:
  Silences silences_{[this] { return "s" + std::to_string(++next_id_); }};
  int next_id_ = 0;
};

TEST(SilenceValidation, RequiresAMatcherThatDoesNotMatchEverything) {
  Silence none = silence("{}", kT0, kT0 + 1h);
  ASSERT_TRUE(validate(none).has_value());
  EXPECT_EQ(validate(none)->field, "matchers");

  // Each of these matches an alert without the label, so together they would mute everything.
  Silence match_all = silence(R"({foo=~".*", bar=""})", kT0, kT0 + 1h);
  ASSERT_TRUE(validate(match_all).has_value());
  EXPECT_EQ(validate(match_all)->field, "matchers");

  Silence one_real = silence(R"({foo=~".*", service="api"})", kT0, kT0 + 1h);
  EXPECT_FALSE(validate(one_real).has_value());
}

TEST(SilenceValidation, NamesTheFieldAtFault) {
  Silence backwards = silence(R"(service="api")", kT0, kT0);
  ASSERT_TRUE(validate(backwards).has_value());
  EXPECT_EQ(validate(backwards)->field, "ends_at");

  Silence anonymous = silence(R"(service="api")", kT0, kT0 + 1h);
  anonymous.created_by.clear();
  EXPECT_EQ(validate(anonymous)->field, "created_by");

  Silence unexplained = silence(R"(service="api")", kT0, kT0 + 1h);
  unexplained.comment.clear();
  EXPECT_EQ(validate(unexplained)->field, "comment");
}

TEST(SilenceState, PendingThenActiveThenExpiredAtTheBoundaries) {
  const Silence s = silence(R"(service="api")", kT0, kT0 + 1h);
  EXPECT_EQ(state_at(s, kT0 - 1s), SilenceState::kPending);
  EXPECT_EQ(state_at(s, kT0), SilenceState::kActive);
  EXPECT_EQ(state_at(s, kT0 + 1h - 1ns), SilenceState::kActive);
  EXPECT_EQ(state_at(s, kT0 + 1h), SilenceState::kExpired);
  EXPECT_EQ(to_string(SilenceState::kPending), "pending");
}

TEST_F(SilencesTest, OnlyActiveSilencesWhoseMatchersAllMatchMute) {
  auto api =
      silences_.set(silence(R"({service="api", severity=~"page|ticket"})", kT0, kT0 + 1h), kT0);
  auto later = silences_.set(silence(R"(service="api")", kT0 + 2h, kT0 + 3h), kT0);
  ASSERT_TRUE(api.ok() && later.ok());

  const Labels page{{"service", "api"}, {"severity", "page"}};
  EXPECT_EQ(silences_.silenced_by(page, kT0 + 1min), std::vector<std::string>{api->id});
  EXPECT_TRUE(silences_.silenced_by({{"service", "api"}, {"severity", "info"}}, kT0).empty());
  EXPECT_TRUE(silences_.silenced_by({{"service", "web"}, {"severity", "page"}}, kT0).empty());
  EXPECT_TRUE(silences_.silenced_by(page, kT0 + 1h).empty());  // first expired, second pending
  EXPECT_EQ(silences_.silenced_by(page, kT0 + 2h), std::vector<std::string>{later->id});
}

TEST_F(SilencesTest, ANewSilenceStartingInThePastStartsNow) {
  auto created = silences_.set(silence(R"(service="api")", kT0 - 1h, kT0 + 1h), kT0);
  ASSERT_TRUE(created.ok());
  const Silence* stored = silences_.find(created->id);
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->starts_at, kT0);
  EXPECT_EQ(stored->updated_at, kT0);
  ASSERT_EQ(created->written.size(), 1u);
}

TEST_F(SilencesTest, RejectsSilencesThatAreAlreadyOverOrUnknownIds) {
  EXPECT_FALSE(silences_.set(silence(R"(service="api")", kT0 - 2h, kT0 - 1h), kT0).ok());
  Silence unknown = silence(R"(service="api")", kT0, kT0 + 1h);
  unknown.id = "nope";
  auto result = silences_.set(unknown, kT0);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("not found"), std::string::npos);
  EXPECT_TRUE(silences_.list().empty());
}

TEST_F(SilencesTest, ExtendingAnActiveSilenceKeepsItsId) {
  auto created = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  ASSERT_TRUE(created.ok());
  Silence edit = *silences_.find(created->id);
  edit.ends_at = kT0 + 4h;
  edit.comment = "longer deploy";
  auto updated = silences_.set(edit, kT0 + 30min);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->id, created->id);
  ASSERT_EQ(updated->written.size(), 1u);
  EXPECT_EQ(silences_.list().size(), 1u);
  EXPECT_EQ(silences_.find(created->id)->ends_at, kT0 + 4h);
  EXPECT_EQ(silences_.find(created->id)->updated_at, kT0 + 30min);
}

TEST_F(SilencesTest, ChangingTheMatchersOfAnActiveSilenceExpiresItAndCreatesANewOne) {
  auto created = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  ASSERT_TRUE(created.ok());
  Silence edit = *silences_.find(created->id);
  edit.matchers = matchers(R"(service="web")");
  auto replaced = silences_.set(edit, kT0 + 10min);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(replaced->id, created->id);
  ASSERT_EQ(replaced->written.size(), 2u);  // the expired original and the new silence
  EXPECT_EQ(state_at(*silences_.find(created->id), kT0 + 10min), SilenceState::kExpired);
  EXPECT_EQ(silences_.find(replaced->id)->starts_at, kT0 + 10min);
  EXPECT_TRUE(silences_.silenced_by({{"service", "api"}}, kT0 + 10min).empty());
  EXPECT_EQ(silences_.silenced_by({{"service", "web"}}, kT0 + 10min),
            std::vector<std::string>{replaced->id});
}

TEST_F(SilencesTest, MovingTheStartOfAnActiveSilenceReplacesIt) {
  auto created = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  ASSERT_TRUE(created.ok());
  Silence edit = *silences_.find(created->id);
  edit.starts_at = kT0 + 5min;
  auto replaced = silences_.set(edit, kT0 + 10min);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(replaced->id, created->id);
}

TEST_F(SilencesTest, APendingSilenceMayBeRescheduledInPlace) {
  auto created = silences_.set(silence(R"(service="api")", kT0 + 1h, kT0 + 2h), kT0);
  ASSERT_TRUE(created.ok());
  Silence edit = *silences_.find(created->id);
  edit.starts_at = kT0 + 3h;
  edit.ends_at = kT0 + 4h;
  auto updated = silences_.set(edit, kT0);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(silences_.find(created->id)->starts_at, kT0 + 3h);
}

TEST_F(SilencesTest, EditingAnExpiredSilenceCreatesANewOneAndLeavesTheOldAlone) {
  auto created = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  ASSERT_TRUE(created.ok());
  Silence edit = *silences_.find(created->id);
  edit.ends_at = kT0 + 5h;
  auto renewed = silences_.set(edit, kT0 + 2h);
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(renewed->id, created->id);
  EXPECT_EQ(renewed->written.size(), 1u);
  EXPECT_EQ(silences_.find(created->id)->ends_at, kT0 + 1h);
  EXPECT_EQ(silences_.find(renewed->id)->starts_at, kT0 + 2h);
}

TEST_F(SilencesTest, ExpireEndsActiveAndCancelsPendingSilences) {
  auto active = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  auto pending = silences_.set(silence(R"(service="web")", kT0 + 2h, kT0 + 3h), kT0);
  ASSERT_TRUE(active.ok() && pending.ok());

  auto ended = silences_.expire(active->id, kT0 + 10min);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->ends_at, kT0 + 10min);
  EXPECT_EQ(ended->starts_at, kT0);

  auto cancelled = silences_.expire(pending->id, kT0 + 10min);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->starts_at, kT0 + 10min);
  EXPECT_EQ(cancelled->ends_at, kT0 + 10min);
  EXPECT_TRUE(silences_.silenced_by({{"service", "web"}}, kT0 + 2h).empty());

  EXPECT_FALSE(silences_.expire(active->id, kT0 + 20min).ok());
  EXPECT_FALSE(silences_.expire("nope", kT0).ok());
}

TEST_F(SilencesTest, GarbageCollectionForgetsOnlySilencesExpiredLongerThanRetention) {
  auto old_one = silences_.set(silence(R"(service="api")", kT0, kT0 + 1h), kT0);
  auto current = silences_.set(silence(R"(service="web")", kT0, kT0 + 100h), kT0);
  ASSERT_TRUE(old_one.ok() && current.ok());
  EXPECT_TRUE(silences_.collect_garbage(kT0 + 1h + 119h, 120h).empty());
  EXPECT_EQ(silences_.collect_garbage(kT0 + 1h + 120h, 120h),
            std::vector<std::string>{old_one->id});
  EXPECT_NE(silences_.find(current->id), nullptr);
  EXPECT_EQ(silences_.find(old_one->id), nullptr);
}

TEST_F(SilencesTest, RestoreBringsBackPersistedSilencesVerbatim) {
  Silence persisted = silence(R"(service="api")", kT0 - 1h, kT0 + 1h);
  persisted.id = "kept";
  persisted.updated_at = kT0 - 1h;
  silences_.restore(persisted);
  ASSERT_NE(silences_.find("kept"), nullptr);
  EXPECT_EQ(silences_.find("kept")->starts_at, kT0 - 1h);
  EXPECT_EQ(silences_.silenced_by({{"service", "api"}}, kT0), std::vector<std::string>{"kept"});
}

TEST(RandomSilenceId, IsAVersion4UuidAndDiffersEachTime) {
  std::mt19937_64 engine(42);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = random_silence_id(engine);
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace sloe::route

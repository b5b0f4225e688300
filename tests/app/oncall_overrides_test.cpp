#include "sloe/app/oncall_overrides.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "../store/temp_dir.h"
#include "sloe/core/time_format.h"
#include "sloe/oncall/schedule.h"
#include "sloe/store/override_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TimePoint at(const char* text) {
  return parse_rfc3339(text).value();
}

// Daily handoffs at 00:00 UTC from 2026-11-01 between alice and bob on "primary"; "secondary"
// is dave's alone. carol is a user in no rotation.
oncall::OncallConfig configured() {
  oncall::OncallConfig config;
  for (const char* name : {"alice", "bob", "carol", "dave"})
    config.users.push_back(oncall::User{name, "", ""});
  oncall::Rotation daily;
  daily.name = "daily";
  daily.users = {"alice", "bob"};
  daily.shift_length = 24h;
  daily.start = oncall::LocalDateTime{2026, 11, 1, 0, 0, 0};
  config.rotations.push_back(daily);
  oncall::Rotation solo;
  solo.name = "solo";
  solo.users = {"dave"};
  solo.shift_length = 24h;
  solo.start = oncall::LocalDateTime{2026, 11, 1, 0, 0, 0};
  config.rotations.push_back(solo);
  config.schedules.push_back(oncall::Schedule{"primary", {oncall::Layer{"daily", {}}}, {}});
  config.schedules.push_back(oncall::Schedule{"secondary", {oncall::Layer{"solo", {}}}, {}});
  return config;
}

// 2026-11-23 is handoff 22 of the daily rotation: alice's day.
const TimePoint kNow = at("2026-11-23T12:00:00Z");

api::OverrideRequest replace_with(std::string user, TimePoint start, TimePoint end,
                                  std::string replaces = "") {
  return api::OverrideRequest{
      "primary", api::OverrideMode::kReplace, std::move(user), std::move(replaces), start, end,
      "ops-lead"};
}

class OncallOverridesTest : public ::testing::Test {
 protected:
  void SetUp() { reopen(); }

  void reopen() {
    overrides_.reset();
    db_.reset();
    auto db = store::Database::open(dir_.file("sloe.db"), store::sloe_migrations());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    auto opened = OncallOverrides::open(*db_, db_mutex_, configured(),
                                        [this] { return "ovr-" + std::to_string(++ids_); });
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    overrides_ = std::move(opened).value();
  }

  std::vector<std::string> who(TimePoint t, const std::string& schedule = "primary") {
    return oncall::who(*overrides_->current(), schedule, t);
  }

  std::vector<store::OverrideRecord> stored() {
    const std::lock_guard lock(db_mutex_);
    auto loaded = store::OverrideStore(*db_).load_all();
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? std::move(loaded).value() : std::vector<store::OverrideRecord>{};
  }

  api::OverrideRefused refusal(const api::OverrideRequest& request) {
    auto answer = overrides_->add(request, kNow);
    EXPECT_TRUE(std::holds_alternative<api::OverrideRefused>(answer));
    if (auto* refused = std::get_if<api::OverrideRefused>(&answer))
      return *refused;
    return {};
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::mutex db_mutex_;
  std::unique_ptr<OncallOverrides> overrides_;
  int ids_ = 0;
};

TEST_F(OncallOverridesTest, ReplacementChangesWhoUntilRemoved) {
  ASSERT_THAT(who(kNow), ElementsAre("alice"));
  const auto before = overrides_->current();

  auto added = overrides_->add(replace_with("carol", kNow - 1h, kNow + 2h), kNow);
  ASSERT_TRUE(std::holds_alternative<std::string>(added));
  const std::string id = std::get<std::string>(added);
  EXPECT_THAT(who(kNow), ElementsAre("carol"));
  EXPECT_THAT(who(kNow + 2h), ElementsAre("alice"));  // [start, end)
  EXPECT_THAT(who(kNow, "secondary"), ElementsAre("dave"));
  EXPECT_THAT(oncall::who(*before, "primary", kNow), ElementsAre("alice"))
      << "a snapshot handed out earlier does not change";
  ASSERT_EQ(overrides_->list().size(), 1u);
  EXPECT_EQ(overrides_->list()[0].id, id);
  EXPECT_EQ(overrides_->list()[0].created_at, kNow);

  const auto on_call = overrides_->who("primary", kNow);
  ASSERT_TRUE(on_call.has_value());
  EXPECT_THAT(on_call->users, ElementsAre("carol"));
  EXPECT_EQ(on_call->until, kNow + 2h);

  auto removed = overrides_->remove(id);
  ASSERT_TRUE(std::holds_alternative<api::OverrideView>(removed));
  EXPECT_EQ(std::get<api::OverrideView>(removed).override.user, "carol");
  EXPECT_THAT(who(kNow), ElementsAre("alice"));
  EXPECT_TRUE(overrides_->list().empty());
  EXPECT_TRUE(stored().empty());

  auto again = overrides_->remove(id);
  ASSERT_TRUE(std::holds_alternative<api::OverrideRefused>(again));
  EXPECT_EQ(std::get<api::OverrideRefused>(again).reason, api::Refusal::kNotFound);
}

TEST_F(OncallOverridesTest, AdditionsAndTargetedReplacementsFollowTheScheduleRules) {
  api::OverrideRequest add = replace_with("dave", kNow, kNow + 1h);
  add.mode = api::OverrideMode::kAdd;
  ASSERT_TRUE(std::holds_alternative<std::string>(overrides_->add(add, kNow)));
  EXPECT_THAT(who(kNow), ElementsAre("alice", "dave"));

  // Replacing bob takes only bob's turns: tomorrow, not today.
  ASSERT_TRUE(std::holds_alternative<std::string>(
      overrides_->add(replace_with("carol", kNow, kNow + 48h, "bob"), kNow)));
  EXPECT_THAT(who(kNow + 30min), ElementsAre("alice", "dave"));
  EXPECT_THAT(who(kNow + 24h), ElementsAre("carol"));
}

TEST_F(OncallOverridesTest, RefusesWhatTheConfigLoaderRefusesNamingTheField) {
  api::OverrideRequest request = replace_with("carol", kNow, kNow + 1h);
  request.schedule = "primry";
  api::OverrideRefused refused = refusal(request);
  EXPECT_EQ(refused.reason, api::Refusal::kInvalid);
  EXPECT_EQ(refused.field, "schedule");
  EXPECT_THAT(refused.message, HasSubstr("unknown schedule 'primry'; did you mean 'primary'?"));

  refused = refusal(replace_with("zed", kNow, kNow + 1h));
  EXPECT_EQ(refused.field, "user");
  EXPECT_THAT(refused.message, HasSubstr("unknown user 'zed'"));

  refused = refusal(replace_with("carol", kNow, kNow + 1h, "dave"));
  EXPECT_EQ(refused.field, "replaces");
  EXPECT_THAT(refused.message,
              HasSubstr("who is in none of the rotations of schedule 'primary' (alice, bob)"));

  refused = refusal(replace_with("carol", kNow, kNow + 1h, "nobody-here"));
  EXPECT_EQ(refused.field, "replaces");
  EXPECT_THAT(refused.message, HasSubstr("unknown user 'nobody-here'"));

  request = replace_with("carol", kNow, kNow + 1h, "bob");
  request.mode = api::OverrideMode::kAdd;
  refused = refusal(request);
  EXPECT_EQ(refused.field, "replaces");
  EXPECT_THAT(refused.message, HasSubstr("does not apply to mode add"));

  refused = refusal(replace_with("carol", kNow + 1h, kNow + 1h));
  EXPECT_EQ(refused.field, "end");
  EXPECT_THAT(refused.message, HasSubstr("is not after its start"));

  refused = refusal(replace_with("carol", kNow - 2h, kNow));
  EXPECT_EQ(refused.field, "end");
  EXPECT_THAT(refused.message, HasSubstr("already past"));

  request = replace_with("carol", kNow, kNow + 1h);
  request.created_by.clear();
  EXPECT_EQ(refusal(request).field, "created_by");

  EXPECT_TRUE(overrides_->list().empty());
  EXPECT_TRUE(stored().empty());
  EXPECT_THAT(who(kNow), ElementsAre("alice"));
}

TEST_F(OncallOverridesTest, OverridesSurviveAReopen) {
  ASSERT_TRUE(std::holds_alternative<std::string>(
      overrides_->add(replace_with("carol", kNow + 24h, kNow + 48h, "bob"), kNow)));
  api::OverrideRequest add = replace_with("dave", kNow - 1h, kNow + 1h);
  add.mode = api::OverrideMode::kAdd;
  ASSERT_TRUE(std::holds_alternative<std::string>(overrides_->add(add, kNow)));
  const std::vector<api::OverrideView> before = overrides_->list();

  reopen();

  const std::vector<api::OverrideView> after = overrides_->list();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, "ovr-2");  // ordered by start
  EXPECT_EQ(after[1].id, "ovr-1");
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].override.schedule, before[i].override.schedule);
    EXPECT_EQ(after[i].override.mode, before[i].override.mode);
    EXPECT_EQ(after[i].override.user, before[i].override.user);
    EXPECT_EQ(after[i].override.replaces, before[i].override.replaces);
    EXPECT_EQ(after[i].override.start, before[i].override.start);
    EXPECT_EQ(after[i].override.end, before[i].override.end);
    EXPECT_EQ(after[i].override.created_by, "ops-lead");
    EXPECT_EQ(after[i].created_at, kNow);
  }
  EXPECT_THAT(who(kNow), ElementsAre("alice", "dave"));
  EXPECT_THAT(who(kNow + 24h), ElementsAre("carol"));
}

TEST_F(OncallOverridesTest, AFailedWriteChangesNothing) {
  {
    const std::lock_guard lock(db_mutex_);
    ASSERT_TRUE(db_->exec("DROP TABLE oncall_overrides").ok());
  }
  auto answer = overrides_->add(replace_with("carol", kNow, kNow + 1h), kNow);
  ASSERT_TRUE(std::holds_alternative<api::OverrideRefused>(answer));
  EXPECT_EQ(std::get<api::OverrideRefused>(answer).reason, api::Refusal::kUnavailable);
  EXPECT_TRUE(overrides_->list().empty());
  EXPECT_THAT(who(kNow), ElementsAre("alice"));
}

TEST_F(OncallOverridesTest, ListenerSeesEveryChange) {
  std::vector<std::vector<std::string>> seen;
  overrides_->set_listener([&seen](std::shared_ptr<const oncall::OncallConfig> config) {
    seen.push_back(oncall::who(*config, "primary", kNow));
  });
  auto added = overrides_->add(replace_with("bob", kNow, kNow + 1h), kNow);
  ASSERT_TRUE(std::holds_alternative<std::string>(added));
  overrides_->remove(std::get<std::string>(added));
  EXPECT_THAT(seen, ElementsAre(ElementsAre("alice"), ElementsAre("bob"), ElementsAre("alice")));
}

TEST_F(OncallOverridesTest, ReloadedConfigKeepsApiOverrides) {
  ASSERT_TRUE(std::holds_alternative<std::string>(
      overrides_->add(replace_with("carol", kNow, kNow + 1h), kNow)));
  oncall::OncallConfig reloaded = configured();
  reloaded.rotations[0].users = {"bob", "alice"};
  overrides_->set_configured(reloaded);
  EXPECT_THAT(who(kNow), ElementsAre("carol"));
  EXPECT_THAT(who(kNow + 1h), ElementsAre("bob"));
}

TEST_F(OncallOverridesTest, GarbageCollectsOverridesEndedAWeekAgo) {
  ASSERT_TRUE(std::holds_alternative<std::string>(
      overrides_->add(replace_with("carol", kNow, kNow + 1h), kNow)));
  ASSERT_TRUE(std::holds_alternative<std::string>(
      overrides_->add(replace_with("dave", kNow, kNow + 72h), kNow)));
  auto collected = overrides_->collect_garbage(kNow + 1h + 7 * 24h + 1min);
  ASSERT_TRUE(collected.ok());
  EXPECT_EQ(collected.value(), 1u);
  ASSERT_EQ(overrides_->list().size(), 1u);
  EXPECT_EQ(overrides_->list()[0].override.user, "dave");
  ASSERT_EQ(stored().size(), 1u);
  EXPECT_EQ(stored()[0].user, "dave");
}

TEST_F(OncallOverridesTest, ConcurrentWritersAndReadersSeeWholeChanges) {
  overrides_.reset();
  auto opened = OncallOverrides::open(*db_, db_mutex_, configured());  // random ids
  ASSERT_TRUE(opened.ok());
  overrides_ = std::move(opened).value();
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kEach; ++i) {
        EXPECT_TRUE(std::holds_alternative<std::string>(
            overrides_->add(replace_with("carol", kNow + i * 1h, kNow + (i + 1) * 1h), kNow)));
        const auto snapshot = overrides_->current();
        EXPECT_LE(snapshot->find_schedule("primary")->overrides.size(),
                  std::size_t{kThreads * kEach});
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  std::set<std::string> ids;
  for (const api::OverrideView& view : overrides_->list()) {
    EXPECT_EQ(view.id.size(), 16u);
    ids.insert(view.id);
  }
  EXPECT_EQ(ids.size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(stored().size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(overrides_->current()->find_schedule("primary")->overrides.size(),
            std::size_t{kThreads * kEach});
}

TEST_F(OncallOverridesTest, WhoOfAnUnknownScheduleIsNothing) {
  EXPECT_FALSE(overrides_->who("tertiary", kNow).has_value());
}

}  // namespace
}  // namespace sloe::app

#include "sloe/store/postmortem_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using namespace std::chrono_literals;
using postmortem::Narrative;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const TimePoint kT0 = from_unix_seconds(1'800'000'000.0) + 250ms;

class PostmortemStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(dir_.file("sloe.db"), sloe_migrations());
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(opened).value();
    IncidentStore incidents(*db_);
    incident::Incident incident;
    incident.title = "Checkout errors";
    incident.created_at = kT0;
    incident.updated_at = kT0;
    incident.created_by = "alice";
    incident.version = 1;
    std::vector<incident::TimelineEvent> events;
    auto created = incidents.create(incident, events);
    ASSERT_TRUE(created) << created.error().message;
    incident_id_ = created->id;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::int64_t incident_id_ = 0;
};

Narrative full_narrative() {
  Narrative narrative;
  narrative.summary = "Payments failed for 20 minutes.";
  narrative.root_cause = "A config push\nwith a typo";
  narrative.contributing_factors = {"no canary", "alert: \"late\"", ""};
  narrative.resolution = "Rolled back";
  narrative.went_well = {"fast rollback"};
  narrative.went_wrong = {"paging took 7:30 min", "12:34 looks like a prefix"};
  narrative.got_lucky = {};
  narrative.links = {"https://tickets.example/PAY-1"};
  narrative.authors = {"alice", "bob"};
  narrative.updated_by = "alice";
  narrative.updated_at = kT0 + 1h;
  return narrative;
}

TEST_F(PostmortemStoreTest, MigrationEightCreatesTheTable) {
  EXPECT_GE(db_->schema_version(), 8);
}

TEST_F(PostmortemStoreTest, AbsentUntilWritten) {
  PostmortemStore store(*db_);
  auto got = store.get(incident_id_);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(got->has_value());
}

TEST_F(PostmortemStoreTest, RoundTripsEveryField) {
  PostmortemStore store(*db_);
  const Narrative written = full_narrative();
  auto put = store.put(incident_id_, written, 0);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_TRUE(*put);

  auto got = store.get(incident_id_);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  const Narrative& read = **got;
  EXPECT_EQ(read.summary, written.summary);
  EXPECT_EQ(read.root_cause, written.root_cause);
  EXPECT_EQ(read.contributing_factors, written.contributing_factors);
  EXPECT_EQ(read.resolution, written.resolution);
  EXPECT_EQ(read.went_well, written.went_well);
  EXPECT_EQ(read.went_wrong, written.went_wrong);
  EXPECT_THAT(read.got_lucky, IsEmpty());
  EXPECT_EQ(read.links, written.links);
  EXPECT_EQ(read.authors, written.authors);
  EXPECT_EQ(read.version, 1);
  EXPECT_EQ(read.updated_by, "alice");
  EXPECT_EQ(read.updated_at, written.updated_at);
}

TEST_F(PostmortemStoreTest, StaleVersionsWriteNothing) {
  PostmortemStore store(*db_);
  Narrative first = full_narrative();
  ASSERT_TRUE(store.put(incident_id_, first, 0).value());
  // A second "first write" (someone else's, raced) is stale.
  Narrative other = first;
  other.root_cause = "someone else";
  auto raced = store.put(incident_id_, other, 0);
  ASSERT_TRUE(raced) << raced.error().message;
  EXPECT_FALSE(*raced);

  Narrative second = first;
  second.root_cause = "the real cause";
  second.updated_by = "bob";
  ASSERT_TRUE(store.put(incident_id_, second, 1).value());
  auto stale = store.put(incident_id_, other, 1);
  ASSERT_TRUE(stale) << stale.error().message;
  EXPECT_FALSE(*stale);

  const Narrative read = store.get(incident_id_).value().value();
  EXPECT_EQ(read.version, 2);
  EXPECT_EQ(read.root_cause, "the real cause");
  EXPECT_EQ(read.updated_by, "bob");
}

TEST_F(PostmortemStoreTest, UpdatingANarrativeNeverWrittenIsStale) {
  PostmortemStore store(*db_);
  auto put = store.put(incident_id_, full_narrative(), 3);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_FALSE(*put);
  EXPECT_FALSE(store.get(incident_id_).value().has_value());
}

TEST_F(PostmortemStoreTest, UnknownIncidentIsAnError) {
  PostmortemStore store(*db_);
  EXPECT_FALSE(store.put(incident_id_ + 100, full_narrative(), 0));
}

TEST_F(PostmortemStoreTest, SurvivesReopening) {
  {
    PostmortemStore store(*db_);
    ASSERT_TRUE(store.put(incident_id_, full_narrative(), 0).value());
  }
  db_.reset();
  auto reopened = Database::open(dir_.file("sloe.db"), sloe_migrations());
  ASSERT_TRUE(reopened) << reopened.error().message;
  PostmortemStore store(**reopened);
  EXPECT_EQ(store.get(incident_id_).value().value().authors, full_narrative().authors);
}

TEST(TextListEncoding, RoundTripsAwkwardItems) {
  const std::vector<std::string> items{"", "a:b", "3:x", "line\nbreak", std::string(1000, 'z')};
  auto decoded = decode_text_list(encode_text_list(items));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, items);
  EXPECT_THAT(decode_text_list("").value(), IsEmpty());
  EXPECT_THAT(decode_text_list("2:ab1:c").value(), ElementsAre("ab", "c"));
}

TEST(TextListEncoding, RejectsBrokenInput) {
  for (const char* broken : {"5:abc", "x:abc", "3abc", ":", "2:ab-1:c", "1:a2"}) {
    EXPECT_FALSE(decode_text_list(broken)) << broken;
  }
}

}  // namespace
}  // namespace sloe::store

#include "sloe/store/alert_log.h"

#include <gtest/gtest.h>

#include "sloe/store/schema.h"
#include "sloe/store/silence_store.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = from_unix_seconds(1'800'000'000.123456789);

AlertRecord record(std::uint64_t fingerprint, const std::string& service, TimePoint starts) {
  AlertRecord r;
  r.fingerprint = fingerprint;
  r.labels = {{"alertname", "HighErrorRate"}, {"service", service}};
  r.annotations = {{"summary", "5% \"errors\"\nsee \\runbook"}};
  r.starts_at = starts;
  r.generator_url = "http://prometheus/graph";
  r.source = "api-v2";
  r.received_at = starts;
  return r;
}

class AlertLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(dir_.file("sloe.db"), sloe_migrations());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST(LabelText, RoundTripsEscapesAndEmptySets) {
  const Labels labels{{"a", ""}, {"b", "x\"y\\z\nw"}, {"c", "{,=}"}};
  EXPECT_EQ(encode_labels(labels), R"({a="",b="x\"y\\z\nw",c="{,=}"})");
  auto decoded = decode_labels(encode_labels(labels));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, labels);
  EXPECT_EQ(encode_labels({}), "{}");
  EXPECT_TRUE(decode_labels("{}")->empty());
  EXPECT_FALSE(decode_labels(R"({a="unterminated})").ok());
  EXPECT_FALSE(decode_labels("a=\"b\"").ok());
}

TEST_F(AlertLogTest, UpsertKeepsOneRowPerFingerprintAndStart) {
  AlertLog log(*db_);
  AlertRecord first = record(0xabc, "api", kT0);
  ASSERT_TRUE(log.upsert({first, record(0xdef, "web", kT0)}).ok());

  AlertRecord resent = first;
  resent.annotations = {{"summary", "now 7%"}};
  resent.received_at = kT0 + 1min;
  ASSERT_TRUE(log.upsert({resent}).ok());

  auto active = log.load_active(kT0 + 2min);
  ASSERT_TRUE(active.ok()) << active.error().message;
  ASSERT_EQ(active->size(), 2u);
  // Oldest received first: web was received at kT0, the resent api alert at kT0 + 1min.
  EXPECT_EQ((*active)[0].fingerprint, 0xdefu);
  const AlertRecord& api = (*active)[1];
  EXPECT_EQ(api.fingerprint, 0xabcu);
  EXPECT_EQ(api.labels, first.labels);
  EXPECT_EQ(api.annotations, resent.annotations);
  EXPECT_EQ(api.starts_at, kT0);  // nanoseconds survive the round trip
  EXPECT_FALSE(api.ends_at.has_value());
  EXPECT_EQ(api.source, "api-v2");
}

TEST_F(AlertLogTest, ResolvedAlertsAreNotActiveAndCanBePruned) {
  AlertLog log(*db_);
  AlertRecord resolved = record(1, "api", kT0);
  resolved.ends_at = kT0 + 5min;
  AlertRecord firing = record(2, "web", kT0);
  ASSERT_TRUE(log.upsert({resolved, firing}).ok());

  EXPECT_EQ(log.load_active(kT0 + 4min)->size(), 2u);  // ends_at still in the future
  auto later = log.load_active(kT0 + 5min);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].fingerprint, 2u);

  auto pruned = log.prune_resolved(kT0 + 10min);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
}

TEST_F(AlertLogTest, AFailingBatchStoresNothing) {
  AlertLog log(*db_);
  // A unique index the second record violates makes the batch fail half-way.
  ASSERT_TRUE(db_->exec("CREATE UNIQUE INDEX one_web ON received_alerts(source, labels)").ok());
  AlertRecord a = record(1, "api", kT0);
  AlertRecord b = record(2, "api", kT0);  // same labels and source as a
  EXPECT_FALSE(log.upsert({a, b}).ok());
  EXPECT_TRUE(log.load_active(kT0)->empty());
}

TEST_F(AlertLogTest, SilencesRoundTripAndRemove) {
  SilenceStore store(*db_);
  SilenceRecord s{"id-1", R"({service="api"})", kT0, kT0 + 1h, "alice", "deploy", kT0 + 1s};
  SilenceRecord t{"id-2", R"({service=~"web|db"})", kT0, kT0 + 2h, "bob", "migration", kT0};
  ASSERT_TRUE(store.put_all({s, t}).ok());
  s.comment = "longer deploy";
  ASSERT_TRUE(store.put_all({s}).ok());

  auto loaded = store.load_all();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].comment, "longer deploy");
  EXPECT_EQ((*loaded)[0].updated_at, kT0 + 1s);
  EXPECT_EQ((*loaded)[1].matchers, R"({service=~"web|db"})");

  ASSERT_TRUE(store.remove({"id-1"}).ok());
  EXPECT_EQ(store.load_all()->size(), 1u);
}

}  // namespace
}  // namespace sloe::store

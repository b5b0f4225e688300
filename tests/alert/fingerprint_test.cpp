#include "sloe/alert/fingerprint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sloe::alert {
namespace {

// Written independently of the library: concatenate the hashed bytes first, then FNV-1a them.
std::uint64_t reference_fingerprint(
    const std::vector<std::pair<std::string, std::string>>& sorted) {
  std::string bytes;
  for (const auto& [name, value] : sorted) {
    bytes += name;
    bytes += '\xff';
    bytes += value;
    bytes += '\xff';
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

TEST(FingerprintTest, EmptyLabelSetIsTheOffsetBasis) {
  EXPECT_EQ(fingerprint({}), 14695981039346656037ULL);
  EXPECT_EQ(fingerprint_hex({}), "cbf29ce484222325");
}

// Vectors from prometheus/common model/signature_test.go (LabelsToSignature,
// labelSetToFingerprint).
TEST(FingerprintTest, MatchesPrometheusModelVectors) {
  EXPECT_EQ(fingerprint({{"name", "garland, briggs"}, {"fear", "love is not enough"}}),
            5799056148416392346ULL);
  EXPECT_EQ(fingerprint_hex({{"name", "garland, briggs"}, {"fear", "love is not enough"}}),
            "507a62d79ee76c9a");
  EXPECT_EQ(fingerprint({{"first-label", "first-label-value"}}), 5146282821936882169ULL);
  EXPECT_EQ(
      fingerprint({{"first-label", "first-label-value"}, {"second-label", "second-label-value"}}),
      3195800080984914717ULL);
  EXPECT_EQ(fingerprint({{"first-label", "first-label-value"},
                         {"second-label", "second-label-value"},
                         {"third-label", "third-label-value"}}),
            13843036195897128121ULL);
}

TEST(FingerprintTest, AgreesWithIndependentImplementation) {
  EXPECT_EQ(fingerprint({{"alertname", "HighErrorRate"}}),
            reference_fingerprint({{"alertname", "HighErrorRate"}}));
  EXPECT_EQ(fingerprint({{"severity", "page"}, {"alertname", "X"}, {"slo", "api-availability"}}),
            reference_fingerprint(
                {{"alertname", "X"}, {"severity", "page"}, {"slo", "api-availability"}}));
  EXPECT_EQ(fingerprint({{"a", ""}}), reference_fingerprint({{"a", ""}}));
}

TEST(FingerprintTest, DoesNotDependOnInsertionOrder) {
  Labels forward;
  forward.emplace("a", "1");
  forward.emplace("b", "2");
  forward.emplace("c", "3");
  Labels backward;
  backward.emplace("c", "3");
  backward.emplace("b", "2");
  backward.emplace("a", "1");
  EXPECT_EQ(fingerprint(forward), fingerprint(backward));
}

TEST(FingerprintTest, DifferentLabelSetsDiffer) {
  const std::vector<Labels> sets = {
      {},
      {{"a", ""}},
      {{"a", "b"}},
      {{"a", "bc"}},
      {{"ab", "c"}},  // the separator keeps name/value boundaries apart
      {{"a", "b"}, {"c", "d"}},
      {{"a", "d"}, {"c", "b"}},
      {{"a", "b"}, {"c", ""}},
  };
  std::set<std::uint64_t> seen;
  for (const Labels& labels : sets)
    seen.insert(fingerprint(labels));
  EXPECT_EQ(seen.size(), sets.size());
}

TEST(FingerprintTest, HexIsZeroPaddedLowercase) {
  // {x="100"} hashes to a value below 2^60 (checked with a separate script), so its hex form
  // needs a leading zero.
  EXPECT_EQ(fingerprint({{"x", "100"}}), 0x095517a0351494a4ULL);
  EXPECT_EQ(fingerprint_hex({{"x", "100"}}), "095517a0351494a4");
  const Labels labels = {{"alertname", "HighErrorRate"}};
  const std::string hex = fingerprint_hex(labels);
  ASSERT_EQ(hex.size(), 16u);
  for (const char c : hex)
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
  EXPECT_EQ(std::stoull(hex, nullptr, 16), fingerprint(labels));
}

}  // namespace
}  // namespace sloe::alert

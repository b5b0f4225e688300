// An in-memory PostmortemService for tests of the HTTP and CLI layers: incidents 1..known_ids
// exist; render() answers a small body naming what it was asked (format, zone) so a test can see
// the request arrive as typed values; narratives are kept per incident with versions.
//
// Thread-safe (one mutex), as the server calls it from its thread pool.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "sloe/api/postmortems.h"

namespace sloe::api::testing {

class FakePostmortemService : public PostmortemService {
 public:
  explicit FakePostmortemService(std::int64_t known_ids = 1) : known_ids_(known_ids) {}

  std::string last_actor() const {
    std::lock_guard lock(mutex_);
    return last_actor_;
  }
  // The next `count` put_narrative() calls find a concurrent edit first (the version moves on).
  void conflict_next_puts(int count) {
    std::lock_guard lock(mutex_);
    conflicts_ = count;
  }

  Answer<RenderedPostmortem> render(std::int64_t id, PostmortemFormat format,
                                    const std::optional<std::string>& zone) const override {
    std::lock_guard lock(mutex_);
    if (!exists(id))
      return missing(id);
    if (zone && *zone == "Mars/Olympus")
      return Refused{Refusal::kInvalid, "unknown time zone 'Mars/Olympus'", "tz"};
    const std::string zone_text = zone ? "'" + *zone + "'" : "default";
    const std::string root_cause = narratives_.count(id) ? narratives_.at(id).root_cause : "";
    switch (format) {
      case PostmortemFormat::kMarkdown:
        return RenderedPostmortem{"text/markdown; charset=utf-8",
                                  "# Postmortem " + std::to_string(id) + "\nzone " + zone_text +
                                      "\nroot cause: " + root_cause + "\n"};
      case PostmortemFormat::kJsonDocument:
        return RenderedPostmortem{"application/json", "{\"incident_id\": " + std::to_string(id) +
                                                          ", \"zone\": \"" +
                                                          (zone ? *zone : "default") + "\"}"};
      case PostmortemFormat::kHtml:
        return RenderedPostmortem{"text/html; charset=utf-8",
                                  "<!DOCTYPE html><html><body><h1>Postmortem " +
                                      std::to_string(id) + "</h1></body></html>"};
    }
    return Refused{Refusal::kInvalid, "unknown format", "format"};
  }

  Answer<postmortem::Narrative> narrative(std::int64_t id) const override {
    std::lock_guard lock(mutex_);
    if (!exists(id))
      return missing(id);
    const auto found = narratives_.find(id);
    return found == narratives_.end() ? postmortem::Narrative{} : found->second;
  }

  Answer<postmortem::Narrative> put_narrative(std::int64_t id,
                                              const postmortem::Narrative& narrative,
                                              std::int64_t expected_version,
                                              const std::string& actor) override {
    std::lock_guard lock(mutex_);
    last_actor_ = actor;
    if (!exists(id))
      return missing(id);
    postmortem::Narrative& stored = narratives_[id];
    if (conflicts_ > 0) {
      --conflicts_;
      ++stored.version;
    }
    if (stored.version != expected_version) {
      return Refused{Refusal::kConflict,
                     "the narrative is at version " + std::to_string(stored.version) + ", not " +
                         std::to_string(expected_version),
                     "version"};
    }
    stored = narrative;
    stored.version = expected_version + 1;
    stored.updated_by = actor;
    stored.updated_at = from_unix_seconds(1'800'000'000);
    return stored;
  }

 private:
  bool exists(std::int64_t id) const { return id >= 1 && id <= known_ids_; }
  static Refused missing(std::int64_t id) {
    return Refused{Refusal::kNotFound, "no incident " + std::to_string(id), "id"};
  }

  mutable std::mutex mutex_;
  std::int64_t known_ids_;
  std::map<std::int64_t, postmortem::Narrative> narratives_;
  std::string last_actor_;
  int conflicts_ = 0;
};

}  // namespace sloe::api::testing

// PostmortemStore: the parts of a postmortem only people write (postmortem::Narrative), one row
// per incident, versioned so that two people editing at once cannot overwrite each other.
//
// Table: postmortem_narratives (schema migration 8). The SQLite layer has no JSON library, so the
// list fields (contributing factors, went well/wrong, lucky, links, authors) are stored as a
// length-prefixed encoding: each item as "<byte count>:<bytes>", concatenated, so items may hold
// any text (newlines, colons) and an empty list is the empty string. Times are Unix milliseconds.
// Text is stored as given: the caller redacts it first.
//
// Every method runs in the caller's transaction when there is one, or commits on its own.
// Thread-safety: as for the Database (one thread at a time). Ownership: borrows the Database,
// opened with sloe_migrations() (migration 8 included).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sloe/core/result.h"
#include "sloe/postmortem/document.h"
#include "sloe/store/database.h"

namespace sloe::store {

class PostmortemStore {
 public:
  // Statements are prepared on first use and kept. REQUIRES: db outlives the store.
  explicit PostmortemStore(Database& db);
  ~PostmortemStore();
  PostmortemStore(const PostmortemStore&) = delete;
  PostmortemStore& operator=(const PostmortemStore&) = delete;

  // The stored narrative of an incident (version >= 1), or nullopt when none was written.
  Result<std::optional<postmortem::Narrative>> get(std::int64_t incident_id);

  // Writes narrative (all fields, with its updated_by and updated_at) as version
  // expected_version + 1 over the stored one whose version is expected_version; 0 means "no
  // narrative stored yet". Returns false, writing nothing, when the stored version differs
  // (a concurrent edit won). narrative.version is ignored. REQUIRES: the incident exists
  // (foreign key: an error otherwise).
  Result<bool> put(std::int64_t incident_id, const postmortem::Narrative& narrative,
                   std::int64_t expected_version);

 private:
  struct Statements;
  Database& db_;
  std::unique_ptr<Statements> statements_;
};

// The list encoding of the table (exposed for tests): "<bytes>:<text>" per item.
std::string encode_text_list(const std::vector<std::string>& items);
// Errors name the offset where the encoding breaks.
Result<std::vector<std::string>> decode_text_list(std::string_view encoded);

}  // namespace sloe::store

#include "sloe/store/postmortem_store.h"

#include <charconv>
#include <chrono>
#include <utility>

#include "statements.h"

namespace sloe::store {

using detail::cached;
using detail::from_millis;
using detail::ResetOnExit;
using detail::to_millis;

using postmortem::Narrative;

namespace {

constexpr std::string_view kColumns =
    "summary, root_cause, contributing_factors, resolution, went_well, went_wrong, got_lucky, "
    "links, authors, version, updated_by, updated_at";

// Binds the narrative's fields to parameters first..first+10 (kColumns without version).
Status bind_fields(Statement& statement, int first, const Narrative& narrative) {
  const std::string lists[] = {encode_text_list(narrative.contributing_factors),
                               encode_text_list(narrative.went_well),
                               encode_text_list(narrative.went_wrong),
                               encode_text_list(narrative.got_lucky),
                               encode_text_list(narrative.links),
                               encode_text_list(narrative.authors)};
  Status bound = statement.bind(first, narrative.summary);
  if (bound)
    bound = statement.bind(first + 1, narrative.root_cause);
  if (bound)
    bound = statement.bind(first + 2, narrative.resolution);
  for (int i = 0; i < 6 && bound; ++i)
    bound = statement.bind(first + 3 + i, std::string_view(lists[i]));
  if (bound)
    bound = statement.bind(first + 9, narrative.updated_by);
  if (bound) {
    bound = narrative.updated_at ? statement.bind(first + 10, to_millis(*narrative.updated_at))
                                 : statement.bind(first + 10, nullptr);
  }
  return bound;
}

Result<Narrative> read_narrative(const Statement& row, std::int64_t incident_id) {
  Narrative narrative;
  const auto list = [&](int column, const char* name, std::vector<std::string>& out) -> Status {
    auto decoded = decode_text_list(row.column_text(column));
    if (!decoded) {
      return Error{"postmortem narrative of incident " + std::to_string(incident_id) +
                   " has an unreadable " + name + ": " + decoded.error().message};
    }
    out = std::move(decoded).value();
    return {};
  };
  narrative.summary = row.column_text(0);
  narrative.root_cause = row.column_text(1);
  if (Status read = list(2, "contributing_factors", narrative.contributing_factors); !read)
    return read.error();
  narrative.resolution = row.column_text(3);
  if (Status read = list(4, "went_well", narrative.went_well); !read)
    return read.error();
  if (Status read = list(5, "went_wrong", narrative.went_wrong); !read)
    return read.error();
  if (Status read = list(6, "got_lucky", narrative.got_lucky); !read)
    return read.error();
  if (Status read = list(7, "links", narrative.links); !read)
    return read.error();
  if (Status read = list(8, "authors", narrative.authors); !read)
    return read.error();
  narrative.version = row.column_int64(9);
  narrative.updated_by = row.column_text(10);
  if (!row.column_is_null(11))
    narrative.updated_at = from_millis(row.column_int64(11));
  return narrative;
}

}  // namespace

std::string encode_text_list(const std::vector<std::string>& items) {
  std::string encoded;
  for (const std::string& item : items) {
    encoded += std::to_string(item.size());
    encoded += ':';
    encoded += item;
  }
  return encoded;
}

Result<std::vector<std::string>> decode_text_list(std::string_view encoded) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at < encoded.size()) {
    const std::size_t colon = encoded.find(':', at);
    std::size_t length = 0;
    const char* first = encoded.data() + at;
    const char* last = encoded.data() + (colon == std::string_view::npos ? at : colon);
    const auto [end, ec] = std::from_chars(first, last, length);
    if (colon == std::string_view::npos || ec != std::errc{} || end != last || first == last ||
        length > encoded.size() - colon - 1) {
      return Error{"bad list item at byte " + std::to_string(at)};
    }
    items.emplace_back(encoded.substr(colon + 1, length));
    at = colon + 1 + length;
  }
  return items;
}

struct PostmortemStore::Statements {
  std::optional<Statement> select;
  std::optional<Statement> insert;
  std::optional<Statement> update;
};

PostmortemStore::PostmortemStore(Database& db)
    : db_(db), statements_(std::make_unique<Statements>()) {}

PostmortemStore::~PostmortemStore() = default;

Result<std::optional<Narrative>> PostmortemStore::get(std::int64_t incident_id) {
  auto select = cached(
      db_, statements_->select,
      "SELECT " + std::string(kColumns) + " FROM postmortem_narratives WHERE incident_id = ?1");
  if (!select)
    return select.error();
  Statement& statement = **select;
  ResetOnExit reset(statement);
  if (Status bound = statement.bind(1, incident_id); !bound)
    return bound.error();
  auto row = statement.step();
  if (!row) {
    return Error{"reading the postmortem narrative of incident " + std::to_string(incident_id) +
                 ": " + row.error().message};
  }
  if (!*row)
    return std::optional<Narrative>{};
  auto narrative = read_narrative(statement, incident_id);
  if (!narrative)
    return narrative.error();
  return std::optional<Narrative>(std::move(narrative).value());
}

Result<bool> PostmortemStore::put(std::int64_t incident_id, const Narrative& narrative,
                                  std::int64_t expected_version) {
  // A first write may race another first write: the primary key lets one insert win and the
  // other change nothing (ON CONFLICT DO NOTHING), which reads as stale like a version mismatch.
  auto statement =
      expected_version == 0
          ? cached(db_, statements_->insert,
                   "INSERT INTO postmortem_narratives(incident_id, version, summary, root_cause, "
                   "resolution, contributing_factors, went_well, went_wrong, got_lucky, links, "
                   "authors, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                   "?10, ?11, ?12, ?13) ON CONFLICT(incident_id) DO NOTHING")
          : cached(db_, statements_->update,
                   "UPDATE postmortem_narratives SET version = ?2, summary = ?3, root_cause = ?4, "
                   "resolution = ?5, contributing_factors = ?6, went_well = ?7, went_wrong = ?8, "
                   "got_lucky = ?9, links = ?10, authors = ?11, updated_by = ?12, "
                   "updated_at = ?13 WHERE incident_id = ?1 AND version = ?14");
  if (!statement)
    return statement.error();
  Statement& write = **statement;
  ResetOnExit reset(write);
  Status bound = write.bind(1, incident_id);
  if (bound)
    bound = write.bind(2, expected_version + 1);
  if (bound)
    bound = bind_fields(write, 3, narrative);
  if (bound && expected_version != 0)
    bound = write.bind(14, expected_version);
  if (!bound)
    return bound.error();
  auto done = write.step();
  if (!done) {
    return Error{"writing the postmortem narrative of incident " + std::to_string(incident_id) +
                 ": " + done.error().message};
  }
  return db_.changes() == 1;
}

}  // namespace sloe::store

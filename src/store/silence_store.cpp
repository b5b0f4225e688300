#include "sloe/store/silence_store.h"

#include "sloe/core/time_format.h"

namespace sloe::store {
namespace {

std::string time_text(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kNanos);
}

}  // namespace

Status SilenceStore::put_all(const std::vector<SilenceRecord>& records) {
  Status written = db_.transaction([&](Database& db) -> Status {
    auto upsert = db.prepare(
        "INSERT OR REPLACE INTO silences(id, matchers, starts_at, ends_at, created_by, comment, "
        "updated_at) VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!upsert)
      return upsert.error();
    for (const SilenceRecord& record : records) {
      upsert->reset();
      const std::string starts_at = time_text(record.starts_at);
      const std::string ends_at = time_text(record.ends_at);
      const std::string updated_at = time_text(record.updated_at);
      Status bound = upsert->bind(1, std::string_view(record.id));
      if (bound)
        bound = upsert->bind(2, std::string_view(record.matchers));
      if (bound)
        bound = upsert->bind(3, std::string_view(starts_at));
      if (bound)
        bound = upsert->bind(4, std::string_view(ends_at));
      if (bound)
        bound = upsert->bind(5, std::string_view(record.created_by));
      if (bound)
        bound = upsert->bind(6, std::string_view(record.comment));
      if (bound)
        bound = upsert->bind(7, std::string_view(updated_at));
      if (!bound)
        return bound;
      if (auto done = upsert->step(); !done)
        return Error{"silence " + record.id + ": " + done.error().message};
    }
    return {};
  });
  if (!written)
    return Error{"saving silences: " + written.error().message};
  return {};
}

Result<std::vector<SilenceRecord>> SilenceStore::load_all() {
  auto select = db_.prepare(
      "SELECT id, matchers, starts_at, ends_at, created_by, comment, updated_at FROM silences "
      "ORDER BY id");
  if (!select)
    return Error{"loading silences: " + select.error().message};
  std::vector<SilenceRecord> records;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"loading silences: " + row.error().message};
    if (!*row)
      break;
    SilenceRecord record;
    record.id = select->column_text(0);
    record.matchers = select->column_text(1);
    auto starts_at = parse_rfc3339(select->column_text(2));
    auto ends_at = parse_rfc3339(select->column_text(3));
    auto updated_at = parse_rfc3339(select->column_text(6));
    if (!starts_at || !ends_at || !updated_at)
      return Error{"loading silences: unreadable time in silence " + record.id};
    record.starts_at = *starts_at;
    record.ends_at = *ends_at;
    record.created_by = select->column_text(4);
    record.comment = select->column_text(5);
    record.updated_at = *updated_at;
    records.push_back(std::move(record));
  }
  return records;
}

Status SilenceStore::remove(const std::vector<std::string>& ids) {
  Status removed = db_.transaction([&](Database& db) -> Status {
    auto remove = db.prepare("DELETE FROM silences WHERE id = ?");
    if (!remove)
      return remove.error();
    for (const std::string& id : ids) {
      remove->reset();
      if (Status bound = remove->bind(1, std::string_view(id)); !bound)
        return bound;
      if (auto done = remove->step(); !done)
        return done.error();
    }
    return {};
  });
  if (!removed)
    return Error{"removing silences: " + removed.error().message};
  return {};
}

}  // namespace sloe::store

#include "sloe/store/override_store.h"

#include "sloe/core/time_format.h"

namespace sloe::store {
namespace {

std::string time_text(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kNanos);
}

}  // namespace

Status OverrideStore::put(const OverrideRecord& record) {
  auto upsert = db_.prepare(
      "INSERT OR REPLACE INTO oncall_overrides(id, schedule, mode, user, replaces, starts_at, "
      "ends_at, created_by, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!upsert)
    return Error{"saving override " + record.id + ": " + upsert.error().message};
  const std::string starts_at = time_text(record.starts_at);
  const std::string ends_at = time_text(record.ends_at);
  const std::string created_at = time_text(record.created_at);
  const std::string_view values[] = {record.id,   record.schedule,   record.mode,
                                     record.user, record.replaces,   starts_at,
                                     ends_at,     record.created_by, created_at};
  int index = 1;
  for (const std::string_view value : values) {
    if (Status bound = upsert->bind(index++, value); !bound)
      return Error{"saving override " + record.id + ": " + bound.error().message};
  }
  if (auto done = upsert->step(); !done)
    return Error{"saving override " + record.id + ": " + done.error().message};
  return {};
}

Status OverrideStore::remove(const std::vector<std::string>& ids) {
  Status removed = db_.transaction([&](Database& db) -> Status {
    auto remove = db.prepare("DELETE FROM oncall_overrides WHERE id = ?");
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
    return Error{"removing overrides: " + removed.error().message};
  return {};
}

Result<std::vector<OverrideRecord>> OverrideStore::load_all() {
  auto select = db_.prepare(
      "SELECT id, schedule, mode, user, replaces, starts_at, ends_at, created_by, created_at "
      "FROM oncall_overrides ORDER BY starts_at, id");
  if (!select)
    return Error{"loading overrides: " + select.error().message};
  std::vector<OverrideRecord> records;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"loading overrides: " + row.error().message};
    if (!*row)
      break;
    OverrideRecord record;
    record.id = select->column_text(0);
    record.schedule = select->column_text(1);
    record.mode = select->column_text(2);
    record.user = select->column_text(3);
    record.replaces = select->column_text(4);
    auto starts_at = parse_rfc3339(select->column_text(5));
    auto ends_at = parse_rfc3339(select->column_text(6));
    auto created_at = parse_rfc3339(select->column_text(8));
    if (!starts_at || !ends_at || !created_at)
      return Error{"loading overrides: unreadable time in override " + record.id};
    record.starts_at = *starts_at;
    record.ends_at = *ends_at;
    record.created_by = select->column_text(7);
    record.created_at = *created_at;
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace sloe::store

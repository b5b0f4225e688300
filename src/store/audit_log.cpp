#include <chrono>

#include "sloe/store/incident_store.h"

namespace sloe::store {
namespace {

std::int64_t unix_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_millis(std::int64_t millis) {
  return TimePoint{
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(millis))};
}

}  // namespace

Status AuditLog::append(const AuditEntry& entry) {
  auto insert = db_.prepare(
      "INSERT INTO audit_log(at, actor, role, method, path, status, remote, detail) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert)
    return Error{"writing the audit log: " + insert.error().message};
  Status bound = insert->bind(1, unix_millis(entry.at));
  const std::string_view texts[] = {entry.actor, entry.role, entry.method, entry.path};
  for (int i = 0; bound && i < 4; ++i)
    bound = insert->bind(2 + i, texts[i]);
  if (bound)
    bound = insert->bind(6, entry.status);
  if (bound)
    bound = insert->bind(7, std::string_view(entry.remote));
  if (bound)
    bound = insert->bind(8, std::string_view(entry.detail));
  if (!bound)
    return Error{"writing the audit log: " + bound.error().message};
  if (auto done = insert->step(); !done)
    return Error{"writing the audit log: " + done.error().message};
  return {};
}

Result<std::vector<AuditEntry>> AuditLog::list(std::int64_t before_id, std::size_t limit) {
  auto select = db_.prepare(
      "SELECT id, at, actor, role, method, path, status, remote, detail FROM audit_log "
      "WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2");
  if (!select)
    return Error{"reading the audit log: " + select.error().message};
  if (Status bound = select->bind(1, before_id); !bound)
    return Error{"reading the audit log: " + bound.error().message};
  if (Status bound = select->bind(2, limit); !bound)
    return Error{"reading the audit log: " + bound.error().message};
  std::vector<AuditEntry> entries;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"reading the audit log: " + row.error().message};
    if (!*row)
      break;
    AuditEntry entry;
    entry.id = select->column_int64(0);
    entry.at = from_unix_millis(select->column_int64(1));
    entry.actor = select->column_text(2);
    entry.role = select->column_text(3);
    entry.method = select->column_text(4);
    entry.path = select->column_text(5);
    entry.status = static_cast<int>(select->column_int64(6));
    entry.remote = select->column_text(7);
    entry.detail = select->column_text(8);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace sloe::store

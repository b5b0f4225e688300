#include "sloe/store/sli_snapshots.h"

#include <set>

#include "sloe/core/time_format.h"

namespace sloe::store {

Status SliSnapshotStore::put_all(const std::vector<std::pair<std::string, std::string>>& snapshots,
                                 TimePoint saved_at) {
  const std::string saved_at_text = format_rfc3339(saved_at);
  Status written = db_.transaction([&](Database& db) -> Status {
    auto upsert = db.prepare(
        "INSERT INTO sli_snapshots(slo, data, saved_at) VALUES(?, ?, ?) "
        "ON CONFLICT(slo) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at");
    if (!upsert)
      return upsert.error();
    for (const auto& [slo, data] : snapshots) {
      upsert->reset();
      if (Status s = upsert->bind(1, std::string_view(slo)); !s)
        return s;
      if (Status s = upsert->bind(2, Blob{data}); !s)
        return s;
      if (Status s = upsert->bind(3, std::string_view(saved_at_text)); !s)
        return s;
      if (auto done = upsert->step(); !done) {
        return Error{"slo " + slo + ": " + done.error().message};
      }
    }
    return {};
  });
  if (!written)
    return Error{"saving SLI snapshots: " + written.error().message};
  return {};
}

Result<std::map<std::string, std::string>> SliSnapshotStore::load_all() {
  auto select = db_.prepare("SELECT slo, data FROM sli_snapshots");
  if (!select)
    return Error{"loading SLI snapshots: " + select.error().message};
  std::map<std::string, std::string> snapshots;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"loading SLI snapshots: " + row.error().message};
    if (!*row)
      break;
    snapshots.emplace(select->column_text(0), select->column_blob(1));
  }
  return snapshots;
}

Status SliSnapshotStore::remove_except(const std::vector<std::string>& keep) {
  const std::set<std::string, std::less<>> kept(keep.begin(), keep.end());
  Status removed = db_.transaction([&](Database& db) -> Status {
    std::vector<std::string> stale;
    {
      auto select = db.prepare("SELECT slo FROM sli_snapshots");
      if (!select)
        return select.error();
      while (true) {
        auto row = select->step();
        if (!row)
          return row.error();
        if (!*row)
          break;
        std::string slo = select->column_text(0);
        if (!kept.contains(slo))
          stale.push_back(std::move(slo));
      }
    }
    auto remove = db.prepare("DELETE FROM sli_snapshots WHERE slo = ?");
    if (!remove)
      return remove.error();
    for (const std::string& slo : stale) {
      remove->reset();
      if (Status s = remove->bind(1, std::string_view(slo)); !s)
        return s;
      if (auto done = remove->step(); !done)
        return done.error();
    }
    return {};
  });
  if (!removed)
    return Error{"removing stale SLI snapshots: " + removed.error().message};
  return {};
}

}  // namespace sloe::store

// Helpers every table store uses around Statement (internal to the store module; not installed):
// times as integer Unix milliseconds, binding a row's values in order, statements prepared once
// and reset after each use.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sloe/core/clock.h"
#include "sloe/core/result.h"
#include "sloe/store/database.h"

namespace sloe::store::detail {

inline std::int64_t to_millis(TimePoint t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline TimePoint from_millis(std::int64_t millis) {
  return TimePoint{
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(millis))};
}

// Resets a statement when the scope ends, so a cached statement never holds a read snapshot (a
// stale snapshot would make this connection's next write fail with SQLITE_BUSY_SNAPSHOT).
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { statement_.reset(); }

 private:
  Statement& statement_;
};

// A value to bind, in parameter order.
using Value = std::variant<std::int64_t, std::string_view, std::nullptr_t>;

inline Value optional_millis(const std::optional<TimePoint>& t) {
  if (t)
    return to_millis(*t);
  return nullptr;
}

// Binds values to parameters 1, 2, ... in order.
inline Status bind_all(Statement& statement, std::initializer_list<Value> values) {
  int index = 1;
  for (const Value& value : values) {
    Status bound = std::visit([&](const auto& v) { return statement.bind(index, v); }, value);
    if (!bound)
      return bound;
    ++index;
  }
  return {};
}

inline std::optional<TimePoint> column_optional_time(const Statement& statement, int column) {
  if (statement.column_is_null(column))
    return std::nullopt;
  return from_millis(statement.column_int64(column));
}

// Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
inline Status run_to_end(Statement& statement) {
  auto done = statement.step();
  if (!done)
    return done.error();
  return {};
}

// The statement in slot, prepared on first use.
inline Result<Statement*> cached(Database& db, std::optional<Statement>& slot,
                                 std::string_view sql) {
  if (!slot) {
    auto prepared = db.prepare(sql);
    if (!prepared)
      return prepared.error();
    slot.emplace(std::move(prepared).value());
  }
  return &*slot;
}

// Steps select to its end, reading each row with read: a Result<Row>(const Statement&). A SQLite
// error stops it and is returned prefixed by `what` (as is, when `what` is empty).
template <typename Row, typename Read>
Result<std::vector<Row>> read_all(Statement& select, const std::string& what, const Read& read) {
  std::vector<Row> rows;
  while (true) {
    auto row = select.step();
    if (!row)
      return what.empty() ? row.error() : Error{what + ": " + row.error().message};
    if (!*row)
      return rows;
    auto value = read(select);
    if (!value)
      return value.error();
    rows.push_back(std::move(value).value());
  }
}

}  // namespace sloe::store::detail

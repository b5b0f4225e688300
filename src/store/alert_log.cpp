#include "sloe/store/alert_log.h"

#include "sloe/core/time_format.h"
#include "stored_text.h"

namespace sloe::store {
namespace {

std::string time_text(TimePoint t) {
  return format_rfc3339(t, Rfc3339Precision::kNanos);
}

using detail::fingerprint_text;

Result<std::uint64_t> parse_fingerprint(const std::string& text) {
  if (text.size() != 16)
    return Error{"fingerprint '" + text + "' is not 16 hex digits"};
  std::uint64_t value = 0;
  for (const char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return Error{"fingerprint '" + text + "' is not 16 hex digits"};
    }
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return value;
}

void append_escaped(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

std::string encode_labels(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first)
      out.push_back(',');
    first = false;
    out += name;
    out += "=\"";
    append_escaped(out, value);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Result<Labels> decode_labels(std::string_view text) {
  const auto fail = [&](std::size_t at, const std::string& what) -> Error {
    return Error{"stored label set '" + std::string(text) + "': " + what + " at offset " +
                 std::to_string(at)};
  };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}')
    return fail(0, "not enclosed in {}");
  Labels labels;
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  while (i < end) {
    const std::size_t eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= end || text[eq + 1] != '"')
      return fail(i, "expected name=\"value\"");
    std::string name(text.substr(i, eq - i));
    std::string value;
    i = eq + 2;
    bool closed = false;
    while (i < end) {
      const char c = text[i++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (i >= end)
        return fail(i, "dangling escape");
      const char escaped = text[i++];
      value.push_back(escaped == 'n' ? '\n' : escaped);
    }
    if (!closed)
      return fail(i, "unterminated value");
    labels.emplace(std::move(name), std::move(value));
    if (i < end) {
      if (text[i] != ',')
        return fail(i, "expected ','");
      ++i;
    }
  }
  return labels;
}

Status AlertLog::upsert(const std::vector<AlertRecord>& records) {
  Status written = db_.transaction([&](Database& db) -> Status {
    auto upsert = db.prepare(
        "INSERT INTO received_alerts(fingerprint, starts_at, labels, annotations, ends_at, "
        "generator_url, source, received_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(fingerprint, starts_at) DO UPDATE SET labels = excluded.labels, "
        "annotations = excluded.annotations, ends_at = excluded.ends_at, "
        "generator_url = excluded.generator_url, source = excluded.source, "
        "received_at = excluded.received_at");
    if (!upsert)
      return upsert.error();
    for (const AlertRecord& record : records) {
      upsert->reset();
      const std::string fingerprint = fingerprint_text(record.fingerprint);
      const std::string starts_at = time_text(record.starts_at);
      const std::string labels = encode_labels(record.labels);
      const std::string annotations = encode_labels(record.annotations);
      const std::string received_at = time_text(record.received_at);
      Status bound = upsert->bind(1, std::string_view(fingerprint));
      if (bound)
        bound = upsert->bind(2, std::string_view(starts_at));
      if (bound)
        bound = upsert->bind(3, std::string_view(labels));
      if (bound)
        bound = upsert->bind(4, std::string_view(annotations));
      if (bound) {
        bound = record.ends_at ? upsert->bind(5, std::string_view(time_text(*record.ends_at)))
                               : upsert->bind(5, nullptr);
      }
      if (bound)
        bound = upsert->bind(6, std::string_view(record.generator_url));
      if (bound)
        bound = upsert->bind(7, std::string_view(record.source));
      if (bound)
        bound = upsert->bind(8, std::string_view(received_at));
      if (!bound)
        return bound;
      if (auto done = upsert->step(); !done)
        return Error{"alert " + fingerprint + ": " + done.error().message};
    }
    return {};
  });
  if (!written)
    return Error{"recording received alerts: " + written.error().message};
  return {};
}

Result<std::vector<AlertRecord>> AlertLog::load_active(TimePoint now) {
  auto select = db_.prepare(
      "SELECT fingerprint, starts_at, labels, annotations, ends_at, generator_url, source, "
      "received_at FROM received_alerts WHERE ends_at IS NULL OR ends_at > ? "
      "ORDER BY received_at");
  if (!select)
    return Error{"loading received alerts: " + select.error().message};
  const std::string now_text = time_text(now);
  if (Status bound = select->bind(1, std::string_view(now_text)); !bound)
    return bound.error();
  std::vector<AlertRecord> records;
  while (true) {
    auto row = select->step();
    if (!row)
      return Error{"loading received alerts: " + row.error().message};
    if (!*row)
      break;
    AlertRecord record;
    auto fingerprint = parse_fingerprint(select->column_text(0));
    auto starts_at = parse_rfc3339(select->column_text(1));
    auto labels = decode_labels(select->column_text(2));
    auto annotations = decode_labels(select->column_text(3));
    auto received_at = parse_rfc3339(select->column_text(7));
    if (!fingerprint || !starts_at || !labels || !annotations || !received_at) {
      return Error{"loading received alerts: unreadable row for fingerprint " +
                   select->column_text(0)};
    }
    record.fingerprint = *fingerprint;
    record.starts_at = *starts_at;
    record.labels = std::move(labels).value();
    record.annotations = std::move(annotations).value();
    if (!select->column_is_null(4)) {
      auto ends_at = parse_rfc3339(select->column_text(4));
      if (!ends_at)
        return Error{"loading received alerts: " + ends_at.error().message};
      record.ends_at = *ends_at;
    }
    record.generator_url = select->column_text(5);
    record.source = select->column_text(6);
    record.received_at = *received_at;
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::int64_t> AlertLog::prune_resolved(TimePoint before) {
  auto remove =
      db_.prepare("DELETE FROM received_alerts WHERE ends_at IS NOT NULL AND ends_at <= ?");
  if (!remove)
    return Error{"pruning received alerts: " + remove.error().message};
  const std::string before_text = time_text(before);
  if (Status bound = remove->bind(1, std::string_view(before_text)); !bound)
    return bound.error();
  if (auto done = remove->step(); !done)
    return Error{"pruning received alerts: " + done.error().message};
  return db_.changes();
}

}  // namespace sloe::store

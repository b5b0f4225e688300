// AuditWriter: the agent's audit trail — the API router hands it one record per mutating request
// (api::AuditSink) from the server's threads; it queues them and writes them to the audit_log
// table (store::AuditLog) in batches, one transaction each, on its own thread and through its own
// database connection, so a request never waits for the disk. It also answers
// GET /api/v1/audit (api::AuditReader).
//
// Nothing is lost silently: when the queue is full a record is dropped and counted, and the
// count is reported through Options::warn; a batch that cannot be written (after one retry) is
// reported the same way. stop() writes everything still queued.
//
// Thread-safety: record(), list(), flush() and the counters from any thread; start() and stop()
// from the owner. REQUIRES: stop() (or destruction) after the server that records into it stops.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sloe/api/auth.h"
#include "sloe/core/result.h"

namespace sloe::app {

class AuditWriter final : public api::AuditSink, public api::AuditReader {
 public:
  struct Options {
    std::size_t queue_capacity = 65536;
    std::size_t batch_size = 512;
    // Queue overflow and write failures; null: spdlog::warn.
    std::function<void(const std::string&)> warn;
  };

  // Opens its own connection to the database at db_path (with sloe's migrations).
  static Result<std::unique_ptr<AuditWriter>> open(const std::string& db_path, Options options);
  ~AuditWriter() override;
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Starts the writer thread. Before start(), records wait in the queue.
  void start();
  // Writes everything queued, then stops the thread. Idempotent.
  void stop();

  void record(api::AuditRecord record) override;
  // Writes what is queued first, so a caller reads its own requests.
  Result<std::vector<api::StoredAuditRecord>> list(std::int64_t before_id,
                                                   std::size_t limit) const override;
  // Blocks until every record queued before the call has been written (or reported lost).
  void flush() const;

  std::uint64_t written() const;
  std::uint64_t dropped() const;  // queue overflow and failed writes

  struct Impl;

 private:
  explicit AuditWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sloe::app

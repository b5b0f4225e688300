#include "sloe/app/audit_writer.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "sloe/store/database.h"
#include "sloe/store/incident_store.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

store::AuditEntry to_entry(const api::AuditRecord& record) {
  store::AuditEntry entry;
  entry.at = record.at;
  entry.actor = record.principal.name;
  entry.role = record.principal.role;
  entry.method = record.method;
  entry.path = record.path;
  entry.status = record.status;
  entry.remote = record.remote;
  return entry;
}

api::StoredAuditRecord from_entry(const store::AuditEntry& entry) {
  api::StoredAuditRecord stored;
  stored.id = entry.id;
  stored.record.at = entry.at;
  stored.record.principal = api::Principal{entry.actor, entry.role};
  stored.record.method = entry.method;
  stored.record.path = entry.path;
  stored.record.status = entry.status;
  stored.record.remote = entry.remote;
  return stored;
}

}  // namespace

struct AuditWriter::Impl {
  // Takes up to one batch off the queue, with the overflow count not yet reported.
  // REQUIRES: mutex held.
  std::vector<api::AuditRecord> take_batch(std::uint64_t& overflow) {
    const auto count = static_cast<std::ptrdiff_t>(
        std::min(queue.size(), std::max<std::size_t>(options.batch_size, 1)));
    std::vector<api::AuditRecord> batch(std::make_move_iterator(queue.begin()),
                                        std::make_move_iterator(queue.begin() + count));
    queue.erase(queue.begin(), queue.begin() + count);
    overflow = std::exchange(unreported_overflow, 0);
    return batch;
  }

  // Writes a batch in one transaction (retried once), then accounts for it.
  // REQUIRES: mutex not held.
  void write(std::vector<api::AuditRecord> batch, std::uint64_t overflow) {
    if (overflow > 0) {
      warn("audit log: " + std::to_string(overflow) +
           " records dropped because the write queue was full (" +
           std::to_string(options.queue_capacity) + " records)");
    }
    Status status;
    if (!batch.empty()) {
      const std::lock_guard db_lock(db_mutex);
      for (int attempt = 0; attempt < 2; ++attempt) {
        status = db->transaction([&batch](store::Database& database) -> Status {
          store::AuditLog log(database);
          for (const api::AuditRecord& record : batch) {
            if (Status appended = log.append(to_entry(record)); !appended)
              return appended;
          }
          return {};
        });
        if (status)
          break;
      }
    }
    if (!status) {
      warn("audit log: " + std::to_string(batch.size()) +
           " records lost, writing them failed twice: " + status.error().message);
    }
    const std::lock_guard lock(mutex);
    (status ? written : dropped) += batch.size();
    processed += batch.size();
    progress.notify_all();
  }

  void run() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [this] { return stopping || !queue.empty() || unreported_overflow > 0; });
      if (queue.empty() && unreported_overflow == 0 && stopping)
        return;
      std::uint64_t overflow = 0;
      std::vector<api::AuditRecord> batch = take_batch(overflow);
      lock.unlock();
      write(std::move(batch), overflow);
      lock.lock();
    }
  }

  // Returns once every record accepted before the call is processed; without the writer thread,
  // the calling thread writes them.
  void flush() {
    std::unique_lock lock(mutex);
    const std::uint64_t target = accepted;
    while (processed < target) {
      if (!running && !queue.empty()) {
        std::uint64_t overflow = 0;
        std::vector<api::AuditRecord> batch = take_batch(overflow);
        lock.unlock();
        write(std::move(batch), overflow);
        lock.lock();
      } else {
        progress.wait(lock);
      }
    }
  }

  void warn(const std::string& message) const {
    if (options.warn) {
      options.warn(message);
    } else {
      spdlog::warn("{}", message);
    }
  }

  Options options;
  std::unique_ptr<store::Database> db;
  std::mutex db_mutex;  // the connection: writer thread and list()

  std::mutex mutex;                  // everything below
  std::condition_variable wake;      // the writer: records queued, or stopping
  std::condition_variable progress;  // flush(): processed advanced
  std::deque<api::AuditRecord> queue;
  std::uint64_t accepted = 0;   // records ever queued
  std::uint64_t processed = 0;  // records taken off the queue and written or lost
  std::uint64_t written = 0;
  std::uint64_t dropped = 0;
  std::uint64_t unreported_overflow = 0;
  bool running = false;
  bool stopping = false;
  std::thread thread;
};

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(const std::string& db_path,
                                                       Options options) {
  auto db = store::Database::open(db_path, store::sloe_migrations());
  if (!db)
    return Error{"audit log: " + db.error().message};
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->db = std::move(db).value();
  return std::unique_ptr<AuditWriter>(new AuditWriter(std::move(impl)));
}

AuditWriter::AuditWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditWriter::~AuditWriter() {
  stop();
}

void AuditWriter::start() {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->running)
    return;
  impl_->running = true;
  impl_->stopping = false;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void AuditWriter::stop() {
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->running = false;
  }
  impl_->flush();  // whatever arrived after the thread's last look
}

void AuditWriter::record(api::AuditRecord record) {
  {
    const std::lock_guard lock(impl_->mutex);
    if (impl_->queue.size() >= impl_->options.queue_capacity) {
      ++impl_->unreported_overflow;
      ++impl_->dropped;
    } else {
      impl_->queue.push_back(std::move(record));
      ++impl_->accepted;
    }
  }
  impl_->wake.notify_one();
}

Result<std::vector<api::StoredAuditRecord>> AuditWriter::list(std::int64_t before_id,
                                                              std::size_t limit) const {
  impl_->flush();
  const std::lock_guard db_lock(impl_->db_mutex);
  auto entries = store::AuditLog(*impl_->db).list(before_id, limit);
  if (!entries)
    return entries.error();
  std::vector<api::StoredAuditRecord> records;
  records.reserve(entries->size());
  for (const store::AuditEntry& entry : entries.value())
    records.push_back(from_entry(entry));
  return records;
}

void AuditWriter::flush() const {
  impl_->flush();
}

std::uint64_t AuditWriter::written() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->written;
}

std::uint64_t AuditWriter::dropped() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->dropped;
}

}  // namespace sloe::app

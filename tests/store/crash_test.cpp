// A writer process dies abruptly; every commit it acknowledged must be there on reopen.
//
// The child acknowledges a row over a pipe only after transaction() returned ok, the way the agent
// acknowledges a request only after the store committed. The parent then reopens the file (WAL
// recovery runs) and checks each acknowledged row. Dying by _exit()/SIGKILL loses what is in the
// process but not what the kernel holds; power loss is covered by synchronous=FULL, which
// DatabaseOpen.CreatesTheFileInWalModeWithDurableSettings checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sloe/store/database.h"
#include "temp_dir.h"

namespace sloe::store {
namespace {

using testing::TempDir;

const std::vector<Migration> kEventsSchema{
    {1, "events", "CREATE TABLE events(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"},
};

enum ChildExit { kChildOk = 0, kChildOpenFailed = 10, kChildWriteFailed = 11 };

Status insert_event(Database& db, std::int64_t id) {
  auto insert = db.prepare("INSERT INTO events(id, payload) VALUES(?, ?)");
  if (!insert)
    return insert.error();
  const std::string payload(512, static_cast<char>('a' + id % 26));
  if (Status s = insert->bind(1, id); !s)
    return s;
  if (Status s = insert->bind(2, Blob{payload}); !s)
    return s;
  auto done = insert->step();
  if (!done)
    return done.error();
  return {};
}

// Runs in the child: commits rows 1..committed_rows, acknowledging each, then (when
// leave_open_transaction) writes more rows in a transaction it never commits and _exit()s.
// Never returns. REQUIRES: the parent holds no SQLite connection (none may cross a fork).
[[noreturn]] void child_writer(const std::string& path, int ack_fd, std::int64_t committed_rows,
                               bool leave_open_transaction) {
  auto opened = Database::open(path, kEventsSchema);
  if (!opened)
    _exit(kChildOpenFailed);
  Database& db = **opened;
  for (std::int64_t id = 1; id <= committed_rows; ++id) {
    if (!db.transaction([id](Database& tx) { return insert_event(tx, id); })) {
      _exit(kChildWriteFailed);
    }
    if (write(ack_fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id))
      _exit(kChildWriteFailed);
  }
  if (leave_open_transaction) {
    if (!db.exec("BEGIN IMMEDIATE"))
      _exit(kChildWriteFailed);
    for (std::int64_t id = committed_rows + 1; id <= committed_rows + 20; ++id) {
      if (!insert_event(db, id))
        _exit(kChildWriteFailed);
    }
  }
  _exit(kChildOk);  // no destructors: the connection is never closed, the WAL never checkpointed
}

// Reads acknowledgements until the writer's end of the pipe closes.
std::vector<std::int64_t> read_acks(int fd, std::size_t stop_after = SIZE_MAX) {
  std::vector<std::int64_t> acked;
  std::int64_t id = 0;
  while (acked.size() < stop_after && read(fd, &id, sizeof id) == static_cast<ssize_t>(sizeof id)) {
    acked.push_back(id);
  }
  return acked;
}

std::set<std::int64_t> stored_ids(const std::string& path) {
  auto db = Database::open(path, kEventsSchema);
  EXPECT_TRUE(db.ok()) << db.error().message;
  std::set<std::int64_t> ids;
  if (!db)
    return ids;
  auto integrity = (*db)->prepare("PRAGMA integrity_check");
  EXPECT_TRUE(integrity.ok() && integrity->step().ok());
  if (integrity) {
    EXPECT_EQ(integrity->column_text(0), "ok");
  }
  auto select = (*db)->prepare("SELECT id, length(payload) FROM events");
  EXPECT_TRUE(select.ok());
  if (!select)
    return ids;
  while (select->step().value()) {
    EXPECT_EQ(select->column_int64(1), 512);
    ids.insert(select->column_int64(0));
  }
  return ids;
}

TEST(DatabaseCrash, AcknowledgedCommitsSurviveAnExitMidTransaction) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    child_writer(path, pipe_fds[1], 60, /*leave_open_transaction=*/true);
  }
  close(pipe_fds[1]);
  const std::vector<std::int64_t> acked = read_acks(pipe_fds[0]);
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), kChildOk);
  ASSERT_EQ(acked.size(), 60u);

  const std::set<std::int64_t> ids = stored_ids(path);
  for (std::int64_t id : acked)
    EXPECT_TRUE(ids.contains(id)) << "acknowledged row " << id;
  EXPECT_EQ(ids.size(), acked.size()) << "rows of the uncommitted transaction leaked";
}

TEST(DatabaseCrash, AcknowledgedCommitsSurviveSigkillMidStream) {
  TempDir dir;
  const std::string path = dir.file("sloe.db");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    child_writer(path, pipe_fds[1], 1'000'000, /*leave_open_transaction=*/false);
  }
  close(pipe_fds[1]);
  std::vector<std::int64_t> acked = read_acks(pipe_fds[0], 40);
  ASSERT_EQ(acked.size(), 40u) << "the writer stopped early";
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  for (std::int64_t id : read_acks(pipe_fds[0]))
    acked.push_back(id);  // acks still in the pipe
  close(pipe_fds[0]);

  const std::set<std::int64_t> ids = stored_ids(path);
  for (std::int64_t id : acked)
    EXPECT_TRUE(ids.contains(id)) << "acknowledged row " << id;
  // At most the one commit in flight when the signal landed is stored but unacknowledged.
  EXPECT_LE(ids.size(), acked.size() + 1);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(*ids.rbegin(), static_cast<std::int64_t>(ids.size())) << "a gap in committed rows";
}

}  // namespace
}  // namespace sloe::store

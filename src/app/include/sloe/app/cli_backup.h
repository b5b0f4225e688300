// `sloe backup` and `sloe restore`: copying the data directory's database while the agent runs,
// and putting such a copy back while it does not.
//
//   sloe backup  --data DIR --out FILE
//     Writes a consistent snapshot of DIR/sloe.db to FILE (online: the agent may keep writing),
//     printing progress in pages, then checks the copy. FILE is replaced only when complete.
//   sloe restore --data DIR --from FILE [--force]
//     Checks FILE (SQLite integrity, a sloe schema no newer than this binary), refuses while a
//     process such as `sloe run` has DIR/sloe.db open, keeps the current database as
//     DIR/sloe.db.before-restore-<UTC time>, and renames the restored copy into place. --force
//     replaces a current database that cannot be read at all (it is kept aside as well).
//
// CLI11 stays out of this header (CLI::App is only declared). Compiled into the sloe executable.
// Thread-safety: call from the main thread only.
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace sloe::app {

// Adds `backup` and `restore` to cli. Returns the function to call after parsing: the command's
// exit code (0 ok, 1 bad arguments, 2 failed) when one of them was chosen, nullopt otherwise.
// REQUIRES: cli outlives the returned function.
std::function<std::optional<int>()> add_backup_commands(CLI::App& cli);

}  // namespace sloe::app

#include "sloe/app/cli_backup.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "sloe/store/database.h"
#include "sloe/store/restore.h"
#include "sloe/store/schema.h"

namespace sloe::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 2;

struct BackupOptions {
  std::string data_dir;
  std::string out;
  std::string from;
  bool force = false;
};

std::string database_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "sloe.db").string();
}

int newest_known_version() {
  return store::sloe_migrations().back().version;
}

int command_backup(const BackupOptions& options) {
  const std::string source = database_path(options.data_dir);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) {
    std::cerr << "error: no database at " << source << " (is --data the agent's data folder?)\n";
    return kExitFailure;
  }
  // Open with the migrations the file already has: a backup must not upgrade the schema under an
  // older agent that is running on it.
  auto version = store::database_schema_version(source);
  if (!version) {
    std::cerr << "error: " << version.error().message << "\n";
    return kExitFailure;
  }
  std::vector<store::Migration> applied;
  for (const store::Migration& migration : store::sloe_migrations()) {
    if (migration.version <= *version)
      applied.push_back(migration);
  }
  if (*version > newest_known_version()) {
    std::cerr << "error: " << source << ": schema version " << *version
              << " is newer than this sloe knows (" << newest_known_version()
              << "); use a newer sloe\n";
    return kExitFailure;
  }
  auto db = store::Database::open(source, applied);
  if (!db) {
    std::cerr << "error: " << db.error().message << "\n";
    return kExitFailure;
  }
  std::int64_t last_reported = -1;
  Status copied = (*db)->backup_to(options.out, [&](std::int64_t copied_pages, std::int64_t total) {
    if (copied_pages == last_reported)
      return;
    last_reported = copied_pages;
    std::cout << "copied " << copied_pages << " of " << total << " pages" << std::endl;
  });
  db->reset();
  if (!copied) {
    std::cerr << "error: " << copied.error().message << "\n";
    return kExitFailure;
  }
  auto checked = store::inspect_database_file(options.out, newest_known_version());
  if (!checked) {
    std::cerr << "error: the backup does not check out: " << checked.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "backed up " << source << " to " << options.out << " (" << checked->page_count
            << " pages, " << checked->size_bytes << " bytes, schema version "
            << checked->schema_version << ")\n";
  return kExitOk;
}

int command_restore(const BackupOptions& options) {
  const std::string target = database_path(options.data_dir);
  store::RestoreOptions restore_options;
  restore_options.force = options.force;
  auto restored = store::restore_database(options.from, target, newest_known_version(),
                                          SystemClock().now(), restore_options);
  if (!restored) {
    std::cerr << "error: " << restored.error().message << "\n";
    return kExitFailure;
  }
  if (!restored->previous_kept_as.empty())
    std::cout << "previous database kept as " << restored->previous_kept_as << "\n";
  std::cout << "restored " << target << " from " << options.from << " ("
            << restored->restored.page_count << " pages, schema version "
            << restored->restored.schema_version << ")\n";
  return kExitOk;
}

}  // namespace

std::function<std::optional<int>()> add_backup_commands(CLI::App& cli) {
  auto options = std::make_shared<BackupOptions>();
  CLI::App* backup = cli.add_subcommand(
      "backup", "Write a consistent copy of the data folder's database (the agent may be running)");
  backup->add_option("--data,-d", options->data_dir, "Data folder (holds sloe.db)")->required();
  backup->add_option("--out,-o", options->out, "Backup file to write")->required();

  CLI::App* restore = cli.add_subcommand(
      "restore", "Replace the data folder's database with a backup (stop the agent first)");
  restore->add_option("--data,-d", options->data_dir, "Data folder (holds sloe.db)")->required();
  restore->add_option("--from,-f", options->from, "Backup file to restore")->required();
  restore->add_flag("--force", options->force,
                    "Replace the current database even when it cannot be read (kept aside)");
  return [options, backup, restore]() -> std::optional<int> {
    if (*backup)
      return command_backup(*options);
    if (*restore)
      return command_restore(*options);
    return std::nullopt;
  };
}

}  // namespace sloe::app

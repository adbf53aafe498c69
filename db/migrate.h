#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "embedded.h"
#include "scim/result.h"

// Schema migrations: numbered SQL files per dialect, compiled into the binary
// (db/migrations/<dialect>/NNNN_name.sql), applied in order at start-up.
namespace db {

struct Migration {
    std::int64_t version = 0;  // NNNN from the file name
    std::string path;          // e.g. "db/migrations/sqlite/0001_initial.sql"
    std::string_view sql;      // the whole file; may hold many statements
};

// The migrations in `files` that belong to `dialect`, sorted by version. Files whose name does
// not start with digits and '_' are ignored; two files with one version give an error.
scim::Result<std::vector<Migration>> MigrationsFor(Dialect dialect,
                                                   std::span<const embedded::File> files);

// Applies every migration of `files` (default: the ones compiled in) that the database has not
// recorded in `schema_migrations (version, applied_at)`, each in its own transaction together
// with its record, so a failed file leaves nothing behind. Safe to call on every start and from
// several processes at once: on PostgreSQL each step holds a transaction-level advisory lock,
// on SQLite BEGIN IMMEDIATE serialises writers. Refuses (500 with a message naming both
// versions) when the database records a version newer than the newest one known here — an
// older binary must not run against a newer schema. Returns the resulting schema version.
scim::Result<std::int64_t> Migrate(Database& database);
scim::Result<std::int64_t> Migrate(Database& database, std::span<const embedded::File> files);

// The highest recorded version, 0 for a database never migrated.
scim::Result<std::int64_t> SchemaVersion(Database& database);

}  // namespace db

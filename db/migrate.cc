#include "db/migrate.h"

#include <algorithm>
#include <cctype>
#include <libpq-fe.h>
#include <string>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "db/timestamp.h"

namespace db {

namespace {

// Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations.
constexpr long long kMigrationLockKey = 0x7363696d64'4d4947;  // "scimdMIG"

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT NOT NULL PRIMARY KEY,"
    " applied_at TEXT NOT NULL)";

// Runs a file of many statements. SOCI prepares one statement at a time (SQLite compiles only
// the first statement of a string; PostgreSQL refuses several commands in one prepared
// statement), so the file goes to the engine's own multi-statement entry point instead: its
// parser splits the file, which handles strings, comments, dollar quotes and trigger bodies
// exactly as the engine does. The caller's transaction stays open around it.
void ExecuteScript(soci::session& session, Dialect dialect, std::string_view sql) {
    const std::string text(sql);
    // The dialect decides the backend type (SOCI exports no typeinfo for a dynamic_cast).
    if (dialect == Dialect::kSqlite) {
        auto* backend = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
        char* message = nullptr;
        const int rc =
            sqlite_api::sqlite3_exec(backend->conn_, text.c_str(), nullptr, nullptr, &message);
        if (rc != 0) {
            std::string what = message != nullptr ? message : "sqlite3_exec failed";
            sqlite_api::sqlite3_free(message);
            throw soci::sqlite3_soci_error(what, rc);
        }
        return;
    }
    auto* backend = static_cast<soci::postgresql_session_backend*>(session.get_backend());
    PGresult* result = PQexec(backend->conn_, text.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        std::string what = PQresultErrorMessage(result);
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        std::string sqlstate = state != nullptr ? state : "XX000";
        PQclear(result);
        throw soci::postgresql_soci_error(what, sqlstate.c_str());
    }
    PQclear(result);
}

void LockMigrations(soci::session& session, Dialect dialect) {
    if (dialect == Dialect::kPostgres) {
        session << "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
    }
}

std::int64_t MaxVersion(soci::session& session) {
    long long version = 0;
    soci::indicator ind = soci::i_null;
    session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
}

bool IsApplied(soci::session& session, std::int64_t version) {
    long long found = 0;
    long long wanted = version;
    session << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(wanted),
        soci::into(found);
    return found > 0;
}

// "db/migrations/sqlite/0001_initial.sql" -> 1; -1 when the name has no NNNN_ prefix.
std::int64_t VersionOf(std::string_view file_name) {
    std::size_t digits = 0;
    while (digits < file_name.size() &&
           std::isdigit(static_cast<unsigned char>(file_name[digits]))) {
        ++digits;
    }
    if (digits == 0 || digits >= file_name.size() || file_name[digits] != '_' || digits > 9) {
        return -1;
    }
    return std::stoll(std::string(file_name.substr(0, digits)));
}

scim::Error TooNew(std::int64_t found, std::int64_t known) {
    std::string message = "database schema version " + std::to_string(found) +
                          " is newer than this scimd knows (" + std::to_string(known) +
                          "); upgrade scimd before starting it on this database";
    return {500, std::nullopt, message, message};
}

// Applies one migration unless another process already did; returns false if it was present.
scim::Status ApplyOne(Database& database, const Migration& migration) {
    return database.WithTransaction([&](soci::session& session) -> scim::Status {
        LockMigrations(session, database.dialect());
        if (IsApplied(session, migration.version)) {
            return scim::Ok{};
        }
        ExecuteScript(session, database.dialect(), migration.sql);
        long long version = migration.version;
        std::string applied_at = UtcNowMillis();
        session << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)",
            soci::use(version), soci::use(applied_at);
        return scim::Ok{};
    });
}

}  // namespace

scim::Result<std::vector<Migration>> MigrationsFor(Dialect dialect,
                                                   std::span<const embedded::File> files) {
    const std::string folder = "db/migrations/" + std::string(DialectName(dialect)) + "/";
    std::vector<Migration> out;
    for (const embedded::File& file : files) {
        if (file.path.substr(0, folder.size()) != folder) {
            continue;
        }
        const std::int64_t version = VersionOf(file.path.substr(folder.size()));
        if (version < 0) {
            continue;
        }
        out.push_back({version, std::string(file.path), file.content});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < out.size(); ++i) {
        if (out[i].version == out[i - 1].version) {
            return scim::Error::Internal("two migrations share version " +
                                         std::to_string(out[i].version) + ": " + out[i - 1].path +
                                         " and " + out[i].path);
        }
    }
    return out;
}

scim::Result<std::int64_t> SchemaVersion(Database& database) {
    return database.WithTransaction([&](soci::session& session) -> scim::Result<std::int64_t> {
        LockMigrations(session, database.dialect());
        if (database.dialect() == Dialect::kPostgres) {
            // IF NOT EXISTS on an existing table raises a NOTICE, which libpq prints to stderr
            // on every start; SET LOCAL keeps the quieter level to this transaction.
            session << "SET LOCAL client_min_messages = warning";
        }
        session << std::string(kCreateMigrationsTable);
        return MaxVersion(session);
    });
}

scim::Result<std::int64_t> Migrate(Database& database) {
    return Migrate(database, migration_data::Files());
}

scim::Result<std::int64_t> Migrate(Database& database, std::span<const embedded::File> files) {
    auto migrations = MigrationsFor(database.dialect(), files);
    if (!migrations.ok()) {
        return std::move(migrations).error();
    }
    const std::int64_t known = migrations->empty() ? 0 : migrations->back().version;
    auto current = SchemaVersion(database);  // also creates schema_migrations
    if (!current.ok()) {
        return std::move(current).error();
    }
    if (*current > known) {
        return TooNew(*current, known);
    }
    for (const Migration& migration : *migrations) {
        if (migration.version <= *current) {
            continue;
        }
        scim::Status applied = ApplyOne(database, migration);
        if (!applied.ok()) {
            scim::Error error = std::move(applied).error();
            error.internal = "migration " + migration.path + " failed: " + error.internal;
            return error;
        }
    }
    return SchemaVersion(database);
}

}  // namespace db

// Checks the real migrations: every key leads with org_id in both dialects, and the two dialects
// describe the same tables, keys and indexes (see docs/operations.md on distributing by org_id).

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "schema_layout/ddl_layout.h"

namespace schema_layout {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDialects[] = {"sqlite", "postgresql"};

fs::path MigrationsDir(std::string_view dialect) {
    const char* source_dir = std::getenv("SCIMD_SOURCE_DIR");
    return fs::path(source_dir == nullptr ? "." : source_dir) / "db" / "migrations" / dialect;
}

// The migration file names of one dialect, in the order they are applied.
std::vector<std::string> MigrationFiles(std::string_view dialect) {
    std::vector<std::string> names;
    const fs::path dir = MigrationsDir(dialect);
    if (!fs::is_directory(dir)) {
        return names;
    }
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".sql") {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Layout LoadLayout(std::string_view dialect) {
    Layout layout;
    for (const std::string& name : MigrationFiles(dialect)) {
        ApplySql(ReadFile(MigrationsDir(dialect) / name), layout);
    }
    return layout;
}

TEST(MigrationsLayoutTest, BothDialectsHaveMigrations) {
    for (const std::string_view dialect : kDialects) {
        EXPECT_FALSE(MigrationFiles(dialect).empty())
            << "no .sql files in " << MigrationsDir(dialect) << " (is SCIMD_SOURCE_DIR set?)";
    }
}

TEST(MigrationsLayoutTest, DialectsHaveTheSameMigrationFiles) {
    EXPECT_EQ(MigrationFiles("sqlite"), MigrationFiles("postgresql"));
}

TEST(MigrationsLayoutTest, EveryKeyLeadsWithOrgId) {
    for (const std::string_view dialect : kDialects) {
        const Layout layout = LoadLayout(dialect);
        // Guards against a reader that silently understood nothing.
        for (const char* table : {"orgs", "users", "groups", "group_members", "tokens"}) {
            EXPECT_EQ(layout.tables.count(table), 1u) << dialect << " lacks table " << table;
        }
        EXPECT_EQ(Violations(layout), std::vector<std::string>{}) << dialect;
    }
}

TEST(MigrationsLayoutTest, DialectsDefineTheSameTablesKeysAndIndexes) {
    const std::set<std::string> sqlite = Describe(LoadLayout("sqlite"));
    const std::set<std::string> postgres = Describe(LoadLayout("postgresql"));
    std::vector<std::string> only_sqlite;
    std::vector<std::string> only_postgres;
    std::set_difference(sqlite.begin(), sqlite.end(), postgres.begin(), postgres.end(),
                        std::back_inserter(only_sqlite));
    std::set_difference(postgres.begin(), postgres.end(), sqlite.begin(), sqlite.end(),
                        std::back_inserter(only_postgres));
    EXPECT_EQ(only_sqlite, std::vector<std::string>{}) << "defined only in sqlite";
    EXPECT_EQ(only_postgres, std::vector<std::string>{}) << "defined only in postgresql";
}

}  // namespace
}  // namespace schema_layout

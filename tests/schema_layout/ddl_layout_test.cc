#include "schema_layout/ddl_layout.h"

#include <gtest/gtest.h>

namespace schema_layout {
namespace {

struct DdlCase {
    std::string_view name;
    std::string_view sql;
};

// Statements whose every key leads with org_id, in the shapes the migrations use or may use.
constexpr DdlCase kGood[] = {
    {"org table keyed by org_id", "CREATE TABLE orgs (org_id TEXT NOT NULL PRIMARY KEY, n TEXT)"},
    {"composite primary key", "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id))"},
    {"named constraints",
     "CREATE TABLE t (org_id TEXT, id TEXT, k TEXT, CONSTRAINT t_pk PRIMARY KEY (org_id, id), "
     "CONSTRAINT t_k UNIQUE (org_id, k))"},
    {"quoted and upper-case names",
     "create table \"t\" (\"org_id\" text, Id text, primary key (ORG_ID, id))"},
    {"foreign key within the org",
     "CREATE TABLE m (org_id TEXT, g TEXT, PRIMARY KEY (org_id, g), "
     "FOREIGN KEY (org_id, g) REFERENCES groups (org_id, id) ON DELETE CASCADE)"},
    {"inline reference to orgs",
     "CREATE TABLE w (org_id TEXT REFERENCES orgs (org_id), "
     "id TEXT, PRIMARY KEY (org_id, id))"},
    {"unique index with sort order",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id));"
     "CREATE UNIQUE INDEX IF NOT EXISTS t_u ON t (org_id DESC, id)"},
    {"non-unique index need not lead with org_id",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id)); CREATE INDEX t_i ON t (id)"},
    {"check constraint is not a key",
     "CREATE TABLE t (org_id TEXT, v INT CHECK (v > 0), PRIMARY KEY (org_id), CHECK (v < 9))"},
    {"key added later",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id));"
     "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (org_id, id)"},
    {"schema_migrations is exempt",
     "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"},
    {"comments and literals with semicolons",
     "-- PRIMARY KEY (id) in a comment\nCREATE TABLE t (org_id TEXT, s TEXT DEFAULT 'a;b', "
     "/* UNIQUE (s) */ PRIMARY KEY (org_id));\nINSERT INTO t VALUES ('x', 'y')"},
};

// Each one breaks the rule in exactly one place.
constexpr DdlCase kBad[] = {
    {"inline primary key on id", "CREATE TABLE t (id TEXT PRIMARY KEY, org_id TEXT)"},
    {"primary key with org_id second",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (id, org_id))"},
    {"global unique constraint",
     "CREATE TABLE t (org_id TEXT, id TEXT, e TEXT, PRIMARY KEY (org_id, id), UNIQUE (e))"},
    {"inline unique column",
     "CREATE TABLE t (org_id TEXT, id TEXT, e TEXT UNIQUE, PRIMARY KEY (org_id, id))"},
    {"global unique index",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id));"
     "CREATE UNIQUE INDEX t_id ON t (id)"},
    {"unique index on an expression",
     "CREATE TABLE t (org_id TEXT, n TEXT, PRIMARY KEY (org_id));"
     "CREATE UNIQUE INDEX t_n ON t USING btree (lower(n), org_id)"},
    {"foreign key by id alone",
     "CREATE TABLE m (org_id TEXT, g TEXT, PRIMARY KEY (org_id, g), "
     "FOREIGN KEY (g) REFERENCES groups (id))"},
    {"foreign key to a column not led by org_id",
     "CREATE TABLE m (org_id TEXT, g TEXT, PRIMARY KEY (org_id, g), "
     "FOREIGN KEY (org_id, g) REFERENCES groups (id, org_id))"},
    {"inline reference by id",
     "CREATE TABLE m (org_id TEXT, g TEXT REFERENCES groups (id), "
     "PRIMARY KEY (org_id, g))"},
    {"table without a primary key", "CREATE TABLE t (org_id TEXT, id TEXT)"},
    {"key added later by id",
     "CREATE TABLE t (org_id TEXT, id TEXT, PRIMARY KEY (org_id, id));"
     "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (id)"},
    {"column added later with a unique flag",
     "CREATE TABLE t (org_id TEXT, PRIMARY KEY (org_id)); ALTER TABLE t ADD COLUMN e TEXT UNIQUE"},
    {"statement the reader does not know", "CREATE TEMPORARY TABLE t (id TEXT PRIMARY KEY)"},
};

TEST(DdlLayoutTest, AcceptsKeysThatLeadWithOrgId) {
    for (const DdlCase& c : kGood) {
        EXPECT_EQ(CheckDdl(c.sql), std::vector<std::string>{}) << c.name << ": " << c.sql;
    }
}

TEST(DdlLayoutTest, RejectsEachKeyThatDoesNotLeadWithOrgId) {
    for (const DdlCase& c : kBad) {
        EXPECT_EQ(CheckDdl(c.sql).size(), 1u) << c.name << ": " << c.sql;
    }
}

TEST(DdlLayoutTest, ReadsColumnsKeysAndIndexes) {
    Layout layout;
    ApplySql(
        "CREATE TABLE users (org_id TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL,"
        " doc JSONB NOT NULL, PRIMARY KEY (org_id, id), UNIQUE (org_id, version));"
        "CREATE INDEX users_v ON users (org_id, version, id);",
        layout);
    ASSERT_EQ(layout.tables.count("users"), 1u);
    const Table& users = layout.tables.at("users");
    EXPECT_EQ(users.columns, (std::vector<std::string>{"org_id", "id", "version", "doc"}));
    ASSERT_EQ(users.keys.size(), 2u);
    EXPECT_EQ(users.keys[0].kind, KeyKind::kPrimary);
    EXPECT_EQ(users.keys[1].columns, (std::vector<std::string>{"org_id", "version"}));
    ASSERT_EQ(layout.indexes.count("users_v"), 1u);
    EXPECT_EQ(layout.indexes.at("users_v").columns,
              (std::vector<std::string>{"org_id", "version", "id"}));
    EXPECT_FALSE(layout.indexes.at("users_v").unique);
}

TEST(DdlLayoutTest, DropRemovesTablesAndTheirIndexes) {
    Layout layout;
    ApplySql(
        "CREATE TABLE t (org_id TEXT, PRIMARY KEY (org_id)); CREATE INDEX t_i ON t (org_id);"
        "DROP TABLE IF EXISTS t;",
        layout);
    EXPECT_TRUE(layout.tables.empty());
    EXPECT_TRUE(layout.indexes.empty());
}

TEST(DdlLayoutTest, DescriptionIgnoresColumnTypesButNotColumns) {
    Layout sqlite;
    Layout postgres;
    Layout renamed;
    ApplySql("CREATE TABLE t (org_id TEXT, doc TEXT, PRIMARY KEY (org_id))", sqlite);
    ApplySql("CREATE TABLE t (org_id TEXT, doc JSONB, PRIMARY KEY (org_id))", postgres);
    ApplySql("CREATE TABLE t (org_id TEXT, body JSONB, PRIMARY KEY (org_id))", renamed);
    EXPECT_EQ(Describe(sqlite), Describe(postgres));
    EXPECT_NE(Describe(sqlite), Describe(renamed));
}

}  // namespace
}  // namespace schema_layout

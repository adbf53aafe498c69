// The plans SQLite picks for the list statements SqlResourceStore runs: lookups read their
// index, and first and deep cursor pages, sorted or not, walk an index in order from the
// cursor's key instead of sorting or skipping rows. The statements are built the way
// db/resource_store.cc builds them (same text, same compilers for filters, order and keyset).
// PostgreSQL has the same checks in explain_pgtest.cc.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/db_fixture.h"
#include "db/sql_filter.h"
#include "scim/filter/filter.h"

namespace db_test {
namespace {

constexpr int kUsers = 20000;
constexpr char kOrg[] = "org-explain";
constexpr char kPageColumns[] = "SELECT id, version, created, last_modified, doc FROM users";

using Binds = std::vector<std::pair<std::string, std::string>>;

class ExplainSqliteTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto registry = schemas::Registry::Load();
        ASSERT_TRUE(registry.ok());
        registry_ = *registry;
        users_ = registry_->FindResourceType("User");
        Load();
    }

    // Users u0000001.. with folded names, externalIds and documents shaped like the ones the
    // store writes, plus another org's users so that org_id is not the only value.
    void Load() {
        for (const char* org : {kOrg, "org-other"}) {
            Exec("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " +
                 std::to_string(kUsers) +
                 ") INSERT INTO users (org_id, id, version, user_name, user_name_key,"
                 " external_id, display_name, active, created, last_modified, doc) SELECT '" +
                 org +
                 "', printf('u%07d', i), 1, printf('Bench%07d@Example.com', i),"
                 " printf('bench%07d@example.com', i), printf('ext-%07d', i), 'Bench ' || i, 1,"
                 " printf('2025-01-01T00:00:%02d.000Z', i % 60),"
                 " printf('2025-01-01T00:00:%02d.000Z', i % 60),"
                 " json_object('userName', printf('Bench%07d@Example.com', i)) FROM s");
        }
        Exec("ANALYZE");
    }

    std::string Plan(const std::string& sql, const Binds& binds) { return SqlitePlan(sql, binds); }

    // `sql` of a fragment with its binds appended to `binds` as text.
    static std::string Append(const db::SqlFragment& fragment, Binds& binds) {
        for (const db::SqlValue& value : fragment.binds) {
            binds.emplace_back("p" + std::to_string(binds.size()), std::get<std::string>(value));
        }
        return fragment.sql;
    }

    std::shared_ptr<const schemas::Registry> registry_;
    const schemas::ResourceType* users_ = nullptr;
};

bool Contains(const std::string& plan, const std::string& text) {
    return plan.find(text) != std::string::npos;
}

TEST_P(ExplainSqliteTest, FilteredLookupsUseTheirIndexes) {
    struct Case {
        std::string filter;
        std::string search;
    };
    const std::vector<Case> cases = {
        {"userName eq \"Bench0012345@example.com\"",
         "INDEX sqlite_autoindex_users_2 (org_id=? AND user_name_key=?)"},
        {"externalId eq \"ext-0012345\"", "INDEX users_external_id (org_id=? AND external_id=?)"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.filter);
        auto bound = scim::filter::BoundFilter::Create(c.filter, *registry_, *users_);
        ASSERT_TRUE(bound.ok());
        auto fragment = db::CompileFilter(bound->root(), *users_, {db::Dialect::kSqlite, 1});
        ASSERT_TRUE(fragment.ok());
        Binds binds = {{"org", kOrg}};
        const std::string where = "users.org_id = :org AND (" + Append(*fragment, binds) + ")";
        const std::string page = Plan(std::string(kPageColumns) + " WHERE " + where +
                                          " ORDER BY users.id ASC LIMIT 100 OFFSET 0",
                                      binds);
        EXPECT_TRUE(Contains(page, c.search)) << page;
        const std::string count = Plan("SELECT COUNT(*) FROM users WHERE " + where, binds);
        EXPECT_TRUE(Contains(count, c.search)) << count;
    }
}

// Without sortBy a cursor page reads 101 rows along the primary key, the deep one from a bound
// on id: neither sorts nor skips.
TEST_P(ExplainSqliteTest, FirstAndDeepCursorPagesWalkThePrimaryKey) {
    auto after = db::CompileKeysetAfter(nullptr, *users_, false, nullptr, "u0019900",
                                        {db::Dialect::kSqlite, 1});
    ASSERT_TRUE(after.ok());
    auto order = db::CompileOrderBy(nullptr, *users_, false, db::Dialect::kSqlite);
    ASSERT_TRUE(order.ok());
    const std::string tail = " ORDER BY " + *order + " LIMIT 101 OFFSET 0";
    const std::string first =
        Plan(std::string(kPageColumns) + " WHERE users.org_id = :org" + tail, {{"org", kOrg}});
    EXPECT_TRUE(Contains(first, "USING INDEX sqlite_autoindex_users_1 (org_id=?)")) << first;
    Binds binds = {{"org", kOrg}};
    const std::string deep = Plan(std::string(kPageColumns) + " WHERE users.org_id = :org AND " +
                                      Append(*after, binds) + tail,
                                  binds);
    EXPECT_TRUE(Contains(deep, "USING INDEX sqlite_autoindex_users_1 (org_id=? AND id>?)")) << deep;
    for (const std::string* plan : {&first, &deep}) {
        EXPECT_FALSE(Contains(*plan, "TEMP B-TREE")) << *plan;
    }
}

// Sorted by a NOT NULL promoted column, both pages follow that column's index: no sort of every
// match for the first page, and the deep page starts at the key instead of walking up to it.
TEST_P(ExplainSqliteTest, SortedCursorPagesFollowTheSortIndex) {
    struct Case {
        std::string sort_by;
        nlohmann::json key;
        std::string first;
        std::string deep;
    };
    const std::vector<Case> cases = {
        {"userName", "Bench0019900@Example.com", "USING INDEX sqlite_autoindex_users_2 (org_id=?)",
         "USING INDEX sqlite_autoindex_users_2 (org_id=? AND user_name_key>?)"},
        {"meta.lastModified", "2025-01-01T00:00:30.000Z",
         "USING INDEX users_last_modified (org_id=?)",
         "USING INDEX users_last_modified (org_id=? AND (last_modified,id)>(?,?))"},
    };
    for (const Case& c : cases) {
        for (const bool descending : {false, true}) {
            SCOPED_TRACE(c.sort_by + (descending ? " descending" : " ascending"));
            auto path = registry_->Resolve(*users_, c.sort_by);
            ASSERT_TRUE(path.has_value());
            auto order = db::CompileOrderBy(&*path, *users_, descending, db::Dialect::kSqlite);
            ASSERT_TRUE(order.ok());
            auto after = db::CompileKeysetAfter(&*path, *users_, descending, c.key, "u0019900",
                                                {db::Dialect::kSqlite, 1});
            ASSERT_TRUE(after.ok());
            const std::string tail = " ORDER BY " + *order + " LIMIT 101 OFFSET 0";
            const std::string first = Plan(
                std::string(kPageColumns) + " WHERE users.org_id = :org" + tail, {{"org", kOrg}});
            Binds binds = {{"org", kOrg}};
            const std::string deep =
                Plan(std::string(kPageColumns) + " WHERE users.org_id = :org AND " +
                         Append(*after, binds) + tail,
                     binds);
            EXPECT_TRUE(Contains(first, c.first)) << first;
            std::string deep_search = c.deep;
            if (descending) {
                deep_search[deep_search.rfind('>')] = '<';
            }
            EXPECT_TRUE(Contains(deep, deep_search)) << deep;
            for (const std::string* plan : {&first, &deep}) {
                EXPECT_FALSE(Contains(*plan, "TEMP B-TREE")) << *plan;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ExplainSqliteTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

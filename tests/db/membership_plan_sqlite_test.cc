// The plans SQLite picks for the by-member membership reads of SqlResourceStore (GroupsOf,
// GroupsOfMany, GET by id with groups): each must seek group_members by (org_id, member_id).
// Without the index hint of db/membership_sql.cc SQLite walked the org's whole membership list
// through the primary key for a single id, which made a filtered lookup of one user several
// times slower than GET by id once a large group existed.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/db_fixture.h"
#include "db/membership_sql.h"

namespace db_test {
namespace {

constexpr char kOrg[] = "org-plan";
constexpr char kMemberSeek[] = "group_members_member (org_id=? AND member_id=?)";

class MembershipPlanSqliteTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        Load();
    }

    // 5000 users, one group holding all of them and 50 small groups, with statistics for the
    // users and groups tables only: what a server has after bulk-loading users and then
    // creating groups through the API.
    void Load() {
        Exec(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 5000)"
            " INSERT INTO users (org_id, id, version, user_name, user_name_key, created,"
            " last_modified, doc) SELECT '" +
            std::string(kOrg) +
            "', printf('u%07d', i), 1, printf('b%07d', i), printf('b%07d', i),"
            " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '{}' FROM s");
        Exec(
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 50)"
            " INSERT INTO groups (org_id, id, version, display_name, display_name_key, created,"
            " last_modified, doc) SELECT '" +
            std::string(kOrg) +
            "', printf('g%03d', i), 1, printf('G%03d', i), printf('g%03d', i),"
            " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '{}' FROM s");
        Exec("ANALYZE users");
        Exec("ANALYZE groups");
        Exec(
            "INSERT INTO group_members (org_id, group_id, member_id, member_type) SELECT org_id,"
            " 'g000', id, 'User' FROM users");
        Exec(
            "INSERT INTO group_members (org_id, group_id, member_id, member_type) SELECT org_id,"
            " id, 'u0000001', 'User' FROM groups WHERE id <> 'g000'");
    }

    // The plan of `sql` with each of `names` bound to the org id.
    std::string Plan(const std::string& sql, const std::vector<std::string>& names) {
        std::vector<std::pair<std::string, std::string>> binds;
        for (const std::string& name : names) {
            binds.emplace_back(name, kOrg);
        }
        return SqlitePlan(sql, binds);
    }
};

TEST_P(MembershipPlanSqliteTest, ByMemberReadsSeekTheMemberIndex) {
    struct Case {
        std::string sql;
        std::vector<std::string> names;
    };
    const Case cases[] = {
        {db::GroupsOfSql(db::Dialect::kSqlite), {"o", "m"}},
        {db::UserWithGroupsSql(db::Dialect::kSqlite), {"o", "i"}},
        {db::GroupsOfManySql(db::Dialect::kSqlite, 1), {"org", "i0"}},
        {db::GroupsOfManySql(db::Dialect::kSqlite, 2), {"org", "i0", "i1"}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.sql);
        const std::string plan = Plan(c.sql, c.names);
        EXPECT_NE(plan.find(kMemberSeek), std::string::npos) << plan;
    }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MembershipPlanSqliteTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

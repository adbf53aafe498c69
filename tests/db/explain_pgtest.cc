// The plans PostgreSQL picks for the statements SqlResourceStore runs on every sync: with enough
// rows that a sequential scan would cost more than an index, each must read its index and never
// scan the users table. The statements are built the way db/resource_store.cc builds them (same
// text, same compilers for filters, order and keyset), with the bound values of a real request.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "db/db_fixture.h"
#include "db/membership_sql.h"
#include "db/page_sql.h"
#include "db/sql_filter.h"
#include "scim/filter/filter.h"

namespace db_test {
namespace {

constexpr int kUsers = 20000;
constexpr int kGroups = 2000;
constexpr char kOrg[] = "org-explain";

// One node of a plan: its type and, for scans, the relation and index it reads; with ANALYZE
// and VERBOSE also the rows it produced over all its loops and the expressions it computed.
struct PlanNode {
    std::string type;
    std::string relation;
    std::string index;
    double rows = 0;
    double removed = 0;  // rows read and dropped by the node's filter, over all its loops
    std::vector<std::string> output;
};

void Collect(const nlohmann::json& plan, std::vector<PlanNode>& out) {
    out.push_back({plan.value("Node Type", ""), plan.value("Relation Name", ""),
                   plan.value("Index Name", ""),
                   plan.value("Actual Rows", 0.0) * plan.value("Actual Loops", 0.0),
                   plan.value("Rows Removed by Filter", 0.0) * plan.value("Actual Loops", 0.0),
                   plan.value("Output", std::vector<std::string>())});
    if (auto children = plan.find("Plans"); children != plan.end()) {
        for (const auto& child : *children) {
            Collect(child, out);
        }
    }
}

std::string Describe(const std::vector<PlanNode>& nodes) {
    std::string out;
    for (const PlanNode& node : nodes) {
        out += node.type + (node.relation.empty() ? "" : " on " + node.relation) +
               (node.index.empty() ? "" : " using " + node.index) + "; ";
    }
    return out;
}

class ExplainTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto registry = schemas::Registry::Load();
        ASSERT_TRUE(registry.ok());
        registry_ = *registry;
        Load();
    }

    // Users u0000001.. with folded names, externalIds and documents shaped like the ones the
    // store writes; groups g0001..; the first group holds every user, the others none.
    virtual void Load() {
        const std::string series = "generate_series(1, " + std::to_string(kUsers) + ") AS s(i)";
        const std::string stem = "'bench' || lpad(s.i::text, 7, '0')";
        Exec(
            "INSERT INTO users (org_id, id, version, user_name, user_name_key, external_id,"
            " display_name, active, created, last_modified, doc) SELECT '" +
            std::string(kOrg) + "', 'u' || lpad(s.i::text, 7, '0'), 1, " + stem +
            " || '@Example.com', " + stem + " || '@example.com', 'ext-' || " + stem +
            ", 'Bench ' || s.i, TRUE, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z',"
            " jsonb_build_object('schemas', jsonb_build_array("
            "'urn:ietf:params:scim:schemas:core:2.0:User'), 'id', 'u' || lpad(s.i::text, 7, '0'),"
            " 'userName', " +
            stem + " || '@Example.com', 'externalId', 'ext-' || " + stem +
            ", 'active', true) FROM " + series);
        Exec(
            "INSERT INTO groups (org_id, id, version, display_name, display_name_key,"
            " external_id, created, last_modified, doc) SELECT '" +
            std::string(kOrg) +
            "', 'g' || lpad(s.i::text, 4, '0'), 1, 'Group ' || s.i, 'group ' || s.i, NULL,"
            " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', jsonb_build_object("
            "'displayName', 'Group ' || s.i) FROM generate_series(1, " +
            std::to_string(kGroups) + ") AS s(i)");
        Exec(
            "INSERT INTO group_members (org_id, group_id, member_id, member_type) SELECT org_id,"
            " 'g0001', id, 'User' FROM users WHERE org_id = '" +
            std::string(kOrg) + "'");
        Exec("ANALYZE");
    }

    // EXPLAIN (`options`) of `sql` with named text binds, flattened; `options` must include
    // FORMAT JSON.
    std::vector<PlanNode> Explain(const std::string& sql,
                                  const std::vector<std::pair<std::string, std::string>>& binds,
                                  nlohmann::json* top = nullptr,
                                  const std::string& options = "FORMAT JSON") {
        std::vector<PlanNode> nodes;
        scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
            std::string text;
            soci::statement statement(session);
            std::vector<std::string> values;
            values.reserve(binds.size());
            for (const auto& [name, value] : binds) {
                values.push_back(value);
                statement.exchange(soci::use(values.back(), name));
            }
            statement.exchange(soci::into(text));
            statement.alloc();
            statement.prepare("EXPLAIN (" + options + ") " + sql);
            statement.define_and_bind();
            statement.execute(true);
            const nlohmann::json plan = nlohmann::json::parse(text).at(0).at("Plan");
            if (top != nullptr) {
                *top = plan;
            }
            Collect(plan, nodes);
            return scim::Ok{};
        });
        EXPECT_TRUE(done.ok()) << done.error().internal;
        return nodes;
    }

    // The WHERE fragment of List for `filter` on users, with its binds appended to `binds`.
    std::string UserFilter(const std::string& filter,
                           std::vector<std::pair<std::string, std::string>>& binds) {
        const schemas::ResourceType& users = *registry_->FindResourceType("User");
        auto bound = scim::filter::BoundFilter::Create(filter, *registry_, users);
        EXPECT_TRUE(bound.ok());
        auto fragment = db::CompileFilter(bound->root(), users, {db::Dialect::kPostgres, 1});
        EXPECT_TRUE(fragment.ok());
        for (std::size_t i = 0; i < fragment->binds.size(); ++i) {
            binds.emplace_back("p" + std::to_string(i + 1),
                               std::get<std::string>(fragment->binds[i]));
        }
        return fragment->sql;
    }

    std::shared_ptr<const schemas::Registry> registry_;
};

bool Uses(const std::vector<PlanNode>& nodes, const std::string& index) {
    for (const PlanNode& node : nodes) {
        if ((node.type == "Index Scan" || node.type == "Index Only Scan" ||
             node.type == "Bitmap Index Scan") &&
            node.index == index) {
            return true;
        }
    }
    return false;
}

bool SeqScans(const std::vector<PlanNode>& nodes, const std::string& relation) {
    for (const PlanNode& node : nodes) {
        if (node.type == "Seq Scan" && node.relation == relation) {
            return true;
        }
    }
    return false;
}

TEST_P(ExplainTest, FilteredLookupsUseTheirIndexes) {
    struct Case {
        std::string filter;
        std::string index;
    };
    const std::vector<Case> cases = {
        {"userName eq \"Bench0012345@example.com\"", "users_org_id_user_name_key_key"},
        {"externalId eq \"ext-bench0012345\"", "users_external_id"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.filter);
        std::vector<std::pair<std::string, std::string>> binds = {{"org", kOrg}};
        const std::string where = "users.org_id = :org AND (" + UserFilter(c.filter, binds) + ")";
        auto page = Explain(
            db::ListPageSql(db::Dialect::kPostgres, "users", where, "users.id ASC", 100, 0), binds);
        EXPECT_TRUE(Uses(page, c.index)) << Describe(page);
        EXPECT_FALSE(SeqScans(page, "users")) << Describe(page);
        auto count = Explain("SELECT COUNT(*) FROM users WHERE " + where, binds);
        EXPECT_TRUE(Uses(count, c.index)) << Describe(count);
        EXPECT_FALSE(SeqScans(count, "users")) << Describe(count);
    }
}

TEST_P(ExplainTest, GetByIdReadsThePrimaryKey) {
    auto plan = Explain(
        "SELECT version, created, last_modified, CAST(doc AS TEXT) FROM users"
        " WHERE org_id = :o AND id = :i",
        {{"o", kOrg}, {"i", "u0012345"}});
    EXPECT_TRUE(Uses(plan, "users_pkey")) << Describe(plan);
    EXPECT_FALSE(SeqScans(plan, "users")) << Describe(plan);
}

// ApplyMembers: the member must be a user or group of the org, then one row is inserted,
// its conflict checked on the membership key.
TEST_P(ExplainTest, AddingAMemberTouchesOnlyKeys) {
    auto exists = Explain(
        "SELECT 'User' FROM users WHERE org_id = :o1 AND id = :i1 UNION ALL"
        " SELECT 'Group' FROM groups WHERE org_id = :o2 AND id = :i2",
        {{"o1", kOrg}, {"i1", "u0012345"}, {"o2", kOrg}, {"i2", "u0012345"}});
    EXPECT_TRUE(Uses(exists, "users_pkey")) << Describe(exists);
    EXPECT_TRUE(Uses(exists, "groups_pkey")) << Describe(exists);
    EXPECT_FALSE(SeqScans(exists, "users")) << Describe(exists);

    nlohmann::json insert;
    auto nodes = Explain(
        "INSERT INTO group_members (org_id, group_id, member_id, member_type)"
        " VALUES (:o, :g, :m, :t) ON CONFLICT DO NOTHING",
        {{"o", kOrg}, {"g", "g0002"}, {"m", "u0012345"}, {"t", "User"}}, &insert);
    EXPECT_EQ(insert.value("Conflict Resolution", ""), "NOTHING");
    // Without a conflict target every unique index of the table arbitrates; there must be only
    // the membership key, probed once per inserted row.
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                        " WHERE c.oid = 'group_members'::regclass AND i.indisunique"),
              1);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                        " WHERE i.indrelid = 'group_members'::regclass AND i.indisunique AND"
                        " x.relname = 'group_members_pkey'"),
              1);
    EXPECT_FALSE(SeqScans(nodes, "group_members")) << Describe(nodes);
}

// Reading the members of the 20k-member group and the groups of one user, and the cleanup
// when a resource is deleted.
TEST_P(ExplainTest, MembershipReadsUseTheMembershipKeys) {
    auto groups_of = Explain(
        "SELECT g.id, g.display_name FROM group_members m JOIN groups g ON g.org_id = m.org_id"
        " AND g.id = m.group_id WHERE m.org_id = :o AND m.member_id = :m ORDER BY g.id",
        {{"o", kOrg}, {"m", "u0012345"}});
    EXPECT_TRUE(Uses(groups_of, "group_members_member")) << Describe(groups_of);
    EXPECT_FALSE(SeqScans(groups_of, "group_members")) << Describe(groups_of);

    auto cleanup =
        Explain("DELETE FROM group_members WHERE org_id = :o AND (group_id = :g OR member_id = :m)",
                {{"o", kOrg}, {"g", "u0012345"}, {"m", "u0012345"}});
    EXPECT_TRUE(Uses(cleanup, "group_members_pkey")) << Describe(cleanup);
    EXPECT_TRUE(Uses(cleanup, "group_members_member")) << Describe(cleanup);
    EXPECT_FALSE(SeqScans(cleanup, "group_members")) << Describe(cleanup);
}

// A cursor page reads 101 rows along the primary key whether it is the first page or one near
// the end: the keyset condition becomes an index bound, not a filter over skipped rows.
TEST_P(ExplainTest, FirstAndDeepCursorPagesWalkThePrimaryKey) {
    const schemas::ResourceType& users = *registry_->FindResourceType("User");
    auto after = db::CompileKeysetAfter(nullptr, users, false, nullptr, "u0019900",
                                        {db::Dialect::kPostgres, 1});
    ASSERT_TRUE(after.ok());
    auto first = Explain(db::ListPageSql(db::Dialect::kPostgres, "users", "users.org_id = :org",
                                         "users.id ASC", 101, 0),
                         {{"org", kOrg}});
    auto deep =
        Explain(db::ListPageSql(db::Dialect::kPostgres, "users",
                                "users.org_id = :org AND " + after->sql, "users.id ASC", 101, 0),
                {{"org", kOrg}, {"p1", "u0019900"}});
    for (const auto* plan : {&first, &deep}) {
        EXPECT_TRUE(Uses(*plan, "users_pkey")) << Describe(*plan);
        EXPECT_FALSE(SeqScans(*plan, "users")) << Describe(*plan);
        for (const PlanNode& node : *plan) {
            EXPECT_NE(node.type, "Sort") << Describe(*plan);
        }
    }
}

// An index page deep into the directory (startIndex 10001 of 20000) converts only the documents
// it returns to text: the rows OFFSET skips, and the rows a sort sees, are chosen by their keys
// alone. Converting every skipped document made such pages cost in proportion to startIndex.
TEST_P(ExplainTest, DeepIndexPagesConvertOnlyTheirOwnDocuments) {
    const schemas::ResourceType& users = *registry_->FindResourceType("User");
    constexpr std::int64_t kCount = 100;
    for (const std::string sort_by : {"", "userName", "name.familyName"}) {
        for (const bool descending : {false, true}) {
            SCOPED_TRACE("sortBy=" + sort_by + (descending ? " descending" : " ascending"));
            std::optional<schemas::ResolvedPath> path;
            if (!sort_by.empty()) {
                path = registry_->Resolve(users, sort_by);
                ASSERT_TRUE(path.has_value());
            }
            auto order = db::CompileOrderBy(path ? &*path : nullptr, users, descending,
                                            db::Dialect::kPostgres);
            ASSERT_TRUE(order.ok());
            const std::string sql = db::ListPageSql(db::Dialect::kPostgres, "users",
                                                    "users.org_id = :org", *order, kCount, 10000);
            auto plan = Explain(sql, {{"org", kOrg}}, nullptr, "ANALYZE, VERBOSE, FORMAT JSON");
            bool converts = false;
            for (const PlanNode& node : plan) {
                for (const std::string& expression : node.output) {
                    if (expression.find("doc)::text") == std::string::npos) {
                        continue;
                    }
                    converts = true;
                    EXPECT_LE(node.rows, kCount)
                        << node.type << " computes " << expression << "; " << Describe(plan);
                }
            }
            EXPECT_TRUE(converts) << "no node converts the documents; " << Describe(plan);
        }
    }
}

// group_members as it is right after a bulk provisioning, before autovacuum's first ANALYZE:
// 40k memberships (20 groups of 2000 users, each user in one group) and no statistics.
class UnanalyzedMembershipTest : public ExplainTest {
protected:
    void Load() override {
        Exec("ALTER TABLE group_members SET (autovacuum_enabled = false)");
        Exec("ALTER TABLE groups SET (autovacuum_enabled = false)");
        Exec(
            "INSERT INTO groups (org_id, id, version, display_name, display_name_key,"
            " external_id, created, last_modified, doc) SELECT '" +
            std::string(kOrg) +
            "', 'g' || lpad(s.i::text, 4, '0'), 1, 'Group ' || s.i, 'group ' || s.i, NULL,"
            " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', jsonb_build_object("
            "'displayName', 'Group ' || s.i) FROM generate_series(1, 20) AS s(i)");
        Exec("INSERT INTO group_members (org_id, group_id, member_id, member_type) SELECT '" +
             std::string(kOrg) +
             "', 'g' || lpad((1 + (s.i - 1) / 2000)::text, 4, '0'), 'u' || lpad(s.i::text, 7, '0'),"
             " 'User' FROM generate_series(1, 40000) AS s(i)");
    }
};

// The groups of a page of 100 users are found by probing the member index once per user, even
// with no statistics; the IN-list form read all 40k memberships of the org's groups instead.
TEST_P(UnanalyzedMembershipTest, GroupsOfAPageProbeEachMember) {
    ASSERT_EQ(CountRows("SELECT COUNT(*) FROM pg_class WHERE oid = 'group_members'::regclass AND"
                        " reltuples < 0"),
              1)
        << "group_members has statistics; the case needs a table never analyzed";
    constexpr std::size_t kWanted = 100;
    std::vector<std::pair<std::string, std::string>> binds = {{"org", kOrg}};
    for (std::size_t i = 0; i < kWanted; ++i) {
        binds.emplace_back("i" + std::to_string(i), "u00" + std::to_string(10001 + i));
    }
    nlohmann::json top;
    auto plan = Explain(db::GroupsOfManySql(db::Dialect::kPostgres, kWanted), binds, &top,
                        "ANALYZE, FORMAT JSON");
    EXPECT_EQ(top.value("Actual Rows", 0.0), kWanted) << Describe(plan);
    EXPECT_TRUE(Uses(plan, "group_members_member")) << Describe(plan);
    for (const PlanNode& node : plan) {
        if (node.relation == "group_members" || node.index.rfind("group_members", 0) == 0) {
            EXPECT_LE(node.rows + node.removed, kWanted)
                << node.type << " reads " << node.rows + node.removed << " memberships; "
                << Describe(plan);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Postgres, UnanalyzedMembershipTest, ::testing::Values("postgres"));

INSTANTIATE_TEST_SUITE_P(Postgres, ExplainTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

// The filter compiler's SQL text and binds, without a database (db/sql_filter.h).
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <variant>

#include <gtest/gtest.h>

#include "db/sql_filter.h"
#include "scim/filter/filter.h"

namespace db {
namespace {

const schemas::Registry& Registry() {
    static const auto registry = *schemas::Registry::Load();
    return *registry;
}

scim::Result<SqlFragment> CompileFor(const char* type_name,
                                     std::string_view filter,
                                     Dialect dialect,
                                     int first_bind = 1) {
    const schemas::ResourceType& type = *Registry().FindResourceType(type_name);
    auto bound = scim::filter::BoundFilter::Create(filter, Registry(), type);
    EXPECT_TRUE(bound.ok()) << bound.error().detail;
    if (!bound.ok()) {
        return bound.error();
    }
    return CompileFilter(bound->root(), type, SqlOptions{dialect, first_bind});
}

std::string Text(const SqlValue& value) {
    const auto* text = std::get_if<std::string>(&value);
    return text ? *text : "<not text>";
}

class SqlFilterTest : public ::testing::TestWithParam<Dialect> {};

TEST_P(SqlFilterTest, BindsValuesInsteadOfSplicingThem) {
    auto sql = CompileFor("User", R"(title eq "x' OR 1=1 --")", GetParam());
    ASSERT_TRUE(sql.ok());
    EXPECT_EQ(sql->sql.find("OR 1=1"), std::string::npos) << sql->sql;
    ASSERT_EQ(sql->binds.size(), 1u);
    EXPECT_EQ(Text(sql->binds[0]), "x' OR 1=1 --");
}

TEST_P(SqlFilterTest, UsesTheFoldedKeyColumnForUserName) {
    auto sql = CompileFor("User", "userName eq \"\xC3\x89MILE\"", GetParam());
    ASSERT_TRUE(sql.ok());
    EXPECT_EQ(sql->sql, "users.user_name_key = :p1");
    ASSERT_EQ(sql->binds.size(), 1u);
    EXPECT_EQ(Text(sql->binds[0]), "\xC3\xA9mile");  // folded in C++, as the column is
}

TEST_P(SqlFilterTest, UsesPromotedColumns) {
    struct Case {
        const char* type;
        const char* filter;
        const char* column;
    };
    const Case cases[] = {
        {"User", R"(externalId eq "a")", "users.external_id"},
        {"User", R"(id eq "a")", "users.id"},
        {"User", R"(displayName eq "a")", "users.display_name"},
        {"User", "active eq true", "users.active"},
        {"User", R"(meta.created gt "2024-01-01T00:00:00Z")", "users.created"},
        {"User", R"(meta.lastModified lt "2024-01-01T00:00:00Z")", "users.last_modified"},
        {"Group", R"(displayName eq "a")", "groups.display_name_key"},
        {"Group", R"(externalId eq "a")", "groups.external_id"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.filter);
        auto sql = CompileFor(c.type, c.filter, GetParam());
        ASSERT_TRUE(sql.ok());
        EXPECT_NE(sql->sql.find(c.column), std::string::npos) << sql->sql;
        EXPECT_EQ(sql->sql.find(".doc"), std::string::npos) << sql->sql;
    }
}

TEST_P(SqlFilterTest, MembershipAttributesReadTheMembershipTable) {
    auto groups = CompileFor("User", R"(groups.value eq "g1")", GetParam());
    ASSERT_TRUE(groups.ok());
    EXPECT_NE(groups->sql.find("FROM group_members"), std::string::npos);
    EXPECT_NE(groups->sql.find(".member_id = users.id"), std::string::npos);
    auto members = CompileFor("Group", R"(members[value eq "u1"])", GetParam());
    ASSERT_TRUE(members.ok());
    EXPECT_NE(members->sql.find(".group_id = groups.id"), std::string::npos);
}

TEST_P(SqlFilterTest, EscapesLikeWildcardsInTheBoundPattern) {
    auto sql = CompileFor("User", R"(title co "50%_\\x")", GetParam());
    ASSERT_TRUE(sql.ok());
    EXPECT_NE(sql->sql.find("LIKE"), std::string::npos);
    EXPECT_NE(sql->sql.find("ESCAPE '\\'"), std::string::npos);
    ASSERT_EQ(sql->binds.size(), 1u);
    EXPECT_EQ(Text(sql->binds[0]), "%50\\%\\_\\\\x%");
}

TEST_P(SqlFilterTest, NumbersPlaceholdersFromFirstBind) {
    auto sql = CompileFor("User", R"(title eq "a" or nickName eq "b")", GetParam(), 7);
    ASSERT_TRUE(sql.ok());
    EXPECT_NE(sql->sql.find(":p7"), std::string::npos);
    EXPECT_NE(sql->sql.find(":p8"), std::string::npos);
    EXPECT_EQ(sql->sql.find(":p9"), std::string::npos);
    EXPECT_EQ(sql->binds.size(), 2u);
}

TEST_P(SqlFilterTest, RefusesMetaAttributesThatAreNotStored) {
    for (const char* filter : {R"(meta.location eq "x")", R"(meta.version eq "x")", "meta pr"}) {
        SCOPED_TRACE(filter);
        auto sql = CompileFor("User", filter, GetParam());
        ASSERT_FALSE(sql.ok());
        EXPECT_EQ(sql.error().scim_type, scim::ScimType::kInvalidFilter);
    }
}

TEST_P(SqlFilterTest, ExtensionAttributesLiveUnderTheirUrnKey) {
    auto sql = CompileFor(
        "User",
        R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x")",
        GetParam());
    ASSERT_TRUE(sql.ok());
    EXPECT_NE(sql->sql.find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
              std::string::npos);
    EXPECT_NE(sql->sql.find("manager"), std::string::npos);
}

// An extension with a multi-valued attribute of simple strings, which no built-in schema has:
// its comparisons have no sub-attribute to name (a null dereference once crashed scimd here).
const schemas::Registry& RegistryWithStringList() {
    static const auto registry = [] {
        auto dir = std::filesystem::temp_directory_path() /
                   ("scimd-sql-filter-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "tags.json") << R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": "urn:example:params:scim:schemas:extension:tags:2.0:User",
            "name": "Tags", "x-scimd-extends": "User",
            "attributes": [{"name": "tags", "type": "string", "multiValued": true,
                            "required": false, "caseExact": false, "mutability": "readWrite",
                            "returned": "default", "uniqueness": "none"}]})";
        auto loaded = schemas::Registry::Load(dir.string());
        std::filesystem::remove_all(dir);
        EXPECT_TRUE(loaded.ok()) << loaded.error().detail;
        return *loaded;
    }();
    return *registry;
}

TEST_P(SqlFilterTest, ComparesElementsOfAMultiValuedSimpleAttribute) {
    const schemas::Registry& registry = RegistryWithStringList();
    const schemas::ResourceType& type = *registry.FindResourceType("User");
    const char* filters[] = {
        R"(urn:example:params:scim:schemas:extension:tags:2.0:User:tags co "ob")",
        R"(urn:example:params:scim:schemas:extension:tags:2.0:User:tags eq "cobol")",
        R"(urn:example:params:scim:schemas:extension:tags:2.0:User:tags ne "cobol")",
        R"(urn:example:params:scim:schemas:extension:tags:2.0:User:tags pr)",
    };
    for (const char* filter : filters) {
        SCOPED_TRACE(filter);
        auto bound = scim::filter::BoundFilter::Create(filter, registry, type);
        ASSERT_TRUE(bound.ok()) << bound.error().detail;
        auto sql = CompileFilter(bound->root(), type, SqlOptions{GetParam(), 1});
        ASSERT_TRUE(sql.ok()) << sql.error().detail;
        EXPECT_NE(sql->sql.find("EXISTS"), std::string::npos) << sql->sql;
        EXPECT_NE(sql->sql.find("tags"), std::string::npos) << sql->sql;
    }
}

INSTANTIATE_TEST_SUITE_P(Dialects,
                         SqlFilterTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) {
                             return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

TEST(SqlFilterSqliteTest, CaseExactSubstringUsesGlob) {
    auto sql = CompileFor("User", R"(externalId sw "A*?[")", Dialect::kSqlite);
    ASSERT_TRUE(sql.ok());
    EXPECT_EQ(sql->sql, "users.external_id GLOB :p1");
    EXPECT_EQ(Text(sql->binds[0]), "A[*][?][[]*");
}

TEST(SqlFilterPostgresTest, CaseExactSubstringUsesLike) {
    auto sql = CompileFor("User", R"(externalId ew "A_")", Dialect::kPostgres);
    ASSERT_TRUE(sql.ok());
    EXPECT_EQ(sql->sql, "users.external_id LIKE :p1 ESCAPE '\\'");
    EXPECT_EQ(Text(sql->binds[0]), "%A\\_");
}

TEST(SqlOrderByTest, EndsWithIdForAStableOrder) {
    const schemas::ResourceType& users = *Registry().FindResourceType("User");
    EXPECT_EQ(*CompileOrderBy(nullptr, users, false, Dialect::kSqlite), "users.id ASC");
    auto path = Registry().Resolve(users, "userName");
    ASSERT_TRUE(path.has_value());
    auto order = CompileOrderBy(&*path, users, true, Dialect::kPostgres);
    ASSERT_TRUE(order.ok());
    // user_name_key is NOT NULL, so no null placement term stands before it.
    EXPECT_EQ(*order, "(users.user_name_key) COLLATE \"C\" DESC, users.id DESC");
    auto display = Registry().Resolve(users, "displayName");
    ASSERT_TRUE(display.has_value());
    EXPECT_EQ(*CompileOrderBy(&*display, users, false, Dialect::kSqlite),
              "(lower(users.display_name)) IS NULL ASC, lower(users.display_name) ASC, "
              "users.id ASC");
}

TEST(SqlOrderByTest, RefusesSortingByMembership) {
    const schemas::ResourceType& users = *Registry().FindResourceType("User");
    auto path = Registry().Resolve(users, "groups");
    ASSERT_TRUE(path.has_value());
    EXPECT_FALSE(CompileOrderBy(&*path, users, false, Dialect::kSqlite).ok());
}

}  // namespace
}  // namespace db

// The shared filter table against SQLite through the store; see
// tests/filter/filter_table_store.h.
#include <optional>
#include <string>
#include <vector>

#include "filter/filter_table_store.h"

namespace db_test {
namespace {

TEST_P(FilterTableStoreTest, ListReturnsExactlyTheIdsTheTableExpects) {
    RunTable();
}

TEST_P(FilterTableStoreTest, FiltersNeverReachAnotherOrganization) {
    auto registry = schemas::Registry::Load();
    ASSERT_TRUE(registry.ok());
    auto bound = scim::filter::BoundFilter::Create("userName pr", **registry,
                                                   *(*registry)->FindResourceType("User"));
    ASSERT_TRUE(bound.ok());
    scim::ListQuery query;
    query.filter = &bound->root();
    auto page = store_->List("another-org", bound->type(), query);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 0);
}

struct SortCase {
    std::string type;
    std::string sort_by;
    bool descending;
    std::vector<std::string> ids;
};

// Expected orders worked out from filter_fixture.json: case-insensitive text in code-point
// order, rows without a value last ascending and first descending, ties by id.
const std::vector<SortCase> kSorts = {
    {"User",
     "",
     false,
     {"u1", "u10", "u11", "u12", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"}},
    {"User", "", true, {"u9", "u8", "u7", "u6", "u5", "u4", "u3", "u2", "u12", "u11", "u10", "u1"}},
    {"User",
     "userName",
     false,
     {"u4", "u1", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12", "u2", "u3"}},
    {"User",
     "userName",
     true,
     {"u3", "u2", "u12", "u11", "u10", "u9", "u8", "u7", "u6", "u5", "u1", "u4"}},
    {"User",
     "name.familyName",
     false,
     {"u3", "u1", "u11", "u4", "u7", "u2", "u10", "u12", "u5", "u6", "u8", "u9"}},
    {"User",
     "name.familyName",
     true,
     {"u9", "u8", "u6", "u5", "u12", "u10", "u2", "u7", "u4", "u11", "u1", "u3"}},
    {"User",
     "emails",
     false,
     {"u1", "u5", "u6", "u3", "u8", "u10", "u11", "u2", "u12", "u4", "u7", "u9"}},
    {"User",
     "meta.created",
     false,
     {"u4", "u1", "u2", "u3", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12"}},
    {"User",
     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
     false,
     {"u2", "u5", "u9", "u1", "u10", "u11", "u12", "u3", "u4", "u6", "u7", "u8"}},
    {"Group", "displayName", false, {"g2", "g4", "g3", "g1"}},
    {"Group", "externalId", true, {"g3", "g2", "g1", "g4"}},
};

TEST_P(FilterTableStoreTest, SortsByPromotedAndJsonAttributes) {
    for (const SortCase& c : kSorts) {
        SCOPED_TRACE(c.type + " sortBy=" + c.sort_by + (c.descending ? " descending" : ""));
        const schemas::ResourceType* type = registry_->FindResourceType(c.type);
        ASSERT_NE(type, nullptr);
        std::optional<schemas::ResolvedPath> path;
        if (!c.sort_by.empty()) {
            path = registry_->Resolve(*type, c.sort_by);
            ASSERT_TRUE(path.has_value());
        }
        scim::ListQuery query;
        query.sort_by = path ? &*path : nullptr;
        query.descending = c.descending;
        query.count = 100;
        auto page = store_->List(org_, *type, query);
        ASSERT_TRUE(page.ok()) << page.error().internal;
        std::vector<std::string> ids;
        for (const auto& resource : page->resources) {
            ids.push_back(resource.id);
        }
        EXPECT_EQ(ids, c.ids);
    }
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, FilterTableStoreTest, ::testing::Values("sqlite"));

}  // namespace db_test

// The shared filter table against SQLite through the store; see
// tests/filter/filter_table_store.h.
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

}  // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, FilterTableStoreTest, ::testing::Values("sqlite"));

}  // namespace db_test

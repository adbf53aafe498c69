#include <gtest/gtest.h>

#include "store_fixture.h"

// The SQLite test bodies (resource_store_test.cc, migrate_test.cc) run again on PostgreSQL.
namespace db_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, ResourceStoreTest, ::testing::Values("postgres"));
INSTANTIATE_TEST_SUITE_P(Postgres, MigrateTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

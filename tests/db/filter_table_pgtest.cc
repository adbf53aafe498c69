// The shared filter table against PostgreSQL (SCIM_TEST_PG_DSN); the test bodies are in
// tests/db/filter_table_test.cc.
#include "filter/filter_table_store.h"

namespace db_test {

INSTANTIATE_TEST_SUITE_P(Postgres, FilterTableStoreTest, ::testing::Values("postgres"));

}  // namespace db_test

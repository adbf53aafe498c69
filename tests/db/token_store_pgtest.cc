#include <gtest/gtest.h>

#include "token_fixture.h"

// The token and audit store test bodies (token_store_test.cc, audit_store_test.cc,
// token_authenticator_test.cc) run again on PostgreSQL when SCIM_TEST_PG_DSN is set.
namespace db_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, TokenStoreTest, ::testing::Values("postgres"));
INSTANTIATE_TEST_SUITE_P(Postgres, AuditStoreTest, ::testing::Values("postgres"));
INSTANTIATE_TEST_SUITE_P(Postgres, TokenAuthenticatorTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

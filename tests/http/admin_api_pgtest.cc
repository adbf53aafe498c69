#include <gtest/gtest.h>

#include "http/admin_api_fixture.h"

// The admin API test bodies (admin_api_test.cc) run again on PostgreSQL when SCIM_TEST_PG_DSN is
// set; without it every test is skipped with a message.
namespace scim::http::admin_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, AdminApiTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace scim::http::admin_test

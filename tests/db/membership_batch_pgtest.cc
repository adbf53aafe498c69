#include <gtest/gtest.h>

#include "membership_batch_fixture.h"

// The batched membership reads of membership_batch_test.cc, on PostgreSQL.
namespace db_test {

namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, MembershipBatchTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

#include <gtest/gtest.h>

#include "member_update_fixture.h"

// The member-only group writes of member_update_test.cc, on PostgreSQL.
namespace db_test {

namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, MemberUpdateTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

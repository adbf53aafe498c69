#include <gtest/gtest.h>

#include "list_total_cases.h"

namespace db_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, ListTotalTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

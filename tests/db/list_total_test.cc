#include <gtest/gtest.h>

#include "list_total_cases.h"

namespace db_test {
namespace {

TEST_P(ListTotalTest, TotalIsTheFullCountOnEveryKindOfPage) {
    struct Case {
        std::int64_t start_index;
        std::int64_t count;
        std::vector<std::string> ids;
    };
    const std::vector<Case> cases = {
        {1, 2, {"u0", "u1"}},                      // full first page
        {3, 2, {"u2", "u3"}},                      // full middle page
        {5, 2, {"u4"}},                            // short last page
        {4, 2, {"u3", "u4"}},                      // full page that happens to be the last
        {1, 100, {"u0", "u1", "u2", "u3", "u4"}},  // one short page holds everything
        {2, 100, {"u1", "u2", "u3", "u4"}},        // short page after an offset
        {6, 2, {}},                                // just past the end
        {50, 10, {}},                              // far past the end
    };
    for (const Case& c : cases) {
        auto [total, ids] = Page(c.start_index, c.count);
        EXPECT_EQ(total, 5) << "startIndex " << c.start_index << " count " << c.count;
        EXPECT_EQ(ids, c.ids) << "startIndex " << c.start_index << " count " << c.count;
    }
}

TEST_P(ListTotalTest, EmptyDirectoryHasTotalZero) {
    org_ = "org-empty-" + RandomSuffix();
    EXPECT_EQ(Page(1, 10).first, 0);
    EXPECT_EQ(Page(3, 10).first, 0);
}

TEST_P(ListTotalTest, WithoutTotalTheTotalIsThePageSize) {
    EXPECT_EQ(Page(1, 2, false).first, 2);
    EXPECT_EQ(Page(5, 2, false).first, 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ListTotalTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

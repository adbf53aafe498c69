#include "scim/service/paging.h"

#include <gtest/gtest.h>

namespace scim::service {
namespace {

struct PagingCase {
    std::optional<std::string> start_index;
    std::optional<std::string> count;
    std::int64_t want_start;
    std::int64_t want_count;
};

TEST(ParsePagingTest, ClampsStartIndexAndCount) {
    Config config;
    config.max_results = 50;
    config.default_count = 20;
    const PagingCase cases[] = {
        {std::nullopt, std::nullopt, 1, 20},
        {"1", "10", 1, 10},
        {"0", "10", 1, 10},
        {"-5", "10", 1, 10},
        {"7", "0", 7, 0},
        {"7", "-3", 7, 0},
        {"7", "51", 7, 50},
        {"+3", "50", 3, 50},
        {"99999999999999999999999", "99999999999999999999", INT64_MAX, 50},
        {"-99999999999999999999999", "-99999999999999999999", 1, 0},
    };
    for (const auto& c : cases) {
        Query query;
        query.start_index = c.start_index;
        query.count = c.count;
        auto paging = ParsePaging(query, config);
        ASSERT_TRUE(paging.ok()) << c.start_index.value_or("-") << " " << c.count.value_or("-");
        EXPECT_EQ(paging->start_index, c.want_start) << c.start_index.value_or("-");
        EXPECT_EQ(paging->count, c.want_count) << c.count.value_or("-");
    }
}

TEST(ParsePagingTest, DefaultCountIsCappedToo) {
    Config config;
    config.max_results = 5;
    config.default_count = 100;
    auto paging = ParsePaging(Query{}, config);
    ASSERT_TRUE(paging.ok());
    EXPECT_EQ(paging->count, 5);
}

TEST(ParsePagingTest, RejectsNonNumericValues) {
    for (const std::string bad : {"", "abc", "1.5", "10abc", " 1", "0x10", "+", "-"}) {
        Query query;
        query.count = bad;
        auto paging = ParsePaging(query, Config{});
        ASSERT_FALSE(paging.ok()) << bad;
        EXPECT_EQ(paging.error().scim_type, ScimType::kInvalidValue);

        Query start;
        start.start_index = bad;
        EXPECT_FALSE(ParsePaging(start, Config{}).ok()) << bad;
    }
}

TEST(ParsePagingTest, ReadsSortOrderInAnyCase) {
    for (const auto& [text, descending] : std::vector<std::pair<std::string, bool>>{
             {"ascending", false}, {"Descending", true}, {"DESCENDING", true}}) {
        Query query;
        query.sort_order = text;
        auto paging = ParsePaging(query, Config{});
        ASSERT_TRUE(paging.ok()) << text;
        EXPECT_EQ(paging->descending, descending) << text;
    }
    Query bad;
    bad.sort_order = "up";
    auto paging = ParsePaging(bad, Config{});
    ASSERT_FALSE(paging.ok());
    EXPECT_EQ(paging.error().scim_type, ScimType::kInvalidValue);
}

TEST(ParsePagingTest, RejectsStartIndexWithCursor) {
    Query query;
    query.start_index = "1";
    query.cursor = "";
    auto paging = ParsePaging(query, Config{});
    ASSERT_FALSE(paging.ok());
    EXPECT_EQ(paging.error().status, 400);
}

TEST(ParsePagingTest, KeepsAnEmptyCursorAsFirstPage) {
    Query query;
    query.cursor = "";
    auto paging = ParsePaging(query, Config{});
    ASSERT_TRUE(paging.ok());
    ASSERT_TRUE(paging->cursor.has_value());
    EXPECT_TRUE(paging->cursor->empty());
}

}  // namespace
}  // namespace scim::service

#include "auth/time.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace auth {
namespace {

using std::chrono::system_clock;

TEST(TimestampTest, FormatsUtcWithMilliseconds) {
    system_clock::time_point t{std::chrono::milliseconds(1796400000123)};
    EXPECT_EQ(FormatTimestamp(t), "2026-12-04T16:00:00.123Z");
    EXPECT_EQ(FormatTimestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(TimestampTest, ParsesWhatItFormats) {
    system_clock::time_point t{std::chrono::milliseconds(1796400000123)};
    EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)), t);
}

TEST(TimestampTest, ParsesOffsetsFractionsAndBareDates) {
    const auto base = ParseTimestamp("2026-12-04T10:00:00Z");
    ASSERT_TRUE(base.has_value());
    EXPECT_EQ(ParseTimestamp("2026-12-04T11:30:00+01:30"), base);
    EXPECT_EQ(ParseTimestamp("2026-12-04T05:00:00-05:00"), base);
    EXPECT_EQ(ParseTimestamp("2026-12-04t10:00:00z"), base);
    EXPECT_EQ(ParseTimestamp("2026-12-04T10:00:00.5Z"), *base + std::chrono::milliseconds(500));
    EXPECT_EQ(ParseTimestamp("2026-12-04"), *base - std::chrono::hours(10));
}

TEST(TimestampTest, RejectsMalformedOrImpossibleTimes) {
    const std::vector<std::string> bad = {"",
                                          "2026",
                                          "2026-13-01",
                                          "2026-02-30",
                                          "2026-12-04T24:00:00Z",
                                          "2026-12-04T10:60:00Z",
                                          "2026-12-04T10:00:60Z",
                                          "2026-12-04T10:00:00",
                                          "2026-12-04T10:00:00.Z",
                                          "2026-12-04T10:00:00Zjunk",
                                          "2026-12-04 10:00:00Z",
                                          "2026-12-04T10:00:00+0100",
                                          "yesterday",
                                          "2026-12-04T10:00:00.1234567890Z"};
    for (const std::string& text : bad) {
        EXPECT_FALSE(ParseTimestamp(text).has_value()) << text;
    }
}

TEST(DurationTest, ReadsOneNumberAndOneUnit) {
    EXPECT_EQ(ParseDuration("90d"), std::chrono::hours(24 * 90));
    EXPECT_EQ(ParseDuration("12h"), std::chrono::hours(12));
    EXPECT_EQ(ParseDuration("30m"), std::chrono::minutes(30));
    EXPECT_EQ(ParseDuration("45s"), std::chrono::seconds(45));
    for (std::string text : {"", "d", "0d", "-5m", "5", "5y", "1h30m", "+5m", " 5m",
                             "99999999999999999999d", "4000000d"}) {
        EXPECT_FALSE(ParseDuration(text).has_value()) << text;
    }
}

}  // namespace
}  // namespace auth

#include "scim/service/etag.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "scim/service/clock.h"

namespace scim::service {
namespace {

TEST(EtagTest, FormatsWeakVersionTag) {
    EXPECT_EQ(EtagFor(1), "W/\"1\"");
    EXPECT_EQ(EtagFor(42), "W/\"42\"");
}

TEST(EtagTest, MatchesHeaderForms) {
    struct Case {
        std::string header;
        bool matches;
    };
    const Case cases[] = {
        {"W/\"3\"", true},   {"\"3\"", true},   {"*", true},        {"W/\"2\", W/\"3\"", true},
        {" W/\"3\" ", true}, {"w/\"3\"", true}, {"W/\"4\"", false}, {"W/\"33\"", false},
        {"3", false},        {"", false},       {"W/\"\"", false},  {"W/\"2\",W/\"4\"", false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(EtagMatches(c.header, 3), c.matches) << c.header;
    }
}

TEST(ClockTest, FormatsUtcWithMilliseconds) {
    using namespace std::chrono;
    const auto time = system_clock::time_point(milliseconds(1'700'000'000'123));
    EXPECT_EQ(FormatTimestamp(time), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(FormatTimestamp(system_clock::time_point(milliseconds(0))),
              "1970-01-01T00:00:00.000Z");
}

TEST(ClockTest, NewResourceIdIsRandomUuidV4) {
    const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string id = NewResourceId();
        EXPECT_TRUE(std::regex_match(id, uuid)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace scim::service

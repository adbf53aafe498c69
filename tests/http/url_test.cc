#include "scim/http/url.h"

#include <gtest/gtest.h>

namespace scim::http {
namespace {

struct DecodeCase {
    const char* input;
    PlusMeans plus;
    const char* expected;  // nullptr: must fail
};

TEST(PercentDecodeTest, DecodesQueryAndPathComponents) {
    const DecodeCase cases[] = {
        {"userName%20eq%20%22bjensen%22", PlusMeans::kSpace, "userName eq \"bjensen\""},
        {"userName+eq+%22a%2Bb%22", PlusMeans::kSpace, "userName eq \"a+b\""},
        {"a+b", PlusMeans::kPlus, "a+b"},
        {"stra%C3%9Fe", PlusMeans::kSpace, "straße"},
        {"%2f%2F", PlusMeans::kPlus, "//"},
        {"", PlusMeans::kSpace, ""},
        {"plain", PlusMeans::kSpace, "plain"},
        {"%", PlusMeans::kSpace, nullptr},
        {"%2", PlusMeans::kSpace, nullptr},
        {"abc%", PlusMeans::kSpace, nullptr},
        {"%zz", PlusMeans::kSpace, nullptr},
        {"%C3", PlusMeans::kSpace, nullptr},     // truncated UTF-8 sequence
        {"%FF%FE", PlusMeans::kSpace, nullptr},  // not UTF-8 at all
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        auto decoded = PercentDecode(c.input, c.plus);
        if (c.expected == nullptr) {
            EXPECT_FALSE(decoded.has_value());
        } else {
            ASSERT_TRUE(decoded.has_value());
            EXPECT_EQ(*decoded, c.expected);
        }
    }
}

TEST(EqualsIgnoreCaseTest, ComparesAsciiLettersOnly) {
    EXPECT_TRUE(EqualsIgnoreCase("Users", "users"));
    EXPECT_TRUE(EqualsIgnoreCase("CONTENT-type", "Content-Type"));
    EXPECT_FALSE(EqualsIgnoreCase("Users", "User"));
    EXPECT_FALSE(EqualsIgnoreCase("É", "é"));
    EXPECT_EQ(AsciiLower("ServiceProviderConfig"), "serviceproviderconfig");
}

}  // namespace
}  // namespace scim::http

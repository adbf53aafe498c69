#include "scim/request_json.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace scim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kDepth = 8;

TEST(ParseRequestObjectTest, AcceptsObjectsWhoseNamesAreUnique) {
    const char* kBodies[] = {
        R"({})",
        R"({"userName":"a","name":{"givenName":"b","familyName":"c"}})",
        // The same name in different objects is no repetition.
        R"({"emails":[{"value":"a","type":"work"},{"value":"b","type":"home"}],"value":1})",
        R"({"a":{"a":{"a":1}},"b":{"a":2}})",
        R"({"Operations":[{"op":"add","value":{"displayName":"x"}},{"op":"remove"}]})",
    };
    for (const char* body : kBodies) {
        SCOPED_TRACE(body);
        auto parsed = ParseRequestObject(body, kDepth, MemberNames::kIgnoreAsciiCase);
        ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
        EXPECT_TRUE(parsed->is_object());
    }
}

// RFC 8259 §4 leaves repeated names to the receiver; RFC 7643 §2.1 makes attribute names
// case-insensitive, so a change of case is the same name.
TEST(ParseRequestObjectTest, RefusesARepeatedNameAtAnyDepthNamingIt) {
    struct Case {
        const char* body;
        const char* name;
    };
    const Case kCases[] = {
        {R"({"userName":"a","userName":"b"})", "\"userName\""},
        {R"({"userName":"a","USERNAME":"b"})", "\"userName\" twice (again as \"USERNAME\""},
        {R"({"name":{"givenName":"a","givenname":"b"}})", "\"givenName\" twice"},
        {R"({"emails":[{"value":"a"},{"value":"b","VALUE":"c"}]})", "\"value\" twice"},
        {R"({"Operations":[{"op":"add","Op":"remove"}]})", "\"op\" twice"},
        {R"({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{},)"
         R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user":{}})",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:"},
    };
    for (const Case& c : kCases) {
        SCOPED_TRACE(c.body);
        auto parsed = ParseRequestObject(c.body, kDepth, MemberNames::kIgnoreAsciiCase);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().status, 400);
        EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidSyntax);
        EXPECT_THAT(parsed.error().detail, HasSubstr(c.name));
        EXPECT_THAT(parsed.error().detail, HasSubstr("twice"));
    }
}

TEST(ParseRequestObjectTest, ExactNamesDifferInCaseButNotInBytes) {
    EXPECT_TRUE(ParseRequestObject(R"({"name":"a","Name":"b"})", kDepth, MemberNames::kExact).ok());
    auto repeated = ParseRequestObject(R"({"name":"a","name":"b"})", kDepth, MemberNames::kExact);
    ASSERT_FALSE(repeated.ok());
    EXPECT_THAT(repeated.error().detail, HasSubstr("\"name\""));
    EXPECT_THAT(repeated.error().detail, Not(HasSubstr("again")));
}

// The first pass folds case by setting one bit, which also makes '@' look like '`'; the second
// pass compares the names themselves and lets the body through.
TEST(ParseRequestObjectTest, AcceptsNamesThatOnlyLookAlikeAtFirst) {
    auto parsed = ParseRequestObject(R"({"a@b":1,"a`b":2,"x":{"[":1,"{":2}})", kDepth,
                                     MemberNames::kIgnoreAsciiCase);
    ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
    EXPECT_EQ(parsed->size(), 3u);
    EXPECT_EQ((*parsed)["x"].size(), 2u);
}

TEST(ParseRequestObjectTest, QuotesALongRepeatedNameShortenedAndNoValue) {
    const std::string name(200, 'n');
    const std::string body = R"({")" + name + R"(":"secret-1",")" + name + R"(":"secret-2"})";
    auto parsed = ParseRequestObject(body, kDepth, MemberNames::kIgnoreAsciiCase);
    ASSERT_FALSE(parsed.ok());
    EXPECT_LT(parsed.error().detail.size(), 160u);
    EXPECT_THAT(parsed.error().detail, Not(HasSubstr("secret")));
}

TEST(ParseRequestObjectTest, FindsARepeatAmongManyNames) {
    std::string body = "{";
    for (int i = 0; i < 5000; ++i) {
        body += "\"a" + std::to_string(i) + "\":1,";
    }
    body += "\"A2500\":2}";
    auto parsed = ParseRequestObject(body, kDepth, MemberNames::kIgnoreAsciiCase);
    ASSERT_FALSE(parsed.ok());
    EXPECT_THAT(parsed.error().detail, HasSubstr("2500\""));
}

TEST(ParseRequestObjectTest, RefusesWhatIsNotOneShallowJsonObject) {
    struct Case {
        std::string body;
        const char* detail;
    };
    const Case kCases[] = {
        {"{", "not valid JSON"},
        {"", "request body is empty"},
        {" \r\n\t ", "request body is empty"},
        {"x", "not valid JSON"},
        {"[1]", "must be a JSON object"},
        {"\"x\"", "must be a JSON object"},
        {R"({"a":1e400})", "out of range"},
        {std::string(kDepth + 2, '[') + std::string(kDepth + 2, ']'), "nests too deeply"},
        {R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{}}}}}}}}})", "nests too deeply"},
    };
    for (const Case& c : kCases) {
        SCOPED_TRACE(c.body);
        auto parsed = ParseRequestObject(c.body, kDepth, MemberNames::kIgnoreAsciiCase);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidSyntax);
        EXPECT_THAT(parsed.error().detail, HasSubstr(c.detail));
    }
}

}  // namespace
}  // namespace scim

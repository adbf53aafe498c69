#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "filter/registry_fixture.h"
#include "scim/filter/filter.h"

namespace scim::filter {
namespace {

using testing::BuiltinRegistry;
using testing::GroupType;
using testing::UserType;

struct PathCase {
    std::string input;
    std::string printed;  // after binding to User (or Group for members)
};

TEST(PatchPathTest, ParsesAndBindsRfcPathForms) {
    const std::vector<PathCase> cases = {
        {"userName", "userName"},
        {"USERNAME", "userName"},
        {"name.givenName", "name.givenName"},
        {"name.GIVENNAME", "name.givenName"},
        {"emails", "emails"},
        {"emails.value", "emails.value"},
        {R"(emails[type eq "work"])", R"(emails[type eq "work"])"},
        {R"(emails[type eq "work"].value)", R"(emails[type eq "work"].value)"},
        {R"(emails[TYPE eq "work" and primary eq true].Display)",
         R"(emails[(type eq "work" and primary eq true)].display)"},
        {R"(addresses[type eq "work"].streetAddress)",
         R"(addresses[type eq "work"].streetAddress)"},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"},
        {"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "name.familyName"},
        {" active ", "active"},
    };
    for (const PathCase& c : cases) {
        SCOPED_TRACE(c.input);
        auto parsed = ParsePatchPath(c.input);
        ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
        Status bound = BindPatchPath(*parsed, BuiltinRegistry(), UserType());
        ASSERT_TRUE(bound.ok()) << bound.error().detail;
        EXPECT_EQ(ToString(*parsed), c.printed);
    }
}

TEST(PatchPathTest, MembersFilterPathBindsOnGroups) {
    auto parsed = ParsePatchPath(R"(members[value eq "2819c223"])");
    ASSERT_TRUE(parsed.ok());
    ASSERT_TRUE(BindPatchPath(*parsed, BuiltinRegistry(), GroupType()).ok());
    EXPECT_EQ(parsed->path.attribute->name, "members");
    EXPECT_EQ(parsed->path.sub_attribute, nullptr);
    ASSERT_NE(parsed->value_filter, nullptr);
    EXPECT_TRUE(MatchesElement(*parsed->value_filter, {{"value", "2819c223"}}));
    EXPECT_FALSE(MatchesElement(*parsed->value_filter, {{"value", "other"}}));
}

TEST(PatchPathTest, RecordsTrailingSubAttributeApartFromFilter) {
    auto parsed = ParsePatchPath(R"(emails[type eq "work"].value)");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->path.name, "emails");
    EXPECT_EQ(parsed->path.sub, "value");
    ASSERT_TRUE(BindPatchPath(*parsed, BuiltinRegistry(), UserType()).ok());
    EXPECT_EQ(parsed->path.sub_attribute->name, "value");
    EXPECT_EQ(parsed->value_filter->path.sub_attribute->name, "type");
}

struct BadPath {
    std::string input;
    std::size_t position;
};

TEST(PatchPathTest, RejectsMalformedPathsWithInvalidPath) {
    const std::vector<BadPath> cases = {
        {"", 0},
        {"[type eq \"work\"]", 0},
        {"emails[type eq \"work\"", 21},
        {"emails[type eq \"work\"]value", 22},
        {"emails[type eq \"work\"].", 23},
        {"emails[type eq \"work\"].value.x", 28},
        {"emails.value[type eq \"work\"]", 12},
        {"emails[]", 7},
        {"name..givenName", 5},
        {"userName extra", 9},
        {"emails[type zz \"work\"]", 12},
    };
    for (const BadPath& c : cases) {
        SCOPED_TRACE(c.input);
        auto parsed = ParsePatchPath(c.input);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidPath);
        EXPECT_NE(parsed.error().detail.find("invalid path at position " +
                                             std::to_string(c.position) + ":"),
                  std::string::npos)
            << parsed.error().detail;
    }
}

TEST(PatchPathTest, RejectsUnknownAttributesWithInvalidPath) {
    for (const char* text : {"nosuch", "name.nosuch", R"(emails[nosuch eq "x"])",
                             R"(emails[type eq "work"].nosuch)", R"(userName[value eq "x"])",
                             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nosuch"}) {
        SCOPED_TRACE(text);
        auto parsed = ParsePatchPath(text);
        ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
        Status bound = BindPatchPath(*parsed, BuiltinRegistry(), UserType());
        ASSERT_FALSE(bound.ok());
        EXPECT_EQ(bound.error().scim_type, ScimType::kInvalidPath);
    }
}

}  // namespace
}  // namespace scim::filter

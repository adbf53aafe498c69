#include <gtest/gtest.h>

#include "filter/registry_fixture.h"
#include "scim/filter/bind.h"
#include "scim/filter/parser.h"

namespace scim::filter {
namespace {

using testing::BuiltinRegistry;
using testing::GroupType;
using testing::UserType;

Result<BoundFilter> BindAbsent(std::string_view text, const schemas::ResourceType& type) {
    return BoundFilter::Create(text, BuiltinRegistry(), type, UnknownAttributes::kAbsent);
}

struct FoldCase {
    std::string_view filter;
    std::optional<bool> constant;  // nullopt: a filter remains
    std::string_view remaining;    // the bound filter when one remains
};

TEST(FilterBindAcrossTypesTest, AttributesTheTypeLacksFoldToConstants) {
    const FoldCase cases[] = {
        {R"(userName eq "u1@x.org")", false, ""},
        {"userName pr", false, ""},
        {"not (userName pr)", true, ""},
        {"userName eq null", true, ""},
        {"userName ne null", false, ""},
        {R"(userName eq "a" or displayName eq "Eng")", std::nullopt, R"(displayName eq "Eng")"},
        {R"(displayName eq "Eng" and not (userName pr))", std::nullopt, R"(displayName eq "Eng")"},
        {R"(displayName eq "Eng" and userName pr)", false, ""},
        {R"(displayName eq "Eng" or not (userName pr))", true, ""},
        {R"(emails[type eq "work"] or members pr)", std::nullopt, "members pr"},
        {"not (emails[type eq \"work\"])", true, ""},
    };
    for (const FoldCase& c : cases) {
        auto bound = BindAbsent(c.filter, GroupType());
        ASSERT_TRUE(bound.ok()) << c.filter << ": " << bound.error().detail;
        EXPECT_EQ(bound->constant(), c.constant) << c.filter;
        if (!c.constant) {
            EXPECT_EQ(ToString(bound->root()), c.remaining) << c.filter;
            EXPECT_NE(bound->root().path.attribute, nullptr) << c.filter;
        }
    }
}

TEST(FilterBindAcrossTypesTest, KnownAttributesStayStrict) {
    auto bound = BindAbsent(R"(userName pr or displayName eq 5)", GroupType());
    ASSERT_FALSE(bound.ok());
    EXPECT_EQ(bound.error().scim_type, ScimType::kInvalidFilter);
    EXPECT_NE(bound.error().detail.find("'displayName' takes a string"), std::string::npos)
        << bound.error().detail;

    auto inner = BindAbsent(R"(members[bogus eq "x"] or userName pr)", GroupType());
    ASSERT_FALSE(inner.ok());
    EXPECT_NE(inner.error().detail.find("not a sub-attribute of members"), std::string::npos);
}

TEST(FilterBindAcrossTypesTest, RejectModeStillRefusesUnknownAttributes) {
    auto bound = BoundFilter::Create("userName pr", BuiltinRegistry(), GroupType());
    ASSERT_FALSE(bound.ok());
    EXPECT_NE(bound.error().detail.find("not an attribute of Group"), std::string::npos);
}

TEST(FilterBindAcrossTypesTest, KnownAttributesOnTheTypeBindAsUsual) {
    auto bound = BindAbsent(R"(userName eq "a" or displayName eq "Eng")", UserType());
    ASSERT_TRUE(bound.ok()) << bound.error().detail;
    EXPECT_FALSE(bound->constant());
    EXPECT_EQ(ToString(bound->root()), R"((userName eq "a" or displayName eq "Eng"))");
}

TEST(FilterBindAcrossTypesTest, AttributeUnknownToEveryTypeIsNamedWithoutAType) {
    auto parsed = Parse(R"(displayName pr and bogus.sub eq "x")");
    ASSERT_TRUE(parsed.ok());
    Status known = CheckKnownToSomeType(**parsed, BuiltinRegistry());
    ASSERT_FALSE(known.ok());
    EXPECT_EQ(known.error().status, 400);
    EXPECT_EQ(known.error().scim_type, ScimType::kInvalidFilter);
    EXPECT_NE(known.error().detail.find("'bogus.sub' is not an attribute of any resource type"),
              std::string::npos)
        << known.error().detail;
    EXPECT_EQ(known.error().detail.find("User"), std::string::npos);

    auto split = Parse(R"(userName pr or members[value eq "x"])");
    ASSERT_TRUE(split.ok());
    EXPECT_TRUE(CheckKnownToSomeType(**split, BuiltinRegistry()).ok());
}

}  // namespace
}  // namespace scim::filter

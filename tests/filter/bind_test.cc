#include "scim/filter/bind.h"

#include <gtest/gtest.h>

#include "filter/registry_fixture.h"
#include "scim/filter/parser.h"

namespace scim::filter {
namespace {

using testing::BuiltinRegistry;
using testing::GroupType;
using testing::UserType;

constexpr std::string_view kEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

Result<BoundFilter> BindUser(std::string_view text) {
    return BoundFilter::Create(text, BuiltinRegistry(), UserType());
}

TEST(FilterBindTest, RecordsCanonicalNamesWhateverTheCase) {
    auto bound = BindUser(R"(NAME.GIVENNAME eq "x" and EMAILS[TYPE eq "work"])");
    ASSERT_TRUE(bound.ok()) << bound.error().detail;
    EXPECT_EQ(ToString(bound->root()), R"((name.givenName eq "x" and emails[type eq "work"]))");
    const Node& left = *bound->root().children[0];
    EXPECT_EQ(left.path.attribute->name, "name");
    EXPECT_EQ(left.path.sub_attribute->name, "givenName");
    EXPECT_FALSE(left.path.leaf()->case_exact);
    const Node& inner = *bound->root().children[1]->children[0];
    EXPECT_EQ(inner.path.attribute->name, "emails");
    EXPECT_EQ(inner.path.sub_attribute->name, "type");
}

TEST(FilterBindTest, MarksEnterpriseAttributesAsExtension) {
    auto bound = BindUser(std::string(kEnterprise) + ":Manager.Value eq \"u1\"");
    ASSERT_TRUE(bound.ok()) << bound.error().detail;
    const AttrPath& path = bound->root().path;
    EXPECT_TRUE(path.is_extension);
    EXPECT_EQ(path.schema->id, kEnterprise);
    EXPECT_EQ(ToString(bound->root()), std::string(kEnterprise) + ":manager.value eq \"u1\"");
}

TEST(FilterBindTest, CoreUrnPrefixIsNotAnExtension) {
    auto bound = BindUser(R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a")");
    ASSERT_TRUE(bound.ok()) << bound.error().detail;
    EXPECT_FALSE(bound->root().path.is_extension);
    EXPECT_EQ(ToString(bound->root()), R"(userName eq "a")");
}

TEST(FilterBindTest, ComplexComparisonImpliesValueSubAttribute) {
    auto bound = BindUser(R"(emails co "@x")");
    ASSERT_TRUE(bound.ok());
    EXPECT_EQ(ToString(bound->root()), R"(emails.value co "@x")");
    auto present = BindUser("emails pr");
    ASSERT_TRUE(present.ok());
    EXPECT_EQ(present->root().path.sub_attribute, nullptr);
}

TEST(FilterBindTest, CommonAttributesResolveOnEveryType) {
    for (const char* text : {R"(id eq "x")", R"(externalId eq "x")",
                             R"(meta.lastModified gt "2024-01-01T00:00:00Z")"}) {
        SCOPED_TRACE(text);
        EXPECT_TRUE(BindUser(text).ok());
        EXPECT_TRUE(BoundFilter::Create(text, BuiltinRegistry(), GroupType()).ok());
    }
}

TEST(FilterBindTest, NormalisesDateTimeLiterals) {
    auto bound = BindUser(R"(meta.created gt "2024-01-01T01:30:00+02:00")");
    ASSERT_TRUE(bound.ok());
    EXPECT_EQ(bound->root().value, "2023-12-31T23:30:00.000Z");
}

TEST(FilterBindTest, TurnsBooleanStringsIntoBooleans) {
    auto bound = BindUser(R"(active eq "False")");
    ASSERT_TRUE(bound.ok());
    EXPECT_EQ(bound->root().value, false);
    EXPECT_FALSE(BindUser(R"(active eq "no")").ok());
}

struct BadCase {
    const char* filter;
    const char* detail_part;
};

TEST(FilterBindTest, RejectsWithADetailNamingTheAttribute) {
    const BadCase cases[] = {
        {R"(nickname2 eq "x")", "attribute 'nickname2' is not an attribute of User"},
        {R"(name.middle eq "x")", "attribute 'name.middle' is not an attribute of User"},
        {R"(emails[kind eq "x"])", "attribute 'kind' is not a sub-attribute of emails"},
        {R"(emails[emails.type eq "x"])", "is not a sub-attribute of emails"},
        {R"(title[value eq "x"])", "attribute 'title' is not complex"},
        {R"(userName eq 1)", "attribute 'userName' takes a string"},
        {R"(active eq 1)", "attribute 'active' takes true or false"},
        {R"(active lt true)", "attribute 'active' cannot be compared with lt"},
        {R"(name eq "x")", "attribute 'name' is complex"},
        {R"(title co null)", "can be compared with null only by eq or ne"},
        {R"(meta.created eq "2024-13-01T00:00:00Z")", "takes a date-time"},
        {R"(meta.created sw "2024")", "cannot be compared with sw"},
        {R"(x509Certificates.value co "A")", "cannot be compared with co"},
    };
    for (const BadCase& c : cases) {
        SCOPED_TRACE(c.filter);
        auto bound = BindUser(c.filter);
        ASSERT_FALSE(bound.ok());
        EXPECT_EQ(bound.error().status, 400);
        EXPECT_EQ(bound.error().scim_type, ScimType::kInvalidFilter);
        EXPECT_NE(bound.error().detail.find(c.detail_part), std::string::npos)
            << bound.error().detail;
    }
}

TEST(FilterBindTest, ErrorNamesThePositionOfTheAttribute) {
    auto bound = BindUser(R"(userName pr and bogus pr)");
    ASSERT_FALSE(bound.ok());
    EXPECT_NE(bound.error().detail.find("at position 16"), std::string::npos);
}

TEST(FilterBindTest, EnterpriseAttributesDoNotExistOnGroups) {
    auto bound = BoundFilter::Create(std::string(kEnterprise) + ":department pr", BuiltinRegistry(),
                                     GroupType());
    EXPECT_FALSE(bound.ok());
}

TEST(NormalizeDateTimeTest, AcceptsRfc3339Forms) {
    EXPECT_EQ(NormalizeDateTime("2011-05-13T04:42:34Z"), "2011-05-13T04:42:34.000Z");
    EXPECT_EQ(NormalizeDateTime("2011-05-13t04:42:34.5z"), "2011-05-13T04:42:34.500Z");
    EXPECT_EQ(NormalizeDateTime("2011-05-13T04:42:34.123456Z"), "2011-05-13T04:42:34.123Z");
    EXPECT_EQ(NormalizeDateTime("2011-05-13T04:42:34-05:00"), "2011-05-13T09:42:34.000Z");
    EXPECT_EQ(NormalizeDateTime("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00.000Z");
    EXPECT_EQ(NormalizeDateTime("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59.999Z");
}

TEST(NormalizeDateTimeTest, RejectsOtherText) {
    for (const char* text :
         {"", "2011-05-13", "2011-05-13T04:42:34", "2011-02-30T00:00:00Z", "2011-05-13T24:00:00Z",
          "2011-05-13T04:42:34.Z", "2011-05-13T04:42:34+0500", "2011-05-13T04:42:34Zjunk",
          "0000-01-01T00:00:00+01:00", "yesterday"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(NormalizeDateTime(text), std::nullopt);
    }
}

}  // namespace
}  // namespace scim::filter

#include "scim/filter/evaluate.h"

#include <gtest/gtest.h>

#include "filter/registry_fixture.h"
#include "scim/filter/parser.h"

namespace scim::filter {
namespace {

using nlohmann::json;
using testing::BuiltinRegistry;
using testing::UserType;

bool UserMatches(std::string_view filter, const json& resource) {
    auto bound = BoundFilter::Create(filter, BuiltinRegistry(), UserType());
    EXPECT_TRUE(bound.ok()) << filter << ": " << bound.error().detail;
    return bound.ok() && Matches(*bound, resource);
}

TEST(FilterEvaluateTest, FoldsCaseForCaseInsensitiveAttributesOnly) {
    const json user = {{"userName", "Straße"}, {"externalId", "AbC"}};
    EXPECT_TRUE(UserMatches(R"(userName eq "STRASSE")", user));
    EXPECT_TRUE(UserMatches(R"(userName sw "strass")", user));
    EXPECT_FALSE(UserMatches(R"(externalId eq "abc")", user));
    EXPECT_TRUE(UserMatches(R"(externalId eq "AbC")", user));
}

TEST(FilterEvaluateTest, PresenceIgnoresNullEmptyStringsAndEmptyArrays) {
    EXPECT_FALSE(UserMatches("title pr", {{"title", nullptr}}));
    EXPECT_FALSE(UserMatches("title pr", {{"title", ""}}));
    EXPECT_FALSE(UserMatches("emails pr", {{"emails", json::array()}}));
    EXPECT_FALSE(UserMatches("emails pr", {{"emails", {{{"value", ""}}}}}));
    EXPECT_FALSE(UserMatches("name pr", {{"name", json::object()}}));
    EXPECT_TRUE(UserMatches("name pr", {{"name", {{"givenName", "x"}}}}));
    EXPECT_TRUE(UserMatches("active pr", {{"active", false}}));
}

TEST(FilterEvaluateTest, EqNullMeansNoValue) {
    EXPECT_TRUE(UserMatches("title eq null", json::object()));
    EXPECT_TRUE(UserMatches("title eq null", {{"title", ""}}));
    EXPECT_FALSE(UserMatches("title eq null", {{"title", "x"}}));
    EXPECT_TRUE(UserMatches("title ne null", {{"title", "x"}}));
}

TEST(FilterEvaluateTest, NeIsTheNegationOfEq) {
    EXPECT_TRUE(UserMatches(R"(title ne "x")", json::object()));
    EXPECT_FALSE(UserMatches(R"(emails.type ne "work")",
                             {{"emails", {{{"type", "home"}}, {{"type", "work"}}}}}));
}

TEST(FilterEvaluateTest, ComparesDateTimesChronologically) {
    const json user = {{"meta", {{"created", "2024-01-01T10:00:00Z"}}}};
    EXPECT_TRUE(UserMatches(R"(meta.created eq "2024-01-01T11:00:00.000+01:00")", user));
    EXPECT_TRUE(UserMatches(R"(meta.created gt "2024-01-01T09:59:59.999Z")", user));
    EXPECT_FALSE(UserMatches(R"(meta.created gt "2024-01-01T10:00:00Z")", user));
    EXPECT_FALSE(UserMatches(R"(meta.created gt "2020-01-01T00:00:00Z")",
                             {{"meta", {{"created", "not a date"}}}}));
}

TEST(FilterEvaluateTest, WrongJsonTypeNeverMatches) {
    EXPECT_FALSE(UserMatches(R"(title eq "1")", {{"title", 1}}));
    EXPECT_FALSE(UserMatches("active eq true", {{"active", "true"}}));
}

TEST(FilterEvaluateTest, MatchesElementTestsOneElement) {
    auto parsed = ParsePatchPath(R"(emails[type eq "work" and not (primary eq true)])");
    ASSERT_TRUE(parsed.ok());
    ASSERT_TRUE(BindPatchPath(*parsed, BuiltinRegistry(), UserType()).ok());
    const Node& filter = *parsed->value_filter;
    EXPECT_TRUE(MatchesElement(filter, {{"type", "WORK"}, {"value", "a"}}));
    EXPECT_FALSE(MatchesElement(filter, {{"type", "work"}, {"primary", true}}));
    EXPECT_FALSE(MatchesElement(filter, {{"type", "home"}}));
    EXPECT_FALSE(MatchesElement(filter, "work"));
}

TEST(FilterEvaluateTest, MatchesElementReadsSimpleElementsAsValue) {
    auto parsed = ParsePatchPath(R"(emails[value eq "a@x"])");
    ASSERT_TRUE(parsed.ok());
    ASSERT_TRUE(BindPatchPath(*parsed, BuiltinRegistry(), UserType()).ok());
    EXPECT_TRUE(MatchesElement(*parsed->value_filter, "A@X"));
}

TEST(FilterEvaluateTest, UnboundTreesMatchNothing) {
    auto parsed = Parse(R"(userName eq "a")");
    ASSERT_TRUE(parsed.ok());
    EXPECT_FALSE(Matches(**parsed, {{"userName", "a"}}));
}

TEST(FilterEvaluateTest, AttributeNamesInDocumentsMatchInAnyCase) {
    EXPECT_TRUE(UserMatches(R"(userName eq "a")", {{"USERNAME", "a"}}));
}

}  // namespace
}  // namespace scim::filter

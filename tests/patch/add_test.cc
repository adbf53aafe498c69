#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

using PatchAddTest = PatchTest;

TEST_F(PatchAddTest, SetsAnAbsentSingleValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"add","path":"nickName","value":"Babs"}])"));
    EXPECT_EQ(doc["nickName"], "Babs");
    EXPECT_EQ(doc["userName"], "bjensen");
}

TEST_F(PatchAddTest, ReplacesAnExistingSingleValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"add","path":"userName","value":"bj"}])"));
    EXPECT_EQ(doc["userName"], "bj");
}

TEST_F(PatchAddTest, AppendsToMultiValuedWithoutDuplicatingEqualElements) {
    auto result = Run(User(), json::parse(R"([{"op":"add","path":"emails","value":[
        {"value":"babs@home.example","type":"home"},
        {"value":"b@other.example","type":"other"}]}])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    ASSERT_EQ(result->doc["emails"].size(), 3u);
    EXPECT_EQ(result->doc["emails"][2]["value"], "b@other.example");
    EXPECT_TRUE(result->changed);
}

TEST_F(PatchAddTest, WrapsASingleObjectForAMultiValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"add","path":"phoneNumbers",
        "value":{"value":"555-0100","type":"work"}}])"));
    EXPECT_EQ(doc["phoneNumbers"], json::parse(R"([{"value":"555-0100","type":"work"}])"));
}

TEST_F(PatchAddTest, AddingOnlyExistingElementsChangesNothing) {
    auto result = Run(User(), json::parse(R"([{"op":"add","path":"emails",
        "value":[{"value":"babs@home.example","type":"home"}]}])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->changed);
    EXPECT_EQ(result->doc, User());
}

TEST_F(PatchAddTest, MergesSubAttributesOfAComplexValue) {
    json doc =
        Patched(User(), json::parse(R"([{"op":"add","path":"name","value":{"middleName":"J"}}])"));
    EXPECT_EQ(doc["name"],
              json::parse(R"({"givenName":"Barbara","familyName":"Jensen","middleName":"J"})"));
}

TEST_F(PatchAddTest, SetsASubAttributeAndCreatesItsParent) {
    json user = User();
    user.erase("name");
    json doc = Patched(user, json::parse(R"([{"op":"add","path":"name.givenName","value":"B"}])"));
    EXPECT_EQ(doc["name"], json::parse(R"({"givenName":"B"})"));
}

TEST_F(PatchAddTest, MatchesPathNamesCaseInsensitivelyAndWritesCanonicalNames) {
    json doc = Patched(User(), json::parse(R"([
        {"op":"add","path":"NAME.GIVENNAME","value":"Babs"},
        {"op":"add","path":"NickName","value":"bj"}])"));
    EXPECT_EQ(doc["name"]["givenName"], "Babs");
    EXPECT_FALSE(doc["name"].contains("GIVENNAME"));
    EXPECT_EQ(doc["nickName"], "bj");
}

TEST_F(PatchAddTest, PathlessValueTakesPlainDottedAndUrnQualifiedKeys) {
    json doc = Patched(User(), json::parse(R"([{"op":"add","value":{
        "title":"Tour Guide",
        "name.middleName":"Jane",
        "urn:ietf:params:scim:schemas:core:2.0:User:userType":"Employee"}}])"));
    EXPECT_EQ(doc["title"], "Tour Guide");
    EXPECT_EQ(doc["name"]["middleName"], "Jane");
    EXPECT_EQ(doc["name"]["givenName"], "Barbara");
    EXPECT_EQ(doc["userType"], "Employee");
}

TEST_F(PatchAddTest, ExtensionAttributeLivesUnderItsUrnAndIsListedInSchemas) {
    json doc = Patched(User(), json::parse(R"([{"op":"add",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "value":"Tours"}])"));
    EXPECT_EQ(doc[kEnterprise]["department"], "Tours");
    EXPECT_EQ(doc["schemas"], json::array({schemas::kUserSchema, schemas::kEnterpriseUserSchema}));
}

TEST_F(PatchAddTest, ValueFilterWithSubAttributeUpdatesOnlyMatchingElements) {
    json doc = Patched(User(), json::parse(R"([{"op":"add",
        "path":"emails[type eq \"work\"].value","value":"barbara@work.example"}])"));
    EXPECT_EQ(doc["emails"][0]["value"], "barbara@work.example");
    EXPECT_EQ(doc["emails"][0]["type"], "work");
    EXPECT_EQ(doc["emails"][1]["value"], "babs@home.example");
}

TEST_F(PatchAddTest, ValueFilterWithoutSubAttributeMergesIntoMatchingElements) {
    json doc = Patched(User(), json::parse(R"([{"op":"add",
        "path":"emails[type eq \"home\"]","value":{"display":"Home"}}])"));
    EXPECT_EQ(doc["emails"][1],
              json::parse(R"({"value":"babs@home.example","type":"home","display":"Home"})"));
}

TEST_F(PatchAddTest, ReadOnlyPathIsAMutabilityError) {
    for (const char* path : {"id", "meta", "meta.created", "groups", "ID"}) {
        SCOPED_TRACE(path);
        ExpectError(Run(User(), json::array({{{"op", "add"}, {"path", path}, {"value", "x"}}})),
                    ScimType::kMutability, "Operations[0]: ");
    }
}

TEST_F(PatchAddTest, UnknownOrMalformedPathIsInvalidPath) {
    for (const char* path : {"nope", "name.nope", "emails[type eq \"work\"", "emails[]",
                             "urn:example:unknown:2.0:User:x", "displayName[value eq \"x\"]"}) {
        SCOPED_TRACE(path);
        ExpectError(Run(User(), json::array({{{"op", "add"}, {"path", path}, {"value", "x"}}})),
                    ScimType::kInvalidPath, "Operations[0]: ");
    }
}

TEST_F(PatchAddTest, PathlessValueMustBeAnObject) {
    ExpectError(Run(User(), json::parse(R"([{"op":"add","value":"bjensen"}])")),
                ScimType::kInvalidValue, "Operations[0]: ");
}

TEST_F(PatchAddTest, ErrorNamesTheFailingOperationIndex) {
    ExpectError(Run(User(), json::parse(R"([
        {"op":"add","path":"nickName","value":"ok"},
        {"op":"add","path":"title","value":"ok"},
        {"op":"add","path":"bogus","value":"x"}])")),
                ScimType::kInvalidPath, "Operations[2]: ");
}

TEST_F(PatchAddTest, NullValueUnassignsTheTarget) {
    json doc =
        Patched(User(), json::parse(R"([{"op":"add","path":"name.givenName","value":null}])"));
    EXPECT_FALSE(doc["name"].contains("givenName"));
}

}  // namespace
}  // namespace scim::patch::testing

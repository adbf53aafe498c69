#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

using PatchReplaceTest = PatchTest;

TEST_F(PatchReplaceTest, ReplacesASingleValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"userName","value":"bj"}])"));
    EXPECT_EQ(doc["userName"], "bj");
}

TEST_F(PatchReplaceTest, ReplacesTheWholeListOfAMultiValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"emails",
        "value":[{"value":"new@work.example","type":"work"}]}])"));
    EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"new@work.example","type":"work"}])"));
}

TEST_F(PatchReplaceTest, EmptyArrayClearsAMultiValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"emails","value":[]}])"));
    EXPECT_FALSE(doc.contains("emails"));
}

TEST_F(PatchReplaceTest, ComplexValueKeepsSubAttributesItDoesNotName) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"name",
        "value":{"givenName":"Babs"}}])"));
    EXPECT_EQ(doc["name"], json::parse(R"({"givenName":"Babs","familyName":"Jensen"})"));
}

TEST_F(PatchReplaceTest, ValueFilterReplacesEachMatchingElement) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"emails[type eq \"home\"]",
        "value":{"value":"b@home2.example","type":"home"}}])"));
    EXPECT_EQ(doc["emails"][1], json::parse(R"({"value":"b@home2.example","type":"home"})"));
    EXPECT_EQ(doc["emails"][0]["value"], "bjensen@work.example");
}

TEST_F(PatchReplaceTest, ValueFilterWithSubAttributeReplacesOnlyThatSubAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace",
        "path":"emails[value ew \"example\" and type ne \"work\"].display","value":"Home"}])"));
    EXPECT_FALSE(doc["emails"][0].contains("display"));
    EXPECT_EQ(doc["emails"][1]["display"], "Home");
    EXPECT_EQ(doc["emails"][1]["value"], "babs@home.example");
}

TEST_F(PatchReplaceTest, ValueFilterComparesCaseInsensitivelyWhereTheSchemaSaysSo) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace",
        "path":"emails[type eq \"WORK\"].value","value":"x@work.example"}])"));
    EXPECT_EQ(doc["emails"][0]["value"], "x@work.example");
    EXPECT_EQ(doc["emails"].size(), 2u);
}

TEST_F(PatchReplaceTest, PathlessValueIgnoresReadOnlyAndUnknownAttributes) {
    auto result = Run(User(), json::parse(R"([{"op":"replace","value":{
        "id":"other","meta":{"created":"2020-01-01T00:00:00Z"},
        "groups":[{"value":"g9"}],"favouriteColour":"green","displayName":"Babs"}}])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["id"], "u1");
    EXPECT_EQ(result->doc["displayName"], "Babs");
    EXPECT_FALSE(result->doc.contains("meta"));
    EXPECT_FALSE(result->doc.contains("groups"));
    EXPECT_FALSE(result->doc.contains("favouriteColour"));
}

TEST_F(PatchReplaceTest, ReadOnlyPathIsAMutabilityError) {
    ExpectError(Run(User(), json::parse(R"([{"op":"replace","path":"meta.lastModified",
        "value":"2020-01-01T00:00:00Z"}])")),
                ScimType::kMutability, "Operations[0]: meta.lastModified");
}

TEST_F(PatchReplaceTest, NullValueRemovesTheAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","path":"name","value":null}])"));
    EXPECT_FALSE(doc.contains("name"));
}

TEST_F(PatchReplaceTest, SameValueIsReportedAsUnchanged) {
    auto result =
        Run(User(), json::parse(R"([{"op":"replace","path":"userName","value":"bjensen"}])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->changed);
}

TEST_F(PatchReplaceTest, ReplaceOfTheExtensionUrnSetsItsAttributes) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "value":{"employeeNumber":"701","costCenter":"4130"}}])"));
    EXPECT_EQ(doc[kEnterprise], json::parse(R"({"employeeNumber":"701","costCenter":"4130"})"));
}

TEST_F(PatchReplaceTest, FailingOperationReportsNoPartialResult) {
    auto result = Run(User(), json::parse(R"([
        {"op":"replace","path":"userName","value":"changed"},
        {"op":"replace","path":"emails[type eq \"work\"]","value":"not an object"}])"));
    // The first operation succeeded, but the request as a whole fails: nothing to store.
    ExpectError(result, ScimType::kInvalidValue, "Operations[1]: ");
}

TEST_F(PatchReplaceTest, ToleratesElementsStoredAsBareValues) {
    json user = User();
    user["emails"] = json::array({"plain@example.com"});
    json doc = Patched(user, json::parse(R"([{"op":"replace",
        "path":"emails[value eq \"plain@example.com\"].type","value":"work"}])"));
    EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"plain@example.com","type":"work"}])"));
}

}  // namespace
}  // namespace scim::patch::testing

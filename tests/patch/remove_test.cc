#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

using PatchRemoveTest = PatchTest;

TEST_F(PatchRemoveTest, RemovesASingleValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove","path":"active"}])"));
    EXPECT_FALSE(doc.contains("active"));
    EXPECT_EQ(doc["userName"], "bjensen");
}

TEST_F(PatchRemoveTest, RemovingAnAbsentAttributeIsANoOp) {
    auto result = Run(User(), json::parse(R"([{"op":"remove","path":"nickName"},
        {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}
    ])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->changed);
    EXPECT_EQ(result->doc, User());
}

TEST_F(PatchRemoveTest, RemoveWithoutPathIsNoTarget) {
    ExpectError(Run(User(), json::parse(R"([{"op":"remove","value":{"nickName":"x"}}])")),
                ScimType::kNoTarget, "Operations[0]: ");
}

TEST_F(PatchRemoveTest, ValueFilterThatMatchesNothingIsNoTarget) {
    ExpectError(Run(User(), json::parse(R"([{"op":"remove","path":"emails[type eq \"other\"]"}])")),
                ScimType::kNoTarget, "Operations[0]: ");
    json user = User();
    user.erase("emails");
    ExpectError(Run(user, json::parse(R"([{"op":"remove","path":"emails[type eq \"work\"]"}])")),
                ScimType::kNoTarget, "Operations[0]: ");
}

TEST_F(PatchRemoveTest, ValueFilterRemovesOnlyMatchingElements) {
    json doc =
        Patched(User(), json::parse(R"([{"op":"remove","path":"emails[type eq \"work\"]"}])"));
    EXPECT_EQ(doc["emails"], json::parse(R"([{"value":"babs@home.example","type":"home"}])"));
}

TEST_F(PatchRemoveTest, ValueFilterWithLogicRemovesEveryMatch) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove",
        "path":"emails[type eq \"home\" or primary eq true]"}])"));
    EXPECT_FALSE(doc.contains("emails"));
}

TEST_F(PatchRemoveTest, ValueFilterWithSubAttributeRemovesItFromMatches) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove",
        "path":"emails[type eq \"work\"].primary"}])"));
    EXPECT_FALSE(doc["emails"][0].contains("primary"));
    EXPECT_EQ(doc["emails"][0]["value"], "bjensen@work.example");
}

TEST_F(PatchRemoveTest, SubAttributeGoesAndAnEmptiedParentWithIt) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove","path":"name.givenName"}])"));
    EXPECT_EQ(doc["name"], json::parse(R"({"familyName":"Jensen"})"));
    doc = Patched(doc, json::parse(R"([{"op":"remove","path":"name.familyName"}])"));
    EXPECT_FALSE(doc.contains("name"));
}

TEST_F(PatchRemoveTest, RemovesAWholeMultiValuedAttribute) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove","path":"emails"}])"));
    EXPECT_FALSE(doc.contains("emails"));
}

TEST_F(PatchRemoveTest, ValueListRemovesExactlyTheListedElements) {
    json doc = Patched(User(), json::parse(R"([{"op":"remove","path":"emails",
        "value":[{"value":"babs@home.example"},{"value":"not-there@example"}]}])"));
    EXPECT_EQ(doc["emails"].size(), 1u);
    EXPECT_EQ(doc["emails"][0]["type"], "work");
}

TEST_F(PatchRemoveTest, LastExtensionAttributeTakesTheExtensionOutOfSchemas) {
    json user = User();
    user["schemas"].push_back(kEnterprise);
    user[kEnterprise] = {{"department", "Tours"}};
    json doc = Patched(user, json::parse(R"([{"op":"remove",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}])"));
    EXPECT_FALSE(doc.contains(kEnterprise));
    EXPECT_EQ(doc["schemas"], json::array({schemas::kUserSchema}));
}

TEST_F(PatchRemoveTest, RemovingTheExtensionUrnDropsAllItsAttributes) {
    json user = User();
    user["schemas"].push_back(kEnterprise);
    user[kEnterprise] = {{"department", "Tours"}, {"costCenter", "1"}};
    json doc = Patched(user, json::parse(R"([{"op":"remove",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}])"));
    EXPECT_EQ(doc, User());
}

TEST_F(PatchRemoveTest, ReadOnlyPathIsAMutabilityError) {
    ExpectError(Run(User(), json::parse(R"([{"op":"remove","path":"id"}])")), ScimType::kMutability,
                "Operations[0]: id");
}

TEST_F(PatchRemoveTest, UnknownAttributeIsInvalidPath) {
    ExpectError(Run(User(), json::parse(R"([{"op":"remove","path":"emails[kind eq \"work\"]"}])")),
                ScimType::kInvalidPath, "Operations[0]: ");
}

}  // namespace
}  // namespace scim::patch::testing

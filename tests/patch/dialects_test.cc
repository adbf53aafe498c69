// Request shapes the two big identity providers send, described from their public SCIM
// documentation and rewritten here as small cases.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

using PatchDialectTest = PatchTest;

// Okta deactivates a user with a path-less replace of `active`.
TEST_F(PatchDialectTest, OktaDeactivatesWithPathlessReplace) {
    json doc = Patched(User(), json::parse(R"([{"op":"replace","value":{"active":false}}])"));
    EXPECT_EQ(doc["active"], false);
}

// Okta renames a group with a path-less replace that repeats the id.
TEST_F(PatchDialectTest, OktaRenamesAGroupAndTheRepeatedIdIsIgnored) {
    auto result = Run(Group(), json::parse(R"([{"op":"replace",
        "value":{"id":"g1","displayName":"Museum Guides"}}])"),
                      schemas::kGroupResource);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["displayName"], "Museum Guides");
    EXPECT_EQ(result->doc["id"], "g1");
    EXPECT_TRUE(result->members.empty());
}

// Entra ID capitalises op names and may capitalise the request keys.
TEST_F(PatchDialectTest, OpNamesAndRequestKeysMatchInAnyCase) {
    json body = json::parse(R"({
        "Schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "operations": [
            {"Op": "Replace", "Path": "displayName", "Value": "Babs"},
            {"op": "ADD", "path": "title", "value": "Guide"},
            {"op": "Remove", "path": "nickName"}]})");
    auto result = RunBody(User(), body);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["displayName"], "Babs");
    EXPECT_EQ(result->doc["title"], "Guide");
}

// Entra ID sends booleans as the strings "True" and "False".
TEST_F(PatchDialectTest, BooleanStringsBecomeBooleans) {
    json doc = Patched(User(), json::parse(R"([
        {"op":"Replace","path":"active","value":"False"},
        {"op":"Replace","path":"emails[type eq \"home\"].primary","value":"True"}])"));
    EXPECT_EQ(doc["active"], false);
    EXPECT_EQ(doc["emails"][1]["primary"], true);
    doc = Patched(doc, json::parse(R"([{"op":"Replace","value":{"active":"true"}}])"));
    EXPECT_EQ(doc["active"], true);
}

// Entra ID sends path-less replaces whose keys are URN-qualified attributes or a schema URN
// holding an object.
TEST_F(PatchDialectTest, PathlessReplaceWithUrnKeysWritesTheExtension) {
    json doc = Patched(User(), json::parse(R"([{"op":"Replace","value":{
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Tours",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701"},
        "name.familyName":"Jensen-Smith"}}])"));
    EXPECT_EQ(doc[kEnterprise], json::parse(R"({"department":"Tours","employeeNumber":"701"})"));
    EXPECT_EQ(doc["name"]["familyName"], "Jensen-Smith");
    EXPECT_EQ(doc["schemas"][1], kEnterprise);
}

// Entra ID adds `emails[type eq "work"].value` to a user without emails and expects the element
// to be created from the filter.
TEST_F(PatchDialectTest, ValueFilterThatMatchesNothingCreatesTheElement) {
    json user = User();
    user.erase("emails");
    json doc = Patched(user, json::parse(R"([
        {"op":"Add","path":"emails[type eq \"work\"].value","value":"b@work.example"},
        {"op":"Add","path":"emails[type eq \"work\"].primary","value":"True"},
        {"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"Oslo"}])"));
    EXPECT_EQ(doc["emails"],
              json::parse(R"([{"type":"work","value":"b@work.example","primary":true}])"));
    EXPECT_EQ(doc["addresses"], json::parse(R"([{"type":"work","locality":"Oslo"}])"));
}

// Entra ID's path-less replace can carry keys that are full paths with a value filter; each
// is applied as an operation with that path would be, next to the plain keys.
TEST_F(PatchDialectTest, PathlessKeyWithAValueFilterActsAsThatPath) {
    json doc = Patched(User(), json::parse(R"([{"op":"Replace","value":{
        "displayName":"Babs",
        "emails[type eq \"work\"].value":"barbara@work.example",
        "phoneNumbers[type eq \"mobile\"].value":"+47 555 0100",
        "name.familyName":"Jensen-Smith"}}])"));
    EXPECT_EQ(doc["displayName"], "Babs");
    EXPECT_EQ(doc["emails"][0]["value"], "barbara@work.example");
    EXPECT_EQ(doc["emails"][0]["type"], "work");
    EXPECT_EQ(doc["emails"][1], User()["emails"][1]);
    EXPECT_EQ(doc["phoneNumbers"], json::parse(R"([{"type":"mobile","value":"+47 555 0100"}])"));
    EXPECT_EQ(doc["name"]["familyName"], "Jensen-Smith");
}

TEST_F(PatchDialectTest, PathlessAddWithAFilteredKeyMatchesTheSameOpWithAPath) {
    json user = User();
    user.erase("emails");
    json with_key = Patched(user, json::parse(R"([{"op":"add","value":{
        "emails[type eq \"work\"].value":"a@x.example"}}])"));
    json with_path = Patched(user, json::parse(R"([{"op":"add",
        "path":"emails[type eq \"work\"].value","value":"a@x.example"}])"));
    EXPECT_EQ(with_key, with_path);
    EXPECT_EQ(with_key["emails"], json::parse(R"([{"type":"work","value":"a@x.example"}])"));
}

TEST_F(PatchDialectTest, PathlessFilteredKeyThatDoesNotResolveIsInvalidPath) {
    for (const char* key : {R"(emails[type eq \"work\".value)", R"(colours[type eq \"x\"].value)",
                            R"(userName[type eq \"x\"])"}) {
        SCOPED_TRACE(key);
        json operations = json::array(
            {{{"op", "add"},
              {"value", {{json::parse(std::string("\"") + key + "\"").get<std::string>(), "v"}}}}});
        ExpectError(Run(User(), operations), ScimType::kInvalidPath, "Operations[0]: ");
    }
}

// A readOnly target behind a filtered key is ignored like a plain readOnly key.
TEST_F(PatchDialectTest, PathlessFilteredKeyOnAReadOnlyAttributeIsIgnored) {
    auto result = Run(User(), json::parse(R"([{"op":"add","value":{
        "groups[value eq \"g1\"].display":"x"}}])"));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->changed);
}

TEST_F(PatchDialectTest, FilterThatCannotDescribeAnElementIsNoTarget) {
    ExpectError(Run(User(), json::parse(R"([{"op":"Replace",
        "path":"emails[type eq \"other\" or type eq \"fax\"].value","value":"x"}])")),
                ScimType::kNoTarget, "Operations[0]: ");
}

// Entra ID sets the manager as a bare id; some versions add "$ref": null.
TEST_F(PatchDialectTest, ManagerAsABareStringBecomesAValueObject) {
    json doc = Patched(User(), json::parse(R"([{"op":"Add",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "value":"mgr-7"}])"));
    EXPECT_EQ(doc[kEnterprise]["manager"], json::parse(R"({"value":"mgr-7"})"));
}

TEST_F(PatchDialectTest, NullRefAndUnknownReferenceSubAttributesAreDropped) {
    json doc = Patched(User(), json::parse(R"([{"op":"Replace",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "value":{"value":"mgr-7","$ref":null,"displayName":"Boss","office":"B2"}}])"));
    EXPECT_EQ(doc[kEnterprise]["manager"], json::parse(R"({"value":"mgr-7"})"));
}

// Entra ID removes the manager with a value list naming it.
TEST_F(PatchDialectTest, RemoveOfASingleValuedAttributeIgnoresItsValue) {
    json user = User();
    user["schemas"].push_back(kEnterprise);
    user[kEnterprise] = {{"manager", {{"value", "mgr-7"}}}};
    json doc = Patched(user, json::parse(R"([{"op":"Remove",
        "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "value":[{"value":"mgr-7"}]}])"));
    EXPECT_EQ(doc, User());
}

// Entra ID updates the group name and its members in one request.
TEST_F(PatchDialectTest, EntraGroupUpdateMixesDisplayNameAndMembers) {
    auto result = Run(Group(), json::parse(R"([
        {"op":"Replace","path":"displayName","value":"Museum Guides"},
        {"op":"Add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
        {"op":"Remove","path":"members","value":[{"value":"u3"}]}])"),
                      schemas::kGroupResource);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["displayName"], "Museum Guides");
    EXPECT_FALSE(result->doc.contains("members"));
    ASSERT_EQ(result->members.add.size(), 2u);
    EXPECT_EQ(result->members.remove, std::vector<std::string>{"u3"});
}

// Okta adds and removes group members one request at a time, removals through a filter.
TEST_F(PatchDialectTest, OktaMemberAddAndFilteredRemove) {
    auto added = Run(Group(), json::parse(R"([{"op":"add","path":"members",
        "value":[{"value":"u1","display":"bjensen@example.com"}]}])"),
                     schemas::kGroupResource);
    ASSERT_TRUE(added.ok()) << added.error().detail;
    ASSERT_EQ(added->members.add.size(), 1u);
    EXPECT_EQ(added->members.add[0].id, "u1");
    EXPECT_TRUE(added->members.add[0].display.empty());

    auto removed = Run(Group(), json::parse(R"([{"op":"remove",
        "path":"members[value eq \"u1\"]"}])"),
                       schemas::kGroupResource);
    ASSERT_TRUE(removed.ok()) << removed.error().detail;
    EXPECT_EQ(removed->members.remove, std::vector<std::string>{"u1"});
    EXPECT_EQ(removed->doc, Group());
}

}  // namespace
}  // namespace scim::patch::testing

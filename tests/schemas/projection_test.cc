#include "schemas/projection.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/test_registry.h"

namespace schemas {
namespace {

using nlohmann::json;

const std::string kEnt = "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const std::string kBadge = "/" + std::string(test_support::kBadgeUrn);

json FullUser() {
    return json::parse(R"({
      "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                  "urn:example:params:scim:schemas:extension:badge:2.0:User"],
      "id": "u1", "externalId": "e1", "userName": "bjensen",
      "name": {"givenName": "Barbara", "familyName": "Jensen"},
      "displayName": "Babs",
      "emails": [{"value": "b@example.com", "type": "work", "primary": true}, {"type": "home"}],
      "password": "must-not-leak",
      "x-scimd-secrets": {"password": "$argon2id$hash"},
      "groups": [{"value": "g1", "display": "Ops", "type": "direct"}],
      "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z",
               "lastModified": "2024-01-02T00:00:00Z", "version": "W/\"3\""},
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
          "department": "R&D", "manager": {"value": "m1", "displayName": "Boss"}},
      "urn:example:params:scim:schemas:extension:badge:2.0:User": {
          "badgeNumber": "B1", "floors": [3], "pin": "1234"},
      "favouriteColour": "teal"
    })");
}

struct Row {
    std::optional<std::string> attributes;
    std::optional<std::string> excluded;
    std::vector<std::string> present;
    std::vector<std::string> absent;
};

class ProjectionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { registry_ = test_support::RegistryWithBadge(); }
    static void TearDownTestSuite() { registry_.reset(); }

    static const ResourceType& Type(std::string_view name) {
        return *registry_->FindResourceType(name);
    }

    static void Check(const Row& row) {
        SCOPED_TRACE("attributes=" + row.attributes.value_or("<none>") +
                     " excludedAttributes=" + row.excluded.value_or("<none>"));
        const ResourceType& user = Type("User");
        const auto selection =
            AttributeSelection::Parse(*registry_, user, row.attributes, row.excluded);
        const json out = Project(*registry_, user, FullUser(), selection);
        for (const std::string& pointer : row.present) {
            EXPECT_TRUE(out.contains(json::json_pointer(pointer)))
                << pointer << " missing in " << out.dump();
        }
        for (const std::string& pointer : row.absent) {
            EXPECT_FALSE(out.contains(json::json_pointer(pointer)))
                << pointer << " present in " << out.dump();
        }
    }

    static inline std::shared_ptr<const Registry> registry_;
};

TEST_F(ProjectionTest, AppliesReturnedCharacteristicWithoutParameters) {
    Check({std::nullopt,
           std::nullopt,
           {"/schemas", "/id", "/externalId", "/userName", "/name/givenName", "/emails/1/type",
            "/groups/0/display", "/meta/created", "/meta/resourceType", kEnt + "/department",
            kEnt + "/manager/displayName", kBadge + "/badgeNumber"},
           {"/password", "/x-scimd-secrets", "/favouriteColour", kBadge + "/floors",
            kBadge + "/pin"}});
}

TEST_F(ProjectionTest, AttributesParameterSelectsOnlyWhatIsNamedPlusAlwaysReturned) {
    const Row rows[] = {
        {"userName",
         std::nullopt,
         {"/schemas", "/id", "/userName", "/meta/resourceType"},
         {"/meta/created", "/name", "/externalId", "/emails", "/groups", kEnt, kBadge}},
        {"NAME.givenName",
         std::nullopt,
         {"/name/givenName", "/id"},
         {"/name/familyName", "/userName"}},
        {"name", std::nullopt, {"/name/givenName", "/name/familyName"}, {"/userName"}},
        {"emails.value", std::nullopt, {"/emails/0/value"}, {"/emails/0/type", "/emails/1"}},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
         std::nullopt,
         {kEnt + "/manager/value"},
         {kEnt + "/department", kEnt + "/manager/displayName", "/userName"}},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
         std::nullopt,
         {kEnt + "/department", kEnt + "/manager/value"},
         {"/userName", kBadge}},
        {"urn:ietf:params:scim:schemas:core:2.0:User:userName",
         std::nullopt,
         {"/userName"},
         {"/displayName"}},
        {" userName , displayName ", std::nullopt, {"/userName", "/displayName"}, {"/name"}},
        {std::string(test_support::kBadgeUrn) + ":floors",
         std::nullopt,
         {kBadge + "/floors"},
         {kBadge + "/badgeNumber"}},
        {"password,x-scimd-secrets", std::nullopt, {"/id"}, {"/password", "/x-scimd-secrets"}},
        {"bogus", std::nullopt, {"/userName", "/name"}, {"/password"}},
        {"meta.lastModified",
         std::nullopt,
         {"/meta/lastModified", "/meta/resourceType"},
         {"/meta/created"}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ProjectionTest, ExcludedAttributesRemovesDefaultsButNeverAlwaysReturned) {
    const Row rows[] = {
        {std::nullopt,
         "emails,NAME.familyName",
         {"/name/givenName", "/userName"},
         {"/emails", "/name/familyName"}},
        {std::nullopt, "id", {"/id"}, {}},
        {std::nullopt, "meta", {"/meta/resourceType"}, {"/meta/created", "/meta/version"}},
        {std::nullopt,
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
         {"/userName", kBadge + "/badgeNumber"},
         {kEnt}},
        {std::nullopt,
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
         {kEnt + "/department"},
         {kEnt + "/manager"}},
        {std::nullopt, "groups", {"/userName"}, {"/groups"}},
        {"userName,displayName", "displayName", {"/userName"}, {"/displayName"}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ProjectionTest, TellsWhetherMembershipAttributesWillBeReturned) {
    struct Case {
        std::string_view type;
        std::optional<std::string> attributes;
        std::optional<std::string> excluded;
        std::string_view attribute;
        bool returned;
    };
    const Case cases[] = {
        {"Group", std::nullopt, std::nullopt, "members", true},
        {"Group", std::nullopt, "members", "members", false},
        {"Group", std::nullopt, "MEMBERS", "members", false},
        {"Group", std::nullopt, "members.display", "members", true},
        {"Group", "displayName", std::nullopt, "members", false},
        {"Group", "members.value", std::nullopt, "members", true},
        {"Group", "urn:ietf:params:scim:schemas:core:2.0:Group:members", std::nullopt, "members",
         true},
        {"User", std::nullopt, std::nullopt, "groups", true},
        {"User", std::nullopt, "groups", "groups", false},
        {"User", "userName", std::nullopt, "groups", false},
        {"User", std::nullopt, std::nullopt, "password", false},
        {"User", std::nullopt, std::nullopt, "nosuch", false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.type) + " " + c.attributes.value_or("-") + " " +
                     c.excluded.value_or("-") + " " + std::string(c.attribute));
        const ResourceType& type = Type(c.type);
        const auto selection =
            AttributeSelection::Parse(*registry_, type, c.attributes, c.excluded);
        EXPECT_EQ(selection.Returns(*registry_, type, c.attribute), c.returned);
    }
}

TEST_F(ProjectionTest, SearchRequestListsSelectLikeQueryParameters) {
    const ResourceType& user = Type("User");
    const auto selection =
        AttributeSelection::FromLists(*registry_, user, {"userName", "name.givenName"}, {});
    const json out = Project(*registry_, user, FullUser(), selection);
    EXPECT_EQ(out.at("userName"), "bjensen");
    EXPECT_EQ(out.at("name"), json({{"givenName", "Barbara"}}));
    EXPECT_FALSE(out.contains("displayName"));
    const auto excluded = AttributeSelection::FromLists(*registry_, user, {}, {"displayName"});
    const json out2 = Project(*registry_, user, FullUser(), excluded);
    EXPECT_FALSE(out2.contains("displayName"));
    EXPECT_TRUE(out2.contains("userName"));
}

TEST_F(ProjectionTest, GroupMembersAreProjectedLikeAnyComplexAttribute) {
    const ResourceType& group = Type("Group");
    const json doc = json::parse(R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g1", "displayName": "Ops",
        "members": [{"value": "u1", "display": "bjensen", "type": "User", "$ref": "x"}]})");
    const auto selection =
        AttributeSelection::Parse(*registry_, group, std::nullopt, "members.$ref");
    const json out = Project(*registry_, group, doc, selection);
    EXPECT_EQ(out.at("members"), json::parse(R"([{"value": "u1", "display": "bjensen",
                                                  "type": "User"}])"));
    EXPECT_EQ(out.at("displayName"), "Ops");
}

}  // namespace
}  // namespace schemas

#include <string>

#include <gtest/gtest.h>

#include "schemas/schema.h"
#include "schemas/test_registry.h"

namespace schemas {
namespace {

using test_support::TempDir;

std::shared_ptr<const Registry> BuiltIn() {
    return test_support::BuiltInRegistry();
}

TEST(RegistryTest, LoadsBuiltInSchemasAndResourceTypes) {
    auto registry = BuiltIn();
    ASSERT_TRUE(registry);
    for (std::string_view urn : {kUserSchema, kGroupSchema, kEnterpriseUserSchema}) {
        EXPECT_NE(registry->FindSchema(urn), nullptr) << urn;
    }
    const ResourceType* user = registry->FindResourceType("user");
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(user->endpoint, "/Users");
    ASSERT_EQ(user->extensions.size(), 1u);
    EXPECT_EQ(user->extensions[0].schema, kEnterpriseUserSchema);
    EXPECT_FALSE(user->extensions[0].required);
    const ResourceType* group = registry->FindResourceType("Group");
    ASSERT_NE(group, nullptr);
    EXPECT_EQ(group->endpoint, "/Groups");
    EXPECT_EQ(registry->FindResourceType("Device"), nullptr);
}

TEST(RegistryTest, ListsUserThenGroupResourceTypes) {
    auto registry = BuiltIn();
    ASSERT_GE(registry->resource_types().size(), 2u);
    EXPECT_EQ(registry->resource_types()[0].name, "User");
    EXPECT_EQ(registry->resource_types()[1].name, "Group");
}

TEST(RegistryTest, UserSchemaDefinesEveryRfc7643CoreAttribute) {
    auto registry = BuiltIn();
    ASSERT_TRUE(registry);
    const Schema* user = registry->FindSchema(kUserSchema);
    ASSERT_NE(user, nullptr);
    for (const char* name : {"userName",        "name",         "displayName",  "nickName",
                             "profileUrl",      "title",        "userType",     "preferredLanguage",
                             "locale",          "timezone",     "active",       "password",
                             "emails",          "phoneNumbers", "ims",          "photos",
                             "addresses",       "groups",       "entitlements", "roles",
                             "x509Certificates"}) {
        EXPECT_NE(user->Find(name), nullptr) << name;
    }
    const Attribute* name = user->Find("name");
    for (const char* sub : {"formatted", "familyName", "givenName", "middleName", "honorificPrefix",
                            "honorificSuffix"}) {
        EXPECT_NE(name->FindSub(sub), nullptr) << sub;
    }
}

struct CharacteristicCase {
    std::string_view path;
    AttrType type;
    bool multi_valued;
    bool required;
    bool case_exact;
    Mutability mutability;
    Returned returned;
    Uniqueness uniqueness;
};

TEST(RegistryTest, AttributesCarryTheirRfcCharacteristics) {
    auto registry = BuiltIn();
    ASSERT_TRUE(registry);
    const ResourceType& user = *registry->FindResourceType("User");
    const ResourceType& group = *registry->FindResourceType("Group");
    using enum AttrType;
    const CharacteristicCase user_cases[] = {
        {"userName", kString, false, true, false, Mutability::kReadWrite, Returned::kDefault,
         Uniqueness::kServer},
        {"id", kString, false, false, true, Mutability::kReadOnly, Returned::kAlways,
         Uniqueness::kServer},
        {"externalId", kString, false, false, true, Mutability::kReadWrite, Returned::kDefault,
         Uniqueness::kNone},
        {"password", kString, false, false, true, Mutability::kWriteOnly, Returned::kNever,
         Uniqueness::kNone},
        {"active", kBoolean, false, false, false, Mutability::kReadWrite, Returned::kDefault,
         Uniqueness::kNone},
        {"emails", kComplex, true, false, false, Mutability::kReadWrite, Returned::kDefault,
         Uniqueness::kNone},
        {"emails.primary", kBoolean, false, false, false, Mutability::kReadWrite,
         Returned::kDefault, Uniqueness::kNone},
        {"groups", kComplex, true, false, false, Mutability::kReadOnly, Returned::kDefault,
         Uniqueness::kNone},
        {"groups.$ref", kReference, false, false, false, Mutability::kReadOnly, Returned::kDefault,
         Uniqueness::kNone},
        {"x509Certificates.value", kBinary, false, false, false, Mutability::kReadWrite,
         Returned::kDefault, Uniqueness::kNone},
        {"meta.lastModified", kDateTime, false, false, false, Mutability::kReadOnly,
         Returned::kDefault, Uniqueness::kNone},
        {"meta.resourceType", kString, false, false, true, Mutability::kReadOnly, Returned::kAlways,
         Uniqueness::kNone},
        {"profileUrl", kReference, false, false, false, Mutability::kReadWrite, Returned::kDefault,
         Uniqueness::kNone},
    };
    for (const CharacteristicCase& c : user_cases) {
        SCOPED_TRACE(c.path);
        auto resolved = registry->Resolve(user, c.path);
        ASSERT_TRUE(resolved.has_value());
        const Attribute& a = resolved->leaf();
        EXPECT_EQ(a.type, c.type);
        EXPECT_EQ(a.multi_valued, c.multi_valued);
        EXPECT_EQ(a.required, c.required);
        EXPECT_EQ(a.case_exact, c.case_exact);
        EXPECT_EQ(a.mutability, c.mutability);
        EXPECT_EQ(a.returned, c.returned);
        EXPECT_EQ(a.uniqueness, c.uniqueness);
    }
    auto display_name = registry->Resolve(group, "displayName");
    ASSERT_TRUE(display_name.has_value());
    EXPECT_TRUE(display_name->leaf().required);
    auto member_value = registry->Resolve(group, "members.value");
    ASSERT_TRUE(member_value.has_value());
    EXPECT_EQ(member_value->leaf().mutability, Mutability::kImmutable);
}

struct ResolveCase {
    std::string_view path;
    std::string_view attribute;  // empty: must not resolve
    std::string_view sub;
    bool is_extension;
};

TEST(RegistryTest, ResolvesPathsCaseInsensitivelyWithOptionalUrn) {
    auto registry = BuiltIn();
    ASSERT_TRUE(registry);
    const ResourceType& user = *registry->FindResourceType("User");
    const ResolveCase cases[] = {
        {"userName", "userName", "", false},
        {"USERNAME", "userName", "", false},
        {"name.givenName", "name", "givenName", false},
        {"Name.GIVENNAME", "name", "givenName", false},
        {"emails.value", "emails", "value", false},
        {"id", "id", "", false},
        {"meta.created", "meta", "created", false},
        {"urn:ietf:params:scim:schemas:core:2.0:User:userName", "userName", "", false},
        {"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.familyName", "name", "familyName", false},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "manager",
         "value", true},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "department", "",
         true},
        {"department", "", "", false},  // extension attributes need their URN
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "", "", false},
        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:id", "", "", false},
        {"urn:example:unknown:2.0:User:userName", "", "", false},
        {"name.givenName.extra", "", "", false},
        {"userName.value", "", "", false},
        {"emails.", "", "", false},
        {"", "", "", false},
        {"nosuch", "", "", false},
    };
    for (const ResolveCase& c : cases) {
        SCOPED_TRACE(c.path);
        auto resolved = registry->Resolve(user, c.path);
        if (c.attribute.empty()) {
            EXPECT_FALSE(resolved.has_value());
            continue;
        }
        ASSERT_TRUE(resolved.has_value());
        EXPECT_EQ(resolved->attribute->name, c.attribute);
        EXPECT_EQ(resolved->sub ? resolved->sub->name : "", c.sub);
        EXPECT_EQ(resolved->is_extension, c.is_extension);
        EXPECT_EQ(resolved->schema->id,
                  c.is_extension ? kEnterpriseUserSchema : std::string_view(kUserSchema));
    }
}

constexpr std::string_view kBadgeExtension = R"({
  "id": "urn:example:params:scim:schemas:extension:badge:2.0:User",
  "name": "Badge",
  "description": "Building access badges.",
  "x-scimd-extends": "user",
  "attributes": [
    {"name": "badgeNumber", "type": "string", "multiValued": false, "required": true,
     "caseExact": true, "mutability": "immutable", "returned": "default", "uniqueness": "server"},
    {"name": "floors", "type": "integer", "multiValued": true, "mutability": "readWrite",
     "returned": "request"}
  ]
})";

TEST(RegistryTest, LoadsExtensionSchemaFromDirectoryAndAttachesItToItsResourceType) {
    TempDir dir;
    dir.Write("badge.json", std::string(kBadgeExtension));
    dir.Write("notes.txt", "ignored: not a .json file");
    auto loaded = Registry::Load(dir.path());
    ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
    const Registry& registry = **loaded;
    const std::string urn = "urn:example:params:scim:schemas:extension:badge:2.0:User";
    ASSERT_NE(registry.FindSchema(urn), nullptr);
    const ResourceType& user = *registry.FindResourceType("User");
    ASSERT_EQ(user.extensions.size(), 2u);
    EXPECT_EQ(user.extensions[1].schema, urn);
    auto resolved = registry.Resolve(user, urn + ":BADGENUMBER");
    ASSERT_TRUE(resolved.has_value());
    EXPECT_TRUE(resolved->is_extension);
    EXPECT_EQ(resolved->leaf().name, "badgeNumber");
    EXPECT_EQ(resolved->leaf().mutability, Mutability::kImmutable);
    EXPECT_EQ(registry.FindResourceType("Group")->extensions.size(), 0u);
}

TEST(RegistryTest, RejectsMalformedExtensionFilesNamingTheFile) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"syntax.json", "{ not json"},
        {"noextends.json", R"({"id": "urn:x:1", "attributes": []})"},
        {"unknowntype.json", R"({"id": "urn:x:1", "x-scimd-extends": "Device", "attributes": []})"},
        {"notaurn.json", R"({"id": "x", "x-scimd-extends": "User", "attributes": []})"},
        {"duplicate.json",
         R"({"id": "urn:ietf:params:scim:schemas:core:2.0:USER", "x-scimd-extends": "User",
             "attributes": []})"},
        {"badtype.json",
         R"({"id": "urn:x:1", "x-scimd-extends": "User",
             "attributes": [{"name": "a", "type": "text"}]})"},
        {"badname.json",
         R"({"id": "urn:x:1", "x-scimd-extends": "User",
             "attributes": [{"name": "1a", "type": "string"}]})"},
        {"nested.json",
         R"({"id": "urn:x:1", "x-scimd-extends": "User", "attributes": [{"name": "a",
             "type": "complex", "subAttributes": [{"name": "b", "type": "complex",
             "subAttributes": [{"name": "c"}]}]}]})"},
        {"twice.json",
         R"({"id": "urn:x:1", "x-scimd-extends": "User",
             "attributes": [{"name": "a"}, {"name": "A"}]})"},
    };
    for (const auto& [name, content] : cases) {
        SCOPED_TRACE(name);
        TempDir dir;
        dir.Write(std::string(name), std::string(content));
        auto loaded = Registry::Load(dir.path());
        ASSERT_FALSE(loaded.ok());
        EXPECT_EQ(loaded.error().status, 400);
        EXPECT_NE(loaded.error().detail.find(name), std::string::npos) << loaded.error().detail;
    }
}

TEST(RegistryTest, MissingExtensionDirectoryIsAnError) {
    auto loaded = Registry::Load("/nonexistent/scimd/schema/dir");
    EXPECT_FALSE(loaded.ok());
}

}  // namespace
}  // namespace schemas

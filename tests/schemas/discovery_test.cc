#include "schemas/discovery.h"

#include <string>

#include <gtest/gtest.h>

#include "schemas/characteristics.h"
#include "schemas/test_registry.h"

namespace schemas {
namespace {

using nlohmann::json;

const DiscoveryConfig kConfig{"https://scim.example.com/scim/v2", 250, ""};

class DiscoveryTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { registry_ = test_support::RegistryWithBadge(); }
    static void TearDownTestSuite() { registry_.reset(); }

    // Every attribute the describing schema marks required is present, recursively into
    // complex values: the documents satisfy their own RFC 7643 §5-7 schemas.
    static void ExpectRequiredPresent(const json& doc, std::string_view schema_urn) {
        const Schema* schema = registry_->FindSchema(schema_urn);
        ASSERT_NE(schema, nullptr) << schema_urn;
        ExpectRequired(doc, schema->attributes, std::string(schema_urn));
    }

    static void ExpectRequired(const json& object,
                               const std::vector<Attribute>& attributes,
                               const std::string& where) {
        for (const Attribute& attribute : attributes) {
            const bool present = object.contains(attribute.name);
            if (attribute.required) {
                EXPECT_TRUE(present)
                    << where << " lacks " << attribute.name << ": " << object.dump();
            }
            if (!present || attribute.type != AttrType::kComplex) {
                continue;
            }
            const json& value = object.at(attribute.name);
            const json items = value.is_array() ? value : json::array({value});
            for (const json& item : items) {
                ExpectRequired(item, attribute.sub_attributes, where + "." + attribute.name);
            }
        }
    }

    static inline std::shared_ptr<const Registry> registry_;
};

TEST_F(DiscoveryTest, ServiceProviderConfigAdvertisesWhatTheServerSupports) {
    const json doc = ServiceProviderConfigDocument(*registry_, kConfig);
    ExpectRequiredPresent(doc, kServiceProviderConfigSchema);
    EXPECT_EQ(doc.at("schemas"), json::array({kServiceProviderConfigSchema}));
    EXPECT_EQ(doc.at("patch").at("supported"), true);
    EXPECT_EQ(doc.at("bulk").at("supported"), false);
    EXPECT_EQ(doc.at("bulk").at("maxOperations"), 0);
    EXPECT_EQ(doc.at("bulk").at("maxPayloadSize"), 0);
    EXPECT_EQ(doc.at("filter").at("supported"), true);
    EXPECT_EQ(doc.at("filter").at("maxResults"), 250);
    EXPECT_EQ(doc.at("changePassword").at("supported"), true);
    EXPECT_EQ(doc.at("sort").at("supported"), true);
    EXPECT_EQ(doc.at("etag").at("supported"), true);
    const json& scheme = doc.at("authenticationSchemes").at(0);
    EXPECT_EQ(scheme.at("type"), "oauthbearertoken");
    EXPECT_NE(scheme.at("description").get<std::string>().find("organization service access token"),
              std::string::npos);
    EXPECT_EQ(doc.at("meta").at("resourceType"), "ServiceProviderConfig");
    EXPECT_EQ(doc.at("meta").at("location"),
              "https://scim.example.com/scim/v2/ServiceProviderConfig");
    EXPECT_FALSE(doc.contains("documentationUri"));
    DiscoveryConfig with_docs = kConfig;
    with_docs.documentation_uri = "https://docs.example.com/scim";
    EXPECT_EQ(ServiceProviderConfigDocument(*registry_, with_docs).at("documentationUri"),
              "https://docs.example.com/scim");
}

TEST_F(DiscoveryTest, ResourceTypesListEveryTypeWithItsExtensions) {
    const json list = ResourceTypeList(*registry_, kConfig);
    EXPECT_EQ(list.at("schemas"), json::array({kListResponseSchema}));
    EXPECT_EQ(list.at("totalResults"), 2);
    EXPECT_EQ(list.at("itemsPerPage"), 2);
    EXPECT_EQ(list.at("startIndex"), 1);
    ASSERT_EQ(list.at("Resources").size(), 2u);
    for (const json& type : list.at("Resources")) {
        ExpectRequiredPresent(type, kResourceTypeSchema);
        EXPECT_EQ(type.at("schemas"), json::array({kResourceTypeSchema}));
        EXPECT_EQ(type.at("meta").at("resourceType"), "ResourceType");
    }
    const auto user = FindResourceTypeDocument(*registry_, kConfig, "USER");
    ASSERT_TRUE(user.has_value());
    EXPECT_EQ(user->at("endpoint"), "/Users");
    EXPECT_EQ(user->at("schema"), kUserSchema);
    EXPECT_EQ(user->at("meta").at("location"),
              "https://scim.example.com/scim/v2/ResourceTypes/User");
    const json& extensions = user->at("schemaExtensions");
    ASSERT_EQ(extensions.size(), 2u);
    EXPECT_EQ(extensions[0], json({{"schema", kEnterpriseUserSchema}, {"required", false}}));
    EXPECT_EQ(extensions[1].at("schema"), test_support::kBadgeUrn);
    const auto group = FindResourceTypeDocument(*registry_, kConfig, "Group");
    ASSERT_TRUE(group.has_value());
    EXPECT_EQ(group->at("endpoint"), "/Groups");
    EXPECT_TRUE(group->at("schemaExtensions").empty());
    EXPECT_FALSE(FindResourceTypeDocument(*registry_, kConfig, "Device").has_value());
}

TEST_F(DiscoveryTest, SchemasDescribeEveryAttributeCharacteristic) {
    const json list = SchemaList(*registry_, kConfig);
    EXPECT_EQ(list.at("totalResults"), registry_->schemas().size());
    for (const json& schema : list.at("Resources")) {
        SCOPED_TRACE(schema.at("id").get<std::string>());
        ExpectRequiredPresent(schema, kSchemaSchema);
        EXPECT_EQ(schema.at("meta").at("resourceType"), "Schema");
        EXPECT_EQ(schema.at("meta").at("location"),
                  "https://scim.example.com/scim/v2/Schemas/" + schema.at("id").get<std::string>());
        for (const json& attribute : schema.at("attributes")) {
            for (const char* key : {"name", "type", "multiValued", "description", "required",
                                    "caseExact", "mutability", "returned", "uniqueness"}) {
                EXPECT_TRUE(attribute.contains(key)) << attribute.at("name") << " lacks " << key;
            }
        }
    }
    const auto user =
        FindSchemaDocument(*registry_, kConfig, "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER");
    ASSERT_TRUE(user.has_value());
    EXPECT_EQ(user->at("id"), kUserSchema);
    const json* password = nullptr;
    const json* emails = nullptr;
    for (const json& attribute : user->at("attributes")) {
        if (attribute.at("name") == "password") {
            password = &attribute;
        }
        if (attribute.at("name") == "emails") {
            emails = &attribute;
        }
        EXPECT_NE(attribute.at("name"), "id") << "common attributes belong to no schema";
    }
    ASSERT_NE(password, nullptr);
    EXPECT_EQ(password->at("mutability"), "writeOnly");
    EXPECT_EQ(password->at("returned"), "never");
    ASSERT_NE(emails, nullptr);
    EXPECT_EQ(emails->at("multiValued"), true);
    EXPECT_EQ(emails->at("subAttributes").size(), 4u);
    EXPECT_EQ(emails->at("subAttributes")[2].at("canonicalValues"),
              json::array({"work", "home", "other"}));
    EXPECT_FALSE(FindSchemaDocument(*registry_, kConfig, "urn:example:none").has_value());
}

// What /Schemas says must be what the Registry enforces: rendering a schema and reading the
// characteristics back gives the same values.
TEST_F(DiscoveryTest, SchemaDocumentsRoundTripTheModel) {
    const Schema& enterprise = *registry_->FindSchema(kEnterpriseUserSchema);
    const json doc = SchemaDocument(enterprise, kConfig);
    ASSERT_EQ(doc.at("attributes").size(), enterprise.attributes.size());
    for (size_t i = 0; i < enterprise.attributes.size(); ++i) {
        const Attribute& attribute = enterprise.attributes[i];
        const json& rendered = doc.at("attributes")[i];
        EXPECT_EQ(rendered.at("name"), attribute.name);
        EXPECT_EQ(ParseType(rendered.at("type").get<std::string>()), attribute.type);
        EXPECT_EQ(ParseMutability(rendered.at("mutability").get<std::string>()),
                  attribute.mutability);
        EXPECT_EQ(ParseReturned(rendered.at("returned").get<std::string>()), attribute.returned);
        EXPECT_EQ(ParseUniqueness(rendered.at("uniqueness").get<std::string>()),
                  attribute.uniqueness);
    }
}

}  // namespace
}  // namespace schemas

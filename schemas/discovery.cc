#include "schemas/discovery.h"

#include "schemas/characteristics.h"

namespace schemas {
namespace {

using nlohmann::json;

json Meta(std::string_view resource_type, const std::string& location) {
    return json{{"resourceType", resource_type}, {"location", location}};
}

// RFC 7644 §4: discovery lists are ListResponses holding every item on one page.
json ListResponse(json resources) {
    const size_t count = resources.size();
    return json{{"schemas", json::array({kListResponseSchema})},
                {"totalResults", count},
                {"itemsPerPage", count},
                {"startIndex", 1},
                {"Resources", std::move(resources)}};
}

// One attribute definition with every characteristic spelled out (RFC 7643 §7), so clients
// need not know the defaults of §2.2.
json AttributeDocument(const Attribute& attribute) {
    json out{{"name", attribute.name},
             {"type", TypeName(attribute.type)},
             {"multiValued", attribute.multi_valued},
             {"description", attribute.description},
             {"required", attribute.required},
             {"caseExact", attribute.case_exact},
             {"mutability", MutabilityName(attribute.mutability)},
             {"returned", ReturnedName(attribute.returned)},
             {"uniqueness", UniquenessName(attribute.uniqueness)}};
    if (!attribute.canonical_values.empty()) {
        out["canonicalValues"] = attribute.canonical_values;
    }
    if (attribute.type == AttrType::kReference || !attribute.reference_types.empty()) {
        out["referenceTypes"] = attribute.reference_types;
    }
    if (attribute.type == AttrType::kComplex) {
        json subs = json::array();
        for (const Attribute& sub : attribute.sub_attributes) {
            subs.push_back(AttributeDocument(sub));
        }
        out["subAttributes"] = std::move(subs);
    }
    return out;
}

// changePassword is advertised only when User has a writable password (RFC 7643 §5).
bool SupportsPasswordChange(const Registry& registry) {
    const ResourceType* user = registry.FindResourceType(kUserResource);
    if (user == nullptr) {
        return false;
    }
    const std::optional<ResolvedPath> password = registry.Resolve(*user, "password");
    return password && password->leaf().mutability != Mutability::kReadOnly;
}

json BearerTokenScheme() {
    return json{
        {"type", "oauthbearertoken"},
        {"name", "Organization service access token"},
        {"description",
         "Send an organization service access token in the Authorization header as "
         "'Bearer <token>' (RFC 6750). An organization administrator creates the token for a "
         "provisioning client; it acts for the organization, not for a person, and can be "
         "revoked or rotated at any time."},
        {"specUri", "https://www.rfc-editor.org/info/rfc6750"},
        {"primary", true}};
}

}  // namespace

json ServiceProviderConfigDocument(const Registry& registry, const DiscoveryConfig& config) {
    json out{{"schemas", json::array({kServiceProviderConfigSchema})},
             {"patch", {{"supported", true}}},
             // Bulk (RFC 7644 §3.7) is not offered: Okta and Entra provision one resource
             // per request, and refusing it keeps one write path.
             {"bulk", {{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
             {"filter", {{"supported", true}, {"maxResults", config.max_results}}},
             {"changePassword", {{"supported", SupportsPasswordChange(registry)}}},
             {"sort", {{"supported", true}}},
             {"etag", {{"supported", true}}},
             {"authenticationSchemes", json::array({BearerTokenScheme()})},
             {"meta", Meta("ServiceProviderConfig", config.base_url + "/ServiceProviderConfig")}};
    if (!config.documentation_uri.empty()) {
        out["documentationUri"] = config.documentation_uri;
    }
    return out;
}

json ResourceTypeDocument(const ResourceType& type, const DiscoveryConfig& config) {
    json extensions = json::array();
    for (const SchemaExtension& extension : type.extensions) {
        extensions.push_back(json{{"schema", extension.schema}, {"required", extension.required}});
    }
    return json{{"schemas", json::array({kResourceTypeSchema})},
                {"id", type.id},
                {"name", type.name},
                {"endpoint", type.endpoint},
                {"description", type.description},
                {"schema", type.schema},
                {"schemaExtensions", std::move(extensions)},
                {"meta", Meta("ResourceType", config.base_url + "/ResourceTypes/" + type.name)}};
}

json ResourceTypeList(const Registry& registry, const DiscoveryConfig& config) {
    json resources = json::array();
    for (const ResourceType& type : registry.resource_types()) {
        resources.push_back(ResourceTypeDocument(type, config));
    }
    return ListResponse(std::move(resources));
}

std::optional<json> FindResourceTypeDocument(const Registry& registry,
                                             const DiscoveryConfig& config,
                                             std::string_view name) {
    const ResourceType* type = registry.FindResourceType(name);
    if (type == nullptr) {
        return std::nullopt;
    }
    return ResourceTypeDocument(*type, config);
}

json SchemaDocument(const Schema& schema, const DiscoveryConfig& config) {
    json attributes = json::array();
    for (const Attribute& attribute : schema.attributes) {
        attributes.push_back(AttributeDocument(attribute));
    }
    return json{{"schemas", json::array({kSchemaSchema})},
                {"id", schema.id},
                {"name", schema.name},
                {"description", schema.description},
                {"attributes", std::move(attributes)},
                {"meta", Meta("Schema", config.base_url + "/Schemas/" + schema.id)}};
}

json SchemaList(const Registry& registry, const DiscoveryConfig& config) {
    json resources = json::array();
    for (const Schema& schema : registry.schemas()) {
        resources.push_back(SchemaDocument(schema, config));
    }
    return ListResponse(std::move(resources));
}

std::optional<json> FindSchemaDocument(const Registry& registry,
                                       const DiscoveryConfig& config,
                                       std::string_view urn) {
    const Schema* schema = registry.FindSchema(urn);
    if (schema == nullptr) {
        return std::nullopt;
    }
    return SchemaDocument(*schema, config);
}

}  // namespace schemas

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"

// The discovery documents of RFC 7644 §4 (/ServiceProviderConfig, /ResourceTypes, /Schemas),
// generated from the Registry so they always describe what the server really accepts.
namespace schemas {

inline constexpr std::string_view kServiceProviderConfigSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
inline constexpr std::string_view kResourceTypeSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
inline constexpr std::string_view kSchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";

struct DiscoveryConfig {
    std::string base_url = "http://127.0.0.1:8080/scim/v2";  // no trailing slash; for meta.location
    std::int64_t max_results = 1000;                         // filter.maxResults
    std::string documentation_uri;                           // omitted when empty
};

// RFC 7643 §5. Advertises patch, filter (with maxResults), changePassword, sort and etag as
// supported, bulk as unsupported, and the "oauthbearertoken" scheme (organization service
// access tokens sent as bearer tokens).
nlohmann::json ServiceProviderConfigDocument(const Registry& registry,
                                             const DiscoveryConfig& config);

// RFC 7643 §6: one ResourceType, with schemaExtensions and meta.
nlohmann::json ResourceTypeDocument(const ResourceType& type, const DiscoveryConfig& config);

// ListResponse (RFC 7644 §4) of every resource type.
nlohmann::json ResourceTypeList(const Registry& registry, const DiscoveryConfig& config);

// The resource type named `name` (case-insensitive); nullopt when unknown (the caller answers 404).
std::optional<nlohmann::json> FindResourceTypeDocument(const Registry& registry,
                                                       const DiscoveryConfig& config,
                                                       std::string_view name);

// RFC 7643 §7: one schema with every attribute characteristic spelled out, and meta.
nlohmann::json SchemaDocument(const Schema& schema, const DiscoveryConfig& config);

// ListResponse of every schema.
nlohmann::json SchemaList(const Registry& registry, const DiscoveryConfig& config);

// The schema with URN `urn` (case-insensitive); nullopt when unknown (the caller answers 404).
std::optional<nlohmann::json> FindSchemaDocument(const Registry& registry,
                                                 const DiscoveryConfig& config,
                                                 std::string_view urn);

}  // namespace schemas

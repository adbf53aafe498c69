#include "scim/service/discovery_service.h"

namespace scim::service {

namespace {

Response Ok200(nlohmann::json body) {
    // Each document carries its own meta.location; the Location header is for created
    // resources and resource reads, so it stays empty here.
    return Response{200, std::move(body), "", ""};
}

}  // namespace

DiscoveryService::DiscoveryService(std::shared_ptr<const schemas::Registry> registry,
                                   schemas::DiscoveryConfig config)
    : registry_(std::move(registry)), config_(std::move(config)) {}

Result<Response> DiscoveryService::ServiceProviderConfig() const {
    return Ok200(schemas::ServiceProviderConfigDocument(*registry_, config_));
}

Result<Response> DiscoveryService::ResourceTypes() const {
    return Ok200(schemas::ResourceTypeList(*registry_, config_));
}

Result<Response> DiscoveryService::ResourceType(std::string_view name) const {
    auto document = schemas::FindResourceTypeDocument(*registry_, config_, name);
    if (!document) {
        return Error::NotFound("no resource type is named \"" + std::string(name) + "\"");
    }
    return Ok200(std::move(*document));
}

Result<Response> DiscoveryService::Schemas() const {
    return Ok200(schemas::SchemaList(*registry_, config_));
}

Result<Response> DiscoveryService::Schema(std::string_view urn) const {
    auto document = schemas::FindSchemaDocument(*registry_, config_, urn);
    if (!document) {
        return Error::NotFound("no schema has the id \"" + std::string(urn) + "\"");
    }
    return Ok200(std::move(*document));
}

}  // namespace scim::service

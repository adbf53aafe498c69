#pragma once

#include <memory>
#include <string_view>

#include "schemas/discovery.h"
#include "schemas/schema.h"
#include "scim/result.h"
#include "scim/service/resource_service.h"

namespace scim::service {

// The discovery endpoints of RFC 7644 §4: /ServiceProviderConfig, /ResourceTypes[/{name}] and
// /Schemas[/{urn}], generated from the Registry (schemas/discovery.h). The documents do not
// depend on the organization, so no RequestContext is taken. Thread-safe.
class DiscoveryService {
public:
    DiscoveryService(std::shared_ptr<const schemas::Registry> registry,
                     schemas::DiscoveryConfig config);

    Result<Response> ServiceProviderConfig() const;
    Result<Response> ResourceTypes() const;
    // 404 when no resource type has this name (case-insensitive).
    Result<Response> ResourceType(std::string_view name) const;
    Result<Response> Schemas() const;
    // 404 when no schema has this URN (case-insensitive).
    Result<Response> Schema(std::string_view urn) const;

private:
    std::shared_ptr<const schemas::Registry> registry_;
    schemas::DiscoveryConfig config_;
};

}  // namespace scim::service

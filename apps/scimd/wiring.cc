#include "apps/scimd/wiring.h"

namespace scimd {

void ServiceBackend::Attach(scim::service::ResourceService& resources,
                            scim::service::DiscoveryService& discovery,
                            scim::ResourceStore& store) {
    owned_ = std::make_unique<Parts>(Parts{&resources, &discovery, &store});
    parts_.store(owned_.get(), std::memory_order_release);
}

scim::Result<scim::service::Response> ServiceBackend::Create(const scim::RequestContext& ctx,
                                                             std::string_view type,
                                                             const nlohmann::json& body,
                                                             const scim::service::Query& query) {
    return WhenAttached(
        [&](const Parts& parts) { return parts.resources->Create(ctx, type, body, query); });
}

scim::Result<scim::service::Response> ServiceBackend::Get(const scim::RequestContext& ctx,
                                                          std::string_view type,
                                                          std::string_view id,
                                                          const scim::service::Query& query,
                                                          const scim::service::Preconditions& pre) {
    return WhenAttached(
        [&](const Parts& parts) { return parts.resources->Get(ctx, type, id, query, pre); });
}

scim::Result<scim::service::Response> ServiceBackend::Replace(
    const scim::RequestContext& ctx,
    std::string_view type,
    std::string_view id,
    const nlohmann::json& body,
    const scim::service::Query& query,
    const scim::service::Preconditions& pre) {
    return WhenAttached([&](const Parts& parts) {
        return parts.resources->Replace(ctx, type, id, body, query, pre);
    });
}

scim::Result<scim::service::Response> ServiceBackend::Patch(
    const scim::RequestContext& ctx,
    std::string_view type,
    std::string_view id,
    const nlohmann::json& body,
    const scim::service::Query& query,
    const scim::service::Preconditions& pre) {
    return WhenAttached([&](const Parts& parts) {
        return parts.resources->Patch(ctx, type, id, body, query, pre);
    });
}

scim::Result<scim::service::Response> ServiceBackend::Delete(
    const scim::RequestContext& ctx,
    std::string_view type,
    std::string_view id,
    const scim::service::Preconditions& pre) {
    return WhenAttached(
        [&](const Parts& parts) { return parts.resources->Delete(ctx, type, id, pre); });
}

scim::Result<scim::service::Response> ServiceBackend::List(const scim::RequestContext& ctx,
                                                           std::optional<std::string_view> type,
                                                           const scim::service::Query& query) {
    return WhenAttached(
        [&](const Parts& parts) { return parts.resources->List(ctx, type, query); });
}

scim::Result<scim::service::Response> ServiceBackend::Search(const scim::RequestContext& ctx,
                                                             std::optional<std::string_view> type,
                                                             const nlohmann::json& body) {
    return WhenAttached(
        [&](const Parts& parts) { return parts.resources->Search(ctx, type, body); });
}

scim::Result<scim::service::Response> ServiceBackend::ServiceProviderConfig() {
    return WhenAttached(
        [&](const Parts& parts) { return parts.discovery->ServiceProviderConfig(); });
}

scim::Result<scim::service::Response> ServiceBackend::ResourceTypes(
    std::optional<std::string_view> name) {
    return WhenAttached([&](const Parts& parts) {
        return name ? parts.discovery->ResourceType(*name) : parts.discovery->ResourceTypes();
    });
}

scim::Result<scim::service::Response> ServiceBackend::Schemas(std::optional<std::string_view> id) {
    return WhenAttached([&](const Parts& parts) {
        return id ? parts.discovery->Schema(*id) : parts.discovery->Schemas();
    });
}

bool ServiceBackend::Ready() {
    const Parts* parts = Get();
    return parts != nullptr && parts->store->Ping();
}

scim::http::AuthOutcome OrgSatAuthenticator::AuthenticateScim(std::string_view authorization,
                                                              std::string_view source_addr) {
    scim::Result<scim::Principal> principal =
        authenticator_.Authenticate(authorization, source_addr);
    if (!principal.ok()) {
        std::optional<int> retry;
        if (principal.error().status == 429) {
            retry = static_cast<int>(authenticator_.RetryAfter(source_addr).count());
        }
        return {std::move(principal).error(), retry};
    }
    scim::Status allowed = auth::RequireOrgSat(*principal);
    if (!allowed.ok()) {
        return {std::move(allowed).error(), std::nullopt};
    }
    return {std::move(principal), std::nullopt};
}

}  // namespace scimd

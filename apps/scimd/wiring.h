#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "auth/authenticator.h"
#include "scim/http/backend.h"
#include "scim/service/discovery_service.h"
#include "scim/service/resource_service.h"
#include "scim/store.h"

// Adapters from the server's parts to the interfaces the HTTP layer calls.
namespace scimd {

// Forwards to the resource and discovery services. The services are attached after the listener
// is bound (the public URL may need the port it got); until then every call answers 503.
class ServiceBackend final : public scim::http::ScimBackend {
public:
    // The attached objects must outlive the backend.
    void Attach(scim::service::ResourceService& resources,
                scim::service::DiscoveryService& discovery,
                scim::ResourceStore& store);

    using Response = scim::service::Response;
    template <typename T>
    using Result = scim::Result<T>;

    Result<Response> Create(const scim::RequestContext& ctx,
                            std::string_view type,
                            const nlohmann::json& body,
                            const scim::service::Query& query) override;
    Result<Response> Get(const scim::RequestContext& ctx,
                         std::string_view type,
                         std::string_view id,
                         const scim::service::Query& query,
                         const scim::service::Preconditions& pre) override;
    Result<Response> Replace(const scim::RequestContext& ctx,
                             std::string_view type,
                             std::string_view id,
                             const nlohmann::json& body,
                             const scim::service::Query& query,
                             const scim::service::Preconditions& pre) override;
    Result<Response> Patch(const scim::RequestContext& ctx,
                           std::string_view type,
                           std::string_view id,
                           const nlohmann::json& body,
                           const scim::service::Query& query,
                           const scim::service::Preconditions& pre) override;
    Result<Response> Delete(const scim::RequestContext& ctx,
                            std::string_view type,
                            std::string_view id,
                            const scim::service::Preconditions& pre) override;
    Result<Response> List(const scim::RequestContext& ctx,
                          std::optional<std::string_view> type,
                          const scim::service::Query& query) override;
    Result<Response> Search(const scim::RequestContext& ctx,
                            std::optional<std::string_view> type,
                            const nlohmann::json& body) override;
    Result<Response> ServiceProviderConfig() override;
    Result<Response> ResourceTypes(std::optional<std::string_view> name) override;
    Result<Response> Schemas(std::optional<std::string_view> id) override;
    bool Ready() override;

private:
    struct Parts {
        scim::service::ResourceService* resources;
        scim::service::DiscoveryService* discovery;
        scim::ResourceStore* store;
    };
    const Parts* Get() const { return parts_.load(std::memory_order_acquire); }

    // Runs call(parts) once the services are attached; before that, 503.
    template <typename Call>
    Result<Response> WhenAttached(Call&& call) const {
        const Parts* parts = Get();
        if (parts == nullptr) {
            return scim::Error::Unavailable("services not attached yet");
        }
        return call(*parts);
    }

    std::unique_ptr<Parts> owned_;
    std::atomic<const Parts*> parts_{nullptr};
};

// The SCIM API needs an organization SAT (DESIGN.md §7): auth::Authenticator decides who is
// calling, RequireOrgSat whether that credential may use SCIM, RetryAfter the 429 delay.
class OrgSatAuthenticator final : public scim::http::RequestAuthenticator {
public:
    explicit OrgSatAuthenticator(auth::Authenticator& authenticator)
        : authenticator_(authenticator) {}

    scim::http::AuthOutcome AuthenticateScim(std::string_view authorization,
                                             std::string_view source_addr) override;

private:
    auth::Authenticator& authenticator_;
};

}  // namespace scimd

#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/principal.h"
#include "scim/result.h"
#include "scim/service/resource_service.h"

// What the HTTP layer needs from the rest of the server. The program wires the real service,
// authenticator and store behind these; tests use fakes.
namespace scim::http {

using service::Preconditions;
using service::Query;
using service::Response;

// The SCIM operations (RFC 7644 §3) and discovery endpoints (RFC 7644 §4). Errors come back as
// scim::Error values and are rendered as they are. Implementations must be thread-safe: every
// reactor thread calls them.
class ScimBackend {
public:
    virtual ~ScimBackend() = default;

    virtual Result<Response> Create(const RequestContext& ctx,
                                    std::string_view type,
                                    const nlohmann::json& body,
                                    const Query& query) = 0;
    virtual Result<Response> Get(const RequestContext& ctx,
                                 std::string_view type,
                                 std::string_view id,
                                 const Query& query,
                                 const Preconditions& pre) = 0;
    virtual Result<Response> Replace(const RequestContext& ctx,
                                     std::string_view type,
                                     std::string_view id,
                                     const nlohmann::json& body,
                                     const Query& query,
                                     const Preconditions& pre) = 0;
    virtual Result<Response> Patch(const RequestContext& ctx,
                                   std::string_view type,
                                   std::string_view id,
                                   const nlohmann::json& body,
                                   const Query& query,
                                   const Preconditions& pre) = 0;
    virtual Result<Response> Delete(const RequestContext& ctx,
                                    std::string_view type,
                                    std::string_view id,
                                    const Preconditions& pre) = 0;
    // `type` nullopt: the server root, every resource type (RFC 7644 §3.4.2.1).
    virtual Result<Response> List(const RequestContext& ctx,
                                  std::optional<std::string_view> type,
                                  const Query& query) = 0;
    virtual Result<Response> Search(const RequestContext& ctx,
                                    std::optional<std::string_view> type,
                                    const nlohmann::json& body) = 0;

    virtual Result<Response> ServiceProviderConfig() = 0;
    // `name` nullopt lists them all; an unknown name is a 404.
    virtual Result<Response> ResourceTypes(std::optional<std::string_view> name) = 0;
    // `id` (a schema URN) nullopt lists them all; an unknown URN is a 404.
    virtual Result<Response> Schemas(std::optional<std::string_view> id) = 0;

    // True when the database answers (for /readyz).
    virtual bool Ready() = 0;
};

// Who is calling, or why not. `retry_after_seconds` accompanies a 429 (RFC 6585 §4).
struct AuthOutcome {
    Result<Principal> principal;
    std::optional<int> retry_after_seconds;
};

// Decides who is calling, from the raw Authorization header value ("" when absent) and the
// client address. Succeeds with a principal allowed to use the SCIM API (an organization SAT).
// Fails with 401 for anything missing, malformed, unknown, expired or revoked (one generic
// detail), 403 for a valid credential of the wrong level, 429 while the address is throttled.
// Thread-safe.
class RequestAuthenticator {
public:
    virtual ~RequestAuthenticator() = default;

    virtual AuthOutcome AuthenticateScim(std::string_view authorization,
                                         std::string_view source_addr) = 0;
};

}  // namespace scim::http

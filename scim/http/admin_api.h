#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "db/audit_store.h"
#include "db/token_store.h"
#include "scim/error.h"
#include "scim/http/access_log.h"
#include "scim/http/exchange.h"
#include "scim/http/metrics.h"
#include "scim/principal.h"
#include "scim/result.h"

// The token admin REST API (/api/v1), whoami and the Audit Log API (/v2/audit-logs), DESIGN.md
// §7. Api owns the route table and hands every route of access kind kAdmin to AdminApi::Handle;
// from there on this class authenticates, parses and renders by itself, because these endpoints
// speak plain JSON with their own error shape (api/openapi.json) rather than SCIM.
namespace scim::http {

struct AdminApiOptions {
    // Admin request bodies are a handful of short fields; anything larger is refused with 413.
    std::size_t max_body_bytes = 64 * 1024;
    // When set, counts the audit event each successful token or workspace change commits.
    Metrics* metrics = nullptr;
};

// The path patterns AdminApi serves. The Api's route table lists each with access kAdmin.
namespace admin_routes {
inline constexpr std::string_view kOpenApi = "/api/v1/openapi.json";
inline constexpr std::string_view kWhoami = "/api/v1/whoami";
inline constexpr std::string_view kTokens = "/api/v1/tokens";
inline constexpr std::string_view kToken = "/api/v1/tokens/{id}";
inline constexpr std::string_view kRotate = "/api/v1/tokens/{id}/rotate";
inline constexpr std::string_view kRevoke = "/api/v1/tokens/{id}/revoke";
inline constexpr std::string_view kWorkspaces = "/api/v1/workspaces";
inline constexpr std::string_view kWorkspace = "/api/v1/workspaces/{id}";
inline constexpr std::string_view kAuditLogs = "/v2/audit-logs";
}  // namespace admin_routes

// One request as the Api routed it.
struct AdminCall {
    const HttpRequest& request;
    std::string_view pattern;         // one of admin_routes
    std::vector<std::string> params;  // path parameters, percent-decoded by the router
    RequestContext ctx;               // request_id and source_addr set; principal filled here
};

class AdminApi {
public:
    // Every reference must outlive the AdminApi. `authenticator` should be the instance the SCIM
    // endpoints use, so that one address's failed attempts are throttled across both. Thread-safe.
    AdminApi(auth::Authenticator& authenticator,
             db::TokenStore& tokens,
             db::AuditStore& audit,
             const auth::Clock& clock,
             AdminApiOptions options = {});

    // Answers one routed request. Sets record.org_id and record.token_id once the caller is
    // known, record.error for a 5xx. Never throws: an unexpected exception is a generic 500.
    HttpResponse Handle(AdminCall& call, AccessRecord& record);

    // True for raw request paths under /api/ or /v2/ (ASCII case-insensitive): the Api answers an
    // unknown path or method there with RoutingError, so clients of this API see one error shape.
    static bool Owns(std::string_view raw_path);
    // 404 when `allow` is empty, else 405 with that Allow header, in the admin error shape.
    static HttpResponse RoutingError(std::string_view allow);

private:
    using Json = nlohmann::json;
    struct Reply {
        int status = 200;
        Json body;             // null: no body (204)
        std::string location;  // empty: no Location header
    };

    Result<Reply> Route(AdminCall& call);
    Result<Principal> Authenticate(const AdminCall& call, std::optional<int>& retry_after);

    Result<Reply> Whoami(AdminCall& call);
    Result<Reply> ListTokens(AdminCall& call);
    Result<Reply> CreateToken(AdminCall& call, const Json& body);
    Result<Reply> GetToken(AdminCall& call);
    Result<Reply> RotateToken(AdminCall& call, const Json& body);
    Result<Reply> RevokeToken(AdminCall& call, bool answer_with_token);
    Result<Reply> ListWorkspaces(AdminCall& call);
    Result<Reply> CreateWorkspace(AdminCall& call, const Json& body);
    Result<Reply> GetWorkspace(AdminCall& call);
    Result<Reply> ListAuditEvents(AdminCall& call);

    Json TokenJson(const db::TokenInfo& token) const;
    // Every token and workspace change commits one audit event with it (db/token_store.h).
    void CountAuditEvent(bool committed);

    auth::Authenticator& authenticator_;
    db::TokenStore& tokens_;
    db::AuditStore& audit_;
    const auth::Clock& clock_;
    AdminApiOptions options_;
};

// The admin error body: {"error": {"status": 403, "code": "forbidden", "message": "..."}} with
// Content-Type application/json. `internal` is never sent.
HttpResponse RenderAdminError(const Error& error);

// The machine-readable code of each status in the admin error body, e.g. 400 "invalid_request".
std::string_view AdminErrorCode(int status);

// An audit record in the Audit Log API shape: id, created_at, actor {kind, id, name}, action,
// target {type, id} (null when the event has none), workspace_id, request_id, source_address,
// details.
nlohmann::json AuditEventJson(const db::AuditRecord& record);

// The served OpenAPI document (api/openapi.json, compiled into the binary).
std::string_view OpenApiDocument();

}  // namespace scim::http

#include "scim/http/admin_api.h"

#include <chrono>
#include <exception>
#include <span>
#include <utility>

#include "auth/time.h"
#include "embedded.h"
#include "scim/casefold.h"
#include "scim/http/api.h"
#include "scim/http/render.h"
#include "scim/http/url.h"
#include "scim/request_json.h"

// Generated from api/openapi.json by embed_files (CMakeLists.txt).
namespace api_data {
std::span<const embedded::File> Files();
}

namespace scim::http {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kJsonMediaType = "application/json; charset=utf-8";
// No admin body nests; the bound keeps a hostile document from exhausting the parser.
constexpr int kMaxJsonDepth = 16;

Error BadRequest(std::string message) {
    return Error{400, std::nullopt, std::move(message), {}};
}

// The body as a JSON object; an empty body reads as {} so that rotate and revoke need none.
Result<Json> ParseBody(const HttpRequest& request, std::size_t max_bytes) {
    if (request.body.size() > max_bytes) {
        return Error{
            413, std::nullopt, "request body exceeds " + std::to_string(max_bytes) + " bytes", {}};
    }
    if (request.body.empty()) {
        return Json::object();
    }
    auto content_type = request.Header("Content-Type");
    if (!content_type || !IsJsonMediaType(*content_type)) {
        return Error{415, std::nullopt, "send the body as application/json", {}};
    }
    if (!IsValidUtf8(request.body)) {
        return BadRequest("request body is not valid UTF-8");
    }
    // Admin members are matched exactly (`name`, not `Name`), so only exact repeats are refused.
    Result<Json> parsed = ParseRequestObject(request.body, kMaxJsonDepth, MemberNames::kExact);
    if (!parsed.ok()) {
        return BadRequest(parsed.error().detail);
    }
    return parsed;
}

// A string member of `body`; absent or null reads as nullopt, any other type is a 400.
Result<std::optional<std::string>> StringField(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        return std::optional<std::string>();
    }
    if (!it->is_string()) {
        return BadRequest(std::string("field '") + name + "' must be a string");
    }
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> RequiredString(const Json& body, const char* name) {
    auto value = StringField(body, name);
    if (!value.ok()) {
        return value.error();
    }
    if (!value->has_value()) {
        return BadRequest(std::string("field '") + name + "' is required");
    }
    return std::move(**value);
}

// A display name: required, and free of control characters. Names are shown in the console and
// in listings, where control characters only confuse; and PostgreSQL cannot store U+0000 in text
// or jsonb, so letting one through would turn a client mistake into a server error.
Result<std::string> RequiredName(const Json& body, const char* name) {
    auto value = RequiredString(body, name);
    if (!value.ok()) {
        return value.error();
    }
    for (unsigned char c : *value) {
        if (c < 0x20 || c == 0x7F) {
            return BadRequest(std::string("field '") + name +
                              "' must not contain control characters");
        }
    }
    return value;
}

// Query parameters, percent-decoded; a later repetition of a name wins. Unknown names are left
// for the caller to ignore.
Result<std::vector<std::pair<std::string, std::string>>> DecodeQuery(const HttpRequest& request) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [raw_name, raw_value] : request.query) {
        auto name = PercentDecode(raw_name, PlusMeans::kSpace);
        auto value = PercentDecode(raw_value, PlusMeans::kSpace);
        if (!name || !value) {
            return BadRequest("query parameter is not valid percent-encoded UTF-8");
        }
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

std::optional<std::string> QueryValue(const std::vector<std::pair<std::string, std::string>>& query,
                                      std::string_view name) {
    std::optional<std::string> found;
    for (const auto& [key, value] : query) {
        if (key == name) {
            found = value;
        }
    }
    return found;
}

// per_page is 1..100 written as plain decimal digits; "abc", "1.5", "+3" and "" are refused.
Result<int> ParsePerPage(const std::string& text) {
    constexpr const char* kMessage = "per_page must be an integer from 1 to 100";
    if (text.empty() || text.size() > 3) {
        return BadRequest(kMessage);
    }
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return BadRequest(kMessage);
        }
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > db::kMaxAuditPage) {
        return BadRequest(kMessage);
    }
    return value;
}

// Percent-encodes everything outside the RFC 3986 §2.3 unreserved set, for building query
// strings of paging links.
std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

Json OrNull(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Error Forbidden(std::string_view needed) {
    return Error::Forbidden("this endpoint requires " + std::string(needed));
}

// The lifetime of a new token from expires_in ("90d") or expires_at (RFC 3339, in the future).
Result<std::optional<std::chrono::seconds>> Lifetime(const Json& body, auth::TimePoint now) {
    auto in = StringField(body, "expires_in");
    auto at = StringField(body, "expires_at");
    if (!in.ok()) {
        return in.error();
    }
    if (!at.ok()) {
        return at.error();
    }
    if (*in && *at) {
        return BadRequest("give at most one of 'expires_in' and 'expires_at'");
    }
    if (*in) {
        auto duration = auth::ParseDuration(**in);
        if (!duration) {
            return BadRequest("'expires_in' must be a positive duration such as 90d, 12h or 30m");
        }
        return std::optional<std::chrono::seconds>(*duration);
    }
    if (*at) {
        auto when = auth::ParseTimestamp(**at);
        if (!when) {
            return BadRequest("'expires_at' must be an RFC 3339 timestamp");
        }
        // Rounded up, so the token never expires before the time asked for.
        auto left = std::chrono::ceil<std::chrono::seconds>(*when - now);
        if (left.count() < 1) {
            return BadRequest("'expires_at' must be in the future");
        }
        return std::optional<std::chrono::seconds>(left);
    }
    return std::optional<std::chrono::seconds>();
}

}  // namespace

AdminApi::AdminApi(auth::Authenticator& authenticator,
                   db::TokenStore& tokens,
                   db::AuditStore& audit,
                   const auth::Clock& clock,
                   AdminApiOptions options)
    : authenticator_(authenticator),
      tokens_(tokens),
      audit_(audit),
      clock_(clock),
      options_(options) {}

void AdminApi::CountAuditEvent(bool committed) {
    if (committed && options_.metrics != nullptr) {
        options_.metrics->CountAuditEvent();
    }
}

HttpResponse AdminApi::Handle(AdminCall& call, AccessRecord& record) {
    Result<Reply> reply = Error::Internal("no reply");
    std::optional<int> retry_after;
    try {
        if (call.pattern == admin_routes::kOpenApi) {
            HttpResponse response;
            response.headers.emplace_back("Content-Type", std::string(kJsonMediaType));
            response.body = std::string(OpenApiDocument());
            return response;
        }
        Result<Principal> principal = Authenticate(call, retry_after);
        if (principal.ok()) {
            call.ctx.principal = std::move(*principal);
            record.org_id = call.ctx.principal.org_id;
            record.token_id = call.ctx.principal.credential_id;
            reply = Route(call);
        } else {
            reply = std::move(principal).error();
        }
    } catch (const std::exception& e) {
        reply = Error::Internal(e.what());
    } catch (...) {
        reply = Error::Internal("non-standard exception");
    }

    if (!reply.ok()) {
        const Error& error = reply.error();
        if (error.status >= 500) {
            record.error = error.internal.empty() ? error.detail : error.internal;
        }
        HttpResponse response = RenderAdminError(error);
        if (error.status == 401) {
            // RFC 6750 §3: the protected resource names the scheme it expects.
            response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"scimd\"");
        }
        if (error.status == 429 && retry_after) {
            response.headers.emplace_back("Retry-After", std::to_string(*retry_after));
        }
        return response;
    }
    HttpResponse response;
    response.status = reply->status;
    // Answers may carry a secret shown once; no cache along the way may keep a copy.
    response.headers.emplace_back("Cache-Control", "no-store");
    if (!reply->location.empty()) {
        response.headers.emplace_back("Location", reply->location);
    }
    if (!reply->body.is_null()) {
        response.headers.emplace_back("Content-Type", std::string(kJsonMediaType));
        response.body = ToWire(reply->body);
    }
    return response;
}

bool AdminApi::Owns(std::string_view raw_path) {
    std::string path = AsciiLower(raw_path.substr(0, 5));
    return path == "/api/" || path == "/api" || path.starts_with("/v2/") || path == "/v2";
}

HttpResponse AdminApi::RoutingError(std::string_view allow) {
    if (allow.empty()) {
        return RenderAdminError(Error::NotFound("no such endpoint"));
    }
    HttpResponse response =
        RenderAdminError(Error{405, std::nullopt, "method not allowed on this endpoint", {}});
    response.headers.emplace_back("Allow", std::string(allow));
    return response;
}

Result<Principal> AdminApi::Authenticate(const AdminCall& call, std::optional<int>& retry_after) {
    const HttpRequest& request = call.request;
    Result<Principal> principal =
        authenticator_.Authenticate(request.Header("Authorization").value_or(""), request.peer);
    if (!principal.ok() && principal.error().status == 429) {
        retry_after = static_cast<int>(authenticator_.RetryAfter(request.peer).count());
    }
    if (principal.ok()) {
        Status any = auth::RequireAnyCredential(*principal);
        if (!any.ok()) {
            return std::move(any).error();
        }
    }
    return principal;
}

// Access rules per endpoint (DESIGN.md §7): whoami takes any credential; a workspace SAT may
// read its own workspace record; the audit log takes an org SAT or an admin key; everything
// else needs an admin key.
Result<AdminApi::Reply> AdminApi::Route(AdminCall& call) {
    namespace r = admin_routes;
    const std::string& method = call.request.method;
    const Principal& who = call.ctx.principal;
    if (call.pattern == r::kWhoami) {
        return Whoami(call);
    }
    if (call.pattern == r::kAuditLogs) {
        if (who.kind != CredentialKind::kOrgSat && who.kind != CredentialKind::kAdminKey) {
            return Forbidden("an organization service access token or an organization admin key");
        }
        return ListAuditEvents(call);
    }
    if (call.pattern == r::kWorkspace && who.kind == CredentialKind::kWorkspaceSat) {
        if (who.workspace_id != call.params[0]) {
            return Forbidden(
                "an organization admin key (a workspace token reads only its own "
                "workspace)");
        }
        return GetWorkspace(call);
    }
    if (Status admin = auth::RequireAdminKey(who); !admin.ok()) {
        return std::move(admin).error();
    }

    bool reads_body = method == "POST";
    Result<Json> body = reads_body ? ParseBody(call.request, options_.max_body_bytes)
                                   : Result<Json>(Json::object());
    if (!body.ok()) {
        return body.error();
    }
    if (call.pattern == r::kTokens) {
        return method == "POST" ? CreateToken(call, *body) : ListTokens(call);
    }
    if (call.pattern == r::kToken) {
        return method == "DELETE" ? RevokeToken(call, false) : GetToken(call);
    }
    if (call.pattern == r::kRotate) {
        return RotateToken(call, *body);
    }
    if (call.pattern == r::kRevoke) {
        return RevokeToken(call, true);
    }
    if (call.pattern == r::kWorkspaces) {
        return method == "POST" ? CreateWorkspace(call, *body) : ListWorkspaces(call);
    }
    if (call.pattern == r::kWorkspace) {
        return GetWorkspace(call);
    }
    return Error::Internal("admin route without a handler: " + std::string(call.pattern));
}

Result<AdminApi::Reply> AdminApi::Whoami(AdminCall& call) {
    const Principal& who = call.ctx.principal;
    return Reply{200,
                 {{"org_id", who.org_id},
                  {"kind", db::ActorKindName(who.kind)},
                  {"credential_id", who.credential_id},
                  {"name", who.credential_name},
                  {"workspace_id", OrNull(who.workspace_id)}},
                 {}};
}

AdminApi::Json AdminApi::TokenJson(const db::TokenInfo& token) const {
    Json out = db::ToJson(token);
    std::string status = "active";
    if (token.revoked_at) {
        status = "revoked";
    } else if (token.expires_at) {
        auto expires = auth::ParseTimestamp(*token.expires_at);
        if (expires && *expires <= clock_.Now()) {
            status = "expired";
        }
    }
    out["status"] = status;
    return out;
}

Result<AdminApi::Reply> AdminApi::ListTokens(AdminCall& call) {
    auto query = DecodeQuery(call.request);
    if (!query.ok()) {
        return query.error();
    }
    std::optional<std::string> workspace = QueryValue(*query, "workspace_id");
    auto tokens = tokens_.ListTokens(call.ctx.principal.org_id);
    if (!tokens.ok()) {
        return tokens.error();
    }
    Json data = Json::array();
    for (const db::TokenInfo& token : *tokens) {
        if (!workspace || token.workspace_id == workspace) {
            data.push_back(TokenJson(token));
        }
    }
    return Reply{200, {{"data", std::move(data)}}, {}};
}

Result<AdminApi::Reply> AdminApi::CreateToken(AdminCall& call, const Json& body) {
    auto name = RequiredName(body, "name");
    if (!name.ok()) {
        return name.error();
    }
    auto level = RequiredString(body, "level");
    if (!level.ok()) {
        return level.error();
    }
    auto workspace = StringField(body, "workspace_id");
    if (!workspace.ok()) {
        return workspace.error();
    }
    db::TokenSpec spec;
    if (*level == "org") {
        spec.kind = auth::TokenKind::kOrg;
    } else if (*level == "workspace") {
        spec.kind = auth::TokenKind::kWorkspace;
    } else {
        return BadRequest(
            "'level' must be \"org\" or \"workspace\" (admin keys are created with "
            "scimctl)");
    }
    if (spec.kind == auth::TokenKind::kWorkspace && !*workspace) {
        return BadRequest("field 'workspace_id' is required for a workspace token");
    }
    if (spec.kind == auth::TokenKind::kOrg && *workspace) {
        return BadRequest("field 'workspace_id' is only allowed for a workspace token");
    }
    auto lifetime = Lifetime(body, clock_.Now());
    if (!lifetime.ok()) {
        return lifetime.error();
    }
    spec.org_id = call.ctx.principal.org_id;
    spec.workspace_id = std::move(*workspace);
    spec.name = std::move(*name);
    spec.expires_in = *lifetime;
    auto issued = tokens_.CreateToken(spec, call.ctx);
    CountAuditEvent(issued.ok());
    if (!issued.ok()) {
        return issued.error();
    }
    std::string location = std::string(admin_routes::kTokens) + "/" + issued->info.token_id;
    return Reply{201,
                 {{"token", TokenJson(issued->info)}, {"secret", issued->secret.Reveal()}},
                 std::move(location)};
}

Result<AdminApi::Reply> AdminApi::GetToken(AdminCall& call) {
    auto token = tokens_.GetToken(call.ctx.principal.org_id, call.params[0]);
    if (!token.ok()) {
        return token.error();
    }
    return Reply{200, TokenJson(*token), {}};
}

Result<AdminApi::Reply> AdminApi::RotateToken(AdminCall& call, const Json& body) {
    auto grace_text = StringField(body, "grace_period");
    if (!grace_text.ok()) {
        return grace_text.error();
    }
    std::optional<std::chrono::seconds> grace;
    if (*grace_text) {
        grace = auth::ParseDuration(**grace_text);
        if (!grace) {
            return BadRequest("'grace_period' must be a positive duration such as 10m or 1h");
        }
    }
    auto issued = tokens_.RotateToken(call.ctx.principal.org_id, call.params[0], grace, call.ctx);
    // Even a failed call may have committed: the old secret must not outlive it in the cache.
    authenticator_.Forget(call.ctx.principal.org_id, call.params[0]);
    CountAuditEvent(issued.ok());
    if (!issued.ok()) {
        return issued.error();
    }
    return Reply{
        200, {{"token", TokenJson(issued->info)}, {"secret", issued->secret.Reveal()}}, {}};
}

Result<AdminApi::Reply> AdminApi::RevokeToken(AdminCall& call, bool answer_with_token) {
    const std::string& org = call.ctx.principal.org_id;
    // Revoking a revoked token is a no-op that writes no audit event, so only a change counts.
    auto before = tokens_.GetToken(org, call.params[0]);
    const bool was_revoked = before.ok() && before->revoked_at.has_value();
    Status revoked = tokens_.RevokeToken(org, call.params[0], call.ctx);
    authenticator_.Forget(org, call.params[0]);
    if (!revoked.ok()) {
        return revoked.error();
    }
    CountAuditEvent(!was_revoked);
    if (!answer_with_token) {
        return Reply{204, nullptr, {}};
    }
    auto token = tokens_.GetToken(org, call.params[0]);
    if (!token.ok()) {
        return token.error();
    }
    return Reply{200, TokenJson(*token), {}};
}

Result<AdminApi::Reply> AdminApi::ListWorkspaces(AdminCall& call) {
    auto workspaces = tokens_.ListWorkspaces(call.ctx.principal.org_id);
    if (!workspaces.ok()) {
        return workspaces.error();
    }
    Json data = Json::array();
    for (const db::Workspace& workspace : *workspaces) {
        data.push_back(db::ToJson(workspace));
    }
    return Reply{200, {{"data", std::move(data)}}, {}};
}

Result<AdminApi::Reply> AdminApi::CreateWorkspace(AdminCall& call, const Json& body) {
    auto name = RequiredName(body, "name");
    if (!name.ok()) {
        return name.error();
    }
    auto workspace = tokens_.CreateWorkspace(call.ctx.principal.org_id, *name, call.ctx);
    CountAuditEvent(workspace.ok());
    if (!workspace.ok()) {
        return workspace.error();
    }
    std::string location = std::string(admin_routes::kWorkspaces) + "/" + workspace->workspace_id;
    return Reply{201, db::ToJson(*workspace), std::move(location)};
}

Result<AdminApi::Reply> AdminApi::GetWorkspace(AdminCall& call) {
    auto workspace = tokens_.GetWorkspace(call.ctx.principal.org_id, call.params[0]);
    if (!workspace.ok()) {
        return workspace.error();
    }
    return Reply{200, db::ToJson(*workspace), {}};
}

// GET /v2/audit-logs. The store pages by event id, so following next_cursor never skips or
// repeats an event; the link carries the same filters so a client can follow it blindly.
Result<AdminApi::Reply> AdminApi::ListAuditEvents(AdminCall& call) {
    auto query = DecodeQuery(call.request);
    if (!query.ok()) {
        return query.error();
    }
    db::AuditQuery audit_query;
    audit_query.org_id = call.ctx.principal.org_id;
    if (auto per_page = QueryValue(*query, "per_page")) {
        auto parsed = ParsePerPage(*per_page);
        if (!parsed.ok()) {
            return parsed.error();
        }
        audit_query.per_page = *parsed;
    }
    audit_query.created_after = QueryValue(*query, "created_after");
    if (audit_query.created_after && !auth::ParseTimestamp(*audit_query.created_after)) {
        return BadRequest("created_after must be an RFC 3339 timestamp");
    }
    audit_query.workspace_id = QueryValue(*query, "workspace_id");
    audit_query.cursor = QueryValue(*query, "cursor");

    auto page = audit_.List(audit_query);
    if (!page.ok()) {
        return page.error();
    }
    Json data = Json::array();
    for (const db::AuditRecord& record : page->events) {
        data.push_back(AuditEventJson(record));
    }
    // Where to poll later for events written after this page: right after its last event (event
    // ids grow in commit order, so nothing committed later can sort before it), or where this
    // request started when the page is empty.
    std::optional<std::string> tail = audit_query.cursor;
    if (!page->events.empty()) {
        tail = db::CursorAfter(audit_query.org_id, page->events.back().event_id);
    }
    Json next = nullptr;
    if (page->next_cursor) {
        std::string link = std::string(admin_routes::kAuditLogs) +
                           "?per_page=" + std::to_string(audit_query.per_page);
        if (audit_query.created_after) {
            link += "&created_after=" + PercentEncode(*audit_query.created_after);
        }
        if (audit_query.workspace_id) {
            link += "&workspace_id=" + PercentEncode(*audit_query.workspace_id);
        }
        link += "&cursor=" + PercentEncode(*page->next_cursor);
        next = std::move(link);
    }
    return Reply{200,
                 {{"data", std::move(data)},
                  {"paging",
                   {{"next_cursor", OrNull(page->next_cursor)},
                    {"next", next},
                    {"tail_cursor", OrNull(tail)}}}},
                 {}};
}

nlohmann::json AuditEventJson(const db::AuditRecord& record) {
    Json target = nullptr;
    if (record.target_type) {
        target = {{"type", *record.target_type}, {"id", OrNull(record.target_id)}};
    }
    return {{"id", std::to_string(record.event_id)},
            {"created_at", record.created_at},
            {"actor",
             {{"kind", record.actor_kind},
              {"id", OrNull(record.actor_id)},
              {"name", OrNull(record.actor_name)}}},
            {"action", record.action},
            {"target", std::move(target)},
            {"workspace_id", OrNull(record.workspace_id)},
            {"request_id", OrNull(record.request_id)},
            {"source_address", OrNull(record.source_addr)},
            {"details", record.details}};
}

std::string_view AdminErrorCode(int status) {
    switch (status) {
        case 400:
            return "invalid_request";
        case 401:
            return "unauthorized";
        case 403:
            return "forbidden";
        case 404:
            return "not_found";
        case 405:
            return "method_not_allowed";
        case 409:
            return "conflict";
        case 413:
            return "payload_too_large";
        case 415:
            return "unsupported_media_type";
        case 429:
            return "too_many_requests";
        case 503:
            return "unavailable";
        default:
            return status >= 500 ? "internal_error" : "invalid_request";
    }
}

HttpResponse RenderAdminError(const Error& error) {
    HttpResponse response;
    response.status = error.status;
    response.headers.emplace_back("Content-Type", std::string(kJsonMediaType));
    response.headers.emplace_back("Cache-Control", "no-store");
    Json body = {{"error",
                  {{"status", error.status},
                   {"code", AdminErrorCode(error.status)},
                   {"message", error.detail}}}};
    response.body = ToWire(body);
    return response;
}

std::string_view OpenApiDocument() {
    for (const embedded::File& file : api_data::Files()) {
        if (file.path == "api/openapi.json") {
            return file.content;
        }
    }
    return "{}";
}

}  // namespace scim::http

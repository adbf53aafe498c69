#include "scim/http/api.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <random>

#include "scim/casefold.h"
#include "scim/http/admin_api.h"
#include "scim/http/metrics.h"
#include "scim/http/render.h"
#include "scim/http/static_files.h"
#include "scim/http/url.h"
#include "scim/request_json.h"
#include "scim/text.h"

namespace scim::http {

namespace {

// The access log and metrics label for every console file: one series, however many files.
constexpr const char* kConsoleRoute = "/admin/*";

// Deeper documents than this are refused before they are built: no SCIM resource nests more
// than a few levels, and unbounded nesting is a cheap way to exhaust a server.
constexpr int kMaxJsonDepth = 64;

// Maps the RFC 7644 §3.4.2 query parameters; names match case-insensitively, unknown ones are
// ignored as §3.4.2 leaves room for extensions.
Status ParseQuery(const HttpRequest& request, Query& query) {
    for (const auto& [raw_name, raw_value] : request.query) {
        auto name = PercentDecode(raw_name, PlusMeans::kSpace);
        auto value = PercentDecode(raw_value, PlusMeans::kSpace);
        if (!name || !value) {
            return Error::Scim(ScimType::kInvalidSyntax,
                               "query parameter is not valid percent-encoded UTF-8");
        }
        std::string key = AsciiLower(*name);
        std::optional<std::string>* field = key == "filter"       ? &query.filter
                                            : key == "sortby"     ? &query.sort_by
                                            : key == "sortorder"  ? &query.sort_order
                                            : key == "startindex" ? &query.start_index
                                            : key == "count"      ? &query.count
                                            : key == "cursor"     ? &query.cursor
                                            : key == "attributes" ? &query.attributes
                                            : key == "excludedattributes"
                                                ? &query.excluded_attributes
                                                : nullptr;
        if (field != nullptr) {
            *field = std::move(*value);
        }
    }
    return Ok{};
}

std::string RandomRequestId() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(generator()),
                  static_cast<unsigned long long>(generator()));
    return text;
}

std::optional<std::string> OptionalHeader(const HttpRequest& request, std::string_view name) {
    auto value = request.Header(name);
    return value ? std::optional<std::string>(*value) : std::nullopt;
}

// RFC 7644 §4: the discovery endpoints do not filter, and a provider should refuse a filter
// with 403 so that a client never takes an unfiltered answer for one that met its conditions.
// Presence counts, even of an empty value.
Status RejectDiscoveryFilter(const Query& query) {
    if (query.filter) {
        return Error::Forbidden("filtering is not supported on discovery endpoints");
    }
    return Ok{};
}

std::optional<std::string_view> TypeOf(std::string_view type) {
    return type.empty() ? std::nullopt : std::optional<std::string_view>(type);
}

}  // namespace

struct Api::Call {
    std::string_view type;
    std::vector<std::string> params;
    RequestContext ctx;
    Query query;
    Preconditions pre;
    nlohmann::json body;
};

// The whole surface of the server. Every method of every path is listed, so that a wrong method
// gets a SCIM 405 from us rather than Pistache's plain-text one.
const std::vector<Api::Route>& Api::Routes() {
    constexpr Access kPublic = Access::kPublic;
    constexpr Access kMetrics = Access::kMetrics;
    constexpr Access kDiscovery = Access::kDiscovery;
    constexpr Access kScim = Access::kScim;
    constexpr Access kAdmin = Access::kAdmin;
    // clang-format off
    static const std::vector<Route> kRoutes = {
        // method  pattern                           access      type     body   handler
        {"GET",    "/healthz",                       kPublic,    "",      false, &Api::Health},
        {"GET",    "/readyz",                        kPublic,    "",      false, &Api::Readiness},
        {"GET",    "/metrics",                       kMetrics,   "",      false, nullptr},

        {"GET",    "/scim/v2/ServiceProviderConfig", kDiscovery, "",      false, &Api::Config},
        {"GET",    "/scim/v2/ResourceTypes",         kDiscovery, "",      false, &Api::Types},
        {"GET",    "/scim/v2/ResourceTypes/{name}",  kDiscovery, "",      false, &Api::Type},
        {"GET",    "/scim/v2/Schemas",               kDiscovery, "",      false, &Api::Schemas},
        {"GET",    "/scim/v2/Schemas/{urn}",         kDiscovery, "",      false, &Api::Schema},

        {"GET",    "/scim/v2/Users",                 kScim,      "User",  false, &Api::List},
        {"POST",   "/scim/v2/Users",                 kScim,      "User",  true,  &Api::Create},
        {"POST",   "/scim/v2/Users/.search",         kScim,      "User",  true,  &Api::Search},
        {"GET",    "/scim/v2/Users/{id}",            kScim,      "User",  false, &Api::Get},
        {"PUT",    "/scim/v2/Users/{id}",            kScim,      "User",  true,  &Api::Replace},
        {"PATCH",  "/scim/v2/Users/{id}",            kScim,      "User",  true,  &Api::Patch},
        {"DELETE", "/scim/v2/Users/{id}",            kScim,      "User",  false, &Api::Delete},

        {"GET",    "/scim/v2/Groups",                kScim,      "Group", false, &Api::List},
        {"POST",   "/scim/v2/Groups",                kScim,      "Group", true,  &Api::Create},
        {"POST",   "/scim/v2/Groups/.search",        kScim,      "Group", true,  &Api::Search},
        {"GET",    "/scim/v2/Groups/{id}",           kScim,      "Group", false, &Api::Get},
        {"PUT",    "/scim/v2/Groups/{id}",           kScim,      "Group", true,  &Api::Replace},
        {"PATCH",  "/scim/v2/Groups/{id}",           kScim,      "Group", true,  &Api::Patch},
        {"DELETE", "/scim/v2/Groups/{id}",           kScim,      "Group", false, &Api::Delete},

        {"GET",    "/scim/v2",                       kScim,      "",      false, &Api::List},
        {"POST",   "/scim/v2/.search",               kScim,      "",      true,  &Api::Search},

        // RFC 7644 §3.11 and §3.7: unsupported features answer 501 (advertised in the config).
        {"GET",    "/scim/v2/Me",                    kScim,      "",      false, &Api::Unsupported},
        {"POST",   "/scim/v2/Me",                    kScim,      "",      false, &Api::Unsupported},
        {"PUT",    "/scim/v2/Me",                    kScim,      "",      false, &Api::Unsupported},
        {"PATCH",  "/scim/v2/Me",                    kScim,      "",      false, &Api::Unsupported},
        {"DELETE", "/scim/v2/Me",                    kScim,      "",      false, &Api::Unsupported},
        {"POST",   "/scim/v2/Bulk",                  kScim,      "",      false, &Api::Unsupported},

        // Token admin, whoami and audit log: AdminApi authenticates, parses and renders these.
        {"GET",    "/api/v1/openapi.json",           kAdmin,     "",      false, nullptr},
        {"GET",    "/api/v1/whoami",                 kAdmin,     "",      false, nullptr},
        {"GET",    "/api/v1/tokens",                 kAdmin,     "",      false, nullptr},
        {"POST",   "/api/v1/tokens",                 kAdmin,     "",      true,  nullptr},
        {"GET",    "/api/v1/tokens/{id}",            kAdmin,     "",      false, nullptr},
        {"DELETE", "/api/v1/tokens/{id}",            kAdmin,     "",      false, nullptr},
        {"POST",   "/api/v1/tokens/{id}/rotate",     kAdmin,     "",      true,  nullptr},
        {"POST",   "/api/v1/tokens/{id}/revoke",     kAdmin,     "",      true,  nullptr},
        {"GET",    "/api/v1/workspaces",             kAdmin,     "",      false, nullptr},
        {"POST",   "/api/v1/workspaces",             kAdmin,     "",      true,  nullptr},
        {"GET",    "/api/v1/workspaces/{id}",        kAdmin,     "",      false, nullptr},
        {"GET",    "/v2/audit-logs",                 kAdmin,     "",      false, nullptr},
    };
    // clang-format on
    return kRoutes;
}

Api::Api(ScimBackend& backend, RequestAuthenticator& authenticator, ApiOptions options)
    : backend_(backend), authenticator_(authenticator), options_(std::move(options)) {
    for (const Route& route : Routes()) {
        router_.Add(route.method, route.pattern);
    }
}

namespace {

HttpResponse Fail(const Error& error, AccessRecord& record) {
    if (error.scim_type) {
        record.scim_type = ScimTypeName(*error.scim_type);
    }
    if (error.status >= 500) {
        record.error = error.internal.empty() ? error.detail : error.internal;
    }
    return Render(error);
}

}  // namespace

HttpResponse Api::Handle(const HttpRequest& request) {
    if (auto client = ForwardedClient(request, options_.trusted_proxies)) {
        HttpRequest forwarded = request;
        forwarded.peer = std::move(*client);
        return HandleFromClient(forwarded);
    }
    return HandleFromClient(request);
}

HttpResponse Api::HandleFromClient(const HttpRequest& request) {
    auto start = std::chrono::steady_clock::now();
    AccessRecord record;
    record.request_id = RequestIdFor(request);
    record.method = request.method;

    HttpResponse response;
    try {
        Call call;
        call.ctx.request_id = record.request_id;
        call.ctx.source_addr = request.peer;
        response = Dispatch(request, call, record);
    } catch (const std::exception& e) {
        response = Fail(Error::Internal(e.what()), record);
    } catch (...) {
        response = Fail(Error::Internal("non-standard exception"), record);
    }
    response.headers.emplace_back("X-Request-Id", record.request_id);

    record.status = response.status;
    record.latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    Record(request, record);
    return response;
}

HttpResponse Api::Reject(const HttpRequest& request, const Error& error) {
    AccessRecord record;
    record.request_id = RequestIdFor(request);
    record.method = request.method;
    HttpResponse response = Fail(error, record);
    response.headers.emplace_back("X-Request-Id", record.request_id);
    record.status = response.status;
    Record(request, record);
    return response;
}

std::vector<std::string> Api::RouteTemplates() {
    std::vector<std::string> out;
    for (const Route& route : Routes()) {
        out.emplace_back(route.pattern);
    }
    out.emplace_back(kConsoleRoute);
    return out;
}

void Api::Record(const HttpRequest& request, const AccessRecord& record) const {
    options_.log(FormatAccessLine(record, options_.log_format));
    if (options_.metrics == nullptr) {
        return;
    }
    options_.metrics->ObserveRequest(record.route, record.status, record.latency_ms / 1000.0);
    if (record.status == 401) {
        options_.metrics->CountAuthFailure(ClassifyAuthFailure(request.Header("Authorization")));
    }
}

HttpResponse Api::ServeMetrics(AccessRecord& record) const {
    if (options_.metrics == nullptr) {
        return Fail(Error::NotFound("no such endpoint"), record);
    }
    HttpResponse response;
    response.headers.emplace_back("Content-Type", std::string(Metrics::kContentType));
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = options_.metrics->Render();
    return response;
}

HttpResponse Api::Dispatch(const HttpRequest& request, Call& call, AccessRecord& record) {
    if (options_.console != nullptr && StaticFiles::Owns(request.path)) {
        record.route = kConsoleRoute;
        return options_.console->Serve(request);
    }
    RouteMatch match = router_.Match(request.method, request.path);
    if (match.kind != RouteMatch::Kind::kFound && options_.admin != nullptr &&
        AdminApi::Owns(request.path)) {
        return AdminApi::RoutingError(match.allow);
    }
    if (match.kind == RouteMatch::Kind::kNotFound) {
        return Fail(Error::NotFound("no such endpoint"), record);
    }
    if (match.kind == RouteMatch::Kind::kWrongMethod) {
        HttpResponse response =
            Fail(Error{405, std::nullopt, "method not allowed on this endpoint", {}}, record);
        response.headers.emplace_back("Allow", match.allow);
        return response;
    }
    const Route& route = Routes()[match.route];
    record.route = route.pattern;
    call.type = route.type;
    call.params = std::move(match.params);
    if (route.access == Access::kMetrics) {
        return ServeMetrics(record);
    }
    if (route.access == Access::kAdmin) {
        if (options_.admin == nullptr) {
            return Fail(Error::NotFound("no such endpoint"), record);
        }
        AdminCall admin{request, route.pattern, std::move(call.params), std::move(call.ctx)};
        return options_.admin->Handle(admin, record);
    }

    if (route.access == Access::kScim ||
        (route.access == Access::kDiscovery && options_.discovery_requires_auth)) {
        std::optional<int> retry_after;
        Status authenticated = Authenticate(request, call, retry_after);
        record.org_id = call.ctx.principal.org_id;
        record.token_id = call.ctx.principal.credential_id;
        if (!authenticated.ok()) {
            HttpResponse response = Fail(authenticated.error(), record);
            if (response.status == 401) {
                // RFC 6750 §3: a protected resource names the scheme it expects.
                response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"scim\"");
            }
            if (response.status == 429 && retry_after) {
                response.headers.emplace_back("Retry-After", std::to_string(*retry_after));
            }
            return response;
        }
    }

    // After authentication, so that a client without a token cannot make the server parse a
    // large body.
    Status checked = CheckBody(request, route, call);
    if (!checked.ok()) {
        return Fail(checked.error(), record);
    }

    Status query = ParseQuery(request, call.query);
    if (!query.ok()) {
        return Fail(query.error(), record);
    }
    call.pre.if_match = OptionalHeader(request, "If-Match");
    call.pre.if_none_match = OptionalHeader(request, "If-None-Match");

    Result<Response> result = (this->*route.handler)(call);
    return result.ok() ? Render(*result) : Fail(result.error(), record);
}

// Limits of DESIGN.md §2, step 2. A body on a route that takes none is ignored, media type and
// all: RFC 9110 gives a GET or DELETE body no meaning.
Status Api::CheckBody(const HttpRequest& request, const Route& route, Call& call) {
    if (request.body.size() > options_.max_body_bytes) {
        return Error{413,
                     std::nullopt,
                     "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes",
                     {}};
    }
    if (!route.reads_body) {
        return Ok{};
    }
    auto content_type = request.Header("Content-Type");
    if (!request.body.empty() && (!content_type || !IsJsonMediaType(*content_type))) {
        return Error{415, std::nullopt, "send application/scim+json or application/json", {}};
    }
    // RFC 7644 §3.8 and RFC 8259 §8.1: SCIM JSON travels as UTF-8, so a body declared in another
    // charset is a media type this server does not take.
    if (!request.body.empty()) {
        if (auto charset = ForeignCharset(*content_type)) {
            return Error{
                415, std::nullopt, "send JSON as UTF-8; " + *charset + " is not accepted", {}};
        }
    }
    if (!IsValidUtf8(request.body)) {
        return Error::Scim(ScimType::kInvalidSyntax, "request body is not valid UTF-8");
    }
    // RFC 7643 §2.1: attribute names ignore case, so `userName` and `USERNAME` are one repeat.
    Result<nlohmann::json> parsed =
        ParseRequestObject(request.body, kMaxJsonDepth, MemberNames::kIgnoreAsciiCase);
    if (!parsed.ok()) {
        return parsed.error();
    }
    call.body = std::move(*parsed);
    return Ok{};
}

Status Api::Authenticate(const HttpRequest& request, Call& call, std::optional<int>& retry) {
    AuthOutcome outcome =
        authenticator_.AuthenticateScim(request.Header("Authorization").value_or(""), request.peer);
    retry = outcome.retry_after_seconds;
    if (!outcome.principal.ok()) {
        return outcome.principal.error();
    }
    call.ctx.principal = std::move(*outcome.principal);
    return Ok{};
}

Result<Response> Api::Health(Call&) {
    return Response{200, {{"status", "ok"}}, {}, {}};
}

Result<Response> Api::Readiness(Call&) {
    if (!backend_.Ready()) {
        return Error::Unavailable("readiness probe: database did not answer");
    }
    return Response{200, {{"status", "ready"}}, {}, {}};
}

Result<Response> Api::Config(Call& call) {
    if (Status refused = RejectDiscoveryFilter(call.query); !refused.ok()) {
        return refused.error();
    }
    return backend_.ServiceProviderConfig();
}
Result<Response> Api::Types(Call& call) {
    if (Status refused = RejectDiscoveryFilter(call.query); !refused.ok()) {
        return refused.error();
    }
    return backend_.ResourceTypes(std::nullopt);
}
Result<Response> Api::Type(Call& call) {
    if (Status refused = RejectDiscoveryFilter(call.query); !refused.ok()) {
        return refused.error();
    }
    return backend_.ResourceTypes(call.params[0]);
}
Result<Response> Api::Schemas(Call& call) {
    if (Status refused = RejectDiscoveryFilter(call.query); !refused.ok()) {
        return refused.error();
    }
    return backend_.Schemas(std::nullopt);
}
Result<Response> Api::Schema(Call& call) {
    if (Status refused = RejectDiscoveryFilter(call.query); !refused.ok()) {
        return refused.error();
    }
    return backend_.Schemas(call.params[0]);
}

Result<Response> Api::List(Call& call) {
    return backend_.List(call.ctx, TypeOf(call.type), call.query);
}

Result<Response> Api::Create(Call& call) {
    return backend_.Create(call.ctx, call.type, call.body, call.query);
}

Result<Response> Api::Search(Call& call) {
    return backend_.Search(call.ctx, TypeOf(call.type), call.body);
}

Result<Response> Api::Get(Call& call) {
    return backend_.Get(call.ctx, call.type, call.params[0], call.query, call.pre);
}

Result<Response> Api::Replace(Call& call) {
    return backend_.Replace(call.ctx, call.type, call.params[0], call.body, call.query, call.pre);
}

Result<Response> Api::Patch(Call& call) {
    return backend_.Patch(call.ctx, call.type, call.params[0], call.body, call.query, call.pre);
}

Result<Response> Api::Delete(Call& call) {
    return backend_.Delete(call.ctx, call.type, call.params[0], call.pre);
}

Result<Response> Api::Unsupported(Call&) {
    return Error{501, std::nullopt, "this endpoint is not supported by this server", {}};
}

std::string RequestIdFor(const HttpRequest& request) {
    auto given = request.Header("X-Request-Id");
    if (given && !given->empty() && given->size() <= 128) {
        bool valid = true;
        for (char c : *given) {
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            valid = valid && (alnum || c == '.' || c == '_' || c == ':' || c == '-');
        }
        if (valid) {
            return std::string(*given);
        }
    }
    return RandomRequestId();
}

bool IsJsonMediaType(std::string_view content_type) {
    std::string_view essence = content_type.substr(0, content_type.find(';'));
    while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
        essence.remove_suffix(1);
    }
    while (!essence.empty() && (essence.front() == ' ' || essence.front() == '\t')) {
        essence.remove_prefix(1);
    }
    return EqualsIgnoreCase(essence, "application/scim+json") ||
           EqualsIgnoreCase(essence, "application/json");
}

std::optional<std::string> ForeignCharset(std::string_view content_type) {
    // RFC 9110 §8.3.1: parameters follow the type as `; name=value`, names ignore case, and a
    // value is a token or a quoted-string (§5.6.4, where a backslash quotes the next character).
    std::size_t at = content_type.find(';');
    while (at < content_type.size()) {
        ++at;  // past the ';'
        std::size_t name_end = content_type.find_first_of("=;", at);
        const std::string_view name = TrimBlanks(content_type.substr(at, name_end - at));
        if (name_end == std::string_view::npos || content_type[name_end] == ';') {
            at = name_end;  // a parameter without a value names no charset
            continue;
        }
        at = name_end + 1;
        std::string value;
        if (at < content_type.size() && content_type[at] == '"') {
            ++at;
            while (at < content_type.size() && content_type[at] != '"') {
                if (content_type[at] == '\\' && at + 1 < content_type.size()) {
                    ++at;
                }
                value += content_type[at++];
            }
            at = content_type.find(';', at);
        } else {
            std::size_t value_end = content_type.find(';', at);
            value = std::string(content_type.substr(at, value_end - at));
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
                value.pop_back();  // RFC 9110 allows no blank after the '=', only before a ';'
            }
            at = value_end;
        }
        if (!EqualsIgnoreCase(name, "charset") || EqualsIgnoreCase(value, "utf-8")) {
            continue;
        }
        const bool token = !value.empty() && value.size() <= 40 && AlnumOr(value, "-_.:+");
        return token ? "charset " + value : std::string("the charset given");
    }
    return std::nullopt;
}

}  // namespace scim::http

#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/http/access_log.h"
#include "scim/http/backend.h"
#include "scim/http/client_address.h"
#include "scim/http/exchange.h"
#include "scim/http/router.h"

// The HTTP face of the server, without sockets: route table, request limits, authentication,
// parsing and rendering. The Pistache glue (server.h) converts to and from HttpRequest and
// HttpResponse; tests call Handle directly.
namespace scim::http {

class AdminApi;
class Metrics;
class StaticFiles;

struct ApiOptions {
    std::size_t max_body_bytes = 1024 * 1024;  // larger bodies get 413 (advertise the same)
    // RFC 7644 §4 lets discovery endpoints be public. They are by default: they describe only
    // the server's schemas, and some clients read them before a token is configured.
    bool discovery_requires_auth = false;
    LogSink log = StderrSink;
    LogFormat log_format = LogFormat::kText;
    // Serves the routes of access kAdmin (/api/v1, /v2/audit-logs); null answers them 404.
    AdminApi* admin = nullptr;
    // Serves the admin console under /admin (no authentication: the pages hold no data; the
    // browser signs in against /api/v1). Null answers /admin with 404 like any unknown path.
    const StaticFiles* console = nullptr;
    // Records every request and serves GET /metrics, without authentication: the exposition
    // holds counts only, and the endpoint is meant for the private network (docs/operations.md).
    // Null answers /metrics with 404.
    Metrics* metrics = nullptr;
    // Proxies whose X-Forwarded-For is believed (see ForwardedClient); empty: the TCP peer is
    // always the client address.
    std::vector<Cidr> trusted_proxies;
};

class Api {
public:
    // `backend` and `authenticator` must outlive the Api. Thread-safe: Handle may be called from
    // any number of threads at once.
    Api(ScimBackend& backend, RequestAuthenticator& authenticator, ApiOptions options);

    // Answers one request. Never throws: anything unexpected becomes a generic 500 whose cause is
    // logged. Writes one access log line.
    HttpResponse Handle(const HttpRequest& request);

    // Answers a request the HTTP layer refused before routing (malformed framing, unknown
    // method): renders `error`, adds X-Request-Id, and logs and counts it like any request, with
    // no route. `request` holds what could be read of it (the method, the peer).
    HttpResponse Reject(const HttpRequest& request, const Error& error);

    // Every route template the access log and /metrics can report, for Metrics' constructor.
    static std::vector<std::string> RouteTemplates();

private:
    // Handle once the client address is settled in `request.peer`.
    HttpResponse HandleFromClient(const HttpRequest& request);
    enum class Access { kPublic, kMetrics, kDiscovery, kScim, kAdmin };
    struct Call;
    using Handler = Result<Response> (Api::*)(Call&);
    struct Route {
        const char* method;
        const char* pattern;
        Access access;
        const char* type;  // resource type served, "" when none
        bool reads_body;
        Handler handler;
    };

    static const std::vector<Route>& Routes();

    HttpResponse Dispatch(const HttpRequest& request, Call& call, AccessRecord& record);
    HttpResponse ServeMetrics(AccessRecord& record) const;
    void Record(const HttpRequest& request, const AccessRecord& record) const;
    Result<Ok> CheckBody(const HttpRequest& request, const Route& route, Call& call);
    Result<Ok> Authenticate(const HttpRequest& request, Call& call, std::optional<int>& retry);

    Result<Response> Health(Call& call);
    Result<Response> Readiness(Call& call);
    Result<Response> Config(Call& call);
    Result<Response> Types(Call& call);
    Result<Response> Type(Call& call);
    Result<Response> Schemas(Call& call);
    Result<Response> Schema(Call& call);
    Result<Response> List(Call& call);
    Result<Response> Create(Call& call);
    Result<Response> Search(Call& call);
    Result<Response> Get(Call& call);
    Result<Response> Replace(Call& call);
    Result<Response> Patch(Call& call);
    Result<Response> Delete(Call& call);
    Result<Response> Unsupported(Call& call);

    ScimBackend& backend_;
    RequestAuthenticator& authenticator_;
    ApiOptions options_;
    Router router_;
};

// A client's X-Request-Id is echoed and logged when it is 1-128 characters of [A-Za-z0-9._:-];
// anything else is replaced by a fresh random id (so it cannot inject into the log).
std::string RequestIdFor(const HttpRequest& request);

// True for application/scim+json and application/json (RFC 7644 §3.1), ignoring case and any
// parameters such as charset.
bool IsJsonMediaType(std::string_view content_type);

// When `content_type` has a charset parameter naming anything but UTF-8 (compared ignoring case,
// quoted or not), the words for it in a 415 detail, e.g. `charset utf-16`: RFC 8259 §8.1 and
// RFC 7644 §3.8 make JSON exchanged between systems UTF-8. A name that is not a short token is
// not quoted, so that the header's text never reaches a log. nullopt without a charset or with
// charset=utf-8.
std::optional<std::string> ForeignCharset(std::string_view content_type);

}  // namespace scim::http

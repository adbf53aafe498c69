#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/principal.h"
#include "scim/result.h"
#include "scim/service/clock.h"
#include "scim/store.h"

// The SCIM operations of RFC 7644 §3 over a ResourceStore, free of HTTP and SQL. Handlers parse
// the request into these types, call one method and render the Response.
namespace scim::service {

class CursorCodec;

// Query parameters as the client sent them, already percent-decoded; absent ones are nullopt.
struct Query {
    std::optional<std::string> filter;
    std::optional<std::string> sort_by;
    std::optional<std::string> sort_order;
    std::optional<std::string> start_index;
    std::optional<std::string> count;
    std::optional<std::string> cursor;
    std::optional<std::string> attributes;
    std::optional<std::string> excluded_attributes;
};

// RFC 7644 §3.14 preconditions from If-Match / If-None-Match, raw header values.
struct Preconditions {
    std::optional<std::string> if_match;
    std::optional<std::string> if_none_match;
};

// What the handler renders. A null body means no body (204, 304).
struct Response {
    int status = 200;
    nlohmann::json body;
    std::string location;  // absolute URL, for 201 and resource responses
    std::string etag;      // W/"<version>" for single-resource responses
};

struct Config {
    std::string base_url = "http://127.0.0.1:8080/scim/v2";  // no trailing slash
    std::int64_t max_results = 1000;   // advertised filter.maxResults; larger counts are capped
    std::int64_t default_count = 100;  // page size when the client gives no count
    int max_write_retries = 8;         // re-read and re-apply attempts without If-Match
    std::string cursor_key;            // secret for signing RFC 9865 cursors ("" = random)
    std::chrono::seconds cursor_ttl{3600};  // how long an issued cursor stays usable
    Clock clock;                            // null: the system clock (tests inject a fixed one)
};

class ResourceService {
public:
    ResourceService(std::shared_ptr<const schemas::Registry> registry,
                    ResourceStore& store,
                    Config config);

    // `type` is the resource type name, "User" or "Group" (or an extension-defined one).
    Result<Response> Create(const RequestContext& ctx,
                            std::string_view type,
                            const nlohmann::json& body,
                            const Query& query);
    Result<Response> Get(const RequestContext& ctx,
                         std::string_view type,
                         std::string_view id,
                         const Query& query,
                         const Preconditions& pre);
    Result<Response> Replace(const RequestContext& ctx,
                             std::string_view type,
                             std::string_view id,
                             const nlohmann::json& body,
                             const Query& query,
                             const Preconditions& pre);
    Result<Response> Patch(const RequestContext& ctx,
                           std::string_view type,
                           std::string_view id,
                           const nlohmann::json& body,
                           const Query& query,
                           const Preconditions& pre);
    Result<Response> Delete(const RequestContext& ctx,
                            std::string_view type,
                            std::string_view id,
                            const Preconditions& pre);
    // GET on a resource endpoint; `type` nullopt means the server root (all types).
    Result<Response> List(const RequestContext& ctx,
                          std::optional<std::string_view> type,
                          const Query& query);
    // POST .../.search with a SearchRequest body (RFC 7644 §3.4.3).
    Result<Response> Search(const RequestContext& ctx,
                            std::optional<std::string_view> type,
                            const nlohmann::json& body);

private:
    // 404 for a type name the registry does not know.
    Result<const schemas::ResourceType*> FindType(std::string_view type) const;
    std::string Now() const;
    Result<Response> ListOne(const RequestContext& ctx,
                             const schemas::ResourceType& type,
                             const Query& query);
    Result<Response> ListAll(const RequestContext& ctx, const Query& query);

    std::shared_ptr<const schemas::Registry> registry_;
    ResourceStore& store_;
    Config config_;
    std::shared_ptr<const CursorCodec> cursor_;
};

}  // namespace scim::service

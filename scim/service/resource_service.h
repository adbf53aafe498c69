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
    // Re-read and re-apply attempts without If-Match. Writers of one resource take turns, so a
    // burst of N concurrent writers needs up to about N attempts for the last one.
    int max_write_retries = 32;
    std::string cursor_key;                 // secret for signing RFC 9865 cursors ("" = random)
    std::chrono::seconds cursor_ttl{3600};  // how long an issued cursor stays usable
    Clock clock;                            // null: the system clock (tests inject a fixed one)
};

// Thread-safe: holds no per-request state; the store must be thread-safe (scim/store.h). Every
// method takes the org from ctx.principal and never reaches another org's resources. Errors from
// the schema engine, filter parser, PATCH engine and store are returned unchanged; malformed
// input is a 4xx, never a 500. The `type` arguments are resource type names, "User" or "Group"
// (or an extension-defined one); an unknown name is 404.
class ResourceService {
public:
    // `store` must outlive the service.
    ResourceService(std::shared_ptr<const schemas::Registry> registry,
                    ResourceStore& store,
                    Config config);

    // POST (RFC 7644 §3.3): validates the body, assigns a random UUID, created = lastModified =
    // now, version 1; group members become membership rows. 201 with Location, ETag and the
    // resource projected by query.attributes / excludedAttributes. Audit "<type>.created".
    Result<Response> Create(const RequestContext& ctx,
                            std::string_view type,
                            const nlohmann::json& body,
                            const Query& query);
    // GET by id (RFC 7644 §3.4.1). If-None-Match naming the current version gives 304 with no
    // body; otherwise 200 with the projected resource, Location and ETag.
    Result<Response> Get(const RequestContext& ctx,
                         std::string_view type,
                         std::string_view id,
                         const Query& query,
                         const Preconditions& pre);
    // PUT (RFC 7644 §3.5.1): the body replaces the document (id and meta ignored, immutable
    // attributes checked against the stored ones). A `members` attribute replaces the whole
    // membership ([] empties it); a body without `members` keeps the current members. If-Match
    // that does not name the current version is 412; without If-Match a concurrent write is
    // retried up to config.max_write_retries times, then 409. 200 with the resource. Audit
    // "<type>.replaced", details.renamed when a group's displayName changed.
    Result<Response> Replace(const RequestContext& ctx,
                             std::string_view type,
                             std::string_view id,
                             const nlohmann::json& body,
                             const Query& query,
                             const Preconditions& pre);
    // PATCH (RFC 7644 §3.5.2) applied to the stored document, validated, written with the version
    // read; preconditions and retries as for Replace, re-applying the operations to a fresh read.
    // A PATCH that changes nothing writes nothing (version unchanged). A User gets 200 with the
    // resource projected by `attributes` (RFC 7644 §3.5.2 allows 200 or 204; 200 saves clients a
    // GET); a Group gets 204 unless `attributes` or `excludedAttributes` is given. A group PATCH
    // that only adds or removes members by id (patch::ChangesOnlyMembers) reads neither the
    // document nor the member list and is written with ResourceStore::UpdateMembers, so
    // concurrent member changes of one group never conflict or retry; with If-Match the version
    // is still compared, and with `attributes` the group is read back after the write. Member
    // filters other than ids read the member list once. Audit "user.patched", "user.deactivated"
    // (active true -> false), "group.renamed", "group.members_added" / "group.members_removed"
    // (counts in details); with several such changes at once "<type>.patched" with details.changes
    // listing them.
    Result<Response> Patch(const RequestContext& ctx,
                           std::string_view type,
                           std::string_view id,
                           const nlohmann::json& body,
                           const Query& query,
                           const Preconditions& pre);
    // DELETE (RFC 7644 §3.6): 204 with no body; memberships naming the resource go with it.
    // If-Match as for Replace. Audit "<type>.deleted".
    Result<Response> Delete(const RequestContext& ctx,
                            std::string_view type,
                            std::string_view id,
                            const Preconditions& pre);
    // GET on a resource endpoint (RFC 7644 §3.4.2); `type` nullopt means the server root (every
    // type: Users, then Groups, then extension types, each sorted on its own, paged as one list).
    // Index paging: startIndex < 1 means 1, count < 0 means 0, count capped at max_results,
    // non-numeric values 400 invalidValue; totalResults counts every match. sortBy must name an
    // attribute (a complex one down to a sub-attribute), else 400 invalidValue. Cursor paging
    // (RFC 9865) when `cursor` is present ("" = first page): nextCursor / previousCursor in the
    // response, no startIndex; a cursor that is malformed, tampered with or from another
    // filter/sort is 400 invalidCursor, an old one 400 expiredCursor; cursor with startIndex, or on
    // the server root, is 400 invalidValue.
    Result<Response> List(const RequestContext& ctx,
                          std::optional<std::string_view> type,
                          const Query& query);
    // POST .../.search with a SearchRequest body (RFC 7644 §3.4.3): `schemas` must list the
    // SearchRequest URN (else 400 invalidSyntax); attributes / excludedAttributes are arrays of
    // strings, startIndex / count integers, the rest strings (another JSON type is 400
    // invalidValue naming the member); the rest as for List.
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
    // The PATCH of a group whose operations only change members by id: see Patch.
    Result<StoredResource> PatchMembersOnly(const RequestContext& ctx,
                                            const schemas::ResourceType& type,
                                            std::string_view id,
                                            const nlohmann::json& body,
                                            const Preconditions& pre);

    std::shared_ptr<const schemas::Registry> registry_;
    ResourceStore& store_;
    Config config_;
    std::shared_ptr<const CursorCodec> cursor_;
};

}  // namespace scim::service

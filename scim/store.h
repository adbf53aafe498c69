#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/principal.h"
#include "scim/result.h"

namespace scim::filter {
struct Node;
}
namespace schemas {
struct ResourceType;
struct ResolvedPath;
}  // namespace schemas

namespace scim {

// One audit record. Actor, request id and source address come from the RequestContext passed
// with the write; the store writes the event in the same transaction as the change.
struct AuditEvent {
    std::string action;       // e.g. "user.created", "group.members_added"
    std::string target_type;  // "User", "Group", "Token", ...
    std::string target_id;
    nlohmann::json details = nlohmann::json::object();
};

// A user or group as stored. `doc` holds the resource attributes (schemas, id, externalId, ...)
// without `meta`, and without the derived `groups` (users) or `members` (groups).
struct StoredResource {
    std::string id;
    std::int64_t version = 0;
    std::string created;        // RFC 3339 UTC, millisecond precision
    std::string last_modified;  // RFC 3339 UTC, millisecond precision
    nlohmann::json doc;
};

// A member of a group, or (from GroupsOf) a group a user belongs to.
struct MemberRef {
    std::string id;
    std::string type;     // "User" or "Group"
    std::string display;  // filled on read: userName/displayName of the member or group
};

// Memberships of several resources read at once, keyed by resource id.
using MembershipMap = std::map<std::string, std::vector<MemberRef>, std::less<>>;

// Membership changes applied with a group write, in the same transaction.
struct MemberChanges {
    bool replace_all = false;         // delete every existing member first (PUT, replace)
    std::vector<MemberRef> add;       // existing members are a no-op
    std::vector<std::string> remove;  // absent members are a no-op
    bool empty() const { return !replace_all && add.empty() && remove.empty(); }
};

// Keyset position for cursor paging (RFC 9865): the sort value and id of the last row seen.
struct Keyset {
    nlohmann::json sort_value;  // null when sorting by id only
    std::string id;
};

struct ListQuery {
    const filter::Node* filter = nullptr;            // already bound to the resource type
    const schemas::ResolvedPath* sort_by = nullptr;  // nullptr: order by id
    bool descending = false;
    std::int64_t start_index = 1;  // 1-based, already clamped (RFC 7644 §3.4.2.4)
    std::int64_t count = 100;      // already clamped to [0, maxResults]
    std::optional<Keyset> after;   // cursor paging: rows strictly after this key
    bool with_total = true;        // compute totalResults
};

// A resource read together with the groups that list it directly (users only).
struct ResourceWithGroups {
    StoredResource resource;
    std::vector<MemberRef> groups;  // as GroupsOf returns them; empty for a group
};

struct ListPage {
    std::int64_t total = 0;
    std::vector<StoredResource> resources;
};

// Storage of users, groups and memberships for one database. Every call is scoped to an org;
// no call can reach another org's rows. Implementations are thread-safe. Errors: 404 for an
// unknown id, 409 uniqueness for a duplicate userName (case-folded), 412 when
// `expected_version` does not match, 400 invalidValue naming an unknown member id, 503 when the
// database is unreachable or busy past its retry budget.
class ResourceStore {
public:
    virtual ~ResourceStore() = default;

    // `type` is "User" or "Group". `doc` must already be validated; the store assigns nothing
    // but the row: id, created and last_modified come in `resource`.
    virtual Result<StoredResource> Create(const RequestContext& ctx,
                                          std::string_view type,
                                          const StoredResource& resource,
                                          const MemberChanges& members,
                                          const AuditEvent& event) = 0;

    virtual Result<StoredResource> Get(std::string_view org_id,
                                       std::string_view type,
                                       std::string_view id) = 0;

    // Get and, for a user, GroupsOf in one read, for a GET that returns `groups`. Errors as for
    // Get. This default makes the two calls; a database store overrides it to read both in one
    // statement, since each call is a round trip.
    virtual Result<ResourceWithGroups> GetWithGroups(std::string_view org_id,
                                                     std::string_view type,
                                                     std::string_view id) {
        auto resource = Get(org_id, type, id);
        if (!resource.ok()) {
            return resource.error();
        }
        ResourceWithGroups out{std::move(*resource), {}};
        if (type == "User") {
            auto groups = GroupsOf(org_id, id);
            if (!groups.ok()) {
                return groups.error();
            }
            out.groups = std::move(*groups);
        }
        return out;
    }

    // Replaces the stored document when the stored version equals `expected_version`, setting
    // version to expected_version + 1 and last_modified from `resource`.
    virtual Result<StoredResource> Update(const RequestContext& ctx,
                                          std::string_view type,
                                          const StoredResource& resource,
                                          std::int64_t expected_version,
                                          const MemberChanges& members,
                                          const AuditEvent& event) = 0;

    // Applies membership changes to a group whose document does not change (a PATCH that only
    // adds or removes members), in one transaction with the audit event: the version goes up by
    // one and last_modified moves forward to `last_modified` (never back). The stored version is
    // compared only when `expected_version` is set (412 on mismatch), so concurrent member
    // changes of one group queue instead of failing; membership rows are independent. Neither
    // the document nor the member list is read. Returns id, version, created and last_modified
    // (doc is null). Errors as for Update, plus 400 invalidValue for a member that is the group
    // itself or a group containing it.
    virtual Result<StoredResource> UpdateMembers(const RequestContext& ctx,
                                                 std::string_view group_id,
                                                 std::string_view last_modified,
                                                 std::optional<std::int64_t> expected_version,
                                                 const MemberChanges& members,
                                                 const AuditEvent& event) = 0;

    // Deletes the resource and every membership row that names it (as group or as member).
    virtual Status Delete(const RequestContext& ctx,
                          std::string_view type,
                          std::string_view id,
                          std::optional<std::int64_t> expected_version,
                          const AuditEvent& event) = 0;

    virtual Result<ListPage> List(std::string_view org_id,
                                  const schemas::ResourceType& type,
                                  const ListQuery& query) = 0;

    // Members of a group with their display names.
    virtual Result<std::vector<MemberRef>> Members(std::string_view org_id,
                                                   std::string_view group_id) = 0;

    // Groups that list `member_id` directly, with the groups' displayName in `display`.
    virtual Result<std::vector<MemberRef>> GroupsOf(std::string_view org_id,
                                                    std::string_view member_id) = 0;

    // Members of several groups in one read, so a list page costs one query, not one per group.
    // Every id of `group_ids` is a key of the result, holding what Members would return for it
    // (empty for a group without members or an unknown id).
    virtual Result<MembershipMap> MembersOfMany(std::string_view org_id,
                                                const std::vector<std::string>& group_ids) = 0;

    // GroupsOf for several members in one read; every id of `member_ids` is a key of the result.
    virtual Result<MembershipMap> GroupsOfMany(std::string_view org_id,
                                               const std::vector<std::string>& member_ids) = 0;

    // True when the database answers a trivial query (for /readyz).
    virtual bool Ping() = 0;
};

}  // namespace scim

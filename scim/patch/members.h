#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/filter/ast.h"
#include "scim/result.h"
#include "scim/store.h"

// Group membership edits collected from PATCH operations. Members are stored as rows, not in the
// group document (DESIGN.md §4), so operations on `members` never touch the document; they are
// folded, in request order, into one MemberChanges for the store.
namespace scim::patch {

class MemberEdits {
public:
    // `add` of a member list (RFC 7644 §3.5.2.1). Each element must be an object with a
    // non-empty string `value`, and an optional `type` of "User" or "Group" (any case); a bare
    // string id is refused with 400 invalidValue because RFC 7643 §4.2 defines a member as a
    // complex value. A single object is taken as a one-element list; null adds nothing.
    Status Add(const nlohmann::json& value);

    // `replace` of the whole list: afterwards the members are exactly `value` (null or []: none).
    Status ReplaceAll(const nlohmann::json& value);

    // `remove` of the whole list.
    void RemoveAll();

    // `remove` with a member list instead of a filter (Entra ID): removes exactly the listed
    // members; listed ids that are not members are a no-op. Same element rules as Add.
    Status RemoveListed(const nlohmann::json& value);

    // Removes the given ids; absent ones are a no-op. NOTE(#5): RFC 7644 §3.5.2.2 would answer
    // noTarget for a member filter that matches nothing, but identity providers retry removals
    // and expect success, and the store cannot tell without a read.
    void RemoveIds(const std::vector<std::string>& ids);

    // The member list as it stands after the edits so far, given the stored members: what a
    // member filter later in the same request is evaluated against. Each element is a member
    // value ({"value", "type", ...}); members added by this request carry only value and type.
    std::vector<nlohmann::json> Current(const std::vector<nlohmann::json>& stored) const;

    const MemberChanges& changes() const { return changes_; }

private:
    void AddOne(MemberRef member);
    void RemoveOne(const std::string& id);

    MemberChanges changes_;
};

// Reads a group's stored members as member values ({"value", "type", "display", "$ref"}), for
// member filters that are more than a list of ids. Called at most once per PATCH, and only when
// such a filter appears, so adding or removing members by id never reads the member list.
using MemberLoader = std::function<Result<std::vector<nlohmann::json>>()>;

// The member ids a `members` value filter names when it is only `value eq "id"` comparisons
// joined with `or` (what identity providers send): those removals need no read of the member
// list. nullopt for any other filter, which has to be evaluated against the members.
// `filter` must be bound.
std::optional<std::vector<std::string>> MemberIdsFromFilter(const filter::Node& filter);

}  // namespace scim::patch

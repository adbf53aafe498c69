#pragma once

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

    const MemberChanges& changes() const { return changes_; }

private:
    void AddOne(MemberRef member);
    void RemoveOne(const std::string& id);

    MemberChanges changes_;
};

// The member ids a `members` value filter names: one `value eq "id"` comparison, or several
// joined with `or`. Other filters would need the stored member list, which the document does
// not hold: 400 invalidPath. `filter` must be bound.
// TODO(#5): evaluate general filters on members (type eq "Group", display co ...) against the
// membership rows.
Result<std::vector<std::string>> MemberIdsFromFilter(const filter::Node& filter);

}  // namespace scim::patch

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/patch/members.h"
#include "scim/result.h"
#include "scim/store.h"

// The PATCH engine of RFC 7644 §3.5.2: parses a PatchOp request and applies it, all or nothing,
// to a stored resource document in memory. Pure: no I/O, no clock, thread-safe (no shared state).
namespace scim::patch {

// The three operations of RFC 7644 §3.5.2; the wire names match case-insensitively.
enum class PatchOp { kAdd, kReplace, kRemove };

// Wire spelling: "add", "replace", "remove".
std::string_view PatchOpName(PatchOp op);

// One entry of the request's "Operations" array, as the client sent it.
struct Operation {
    PatchOp op = PatchOp::kAdd;
    std::optional<std::string> path;  // absent for path-less add/replace
    std::optional<nlohmann::json> value;
};

// Parses a PatchOp body: `schemas` must list the PatchOp URN, `Operations` must be a non-empty
// array (both keys matched case-insensitively), each element an object with a known `op`.
// Errors are 400 invalidSyntax whose detail names the operation index ("Operations[2]: ...").
// Paths are not resolved here; Apply does that.
Result<std::vector<Operation>> ParseRequest(const nlohmann::json& body);

struct PatchResult {
    // The resource after every operation. Attribute names are written in their canonical
    // spelling; extension attributes live under their schema URN key, whose URN is added to
    // "schemas" when the extension first gets a value (and dropped when it is emptied).
    // For groups the document never holds "members".
    nlohmann::json doc;
    // Group membership changes, in request order folded into one change set: `replace_all`
    // with `add` the final member list, or incremental `add`/`remove`. A MemberRef's `type` is
    // the client's "User"/"Group" (canonical spelling) or empty when the client gave none;
    // `display` is always empty (it is derived on read).
    MemberChanges members;
    // False when no operation changed the document and there are no member changes.
    bool changed = false;
};

// Parses `body` (see ParseRequest) and applies every operation, in order, to `doc`, the stored
// document of a resource of `type`. Attribute names and paths resolve case-insensitively
// through `registry` (RFC 7643 §2.1). All or nothing: the first failing operation's error is
// returned, its detail naming the index, and nothing else is reported.
//
// Errors (all 400): invalidSyntax (malformed body, unknown op, missing value), invalidPath
// (unparsable path, unknown attribute, a value filter on a single-valued attribute, a `members`
// filter other than `value eq` terms joined with `or` when `load_members` is empty, a path into
// a member's sub-attributes), noTarget (remove without path; a value filter that matches
// nothing on remove, or on add/replace when it is not `eq` terms joined with `and`),
// invalidValue (a path-less value that is not an object, a member without a string "value" or
// given as a bare string), mutability (a path that targets a readOnly attribute or
// sub-attribute: id, meta, groups).
// A stored document that is not an object gives a 500.
//
// Leniencies for identity providers (DESIGN.md §6): path-less values with dotted or URN keys, or
// keys that are full paths with a value filter (applied as that path; invalidPath when they do
// not resolve); "True"/"False" strings for booleans; a bare string for a single-valued complex
// attribute with a "value" sub-attribute (Entra's manager); null and unknown sub-attributes of
// complex values are dropped; readOnly and unknown attributes in path-less values are ignored;
// add/replace on a value filter that matches nothing creates the element from the filter's `eq`
// terms; remove with a value list removes exactly the listed elements; removing an absent group
// member is a no-op. The result still needs schema validation (types, required, immutable,
// primary).
//
// Member filters: `members[value eq "a" or value eq "b"]` names ids and is applied without any
// read. Any other valid filter (`members[type eq "Group"]`, `members[display co "x"]`) selects
// from the group's members as earlier operations of the request left them, read once through
// `load_members` (its errors are returned as they are).
Result<PatchResult> Apply(const schemas::Registry& registry,
                          const schemas::ResourceType& type,
                          nlohmann::json doc,
                          const nlohmann::json& body,
                          const MemberLoader& load_members = {});

// True when every operation only adds, replaces or removes members of a group by id: path
// `members` or `members[value eq "id" or ...]`, or a path-less add/replace whose every key is
// `members`. Such a PATCH leaves the group document as it is and needs no read of it or of the
// member list, so its result is Apply on an empty document: the member changes alone. False for
// anything else, including operations that would fail (Apply reports those).
bool ChangesOnlyMembers(const schemas::Registry& registry,
                        const schemas::ResourceType& type,
                        const std::vector<Operation>& operations);

}  // namespace scim::patch

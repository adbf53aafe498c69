#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schemas/schema.h"
#include "scim/filter/ast.h"
#include "scim/result.h"

namespace scim::filter {

// Resolves every attribute path of `root` against the core schema and extensions of `type`
// (case-insensitive, RFC 7643 §2.1), recording the schema and attribute definitions in the
// tree, and checks each comparison against the attribute's type:
//  - strings, references and binary take string literals; integers and decimals take numbers;
//    dateTime takes a string in RFC 3339 form (normalised, see NormalizeDateTime); booleans
//    take true/false (also the strings "true"/"false" in any case, as Entra ID sends them);
//  - co, sw and ew need a string-like attribute; gt, ge, lt and le are refused on booleans,
//    binary and complex attributes;
//  - `eq null` and `ne null` are allowed on any attribute and mean "has no value" / "has a
//    value" (the same as `not (x pr)` / `x pr`); null with any other operator is refused;
//  - a comparison on a complex attribute other than `pr` compares its `value` sub-attribute;
//    without one it is refused;
//  - value paths need a complex attribute; their inner paths name its sub-attributes.
// The common attributes id, externalId and meta (RFC 7643 §3.1) resolve on every type.
// Errors are 400 invalidFilter naming the attribute (unknown, or wrong operator or literal).
// The registry must outlive the bound tree: the tree points into it.
Status Bind(Node& root, const schemas::Registry& registry, const schemas::ResourceType& type);

// How a filter treats an attribute path (outside brackets) that `type` does not define.
enum class UnknownAttributes {
    kReject,  // 400 invalidFilter: a filter on one resource type's endpoint
    // A query across resource types (the server root, RFC 7644 §3.4.2.1): on this type the
    // attribute has no value, so a comparison or `pr` on it is false and `eq null` is true; the
    // rest of the expression still applies and is simplified around the constant.
    kAbsent,
};

// For a filter on the server root: 400 invalidFilter naming the first attribute path (outside
// brackets) that no resource type of `registry` defines.
Status CheckKnownToSomeType(const Node& root, const schemas::Registry& registry);

// Binds a PATCH path the same way; errors are 400 invalidPath.
Status BindPatchPath(PatchPath& path,
                     const schemas::Registry& registry,
                     const schemas::ResourceType& type);

// A filter parsed and bound to one resource type. Move-only; holds pointers into the Registry.
class BoundFilter {
public:
    // Only when constant() is empty.
    const Node& root() const { return *root_; }
    // Set when binding with UnknownAttributes::kAbsent reduced the whole filter to true or
    // false: it then holds for every resource of the type, or for none.
    std::optional<bool> constant() const { return constant_; }
    const schemas::ResourceType& type() const { return *type_; }

    // Parse + Bind. Errors are 400 invalidFilter.
    static Result<BoundFilter> Create(std::string_view text,
                                      const schemas::Registry& registry,
                                      const schemas::ResourceType& type,
                                      UnknownAttributes unknown = UnknownAttributes::kReject);

private:
    BoundFilter(NodePtr root, const schemas::ResourceType* type, std::optional<bool> constant)
        : root_(std::move(root)), type_(type), constant_(constant) {}

    NodePtr root_;
    const schemas::ResourceType* type_;
    std::optional<bool> constant_;
};

// Normalises an RFC 3339 date-time to UTC with exactly three fraction digits,
// `YYYY-MM-DDTHH:MM:SS.sssZ`, the form the store keeps in its created/last_modified columns;
// such strings order chronologically as text. nullopt when `text` is not RFC 3339.
std::optional<std::string> NormalizeDateTime(std::string_view text);

}  // namespace scim::filter

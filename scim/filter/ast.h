#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace schemas {
struct Schema;
struct Attribute;
}  // namespace schemas

// The syntax tree of a SCIM filter (RFC 7644 §3.4.2.2) and of a PATCH path (RFC 7644 §3.5.2).
// The parser fills the "as written" fields; Bind (bind.h) fills the "bound" fields by resolving
// every path against the schema Registry. Trees own their children and are move-only.
namespace scim::filter {

// The attribute operators of RFC 7644 §3.4.2.2, Table 3.
enum class CompareOp { kEq, kNe, kCo, kSw, kEw, kGt, kGe, kLt, kLe, kPr };

// Wire spelling in lower case, e.g. "eq".
std::string_view CompareOpName(CompareOp op);

// An attribute path: [URN ":"] name ["." sub].
struct AttrPath {
    // As written by the client.
    std::string urn;           // schema URN prefix, "" when absent
    std::string name;          // attribute name
    std::string sub;           // sub-attribute, "" when absent
    std::size_t position = 0;  // 0-based byte offset of the path in the source text

    // True for a path inside the brackets of a value path (`emails[type eq "work"]`): it names a
    // sub-attribute of each element of the outer attribute, and `name` holds that sub-attribute.
    bool in_value_path = false;

    // Bound by Bind; nullptr before. For a path inside a value path, `attribute` is the outer
    // multi-valued attribute and `sub_attribute` the one named inside the brackets. For a
    // comparison on a complex attribute without a sub-attribute, Bind sets `sub_attribute` to
    // its `value` sub-attribute (`emails eq "x"` means `emails.value eq "x"`).
    // For the common attributes of RFC 7643 §3.1 (id, externalId, meta) `schema` is the core
    // schema of the resource type, as schemas::Registry::Resolve reports it.
    const schemas::Schema* schema = nullptr;
    const schemas::Attribute* attribute = nullptr;
    const schemas::Attribute* sub_attribute = nullptr;
    bool is_extension = false;  // the value lives under the extension URN key of the resource

    bool bound() const { return attribute != nullptr; }
    // The attribute the path ends at; nullptr before binding.
    const schemas::Attribute* leaf() const { return sub_attribute ? sub_attribute : attribute; }
};

enum class NodeKind {
    kCompare,    // path op value, or path pr
    kAnd,        // children[0] and children[1]
    kOr,         // children[0] or children[1]
    kNot,        // not (children[0])
    kValuePath,  // path[children[0]]: some element of `path` matches the inner filter
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
    NodeKind kind = NodeKind::kCompare;
    std::size_t position = 0;  // 0-based byte offset where the expression starts

    // kCompare and kValuePath.
    AttrPath path;
    // kCompare only.
    CompareOp op = CompareOp::kEq;
    // The literal: string, number, boolean or null; null for `pr`. After binding a dateTime
    // literal holds its normalised form (see NormalizeDateTime in bind.h) and a boolean
    // attribute compared with "true"/"false" holds a JSON boolean.
    nlohmann::json value;

    std::vector<NodePtr> children;
};

// A PATCH operation path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:...:attr[.sub]`,
// `attr[filter]` or `attr[filter].sub`.
struct PatchPath {
    // `attr.sub` without brackets, or, when `value_filter` is set, the attribute before the
    // brackets with `sub` holding the sub-attribute after them (`emails[...].value`).
    AttrPath path;
    NodePtr value_filter;  // nullptr when the path has no brackets
};

// Prints a tree in a canonical, fully parenthesised form, e.g.
// `(userName eq "bjensen") and (not (emails[type eq "work"]))`. Bound trees print canonical
// attribute names; unbound trees print names as written. Used by tests and DEBUG logs.
std::string ToString(const Node& node);
std::string ToString(const AttrPath& path);
std::string ToString(const PatchPath& path);

}  // namespace scim::filter

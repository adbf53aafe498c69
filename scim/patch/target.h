#pragma once

#include <string>
#include <string_view>

#include "schemas/schema.h"
#include "scim/filter/ast.h"
#include "scim/result.h"

// What one PATCH operation points at (RFC 7644 §3.5.2): an attribute, maybe one of its
// sub-attributes, maybe only the elements a value filter selects.
namespace scim::patch {

struct Target {
    const schemas::Attribute* attribute = nullptr;  // top-level attribute, never null once resolved
    const schemas::Attribute* sub = nullptr;        // sub-attribute the path ends at, or nullptr
    std::string extension_urn;     // canonical URN key the attribute lives under, "" for core
    filter::NodePtr value_filter;  // bound filter over elements (`emails[type eq "work"]`)
};

// Resolves an operation's `path` for a resource of `type`: parses it (RFC 7644 §3.5.2 PATH
// grammar) and binds every name case-insensitively through `registry`. Errors are 400
// invalidPath for an unparsable path or an unknown attribute, and for a value filter on a
// single-valued attribute.
Result<Target> ResolvePath(const schemas::Registry& registry,
                           const schemas::ResourceType& type,
                           std::string_view path);

// Resolves a key of a path-less value object (`userName`, `name.givenName`,
// `urn:...:enterprise:2.0:User:department`). nullopt when the key names no attribute of `type`;
// such keys are ignored, like unknown attributes in a POST body (RFC 7644 §3.3).
std::optional<Target> ResolveKey(const schemas::Registry& registry,
                                 const schemas::ResourceType& type,
                                 std::string_view key);

// The schema of `type` (core or extension) whose URN equals `text` case-insensitively, or
// nullptr. A path or a path-less key that is only a URN addresses every attribute of it.
const schemas::Schema* FindTypeSchema(const schemas::Registry& registry,
                                      const schemas::ResourceType& type,
                                      std::string_view text);

// The extension key that holds attributes of `schema` for `type`: "" for the core schema.
std::string ExtensionKey(const schemas::ResourceType& type, const schemas::Schema* schema);

}  // namespace scim::patch

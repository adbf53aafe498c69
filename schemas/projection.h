#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"

// Projection of resources on read: the `attributes` / `excludedAttributes` parameters of
// RFC 7644 §3.4.2.5 combined with the `returned` characteristic of RFC 7643 §7.
namespace schemas {

// A parsed and resolved attribute selection for one resource type. Cheap to copy; holds
// pointers into the Registry, which must outlive it.
class AttributeSelection {
public:
    // No parameters: every attribute with returned default or always.
    AttributeSelection() = default;

    // Parses the comma-separated query parameters (either may be nullopt or empty). Names are
    // case-insensitive and may be `attr`, `attr.sub`, URN-qualified (`urn:...:User:userName`) or a
    // bare extension URN (the whole extension). Names that resolve to no attribute are ignored:
    // RFC 7644 §3.4.2.5 gives no error for them and asking for nothing extra is harmless.
    static AttributeSelection Parse(const Registry& registry,
                                    const ResourceType& type,
                                    std::optional<std::string_view> attributes,
                                    std::optional<std::string_view> excluded_attributes);

    // The same from the arrays of a SearchRequest body (RFC 7644 §3.4.3).
    static AttributeSelection FromLists(const Registry& registry,
                                        const ResourceType& type,
                                        const std::vector<std::string>& attributes,
                                        const std::vector<std::string>& excluded_attributes);

    // Whether the top-level attribute `attribute` (any case, optionally URN-qualified) will
    // appear in a projected resource when it has a value. Lets the service skip reading
    // `members` / `groups` from the membership table when they would be dropped anyway.
    bool Returns(const Registry& registry,
                 const ResourceType& type,
                 std::string_view attribute) const;

    // One selected or excluded name, resolved. `sub` is null when the whole attribute is named.
    // `whole_extension` names every attribute of `extension_urn`.
    struct Entry {
        const Attribute* attribute = nullptr;
        const Attribute* sub = nullptr;
        std::string extension_urn;  // empty for core and common attributes
        bool whole_extension = false;
    };

    // True when `attributes` was given and named at least one known attribute.
    bool has_attributes() const { return !attributes_.empty(); }
    const std::vector<Entry>& attributes() const { return attributes_; }
    const std::vector<Entry>& excluded() const { return excluded_; }

private:
    std::vector<Entry> attributes_;
    std::vector<Entry> excluded_;
};

// Returns the representation of `resource` (a full document with `schemas`, `id`, `meta`, and
// derived `groups`/`members` when the caller filled them) that the client may see:
// - returned never (password) and non-schema keys (kSecretsKey) are always removed;
// - returned always (id, meta.resourceType) and `schemas` are always kept;
// - returned default attributes are kept unless `attributes` was given without them or
//   `excludedAttributes` names them;
// - returned request attributes are kept only when `attributes` names them.
// Naming a complex attribute selects all its sub-attributes that are not returned never. An
// extension object left empty is removed. Never throws. Thread-safe.
nlohmann::json Project(const Registry& registry,
                       const ResourceType& type,
                       const nlohmann::json& resource,
                       const AttributeSelection& selection);

}  // namespace schemas

#include "schemas/projection.h"

#include <algorithm>

#include "schemas/characteristics.h"
#include "scim/text.h"

namespace schemas {
namespace {

using nlohmann::json;
using Entry = AttributeSelection::Entry;

// A bare extension URN names the whole extension; anything else is an attribute path.
std::optional<Entry> ResolveEntry(const Registry& registry,
                                  const ResourceType& type,
                                  std::string_view name) {
    for (const SchemaExtension& extension : type.extensions) {
        if (EqualsIgnoreCase(extension.schema, name)) {
            return Entry{nullptr, nullptr, extension.schema, true};
        }
    }
    const std::optional<ResolvedPath> path = registry.Resolve(type, name);
    if (!path) {
        return std::nullopt;
    }
    return Entry{path->attribute, path->sub, path->is_extension ? path->schema->id : "", false};
}

void AddNames(const Registry& registry,
              const ResourceType& type,
              std::string_view names,
              std::vector<Entry>& out) {
    while (!names.empty()) {
        const size_t comma = names.find(',');
        const std::string_view name = scim::TrimBlanks(names.substr(0, comma));
        if (auto entry = ResolveEntry(registry, type, name)) {
            out.push_back(*entry);
        }
        names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
    }
}

bool NamesExtension(const Entry& entry, const std::string& extension_urn) {
    return entry.whole_extension && !extension_urn.empty() && entry.extension_urn == extension_urn;
}

// Whether an `attributes` entry asks for `attribute` (sub null) or its sub-attribute `sub`.
// Asking for `emails.value` asks for `emails` too; asking for `name` asks for all of name.
bool Includes(const std::vector<Entry>& entries,
              const Attribute& attribute,
              const Attribute* sub,
              const std::string& extension_urn) {
    return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
        return NamesExtension(e, extension_urn) ||
               (e.attribute == &attribute && (sub == nullptr || e.sub == nullptr || e.sub == sub));
    });
}

// Whether an `excludedAttributes` entry removes `attribute` (sub null) or `sub`. Excluding
// `name.givenName` removes only that sub-attribute, not `name`.
bool Excludes(const std::vector<Entry>& entries,
              const Attribute& attribute,
              const Attribute* sub,
              const std::string& extension_urn) {
    return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
        return NamesExtension(e, extension_urn) ||
               (e.attribute == &attribute && (e.sub == nullptr || e.sub == sub));
    });
}

// The `returned` rule of RFC 7643 §7 combined with the two parameters of RFC 7644 §3.4.2.5.
bool Visible(Returned returned, bool has_attributes, bool included, bool excluded) {
    switch (returned) {
        case Returned::kNever:
            return false;
        case Returned::kAlways:
            return true;
        case Returned::kRequest:
            return has_attributes && included && !excluded;
        case Returned::kDefault:
            break;
    }
    return (has_attributes ? included : true) && !excluded;
}

bool HasAlwaysSub(const Attribute& attribute) {
    return std::any_of(attribute.sub_attributes.begin(), attribute.sub_attributes.end(),
                       [](const Attribute& s) { return s.returned == Returned::kAlways; });
}

class Projector {
public:
    explicit Projector(const AttributeSelection& selection) : selection_(selection) {}

    // Whether `attribute` appears at all: selected, or holding a sub-attribute that is
    // returned always. NOTE(#3): meta.resourceType is marked returned always in our data (RFC
    // 7643 §3.1 leaves it open), so `meta` with just resourceType survives any selection.
    bool TopVisible(const Attribute& attribute, const std::string& extension_urn) const {
        if (attribute.returned == Returned::kNever) {
            return false;
        }
        const bool included = Includes(selection_.attributes(), attribute, nullptr, extension_urn);
        const bool excluded = Excludes(selection_.excluded(), attribute, nullptr, extension_urn);
        return Visible(attribute.returned, selection_.has_attributes(), included, excluded) ||
               HasAlwaysSub(attribute);
    }

    std::optional<json> Value(const Attribute& attribute,
                              const json& value,
                              const std::string& extension_urn) const {
        if (!TopVisible(attribute, extension_urn)) {
            return std::nullopt;
        }
        if (attribute.type != AttrType::kComplex) {
            return value;
        }
        if (value.is_object()) {
            json out = SubAttributes(attribute, value, extension_urn);
            return out.empty() ? std::nullopt : std::optional<json>(std::move(out));
        }
        if (!value.is_array()) {
            return value;
        }
        json out = json::array();
        for (const json& item : value) {
            if (!item.is_object()) {
                out.push_back(item);
                continue;
            }
            json projected = SubAttributes(attribute, item, extension_urn);
            if (!projected.empty()) {
                out.push_back(std::move(projected));
            }
        }
        return out.empty() ? std::nullopt : std::optional<json>(std::move(out));
    }

    // The top-level attributes of `object` (the resource, or one extension object).
    json Object(const json& object,
                const Schema& schema,
                const std::vector<Attribute>* common,
                const std::string& extension_urn) const {
        json out = json::object();
        for (const auto& [key, value] : object.items()) {
            const Attribute* attribute = schema.Find(key);
            if (attribute == nullptr && common != nullptr) {
                attribute = FindCommon(*common, key);
            }
            if (attribute == nullptr) {
                continue;  // not a schema attribute (e.g. kSecretsKey): never returned
            }
            if (auto projected = Value(*attribute, value, extension_urn)) {
                out[attribute->name] = std::move(*projected);
            }
        }
        return out;
    }

private:
    static const Attribute* FindCommon(const std::vector<Attribute>& common,
                                       std::string_view name) {
        for (const Attribute& a : common) {
            if (EqualsIgnoreCase(a.name, name)) {
                return &a;
            }
        }
        return nullptr;
    }

    json SubAttributes(const Attribute& attribute,
                       const json& value,
                       const std::string& extension_urn) const {
        json out = json::object();
        for (const auto& [key, sub_value] : value.items()) {
            const Attribute* sub = attribute.FindSub(key);
            if (sub == nullptr) {
                continue;
            }
            const bool included = Includes(selection_.attributes(), attribute, sub, extension_urn);
            const bool excluded = Excludes(selection_.excluded(), attribute, sub, extension_urn);
            if (Visible(sub->returned, selection_.has_attributes(), included, excluded)) {
                out[sub->name] = sub_value;
            }
        }
        return out;
    }

    const AttributeSelection& selection_;
};

const SchemaExtension* FindExtension(const ResourceType& type, std::string_view key) {
    for (const SchemaExtension& extension : type.extensions) {
        if (EqualsIgnoreCase(extension.schema, key)) {
            return &extension;
        }
    }
    return nullptr;
}

}  // namespace

AttributeSelection AttributeSelection::Parse(const Registry& registry,
                                             const ResourceType& type,
                                             std::optional<std::string_view> attributes,
                                             std::optional<std::string_view> excluded_attributes) {
    AttributeSelection selection;
    AddNames(registry, type, attributes.value_or(""), selection.attributes_);
    AddNames(registry, type, excluded_attributes.value_or(""), selection.excluded_);
    return selection;
}

AttributeSelection AttributeSelection::FromLists(
    const Registry& registry,
    const ResourceType& type,
    const std::vector<std::string>& attributes,
    const std::vector<std::string>& excluded_attributes) {
    AttributeSelection selection;
    for (const std::string& name : attributes) {
        AddNames(registry, type, name, selection.attributes_);
    }
    for (const std::string& name : excluded_attributes) {
        AddNames(registry, type, name, selection.excluded_);
    }
    return selection;
}

bool AttributeSelection::Returns(const Registry& registry,
                                 const ResourceType& type,
                                 std::string_view attribute) const {
    const std::optional<ResolvedPath> path = registry.Resolve(type, attribute);
    if (!path) {
        return false;
    }
    return Projector(*this).TopVisible(*path->attribute,
                                       path->is_extension ? path->schema->id : "");
}

json Project(const Registry& registry,
             const ResourceType& type,
             const json& resource,
             const AttributeSelection& selection) {
    const Schema* core = registry.CoreSchema(type);
    if (!resource.is_object() || core == nullptr) {
        return json::object();
    }
    const Projector projector(selection);
    json out = projector.Object(resource, *core, &registry.common_attributes(), "");
    for (const auto& [key, value] : resource.items()) {
        if (EqualsIgnoreCase(key, "schemas")) {
            out["schemas"] = value;  // always returned (RFC 7643 §3)
            continue;
        }
        const SchemaExtension* extension = FindExtension(type, key);
        const Schema* schema = extension ? registry.FindSchema(extension->schema) : nullptr;
        if (schema == nullptr || !value.is_object()) {
            continue;
        }
        json projected = projector.Object(value, *schema, nullptr, extension->schema);
        if (!projected.empty()) {
            out[extension->schema] = std::move(projected);
        }
    }
    return out;
}

}  // namespace schemas

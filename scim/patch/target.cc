#include "scim/patch/target.h"

#include <utility>

#include "scim/filter/bind.h"
#include "scim/filter/parser.h"
#include "scim/patch/document.h"

namespace scim::patch {

const schemas::Schema* FindTypeSchema(const schemas::Registry& registry,
                                      const schemas::ResourceType& type,
                                      std::string_view text) {
    if (NameEquals(text, type.schema)) {
        return registry.FindSchema(type.schema);
    }
    for (const auto& extension : type.extensions) {
        if (NameEquals(text, extension.schema)) {
            return registry.FindSchema(extension.schema);
        }
    }
    return nullptr;
}

std::string ExtensionKey(const schemas::ResourceType& type, const schemas::Schema* schema) {
    if (schema == nullptr || NameEquals(schema->id, type.schema)) {
        return "";
    }
    return schema->id;
}

Result<Target> ResolvePath(const schemas::Registry& registry,
                           const schemas::ResourceType& type,
                           std::string_view path) {
    auto parsed = filter::ParsePatchPath(path);
    if (!parsed.ok()) {
        return parsed.error();
    }
    if (auto bound = filter::BindPatchPath(*parsed, registry, type); !bound.ok()) {
        return bound.error();
    }
    Target target;
    target.attribute = parsed->path.attribute;
    target.sub = parsed->path.sub_attribute;
    if (parsed->path.is_extension) {
        target.extension_urn = ExtensionKey(type, parsed->path.schema);
    }
    target.value_filter = std::move(parsed->value_filter);
    if (target.value_filter != nullptr && !target.attribute->multi_valued) {
        return Error::Scim(ScimType::kInvalidPath,
                           "a value filter needs a multi-valued attribute, and " +
                               target.attribute->name + " is single-valued");
    }
    return target;
}

std::optional<Target> ResolveKey(const schemas::Registry& registry,
                                 const schemas::ResourceType& type,
                                 std::string_view key) {
    auto resolved = registry.Resolve(type, key);
    if (!resolved.has_value()) {
        return std::nullopt;
    }
    Target target;
    target.attribute = resolved->attribute;
    target.sub = resolved->sub;
    if (resolved->is_extension) {
        target.extension_urn = ExtensionKey(type, resolved->schema);
    }
    return target;
}

}  // namespace scim::patch

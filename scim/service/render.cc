#include "scim/service/render.h"

#include <optional>

#include "scim/casefold.h"

namespace scim::service {

bool HasCoreAttribute(const schemas::Registry& registry,
                      const schemas::ResourceType& type,
                      std::string_view name) {
    const schemas::Schema* core = registry.CoreSchema(type);
    return core != nullptr && core->Find(name) != nullptr;
}

Renderer::Renderer(const schemas::Registry& registry, ResourceStore& store, const Config& config)
    : registry_(registry), store_(store), config_(config) {}

std::string Renderer::Location(const schemas::ResourceType& type, std::string_view id) const {
    return config_.base_url + type.endpoint + "/" + std::string(id);
}

nlohmann::json Renderer::Meta(const schemas::ResourceType& type,
                              const StoredResource& resource) const {
    return {{"resourceType", type.name},
            {"created", resource.created},
            {"lastModified", resource.last_modified},
            {"location", Location(type, resource.id)},
            {"version", EtagFor(resource.version)}};
}

nlohmann::json Renderer::MemberValue(const MemberRef& ref, std::string_view kind) const {
    // $ref points at the member's own endpoint; an unknown type (should not happen) gets none.
    nlohmann::json value = {{"value", ref.id}, {"type", kind}};
    if (const auto* type = registry_.FindResourceType(ref.type)) {
        value["$ref"] = Location(*type, ref.id);
    }
    if (!ref.display.empty()) {
        value["display"] = ref.display;
    }
    return value;
}

bool Renderer::Returns(const schemas::ResourceType& type,
                       const schemas::AttributeSelection& selection,
                       std::string_view name) const {
    return HasCoreAttribute(registry_, type, name) && selection.Returns(registry_, type, name);
}

bool Renderer::ReturnsGroups(const schemas::ResourceType& type,
                             const schemas::AttributeSelection& selection) const {
    return Returns(type, selection, kGroupsAttribute);
}

Result<nlohmann::json> Renderer::Compose(const schemas::ResourceType& type,
                                         const StoredResource& resource,
                                         const schemas::AttributeSelection& selection,
                                         const std::vector<MemberRef>* members,
                                         const std::vector<MemberRef>* groups) const {
    nlohmann::json doc = resource.doc;
    doc["id"] = resource.id;
    doc["meta"] = Meta(type, resource);
    if (members != nullptr && !members->empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const MemberRef& ref : *members) {
            list.push_back(MemberValue(ref, ref.type));
        }
        doc[kMembersAttribute] = std::move(list);
    }
    if (groups != nullptr && !groups->empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (MemberRef ref : *groups) {
            ref.type = schemas::kGroupResource;
            // Only direct memberships are stored; RFC 7643 §4.1.2 calls those "direct".
            list.push_back(MemberValue(ref, "direct"));
        }
        doc[kGroupsAttribute] = std::move(list);
    }
    return schemas::Project(registry_, type, doc, selection);
}

Result<nlohmann::json> Renderer::Render(std::string_view org_id,
                                        const schemas::ResourceType& type,
                                        const StoredResource& resource,
                                        const schemas::AttributeSelection& selection) const {
    return RenderWith(org_id, type, resource, selection, nullptr);
}

Result<nlohmann::json> Renderer::RenderWith(std::string_view org_id,
                                            const schemas::ResourceType& type,
                                            const StoredResource& resource,
                                            const schemas::AttributeSelection& selection,
                                            const std::vector<MemberRef>* known_groups) const {
    std::optional<std::vector<MemberRef>> members;
    std::optional<std::vector<MemberRef>> groups;
    if (Returns(type, selection, kMembersAttribute)) {
        auto read = store_.Members(org_id, resource.id);
        if (!read.ok()) {
            return read.error();
        }
        members = std::move(*read);
    }
    if (Returns(type, selection, kGroupsAttribute)) {
        if (known_groups != nullptr) {
            groups = *known_groups;
        } else if (auto read = store_.GroupsOf(org_id, resource.id); read.ok()) {
            groups = std::move(*read);
        } else {
            return read.error();
        }
    }
    return Compose(type, resource, selection, members ? &*members : nullptr,
                   groups ? &*groups : nullptr);
}

Result<nlohmann::json> Renderer::RenderMany(std::string_view org_id,
                                            const schemas::ResourceType& type,
                                            const std::vector<StoredResource>& rows,
                                            const schemas::AttributeSelection& selection) const {
    nlohmann::json out = nlohmann::json::array();
    if (rows.empty()) {
        return out;
    }
    std::vector<std::string> ids;
    ids.reserve(rows.size());
    for (const StoredResource& row : rows) {
        ids.push_back(row.id);
    }
    std::optional<MembershipMap> members;
    std::optional<MembershipMap> groups;
    if (Returns(type, selection, kMembersAttribute)) {
        auto read = store_.MembersOfMany(org_id, ids);
        if (!read.ok()) {
            return read.error();
        }
        members = std::move(*read);
    }
    if (Returns(type, selection, kGroupsAttribute)) {
        auto read = store_.GroupsOfMany(org_id, ids);
        if (!read.ok()) {
            return read.error();
        }
        groups = std::move(*read);
    }
    // A store that leaves an id out of the map has no membership rows for it.
    const std::vector<MemberRef> none;
    auto lookup = [&none](const std::optional<MembershipMap>& map, const std::string& id) {
        if (!map) {
            return static_cast<const std::vector<MemberRef>*>(nullptr);
        }
        auto it = map->find(id);
        return it == map->end() ? &none : &it->second;
    };
    for (const StoredResource& row : rows) {
        auto rendered =
            Compose(type, row, selection, lookup(members, row.id), lookup(groups, row.id));
        if (!rendered.ok()) {
            return rendered.error();
        }
        out.push_back(std::move(*rendered));
    }
    return out;
}

Result<Response> Renderer::Single(std::string_view org_id,
                                  const schemas::ResourceType& type,
                                  const StoredResource& resource,
                                  const schemas::AttributeSelection& selection,
                                  int status,
                                  const std::vector<MemberRef>* known_groups) const {
    auto body = RenderWith(org_id, type, resource, selection, known_groups);
    if (!body.ok()) {
        return body.error();
    }
    return Response{status, std::move(*body), Location(type, resource.id),
                    EtagFor(resource.version)};
}

Result<Response> Renderer::SingleCreated(std::string_view org_id,
                                         const schemas::ResourceType& type,
                                         const StoredResource& resource,
                                         const schemas::AttributeSelection& selection) const {
    // A new user is in no group yet.
    const std::vector<MemberRef> none;
    auto body = RenderWith(org_id, type, resource, selection, &none);
    if (!body.ok()) {
        return body.error();
    }
    return Response{201, std::move(*body), Location(type, resource.id), EtagFor(resource.version)};
}

}  // namespace scim::service

#include "scim/service/render.h"

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

Result<nlohmann::json> Renderer::Render(std::string_view org_id,
                                        const schemas::ResourceType& type,
                                        const StoredResource& resource,
                                        const schemas::AttributeSelection& selection) const {
    nlohmann::json doc = resource.doc;
    doc["id"] = resource.id;
    doc["meta"] = Meta(type, resource);

    // TODO(#6): a list page of groups reads members one group at a time; a store call taking
    // several group ids would make it one query per page.
    if (HasCoreAttribute(registry_, type, kMembersAttribute) &&
        selection.Returns(registry_, type, kMembersAttribute)) {
        auto members = store_.Members(org_id, resource.id);
        if (!members.ok()) {
            return members.error();
        }
        nlohmann::json list = nlohmann::json::array();
        for (const MemberRef& ref : *members) {
            list.push_back(MemberValue(ref, ref.type));
        }
        if (!list.empty()) {
            doc[kMembersAttribute] = std::move(list);
        }
    }
    if (HasCoreAttribute(registry_, type, kGroupsAttribute) &&
        selection.Returns(registry_, type, kGroupsAttribute)) {
        auto groups = store_.GroupsOf(org_id, resource.id);
        if (!groups.ok()) {
            return groups.error();
        }
        nlohmann::json list = nlohmann::json::array();
        for (MemberRef ref : *groups) {
            ref.type = schemas::kGroupResource;
            // Only direct memberships are stored; RFC 7643 §4.1.2 calls those "direct".
            list.push_back(MemberValue(ref, "direct"));
        }
        if (!list.empty()) {
            doc[kGroupsAttribute] = std::move(list);
        }
    }
    return schemas::Project(registry_, type, doc, selection);
}

Result<Response> Renderer::Single(std::string_view org_id,
                                  const schemas::ResourceType& type,
                                  const StoredResource& resource,
                                  const schemas::AttributeSelection& selection,
                                  int status) const {
    auto body = Render(org_id, type, resource, selection);
    if (!body.ok()) {
        return body.error();
    }
    return Response{status, std::move(*body), Location(type, resource.id),
                    EtagFor(resource.version)};
}

}  // namespace scim::service

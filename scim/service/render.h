#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schemas/projection.h"
#include "schemas/schema.h"
#include "scim/result.h"
#include "scim/service/etag.h"
#include "scim/service/resource_service.h"
#include "scim/store.h"

// Turning stored resources into what clients see (RFC 7644 §3.4.1, RFC 7643 §3.1).
namespace scim::service {

class Renderer {
public:
    // Keeps references; all three must outlive the Renderer.
    Renderer(const schemas::Registry& registry, ResourceStore& store, const Config& config);

    // base_url + endpoint + "/" + id.
    std::string Location(const schemas::ResourceType& type, std::string_view id) const;

    // The stored document plus `meta`, plus the derived `groups` (users) or `members` (groups)
    // read from the store, then projected through `selection`. Membership is read only when the
    // selection returns it, so excludedAttributes=members never touches the membership table.
    // Errors are the store's.
    Result<nlohmann::json> Render(std::string_view org_id,
                                  const schemas::ResourceType& type,
                                  const StoredResource& resource,
                                  const schemas::AttributeSelection& selection) const;

    // Render for every row of a list page, as a JSON array in row order. Membership is read with
    // one MembersOfMany / GroupsOfMany call for the whole page, and only when the selection
    // returns it.
    Result<nlohmann::json> RenderMany(std::string_view org_id,
                                      const schemas::ResourceType& type,
                                      const std::vector<StoredResource>& rows,
                                      const schemas::AttributeSelection& selection) const;

    // A single-resource response: the rendered body, Location and ETag. `known_groups`, when
    // set, are the resource's groups already read (GetWithGroups) and are not read again.
    Result<Response> Single(std::string_view org_id,
                            const schemas::ResourceType& type,
                            const StoredResource& resource,
                            const schemas::AttributeSelection& selection,
                            int status,
                            const std::vector<MemberRef>* known_groups = nullptr) const;

    // True when `selection` returns the derived `groups` of `type`, i.e. rendering reads them.
    bool ReturnsGroups(const schemas::ResourceType& type,
                       const schemas::AttributeSelection& selection) const;

    // Single for a resource this request has just created. Its id did not exist before, so no
    // group can hold it yet: a new user's `groups` is known to be empty and is not read from the
    // store (a new group's `members` still is, for the members' display names).
    Result<Response> SingleCreated(std::string_view org_id,
                                   const schemas::ResourceType& type,
                                   const StoredResource& resource,
                                   const schemas::AttributeSelection& selection) const;

private:
    // Render, reading `groups` from the store only when `known_groups` is nullptr.
    Result<nlohmann::json> RenderWith(std::string_view org_id,
                                      const schemas::ResourceType& type,
                                      const StoredResource& resource,
                                      const schemas::AttributeSelection& selection,
                                      const std::vector<MemberRef>* known_groups) const;
    nlohmann::json Meta(const schemas::ResourceType& type, const StoredResource& resource) const;
    nlohmann::json MemberValue(const MemberRef& ref, std::string_view kind) const;
    // True when `type` has the derived attribute `name` and `selection` returns it.
    bool Returns(const schemas::ResourceType& type,
                 const schemas::AttributeSelection& selection,
                 std::string_view name) const;
    // The document of `resource` with meta and the memberships given (nullptr: not returned),
    // projected through `selection`.
    Result<nlohmann::json> Compose(const schemas::ResourceType& type,
                                   const StoredResource& resource,
                                   const schemas::AttributeSelection& selection,
                                   const std::vector<MemberRef>* members,
                                   const std::vector<MemberRef>* groups) const;

    const schemas::Registry& registry_;
    ResourceStore& store_;
    const Config& config_;
};

// True when the core schema of `type` defines the top-level attribute `name` (e.g. "members").
bool HasCoreAttribute(const schemas::Registry& registry,
                      const schemas::ResourceType& type,
                      std::string_view name);

inline constexpr std::string_view kMembersAttribute = "members";
inline constexpr std::string_view kGroupsAttribute = "groups";

}  // namespace scim::service

#include "scim/http/audit_counting_store.h"

namespace scim::http {

Result<StoredResource> AuditCountingStore::Create(const RequestContext& ctx,
                                                  std::string_view type,
                                                  const StoredResource& resource,
                                                  const MemberChanges& members,
                                                  const AuditEvent& event) {
    return Counted(inner_.Create(ctx, type, resource, members, event));
}

Result<StoredResource> AuditCountingStore::Get(std::string_view org_id,
                                               std::string_view type,
                                               std::string_view id) {
    return inner_.Get(org_id, type, id);
}

Result<StoredResource> AuditCountingStore::Update(const RequestContext& ctx,
                                                  std::string_view type,
                                                  const StoredResource& resource,
                                                  std::int64_t expected_version,
                                                  const MemberChanges& members,
                                                  const AuditEvent& event) {
    return Counted(inner_.Update(ctx, type, resource, expected_version, members, event));
}

Result<StoredResource> AuditCountingStore::UpdateMembers(
    const RequestContext& ctx,
    std::string_view group_id,
    std::string_view last_modified,
    std::optional<std::int64_t> expected_version,
    const MemberChanges& members,
    const AuditEvent& event) {
    return Counted(
        inner_.UpdateMembers(ctx, group_id, last_modified, expected_version, members, event));
}

Status AuditCountingStore::Delete(const RequestContext& ctx,
                                  std::string_view type,
                                  std::string_view id,
                                  std::optional<std::int64_t> expected_version,
                                  const AuditEvent& event) {
    return Counted(inner_.Delete(ctx, type, id, expected_version, event));
}

Result<ListPage> AuditCountingStore::List(std::string_view org_id,
                                          const schemas::ResourceType& type,
                                          const ListQuery& query) {
    return inner_.List(org_id, type, query);
}

Result<std::vector<MemberRef>> AuditCountingStore::Members(std::string_view org_id,
                                                           std::string_view group_id) {
    return inner_.Members(org_id, group_id);
}

Result<std::vector<MemberRef>> AuditCountingStore::GroupsOf(std::string_view org_id,
                                                            std::string_view member_id) {
    return inner_.GroupsOf(org_id, member_id);
}

Result<MembershipMap> AuditCountingStore::MembersOfMany(std::string_view org_id,
                                                        const std::vector<std::string>& group_ids) {
    return inner_.MembersOfMany(org_id, group_ids);
}

Result<MembershipMap> AuditCountingStore::GroupsOfMany(std::string_view org_id,
                                                       const std::vector<std::string>& member_ids) {
    return inner_.GroupsOfMany(org_id, member_ids);
}

bool AuditCountingStore::Ping() {
    return inner_.Ping();
}

}  // namespace scim::http

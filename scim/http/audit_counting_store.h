#pragma once

#include "scim/http/metrics.h"
#include "scim/store.h"

// Counts audit events for /metrics where they are known to be committed: every successful
// Create, Update or Delete of a ResourceStore writes exactly one audit event in the same
// transaction as the change (scim/store.h), so a successful call is one committed event and a
// failed or rolled-back one is none.
namespace scim::http {

class AuditCountingStore final : public ResourceStore {
public:
    // `inner` and `metrics` must outlive this object. Thread-safe when `inner` is.
    AuditCountingStore(ResourceStore& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}

    Result<StoredResource> Create(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override;
    Result<StoredResource> Get(std::string_view org_id,
                               std::string_view type,
                               std::string_view id) override;
    Result<ResourceWithGroups> GetWithGroups(std::string_view org_id,
                                             std::string_view type,
                                             std::string_view id) override {
        return inner_.GetWithGroups(org_id, type, id);
    }
    Result<StoredResource> Update(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  std::int64_t expected_version,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override;
    Result<StoredResource> UpdateMembers(const RequestContext& ctx,
                                         std::string_view group_id,
                                         std::string_view last_modified,
                                         std::optional<std::int64_t> expected_version,
                                         const MemberChanges& members,
                                         const AuditEvent& event) override;
    Status Delete(const RequestContext& ctx,
                  std::string_view type,
                  std::string_view id,
                  std::optional<std::int64_t> expected_version,
                  const AuditEvent& event) override;
    Result<ListPage> List(std::string_view org_id,
                          const schemas::ResourceType& type,
                          const ListQuery& query) override;
    Result<std::vector<MemberRef>> Members(std::string_view org_id,
                                           std::string_view group_id) override;
    Result<std::vector<MemberRef>> GroupsOf(std::string_view org_id,
                                            std::string_view member_id) override;
    Result<MembershipMap> MembersOfMany(std::string_view org_id,
                                        const std::vector<std::string>& group_ids) override;
    Result<MembershipMap> GroupsOfMany(std::string_view org_id,
                                       const std::vector<std::string>& member_ids) override;
    bool Ping() override;

private:
    template <typename R>
    R Counted(R result) {
        if (result.ok()) {
            metrics_.CountAuditEvent();
        }
        return result;
    }

    ResourceStore& inner_;
    Metrics& metrics_;
};

}  // namespace scim::http

#pragma once

#include <memory>

#include "db/database.h"
#include "scim/store.h"

namespace db {

// scim::ResourceStore on the users, groups, group_members and audit_events tables of either
// dialect. Promoted columns (user_name, user_name_key = scim::FoldCase(userName), external_id,
// display_name, active; for groups display_name and display_name_key) are filled from the
// document on every write; `doc` keeps the whole resource as JSON without meta, members and
// groups. Each write is one transaction that also appends the AuditEvent (AppendAuditEvent in
// db/audit_store.h). Membership lives in group_members only. Thread-safe: every call leases its own
// session.
//
// Supported resource types are "User" and "Group"; any other type gives 500.
class SqlResourceStore : public scim::ResourceStore {
public:
    explicit SqlResourceStore(std::shared_ptr<Database> database);

    scim::Result<scim::StoredResource> Create(const scim::RequestContext& ctx,
                                              std::string_view type,
                                              const scim::StoredResource& resource,
                                              const scim::MemberChanges& members,
                                              const scim::AuditEvent& event) override;

    scim::Result<scim::StoredResource> Get(std::string_view org_id,
                                           std::string_view type,
                                           std::string_view id) override;

    // One statement: the row with its groups aggregated as JSON in a correlated subquery.
    scim::Result<scim::ResourceWithGroups> GetWithGroups(std::string_view org_id,
                                                         std::string_view type,
                                                         std::string_view id) override;

    scim::Result<scim::StoredResource> Update(const scim::RequestContext& ctx,
                                              std::string_view type,
                                              const scim::StoredResource& resource,
                                              std::int64_t expected_version,
                                              const scim::MemberChanges& members,
                                              const scim::AuditEvent& event) override;

    scim::Status Delete(const scim::RequestContext& ctx,
                        std::string_view type,
                        std::string_view id,
                        std::optional<std::int64_t> expected_version,
                        const scim::AuditEvent& event) override;

    // Filter and sort go through db/sql_filter.h. With `after` set, rows strictly after the
    // keyset (sort value, id) in the query's order are returned and start_index is ignored.
    scim::Result<scim::ListPage> List(std::string_view org_id,
                                      const schemas::ResourceType& type,
                                      const scim::ListQuery& query) override;

    // Members ordered by id; a user's display is its userName, a group's its displayName.
    scim::Result<std::vector<scim::MemberRef>> Members(std::string_view org_id,
                                                       std::string_view group_id) override;

    // Groups ordered by id, with type "Group" and the group's displayName.
    scim::Result<std::vector<scim::MemberRef>> GroupsOf(std::string_view org_id,
                                                        std::string_view member_id) override;

    // Members for several groups in one statement per 1000 ids (an IN list of bound values),
    // each list ordered like Members.
    scim::Result<scim::MembershipMap> MembersOfMany(
        std::string_view org_id, const std::vector<std::string>& group_ids) override;

    // GroupsOf for several members in one statement per 1000 ids, each list ordered like GroupsOf.
    scim::Result<scim::MembershipMap> GroupsOfMany(
        std::string_view org_id, const std::vector<std::string>& member_ids) override;

    // One transaction: `version = version + 1` on the group row (compared with the stored
    // version only when `expected_version` is set), the membership rows, the audit event. No
    // document is read or written; the result's doc is null.
    scim::Result<scim::StoredResource> UpdateMembers(const scim::RequestContext& ctx,
                                                     std::string_view group_id,
                                                     std::string_view last_modified,
                                                     std::optional<std::int64_t> expected_version,
                                                     const scim::MemberChanges& members,
                                                     const scim::AuditEvent& event) override;

    bool Ping() override;

private:
    std::shared_ptr<Database> database_;
};

}  // namespace db

#include "db/membership_sql.h"

namespace db {

namespace {

bool Pg(Dialect dialect) {
    return dialect == Dialect::kPostgres;
}

}  // namespace

std::string MembershipsByMember(Dialect dialect) {
    return Pg(dialect) ? "group_members m" : "group_members m INDEXED BY group_members_member";
}

std::string GroupsOfSql(Dialect dialect) {
    return "SELECT g.id, g.display_name FROM " + MembershipsByMember(dialect) +
           " JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id"
           " WHERE m.org_id = :o AND m.member_id = :m ORDER BY g.id";
}

std::string GroupsOfManySql(Dialect dialect, std::size_t count) {
    std::string ids;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string bind = ":i" + std::to_string(i);
        ids += (i == 0 ? "" : ", ") + (Pg(dialect) ? "(" + bind + ")" : bind);
    }
    // The type column is the literal of GroupsOf; selected so both reads share one shape.
    const std::string columns = "SELECT m.member_id, g.id, CAST('Group' AS TEXT), g.display_name";
    const std::string groups = " JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id";
    const std::string order = " ORDER BY m.member_id, g.id";
    if (!Pg(dialect)) {
        return columns + " FROM " + MembershipsByMember(dialect) + groups +
               " WHERE m.org_id = :org AND m.member_id IN (" + ids + ")" + order;
    }
    // One probe of (org_id, member_id) per wanted id. With an IN list instead, a group_members
    // that has no statistics yet (loaded since autovacuum last ran ANALYZE) looks tiny to the
    // planner, which then reads every membership of the org's groups and filters them by the
    // list: 96 ms for a page of 100 users among 110k memberships, against 0.3 ms probing. OFFSET 0
    // keeps the planner from flattening the probe back into that plan.
    return columns + " FROM (VALUES " + ids +
           ") AS wanted(id) CROSS JOIN LATERAL (SELECT m.org_id, m.group_id, m.member_id"
           " FROM group_members m WHERE m.org_id = :org AND m.member_id = wanted.id OFFSET 0) AS "
           "m" +
           groups + order;
}

std::string UserWithGroupsSql(Dialect dialect) {
    const std::string pairs =
        Pg(dialect)
            ? "CAST(COALESCE(json_agg(json_build_array(g.id, g.display_name)), '[]') AS TEXT)"
            : "json_group_array(json_array(g.id, g.display_name))";
    return "SELECT u.version, u.created, u.last_modified, " +
           std::string(Pg(dialect) ? "CAST(u.doc AS TEXT)" : "u.doc") + ", (SELECT " + pairs +
           " FROM " + MembershipsByMember(dialect) +
           " JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id"
           " WHERE m.org_id = u.org_id AND m.member_id = u.id)"
           " FROM users u WHERE u.org_id = :o AND u.id = :i";
}

}  // namespace db

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

std::string GroupsOfManyHead(Dialect dialect) {
    // The type column is the literal of GroupsOf; selected so both reads share one shape.
    return "SELECT m.member_id, g.id, CAST('Group' AS TEXT), g.display_name FROM " +
           MembershipsByMember(dialect) +
           " JOIN groups g ON g.org_id = m.org_id AND g.id = m.group_id"
           " WHERE m.org_id = :org AND m.member_id IN ";
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

#pragma once

#include <cstddef>
#include <string>

#include "db/dialect.h"

// The statements that read which groups list a member, shared by SqlResourceStore and the plan
// tests so both see the same text.
namespace db {

// group_members as the source of a by-member read. On SQLite it names the (org_id, member_id)
// index: without statistics on group_members (the usual case, nothing runs ANALYZE after the
// memberships exist) SQLite prefers the covering primary key on org_id alone for a single-id
// lookup and so walks every membership row of the org.
std::string MembershipsByMember(Dialect dialect);

// Binds :o and :m; rows (group id, group displayName) ordered by group id.
std::string GroupsOfSql(Dialect dialect);

// The batched read for `count` (> 0) member ids bound as :i0 .. :i<count - 1> (no id twice), with
// the org bound as :org; rows (member id, group id, 'Group', group displayName) ordered by member
// id, then group id.
std::string GroupsOfManySql(Dialect dialect, std::size_t count);

// A user row with, as its last column, the groups listing it as a JSON array of
// [id, displayName] pairs ("[]" for none), so GET by id is one round trip instead of two.
// Binds :o and :i; columns version, created, last_modified, doc, groups. The pairs are in no
// particular order (SQLite 3.40 has no ORDER BY inside an aggregate).
std::string UserWithGroupsSql(Dialect dialect);

}  // namespace db

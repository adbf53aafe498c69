#include "db/resource_store.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "db/audit_store.h"
#include "db/cached_query.h"
#include "db/membership_sql.h"
#include "db/page_sql.h"
#include "db/sql_filter.h"
#include "db/timestamp.h"
#include "scim/casefold.h"
#include "scim/text.h"

namespace db {

namespace {

using scim::Error;
using scim::ScimType;
using Col = CachedQuery::Column;

// Reads by id and the member-only group write run as CachedQuery statements, prepared once per
// pooled session (db/cached_query.h); the rest are one-shot statements, since their SQL text
// varies with the filter, the page or the number of values.

struct Table {
    const char* name;  // "users" or "groups"
    bool is_user;
};

scim::Result<Table> TableFor(std::string_view type) {
    if (type == "User") {
        return Table{"users", true};
    }
    if (type == "Group") {
        return Table{"groups", false};
    }
    return Error::Internal("no table stores resource type " + std::string(type));
}

// Looks a top-level attribute up case-insensitively (RFC 7643 §2.1); nullptr when absent or null.
const nlohmann::json* Attr(const nlohmann::json& doc, std::string_view name) {
    if (!doc.is_object()) {
        return nullptr;
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (it.key().size() == name.size() && scim::FoldCase(it.key()) == scim::FoldCase(name) &&
            !it.value().is_null()) {
            return &it.value();
        }
    }
    return nullptr;
}

// A nullable text column from a string attribute: absent when the attribute is not a string.
std::optional<std::string> TextAttr(const nlohmann::json& doc, std::string_view name) {
    const nlohmann::json* value = Attr(doc, name);
    if (value == nullptr || !value->is_string()) {
        return std::nullopt;
    }
    return value->get<std::string>();
}

// The promoted columns of a row, taken from its document.
struct RowColumns {
    std::string name;      // userName or group displayName
    std::string name_key;  // its case fold
    std::optional<std::string> external_id;
    std::optional<std::string> display_name;  // users only
    std::optional<std::int64_t> active;       // users only: 1 or 0
    std::string doc;                          // serialized, without meta and derived attributes
};

constexpr std::size_t kMaxIndexedValueBytes = 1024;

scim::Result<RowColumns> ColumnsFrom(const Table& table, const nlohmann::json& doc) {
    RowColumns row;
    const char* name_attr = table.is_user ? "userName" : "displayName";
    const nlohmann::json* name = Attr(doc, name_attr);
    if (name == nullptr || !name->is_string()) {
        return Error::Scim(ScimType::kInvalidValue, std::string(name_attr) + " is required");
    }
    row.name = name->get<std::string>();
    row.name_key = scim::FoldCase(row.name);
    row.external_id = TextAttr(doc, "externalId");
    if (table.is_user) {
        row.display_name = TextAttr(doc, "displayName");
        if (const nlohmann::json* active = Attr(doc, "active"); active && active->is_boolean()) {
            row.active = active->get<bool>() ? 1 : 0;
        }
    }
    nlohmann::json stored = doc;
    stored.erase("meta");
    stored.erase(table.is_user ? "groups" : "members");
    row.doc = stored.dump();
    // The promoted columns are indexed, and a PostgreSQL btree entry holds at most ~2.7 KB; cap
    // them well below that on both backends so a long value is the same 400 everywhere.
    const std::pair<const char*, std::size_t> indexed[] = {
        {name_attr, row.name_key.size()},
        {"externalId", row.external_id ? row.external_id->size() : 0},
        {"displayName", row.display_name ? row.display_name->size() : 0}};
    for (const auto& [attribute, size] : indexed) {
        if (size > kMaxIndexedValueBytes) {
            return Error::Scim(ScimType::kInvalidValue,
                               std::string(attribute) + " is longer than " +
                                   std::to_string(kMaxIndexedValueBytes) + " bytes");
        }
    }
    return row;
}

std::string DocParam(Dialect dialect) {
    return dialect == Dialect::kPostgres ? "CAST(:doc AS jsonb)" : ":doc";
}

std::string DocColumn(Dialect dialect) {
    return dialect == Dialect::kPostgres ? "CAST(doc AS TEXT)" : "doc";
}

// Rewrites the generic uniqueness error of the db boundary into one naming the attribute.
Error Explain(Error error, const Table& table, const RowColumns& row, const std::string& id) {
    if (error.scim_type != ScimType::kUniqueness) {
        return error;
    }
    if (table.is_user && error.internal.find("user_name_key") != std::string::npos) {
        error.detail = "userName \"" + row.name + "\" is already taken";
    } else {
        error.detail = "a resource with id \"" + id + "\" already exists";
    }
    return error;
}

// Binds the promoted columns :n, :k, :e and, for users, :d and :a, the same for insert and update.
void BindColumns(CachedQuery& q, const Table& table, const RowColumns& row) {
    q.Text("n", row.name).Text("k", row.name_key).NullableText("e", row.external_id);
    if (table.is_user) {
        q.NullableText("d", row.display_name).NullableInt("a", row.active);
    }
}

void InsertRow(Database& database,
               soci::session& session,
               const Table& table,
               const std::string& org,
               const scim::StoredResource& resource,
               long long version,
               const RowColumns& row) {
    const std::string doc = DocParam(database.dialect());
    CachedQuery& q = database.Cached(
        session, table.is_user
                     ? "INSERT INTO users (org_id, id, version, user_name, user_name_key,"
                       " external_id, display_name, active, created, last_modified, doc) VALUES"
                       " (:o, :i, :v, :n, :k, :e, :d, :a, :c, :m, " +
                           doc + ")"
                     : "INSERT INTO groups (org_id, id, version, display_name, display_name_key,"
                       " external_id, created, last_modified, doc) VALUES (:o, :i, :v, :n, :k,"
                       " :e, :c, :m, " +
                           doc + ")");
    q.Text("o", org).Text("i", resource.id).Int("v", version);
    BindColumns(q, table, row);
    q.Text("c", resource.created).Text("m", resource.last_modified).Text("doc", row.doc);
    q.RunForRow({});
}

// UPDATE ... WHERE version = expected; returns the row's `created`, or nullopt when no row
// matched (gone, or another version).
std::optional<std::string> UpdateRow(Database& database,
                                     soci::session& session,
                                     const Table& table,
                                     const std::string& org,
                                     const scim::StoredResource& resource,
                                     long long expected,
                                     const RowColumns& row) {
    const std::string doc = DocParam(database.dialect());
    CachedQuery& q = database.Cached(
        session,
        table.is_user
            ? "UPDATE users SET version = :nv, user_name = :n, user_name_key = :k,"
              " external_id = :e, display_name = :d, active = :a, last_modified = :m,"
              " doc = " +
                  doc + " WHERE org_id = :o AND id = :i AND version = :ev RETURNING created"
            : "UPDATE groups SET version = :nv, display_name = :n, display_name_key = :k,"
              " external_id = :e, last_modified = :m, doc = " +
                  doc + " WHERE org_id = :o AND id = :i AND version = :ev RETURNING created");
    q.Int("nv", expected + 1);
    BindColumns(q, table, row);
    q.Text("m", resource.last_modified).Text("doc", row.doc);
    q.Text("o", org).Text("i", resource.id).Int("ev", expected);
    if (!q.RunForRow({Col::kText}) || q.IsNull(0)) {
        return std::nullopt;
    }
    return q.Text(0);
}

// The stored version of a row; nullopt when the row does not exist in the org.
std::optional<long long> CurrentVersion(soci::session& session,
                                        const Table& table,
                                        const std::string& org,
                                        const std::string& id) {
    long long version = 0;
    session << "SELECT version FROM " + std::string(table.name) + " WHERE org_id = :o AND id = :i",
        soci::use(org), soci::use(id), soci::into(version);
    if (!session.got_data()) {
        return std::nullopt;
    }
    return version;
}

// After a versioned write matched no row: 404 when the row is gone, else 412.
Error MissedWrite(soci::session& session,
                  const Table& table,
                  const std::string& org,
                  const std::string& id) {
    if (!CurrentVersion(session, table, org, id)) {
        return Error::NotFound("resource " + scim::Shortened(id) + " not found");
    }
    return Error::PreconditionFailed("resource " + scim::Shortened(id) +
                                     " was modified by another request");
}

// "User" or "Group" when `id` names a resource of the org; nullopt otherwise.
std::optional<std::string> ResourceTypeOf(soci::session& session,
                                          const std::string& org,
                                          const std::string& id) {
    std::string type;
    session << "SELECT 'User' FROM users WHERE org_id = :o1 AND id = :i1 UNION ALL"
               " SELECT 'Group' FROM groups WHERE org_id = :o2 AND id = :i2",
        soci::use(org), soci::use(id), soci::use(org), soci::use(id), soci::into(type);
    if (!session.got_data()) {
        return std::nullopt;
    }
    return type;
}

// Inserts the membership row when `member_id` is a user or group of the org and not yet a
// member, in one statement whose type comes from the row that holds the id (the client's "type"
// is not trusted). Returns the inserted member's type; nullopt when nothing was inserted (an
// unknown id, or a member already).
std::optional<std::string> InsertMember(soci::session& session,
                                        const std::string& org,
                                        const std::string& group_id,
                                        const std::string& member_id) {
    std::string type;
    soci::indicator type_ind = soci::i_null;
    session << "INSERT INTO group_members (org_id, group_id, member_id, member_type)"
               " SELECT org_id, :g1, id, 'User' FROM users WHERE org_id = :o1 AND id = :m1"
               " UNION ALL"
               " SELECT org_id, :g2, id, 'Group' FROM groups WHERE org_id = :o2 AND id = :m2"
               " ON CONFLICT DO NOTHING RETURNING member_type",
        soci::use(group_id), soci::use(org), soci::use(member_id), soci::use(group_id),
        soci::use(org), soci::use(member_id), soci::into(type, type_ind);
    if (!session.got_data() || type_ind != soci::i_ok) {
        return std::nullopt;
    }
    return type;
}

// True when `group_id` is among the groups nested in `member_group_id`, at any depth. UNION
// (not UNION ALL) keeps the walk finite even over rows that already form a cycle.
bool ContainsGroup(soci::session& session,
                   const std::string& org,
                   const std::string& member_group_id,
                   const std::string& group_id) {
    long long found = 0;
    session << "WITH RECURSIVE nested(id) AS ("
               " SELECT member_id FROM group_members"
               " WHERE org_id = :o1 AND group_id = :m AND member_type = 'Group'"
               " UNION"
               " SELECT gm.member_id FROM group_members gm JOIN nested n ON gm.group_id = n.id"
               " WHERE gm.org_id = :o2 AND gm.member_type = 'Group')"
               " SELECT COUNT(*) FROM nested WHERE id = :g",
        soci::use(org), soci::use(member_group_id), soci::use(org), soci::use(group_id),
        soci::into(found);
    return found > 0;
}

// Adds one member. RFC 7643 §4.2 lets groups hold groups, but a group inside itself, directly
// or through nested groups, would make every group of the loop a member of itself and leaves
// no answer to "which groups does this belong to" for a client that walks nesting: refused.
// NOTE(#5): two concurrent PostgreSQL transactions adding A to B and B to A both see no cycle;
// nothing here walks nesting, so such a loop costs nothing but its own existence.
scim::Status AddMember(soci::session& session,
                       const std::string& org,
                       const std::string& group_id,
                       const std::string& member_id) {
    if (member_id == group_id) {
        return Error::Scim(ScimType::kInvalidValue,
                           "group \"" + group_id + "\" cannot be a member of itself");
    }
    std::optional<std::string> inserted = InsertMember(session, org, group_id, member_id);
    if (!inserted) {
        // Adding an existing member is a no-op (RFC 7644 §3.5.2.1); an unknown id is not.
        if (!ResourceTypeOf(session, org, member_id)) {
            return Error::Scim(ScimType::kInvalidValue,
                               "member \"" + member_id + "\" is not a user or group");
        }
        return scim::Ok{};
    }
    if (*inserted == "Group" && ContainsGroup(session, org, member_id, group_id)) {
        return Error::Scim(ScimType::kInvalidValue,
                           "group \"" + member_id + "\" contains group \"" + group_id +
                               "\" (directly or through nested groups), so it cannot also be "
                               "its member");
    }
    return scim::Ok{};
}

// Applies membership changes of one group (RFC 7644 §3.5.2: adding an existing member and
// removing an absent one are no-ops). Every added id must be a user or group of the same org,
// and not the group itself or a group that contains it.
scim::Status ApplyMembers(soci::session& session,
                          const std::string& org,
                          const std::string& group_id,
                          const scim::MemberChanges& changes) {
    if (changes.replace_all) {
        session << "DELETE FROM group_members WHERE org_id = :o AND group_id = :g", soci::use(org),
            soci::use(group_id);
    }
    // Rows are touched in id order, so two transactions changing overlapping members of one
    // group wait for each other instead of deadlocking.
    std::vector<std::string> to_remove = changes.remove;
    std::sort(to_remove.begin(), to_remove.end());
    for (const std::string& member_id : to_remove) {
        session << "DELETE FROM group_members WHERE org_id = :o AND group_id = :g AND"
                   " member_id = :m",
            soci::use(org), soci::use(group_id), soci::use(member_id);
    }
    std::vector<std::string> to_add;
    for (const scim::MemberRef& member : changes.add) {
        to_add.push_back(member.id);
    }
    std::sort(to_add.begin(), to_add.end());
    for (const std::string& member_id : to_add) {
        if (scim::Status added = AddMember(session, org, group_id, member_id); !added.ok()) {
            return added;
        }
    }
    return scim::Ok{};
}

// Bumps a group's version by one and moves last_modified forward (never back: a transaction
// that waited on the row lock may carry an earlier time), comparing the version only when
// `expected` is set. Concurrent writers queue on the row instead of failing a version check.
// Returns the row's new version, created and last_modified; nullopt when no row matched.
std::optional<scim::StoredResource> TouchGroup(soci::session& session,
                                               const std::string& org,
                                               const std::string& id,
                                               const std::string& last_modified,
                                               std::optional<std::int64_t> expected) {
    int any_version = expected ? 0 : 1;
    long long version = expected.value_or(0);
    long long next = 0;
    scim::StoredResource out;
    session << "UPDATE groups SET version = version + 1, last_modified = CASE WHEN"
               " last_modified > :m1 THEN last_modified ELSE :m2 END"
               " WHERE org_id = :o AND id = :i AND (:any = 1 OR version = :v)"
               " RETURNING version, created, last_modified",
        soci::use(last_modified), soci::use(last_modified), soci::use(org), soci::use(id),
        soci::use(any_version), soci::use(version), soci::into(next), soci::into(out.created),
        soci::into(out.last_modified);
    if (!session.got_data()) {
        return std::nullopt;
    }
    out.id = id;
    out.version = next;
    return out;
}

// Binds a filter or keyset value of whichever type it has.
void BindValue(CachedQuery& query, const std::string& name, const SqlValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        query.Text(name, *text);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        query.Int(name, *integer);
    } else {
        query.Real(name, std::get<double>(value));
    }
}

// The types of `values` in order, one letter each: what tells apart two uses of one SQL text
// whose placeholders take values of different types (Database::Cached's variant).
std::string BindKinds(const std::vector<SqlValue>& values) {
    std::string kinds;
    for (const SqlValue& value : values) {
        kinds += std::holds_alternative<std::string>(value)    ? 't'
                 : std::holds_alternative<std::int64_t>(value) ? 'i'
                                                               : 'r';
    }
    return kinds;
}

// Ids per IN list: a page of up to this many resources is one statement, and larger batches
// stay well inside SQLite's limit on bound parameters.
constexpr std::size_t kIdsPerQuery = 1000;

// "(:i0, :i1, ...)" for `count` ids.
std::string InList(std::size_t count) {
    std::string out = "(";
    for (std::size_t i = 0; i < count; ++i) {
        out += (i == 0 ? ":i" : ", :i") + std::to_string(i);
    }
    return out + ")";
}

// Runs `sql_for(n)` for every chunk of n distinct ids of `ids`, bound as :i0 .. :i<n - 1>, with
// the org bound as :org. Each row is (key id, ref id, ref type, display). Every id of `ids` is a
// key of the result.
template <typename SqlFor>
scim::MembershipMap ReadMemberships(Database& database,
                                    soci::session& session,
                                    const std::string& org,
                                    const std::vector<std::string>& ids,
                                    SqlFor&& sql_for) {
    scim::MembershipMap out;
    for (const std::string& id : ids) {
        out[id];
    }
    // Each id once, so that a statement joining from the list returns no row twice.
    std::vector<std::string> distinct;
    distinct.reserve(out.size());
    for (const auto& entry : out) {
        distinct.push_back(entry.first);
    }
    for (std::size_t begin = 0; begin < distinct.size(); begin += kIdsPerQuery) {
        const std::size_t end = std::min(distinct.size(), begin + kIdsPerQuery);
        CachedQuery& q = database.Cached(session, sql_for(end - begin));
        q.Text("org", org);
        for (std::size_t i = begin; i < end; ++i) {
            q.Text("i" + std::to_string(i - begin), distinct[i]);
        }
        q.RunForEachRow({Col::kText, Col::kText, Col::kText, Col::kText}, [&] {
            out[q.Text(0)].push_back(scim::MemberRef{q.Text(1), q.Text(2), q.Text(3)});
        });
    }
    return out;
}

struct ListSql {
    std::string where;  // without WHERE
    std::string order;  // without ORDER BY
    std::vector<SqlValue> filter_binds;
};

scim::Result<ListSql> BuildListSql(Dialect dialect,
                                   const Table& table,
                                   const schemas::ResourceType& type,
                                   const scim::ListQuery& query) {
    const std::string t = table.name;
    ListSql sql;
    sql.where = t + ".org_id = :org";
    if (query.filter != nullptr) {
        auto fragment = CompileFilter(*query.filter, type, SqlOptions{dialect, 1});
        if (!fragment.ok()) {
            return std::move(fragment).error();
        }
        sql.where += " AND (" + fragment->sql + ")";
        sql.filter_binds = std::move(fragment->binds);
    }
    if (query.sort_by != nullptr) {
        auto order = CompileOrderBy(query.sort_by, type, query.descending, dialect);
        if (!order.ok()) {
            return std::move(order).error();
        }
        sql.order = *order;
    } else {
        sql.order = t + ".id " + (query.descending ? "DESC" : "ASC");
    }
    return sql;
}

// The groups column of UserWithGroupsSql, ordered by id like GroupsOf.
std::vector<scim::MemberRef> GroupsFromJson(const std::string& text) {
    std::vector<scim::MemberRef> out;
    for (const nlohmann::json& pair : nlohmann::json::parse(text)) {
        out.push_back({pair.at(0).get<std::string>(), "Group", pair.at(1).get<std::string>()});
    }
    std::sort(out.begin(), out.end(),
              [](const scim::MemberRef& a, const scim::MemberRef& b) { return a.id < b.id; });
    return out;
}

// The shared body of Create and Update: derive the row from the document, then in one
// transaction write it (`write_row`), apply the membership changes and append the audit event.
template <typename WriteRow>
scim::Result<scim::StoredResource> WriteResource(Database& database,
                                                 const scim::RequestContext& ctx,
                                                 std::string_view type,
                                                 const scim::StoredResource& resource,
                                                 std::int64_t new_version,
                                                 const scim::MemberChanges& members,
                                                 const scim::AuditEvent& event,
                                                 WriteRow&& write_row) {
    auto table = TableFor(type);
    if (!table.ok()) {
        return std::move(table).error();
    }
    auto row = ColumnsFrom(*table, resource.doc);
    if (!row.ok()) {
        return std::move(row).error();
    }
    const std::string& org = ctx.principal.org_id;
    scim::StoredResource stored = resource;
    stored.version = new_version;
    stored.doc = nlohmann::json::parse(row->doc);

    auto result = database.WithTransaction([&](soci::session& session) -> scim::Status {
        if (scim::Status written = write_row(session, *table, org, stored, *row); !written.ok()) {
            return written;
        }
        if (!table->is_user && !members.empty()) {
            scim::Status applied = ApplyMembers(session, org, stored.id, members);
            if (!applied.ok()) {
                return applied;
            }
        }
        AppendAuditEvent(database, session, ctx, event, UtcNowMillis());
        return scim::Ok{};
    });
    if (!result.ok()) {
        return Explain(std::move(result).error(), *table, *row, resource.id);
    }
    return stored;
}

}  // namespace

SqlResourceStore::SqlResourceStore(std::shared_ptr<Database> database)
    : database_(std::move(database)) {}

scim::Result<scim::StoredResource> SqlResourceStore::Create(const scim::RequestContext& ctx,
                                                            std::string_view type,
                                                            const scim::StoredResource& resource,
                                                            const scim::MemberChanges& members,
                                                            const scim::AuditEvent& event) {
    const std::int64_t version = resource.version > 0 ? resource.version : 1;
    return WriteResource(*database_, ctx, type, resource, version, members, event,
                         [&](soci::session& session, const Table& table, const std::string& org,
                             scim::StoredResource& stored, RowColumns& row) -> scim::Status {
                             InsertRow(*database_, session, table, org, stored, stored.version,
                                       row);
                             return scim::Ok{};
                         });
}

scim::Result<scim::StoredResource> SqlResourceStore::Get(std::string_view org_id,
                                                         std::string_view type,
                                                         std::string_view id) {
    auto table = TableFor(type);
    if (!table.ok()) {
        return std::move(table).error();
    }
    const std::string org(org_id);
    const std::string wanted(id);
    const std::string sql = "SELECT version, created, last_modified, " +
                            DocColumn(database_->dialect()) + " FROM " + table->name +
                            " WHERE org_id = :o AND id = :i";
    return database_->WithSession(
        [&](soci::session& session) -> scim::Result<scim::StoredResource> {
            CachedQuery& q = database_->Cached(session, sql);
            q.Text("o", org).Text("i", wanted);
            if (!q.RunForRow({Col::kInt, Col::kText, Col::kText, Col::kText})) {
                return Error::NotFound("resource " + scim::Shortened(wanted) + " not found");
            }
            scim::StoredResource out;
            out.id = wanted;
            out.version = q.Int(0);
            out.created = q.Text(1);
            out.last_modified = q.Text(2);
            out.doc = nlohmann::json::parse(q.Text(3));
            return out;
        });
}

scim::Result<scim::ResourceWithGroups> SqlResourceStore::GetWithGroups(std::string_view org_id,
                                                                       std::string_view type,
                                                                       std::string_view id) {
    if (type != "User") {
        auto resource = Get(org_id, type, id);
        if (!resource.ok()) {
            return std::move(resource).error();
        }
        return scim::ResourceWithGroups{std::move(*resource), {}};
    }
    const std::string org(org_id);
    const std::string wanted(id);
    const std::string sql = UserWithGroupsSql(database_->dialect());
    return database_->WithSession(
        [&](soci::session& session) -> scim::Result<scim::ResourceWithGroups> {
            CachedQuery& q = database_->Cached(session, sql);
            q.Text("o", org).Text("i", wanted);
            if (!q.RunForRow({Col::kInt, Col::kText, Col::kText, Col::kText, Col::kText})) {
                return Error::NotFound("resource " + scim::Shortened(wanted) + " not found");
            }
            scim::ResourceWithGroups out;
            out.resource.id = wanted;
            out.resource.version = q.Int(0);
            out.resource.created = q.Text(1);
            out.resource.last_modified = q.Text(2);
            out.resource.doc = nlohmann::json::parse(q.Text(3));
            out.groups = GroupsFromJson(q.Text(4));
            return out;
        });
}

scim::Result<scim::StoredResource> SqlResourceStore::Update(const scim::RequestContext& ctx,
                                                            std::string_view type,
                                                            const scim::StoredResource& resource,
                                                            std::int64_t expected_version,
                                                            const scim::MemberChanges& members,
                                                            const scim::AuditEvent& event) {
    return WriteResource(*database_, ctx, type, resource, expected_version + 1, members, event,
                         [&](soci::session& session, const Table& table, const std::string& org,
                             scim::StoredResource& stored, RowColumns& row) -> scim::Status {
                             std::optional<std::string> created = UpdateRow(
                                 *database_, session, table, org, stored, expected_version, row);
                             if (!created) {
                                 return MissedWrite(session, table, org, stored.id);
                             }
                             stored.created = *created;
                             return scim::Ok{};
                         });
}

scim::Status SqlResourceStore::Delete(const scim::RequestContext& ctx,
                                      std::string_view type,
                                      std::string_view id,
                                      std::optional<std::int64_t> expected_version,
                                      const scim::AuditEvent& event) {
    auto table = TableFor(type);
    if (!table.ok()) {
        return std::move(table).error();
    }
    const std::string& org = ctx.principal.org_id;
    const std::string target(id);
    const std::string sql = "DELETE FROM " + std::string(table->name) +
                            " WHERE org_id = :o AND id = :i AND (:any = 1 OR version = :v)"
                            " RETURNING id";
    return database_->WithTransaction([&](soci::session& session) -> scim::Status {
        int any_version = expected_version ? 0 : 1;
        long long version = expected_version.value_or(0);
        std::string deleted;
        session << sql, soci::use(org), soci::use(target), soci::use(any_version),
            soci::use(version), soci::into(deleted);
        if (!session.got_data()) {
            return MissedWrite(session, *table, org, target);
        }
        // Every group that held the deleted resource loses a member, so its representation
        // changes: a new version (hence a new ETag, RFC 7644 §3.14) and lastModified, or a
        // conditional GET would answer 304 with the stale member list. Done before the
        // membership rows go, while they still name those groups; last_modified only moves
        // forward, as in TouchGroup.
        const std::string now = UtcNowMillis();
        session << "UPDATE groups SET version = version + 1, last_modified = CASE WHEN"
                   " last_modified > :m1 THEN last_modified ELSE :m2 END"
                   " WHERE org_id = :o AND id IN (SELECT group_id FROM group_members"
                   " WHERE org_id = :o2 AND member_id = :m)",
            soci::use(now), soci::use(now), soci::use(org), soci::use(org), soci::use(target);
        session << "DELETE FROM group_members WHERE org_id = :o AND (group_id = :g OR"
                   " member_id = :m)",
            soci::use(org), soci::use(target), soci::use(target);
        AppendAuditEvent(*database_, session, ctx, event, now);
        return scim::Ok{};
    });
}

scim::Result<scim::ListPage> SqlResourceStore::List(std::string_view org_id,
                                                    const schemas::ResourceType& type,
                                                    const scim::ListQuery& query) {
    auto table = TableFor(type.name);
    if (!table.ok()) {
        return std::move(table).error();
    }
    const Dialect dialect = database_->dialect();
    auto sql = BuildListSql(dialect, *table, type, query);
    if (!sql.ok()) {
        return std::move(sql).error();
    }
    std::string where = sql->where;
    std::vector<SqlValue> after_binds;
    if (query.after) {
        const int first_bind = static_cast<int>(sql->filter_binds.size()) + 1;
        auto after =
            CompileKeysetAfter(query.sort_by, type, query.descending, query.after->sort_value,
                               query.after->id, SqlOptions{dialect, first_bind});
        if (!after.ok()) {
            return std::move(after).error();
        }
        where += " AND " + after->sql;
        after_binds = std::move(after->binds);
    }
    const std::string org(org_id);
    const std::int64_t offset = query.after ? 0 : std::max<std::int64_t>(query.start_index, 1) - 1;

    // Statements of pages that start at the first match (every cursor page and filtered
    // lookup, the first index page) stay prepared per session; a deeper index page carries its
    // offset in the SQL text, so it runs one-shot rather than fill the cache with texts that
    // rarely come again.
    const std::string filter_kinds = BindKinds(sql->filter_binds);
    const std::string page_kinds = filter_kinds + BindKinds(after_binds);
    const std::string count_sql =
        "SELECT COUNT(*) FROM " + std::string(table->name) + " WHERE " + sql->where;
    const std::string page_sql =
        ListPageSql(dialect, table->name, where, sql->order, query.count, offset);

    return database_->WithSession([&](soci::session& session) -> scim::Result<scim::ListPage> {
        auto bind_all = [&](CachedQuery& q, bool with_after) {
            q.Text("org", org);
            for (std::size_t i = 0; i < sql->filter_binds.size(); ++i) {
                BindValue(q, "p" + std::to_string(i + 1), sql->filter_binds[i]);
            }
            for (std::size_t i = 0; with_after && i < after_binds.size(); ++i) {
                BindValue(q, "p" + std::to_string(sql->filter_binds.size() + i + 1),
                          after_binds[i]);
            }
        };
        auto count_all = [&]() -> std::int64_t {
            CachedQuery& count = database_->Cached(session, count_sql, filter_kinds);
            bind_all(count, false);
            return count.RunForRow({Col::kInt}) ? count.Int(0) : 0;
        };
        scim::ListPage page;
        if (query.count <= 0) {
            page.total = query.with_total ? count_all() : 0;
            return page;
        }
        std::optional<CachedQuery> one_shot;
        if (offset > 0) {
            one_shot.emplace(session, page_sql, false);
        }
        CachedQuery& rows = one_shot ? *one_shot : database_->Cached(session, page_sql, page_kinds);
        bind_all(rows, true);
        rows.RunForEachRow({Col::kText, Col::kInt, Col::kText, Col::kText, Col::kText}, [&] {
            scim::StoredResource row;
            row.id = rows.Text(0);
            row.version = rows.Int(1);
            row.created = rows.Text(2);
            row.last_modified = rows.Text(3);
            row.doc = nlohmann::json::parse(rows.Text(4));
            page.resources.push_back(std::move(row));
        });
        const auto returned = static_cast<std::int64_t>(page.resources.size());
        page.total = returned;
        if (query.with_total) {
            // A page that came back short (and is not past the end) ends the result set, so
            // everything before it plus its rows is the total: the COUNT query would only say
            // the same again. A cursor page does not know how many rows precede it.
            const bool short_page = returned < query.count && (returned > 0 || offset == 0);
            page.total = !query.after && short_page ? offset + returned : count_all();
        }
        return page;
    });
}

scim::Result<std::vector<scim::MemberRef>> SqlResourceStore::Members(std::string_view org_id,
                                                                     std::string_view group_id) {
    const std::string org(org_id);
    const std::string group(group_id);
    return database_->WithSession(
        [&](soci::session& session) -> scim::Result<std::vector<scim::MemberRef>> {
            std::vector<scim::MemberRef> out;
            CachedQuery& q = database_->Cached(
                session,
                "SELECT m.member_id, m.member_type, COALESCE(u.user_name, g.display_name, '')"
                " FROM group_members m"
                " LEFT JOIN users u ON u.org_id = m.org_id AND"
                " u.id = m.member_id AND m.member_type = 'User'"
                " LEFT JOIN groups g ON g.org_id = m.org_id AND"
                " g.id = m.member_id AND m.member_type = 'Group'"
                " WHERE m.org_id = :o AND m.group_id = :g"
                " ORDER BY m.member_id");
            q.Text("o", org).Text("g", group);
            q.RunForEachRow({Col::kText, Col::kText, Col::kText}, [&] {
                out.push_back(scim::MemberRef{q.Text(0), q.Text(1), q.Text(2)});
            });
            return out;
        });
}

scim::Result<std::vector<scim::MemberRef>> SqlResourceStore::GroupsOf(std::string_view org_id,
                                                                      std::string_view member_id) {
    const std::string org(org_id);
    const std::string member(member_id);
    return database_->WithSession(
        [&](soci::session& session) -> scim::Result<std::vector<scim::MemberRef>> {
            std::vector<scim::MemberRef> out;
            CachedQuery& q = database_->Cached(session, GroupsOfSql(database_->dialect()));
            q.Text("o", org).Text("m", member);
            q.RunForEachRow({Col::kText, Col::kText}, [&] {
                out.push_back(scim::MemberRef{q.Text(0), "Group", q.Text(1)});
            });
            return out;
        });
}

scim::Result<scim::MembershipMap> SqlResourceStore::MembersOfMany(
    std::string_view org_id, const std::vector<std::string>& group_ids) {
    const std::string org(org_id);
    return database_->WithSession([&](soci::session& session) -> scim::Result<scim::MembershipMap> {
        return ReadMemberships(*database_, session, org, group_ids, [](std::size_t count) {
            return "SELECT m.group_id, m.member_id, m.member_type,"
                   " COALESCE(u.user_name, g.display_name, '')"
                   " FROM group_members m"
                   " LEFT JOIN users u ON u.org_id = m.org_id AND"
                   " u.id = m.member_id AND m.member_type = 'User'"
                   " LEFT JOIN groups g ON g.org_id = m.org_id AND"
                   " g.id = m.member_id AND m.member_type = 'Group'"
                   " WHERE m.org_id = :org AND m.group_id IN " +
                   InList(count) + " ORDER BY m.group_id, m.member_id";
        });
    });
}

scim::Result<scim::MembershipMap> SqlResourceStore::GroupsOfMany(
    std::string_view org_id, const std::vector<std::string>& member_ids) {
    const std::string org(org_id);
    return database_->WithSession([&](soci::session& session) -> scim::Result<scim::MembershipMap> {
        return ReadMemberships(*database_, session, org, member_ids, [&](std::size_t count) {
            return GroupsOfManySql(database_->dialect(), count);
        });
    });
}

namespace {

// Largest membership change written by the one-statement path; larger ones take the
// transactional path, whose cost per member dwarfs its extra round trips anyway.
constexpr std::size_t kMaxOneStatementMembers = 100;

// Ids sorted and without repeats, so rows are touched in id order (as ApplyMembers does).
std::vector<std::string> SortedUnique(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// True when `changes` may take the one-statement path: adds and removes only, a modest number,
// and no id both added and removed (the statement's parts see one snapshot, so a removal would
// not see an insertion of the same row, unlike the sequential path).
bool FitsOneStatement(const scim::MemberChanges& changes,
                      const std::vector<std::string>& add,
                      const std::vector<std::string>& remove) {
    if (changes.replace_all || add.size() + remove.size() > kMaxOneStatementMembers) {
        return false;
    }
    return std::none_of(add.begin(), add.end(), [&](const std::string& id) {
        return std::binary_search(remove.begin(), remove.end(), id);
    });
}

// "(VALUES (:a0), (:a1))" for `prefix` "a", or an empty text relation when there are no ids.
std::string ValuesList(const std::string& prefix, std::size_t count) {
    if (count == 0) {
        return "(SELECT CAST(NULL AS TEXT) WHERE FALSE)";
    }
    std::string out = "(VALUES ";
    for (std::size_t i = 0; i < count; ++i) {
        out += (i == 0 ? "(:" : ", (:") + prefix + std::to_string(i) + ")";
    }
    return out + ")";
}

// The whole member-only PATCH as one PostgreSQL statement, run in autocommit. `known` counts the
// added ids that are users of the org; only when every added id is one (no group members, whose
// nesting needs the cycle check, and no unknown ids, which must write nothing) does `bumped` fire,
// and every write below is gated on `bumped`, so otherwise the statement writes nothing. The
// version bump comes first: it takes the group's row lock, which queues concurrent writers of the
// group, and its version predicate is re-checked on the newest row after a wait, so a stale
// If-Match writes no member rows. Audit last, as AppendAuditEvent requires.
std::string OneStatementSql(std::size_t adds, std::size_t removes) {
    return "WITH wanted(id) AS " + ValuesList("a", adds) + ", gone(id) AS " +
           ValuesList("r", removes) +
           ", known AS (SELECT COUNT(*) AS n FROM users WHERE org_id = :o1 AND"
           " id IN (SELECT id FROM wanted)),"
           " bumped AS (UPDATE groups SET version = version + 1, last_modified = CASE WHEN"
           " last_modified > :m1 THEN last_modified ELSE :m2 END"
           " WHERE org_id = :o2 AND id = :g1 AND (:any = 1 OR version = :v)"
           " AND (SELECT n FROM known) = :nadd RETURNING version, created, last_modified),"
           " added AS (INSERT INTO group_members (org_id, group_id, member_id, member_type)"
           " SELECT :o3, :g2, id, 'User' FROM wanted WHERE EXISTS (SELECT 1 FROM bumped)"
           " ORDER BY id ON CONFLICT DO NOTHING),"
           " removed AS (DELETE FROM group_members WHERE org_id = :o4 AND group_id = :g3 AND"
           " member_id IN (SELECT id FROM gone) AND EXISTS (SELECT 1 FROM bumped)), " +
           PostgresAuditCtes("EXISTS (SELECT 1 FROM bumped)") +
           " SELECT (SELECT n FROM known), b.version, b.created, b.last_modified"
           " FROM (SELECT 1) AS one LEFT JOIN bumped AS b ON TRUE";
}

// What the one-statement path reports: the bumped group, or why nothing was written.
struct OneStatementOutcome {
    enum class Kind { kWritten, kMissed, kNotAllUsers, kDeadlocked } kind = Kind::kMissed;
    scim::StoredResource touched;
};

OneStatementOutcome RunOneStatement(Database& database,
                                    soci::session& session,
                                    const scim::RequestContext& ctx,
                                    const std::string& group_id,
                                    const std::string& last_modified,
                                    std::optional<std::int64_t> expected,
                                    const std::vector<std::string>& add,
                                    const std::vector<std::string>& remove,
                                    const scim::AuditEvent& event) {
    const std::string& org = ctx.principal.org_id;
    CachedQuery& query = database.Cached(session, OneStatementSql(add.size(), remove.size()));
    for (std::size_t i = 0; i < add.size(); ++i) {
        query.Text("a" + std::to_string(i), add[i]);
    }
    for (std::size_t i = 0; i < remove.size(); ++i) {
        query.Text("r" + std::to_string(i), remove[i]);
    }
    query.Text("o1", org).Text("o2", org).Text("o3", org).Text("o4", org);
    query.Text("m1", last_modified).Text("m2", last_modified);
    query.Text("g1", group_id).Text("g2", group_id).Text("g3", group_id);
    query.Int("any", expected ? 0 : 1)
        .Int("v", expected.value_or(0))
        .Int("nadd", static_cast<std::int64_t>(add.size()));
    BindAuditColumns(query, AuditColumnsFor(ctx, event, UtcNowMillis()));
    OneStatementOutcome out;
    try {
        // Columns: known, then the bumped group's version, created, last_modified (NULL when
        // nothing was bumped).
        query.RunForRow({Col::kInt, Col::kInt, Col::kText, Col::kText});
    } catch (const soci::postgresql_soci_error& error) {
        // Lock order differs from the transactional path (group row before member rows), so a
        // concurrent writer of the same member may deadlock with this statement; PostgreSQL
        // then rolls it back, and the caller redoes the change the transactional way.
        if (error.sqlstate() == "40P01") {
            out.kind = OneStatementOutcome::Kind::kDeadlocked;
            return out;
        }
        throw;
    }
    if (!query.IsNull(1)) {
        out.kind = OneStatementOutcome::Kind::kWritten;
        out.touched.id = group_id;
        out.touched.version = query.Int(1);
        out.touched.created = query.Text(2);
        out.touched.last_modified = query.Text(3);
    } else if (query.Int(0) != static_cast<long long>(add.size())) {
        out.kind = OneStatementOutcome::Kind::kNotAllUsers;
    }
    return out;
}

}  // namespace

scim::Result<scim::StoredResource> SqlResourceStore::UpdateMembers(
    const scim::RequestContext& ctx,
    std::string_view group_id,
    std::string_view last_modified,
    std::optional<std::int64_t> expected_version,
    const scim::MemberChanges& members,
    const scim::AuditEvent& event) {
    const std::string& org = ctx.principal.org_id;
    const std::string id(group_id);
    const std::string modified(last_modified);
    const Table table{"groups", false};
    // Concurrent writers of one group wait on its row from the version bump to the commit, so
    // adds and removes bump it last: rows of different members never conflict, and the lock is
    // held for one statement. Replacing the whole list bumps first, so that two replacements run
    // one after the other instead of interleaving their deletes and inserts.
    const bool bump_first = members.replace_all;
    if (database_->dialect() == Dialect::kPostgres) {
        std::vector<std::string> add;
        for (const scim::MemberRef& member : members.add) {
            add.push_back(member.id);
        }
        add = SortedUnique(std::move(add));
        const std::vector<std::string> remove = SortedUnique(members.remove);
        if (FitsOneStatement(members, add, remove)) {
            // Autocommit: one round trip instead of BEGIN, writes, audit and COMMIT.
            auto fast = database_->WithSession(
                [&](soci::session& session) -> scim::Result<OneStatementOutcome> {
                    OneStatementOutcome outcome =
                        RunOneStatement(*database_, session, ctx, id, modified, expected_version,
                                        add, remove, event);
                    if (outcome.kind == OneStatementOutcome::Kind::kMissed) {
                        return MissedWrite(session, table, org, id);
                    }
                    return outcome;
                });
            if (!fast.ok()) {
                return fast.error();
            }
            if (fast->kind == OneStatementOutcome::Kind::kWritten) {
                return std::move(fast->touched);
            }
            // A group or unknown id among the added members, or a deadlock: nothing was written,
            // and the transactional path below checks nesting and reports unknown ids.
        }
    }
    return database_->WithTransaction(
        [&](soci::session& session) -> scim::Result<scim::StoredResource> {
            std::optional<scim::StoredResource> touched;
            if (bump_first) {
                touched = TouchGroup(session, org, id, modified, expected_version);
                if (!touched) {
                    return MissedWrite(session, table, org, id);
                }
            }
            if (scim::Status applied = ApplyMembers(session, org, id, members); !applied.ok()) {
                // An unknown group is a 404 even when a member is wrong too.
                if (!CurrentVersion(session, table, org, id)) {
                    return MissedWrite(session, table, org, id);
                }
                return applied.error();
            }
            if (!bump_first) {
                touched = TouchGroup(session, org, id, modified, expected_version);
                if (!touched) {
                    return MissedWrite(session, table, org, id);
                }
            }
            // Last, so the org's audit counter row is locked only until the commit right after.
            AppendAuditEvent(*database_, session, ctx, event, UtcNowMillis());
            return std::move(*touched);
        });
}

bool SqlResourceStore::Ping() {
    return database_->Ping();
}

}  // namespace db

#include "db/audit_store.h"

#include <charconv>

#include <soci/soci.h>
#include <sodium.h>

#include "auth/time.h"
#include "db/cached_query.h"

namespace db {
namespace {

constexpr std::string_view kCursorTag = "a1:";

// Empty text is stored as NULL.
std::optional<std::string> NonEmpty(std::string_view v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

std::optional<std::string> FromNullable(const std::string& value, soci::indicator ind) {
    if (ind == soci::i_null) {
        return std::nullopt;
    }
    return value;
}

std::string Base64Url(std::string_view bytes) {
    std::string out(
        sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);  // drop the terminating NUL
    return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

// The event_id a cursor points after, if it was made by CursorAfter for `org_id`.
std::optional<std::int64_t> DecodeCursor(std::string_view cursor, std::string_view org_id) {
    if (cursor.size() > 256) {
        return std::nullopt;
    }
    auto raw = FromBase64Url(cursor);
    if (!raw || !std::string_view(*raw).starts_with(kCursorTag)) {
        return std::nullopt;
    }
    std::string_view rest = std::string_view(*raw).substr(kCursorTag.size());
    std::size_t sep = rest.rfind(':');
    if (sep == std::string_view::npos || rest.substr(0, sep) != org_id) {
        return std::nullopt;
    }
    std::string_view digits = rest.substr(sep + 1);
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size() || id < 0) {
        return std::nullopt;
    }
    return id;
}

scim::Error InvalidCursor() {
    return scim::Error::BadRequest(scim::ScimType::kInvalidCursor, "the cursor is not valid");
}

// Reads one page; `limit` rows at most. Runs on a session without a transaction: each statement
// sees committed events only, and ids are assigned in commit order, so nothing is missed.
std::vector<AuditRecord> SelectPage(soci::session& session,
                                    const AuditQuery& query,
                                    std::int64_t after,
                                    const std::optional<std::string>& created_after,
                                    int limit) {
    std::string sql =
        "SELECT event_id, created_at, actor_kind, actor_id, actor_name, action, target_type, "
        "target_id, workspace_id, request_id, source_addr, CAST(details AS TEXT) "
        "FROM audit_events WHERE org_id = :org AND event_id > :after";
    if (created_after) {
        sql += " AND created_at > :created_after";
    }
    if (query.workspace_id) {
        sql += " AND workspace_id = :workspace";
    }
    sql += " ORDER BY event_id LIMIT " + std::to_string(limit);

    long long event_id = 0;
    std::string created_at, actor_kind, action, details;
    std::string actor_id, actor_name, target_type, target_id, workspace_id, request_id, source_addr;
    soci::indicator i_actor_id, i_actor_name, i_target_type, i_target_id, i_workspace, i_request,
        i_source;
    long long after_value = after;

    soci::statement st(session);
    st.exchange(soci::into(event_id));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(actor_kind));
    st.exchange(soci::into(actor_id, i_actor_id));
    st.exchange(soci::into(actor_name, i_actor_name));
    st.exchange(soci::into(action));
    st.exchange(soci::into(target_type, i_target_type));
    st.exchange(soci::into(target_id, i_target_id));
    st.exchange(soci::into(workspace_id, i_workspace));
    st.exchange(soci::into(request_id, i_request));
    st.exchange(soci::into(source_addr, i_source));
    st.exchange(soci::into(details));
    st.exchange(soci::use(query.org_id));
    st.exchange(soci::use(after_value));
    if (created_after) {
        st.exchange(soci::use(*created_after));
    }
    if (query.workspace_id) {
        st.exchange(soci::use(*query.workspace_id));
    }
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(false);

    std::vector<AuditRecord> out;
    while (st.fetch()) {
        AuditRecord r;
        r.event_id = event_id;
        r.org_id = query.org_id;
        r.created_at = created_at;
        r.actor_kind = actor_kind;
        r.actor_id = FromNullable(actor_id, i_actor_id);
        r.actor_name = FromNullable(actor_name, i_actor_name);
        r.action = action;
        r.target_type = FromNullable(target_type, i_target_type);
        r.target_id = FromNullable(target_id, i_target_id);
        r.workspace_id = FromNullable(workspace_id, i_workspace);
        r.request_id = FromNullable(request_id, i_request);
        r.source_addr = FromNullable(source_addr, i_source);
        r.details = nlohmann::json::parse(details, nullptr, /*allow_exceptions=*/false);
        if (r.details.is_discarded()) {
            r.details = nlohmann::json::object();
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::string_view ActorKindName(scim::CredentialKind kind) {
    switch (kind) {
        case scim::CredentialKind::kOrgSat:
            return "org_sat";
        case scim::CredentialKind::kWorkspaceSat:
            return "workspace_sat";
        case scim::CredentialKind::kAdminKey:
            return "admin_key";
        case scim::CredentialKind::kCli:
            return "cli";
    }
    return "cli";
}

AuditColumns AuditColumnsFor(const scim::RequestContext& context,
                             const scim::AuditEvent& event,
                             const std::string& created_at) {
    const scim::Principal& actor = context.principal;
    AuditColumns c;
    c.org_id = actor.org_id;
    c.created_at = created_at;
    c.actor_kind = std::string(ActorKindName(actor.kind));
    c.actor_id = NonEmpty(actor.credential_id);
    c.actor_name = NonEmpty(actor.credential_name);
    c.action = event.action;
    c.target_type = NonEmpty(event.target_type);
    c.target_id = NonEmpty(event.target_id);
    c.workspace_id = actor.workspace_id;
    if (event.details.is_object() && event.details.contains("workspace_id") &&
        event.details["workspace_id"].is_string()) {
        // Actions on a workspace's own objects are filed under that workspace even when an
        // org-level credential performed them.
        c.workspace_id = event.details["workspace_id"].get<std::string>();
    }
    c.request_id = NonEmpty(context.request_id);
    c.source_addr = NonEmpty(context.source_addr);
    c.details = event.details.is_object() ? event.details.dump() : "{}";
    return c;
}

// The counter upsert of AppendAuditEvent's PostgreSQL statement, gated, followed by the insert.
std::string PostgresAuditCtes(std::string_view gate) {
    return "audit_n AS (INSERT INTO audit_counters (org_id, last_event_id) "
           "SELECT :au_org1, 1 WHERE " +
           std::string(gate) +
           " ON CONFLICT (org_id) DO UPDATE SET last_event_id = "
           "audit_counters.last_event_id + 1 RETURNING last_event_id), "
           "audit_ev AS (INSERT INTO audit_events (org_id, event_id, created_at, actor_kind, "
           "actor_id, actor_name, action, target_type, target_id, workspace_id, "
           "request_id, source_addr, details) SELECT :au_org2, audit_n.last_event_id, "
           ":au_created, :au_kind, :au_actor_id, :au_actor_name, :au_action, :au_target_type, "
           ":au_target_id, :au_workspace, :au_request_id, :au_source, CAST(:au_details AS jsonb) "
           "FROM audit_n RETURNING event_id)";
}

namespace {

// The :au_* placeholders of one event's columns, all but the org.
void BindEventColumns(CachedQuery& query, const AuditColumns& c) {
    query.Text("au_created", c.created_at)
        .Text("au_kind", c.actor_kind)
        .NullableText("au_actor_id", c.actor_id)
        .NullableText("au_actor_name", c.actor_name)
        .Text("au_action", c.action)
        .NullableText("au_target_type", c.target_type)
        .NullableText("au_target_id", c.target_id)
        .NullableText("au_workspace", c.workspace_id)
        .NullableText("au_request_id", c.request_id)
        .NullableText("au_source", c.source_addr)
        .Text("au_details", c.details);
}

}  // namespace

void BindAuditColumns(CachedQuery& query, const AuditColumns& c) {
    query.Text("au_org1", c.org_id).Text("au_org2", c.org_id);
    BindEventColumns(query, c);
}

std::int64_t AppendAuditEvent(Database& database,
                              soci::session& session,
                              const scim::RequestContext& context,
                              const scim::AuditEvent& event,
                              const std::string& created_at) {
    const AuditColumns c = AuditColumnsFor(context, event, created_at);
    if (database.dialect() == Dialect::kPostgres) {
        // One round trip. The upsert raises the org's counter row and keeps it locked until this
        // transaction ends, so a second writer of the org blocks on the row and, once this one
        // has committed, re-reads the committed value under READ COMMITTED (ON CONFLICT DO
        // UPDATE always works on the newest version of the row): no increment is lost and the
        // next id is only handed out after this one is visible. Hence ids grow in commit order.
        // A rollback undoes the increment with the event, so ids have no gaps either.
        CachedQuery& q = database.Cached(
            session, "WITH " + PostgresAuditCtes("TRUE") + " SELECT event_id FROM audit_ev");
        BindAuditColumns(q, c);
        q.RunForRow({CachedQuery::Column::kInt});
        return q.Int(0);
    }
    // SQLite admits one writer at a time (BEGIN IMMEDIATE), so commit order is append order
    // whatever the statements. SQLite has no data-modifying WITH, so the counter is raised first
    // and the event inserted with the id it returns; both run in-process, with no round trip.
    CachedQuery& counter =
        database.Cached(session,
                        "INSERT INTO audit_counters (org_id, last_event_id) VALUES (:org, 1) "
                        "ON CONFLICT (org_id) DO UPDATE SET last_event_id = last_event_id + 1 "
                        "RETURNING last_event_id");
    counter.Text("org", c.org_id);
    counter.RunForRow({CachedQuery::Column::kInt});
    const std::int64_t event_id = counter.Int(0);
    CachedQuery& insert = database.Cached(
        session,
        "INSERT INTO audit_events (org_id, event_id, created_at, actor_kind, actor_id, "
        "actor_name, action, target_type, target_id, workspace_id, request_id, "
        "source_addr, details) VALUES (:org, :id, :au_created, :au_kind, :au_actor_id, "
        ":au_actor_name, :au_action, :au_target_type, :au_target_id, :au_workspace, "
        ":au_request_id, :au_source, :au_details)");
    insert.Text("org", c.org_id).Int("id", event_id);
    BindEventColumns(insert, c);
    insert.RunForRow({});
    return event_id;
}

nlohmann::json ToJson(const AuditRecord& record) {
    nlohmann::json out = {{"id", std::to_string(record.event_id)},
                          {"created_at", record.created_at},
                          {"actor_kind", record.actor_kind},
                          {"action", record.action},
                          {"details", record.details}};
    auto put = [&](const char* key, const std::optional<std::string>& value) {
        if (value) {
            out[key] = *value;
        }
    };
    put("actor_id", record.actor_id);
    put("actor_name", record.actor_name);
    put("target_type", record.target_type);
    put("target_id", record.target_id);
    put("workspace_id", record.workspace_id);
    put("request_id", record.request_id);
    put("source_addr", record.source_addr);
    return out;
}

std::string CursorAfter(std::string_view org_id, std::int64_t event_id) {
    std::string raw(kCursorTag);
    raw.append(org_id).append(":").append(std::to_string(event_id));
    return Base64Url(raw);
}

AuditStore::AuditStore(std::shared_ptr<Database> database) : database_(std::move(database)) {}

scim::Result<AuditPage> AuditStore::List(const AuditQuery& query) {
    if (query.per_page < 1 || query.per_page > kMaxAuditPage) {
        return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                       "per_page must be between 1 and 100");
    }
    std::optional<std::string> created_after;
    if (query.created_after) {
        auto t = auth::ParseTimestamp(*query.created_after);
        if (!t) {
            return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                           "created_after must be an RFC 3339 timestamp");
        }
        created_after = auth::FormatTimestamp(*t);
    }
    std::int64_t after = 0;
    if (query.cursor) {
        auto decoded = DecodeCursor(*query.cursor, query.org_id);
        if (!decoded) {
            return InvalidCursor();
        }
        after = *decoded;
    }

    return database_->WithSession([&](soci::session& session) -> scim::Result<AuditPage> {
        AuditPage page;
        page.events = SelectPage(session, query, after, created_after, query.per_page + 1);
        if (page.events.size() > static_cast<std::size_t>(query.per_page)) {
            page.events.pop_back();
            page.next_cursor = CursorAfter(query.org_id, page.events.back().event_id);
        }
        return page;
    });
}

}  // namespace db

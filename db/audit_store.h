#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "scim/principal.h"
#include "scim/result.h"
#include "scim/store.h"

namespace soci {
class session;
}

// The audit log (DESIGN.md §7): append inside the transaction of the change it records, and read
// back in pages that neither skip nor repeat events while new ones are being written.
namespace db {

class CachedQuery;

// Stable names of actor kinds in audit_events.actor_kind: "org_sat", "workspace_sat",
// "admin_key", "cli".
std::string_view ActorKindName(scim::CredentialKind kind);

// Appends `event` for `context.principal.org_id`, stamped `created_at` (RFC 3339 UTC ms), and
// returns its event_id. The workspace column is the principal's workspace, or a string
// `details["workspace_id"]` when the event concerns a workspace (e.g. a workspace token created
// with an admin key), so the Audit Log API's workspace filter finds it. Must run inside the
// caller's write transaction (Database::WithTransaction) so that the event commits or rolls back
// with the change.
//
// Event ids increase in commit order within an org, which is what lets a reader page by event_id
// without skipping a late commit. The id comes from the org's row in audit_counters, raised in
// the same statement that inserts the event (one round trip on PostgreSQL). Raising the row locks
// it until the transaction ends, so writers of one org take their ids one after another, each
// after the previous writer committed, while other orgs are not slowed down; on SQLite BEGIN
// IMMEDIATE already admits one writer at a time. Call it as the last statement of the
// transaction so the org's row is held for that statement and the commit only. Every writer of
// audit_events must go through here (the counter and the events must agree).
// Throws what SOCI throws (the surrounding WithTransaction translates it).
std::int64_t AppendAuditEvent(Database& database,
                              soci::session& session,
                              const scim::RequestContext& context,
                              const scim::AuditEvent& event,
                              const std::string& created_at);

// The column values AppendAuditEvent stores for `event` (event_id aside), for a PostgreSQL writer
// that appends the event inside its own data-modifying statement (see PostgresAuditCtes).
struct AuditColumns {
    std::string org_id;
    std::string created_at;
    std::string actor_kind;
    std::optional<std::string> actor_id;
    std::optional<std::string> actor_name;
    std::string action;
    std::optional<std::string> target_type;
    std::optional<std::string> target_id;
    std::optional<std::string> workspace_id;
    std::optional<std::string> request_id;
    std::optional<std::string> source_addr;
    std::string details;  // JSON object text
};
AuditColumns AuditColumnsFor(const scim::RequestContext& context,
                             const scim::AuditEvent& event,
                             const std::string& created_at);

// Two PostgreSQL WITH items, "audit_n" and "audit_ev", that do what AppendAuditEvent does (same
// counter row, same columns, same commit-order guarantee) inside a larger statement, and only
// when the SQL boolean `gate` holds. Bind :au_org1, :au_org2, :au_created, :au_kind,
// :au_actor_id, :au_actor_name, :au_action, :au_target_type, :au_target_id, :au_workspace,
// :au_request_id, :au_source, :au_details from AuditColumnsFor. Such a statement counts as going
// through AppendAuditEvent for the rule above.
std::string PostgresAuditCtes(std::string_view gate);

// Binds every :au_* placeholder of PostgresAuditCtes from `c`.
void BindAuditColumns(CachedQuery& query, const AuditColumns& c);

// One stored event as read back.
struct AuditRecord {
    std::int64_t event_id = 0;
    std::string org_id;
    std::string created_at;
    std::string actor_kind;
    std::optional<std::string> actor_id;
    std::optional<std::string> actor_name;
    std::string action;
    std::optional<std::string> target_type;
    std::optional<std::string> target_id;
    std::optional<std::string> workspace_id;
    std::optional<std::string> request_id;
    std::optional<std::string> source_addr;
    nlohmann::json details = nlohmann::json::object();
};

// JSON form for the Audit Log API and `scimctl audit tail --json`; absent fields are omitted.
nlohmann::json ToJson(const AuditRecord& record);

struct AuditQuery {
    std::string org_id;
    std::optional<std::string> created_after;  // RFC 3339; events strictly later
    std::optional<std::string> workspace_id;   // only events of this workspace
    std::optional<std::string> cursor;         // from a previous page's next_cursor
    int per_page = 100;                        // 1..100
};

struct AuditPage {
    std::vector<AuditRecord> events;         // oldest first, by event_id
    std::optional<std::string> next_cursor;  // set when this page is full; opaque
};

inline constexpr int kMaxAuditPage = 100;

class AuditStore {
public:
    explicit AuditStore(std::shared_ptr<Database> database);

    // A page of events of `query.org_id`, oldest first. The cursor holds the last event_id seen,
    // so the next page starts right after it: events committed later always get larger ids and
    // show up on a later page, none is shown twice. A page shorter than per_page has no cursor;
    // the caller polls again with the last event's cursor (see CursorAfter) to follow the tail.
    // Errors: 400 invalidValue for per_page outside 1..100 or a bad created_after, 400
    // invalidCursor for a cursor this store did not make (or made for another org).
    scim::Result<AuditPage> List(const AuditQuery& query);

private:
    std::shared_ptr<Database> database_;
};

// The opaque cursor meaning "after event `event_id` of `org_id`".
std::string CursorAfter(std::string_view org_id, std::int64_t event_id);

}  // namespace db

#include "db/token_store.h"

#include <soci/soci.h>
#include <sodium.h>

#include "auth/time.h"
#include "db/audit_store.h"

namespace db {
namespace {

constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kIdRandomChars = 16;

// A token hash as an SQL expression plus the text to bind to it. SOCI 4.0.3 has no portable
// binary binding, so PostgreSQL receives hex and decodes it; SQLite receives the raw bytes as text
// and casts them to a BLOB, which keeps them byte for byte in a UTF-8 database.
struct HashBinding {
    std::string expr;
    std::string value;
};

HashBinding BindHash(Dialect dialect, const auth::TokenHash& hash) {
    if (dialect == Dialect::kPostgres) {
        std::string hex(hash.size() * 2 + 1, '\0');
        sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
        hex.pop_back();
        return {"decode(:hash, 'hex')", hex};
    }
    return {"CAST(:hash AS BLOB)",
            std::string(reinterpret_cast<const char*>(hash.data()), hash.size())};
}

std::string HashAsHex(Dialect dialect, std::string_view column) {
    return dialect == Dialect::kPostgres ? "encode(" + std::string(column) + ", 'hex')"
                                         : "hex(" + std::string(column) + ")";
}

std::optional<auth::TokenHash> HashFromHex(const std::string& hex) {
    auth::TokenHash out{};
    std::size_t len = 0;
    if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) !=
            0 ||
        len != out.size()) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> Nullable(const std::string& value, soci::indicator ind) {
    return ind == soci::i_null ? std::nullopt : std::optional<std::string>(value);
}

scim::Status ValidateName(std::string_view name, std::string_view what) {
    if (name.empty() || name.size() > kMaxNameLength) {
        return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                       std::string(what) + " must be 1 to 200 characters long");
    }
    // Control characters have no place in a display name, and PostgreSQL cannot store U+0000.
    for (const char c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return scim::Error::BadRequest(
                scim::ScimType::kInvalidValue,
                std::string(what) + " must not contain control characters");
        }
    }
    return scim::Ok{};
}

// Writes are attributed to the acting principal but always filed under the org they change; a
// credential of one org never acts on another.
scim::Result<scim::RequestContext> ContextFor(std::string_view org_id,
                                              const scim::RequestContext& actor) {
    if (actor.principal.kind != scim::CredentialKind::kCli && actor.principal.org_id != org_id) {
        return scim::Error::NotFound("organization not found");
    }
    scim::RequestContext context = actor;
    context.principal.org_id = std::string(org_id);
    return context;
}

bool OrgExists(soci::session& s, const std::string& org_id) {
    int count = 0;
    s << "SELECT COUNT(*) FROM orgs WHERE org_id = :org", soci::into(count), soci::use(org_id);
    return count > 0;
}

bool WorkspaceExists(soci::session& s, const std::string& org_id, const std::string& ws) {
    int count = 0;
    s << "SELECT COUNT(*) FROM workspaces WHERE org_id = :org AND workspace_id = :ws",
        soci::into(count), soci::use(org_id), soci::use(ws);
    return count > 0;
}

std::string NewTokenId(auth::TokenKind kind) {
    return (kind == auth::TokenKind::kAdmin ? "key-" : "tok-") + auth::RandomBase62(kIdRandomChars);
}

// Reads one token row (without secrets) by id; nullopt when absent.
// The columns of one tokens row, bound with soci::into, and their conversion to TokenInfo.
struct TokenRow {
    static constexpr const char* kColumns =
        "token_id, kind, workspace_id, name, hint, created_by, created_at, expires_at, "
        "last_used_at, revoked_at";

    TokenInfo info;
    std::string kind, ws, expires, last_used, revoked;
    soci::indicator i_ws = soci::i_ok, i_expires = soci::i_ok, i_last_used = soci::i_ok,
                    i_revoked = soci::i_ok;

    template <typename Statement>
    void Bind(Statement& st) {
        st, soci::into(info.token_id), soci::into(kind), soci::into(ws, i_ws),
            soci::into(info.name), soci::into(info.hint), soci::into(info.created_by),
            soci::into(info.created_at), soci::into(expires, i_expires),
            soci::into(last_used, i_last_used), soci::into(revoked, i_revoked);
    }

    TokenInfo ToInfo(const std::string& org_id) const {
        TokenInfo t = info;
        t.org_id = org_id;
        t.kind = auth::TokenKindFromName(kind).value_or(auth::TokenKind::kOrg);
        t.workspace_id = Nullable(ws, i_ws);
        t.expires_at = Nullable(expires, i_expires);
        t.last_used_at = Nullable(last_used, i_last_used);
        t.revoked_at = Nullable(revoked, i_revoked);
        return t;
    }
};

std::optional<TokenInfo> SelectToken(soci::session& s,
                                     const std::string& org_id,
                                     const std::string& token_id) {
    TokenRow row;
    auto st = (s.prepare << "SELECT " << TokenRow::kColumns
                         << " FROM tokens WHERE org_id = :org AND token_id = :id",
               soci::use(org_id), soci::use(token_id));
    row.Bind(st);
    soci::statement statement(st);
    if (!statement.execute(true)) {
        return std::nullopt;
    }
    return row.ToInfo(org_id);
}

void InsertSecret(soci::session& s,
                  Dialect dialect,
                  const std::string& org_id,
                  const std::string& token_id,
                  const auth::TokenHash& hash,
                  const std::string& now) {
    HashBinding h = BindHash(dialect, hash);
    s << "INSERT INTO token_secrets (org_id, secret_hash, token_id, created_at, expires_at) "
         "VALUES (:org, " +
             h.expr + ", :id, :now, NULL)",
        soci::use(org_id), soci::use(h.value), soci::use(token_id), soci::use(now);
}

std::string ActionFor(auth::TokenKind kind, std::string_view verb) {
    return std::string(kind == auth::TokenKind::kAdmin ? "admin_key." : "token.") +
           std::string(verb);
}

scim::AuditEvent TokenEvent(const TokenInfo& t, std::string_view verb) {
    scim::AuditEvent e;
    e.action = ActionFor(t.kind, verb);
    e.target_type = t.kind == auth::TokenKind::kAdmin ? "AdminKey" : "Token";
    e.target_id = t.token_id;
    e.details = {{"name", t.name}, {"level", auth::TokenKindName(t.kind)}, {"hint", t.hint}};
    if (t.workspace_id) {
        e.details["workspace_id"] = *t.workspace_id;
    }
    return e;
}

nlohmann::json OrNull(const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string ActorLabel(const scim::Principal& principal) {
    std::string label(ActorKindName(principal.kind));
    label += ":";
    label += principal.kind == scim::CredentialKind::kCli ? principal.credential_name
                                                          : principal.credential_id;
    return label;
}

nlohmann::json ToJson(const TokenInfo& t) {
    return {{"id", t.token_id},
            {"name", t.name},
            {"level", auth::TokenKindName(t.kind)},
            {"workspace_id", OrNull(t.workspace_id)},
            {"hint", t.hint},
            {"created_by", t.created_by},
            {"created_at", t.created_at},
            {"expires_at", OrNull(t.expires_at)},
            {"last_used_at", OrNull(t.last_used_at)},
            {"revoked_at", OrNull(t.revoked_at)}};
}

nlohmann::json ToJson(const Org& org) {
    return {{"id", org.org_id}, {"name", org.name}, {"created_at", org.created_at}};
}

nlohmann::json ToJson(const Workspace& w) {
    return {{"id", w.workspace_id},
            {"org_id", w.org_id},
            {"name", w.name},
            {"created_at", w.created_at}};
}

TokenStore::TokenStore(std::shared_ptr<Database> database,
                       auth::Pepper pepper,
                       const auth::Clock& clock)
    : database_(std::move(database)), pepper_(std::move(pepper)), clock_(clock) {}

scim::Result<Org> TokenStore::CreateOrg(std::string_view name, const scim::RequestContext& actor) {
    if (auto valid = ValidateName(name, "organization name"); !valid.ok()) {
        return valid.error();
    }
    if (actor.principal.kind != scim::CredentialKind::kCli) {
        return scim::Error::Forbidden("organizations are created with scimctl");
    }
    return database_->WithTransaction([&](soci::session& s) -> scim::Result<Org> {
        Org org{auth::RandomBase62(kIdRandomChars), std::string(name),
                auth::FormatTimestamp(clock_.Now())};
        s << "INSERT INTO orgs (org_id, name, created_at) VALUES (:id, :name, :at)",
            soci::use(org.org_id), soci::use(org.name), soci::use(org.created_at);
        scim::RequestContext context = actor;
        context.principal.org_id = org.org_id;
        scim::AuditEvent event{"org.created", "Org", org.org_id, {{"name", org.name}}};
        AppendAuditEvent(*database_, s, context, event, org.created_at);
        return org;
    });
}

scim::Result<std::vector<Org>> TokenStore::ListOrgs() {
    return database_->WithSession([&](soci::session& s) -> scim::Result<std::vector<Org>> {
        std::vector<Org> out;
        Org row;
        soci::statement st =
            (s.prepare << "SELECT org_id, name, created_at FROM orgs "
                          "ORDER BY created_at, org_id",
             soci::into(row.org_id), soci::into(row.name), soci::into(row.created_at));
        st.execute(false);
        while (st.fetch()) {
            out.push_back(row);
        }
        return out;
    });
}

scim::Result<Org> TokenStore::GetOrg(std::string_view org_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<Org> {
        Org org;
        org.org_id = std::string(org_id);
        s << "SELECT name, created_at FROM orgs WHERE org_id = :id", soci::into(org.name),
            soci::into(org.created_at), soci::use(org.org_id);
        if (!s.got_data()) {
            return scim::Error::NotFound("organization not found");
        }
        return org;
    });
}

scim::Result<Workspace> TokenStore::CreateWorkspace(std::string_view org_id,
                                                    std::string_view name,
                                                    const scim::RequestContext& actor) {
    if (auto valid = ValidateName(name, "workspace name"); !valid.ok()) {
        return valid.error();
    }
    auto context = ContextFor(org_id, actor);
    if (!context.ok()) {
        return context.error();
    }
    return database_->WithTransaction([&](soci::session& s) -> scim::Result<Workspace> {
        Workspace ws{std::string(org_id), "ws-" + auth::RandomBase62(kIdRandomChars),
                     std::string(name), auth::FormatTimestamp(clock_.Now())};
        if (!OrgExists(s, ws.org_id)) {
            return scim::Error::NotFound("organization not found");
        }
        int same_name = 0;
        s << "SELECT COUNT(*) FROM workspaces WHERE org_id = :org AND name = :name",
            soci::into(same_name), soci::use(ws.org_id), soci::use(ws.name);
        if (same_name > 0) {
            return scim::Error::Scim(scim::ScimType::kUniqueness,
                                     "a workspace with this name already exists");
        }
        s << "INSERT INTO workspaces (org_id, workspace_id, name, created_at) "
             "VALUES (:org, :id, :name, :at)",
            soci::use(ws.org_id), soci::use(ws.workspace_id), soci::use(ws.name),
            soci::use(ws.created_at);
        scim::AuditEvent event{"workspace.created",
                               "Workspace",
                               ws.workspace_id,
                               {{"name", ws.name}, {"workspace_id", ws.workspace_id}}};
        AppendAuditEvent(*database_, s, *context, event, ws.created_at);
        return ws;
    });
}

scim::Result<std::vector<Workspace>> TokenStore::ListWorkspaces(std::string_view org_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<std::vector<Workspace>> {
        const std::string org(org_id);
        if (!OrgExists(s, org)) {
            return scim::Error::NotFound("organization not found");
        }
        std::vector<Workspace> out;
        Workspace row;
        row.org_id = org;
        soci::statement st = (s.prepare << "SELECT workspace_id, name, created_at FROM workspaces "
                                           "WHERE org_id = :org ORDER BY name",
                              soci::into(row.workspace_id), soci::into(row.name),
                              soci::into(row.created_at), soci::use(org));
        st.execute(false);
        while (st.fetch()) {
            out.push_back(row);
        }
        return out;
    });
}

scim::Result<Workspace> TokenStore::GetWorkspace(std::string_view org_id,
                                                 std::string_view workspace_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<Workspace> {
        Workspace ws{std::string(org_id), std::string(workspace_id), {}, {}};
        s << "SELECT name, created_at FROM workspaces WHERE org_id = :org AND workspace_id = :id",
            soci::into(ws.name), soci::into(ws.created_at), soci::use(ws.org_id),
            soci::use(ws.workspace_id);
        if (!s.got_data()) {
            return scim::Error::NotFound("workspace not found");
        }
        return ws;
    });
}

scim::Result<IssuedToken> TokenStore::CreateToken(const TokenSpec& spec,
                                                  const scim::RequestContext& actor) {
    if (auto valid = ValidateName(spec.name, "token name"); !valid.ok()) {
        return valid.error();
    }
    const bool needs_workspace = spec.kind == auth::TokenKind::kWorkspace;
    if (needs_workspace != spec.workspace_id.has_value()) {
        return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                       needs_workspace
                                           ? "a workspace token needs a workspace"
                                           : "only workspace tokens belong to a workspace");
    }
    auto context = ContextFor(spec.org_id, actor);
    if (!context.ok()) {
        return context.error();
    }
    return database_->WithTransaction([&](soci::session& s) -> scim::Result<IssuedToken> {
        if (!OrgExists(s, spec.org_id)) {
            return scim::Error::NotFound("organization not found");
        }
        if (spec.workspace_id && !WorkspaceExists(s, spec.org_id, *spec.workspace_id)) {
            return scim::Error::NotFound("workspace not found");
        }
        auto secret = auth::Mint(spec.kind, spec.org_id);
        if (!secret.ok()) {
            return secret.error();
        }
        const auth::TimePoint now = clock_.Now();
        TokenInfo t;
        t.org_id = spec.org_id;
        t.token_id = NewTokenId(spec.kind);
        t.kind = spec.kind;
        t.workspace_id = spec.workspace_id;
        t.name = spec.name;
        t.hint = auth::Hint(secret->Reveal());
        t.created_by = ActorLabel(actor.principal);
        t.created_at = auth::FormatTimestamp(now);
        if (spec.expires_in) {
            t.expires_at = auth::FormatTimestamp(now + *spec.expires_in);
        }
        const std::string kind(auth::TokenKindName(t.kind));
        soci::indicator i_ws = t.workspace_id ? soci::i_ok : soci::i_null;
        soci::indicator i_exp = t.expires_at ? soci::i_ok : soci::i_null;
        const std::string ws = t.workspace_id.value_or("");
        const std::string exp = t.expires_at.value_or("");
        s << "INSERT INTO tokens (org_id, token_id, kind, workspace_id, name, hint, created_by, "
             "created_at, expires_at, last_used_at, revoked_at) VALUES (:org, :id, :kind, :ws, "
             ":name, :hint, :by, :at, :exp, NULL, NULL)",
            soci::use(t.org_id), soci::use(t.token_id), soci::use(kind), soci::use(ws, i_ws),
            soci::use(t.name), soci::use(t.hint), soci::use(t.created_by), soci::use(t.created_at),
            soci::use(exp, i_exp);
        InsertSecret(s, database_->dialect(), t.org_id, t.token_id, auth::Hash(*secret, pepper_),
                     t.created_at);
        scim::AuditEvent event = TokenEvent(t, "created");
        if (t.expires_at) {
            event.details["expires_at"] = *t.expires_at;
        }
        AppendAuditEvent(*database_, s, *context, event, t.created_at);
        return IssuedToken{std::move(t), std::move(*secret)};
    });
}

scim::Result<std::vector<TokenInfo>> TokenStore::ListTokens(std::string_view org_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<std::vector<TokenInfo>> {
        const std::string org(org_id);
        if (!OrgExists(s, org)) {
            return scim::Error::NotFound("organization not found");
        }
        TokenRow row;
        auto prepared = (s.prepare << "SELECT " << TokenRow::kColumns
                                   << " FROM tokens WHERE org_id = :org "
                                      "ORDER BY created_at DESC, token_id",
                         soci::use(org));
        row.Bind(prepared);
        soci::statement st(prepared);
        st.execute(false);
        std::vector<TokenInfo> out;
        while (st.fetch()) {
            out.push_back(row.ToInfo(org));
        }
        return out;
    });
}

scim::Result<TokenInfo> TokenStore::GetToken(std::string_view org_id, std::string_view token_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<TokenInfo> {
        auto t = SelectToken(s, std::string(org_id), std::string(token_id));
        if (!t) {
            return scim::Error::NotFound("token not found");
        }
        return std::move(*t);
    });
}

scim::Result<IssuedToken> TokenStore::RotateToken(std::string_view org_id,
                                                  std::string_view token_id,
                                                  std::optional<std::chrono::seconds> grace,
                                                  const scim::RequestContext& actor) {
    if (grace && *grace > kMaxRotationGrace) {
        // A grace is for switching clients over; a long one keeps a possibly leaked secret alive.
        return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                       "the grace period may be at most 30 days");
    }
    auto context = ContextFor(org_id, actor);
    if (!context.ok()) {
        return context.error();
    }
    return database_->WithTransaction([&](soci::session& s) -> scim::Result<IssuedToken> {
        const std::string org(org_id), id(token_id);
        auto t = SelectToken(s, org, id);
        if (!t) {
            return scim::Error::NotFound("token not found");
        }
        if (t->revoked_at) {
            return scim::Error::Conflict("a revoked token cannot be rotated");
        }
        auto secret = auth::Mint(t->kind, org);
        if (!secret.ok()) {
            return secret.error();
        }
        const auth::TimePoint now = clock_.Now();
        const std::string now_text = auth::FormatTimestamp(now);
        if (grace && grace->count() > 0) {
            // Old secrets live until the grace ends, never longer than they already would.
            const std::string until = auth::FormatTimestamp(now + *grace);
            s << "UPDATE token_secrets SET expires_at = :until WHERE org_id = :org AND "
                 "token_id = :id AND (expires_at IS NULL OR expires_at > :until2)",
                soci::use(until), soci::use(org), soci::use(id), soci::use(until);
            s << "DELETE FROM token_secrets WHERE org_id = :org AND token_id = :id AND "
                 "expires_at IS NOT NULL AND expires_at <= :now",
                soci::use(org), soci::use(id), soci::use(now_text);
        } else {
            s << "DELETE FROM token_secrets WHERE org_id = :org AND token_id = :id", soci::use(org),
                soci::use(id);
        }
        InsertSecret(s, database_->dialect(), org, id, auth::Hash(*secret, pepper_), now_text);
        t->hint = auth::Hint(secret->Reveal());
        s << "UPDATE tokens SET hint = :hint WHERE org_id = :org AND token_id = :id",
            soci::use(t->hint), soci::use(org), soci::use(id);
        scim::AuditEvent event = TokenEvent(*t, "rotated");
        event.details["grace_seconds"] = grace ? grace->count() : 0;
        AppendAuditEvent(*database_, s, *context, event, now_text);
        return IssuedToken{std::move(*t), std::move(*secret)};
    });
}

scim::Status TokenStore::RevokeToken(std::string_view org_id,
                                     std::string_view token_id,
                                     const scim::RequestContext& actor) {
    auto context = ContextFor(org_id, actor);
    if (!context.ok()) {
        return context.error();
    }
    return database_->WithTransaction([&](soci::session& s) -> scim::Status {
        const std::string org(org_id), id(token_id);
        auto t = SelectToken(s, org, id);
        if (!t) {
            return scim::Error::NotFound("token not found");
        }
        if (t->revoked_at) {
            return scim::Ok{};
        }
        const std::string now = auth::FormatTimestamp(clock_.Now());
        s << "UPDATE tokens SET revoked_at = :now WHERE org_id = :org AND token_id = :id",
            soci::use(now), soci::use(org), soci::use(id);
        s << "DELETE FROM token_secrets WHERE org_id = :org AND token_id = :id", soci::use(org),
            soci::use(id);
        AppendAuditEvent(*database_, s, *context, TokenEvent(*t, "revoked"), now);
        return scim::Ok{};
    });
}

scim::Result<std::string> TokenStore::FindTokenOrg(std::string_view token_id) {
    return database_->WithSession([&](soci::session& s) -> scim::Result<std::string> {
        std::string org;
        const std::string id(token_id);
        s << "SELECT org_id FROM tokens WHERE token_id = :id", soci::into(org), soci::use(id);
        if (!s.got_data()) {
            return scim::Error::NotFound("token not found");
        }
        return org;
    });
}

scim::Result<std::optional<auth::LiveCredential>> TokenStore::FindLiveCredential(
    std::string_view org_id, const auth::TokenHash& secret_hash, auth::TimePoint now) {
    const Dialect dialect = database_->dialect();
    return database_->WithSession(
        [&](soci::session& s) -> scim::Result<std::optional<auth::LiveCredential>> {
            const std::string org(org_id);
            HashBinding h = BindHash(dialect, secret_hash);
            auth::LiveCredential c;
            std::string kind, ws, last_used, expires, revoked, secret_expires, stored_hex;
            soci::indicator i_ws, i_last, i_exp, i_rev, i_sexp;
            s << "SELECT t.token_id, t.kind, t.workspace_id, t.name, t.last_used_at, "
                 "t.expires_at, t.revoked_at, s.expires_at, " +
                     HashAsHex(dialect, "s.secret_hash") +
                     " FROM token_secrets s JOIN tokens t ON t.org_id = s.org_id AND "
                     "t.token_id = s.token_id WHERE s.org_id = :org AND s.secret_hash = " +
                     h.expr,
                soci::into(c.token_id), soci::into(kind), soci::into(ws, i_ws), soci::into(c.name),
                soci::into(last_used, i_last), soci::into(expires, i_exp),
                soci::into(revoked, i_rev), soci::into(secret_expires, i_sexp),
                soci::into(stored_hex), soci::use(org), soci::use(h.value);
            std::optional<auth::LiveCredential> none;
            if (!s.got_data()) {
                return none;
            }
            auto stored = HashFromHex(stored_hex);
            auto token_kind = auth::TokenKindFromName(kind);
            if (!stored || !auth::HashesEqual(*stored, secret_hash) || !token_kind ||
                i_rev != soci::i_null) {
                return none;
            }
            // An unreadable expiry is treated as already passed: fail closed.
            auto expired = [&](const std::string& text, soci::indicator ind) {
                if (ind == soci::i_null) {
                    return false;
                }
                auto t = auth::ParseTimestamp(text);
                return !t || now >= *t;
            };
            if (expired(expires, i_exp) || expired(secret_expires, i_sexp)) {
                return none;
            }
            c.org_id = org;
            c.kind = *token_kind;
            c.workspace_id = Nullable(ws, i_ws);
            if (i_last != soci::i_null) {
                c.last_used_at = auth::ParseTimestamp(last_used);
            }
            return std::optional<auth::LiveCredential>(std::move(c));
        });
}

scim::Status TokenStore::TouchLastUsed(std::string_view org_id,
                                       std::string_view token_id,
                                       auth::TimePoint now) {
    return database_->WithSession([&](soci::session& s) -> scim::Status {
        const std::string org(org_id), id(token_id);
        const std::string now_text = auth::FormatTimestamp(now);
        const std::string cutoff = auth::FormatTimestamp(now - std::chrono::minutes(1));
        s << "UPDATE tokens SET last_used_at = :now WHERE org_id = :org AND token_id = :id AND "
             "(last_used_at IS NULL OR last_used_at <= :cutoff)",
            soci::use(now_text), soci::use(org), soci::use(id), soci::use(cutoff);
        return scim::Ok{};
    });
}

}  // namespace db

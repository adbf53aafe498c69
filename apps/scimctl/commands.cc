#include "apps/scimctl/commands.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/time.h"
#include "db/migrate.h"

namespace scimctl {
namespace {

int Fail(std::ostream& err, const scim::Error& error) {
    err << "scimctl: " << error.detail;
    if (!error.internal.empty()) {
        err << " (" << error.internal << ")";
    }
    err << "\n";
    return kExitError;
}

int Usage(std::ostream& err, std::string_view message) {
    err << "scimctl: " << message << "\n";
    return kExitUsage;
}

// Prints rows as left-aligned columns, two spaces apart.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        out << line << "\n";
    }
}

std::string OrDash(const std::optional<std::string>& v) {
    return v.value_or("-");
}

// The file of a sqlite: URL; nullopt for PostgreSQL and for sqlite::memory:.
std::optional<std::filesystem::path> SqliteFile(const std::string& url) {
    constexpr std::string_view kScheme = "sqlite:";
    if (!url.starts_with(kScheme) || url == "sqlite::memory:") {
        return std::nullopt;
    }
    return std::filesystem::path(url.substr(kScheme.size()));
}

void CreateSqliteDirectory(const std::string& url) {
    const auto file = SqliteFile(url);
    if (!file) {
        return;
    }
    std::filesystem::path parent = file->parent_path();
    std::error_code ignored;  // Open reports the real problem if the directory is still missing
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ignored);
    }
}

scim::RequestContext CliActor() {
    scim::RequestContext context;
    context.principal.kind = scim::CredentialKind::kCli;
    const char* user = std::getenv("USER");
    context.principal.credential_name = (user != nullptr && *user != '\0') ? user : "operator";
    context.request_id = "cli-" + auth::RandomBase62(12);
    return context;
}

// The org of a token id: the one given, or found by scanning.
scim::Result<std::string> OrgOfToken(Env& env, const std::string& id, const std::string& org) {
    if (!org.empty()) {
        return org;
    }
    return env.tokens->FindTokenOrg(id);
}

void PrintIssued(Env& env, const db::IssuedToken& issued) {
    const db::TokenInfo& t = issued.info;
    env.out << "id: " << t.token_id << "\n"
            << "level: " << auth::TokenKindName(t.kind) << "\n";
    if (t.workspace_id) {
        env.out << "workspace: " << *t.workspace_id << "\n";
    }
    env.out << "expires: " << OrDash(t.expires_at) << "\n"
            << "This secret is shown once; store it now. The next line is the secret.\n"
            << issued.secret.Reveal() << "\n";
}

}  // namespace

std::unique_ptr<Env> OpenEnv(const std::string& url,
                             const std::string& pepper_file,
                             const auth::Clock& clock,
                             std::ostream& out,
                             std::ostream& err,
                             bool may_create) {
    // SQLite creates a missing file on open, so a mistyped --db would otherwise show an empty
    // database to a read command, and a write other than the bootstrap would start a stray one.
    if (const auto file = SqliteFile(url); file && !may_create) {
        std::error_code ignored;
        if (!std::filesystem::exists(*file, ignored)) {
            err << "error: database file " << file->string()
                << " does not exist; check --db (or SCIMD_DB), or create the database with "
                   "'scimctl org create NAME'\n";
            return nullptr;
        }
    }
    auth::Pepper pepper;
    if (!pepper_file.empty()) {
        auto loaded = auth::Pepper::FromFile(pepper_file);
        if (!loaded.ok()) {
            Fail(err, loaded.error());
            return nullptr;
        }
        pepper = std::move(*loaded);
    }
    if (may_create) {
        CreateSqliteDirectory(url);
    }
    auto database = db::Database::Open(url, 1);
    if (!database.ok()) {
        Fail(err, database.error());
        return nullptr;
    }
    auto migrated = db::Migrate(**database);
    if (!migrated.ok()) {
        Fail(err, migrated.error());
        return nullptr;
    }
    auto env = std::unique_ptr<Env>(new Env{*database, nullptr, nullptr, CliActor(), out, err});
    env->tokens = std::make_unique<db::TokenStore>(env->database, std::move(pepper), clock);
    env->audit = std::make_unique<db::AuditStore>(env->database);
    return env;
}

int OrgCreate(Env& env, const std::string& name) {
    auto org = env.tokens->CreateOrg(name, env.actor);
    if (!org.ok()) {
        return Fail(env.err, org.error());
    }
    env.out << "created organization \"" << org->name << "\"\n" << org->org_id << "\n";
    return kExitOk;
}

int OrgList(Env& env, bool json) {
    auto orgs = env.tokens->ListOrgs();
    if (!orgs.ok()) {
        return Fail(env.err, orgs.error());
    }
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& o : *orgs) {
            arr.push_back(db::ToJson(o));
        }
        env.out << arr.dump(2) << "\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "CREATED"}};
    for (const auto& o : *orgs) {
        rows.push_back({o.org_id, o.name, o.created_at});
    }
    PrintTable(env.out, rows);
    return kExitOk;
}

int WorkspaceCreate(Env& env, const std::string& org, const std::string& name) {
    auto ws = env.tokens->CreateWorkspace(org, name, env.actor);
    if (!ws.ok()) {
        return Fail(env.err, ws.error());
    }
    env.out << "created workspace \"" << ws->name << "\" in " << org << "\n"
            << ws->workspace_id << "\n";
    return kExitOk;
}

int WorkspaceList(Env& env, const std::string& org, bool json) {
    auto list = env.tokens->ListWorkspaces(org);
    if (!list.ok()) {
        return Fail(env.err, list.error());
    }
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& w : *list) {
            arr.push_back(db::ToJson(w));
        }
        env.out << arr.dump(2) << "\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "CREATED"}};
    for (const auto& w : *list) {
        rows.push_back({w.workspace_id, w.name, w.created_at});
    }
    PrintTable(env.out, rows);
    return kExitOk;
}

int TokenCreate(Env& env, const TokenCreateArgs& args) {
    db::TokenSpec spec;
    spec.org_id = args.org;
    spec.kind = args.kind;
    spec.name = args.name;
    spec.workspace_id = args.workspace;
    if (args.workspace) {
        spec.kind = auth::TokenKind::kWorkspace;
    }
    if (args.expires_in) {
        spec.expires_in = auth::ParseDuration(*args.expires_in);
        if (!spec.expires_in) {
            return Usage(env.err,
                         "--expires-in must be a positive duration: a number above 0 and a unit, "
                         "such as 90d, 12h, 30m or 45s");
        }
    }
    auto issued = env.tokens->CreateToken(spec, env.actor);
    if (!issued.ok()) {
        return Fail(env.err, issued.error());
    }
    PrintIssued(env, *issued);
    return kExitOk;
}

int TokenList(Env& env, const std::string& org, bool json) {
    auto list = env.tokens->ListTokens(org);
    if (!list.ok()) {
        return Fail(env.err, list.error());
    }
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& t : *list) {
            arr.push_back(db::ToJson(t));
        }
        env.out << arr.dump(2) << "\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {
        {"ID", "NAME", "LEVEL", "WORKSPACE", "HINT", "CREATED", "EXPIRES", "LAST USED", "REVOKED"}};
    for (const auto& t : *list) {
        rows.push_back({t.token_id, t.name, std::string(auth::TokenKindName(t.kind)),
                        OrDash(t.workspace_id), t.hint, t.created_at, OrDash(t.expires_at),
                        OrDash(t.last_used_at), OrDash(t.revoked_at)});
    }
    PrintTable(env.out, rows);
    return kExitOk;
}

int TokenRotate(Env& env,
                const std::string& id,
                const std::string& org,
                const std::optional<std::string>& grace) {
    std::optional<std::chrono::seconds> grace_period;
    if (grace) {
        grace_period = auth::ParseDuration(*grace);
        if (!grace_period) {
            return Usage(env.err,
                         "--grace must be a positive duration: a number above 0 and a unit, such "
                         "as 10m, 1h or 30s");
        }
    }
    auto org_id = OrgOfToken(env, id, org);
    if (!org_id.ok()) {
        return Fail(env.err, org_id.error());
    }
    auto issued = env.tokens->RotateToken(*org_id, id, grace_period, env.actor);
    if (!issued.ok()) {
        return Fail(env.err, issued.error());
    }
    PrintIssued(env, *issued);
    return kExitOk;
}

int TokenRevoke(Env& env, const std::string& id, const std::string& org, bool admin_key) {
    auto org_id = OrgOfToken(env, id, org);
    if (!org_id.ok()) {
        return Fail(env.err, org_id.error());
    }
    auto token = env.tokens->GetToken(*org_id, id);
    if (!token.ok()) {
        return Fail(env.err, token.error());
    }
    if ((token->kind == auth::TokenKind::kAdmin) != admin_key) {
        return Usage(env.err, admin_key ? "this id is a token; use `token revoke`"
                                        : "this id is an admin key; use `admin-key revoke`");
    }
    if (auto revoked = env.tokens->RevokeToken(*org_id, id, env.actor); !revoked.ok()) {
        return Fail(env.err, revoked.error());
    }
    env.out << "revoked " << id << " (" << token->hint << ")\n";
    return kExitOk;
}

int TokenCheck(const std::string& token, std::ostream& out, std::ostream& err) {
    auto parsed = auth::Parse(token);
    if (!parsed) {
        err << "scimctl: not a scimd token (unknown prefix or wrong shape)\n";
        return kExitError;
    }
    if (!parsed->checksum_ok) {
        err << "scimctl: checksum mismatch: the token is mistyped or was altered\n";
        return kExitError;
    }
    out << "valid format: level " << auth::TokenKindName(parsed->kind) << ", organization "
        << parsed->org_id << ", hint " << auth::Hint(token) << "\n";
    return kExitOk;
}

int AuditTail(Env& env,
              const std::string& org,
              const std::optional<std::string>& since,
              bool json,
              const auth::Clock& clock) {
    db::AuditQuery query;
    query.org_id = org;
    if (since) {
        auto back = auth::ParseDuration(*since);
        auto at = back ? std::optional(clock.Now() - *back) : auth::ParseTimestamp(*since);
        if (!at) {
            return Usage(env.err, "--since takes an RFC 3339 time or a duration such as 1h");
        }
        query.created_after = auth::FormatTimestamp(*at);
    }
    if (auto org_row = env.tokens->GetOrg(org); !org_row.ok()) {
        return Fail(env.err, org_row.error());
    }
    std::vector<db::AuditRecord> events;
    while (true) {
        auto page = env.audit->List(query);
        if (!page.ok()) {
            return Fail(env.err, page.error());
        }
        std::move(page->events.begin(), page->events.end(), std::back_inserter(events));
        if (!page->next_cursor) {
            break;
        }
        query.cursor = page->next_cursor;
    }
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : events) {
            arr.push_back(db::ToJson(e));
        }
        env.out << arr.dump(2) << "\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows = {
        {"ID", "TIME", "ACTOR", "ACTION", "TARGET", "WORKSPACE"}};
    for (const auto& e : events) {
        rows.push_back({std::to_string(e.event_id), e.created_at,
                        e.actor_kind + ":" + e.actor_id.value_or(e.actor_name.value_or("-")),
                        e.action, OrDash(e.target_id), OrDash(e.workspace_id)});
    }
    PrintTable(env.out, rows);
    return kExitOk;
}

}  // namespace scimctl

#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "auth/token.h"
#include "db/audit_store.h"
#include "db/database.h"
#include "db/token_store.h"
#include "scim/principal.h"

// The verbs of scimctl, each a function from parsed flags to an exit code. They print results
// to `out` and problems to `err`; a secret is only ever printed as the last line of `out`.
namespace scimctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Everything a verb that touches the database needs, opened (and migrated) once.
struct Env {
    std::shared_ptr<db::Database> database;
    std::unique_ptr<db::TokenStore> tokens;
    std::unique_ptr<db::AuditStore> audit;
    scim::RequestContext actor;  // kind cli, name = the operating-system user
    std::ostream& out;
    std::ostream& err;
};

// Opens `url`, applies migrations and loads the pepper file when one is given. A missing SQLite
// file (and its directory) is created only when `may_create` is set, which only the bootstrap
// command (`org create`) does; otherwise a missing file is an error. Prints the problem to `err`
// and returns nullptr on failure.
std::unique_ptr<Env> OpenEnv(const std::string& url,
                             const std::string& pepper_file,
                             const auth::Clock& clock,
                             std::ostream& out,
                             std::ostream& err,
                             bool may_create);

int OrgCreate(Env& env, const std::string& name);
int OrgList(Env& env, bool json);
int WorkspaceCreate(Env& env, const std::string& org, const std::string& name);
int WorkspaceList(Env& env, const std::string& org, bool json);

struct TokenCreateArgs {
    std::string org;
    std::string name;
    std::optional<std::string> workspace;
    std::optional<std::string> expires_in;  // "90d", "12h", "30m"
    auth::TokenKind kind = auth::TokenKind::kOrg;
};
int TokenCreate(Env& env, const TokenCreateArgs& args);
int TokenList(Env& env, const std::string& org, bool json);
// `org` may be empty: the id is then looked up across orgs.
int TokenRotate(Env& env,
                const std::string& id,
                const std::string& org,
                const std::optional<std::string>& grace);
// `admin_key` selects which kind the id must be, so `token revoke` cannot revoke an admin key by
// mistake and the other way round.
int TokenRevoke(Env& env, const std::string& id, const std::string& org, bool admin_key);
// Offline format and checksum check; no database.
int TokenCheck(const std::string& token, std::ostream& out, std::ostream& err);
// `since` is an RFC 3339 time or a duration back from now ("1h").
int AuditTail(Env& env,
              const std::string& org,
              const std::optional<std::string>& since,
              bool json,
              const auth::Clock& clock);

}  // namespace scimctl

#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "auth/token.h"
#include "db/database.h"
#include "scim/principal.h"
#include "scim/result.h"

// Organizations, workspaces and their credentials (DESIGN.md §7) on the tables orgs, workspaces,
// tokens and token_secrets. Every change appends its audit event in the same transaction.
// Secrets are returned once, by CreateToken and RotateToken; nothing here ever returns a stored
// hash. Thread-safe (each call leases its own session).
namespace db {

struct Org {
    std::string org_id;
    std::string name;
    std::string created_at;
};

struct Workspace {
    std::string org_id;
    std::string workspace_id;
    std::string name;
    std::string created_at;
};

// A credential as listed and shown: never the secret or its hash.
struct TokenInfo {
    std::string org_id;
    std::string token_id;
    auth::TokenKind kind = auth::TokenKind::kOrg;
    std::optional<std::string> workspace_id;
    std::string name;
    std::string hint;
    std::string created_by;
    std::string created_at;
    std::optional<std::string> expires_at;
    std::optional<std::string> last_used_at;
    std::optional<std::string> revoked_at;
};

// JSON for listings: id, name, level, workspace_id, hint, created_by, created_at, expires_at,
// last_used_at, revoked_at (null when unset).
nlohmann::json ToJson(const TokenInfo& token);
nlohmann::json ToJson(const Org& org);
nlohmann::json ToJson(const Workspace& workspace);

// The result of minting: the stored record and the secret, to be shown once.
struct IssuedToken {
    TokenInfo info;
    auth::Secret secret;
};

struct TokenSpec {
    std::string org_id;
    auth::TokenKind kind = auth::TokenKind::kOrg;
    std::optional<std::string> workspace_id;         // required for kWorkspace, refused otherwise
    std::string name;                                // 1..200 characters
    std::optional<std::chrono::seconds> expires_in;  // none: the token does not expire
};

// The longest grace RotateToken accepts.
inline constexpr std::chrono::seconds kMaxRotationGrace = std::chrono::hours(24 * 30);

class TokenStore final : public auth::CredentialSource {
public:
    // `clock` must outlive the store.
    TokenStore(std::shared_ptr<Database> database, auth::Pepper pepper, const auth::Clock& clock);

    // Organizations. Names are 1..200 characters; ids are generated and token-safe.
    scim::Result<Org> CreateOrg(std::string_view name, const scim::RequestContext& actor);
    scim::Result<std::vector<Org>> ListOrgs();
    // 404 when the org does not exist.
    scim::Result<Org> GetOrg(std::string_view org_id);

    // Workspaces: unique names within an org (409 uniqueness on a duplicate); 404 for an unknown
    // org.
    scim::Result<Workspace> CreateWorkspace(std::string_view org_id,
                                            std::string_view name,
                                            const scim::RequestContext& actor);
    scim::Result<std::vector<Workspace>> ListWorkspaces(std::string_view org_id);
    scim::Result<Workspace> GetWorkspace(std::string_view org_id, std::string_view workspace_id);

    // Mints a token or admin key. created_by records the acting credential ("admin_key:<id>",
    // "cli:<name>"). Errors: 404 unknown org or workspace; 400 invalidValue for a bad name, a
    // workspace given for an org-level kind or missing for a workspace kind.
    scim::Result<IssuedToken> CreateToken(const TokenSpec& spec, const scim::RequestContext& actor);

    // Every credential of the org, newest first, revoked ones included.
    scim::Result<std::vector<TokenInfo>> ListTokens(std::string_view org_id);
    // 404 when there is no such token in the org.
    scim::Result<TokenInfo> GetToken(std::string_view org_id, std::string_view token_id);

    // Gives the token a new secret. The old secret stops working now, or after `grace` when one
    // is given (a grace already running is never extended). 400 when `grace` exceeds
    // kMaxRotationGrace, 404 unknown, 409 revoked.
    scim::Result<IssuedToken> RotateToken(std::string_view org_id,
                                          std::string_view token_id,
                                          std::optional<std::chrono::seconds> grace,
                                          const scim::RequestContext& actor);

    // Revokes the token and drops its secrets. Revoking twice is a no-op that still answers Ok.
    // 404 unknown.
    scim::Status RevokeToken(std::string_view org_id,
                             std::string_view token_id,
                             const scim::RequestContext& actor);

    // The org that holds `token_id`, for operator tools that are given only an id. This scans
    // the tokens table (there is deliberately no index on token_id alone, see DESIGN.md §4), so
    // it is for scimctl, not for request paths. 404 when no org has it.
    scim::Result<std::string> FindTokenOrg(std::string_view token_id);

    // auth::CredentialSource.
    scim::Result<std::optional<auth::LiveCredential>> FindLiveCredential(
        std::string_view org_id, const auth::TokenHash& secret_hash, auth::TimePoint now) override;
    // Writes last_used_at unless the stored value is already within the last minute, so several
    // instances together still write at most about once a minute per token.
    scim::Status TouchLastUsed(std::string_view org_id,
                               std::string_view token_id,
                               auth::TimePoint now) override;

private:
    std::shared_ptr<Database> database_;
    auth::Pepper pepper_;
    const auth::Clock& clock_;
};

// "admin_key:<id>", "org_sat:<id>", "cli:<name>": who created a token, for tokens.created_by.
std::string ActorLabel(const scim::Principal& principal);

}  // namespace db

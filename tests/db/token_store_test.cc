#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/time.h"
#include "token_fixture.h"

namespace db_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::optional<auth::LiveCredential> Lookup(db::TokenStore& store,
                                           const db::IssuedToken& token,
                                           auth::TimePoint now) {
    auto found =
        store.FindLiveCredential(token.info.org_id, auth::Hash(token.secret, auth::Pepper()), now);
    EXPECT_TRUE(found.ok()) << found.error().internal;
    return found.ok() ? *found : std::nullopt;
}

TEST_P(TokenStoreTest, CreatesAndListsOrgsAndWorkspaces) {
    std::string org = NewOrg("Acme");
    EXPECT_TRUE(auth::IsTokenSafeOrgId(org));
    auto ws = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_TRUE(ws.ok()) << ws.error().internal;

    auto orgs = tokens_->ListOrgs();
    ASSERT_TRUE(orgs.ok());
    bool listed = false;
    for (const auto& o : *orgs) {
        listed = listed || (o.org_id == org && o.name == "Acme");
    }
    EXPECT_TRUE(listed);
    auto workspaces = tokens_->ListWorkspaces(org);
    ASSERT_TRUE(workspaces.ok());
    ASSERT_EQ(workspaces->size(), 1u);
    EXPECT_EQ((*workspaces)[0].workspace_id, ws->workspace_id);
    EXPECT_EQ((*workspaces)[0].created_at, auth::FormatTimestamp(clock_.Now()));
}

TEST_P(TokenStoreTest, DuplicateWorkspaceNameIsAConflict) {
    std::string org = NewOrg();
    ASSERT_TRUE(tokens_->CreateWorkspace(org, "EMEA", cli_).ok());
    auto again = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().status, 409);
    EXPECT_EQ(tokens_->CreateWorkspace("no-such-org", "x", cli_).error().status, 404);
}

// Regression: a NUL in a name failed the write on PostgreSQL with a 500 (scimctl had no check).
TEST_P(TokenStoreTest, NamesWithControlCharactersAreRefused) {
    std::string org = NewOrg();
    for (const std::string& name :
         {std::string("a\0b", 3), std::string("tab\there"), std::string("bell\x7f")}) {
        auto workspace = tokens_->CreateWorkspace(org, name, cli_);
        ASSERT_FALSE(workspace.ok());
        EXPECT_EQ(workspace.error().status, 400);
        EXPECT_FALSE(tokens_->CreateOrg(name, cli_).ok());
    }
}

TEST_P(TokenStoreTest, CreatedTokenIsFoundByItsHashAndListedWithoutSecrets) {
    std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    EXPECT_TRUE(token.secret.Reveal().starts_with("scimd_osat_" + org + "_"));
    EXPECT_EQ(token.info.hint, auth::Hint(token.secret.Reveal()));
    EXPECT_EQ(token.info.created_by, "cli:tester");

    auto live = Lookup(*tokens_, token, clock_.Now());
    ASSERT_TRUE(live.has_value());
    EXPECT_EQ(live->token_id, token.info.token_id);
    EXPECT_EQ(live->kind, auth::TokenKind::kOrg);

    auto listed = tokens_->ListTokens(org);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    std::string json = db::ToJson((*listed)[0]).dump();
    EXPECT_EQ(json.find(std::string(token.secret.Reveal())), std::string::npos);
    EXPECT_EQ(json.find(std::string(token.secret.Reveal().substr(20, 20))), std::string::npos);
    EXPECT_EQ(auth::TokenKindName((*listed)[0].kind), "org");
}

TEST_P(TokenStoreTest, WrongOrgOrWrongHashFindsNothing) {
    std::string org = NewOrg();
    std::string other = NewOrg("Other");
    db::IssuedToken token = NewToken(org);
    auto hash = auth::Hash(token.secret, auth::Pepper());
    auto found = tokens_->FindLiveCredential(other, hash, clock_.Now());
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value());
    hash[0] ^= 1;
    found = tokens_->FindLiveCredential(org, hash, clock_.Now());
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value());
}

TEST_P(TokenStoreTest, WorkspaceTokensNeedAnExistingWorkspace) {
    std::string org = NewOrg();
    auto ws = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_TRUE(ws.ok());
    db::IssuedToken token = NewToken(org, auth::TokenKind::kWorkspace, ws->workspace_id);
    auto live = Lookup(*tokens_, token, clock_.Now());
    ASSERT_TRUE(live.has_value());
    EXPECT_EQ(live->workspace_id, ws->workspace_id);

    db::TokenSpec spec{org, auth::TokenKind::kWorkspace, std::nullopt, "x", std::nullopt};
    EXPECT_EQ(tokens_->CreateToken(spec, cli_).error().status, 400);
    spec.workspace_id = "ws-missing";
    EXPECT_EQ(tokens_->CreateToken(spec, cli_).error().status, 404);
    spec.kind = auth::TokenKind::kOrg;
    spec.workspace_id = ws->workspace_id;
    EXPECT_EQ(tokens_->CreateToken(spec, cli_).error().status, 400);
}

TEST_P(TokenStoreTest, ExpiredTokenIsNotLive) {
    std::string org = NewOrg();
    db::TokenSpec spec{org, auth::TokenKind::kOrg, std::nullopt, "short", seconds(30)};
    auto token = tokens_->CreateToken(spec, cli_);
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(Lookup(*tokens_, *token, clock_.Now() + seconds(29)).has_value());
    EXPECT_FALSE(Lookup(*tokens_, *token, clock_.Now() + seconds(30)).has_value());
}

TEST_P(TokenStoreTest, RevokedTokenIsNotLiveAndRevokeIsIdempotent) {
    std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    ASSERT_TRUE(tokens_->RevokeToken(org, token.info.token_id, cli_).ok());
    EXPECT_FALSE(Lookup(*tokens_, token, clock_.Now()).has_value());
    EXPECT_TRUE(tokens_->RevokeToken(org, token.info.token_id, cli_).ok());
    auto shown = tokens_->GetToken(org, token.info.token_id);
    ASSERT_TRUE(shown.ok());
    EXPECT_TRUE(shown->revoked_at.has_value());
    EXPECT_EQ(tokens_->RevokeToken(org, "tok-missing", cli_).error().status, 404);
    EXPECT_EQ(tokens_->RotateToken(org, token.info.token_id, std::nullopt, cli_).error().status,
              409);
}

TEST_P(TokenStoreTest, RotationWithoutGraceStopsTheOldSecretAtOnce) {
    std::string org = NewOrg();
    db::IssuedToken old_token = NewToken(org);
    auto rotated = tokens_->RotateToken(org, old_token.info.token_id, std::nullopt, cli_);
    ASSERT_TRUE(rotated.ok()) << rotated.error().internal;
    EXPECT_NE(rotated->secret.Reveal(), old_token.secret.Reveal());
    EXPECT_EQ(rotated->info.token_id, old_token.info.token_id);
    EXPECT_FALSE(Lookup(*tokens_, old_token, clock_.Now()).has_value());
    EXPECT_TRUE(Lookup(*tokens_, *rotated, clock_.Now()).has_value());
    auto shown = tokens_->GetToken(org, old_token.info.token_id);
    ASSERT_TRUE(shown.ok());
    EXPECT_EQ(shown->hint, auth::Hint(rotated->secret.Reveal()));
}

TEST_P(TokenStoreTest, RotationGraceKeepsTheOldSecretUntilItEnds) {
    std::string org = NewOrg();
    db::IssuedToken old_token = NewToken(org);
    auto rotated = tokens_->RotateToken(org, old_token.info.token_id, minutes(10), cli_);
    ASSERT_TRUE(rotated.ok());
    EXPECT_TRUE(Lookup(*tokens_, old_token, clock_.Now() + minutes(9)).has_value());
    EXPECT_FALSE(Lookup(*tokens_, old_token, clock_.Now() + minutes(10)).has_value());
    EXPECT_TRUE(Lookup(*tokens_, *rotated, clock_.Now() + minutes(10)).has_value());

    // A second rotation with a longer grace does not extend the first one.
    clock_.Advance(minutes(1));
    auto again = tokens_->RotateToken(org, old_token.info.token_id, minutes(60), cli_);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(Lookup(*tokens_, old_token, clock_.Now() + minutes(9)).has_value());
    EXPECT_TRUE(Lookup(*tokens_, *rotated, clock_.Now() + minutes(59)).has_value());
}

TEST_P(TokenStoreTest, LastUsedIsWrittenAtMostOncePerMinute) {
    std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    const auth::TimePoint t0 = clock_.Now();
    ASSERT_TRUE(tokens_->TouchLastUsed(org, token.info.token_id, t0).ok());
    ASSERT_TRUE(tokens_->TouchLastUsed(org, token.info.token_id, t0 + seconds(30)).ok());
    EXPECT_EQ(tokens_->GetToken(org, token.info.token_id)->last_used_at, auth::FormatTimestamp(t0));
    ASSERT_TRUE(tokens_->TouchLastUsed(org, token.info.token_id, t0 + seconds(61)).ok());
    EXPECT_EQ(tokens_->GetToken(org, token.info.token_id)->last_used_at,
              auth::FormatTimestamp(t0 + seconds(61)));
}

TEST_P(TokenStoreTest, CredentialsOfOneOrgCannotActOnAnother) {
    std::string org = NewOrg();
    std::string other = NewOrg("Other");
    db::IssuedToken token = NewToken(other);
    scim::RequestContext admin;
    admin.principal.org_id = org;
    admin.principal.kind = scim::CredentialKind::kAdminKey;
    admin.principal.credential_id = "key-x";
    EXPECT_EQ(tokens_->RevokeToken(other, token.info.token_id, admin).error().status, 404);
    EXPECT_EQ(tokens_->CreateWorkspace(other, "x", admin).error().status, 404);
    EXPECT_TRUE(Lookup(*tokens_, token, clock_.Now()).has_value());
}

TEST_P(TokenStoreTest, FindTokenOrgLocatesAnId) {
    std::string org = NewOrg();
    db::IssuedToken token = NewToken(org, auth::TokenKind::kAdmin);
    EXPECT_TRUE(token.info.token_id.starts_with("key-"));
    auto found = tokens_->FindTokenOrg(token.info.token_id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(*found, org);
    EXPECT_EQ(tokens_->FindTokenOrg("tok-nothing").error().status, 404);
}

TEST_P(TokenStoreTest, EveryChangeIsAuditedWithTheCliActor) {
    std::string org = NewOrg();
    auto ws = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_TRUE(ws.ok());
    db::IssuedToken token = NewToken(org, auth::TokenKind::kWorkspace, ws->workspace_id);
    ASSERT_TRUE(tokens_->RotateToken(org, token.info.token_id, minutes(5), cli_).ok());
    ASSERT_TRUE(tokens_->RevokeToken(org, token.info.token_id, cli_).ok());

    auto page = audit_->List({org, std::nullopt, std::nullopt, std::nullopt, 100});
    ASSERT_TRUE(page.ok()) << page.error().internal;
    std::vector<std::string> actions;
    for (const auto& e : page->events) {
        actions.push_back(e.action);
        EXPECT_EQ(e.actor_kind, "cli");
        EXPECT_EQ(e.actor_name, "tester");
        EXPECT_EQ(e.request_id, "req-1");
    }
    EXPECT_EQ(actions,
              (std::vector<std::string>{"org.created", "workspace.created", "token.created",
                                        "token.rotated", "token.revoked"}));
    EXPECT_EQ(page->events[2].target_id, token.info.token_id);
    EXPECT_EQ(page->events[2].workspace_id, ws->workspace_id);
    EXPECT_FALSE(page->next_cursor.has_value());
    for (const auto& e : page->events) {
        EXPECT_EQ(db::ToJson(e).dump().find(std::string(token.secret.Reveal())), std::string::npos);
    }
}

TEST_P(TokenStoreTest, FailedChangeLeavesNoAuditEvent) {
    std::string org = NewOrg();
    ASSERT_TRUE(tokens_->CreateWorkspace(org, "EMEA", cli_).ok());
    ASSERT_FALSE(tokens_->CreateWorkspace(org, "EMEA", cli_).ok());
    auto page = audit_->List({org, std::nullopt, std::nullopt, std::nullopt, 100});
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->events.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TokenStoreTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

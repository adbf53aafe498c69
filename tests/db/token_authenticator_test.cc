#include <string>

#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/time.h"
#include "token_fixture.h"

// The Authenticator on a real TokenStore: what a request sees after each store operation.
namespace db_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

scim::Result<scim::Principal> Present(auth::Authenticator& auth, const db::IssuedToken& token) {
    return auth.Authenticate("Bearer " + std::string(token.secret.Reveal()), "192.0.2.1");
}

TEST_P(TokenAuthenticatorTest, FollowsTheTokenLifecycle) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_);
    std::string org = NewOrg();
    auto ws = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_TRUE(ws.ok());

    db::IssuedToken org_sat = NewToken(org);
    auto principal = Present(auth, org_sat);
    ASSERT_TRUE(principal.ok()) << principal.error().internal;
    EXPECT_EQ(principal->org_id, org);
    EXPECT_EQ(principal->credential_id, org_sat.info.token_id);
    EXPECT_TRUE(auth::RequireOrgSat(*principal).ok());

    db::IssuedToken ws_sat = NewToken(org, auth::TokenKind::kWorkspace, ws->workspace_id);
    principal = Present(auth, ws_sat);
    ASSERT_TRUE(principal.ok());
    EXPECT_EQ(principal->workspace_id, ws->workspace_id);
    EXPECT_EQ(auth::RequireOrgSat(*principal).error().status, 403);

    db::IssuedToken admin = NewToken(org, auth::TokenKind::kAdmin);
    principal = Present(auth, admin);
    ASSERT_TRUE(principal.ok());
    EXPECT_TRUE(auth::RequireAdminKey(*principal).ok());
    EXPECT_EQ(auth::RequireOrgSat(*principal).error().status, 403);

    auto rotated = tokens_->RotateToken(org, org_sat.info.token_id, minutes(1), cli_);
    ASSERT_TRUE(rotated.ok());
    EXPECT_TRUE(Present(auth, org_sat).ok());
    EXPECT_TRUE(Present(auth, *rotated).ok());
    clock_.Advance(minutes(1));
    EXPECT_EQ(Present(auth, org_sat).error().status, 401);
    EXPECT_TRUE(Present(auth, *rotated).ok());

    ASSERT_TRUE(tokens_->RevokeToken(org, org_sat.info.token_id, cli_).ok());
    auto revoked = Present(auth, *rotated);
    ASSERT_FALSE(revoked.ok());
    EXPECT_EQ(revoked.error().status, 401);
    EXPECT_EQ(revoked.error().detail, auth::kUnauthorizedDetail);
}

TEST_P(TokenAuthenticatorTest, RevokingTheCreatingAdminKeyLeavesTheTokenWorking) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_);
    std::string org = NewOrg();
    db::IssuedToken admin = NewToken(org, auth::TokenKind::kAdmin);
    auto admin_principal = Present(auth, admin);
    ASSERT_TRUE(admin_principal.ok());
    scim::RequestContext as_admin{*admin_principal, "req-2", "192.0.2.1"};

    db::TokenSpec spec{org, auth::TokenKind::kOrg, std::nullopt, "entra", std::nullopt};
    auto sat = tokens_->CreateToken(spec, as_admin);
    ASSERT_TRUE(sat.ok());
    EXPECT_EQ(sat->info.created_by, "admin_key:" + admin.info.token_id);
    ASSERT_TRUE(tokens_->RevokeToken(org, admin.info.token_id, cli_).ok());
    EXPECT_TRUE(Present(auth, *sat).ok());
}

TEST_P(TokenAuthenticatorTest, StampsLastUsedOnUse) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_);
    std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    ASSERT_TRUE(Present(auth, token).ok());
    EXPECT_EQ(tokens_->GetToken(org, token.info.token_id)->last_used_at,
              auth::FormatTimestamp(clock_.Now()));
    clock_.Advance(seconds(20));
    ASSERT_TRUE(Present(auth, token).ok());
    EXPECT_NE(tokens_->GetToken(org, token.info.token_id)->last_used_at,
              auth::FormatTimestamp(clock_.Now()));
}

TEST_P(TokenAuthenticatorTest, PepperedStoreRejectsUnpepperedVerification) {
    auto pepper = auth::Pepper::FromBytes(auth::Secret(std::string(32, 'q')));
    ASSERT_TRUE(pepper.ok());
    db::TokenStore peppered(db_, *pepper, clock_);
    std::string org = NewOrg();
    db::TokenSpec spec{org, auth::TokenKind::kOrg, std::nullopt, "p", std::nullopt};
    auto token = peppered.CreateToken(spec, cli_);
    ASSERT_TRUE(token.ok());
    auth::Authenticator with_pepper(peppered, *pepper, clock_);
    auth::Authenticator without(peppered, auth::Pepper(), clock_);
    EXPECT_TRUE(Present(with_pepper, *token).ok());
    EXPECT_EQ(Present(without, *token).error().status, 401);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TokenAuthenticatorTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

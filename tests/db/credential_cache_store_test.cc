#include <string>

#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "token_fixture.h"

// The credential cache over a real TokenStore: a change written through another database handle
// (another scimd instance, scimctl) is seen once the cached verification ages out; one made in
// this process is seen at once because the caller evicts the token. Instantiated for SQLite and
// PostgreSQL with the rest of TokenAuthenticatorTest.
namespace db_test {
namespace {

scim::Result<scim::Principal> Use(auth::Authenticator& auth, const auth::Secret& secret) {
    return auth.Authenticate("Bearer " + std::string(secret.Reveal()), "192.0.2.1");
}

auth::AuthenticatorOptions Cached() {
    auth::AuthenticatorOptions options;
    options.credential_cache_ttl = auth::kMaxCredentialCacheTtl;
    return options;
}

TEST_P(TokenAuthenticatorTest, RevocationThroughAnotherHandleIsRefusedOnceTheCacheAgesOut) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_, Cached());
    const std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    ASSERT_TRUE(Use(auth, token.secret).ok());

    auto other_db = db::Database::Open(url_, 1);
    ASSERT_TRUE(other_db.ok()) << other_db.error().internal;
    db::TokenStore other(*other_db, auth::Pepper(), clock_);
    ASSERT_TRUE(other.RevokeToken(org, token.info.token_id, cli_).ok());

    // Same instant: this process has not looked again, by design.
    EXPECT_TRUE(Use(auth, token.secret).ok());
    clock_.Advance(std::chrono::seconds(1));  // past the TTL
    auto refused = Use(auth, token.secret);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 401);
}

TEST_P(TokenAuthenticatorTest, RevocationThroughThisProcessIsRefusedAtOnceAfterForget) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_, Cached());
    const std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    db::IssuedToken bystander = NewToken(org);
    ASSERT_TRUE(Use(auth, token.secret).ok());
    ASSERT_TRUE(Use(auth, bystander.secret).ok());

    ASSERT_TRUE(tokens_->RevokeToken(org, token.info.token_id, cli_).ok());
    auth.Forget(org, token.info.token_id);
    EXPECT_EQ(Use(auth, token.secret).error().status, 401);
    EXPECT_TRUE(Use(auth, bystander.secret).ok());
}

TEST_P(TokenAuthenticatorTest, RotationWithoutGraceRefusesTheCachedOldSecretAfterForget) {
    auth::Authenticator auth(*tokens_, auth::Pepper(), clock_, Cached());
    const std::string org = NewOrg();
    db::IssuedToken token = NewToken(org);
    ASSERT_TRUE(Use(auth, token.secret).ok());

    auto rotated = tokens_->RotateToken(org, token.info.token_id, std::nullopt, cli_);
    ASSERT_TRUE(rotated.ok());
    auth.Forget(org, token.info.token_id);
    EXPECT_EQ(Use(auth, token.secret).error().status, 401);
    EXPECT_TRUE(Use(auth, rotated->secret).ok());
}

}  // namespace
}  // namespace db_test

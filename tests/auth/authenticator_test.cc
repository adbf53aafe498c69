#include "auth/authenticator.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/token.h"

namespace auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class FakeClock final : public Clock {
public:
    TimePoint Now() const override { return now_; }
    void Advance(std::chrono::seconds d) { now_ += d; }

private:
    TimePoint now_ = TimePoint{} + std::chrono::hours(24 * 365 * 56);
};

// An in-memory credential source with the same liveness rules as the store: a credential matches
// by (org, hash) and is live while neither revoked nor expired.
class FakeSource final : public CredentialSource {
public:
    struct Entry {
        LiveCredential credential;
        std::optional<TimePoint> expires_at;
        bool revoked = false;
    };

    scim::Result<std::optional<LiveCredential>> FindLiveCredential(std::string_view org_id,
                                                                   const TokenHash& hash,
                                                                   TimePoint now) override {
        ++lookups;
        if (fail_lookups) {
            return scim::Error::Unavailable("test");
        }
        for (const Entry& e : entries) {
            if (e.credential.org_id == org_id &&
                HashesEqual(hashes.at(e.credential.token_id), hash) && !e.revoked &&
                (!e.expires_at || now < *e.expires_at)) {
                return std::optional<LiveCredential>(e.credential);
            }
        }
        return std::optional<LiveCredential>();
    }

    scim::Status TouchLastUsed(std::string_view,
                               std::string_view token_id,
                               TimePoint now) override {
        touches.emplace_back(token_id);
        for (Entry& e : entries) {
            if (e.credential.token_id == token_id) {
                e.credential.last_used_at = now;
            }
        }
        return scim::Ok{};
    }

    std::string Add(TokenKind kind,
                    std::string org_id,
                    std::string token_id,
                    std::optional<std::string> workspace = std::nullopt) {
        auto token = Mint(kind, org_id);
        EXPECT_TRUE(token.ok());
        Entry e;
        e.credential = {org_id, token_id, "name-" + token_id, kind, workspace, std::nullopt};
        entries.push_back(e);
        hashes[token_id] = Hash(*token, pepper);
        return std::string(token->Reveal());
    }

    Entry& Get(const std::string& token_id) {
        for (Entry& e : entries) {
            if (e.credential.token_id == token_id) {
                return e;
            }
        }
        throw std::out_of_range(token_id);
    }

    Pepper pepper;
    std::vector<Entry> entries;
    std::map<std::string, TokenHash> hashes;
    std::vector<std::string> touches;
    int lookups = 0;
    bool fail_lookups = false;
};

class AuthenticatorTest : public testing::Test {
protected:
    AuthenticatorTest() : auth_(source_, Pepper(), clock_, Options()) {}

    static AuthenticatorOptions Options() {
        AuthenticatorOptions o;
        o.max_failures = 3;
        o.failure_window = seconds(60);
        return o;
    }

    scim::Result<scim::Principal> Call(const std::string& token,
                                       std::string_view addr = "10.0.0.1") {
        return auth_.Authenticate("Bearer " + token, addr);
    }

    FakeClock clock_;
    FakeSource source_;
    Authenticator auth_;
};

TEST_F(AuthenticatorTest, ValidOrgSatGivesItsPrincipal) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    auto principal = Call(token);
    ASSERT_TRUE(principal.ok()) << principal.error().detail;
    EXPECT_EQ(principal->org_id, "acme");
    EXPECT_EQ(principal->credential_id, "t1");
    EXPECT_EQ(principal->credential_name, "name-t1");
    EXPECT_EQ(principal->kind, scim::CredentialKind::kOrgSat);
    EXPECT_FALSE(principal->workspace_id.has_value());
}

TEST_F(AuthenticatorTest, WorkspaceSatCarriesItsWorkspace) {
    std::string token = source_.Add(TokenKind::kWorkspace, "acme", "t2", "ws1");
    auto principal = Call(token);
    ASSERT_TRUE(principal.ok());
    EXPECT_EQ(principal->kind, scim::CredentialKind::kWorkspaceSat);
    EXPECT_EQ(principal->workspace_id, "ws1");
}

TEST_F(AuthenticatorTest, SchemeIsCaseInsensitiveAndExtraSpacesAreAllowed) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    EXPECT_TRUE(auth_.Authenticate("bearer " + token, "a").ok());
    EXPECT_TRUE(auth_.Authenticate("BEARER   " + token + " ", "a").ok());
}

TEST_F(AuthenticatorTest, EveryFailureIsTheSameGeneric401) {
    std::string good = source_.Add(TokenKind::kOrg, "acme", "t1");
    std::string expired = source_.Add(TokenKind::kOrg, "acme", "t2");
    source_.Get("t2").expires_at = clock_.Now();
    std::string revoked = source_.Add(TokenKind::kOrg, "acme", "t3");
    source_.Get("t3").revoked = true;
    std::string bad_checksum = good;
    bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
    std::string unknown(Mint(TokenKind::kOrg, "acme")->Reveal());
    std::string other_org = good;
    other_org.replace(std::string_view("scimd_osat_").size(), 4, "acmf");

    const std::vector<std::string> headers = {
        "",
        "Bearer",
        "Bearer ",
        "Basic " + good,
        "Bearer " + good + " extra",
        "Bearer not-a-token",
        "Bearer " + bad_checksum,
        "Bearer " + unknown,
        "Bearer " + expired,
        "Bearer " + revoked,
        "Bearer " + other_org,
        "Token " + good,
    };
    for (std::size_t i = 0; i < headers.size(); ++i) {
        // A fresh address each time so that throttling stays out of this test.
        auto result = auth_.Authenticate(headers[i], "addr-" + std::to_string(i));
        ASSERT_FALSE(result.ok()) << i;
        EXPECT_EQ(result.error().status, 401) << i;
        EXPECT_EQ(result.error().detail, kUnauthorizedDetail) << i;
    }
}

TEST_F(AuthenticatorTest, MalformedTokensNeverReachTheStore) {
    std::string good = source_.Add(TokenKind::kOrg, "acme", "t1");
    std::string bad_checksum = good;
    bad_checksum[20] = bad_checksum[20] == 'a' ? 'b' : 'a';
    (void)Call("garbage", "x1");
    (void)Call(bad_checksum, "x2");
    EXPECT_EQ(source_.lookups, 0);
}

TEST_F(AuthenticatorTest, ExpiryTakesEffectAtTheExpiryInstant) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    source_.Get("t1").expires_at = clock_.Now() + seconds(10);
    EXPECT_TRUE(Call(token).ok());
    clock_.Advance(seconds(10));
    EXPECT_EQ(Call(token).error().status, 401);
}

TEST_F(AuthenticatorTest, RevocationTakesEffectOnTheNextRequest) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    EXPECT_TRUE(Call(token).ok());
    source_.Get("t1").revoked = true;
    EXPECT_EQ(Call(token).error().status, 401);
}

TEST_F(AuthenticatorTest, LastUsedIsWrittenAtMostOncePerMinute) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    EXPECT_TRUE(Call(token).ok());
    EXPECT_TRUE(Call(token).ok());
    clock_.Advance(seconds(59));
    EXPECT_TRUE(Call(token).ok());
    EXPECT_EQ(source_.touches.size(), 1u);
    clock_.Advance(seconds(1));
    EXPECT_TRUE(Call(token).ok());
    EXPECT_EQ(source_.touches.size(), 2u);
}

TEST_F(AuthenticatorTest, StoreFailureIsNotA401AndNotCountedAsFailure) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    source_.fail_lookups = true;
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(Call(token).error().status, 503);
    }
    source_.fail_lookups = false;
    EXPECT_TRUE(Call(token).ok());
}

TEST_F(AuthenticatorTest, RepeatedFailuresFromOneAddressAreThrottled) {
    std::string token = source_.Add(TokenKind::kOrg, "acme", "t1");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Call("wrong", "10.0.0.9").error().status, 401);
    }
    EXPECT_EQ(auth_.RetryAfter("10.0.0.9"), seconds(60));
    auto throttled = Call("wrong", "10.0.0.9");
    ASSERT_FALSE(throttled.ok());
    EXPECT_EQ(throttled.error().status, 429);
    // A valid token from the throttled address is still served: several tenants' IdPs may
    // share the address, and one tenant's stale token must not stop the others.
    EXPECT_TRUE(Call(token, "10.0.0.9").ok());

    // Other addresses are unaffected.
    EXPECT_TRUE(Call(token, "10.0.0.10").ok());
    EXPECT_EQ(auth_.RetryAfter("10.0.0.10"), seconds(0));

    clock_.Advance(seconds(45));
    EXPECT_EQ(auth_.RetryAfter("10.0.0.9"), seconds(15));
    clock_.Advance(seconds(15));
    EXPECT_EQ(auth_.RetryAfter("10.0.0.9"), seconds(0));
    EXPECT_TRUE(Call(token, "10.0.0.9").ok());
}

TEST_F(AuthenticatorTest, FailuresSpreadOverWindowsDoNotThrottle) {
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(Call("wrong", "10.0.0.9").error().status, 401);
        clock_.Advance(seconds(31));
    }
}

TEST(AuthenticatorLimitsTest, TrackedAddressesStayBounded) {
    FakeClock clock;
    FakeSource source;
    AuthenticatorOptions options;
    options.max_failures = 1;
    options.max_tracked_addresses = 10;
    options.failure_window = seconds(1000);
    Authenticator auth(source, Pepper(), clock, options);
    for (int i = 0; i < 100; ++i) {
        (void)auth.Authenticate("", "addr-" + std::to_string(i));
        clock.Advance(seconds(1));
    }
    // The newest address is still tracked and throttled; the oldest were dropped.
    EXPECT_GT(auth.RetryAfter("addr-99"), seconds(0));
    EXPECT_EQ(auth.RetryAfter("addr-0"), seconds(0));
}

TEST(AccessLevelTest, ScimNeedsAnOrgSat) {
    scim::Principal p;
    p.org_id = "acme";
    p.kind = scim::CredentialKind::kOrgSat;
    EXPECT_TRUE(RequireOrgSat(p).ok());
    for (auto kind : {scim::CredentialKind::kWorkspaceSat, scim::CredentialKind::kAdminKey}) {
        p.kind = kind;
        auto status = RequireOrgSat(p);
        ASSERT_FALSE(status.ok());
        EXPECT_EQ(status.error().status, 403);
        EXPECT_NE(status.error().detail.find("organization service access token"),
                  std::string::npos);
    }
}

TEST(AccessLevelTest, TokenAdminNeedsAnAdminKey) {
    scim::Principal p;
    p.org_id = "acme";
    p.kind = scim::CredentialKind::kAdminKey;
    EXPECT_TRUE(RequireAdminKey(p).ok());
    p.kind = scim::CredentialKind::kOrgSat;
    auto status = RequireAdminKey(p);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().status, 403);
    EXPECT_NE(status.error().detail.find("admin key"), std::string::npos);
    p.kind = scim::CredentialKind::kWorkspaceSat;
    EXPECT_TRUE(RequireAnyCredential(p).ok());
}

}  // namespace
}  // namespace auth

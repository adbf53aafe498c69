#include <functional>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/token.h"

// The authenticator's cache of verified credentials: how long it trusts one, and what makes it
// ask the store again.
namespace auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SteppingClock final : public Clock {
public:
    TimePoint Now() const override { return now_; }
    void Advance(std::chrono::milliseconds d) { now_ += d; }

private:
    TimePoint now_ = TimePoint{} + std::chrono::hours(24 * 365 * 56);
};

// Credentials by hash; a revoked one is simply not found. Counts every call.
class CountingSource final : public CredentialSource {
public:
    scim::Result<std::optional<LiveCredential>> FindLiveCredential(std::string_view,
                                                                   const TokenHash& hash,
                                                                   TimePoint) override {
        ++lookups;
        if (during_lookup) {
            during_lookup();
        }
        for (const auto& [token_id, entry] : live) {
            if (HashesEqual(entry.first, hash)) {
                return std::optional<LiveCredential>(entry.second);
            }
        }
        return std::optional<LiveCredential>();
    }

    scim::Status TouchLastUsed(std::string_view, std::string_view, TimePoint now) override {
        ++touches;
        for (auto& [token_id, entry] : live) {
            entry.second.last_used_at = now;
        }
        return scim::Ok{};
    }

    std::string Add(const std::string& org_id, const std::string& token_id) {
        auto token = Mint(TokenKind::kOrg, org_id);
        EXPECT_TRUE(token.ok());
        LiveCredential credential{org_id, token_id, "n", TokenKind::kOrg, std::nullopt, {}};
        live[token_id] = {Hash(*token, Pepper()), credential};
        return "Bearer " + std::string(token->Reveal());
    }

    std::map<std::string, std::pair<TokenHash, LiveCredential>> live;
    std::function<void()> during_lookup;
    int lookups = 0;
    int touches = 0;
};

class CredentialCacheTest : public testing::Test {
protected:
    static AuthenticatorOptions WithTtl(milliseconds ttl) {
        AuthenticatorOptions options;
        options.credential_cache_ttl = ttl;
        return options;
    }

    bool Accepted(Authenticator& auth, const std::string& header) {
        return auth.Authenticate(header, "10.0.0.1").ok();
    }

    SteppingClock clock_;
    CountingSource source_;
    Authenticator auth_{source_, Pepper(), clock_, WithTtl(kMaxCredentialCacheTtl)};
};

TEST_F(CredentialCacheTest, RepeatedUseWithinTheTtlAsksTheStoreOnce) {
    const std::string header = source_.Add("acme", "t1");
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(Accepted(auth_, header));
        clock_.Advance(milliseconds(90));
    }
    EXPECT_EQ(source_.lookups, 1);
    clock_.Advance(milliseconds(50));  // 500 ms after the first lookup
    EXPECT_TRUE(Accepted(auth_, header));
    EXPECT_EQ(source_.lookups, 2);
}

TEST_F(CredentialCacheTest, ForgetRefusesARevokedTokenAtOnce) {
    const std::string header = source_.Add("acme", "t1");
    ASSERT_TRUE(Accepted(auth_, header));
    source_.live.erase("t1");
    EXPECT_TRUE(Accepted(auth_, header)) << "the cached verification is trusted until Forget";
    auth_.Forget("acme", "t1");
    EXPECT_FALSE(Accepted(auth_, header));
}

TEST_F(CredentialCacheTest, ForgetOfAnotherTokenKeepsThisOneCached) {
    const std::string header = source_.Add("acme", "t1");
    ASSERT_TRUE(Accepted(auth_, header));
    auth_.Forget("acme", "t2");
    auth_.Forget("other", "t1");
    EXPECT_TRUE(Accepted(auth_, header));
    EXPECT_EQ(source_.lookups, 1);
}

TEST_F(CredentialCacheTest, ChangeMadeElsewhereTakesEffectWithinTheTtl) {
    const std::string header = source_.Add("acme", "t1");
    ASSERT_TRUE(Accepted(auth_, header));
    source_.live.erase("t1");  // revoked through another instance: nothing calls Forget here
    clock_.Advance(kMaxCredentialCacheTtl - milliseconds(1));
    EXPECT_TRUE(Accepted(auth_, header));
    clock_.Advance(milliseconds(1));
    EXPECT_FALSE(Accepted(auth_, header));
}

TEST_F(CredentialCacheTest, LookupOverlappingAForgetIsNotCached) {
    const std::string header = source_.Add("acme", "t1");
    // The revocation lands while this lookup is reading the row it is about to invalidate.
    source_.during_lookup = [&] { auth_.Forget("acme", "t1"); };
    ASSERT_TRUE(Accepted(auth_, header));
    source_.during_lookup = nullptr;
    source_.live.erase("t1");
    EXPECT_FALSE(Accepted(auth_, header));
    EXPECT_EQ(source_.lookups, 2);
}

TEST_F(CredentialCacheTest, RefusedCredentialsAreNotCached) {
    const std::string header = source_.Add("acme", "t1");
    auto saved = source_.live;
    source_.live.clear();
    EXPECT_FALSE(Accepted(auth_, header));
    source_.live = saved;  // created meanwhile (or the store recovered)
    EXPECT_TRUE(Accepted(auth_, header));
    EXPECT_EQ(source_.lookups, 2);
}

TEST_F(CredentialCacheTest, ZeroTtlAsksTheStoreEveryTime) {
    Authenticator uncached(source_, Pepper(), clock_, WithTtl(milliseconds(0)));
    const std::string header = source_.Add("acme", "t1");
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(Accepted(uncached, header));
    }
    EXPECT_EQ(source_.lookups, 3);
}

TEST_F(CredentialCacheTest, ClockSteppingBackMakesEntriesStale) {
    const std::string header = source_.Add("acme", "t1");
    ASSERT_TRUE(Accepted(auth_, header));
    clock_.Advance(milliseconds(-10));
    EXPECT_TRUE(Accepted(auth_, header));
    EXPECT_EQ(source_.lookups, 2);
}

// last_used_at stays within a minute of the truth and is written once per minute, not once per
// request that shares a cached entry.
TEST_F(CredentialCacheTest, CachedUseStampsLastUsedOncePerResolution) {
    const std::string header = source_.Add("acme", "t1");
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(Accepted(auth_, header));
    }
    EXPECT_EQ(source_.touches, 1);
    for (int i = 0; i < 130; ++i) {  // 65 seconds in 500 ms steps
        clock_.Advance(milliseconds(500));
        ASSERT_TRUE(Accepted(auth_, header));
    }
    EXPECT_EQ(source_.touches, 2);
}

TEST_F(CredentialCacheTest, FullCacheStillVerifies) {
    AuthenticatorOptions options = WithTtl(kMaxCredentialCacheTtl);
    options.max_cached_credentials = 2;
    Authenticator small(source_, Pepper(), clock_, options);
    std::vector<std::string> headers;
    for (int i = 0; i < 5; ++i) {
        headers.push_back(source_.Add("acme", "t" + std::to_string(i)));
    }
    for (const std::string& header : headers) {
        EXPECT_TRUE(Accepted(small, header));
    }
    source_.live.erase("t4");
    auth_.Forget("acme", "t4");
    clock_.Advance(kMaxCredentialCacheTtl);
    EXPECT_FALSE(Accepted(small, headers[4]));
    EXPECT_TRUE(Accepted(small, headers[0]));
}

}  // namespace
}  // namespace auth

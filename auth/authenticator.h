#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/token.h"
#include "scim/principal.h"
#include "scim/result.h"

// Turns an Authorization header into a Principal (DESIGN.md §2 step 3, §7).
namespace auth {

using TimePoint = std::chrono::system_clock::time_point;

// Source of the current time; tests substitute a fake. Implementations must be thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A credential whose secret matched, as the store knows it.
struct LiveCredential {
    std::string org_id;
    std::string token_id;
    std::string name;
    TokenKind kind = TokenKind::kOrg;
    std::optional<std::string> workspace_id;  // set for workspace SATs
    std::optional<TimePoint> last_used_at;
};

// What the authenticator needs from storage. db::TokenStore implements it; tests may fake it.
class CredentialSource {
public:
    virtual ~CredentialSource() = default;

    // The credential in `org_id` that owns a secret with this hash and is live at `now`: the token
    // is not revoked, not expired, and this secret is not past its rotation grace period.
    // nullopt when there is none. An error only for storage failures (503/500).
    virtual scim::Result<std::optional<LiveCredential>> FindLiveCredential(
        std::string_view org_id, const TokenHash& secret_hash, TimePoint now) = 0;

    // Records that the token was used at `now`. Called at most about once a minute per token.
    virtual scim::Status TouchLastUsed(std::string_view org_id,
                                       std::string_view token_id,
                                       TimePoint now) = 0;
};

struct AuthenticatorOptions {
    // Failed attempts one source address may make within `failure_window` before its further
    // failures are answered 429 (instead of 401) until the window that holds them ends. A valid
    // credential from that address is still served: IdPs send from shared egress addresses,
    // where one tenant's stale token must not stop every other tenant's provisioning.
    int max_failures = 20;
    std::chrono::seconds failure_window{60};
    // last_used_at is written when the stored value is older than this (DESIGN.md §7).
    std::chrono::seconds last_used_resolution{60};
    // Bound on the number of source addresses tracked for throttling; the oldest windows are
    // dropped first when it is reached.
    std::size_t max_tracked_addresses = 100000;
    // How long a verified credential is trusted without asking the store again; zero turns the
    // cache off. Keep it at or below kMaxCredentialCacheTtl: a credential revoked, expired or
    // rotated through another instance (or scimctl) is still accepted here until its entry ages
    // out, and the design promises every instance refuses it within one second.
    std::chrono::milliseconds credential_cache_ttl{0};
    // Bound on cached credentials; the cache is emptied when it is full of live entries.
    std::size_t max_cached_credentials = 10000;
};

// The longest credential cache lifetime the one-second revocation promise allows, leaving room
// for the request that is already in flight when the change is written.
inline constexpr std::chrono::milliseconds kMaxCredentialCacheTtl{500};

// The one detail of every 401: it does not say whether the header was missing, malformed, or
// named an unknown, expired or revoked credential, so a caller cannot probe which tokens exist.
inline constexpr std::string_view kUnauthorizedDetail =
    "authentication required: send a valid service access token as a Bearer credential";

// Verifies bearer credentials. Thread-safe. Without a credential cache every call asks the
// CredentialSource, so revocation and expiry take effect on every instance at once. With one
// (AuthenticatorOptions::credential_cache_ttl) a verified credential is trusted for that long,
// keyed by the hash of the presented secret: a change made through another instance takes
// effect here within the TTL, and one made through this process must call Forget.
class Authenticator {
public:
    Authenticator(CredentialSource& source,
                  Pepper pepper,
                  const Clock& clock,
                  AuthenticatorOptions options = {});

    // `authorization_header_value` is the raw value of the Authorization header ("" when absent);
    // `source_addr` is the client address used for throttling.
    // - 401 (kUnauthorizedDetail) for a missing, malformed, badly checksummed, unknown, expired or
    //   revoked credential;
    // - 429 instead of 401 once the address has failed too often (see RetryAfter); a valid
    //   credential is served all the same;
    // - 500/503 when the store fails (not counted as an authentication failure).
    // On success the principal carries org, workspace, credential id, name and kind.
    scim::Result<scim::Principal> Authenticate(std::string_view authorization_header_value,
                                               std::string_view source_addr);

    // Seconds the address must wait before it may try again (for the Retry-After header); 0 when
    // it is not throttled.
    std::chrono::seconds RetryAfter(std::string_view source_addr) const;

    // Drops every cached verification of the token, at once. Call it after revoking or rotating
    // a token through this process; lookups that were running meanwhile do not cache their
    // answer either.
    void Forget(std::string_view org_id, std::string_view token_id);

private:
    struct FailureWindow {
        TimePoint start;
        int failures = 0;
    };

    scim::Result<scim::Principal> Verify(std::string_view header_value);
    bool IsThrottled(const std::string& addr, TimePoint now) const;
    void RecordFailure(const std::string& addr, TimePoint now);
    std::chrono::seconds RetryAfterLocked(const std::string& addr, TimePoint now) const;
    void PruneLocked(TimePoint now);
    // Writes last_used_at when the credential's stamp is older than the resolution.
    void MaybeTouch(const TokenHash& hash, const LiveCredential& credential, TimePoint now);
    // The cached credential for `hash` when it was verified less than the TTL ago; `generation`
    // receives the Forget count to hand to Remember after a store lookup.
    std::optional<LiveCredential> Cached(const TokenHash& hash,
                                         TimePoint now,
                                         std::uint64_t& generation);
    void Remember(const TokenHash& hash,
                  const LiveCredential& credential,
                  TimePoint now,
                  std::uint64_t generation);

    struct HashKey {
        std::size_t operator()(const TokenHash& hash) const;
    };
    struct CacheEntry {
        LiveCredential credential;
        TimePoint verified_at;
    };

    CredentialSource& source_;
    Pepper pepper_;
    const Clock& clock_;
    AuthenticatorOptions options_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, FailureWindow> failures_;  // guarded by mu_
    mutable std::mutex cache_mu_;
    std::unordered_map<TokenHash, CacheEntry, HashKey> cache_;  // guarded by cache_mu_
    // Bumped by Forget; a lookup that started under an older value does not cache its answer,
    // so a revocation cannot be overwritten by a verification that read the row before it.
    std::uint64_t generation_ = 0;  // guarded by cache_mu_
};

// Access levels (DESIGN.md §7). Each returns Ok, or a 403 whose detail names the level needed.
// SCIM endpoints and the Audit Log API need an organization SAT.
scim::Status RequireOrgSat(const scim::Principal& principal);
// The token admin API needs an org admin key.
scim::Status RequireAdminKey(const scim::Principal& principal);
// Any SAT or admin key of the org (e.g. /api/v1/whoami).
scim::Status RequireAnyCredential(const scim::Principal& principal);

}  // namespace auth

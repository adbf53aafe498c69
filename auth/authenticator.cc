#include "auth/authenticator.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace auth {
namespace {

constexpr std::string_view kThrottledDetail =
    "too many failed authentication attempts from this address, retry later";

scim::Error Unauthorized() {
    return scim::Error::Unauthorized(std::string(kUnauthorizedDetail));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The credential of "Bearer <token>". The scheme name is case-insensitive (RFC 7235 §2.1) and
// the bearer token follows after one or more spaces (RFC 6750 §2.1); nothing else may follow.
std::optional<std::string_view> BearerCredential(std::string_view value) {
    constexpr std::string_view kScheme = "Bearer";
    if (value.size() <= kScheme.size() ||
        !EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
        value[kScheme.size()] != ' ') {
        return std::nullopt;
    }
    std::string_view token = value.substr(kScheme.size());
    std::size_t start = token.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    token.remove_prefix(start);
    std::size_t end = token.find_last_not_of(" \t");
    token = token.substr(0, end + 1);
    if (token.find_first_of(" \t") != std::string_view::npos) {
        return std::nullopt;
    }
    return token;
}

scim::Status Forbidden(std::string_view needed) {
    return scim::Error::Forbidden("this endpoint requires " + std::string(needed));
}

}  // namespace

Authenticator::Authenticator(CredentialSource& source,
                             Pepper pepper,
                             const Clock& clock,
                             AuthenticatorOptions options)
    : source_(source), pepper_(std::move(pepper)), clock_(clock), options_(options) {}

scim::Result<scim::Principal> Authenticator::Authenticate(
    std::string_view authorization_header_value, std::string_view source_addr) {
    const TimePoint now = clock_.Now();
    const std::string addr(source_addr);
    bool throttled = false;
    {
        std::lock_guard lock(mu_);
        throttled = IsThrottled(addr, now);
    }
    // Verified even when the address is throttled: a token cannot be guessed (256 random bits),
    // so the throttle is there to tell a misconfigured client to back off, not to guard the
    // secret, and many tenants' IdPs can share one address.
    scim::Result<scim::Principal> result = Verify(authorization_header_value);
    if (!result.ok() && result.error().status == 401) {
        std::lock_guard lock(mu_);
        RecordFailure(addr, now);
        if (throttled) {
            return scim::Error{429, std::nullopt, std::string(kThrottledDetail), {}};
        }
    }
    return result;
}

scim::Result<scim::Principal> Authenticator::Verify(std::string_view header_value) {
    std::optional<std::string_view> token = BearerCredential(header_value);
    if (!token) {
        return Unauthorized();
    }
    std::optional<ParsedToken> parsed = Parse(*token);
    if (!parsed || !parsed->checksum_ok) {
        return Unauthorized();
    }

    // Read the clock again: the throttle check may have waited on the lock, and expiry must be
    // judged at the moment of the lookup.
    const TimePoint now = clock_.Now();
    const TokenHash hash = Hash(*token, pepper_);
    std::uint64_t generation = 0;
    std::optional<LiveCredential> credential = Cached(hash, now, generation);
    if (!credential) {
        auto found = source_.FindLiveCredential(parsed->org_id, hash, now);
        if (!found.ok()) {
            return std::move(found).error();
        }
        credential = std::move(*found);
        // The hash covers the prefix, so a match already implies the kind; checking it again
        // keeps a store bug from handing one kind's rights to another.
        if (!credential || credential->org_id != parsed->org_id ||
            credential->kind != parsed->kind) {
            return Unauthorized();
        }
        Remember(hash, *credential, now, generation);
    }

    MaybeTouch(hash, *credential, now);
    scim::Principal principal;
    principal.org_id = credential->org_id;
    principal.workspace_id = credential->workspace_id;
    principal.credential_id = credential->token_id;
    principal.credential_name = credential->name;
    principal.kind = CredentialKindOf(credential->kind);
    return principal;
}

std::size_t Authenticator::HashKey::operator()(const TokenHash& hash) const {
    // The hash is a keyed BLAKE2b output, so any of its bytes are already evenly spread.
    std::size_t key = 0;
    std::memcpy(&key, hash.data(), std::min(sizeof key, hash.size()));
    return key;
}

std::optional<LiveCredential> Authenticator::Cached(const TokenHash& hash,
                                                    TimePoint now,
                                                    std::uint64_t& generation) {
    if (options_.credential_cache_ttl.count() <= 0) {
        return std::nullopt;
    }
    std::lock_guard lock(cache_mu_);
    generation = generation_;
    auto it = cache_.find(hash);
    if (it == cache_.end()) {
        return std::nullopt;
    }
    // A clock that stepped back makes the age negative: treat that as stale too.
    const auto age = now - it->second.verified_at;
    if (age < TimePoint::duration::zero() || age >= options_.credential_cache_ttl) {
        cache_.erase(it);
        return std::nullopt;
    }
    return it->second.credential;
}

void Authenticator::Remember(const TokenHash& hash,
                             const LiveCredential& credential,
                             TimePoint now,
                             std::uint64_t generation) {
    if (options_.credential_cache_ttl.count() <= 0) {
        return;
    }
    std::lock_guard lock(cache_mu_);
    if (generation != generation_) {
        return;  // a Forget ran while the store was read: the answer may predate it
    }
    if (cache_.size() >= options_.max_cached_credentials) {
        std::erase_if(cache_, [&](const auto& entry) {
            return now - entry.second.verified_at >= options_.credential_cache_ttl;
        });
        if (cache_.size() >= options_.max_cached_credentials) {
            cache_.clear();
        }
    }
    cache_.insert_or_assign(hash, CacheEntry{credential, now});
}

void Authenticator::Forget(std::string_view org_id, std::string_view token_id) {
    std::lock_guard lock(cache_mu_);
    ++generation_;
    std::erase_if(cache_, [&](const auto& entry) {
        return entry.second.credential.org_id == org_id &&
               entry.second.credential.token_id == token_id;
    });
}

void Authenticator::MaybeTouch(const TokenHash& hash,
                               const LiveCredential& credential,
                               TimePoint now) {
    if (credential.last_used_at && now - *credential.last_used_at < options_.last_used_resolution) {
        return;
    }
    if (options_.credential_cache_ttl.count() > 0) {
        // Mark the cached copy as used now before writing, so the requests that share this
        // entry do not each send the same UPDATE while it is on its way.
        std::lock_guard lock(cache_mu_);
        if (auto it = cache_.find(hash); it != cache_.end()) {
            it->second.credential.last_used_at = now;
        }
    }
    // A failed usage stamp must not turn a valid request away; the next use retries it.
    (void)source_.TouchLastUsed(credential.org_id, credential.token_id, now);
}

std::chrono::seconds Authenticator::RetryAfter(std::string_view source_addr) const {
    const TimePoint now = clock_.Now();
    const std::string addr(source_addr);
    std::lock_guard lock(mu_);
    if (!IsThrottled(addr, now)) {
        return std::chrono::seconds{0};
    }
    return RetryAfterLocked(addr, now);
}

bool Authenticator::IsThrottled(const std::string& addr, TimePoint now) const {
    auto it = failures_.find(addr);
    return it != failures_.end() && now < it->second.start + options_.failure_window &&
           it->second.failures >= options_.max_failures;
}

std::chrono::seconds Authenticator::RetryAfterLocked(const std::string& addr, TimePoint now) const {
    const FailureWindow& window = failures_.at(addr);
    auto left = window.start + options_.failure_window - now;
    auto seconds = std::chrono::ceil<std::chrono::seconds>(left);
    return std::max(seconds, std::chrono::seconds{1});
}

void Authenticator::RecordFailure(const std::string& addr, TimePoint now) {
    auto it = failures_.find(addr);
    if (it == failures_.end()) {
        if (failures_.size() >= options_.max_tracked_addresses) {
            PruneLocked(now);
        }
        it = failures_.emplace(addr, FailureWindow{now, 0}).first;
    } else if (now >= it->second.start + options_.failure_window) {
        it->second = FailureWindow{now, 0};
    }
    ++it->second.failures;
}

void Authenticator::PruneLocked(TimePoint now) {
    std::erase_if(failures_, [&](const auto& entry) {
        return now >= entry.second.start + options_.failure_window;
    });
    if (failures_.size() < options_.max_tracked_addresses || failures_.empty()) {
        return;
    }
    auto oldest = std::min_element(
        failures_.begin(), failures_.end(),
        [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    failures_.erase(oldest);
}

scim::Status RequireOrgSat(const scim::Principal& principal) {
    if (principal.kind != scim::CredentialKind::kOrgSat) {
        return Forbidden("an organization service access token");
    }
    return scim::Ok{};
}

scim::Status RequireAdminKey(const scim::Principal& principal) {
    if (principal.kind != scim::CredentialKind::kAdminKey) {
        return Forbidden("an organization admin key");
    }
    return scim::Ok{};
}

scim::Status RequireAnyCredential(const scim::Principal& principal) {
    if (principal.kind == scim::CredentialKind::kCli || principal.org_id.empty()) {
        return Forbidden("a service access token or admin key");
    }
    return scim::Ok{};
}

}  // namespace auth

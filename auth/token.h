#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scim/principal.h"
#include "scim/result.h"

// Service access token (SAT) format, minting and hashing (DESIGN.md §7).
//
// A token reads, left to right:
//
//   scimd_osat_<org_id>_<random:28><crc:6>
//   ^^^^^^^^^^^                         visible prefix, one per kind (osat, wsat, akey)
//              ^^^^^^^^                 the organization id, in the clear
//                       ^^^^^^^^^^^^^^  28 base62 characters of randomness (> 166 bits)
//                                   ^^  CRC32 of everything before it, 6 base62 characters
//
// Why the org id is in the clear: every table key leads with org_id so that the schema can be
// distributed by organization, and a lookup by secret hash alone would need a global index that
// spans every shard. With the org id in the token the server goes straight to the org's rows
// with (org_id, secret_hash). The org id is not a secret (it appears in logs and URLs), so
// showing it costs nothing, and the randomness alone carries the token's strength.
//
// Why the checksum: a secret scanner (or `scimctl token check`) can tell a real token from a
// look-alike string offline, without asking the server, and a mistyped token is rejected
// before any database work. A scanner can match the whole format with
//   scimd_(osat|wsat|akey)_[A-Za-z0-9-]{1,64}_[A-Za-z0-9]{34}
namespace auth {

// The three credential kinds. Organization SATs reach SCIM and the Audit Log API; workspace SATs
// reach only their workspace; admin keys manage tokens and workspaces of their org.
enum class TokenKind { kOrg, kWorkspace, kAdmin };

// The visible prefix of a kind, e.g. "scimd_osat_".
std::string_view TokenPrefix(TokenKind kind);
// Stable storage and display name of a kind: "org", "workspace", "admin" (tokens.kind column).
std::string_view TokenKindName(TokenKind kind);
// Inverse of TokenKindName; nullopt for any other text.
std::optional<TokenKind> TokenKindFromName(std::string_view name);
// The principal kind a token of this kind authenticates as.
scim::CredentialKind CredentialKindOf(TokenKind kind);

inline constexpr std::size_t kRandomChars = 28;
inline constexpr std::size_t kChecksumChars = 6;
inline constexpr std::size_t kMaxOrgIdLength = 64;

// True when `org_id` can be carried in a token: 1 to 64 characters from [A-Za-z0-9-]. Every org
// id that scimd generates satisfies this.
bool IsTokenSafeOrgId(std::string_view org_id);

// Holds secret bytes (a token or the pepper). It deliberately has no operator<<, no to_json and
// no implicit conversion, so putting one into a log line or a JSON body fails to compile; the
// only way out is Reveal(), which is easy to find in review. The bytes are wiped on destruction.
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret& other) = default;
    Secret(Secret&& other) noexcept;
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    std::string_view Reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    std::size_t size() const { return value_.size(); }

private:
    void Wipe();
    std::string value_;
};

// `count` characters drawn uniformly from [0-9A-Za-z] with randombytes_buf; used for tokens and
// for record ids. Thread-safe.
std::string RandomBase62(std::size_t count);

// What can be learned from a token's text without a database.
struct ParsedToken {
    TokenKind kind = TokenKind::kOrg;
    std::string org_id;
    bool checksum_ok = false;  // false: a well-formed token with a wrong CRC (typo or forgery)
};

// Creates a new token of `kind` for `org_id` with fresh randomness from libsodium. Fails with a
// 400 invalidValue if `org_id` is not token-safe (see IsTokenSafeOrgId). Thread-safe.
scim::Result<Secret> Mint(TokenKind kind, std::string_view org_id);

// Reads the kind and org id of a token. Returns nullopt when the text does not have the token
// shape (unknown prefix, bad characters, wrong lengths); returns a value with checksum_ok = false
// when the shape is right but the CRC does not match. Never throws and never reads past `text`,
// whatever bytes it is given.
std::optional<ParsedToken> Parse(std::string_view text);

// The server pepper: an optional secret key mixed into every token hash, so that a stolen
// database copy alone does not allow offline guessing. Empty means no pepper.
class Pepper {
public:
    Pepper() = default;
    // Fails unless `key` is 16 to 64 bytes (the BLAKE2b key range).
    static scim::Result<Pepper> FromBytes(Secret key);
    // Reads the file at `path`; one trailing newline is dropped. Fails on a missing file or a
    // key of the wrong length. The error never contains the key.
    static scim::Result<Pepper> FromFile(const std::string& path);

    bool empty() const { return key_.empty(); }
    const Secret& key() const { return key_; }

private:
    Secret key_;
};

inline constexpr std::size_t kHashBytes = 32;
using TokenHash = std::array<std::uint8_t, kHashBytes>;

// BLAKE2b-256 of the whole token text, keyed with the pepper when one is set. This is what the
// database stores; the token itself is never stored.
TokenHash Hash(const Secret& token, const Pepper& pepper);
TokenHash Hash(std::string_view token, const Pepper& pepper);

// Constant-time comparison (sodium_memcmp).
bool HashesEqual(const TokenHash& a, const TokenHash& b);

// The display hint: visible prefix plus the last 4 characters, e.g. "scimd_osat_...a1B2". Safe to
// show and log. For text that is not a token it returns "invalid".
std::string Hint(std::string_view token);

}  // namespace auth

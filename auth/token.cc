#include "auth/token.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>

#include <sodium.h>

namespace auth {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kTailChars = kRandomChars + kChecksumChars;
constexpr std::string_view kInvalidHint = "invalid";

bool IsBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// libsodium must be initialised once before randombytes and generichash are used; sodium_init
// is itself safe to call repeatedly, the once_flag only saves the calls.
void EnsureSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) {
            std::abort();  // no safe way to mint or verify tokens without a working RNG
        }
    });
}

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum zlib and PNG use, so any
// scanner can recompute it with a stock library.
std::uint32_t Crc32(std::string_view data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) {
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        crc = table[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
    }
    return crc ^ 0xFFFFFFFFu;
}

// Fixed-width base62, most significant digit first; 62^6 > 2^32, so six digits hold any CRC.
std::string EncodeChecksum(std::uint32_t value) {
    std::string out(kChecksumChars, '0');
    std::uint64_t v = value;
    for (std::size_t i = kChecksumChars; i-- > 0;) {
        out[i] = kAlphabet[v % 62];
        v /= 62;
    }
    return out;
}

}  // namespace

// Uniform base62 characters from randombytes_buf by rejection sampling: bytes >= 248 (= 4 * 62)
// are discarded so that every character is equally likely.
std::string RandomBase62(std::size_t count) {
    EnsureSodium();
    std::string out;
    out.reserve(count);
    std::array<unsigned char, 64> pool{};
    while (out.size() < count) {
        randombytes_buf(pool.data(), pool.size());
        for (unsigned char byte : pool) {
            if (byte < 248 && out.size() < count) {
                out.push_back(kAlphabet[byte % 62]);
            }
        }
    }
    sodium_memzero(pool.data(), pool.size());
    return out;
}

namespace {

std::optional<TokenKind> KindFromPrefix(std::string_view text) {
    for (TokenKind kind : {TokenKind::kOrg, TokenKind::kWorkspace, TokenKind::kAdmin}) {
        if (text.starts_with(TokenPrefix(kind))) {
            return kind;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view TokenPrefix(TokenKind kind) {
    switch (kind) {
        case TokenKind::kOrg:
            return "scimd_osat_";
        case TokenKind::kWorkspace:
            return "scimd_wsat_";
        case TokenKind::kAdmin:
            return "scimd_akey_";
    }
    return "scimd_osat_";
}

std::string_view TokenKindName(TokenKind kind) {
    switch (kind) {
        case TokenKind::kOrg:
            return "org";
        case TokenKind::kWorkspace:
            return "workspace";
        case TokenKind::kAdmin:
            return "admin";
    }
    return "org";
}

std::optional<TokenKind> TokenKindFromName(std::string_view name) {
    for (TokenKind kind : {TokenKind::kOrg, TokenKind::kWorkspace, TokenKind::kAdmin}) {
        if (name == TokenKindName(kind)) {
            return kind;
        }
    }
    return std::nullopt;
}

scim::CredentialKind CredentialKindOf(TokenKind kind) {
    switch (kind) {
        case TokenKind::kOrg:
            return scim::CredentialKind::kOrgSat;
        case TokenKind::kWorkspace:
            return scim::CredentialKind::kWorkspaceSat;
        case TokenKind::kAdmin:
            return scim::CredentialKind::kAdminKey;
    }
    return scim::CredentialKind::kOrgSat;
}

bool IsTokenSafeOrgId(std::string_view org_id) {
    if (org_id.empty() || org_id.size() > kMaxOrgIdLength) {
        return false;
    }
    for (char c : org_id) {
        if (!IsBase62(c) && c != '-') {
            return false;
        }
    }
    return true;
}

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
    other.Wipe();
}

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        Wipe();
        value_ = other.value_;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        Wipe();
        value_ = std::move(other.value_);
        other.Wipe();
    }
    return *this;
}

Secret::~Secret() {
    Wipe();
}

void Secret::Wipe() {
    if (!value_.empty()) {
        sodium_memzero(value_.data(), value_.size());
    }
    value_.clear();
}

scim::Result<Secret> Mint(TokenKind kind, std::string_view org_id) {
    if (!IsTokenSafeOrgId(org_id)) {
        return scim::Error::BadRequest(scim::ScimType::kInvalidValue,
                                       "organization id cannot be carried in a token");
    }
    EnsureSodium();
    std::string text;
    text.reserve(TokenPrefix(kind).size() + org_id.size() + 1 + kTailChars);
    text.append(TokenPrefix(kind)).append(org_id).append("_").append(RandomBase62(kRandomChars));
    text.append(EncodeChecksum(Crc32(text)));
    return Secret(std::move(text));
}

std::optional<ParsedToken> Parse(std::string_view text) {
    std::optional<TokenKind> kind = KindFromPrefix(text);
    if (!kind) {
        return std::nullopt;
    }
    std::string_view rest = text.substr(TokenPrefix(*kind).size());
    // <org_id>_<tail>: the org id has no '_', so the separator is the first one.
    std::size_t sep = rest.find('_');
    if (sep == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view org_id = rest.substr(0, sep);
    std::string_view tail = rest.substr(sep + 1);
    if (!IsTokenSafeOrgId(org_id) || tail.size() != kTailChars) {
        return std::nullopt;
    }
    for (char c : tail) {
        if (!IsBase62(c)) {
            return std::nullopt;
        }
    }
    std::string_view body = text.substr(0, text.size() - kChecksumChars);
    std::string_view checksum = text.substr(text.size() - kChecksumChars);
    ParsedToken parsed;
    parsed.kind = *kind;
    parsed.org_id = std::string(org_id);
    parsed.checksum_ok = EncodeChecksum(Crc32(body)) == checksum;
    return parsed;
}

scim::Result<Pepper> Pepper::FromBytes(Secret key) {
    if (key.size() < crypto_generichash_KEYBYTES_MIN ||
        key.size() > crypto_generichash_KEYBYTES_MAX) {
        return scim::Error::Internal("pepper must be 16 to 64 bytes long");
    }
    Pepper pepper;
    pepper.key_ = std::move(key);
    return pepper;
}

scim::Result<Pepper> Pepper::FromFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return scim::Error::Internal("cannot read pepper file " + path);
    }
    Secret key{std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}};
    std::string_view bytes = key.Reveal();
    if (bytes.ends_with('\n')) {
        bytes.remove_suffix(1);
    }
    if (bytes.size() != key.size()) {
        key = Secret(std::string(bytes));
    }
    auto pepper = FromBytes(std::move(key));
    if (!pepper.ok()) {
        return scim::Error::Internal("pepper file " + path + ": " + pepper.error().internal);
    }
    return pepper;
}

TokenHash Hash(std::string_view token, const Pepper& pepper) {
    EnsureSodium();
    TokenHash out{};
    const auto* key = reinterpret_cast<const unsigned char*>(pepper.key().Reveal().data());
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), pepper.empty() ? nullptr : key, pepper.key().size());
    return out;
}

TokenHash Hash(const Secret& token, const Pepper& pepper) {
    return Hash(token.Reveal(), pepper);
}

bool HashesEqual(const TokenHash& a, const TokenHash& b) {
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Hint(std::string_view token) {
    std::optional<TokenKind> kind = KindFromPrefix(token);
    if (!kind || token.size() < TokenPrefix(*kind).size() + 4) {
        return std::string(kInvalidHint);
    }
    return std::string(TokenPrefix(*kind)) + "..." + std::string(token.substr(token.size() - 4));
}

}  // namespace auth

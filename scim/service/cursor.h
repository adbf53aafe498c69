#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sodium.h>

#include "scim/result.h"
#include "scim/service/clock.h"
#include "scim/store.h"

// Opaque, signed paging cursors (RFC 9865). A cursor names one row of the result ordering and a
// direction; the next page holds the rows after it, the previous page the rows before it.
namespace scim::service {

struct CursorPosition {
    Keyset key;             // the row the page starts from (exclusive)
    bool backward = false;  // true: the page holds the rows before `key` (previousCursor)
    // The resource type of the row at `key`; on the server root (RFC 7644 §3.4.2.1) this places
    // the key in the merged order of types. Empty in cursors issued before it was recorded.
    std::string type;
    // totalResults counted when the traversal began, carried from page to page so that later
    // pages need no count of their own (RFC 9865 §2). Absent: count again.
    std::optional<std::int64_t> total;
};

// Encodes and checks cursors. A cursor carries the position, a hash of the query it belongs to
// and an expiry, and is authenticated with HMAC-SHA-512-256 (libsodium crypto_auth), so clients
// can neither forge positions nor replay a cursor against another filter or sort order.
// Thread-safe after construction.
class CursorCodec {
public:
    // `secret` may be any length; an empty secret gets a random per-process key, which makes
    // cursors valid only on the instance that issued them (set one shared secret for several
    // instances). `ttl` is how long a cursor stays valid after it was issued.
    CursorCodec(std::string_view secret, std::chrono::seconds ttl, Clock clock);

    // A URL-safe string (base64url, no padding) that Decode accepts until the ttl passes.
    std::string Encode(const CursorPosition& position, std::string_view query_hash) const;

    // 400 invalidCursor for anything malformed, tampered with or issued for another query
    // (`query_hash` differs, which includes another organization); 400 expiredCursor when the ttl
    // has passed (RFC 9865 §3.2).
    Result<CursorPosition> Decode(std::string_view cursor, std::string_view query_hash) const;

    // A short hash identifying what a cursor may be used with: the organization it was issued
    // to, the resource type, the filter and the sort. Page size and attribute selection may
    // change between pages. Binding the organization keeps one tenant from replaying another's
    // cursor with its own token.
    static std::string QueryHash(std::string_view org_id,
                                 std::string_view type,
                                 std::string_view filter,
                                 std::string_view sort_by,
                                 bool descending);

private:
    std::array<unsigned char, crypto_auth_KEYBYTES> key_;
    std::chrono::seconds ttl_;
    Clock clock_;
};

}  // namespace scim::service

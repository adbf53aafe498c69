#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scim/http/exchange.h"
#include "scim/result.h"

// Which address a request comes from when scimd sits behind load balancers or reverse proxies.
// Throttling of failed authentication and the audit log key on the client address; behind a
// proxy the TCP peer is the proxy, shared by every client. X-Forwarded-For is believed only when
// the peer is a proxy the operator trusts, because any client can send the header.
namespace scim::http {

// An IPv4 or IPv6 network. IPv4 is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so
// "10.0.0.0/8" also matches a peer reported as ::ffff:10.1.2.3.
struct Cidr {
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 128;  // in bits of the 16-byte form
};

// Parses a comma-separated list such as "10.0.0.0/8, 192.168.1.5, fd00::/8" (a bare address is
// a one-address network). Spaces around entries are ignored; an empty text is an empty list.
// Errors (400-free, for start-up): 500 with a message naming the bad entry.
Result<std::vector<Cidr>> ParseCidrList(std::string_view text);

// True when `address` (an IPv4 or IPv6 literal) lies in one of `networks`.
bool InAnyNetwork(const std::vector<Cidr>& networks, std::string_view address);

// The address of the client behind `request.peer`, or nullopt to keep the peer. Only when the
// peer is in `trusted`: the X-Forwarded-For entries (every such header, in order) are read from
// the right, skipping trusted proxies, and the first untrusted one is the client; when all are
// trusted the leftmost is. A malformed entry before an untrusted one is found ends the walk
// with the last trusted hop, so a client cannot pick an address by sending garbage.
std::optional<std::string> ForwardedClient(const HttpRequest& request,
                                           const std::vector<Cidr>& trusted);

}  // namespace scim::http

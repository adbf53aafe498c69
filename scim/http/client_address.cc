#include "scim/http/client_address.h"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

#include "scim/casefold.h"
#include "scim/text.h"

namespace scim::http {

namespace {

// The 16-byte form of an IPv4 or IPv6 literal, and whether it was IPv4.
std::optional<std::pair<std::array<std::uint8_t, 16>, bool>> ParseAddress(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);  // [::1] as some proxies write it
    }
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
        return std::nullopt;
    }
    const std::string literal(text);
    std::array<std::uint8_t, 16> bytes{};
    in_addr v4{};
    if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) {
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        std::memcpy(bytes.data() + 12, &v4, 4);
        return std::make_pair(bytes, true);
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, literal.c_str(), &v6) == 1) {
        std::memcpy(bytes.data(), &v6, 16);
        return std::make_pair(bytes, false);
    }
    return std::nullopt;
}

bool Contains(const Cidr& network, const std::array<std::uint8_t, 16>& address) {
    int bits = network.prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if ((network.bytes[i] & mask) != (address[i] & mask)) {
            return false;
        }
    }
    return true;
}

Result<Cidr> ParseCidr(std::string_view entry) {
    const auto slash = entry.find('/');
    auto address = ParseAddress(entry.substr(0, slash));
    if (!address) {
        return Error::Internal("not an IP address or network: '" + std::string(entry) + "'");
    }
    Cidr cidr;
    cidr.bytes = address->first;
    const int width = address->second ? 32 : 128;
    int prefix = width;
    if (slash != std::string_view::npos) {
        std::string_view digits = entry.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
            prefix > width) {
            return Error::Internal("bad prefix length in '" + std::string(entry) + "'");
        }
    }
    cidr.prefix = prefix + (128 - width);
    return cidr;
}

// Every X-Forwarded-For entry in order; several headers count as one list (RFC 9110 §5.3).
std::vector<std::string_view> ForwardedEntries(const HeaderList& headers) {
    std::vector<std::string_view> entries;
    for (const auto& [name, value] : headers) {
        if (!EqualsIgnoreCase(name, "X-Forwarded-For")) {
            continue;
        }
        std::string_view rest = value;
        while (true) {
            const auto comma = rest.find(',');
            entries.push_back(TrimBlanks(rest.substr(0, comma)));
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
    return entries;
}

}  // namespace

Result<std::vector<Cidr>> ParseCidrList(std::string_view text) {
    std::vector<Cidr> out;
    while (!TrimBlanks(text).empty()) {
        const auto comma = text.find(',');
        const std::string_view entry = TrimBlanks(text.substr(0, comma));
        auto cidr = ParseCidr(entry);
        if (!cidr.ok()) {
            return std::move(cidr).error();
        }
        out.push_back(*cidr);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

bool InAnyNetwork(const std::vector<Cidr>& networks, std::string_view address) {
    auto parsed = ParseAddress(address);
    if (!parsed) {
        return false;
    }
    for (const Cidr& network : networks) {
        if (Contains(network, parsed->first)) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> ForwardedClient(const HttpRequest& request,
                                           const std::vector<Cidr>& trusted) {
    if (trusted.empty() || !InAnyNetwork(trusted, request.peer)) {
        return std::nullopt;
    }
    const std::vector<std::string_view> entries = ForwardedEntries(request.headers);
    std::optional<std::string> client;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (!ParseAddress(*it)) {
            break;  // unreadable: keep the last hop a trusted proxy vouched for
        }
        std::string_view hop = *it;
        if (hop.front() == '[') {
            hop = hop.substr(1, hop.size() - 2);  // the address without [ ]
        }
        client = std::string(hop);
        if (!InAnyNetwork(trusted, *it)) {
            break;
        }
    }
    return client;
}

}  // namespace scim::http

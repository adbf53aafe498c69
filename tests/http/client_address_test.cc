#include "scim/http/client_address.h"

#include <gtest/gtest.h>

namespace scim::http {
namespace {

TEST(CidrListTest, ParsesAddressesAndNetworksOfBothFamilies) {
    auto list = ParseCidrList(" 10.0.0.0/8, 192.168.1.5 ,fd00::/8, ::1");
    ASSERT_TRUE(list.ok()) << list.error().internal;
    EXPECT_EQ(list->size(), 4u);
    EXPECT_TRUE(InAnyNetwork(*list, "10.200.3.4"));
    EXPECT_TRUE(InAnyNetwork(*list, "::ffff:10.1.2.3"));
    EXPECT_TRUE(InAnyNetwork(*list, "192.168.1.5"));
    EXPECT_FALSE(InAnyNetwork(*list, "192.168.1.6"));
    EXPECT_TRUE(InAnyNetwork(*list, "fd12:3456::1"));
    EXPECT_TRUE(InAnyNetwork(*list, "::1"));
    EXPECT_FALSE(InAnyNetwork(*list, "11.0.0.1"));
    EXPECT_FALSE(InAnyNetwork(*list, "not-an-address"));
    EXPECT_TRUE(ParseCidrList("").ok());
    EXPECT_TRUE(ParseCidrList("")->empty());
}

TEST(CidrListTest, RejectsBadEntries) {
    for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8x", "localhost",
                            "10.0.0.0/8,,", "1.2.3"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(ParseCidrList(bad).ok());
    }
}

TEST(ForwardedClientTest, BelievesOnlyTrustedProxiesAndTakesTheRightmostUntrustedHop) {
    const auto trusted = *ParseCidrList("10.0.0.0/8");
    struct Row {
        const char* name;
        const char* peer;
        std::vector<const char*> headers;
        std::optional<std::string> client;
    };
    const Row rows[] = {
        {"untrusted peer keeps its address", "203.0.113.1", {"198.51.100.1"}, std::nullopt},
        {"trusted peer without the header", "10.0.0.1", {}, std::nullopt},
        {"one client behind the proxy", "10.0.0.1", {"198.51.100.1"}, "198.51.100.1"},
        {"rightmost untrusted wins over a forged left part",
         "10.0.0.1",
         {"6.6.6.6, 198.51.100.1, 10.0.0.2"},
         "198.51.100.1"},
        {"several headers form one list", "10.0.0.1", {"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
        {"all hops trusted: the leftmost", "10.0.0.1", {"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
        {"garbage stops at the last trusted hop",
         "10.0.0.1",
         {"6.6.6.6, junk, 10.0.0.2"},
         "10.0.0.2"},
        {"garbage only", "10.0.0.1", {"junk"}, std::nullopt},
        {"IPv6 client", "10.0.0.1", {"2001:db8::7"}, "2001:db8::7"},
        {"bracketed IPv6 client", "10.0.0.1", {"[2001:db8::8]"}, "2001:db8::8"},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.name);
        HttpRequest request;
        request.peer = row.peer;
        for (const char* value : row.headers) {
            request.headers.emplace_back("x-forwarded-for", value);
        }
        EXPECT_EQ(ForwardedClient(request, trusted), row.client);
    }
    HttpRequest request;
    request.peer = "10.0.0.1";
    request.headers.emplace_back("X-Forwarded-For", "198.51.100.1");
    EXPECT_EQ(ForwardedClient(request, {}), std::nullopt) << "no trusted proxies configured";
}

}  // namespace
}  // namespace scim::http

// The pure rules of the HTTP glue: request-head checks, path checks, connection persistence,
// policy headers and response serialization.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scim/http/server.h"

namespace scim::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr std::size_t kLimit = 1000;

std::string Head(const std::string& request_line, const std::string& fields) {
    return request_line + "\r\nHost: t" + (fields.empty() ? "" : "\r\n" + fields);
}

TEST(CheckRequestHeadTest, RefusesBrokenFramingWithTheRightStatus) {
    struct Case {
        const char* fields;
        int status;  // 0: accepted
    };
    const Case kCases[] = {
        {"Content-Length: 10", 0},
        {"content-length:  10 ", 0},
        {"Content-Length: 10\r\nContent-Length: 10", 0},
        {"Content-Length: 1000", 0},
        {"Transfer-Encoding: chunked", 0},
        {"Content-Length: 1001", 413},
        {"Content-Length: 99999999999999999999999", 400},
        {"Content-Length: -5", 400},
        {"Content-Length: abc", 400},
        {"Content-Length: ", 400},
        {"Content-Length: 1e3", 400},
        {"Content-Length: 10\r\nContent-Length: 11", 400},
        {"Content-Length: 10, 10", 400},
        {"Content-Length: 2\r\nTransfer-Encoding: chunked", 400},
        {"Transfer-Encoding: gzip", 501},
        {"Expect: 100-continue", 0},
        {"Expect: 200-ok", 417},
    };
    for (const Case& c : kCases) {
        SCOPED_TRACE(c.fields);
        HeadCheck check = CheckRequestHead(Head("POST /scim/v2/Users HTTP/1.1", c.fields), kLimit);
        EXPECT_EQ(check.method, "POST");
        EXPECT_EQ(check.error ? check.error->status : 0, c.status);
    }
}

TEST(CheckRequestHeadTest, UnknownMethodsAreNotImplemented) {
    for (const char* method : {"PROPFIND", "get", "BREW", "M-SEARCH"}) {
        SCOPED_TRACE(method);
        HeadCheck check = CheckRequestHead(Head(std::string(method) + " / HTTP/1.1", ""), kLimit);
        EXPECT_EQ(check.method, method);
        ASSERT_TRUE(check.error);
        EXPECT_EQ(check.error->status, 501);
    }
}

TEST(CheckRequestHeadTest, RequestLinesOutsideTheGrammarAreBadRequests) {
    const char* kLines[] = {"HELLO",
                            "GET",
                            "",
                            "GET /",
                            "GET / ",
                            "GET  / HTTP/1.1",
                            "GET / HTTP/1.1 ",
                            "GET /a b HTTP/1.1",
                            "GET / http/1.1",
                            "GET / HTTP/11",
                            "GET / HTTP/1.1x",
                            "GET /\x01 HTTP/1.1",
                            "GA\"RBAGE / HTTP/1.1",
                            "BREW /scim/v2/Users"};
    for (const char* line : kLines) {
        SCOPED_TRACE(line);
        HeadCheck check = CheckRequestHead(Head(line, ""), kLimit);
        ASSERT_TRUE(check.error);
        EXPECT_EQ(check.error->status, 400);
    }
    HeadCheck garbage = CheckRequestHead(Head("GA\"RBAGE / HTTP/1.1", ""), kLimit);
    EXPECT_EQ(garbage.method, "") << "a method that is no token is not logged";
    EXPECT_EQ(CheckRequestHead(Head("BREW /scim/v2/Users HTTP/1.1", ""), kLimit).error->status,
              501);
    EXPECT_FALSE(CheckRequestHead(Head("GET /scim/v2/Users?a=b HTTP/1.0", ""), kLimit).error);
}

TEST(CheckRequestHeadTest, HostIsRequiredOnceForHttp11AndAtMostOnceOtherwise) {
    struct Case {
        const char* head;
        int status;  // 0: accepted
    };
    const Case kCases[] = {
        {"GET / HTTP/1.1", 400},
        {"GET / HTTP/1.1\r\nAccept: */*", 400},
        {"GET / HTTP/1.0", 0},
        {"GET / HTTP/1.1\r\nHost: example.com", 0},
        {"GET / HTTP/1.1\r\nhost: 127.0.0.1:8080", 0},
        {"GET / HTTP/1.1\r\nHost: [::1]:8080", 0},
        {"GET / HTTP/1.1\r\nHost:", 0},  // RFC 9110 §7.2 allows an empty value
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: a", 400},
        {"GET / HTTP/1.0\r\nHost: a\r\nHOST: b", 400},
        {"GET / HTTP/1.1\r\nHost: a b", 400},
        {"GET / HTTP/1.1\r\nHost: a/b", 400},
        {"PROPFIND / HTTP/1.1", 400},  // the message is broken before its method matters
    };
    for (const Case& c : kCases) {
        SCOPED_TRACE(c.head);
        HeadCheck check = CheckRequestHead(c.head, kLimit);
        EXPECT_EQ(check.error ? check.error->status : 0, c.status);
        if (check.error) {
            EXPECT_THAT(check.error->detail, HasSubstr("Host"));
        }
    }
}

TEST(CheckRequestHeadTest, RepeatedAuthorizationIsRefusedWithoutQuotingIt) {
    HeadCheck check = CheckRequestHead(
        Head("GET /scim/v2/Users HTTP/1.1",
             "Authorization: Bearer first-secret\r\nauthorization: Bearer second-secret"),
        kLimit);
    ASSERT_TRUE(check.error);
    EXPECT_EQ(check.error->status, 400);
    EXPECT_THAT(check.error->detail, HasSubstr("Authorization"));
    EXPECT_THAT(check.error->detail, Not(HasSubstr("secret")));
    EXPECT_FALSE(
        CheckRequestHead(Head("GET / HTTP/1.1", "Authorization: Bearer one"), kLimit).error);
}

TEST(CheckRequestHeadTest, ExpectContinueOnlyCountsForHttp11) {
    EXPECT_TRUE(
        CheckRequestHead(Head("POST / HTTP/1.1", "Expect: 100-Continue"), kLimit).expects_continue);
    EXPECT_FALSE(
        CheckRequestHead(Head("POST / HTTP/1.0", "Expect: 100-continue"), kLimit).expects_continue);
    EXPECT_FALSE(CheckRequestHead(Head("POST / HTTP/1.1", ""), kLimit).expects_continue);
}

TEST(CheckRequestPathTest, AcceptsValidEscapesAndRefusesTheRest) {
    for (const char* path : {"/scim/v2/Users", "/scim/v2/%55sers", "/a%20b", "/%C3%A9", "/a+b"}) {
        EXPECT_FALSE(CheckRequestPath(path)) << path;
    }
    for (const char* path : {"/a%2Fb", "/a%2fb", "/%zz", "/a%2", "/a%", "/%FF", "/%C3"}) {
        auto error = CheckRequestPath(path);
        ASSERT_TRUE(error) << path;
        EXPECT_EQ(error->status, 400);
    }
}

TEST(KeepsAliveTest, FollowsTheVersionDefaultAndTheConnectionOptions) {
    EXPECT_TRUE(KeepsAlive(true, std::nullopt));
    EXPECT_TRUE(KeepsAlive(true, "Keep-Alive"));
    EXPECT_FALSE(KeepsAlive(true, "close"));
    EXPECT_FALSE(KeepsAlive(true, "TE, Close"));
    EXPECT_FALSE(KeepsAlive(false, std::nullopt));
    EXPECT_FALSE(KeepsAlive(false, "close"));
    EXPECT_TRUE(KeepsAlive(false, "keep-alive"));
    EXPECT_TRUE(KeepsAlive(false, "Upgrade, Keep-Alive"));
}

TEST(AddPolicyHeadersTest, AddsNoStoreUnlessSetAndRetryAfterOn503) {
    HttpResponse plain;
    AddPolicyHeaders(plain);
    EXPECT_THAT(plain.Header("Cache-Control"), Optional(std::string_view("no-store")));
    EXPECT_FALSE(plain.Header("Retry-After"));

    HttpResponse file;
    file.headers.emplace_back("Cache-Control", "no-cache");
    AddPolicyHeaders(file);
    EXPECT_EQ(file.headers.size(), 1u);

    HttpResponse unavailable;
    unavailable.status = 503;
    AddPolicyHeaders(unavailable);
    EXPECT_THAT(unavailable.Header("Retry-After"), Optional(std::string_view("5")));

    HttpResponse throttled;
    throttled.status = 503;
    throttled.headers.emplace_back("Retry-After", "17");
    AddPolicyHeaders(throttled);
    EXPECT_THAT(throttled.Header("Retry-After"), Optional(std::string_view("17")));
}

TEST(SerializeResponseTest, WritesFramingHeadersItself) {
    HttpResponse response;
    response.status = 201;
    response.headers = {{"Content-Type", "application/scim+json"},
                        {"Content-Length", "999"},
                        {"Connection", "whatever"}};
    response.body = "{}";
    std::string wire = SerializeResponse(response, false, true);
    EXPECT_EQ(wire.rfind("HTTP/1.1 201 Created\r\nDate: ", 0), 0u) << wire;
    EXPECT_THAT(wire, HasSubstr("\r\nContent-Type: application/scim+json\r\n"));
    EXPECT_THAT(wire, HasSubstr("\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}"));
    EXPECT_THAT(wire, Not(HasSubstr("999")));
    EXPECT_THAT(wire, Not(HasSubstr("whatever")));
    EXPECT_THAT(SerializeResponse(response, false, false), HasSubstr("\r\nConnection: close\r\n"));
}

TEST(SerializeResponseTest, HeadKeepsTheLengthAndDropsTheBody) {
    HttpResponse response;
    response.body = "{\"a\":1}";
    std::string wire = SerializeResponse(response, true, true);
    EXPECT_THAT(wire, HasSubstr("Content-Length: 7\r\n\r\n"));
    EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n");
}

TEST(SerializeResponseTest, NoContentHasNeitherLengthNorBody) {
    HttpResponse response;
    response.status = 204;
    response.body = "ignored";
    std::string wire = SerializeResponse(response, false, true);
    EXPECT_THAT(wire, Not(HasSubstr("Content-Length")));
    EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace scim::http

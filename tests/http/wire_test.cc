// The HTTP/1.1 wire as clients see it, over raw sockets against the real Pistache endpoint:
// requests curl would not send (broken framing, unknown methods), connection endings, Expect,
// HEAD, the headers every response carries, and draining with a body still arriving.

#include <arpa/inet.h>
#include <chrono>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/fakes.h"
#include "http/raw_connection.h"
#include "scim/http/server.h"

namespace scim::http {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Not;
using ::testing::Return;

using Clock = std::chrono::steady_clock;
using testing::BodyOf;
using testing::RawConnection;
using testing::StatusOf;

// A full SCIM error: status line, SCIM media type, and a JSON body with the same status.
void ExpectScimError(const std::string& response, int status) {
    ASSERT_EQ(StatusOf(response), status) << response;
    EXPECT_THAT(response, HasSubstr("Content-Type: application/scim+json"));
    auto body = nlohmann::json::parse(BodyOf(response));
    EXPECT_EQ(body["status"], std::to_string(status));
    EXPECT_EQ(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}

class WireTest : public ::testing::Test {
protected:
    static constexpr std::size_t kMaxBody = 64 * 1024;

    void SetUp() override {
        ApiOptions api_options;
        api_options.max_body_bytes = kMaxBody;
        api_options.log = [this](std::string_view line) {
            std::lock_guard lock(mu_);
            log_.emplace_back(line);
        };
        api_ = std::make_unique<Api>(backend_, auth_, api_options);
        ServerOptions options;
        options.port = 0;
        options.threads = 2;
        options.max_body_bytes = kMaxBody;
        options.drain_timeout = std::chrono::seconds(5);
        server_ = std::make_unique<Server>(*api_, options);
        Status started = server_->Start();
        ASSERT_TRUE(started.ok()) << started.error().internal;
    }

    void TearDown() override { server_->Shutdown(); }

    std::string LastLog() {
        std::lock_guard lock(mu_);
        return log_.empty() ? "" : log_.back();
    }

    std::string Post(const std::string& extra_headers, const std::string& body) {
        return "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n"
               "Content-Type: application/scim+json\r\n" +
               extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Server> server_;
    std::mutex mu_;
    std::vector<std::string> log_;
};

TEST_F(WireTest, MalformedContentLengthGetsAScim400ALogLineAndTheEnd) {
    const char* kLengths[] = {"-5", "18446744073709551616", "abc", "5\r\nContent-Length: 6",
                              "0x10"};
    for (const char* length : kLengths) {
        SCOPED_TRACE(length);
        RawConnection connection(server_->Port());
        ASSERT_TRUE(connection.connected());
        connection.Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                        std::string(length) + "\r\n\r\n{}");
        ExpectScimError(connection.ReadResponse(), 400);
        EXPECT_TRUE(connection.EndsWithin(2000));
        EXPECT_THAT(LastLog(), HasSubstr("method=POST route=- status=400"));
    }
}

TEST_F(WireTest, ContentLengthWithTransferEncodingIsRefused) {
    RawConnection connection(server_->Port());
    connection.Send(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
        "Transfer-Encoding: chunked\r\n\r\n{}");
    ExpectScimError(connection.ReadResponse(), 400);
    EXPECT_TRUE(connection.EndsWithin(2000));
}

TEST_F(WireTest, DeclaredBodyOverTheLimitIsRefusedBeforeItArrives) {
    RawConnection connection(server_->Port());
    connection.Send(Post("", std::string(kMaxBody + 1, 'a')).substr(0, 200));
    std::string response = connection.ReadResponse();
    ExpectScimError(response, 413);
    EXPECT_THAT(response, HasSubstr("Connection: close"));
    EXPECT_TRUE(connection.EndsWithin(2000));
}

TEST_F(WireTest, UnparsableContentTypeGetsAScim415) {
    RawConnection connection(server_->Port());
    connection.Send(Post("Content-Type: foo\r\n", "{}"));
    ExpectScimError(connection.ReadResponse(), 415);
    EXPECT_THAT(LastLog(), HasSubstr("status=415"));
}

// RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has an empty body.
// A POST or PUT framed that way was refused as "not valid JSON (near byte 1)".
TEST_F(WireTest, PostOrPutWithoutFramingHeadersIsAnEmptyBody) {
    const char* kRequestLines[] = {"POST /scim/v2/Users HTTP/1.1",
                                   "PUT /scim/v2/Users/2819c223 HTTP/1.1"};
    for (const char* line : kRequestLines) {
        SCOPED_TRACE(line);
        RawConnection connection(server_->Port());
        connection.Send(std::string(line) +
                        "\r\nHost: t\r\nAuthorization: Bearer good\r\n"
                        "Content-Type: application/scim+json\r\n\r\n");
        std::string response = connection.ReadResponse();
        ExpectScimError(response, 400);
        auto body = nlohmann::json::parse(BodyOf(response));
        EXPECT_EQ(body["scimType"], "invalidSyntax");
        EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr("request body is empty"));
    }
}

TEST_F(WireTest, UnknownMethodGetsAScim501LoggedAsWarning) {
    RawConnection connection(server_->Port());
    connection.Send("PROPFIND /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n");
    ExpectScimError(connection.ReadResponse(), 501);
    EXPECT_THAT(LastLog(), HasSubstr("level=warn"));
    EXPECT_THAT(LastLog(), HasSubstr("method=PROPFIND route=- status=501"));
}

// RFC 9112 §3: only a request line of the right shape can name an unknown method (501); one
// that is not of that shape is a 400.
TEST_F(WireTest, GarbledRequestLinesGetAScim400AndTheEnd) {
    for (const char* request :
         {"HELLO\r\n\r\n", "GET\r\n\r\n", "GET /healthz\r\nHost: t\r\n\r\n"}) {
        SCOPED_TRACE(request);
        RawConnection connection(server_->Port());
        connection.Send(request);
        ExpectScimError(connection.ReadResponse(), 400);
        EXPECT_TRUE(connection.EndsWithin(2000));
        EXPECT_THAT(LastLog(), HasSubstr("status=400"));
    }
    RawConnection brew(server_->Port());
    brew.Send("BREW /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n");
    ExpectScimError(brew.ReadResponse(), 501);
}

// RFC 9112 §3.2: HTTP/1.1 needs one Host; HTTP/1.0 may go without.
TEST_F(WireTest, Http11WithoutHostOrWithTwoHostsGetsAScim400) {
    const char* kRequests[] = {
        "GET /healthz HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    };
    for (const char* request : kRequests) {
        SCOPED_TRACE(request);
        RawConnection connection(server_->Port());
        connection.Send(request);
        std::string response = connection.ReadResponse();
        ExpectScimError(response, 400);
        EXPECT_THAT(nlohmann::json::parse(BodyOf(response))["detail"].get<std::string>(),
                    HasSubstr("Host"));
        EXPECT_TRUE(connection.EndsWithin(2000));
    }
    RawConnection old(server_->Port());
    old.Send("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(StatusOf(old.ReadResponse()), 200);
}

// RFC 9110 §5.3: Authorization is a singleton; two of them are refused, never picked from.
TEST_F(WireTest, TwoAuthorizationHeadersGetAScim400ThatQuotesNeither) {
    RawConnection connection(server_->Port());
    connection.Send(
        "GET /scim/v2/Users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n"
        "Authorization: Bearer other-secret\r\n\r\n");
    std::string response = connection.ReadResponse();
    ExpectScimError(response, 400);
    EXPECT_THAT(response, Not(HasSubstr("good")));
    EXPECT_THAT(response, Not(HasSubstr("other-secret")));
    EXPECT_THAT(LastLog(), Not(HasSubstr("other-secret")));
}

TEST_F(WireTest, KnownMethodWithoutARouteGetsA405WithAllow) {
    RawConnection connection(server_->Port());
    connection.Send("OPTIONS /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string response = connection.ReadResponse();
    ExpectScimError(response, 405);
    EXPECT_THAT(response, HasSubstr("Allow: GET, HEAD, POST\r\n"));
}

TEST_F(WireTest, ConnectionCloseEndsTheConnectionAfterTheResponse) {
    const char* kRequests[] = {
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "GET /healthz HTTP/1.0\r\n\r\n",
    };
    for (const char* request : kRequests) {
        SCOPED_TRACE(request);
        RawConnection connection(server_->Port());
        connection.Send(request);
        std::string response = connection.ReadResponse();
        EXPECT_EQ(StatusOf(response), 200) << response;
        EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
        EXPECT_TRUE(connection.EndsWithin(1000));
    }
}

TEST_F(WireTest, LargeResponseArrivesWholeBeforeTheConnectionEnds) {
    // Far more than a socket buffer holds, so the write completes in several steps.
    std::string name(4 * 1024 * 1024, 'n');
    EXPECT_CALL(backend_, Get(_, _, _, _, _))
        .WillOnce(Return(Response{200, {{"userName", name}}, {}, {}}));
    RawConnection connection(server_->Port());
    connection.Send(
        "GET /scim/v2/Users/big HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n"
        "Connection: close\r\n\r\n");
    std::string response = connection.ReadResponse(false, 10000);
    ASSERT_EQ(StatusOf(response), 200);
    EXPECT_EQ(nlohmann::json::parse(BodyOf(response))["userName"], name);
    EXPECT_TRUE(connection.EndsWithin(2000));
}

TEST_F(WireTest, KeepAliveConnectionsStayOpenForTheNextRequest) {
    const char* kRequests[] = {
        "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    };
    for (const char* request : kRequests) {
        SCOPED_TRACE(request);
        RawConnection connection(server_->Port());
        connection.Send(request);
        std::string first = connection.ReadResponse();
        EXPECT_THAT(first, HasSubstr("Connection: keep-alive\r\n"));
        EXPECT_TRUE(connection.QuietFor(200));
        connection.Send(request);
        EXPECT_EQ(StatusOf(connection.ReadResponse()), 200);
    }
}

TEST_F(WireTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
    EXPECT_CALL(backend_, Create(_, _, _, _))
        .WillOnce(Return(Response{201, nlohmann::json::object(), {}, {}}));
    RawConnection connection(server_->Port());
    std::string request = Post("Expect: 100-continue\r\n", R"({"userName":"a"})");
    std::size_t head_end = request.find("\r\n\r\n") + 4;
    connection.Send(request.substr(0, head_end));
    auto start = Clock::now();
    EXPECT_EQ(connection.ReadResponse(false, 500), "HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
    connection.Send(request.substr(head_end));
    EXPECT_EQ(StatusOf(connection.ReadResponse()), 201);
}

TEST_F(WireTest, UnknownExpectationGetsA417) {
    RawConnection connection(server_->Port());
    connection.Send(Post("Expect: something-else\r\n", "{}"));
    ExpectScimError(connection.ReadResponse(), 417);
}

TEST_F(WireTest, HeadIsAnsweredLikeGetWithoutABody) {
    RawConnection connection(server_->Port());
    connection.Send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string head = connection.ReadResponse(/*head=*/true);
    EXPECT_EQ(StatusOf(head), 200) << head;
    EXPECT_THAT(head, HasSubstr("Content-Length: 15\r\n"));  // {"status":"ok"}
    EXPECT_TRUE(connection.QuietFor(200)) << "a response to HEAD has no body";
    connection.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(BodyOf(connection.ReadResponse()), R"({"status":"ok"})");
}

TEST_F(WireTest, ResponsesAreNotStoredAndA503SaysWhenToRetry) {
    EXPECT_CALL(backend_, Ready()).WillOnce(Return(false));
    RawConnection connection(server_->Port());
    connection.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_THAT(connection.ReadResponse(), HasSubstr("Cache-Control: no-store\r\n"));
    connection.Send("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string unavailable = connection.ReadResponse();
    EXPECT_EQ(StatusOf(unavailable), 503);
    EXPECT_THAT(unavailable, HasSubstr("Retry-After: 5\r\n"));
    EXPECT_THAT(unavailable, HasSubstr("Cache-Control: no-store\r\n"));
}

TEST_F(WireTest, RequestIdWithUnderscoresIsEchoed) {
    RawConnection connection(server_->Port());
    connection.Send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: idp_req-1.a:b\r\n\r\n");
    EXPECT_THAT(connection.ReadResponse(), HasSubstr("X-Request-Id: idp_req-1.a:b\r\n"));
}

TEST_F(WireTest, PercentEncodedPathSegmentsMatchTheirRoutes) {
    EXPECT_CALL(backend_, List(_, _, _))
        .WillOnce(Return(Response{200, {{"totalResults", 0}}, {}, {}}));
    RawConnection connection(server_->Port());
    connection.Send(
        "GET /scim/v2/%55sers HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n\r\n");
    EXPECT_EQ(StatusOf(connection.ReadResponse()), 200);
}

TEST_F(WireTest, EscapedSlashesAndBrokenEscapesInThePathAre400) {
    EXPECT_CALL(backend_, Get(_, _, _, _, _)).Times(0);
    const char* kPaths[] = {"/scim/v2/Users/a%2Fb", "/scim/v2/Users/a%2fb", "/scim/v2/Users/%zz",
                            "/scim/v2/Users/a%2", "/scim/v2/Users/%FF"};
    for (const char* path : kPaths) {
        SCOPED_TRACE(path);
        RawConnection connection(server_->Port());
        connection.Send("GET " + std::string(path) +
                        " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n\r\n");
        ExpectScimError(connection.ReadResponse(), 400);
    }
}

TEST_F(WireTest, ShutdownAnswersARequestWhoseBodyIsStillArriving) {
    EXPECT_CALL(backend_, Create(_, _, _, _))
        .WillOnce(Return(Response{201, {{"id", "late"}}, {}, {}}));
    RawConnection slow(server_->Port());
    std::string request = Post("", R"({"userName":"late"})");
    slow.Send(request.substr(0, request.size() - 5));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

    auto started = Clock::now();
    std::thread shutdown([this] { server_->Shutdown(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    // A request begun after draining started is refused and its connection closed.
    RawConnection late(server_->Port());
    late.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string refused = late.ReadResponse();
    ExpectScimError(refused, 503);
    EXPECT_THAT(refused, HasSubstr("Retry-After: 5\r\n"));
    EXPECT_TRUE(late.EndsWithin(1000));

    slow.Send(request.substr(request.size() - 5));
    std::string response = slow.ReadResponse();
    shutdown.join();
    EXPECT_EQ(StatusOf(response), 201) << response;
    EXPECT_EQ(nlohmann::json::parse(BodyOf(response))["id"], "late");
    EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(4)) << "drain waited for its timeout";
}

}  // namespace
}  // namespace scim::http

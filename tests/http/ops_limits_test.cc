// Slow-client and protocol limits of the real Pistache endpoint: header, body and keep-alive
// timeouts, the 413 ceiling, and HEAD.

#include <arpa/inet.h>
#include <chrono>
#include <future>
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

#include "http/curl_client.h"
#include "http/fakes.h"
#include "scim/http/api.h"
#include "scim/http/metrics.h"
#include "scim/http/server.h"

namespace scim::http {
namespace {

using ::testing::_;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Return;

using namespace std::chrono_literals;

// A bare TCP connection to the server under test on 127.0.0.1, for sending partial requests.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawConnection() { close(fd_); }

    bool connected() const { return connected_; }

    void Write(const std::string& data) {
        ASSERT_EQ(send(fd_, data.data(), data.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(data.size()));
    }

    // Reads until the peer closes or `wait` passes without data. Returns what arrived and sets
    // `closed` when the peer closed the connection.
    std::string ReadFor(std::chrono::milliseconds wait, bool& closed) {
        std::string out;
        closed = false;
        auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd pfd{fd_, POLLIN, 0};
            if (poll(&pfd, 1, 20) <= 0) {
                continue;
            }
            char buffer[4096];
            ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    int fd_;
    bool connected_ = false;
};

class LimitsTest : public ::testing::Test {
protected:
    static constexpr std::size_t kMaxBody = 256 * 1024;

    void StartServer(ServerOptions options) {
        ApiOptions api_options;
        api_options.max_body_bytes = kMaxBody;
        api_options.log = [this](std::string_view line) {
            std::lock_guard lock(mu_);
            log_.emplace_back(line);
        };
        api_options.metrics = &metrics_;
        api_ = std::make_unique<Api>(backend_, auth_, api_options);
        options.port = 0;
        options.threads = 2;
        options.max_body_bytes = kMaxBody;
        server_ = std::make_unique<Server>(*api_, options);
        ASSERT_TRUE(server_->Start().ok());
        base_ = "http://127.0.0.1:" + std::to_string(server_->Port());
    }

    void TearDown() override {
        if (server_) {
            server_->Shutdown();
        }
    }

    std::vector<std::string> Log() {
        std::lock_guard lock(mu_);
        return log_;
    }

    // The refusals of requests that matched no route, by status, as /metrics reports them.
    bool MetricsCount(int status, int count) {
        std::string series = "scimd_http_requests_total{route=\"unmatched\",status=\"" +
                             std::to_string(status) + "\"} " + std::to_string(count) + "\n";
        return metrics_.Render().find(series) != std::string::npos;
    }

    // A slow request's whole answer: a SCIM 408 that closes the connection, then its end.
    void ExpectTimedOut(const std::string& answer, bool closed, std::string_view part) {
        EXPECT_EQ(answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << answer;
        EXPECT_THAT(answer, HasSubstr("Connection: close\r\n"));
        EXPECT_THAT(answer, HasSubstr("Content-Type: application/scim+json"));
        auto end_of_headers = answer.find("\r\n\r\n");
        ASSERT_NE(end_of_headers, std::string::npos) << answer;
        auto body = nlohmann::json::parse(answer.substr(end_of_headers + 4));
        EXPECT_EQ(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        EXPECT_EQ(body["status"], "408");
        EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr(part));
        EXPECT_TRUE(closed) << "the connection stayed open after the 408";
    }

    Metrics metrics_{Api::RouteTemplates(), BuildInfo{"1"}};
    std::mutex mu_;
    std::vector<std::string> log_;
    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Server> server_;
    std::string base_;
};

// RFC 9110 §15.5.9: the server's own SCIM 408, before Pistache's later backstop would answer.
TEST_F(LimitsTest, AnswersScim408AndClosesWhenHeadersArriveTooSlowly) {
    ServerOptions options;
    options.header_timeout = 300ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    auto start = std::chrono::steady_clock::now();
    connection.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // no blank line yet
    bool closed = false;
    std::string answer = connection.ReadFor(3s, closed);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ExpectTimedOut(answer, closed, "head");
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, PistacheTimeout(options.header_timeout));
    EXPECT_TRUE(MetricsCount(408, 1)) << metrics_.Render();
    EXPECT_THAT(Log(), Contains(HasSubstr("status=408")));
}

TEST_F(LimitsTest, AnswersScim408AndClosesWhenBodyArrivesTooSlowly) {
    ServerOptions options;
    options.body_timeout = 300ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"userName\":");
    bool closed = false;
    std::string answer = connection.ReadFor(3s, closed);
    ExpectTimedOut(answer, closed, "body");
    EXPECT_TRUE(MetricsCount(408, 1)) << metrics_.Render();
    std::vector<std::string> log = Log();
    ASSERT_THAT(log, Contains(HasSubstr("status=408")));
    EXPECT_THAT(log, Not(Contains(HasSubstr("userName")))) << "a request body reached the log";
}

// The body's time starts at the end of the head, not at the first byte: a head that took most
// of header_timeout leaves the body its whole body_timeout.
TEST_F(LimitsTest, CountsTheBodyTimeFromTheEndOfTheHead) {
    ServerOptions options;
    options.header_timeout = 1000ms;
    options.body_timeout = 1000ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write("POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    std::this_thread::sleep_for(500ms);
    connection.Write(
        "Authorization: Bearer good\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\n\r\n{");
    std::this_thread::sleep_for(700ms);  // 1200 ms since the first byte, 700 since the head
    connection.Write("}");
    bool closed = false;
    std::string answer = connection.ReadFor(1s, closed);
    EXPECT_THAT(answer, Not(HasSubstr("HTTP/1.1 408"))) << answer;
    EXPECT_FALSE(answer.empty());
}

// A timely request on a connection that already served one gets its own fresh deadline, and a
// connection that stays idle between requests is closed without any response.
TEST_F(LimitsTest, GivesEachKeepAliveRequestItsOwnDeadline) {
    ServerOptions options;
    options.header_timeout = 600ms;
    options.keepalive_timeout = 2s;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    bool closed = false;
    connection.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_THAT(connection.ReadFor(300ms, closed), HasSubstr("200 OK"));
    std::this_thread::sleep_for(800ms);  // idle, longer than header_timeout
    connection.Write("GET /healthz HTTP/1.1\r\n");
    std::this_thread::sleep_for(200ms);
    connection.Write("Host: 127.0.0.1\r\n\r\n");
    std::string second = connection.ReadFor(300ms, closed);
    EXPECT_THAT(second, HasSubstr("200 OK"));
    EXPECT_THAT(second, Not(HasSubstr("HTTP/1.1 408")));
    EXPECT_FALSE(closed);
    EXPECT_EQ(connection.ReadFor(4s, closed), "") << "an idle connection got a response";
    EXPECT_TRUE(closed);
}

// A request begun just before the keep-alive timeout is a request, no longer an idle connection:
// it has header_timeout to arrive, even when that runs past keepalive_timeout.
TEST_F(LimitsTest, ServesARequestBegunLateInTheKeepAliveWait) {
    ServerOptions options;
    options.header_timeout = 3s;
    options.keepalive_timeout = 500ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    bool closed = false;
    connection.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_THAT(connection.ReadFor(300ms, closed), HasSubstr("200 OK"));
    connection.Write("GET /healthz HTTP/1.1\r\n");  // about 300 ms into the keep-alive wait
    std::this_thread::sleep_for(1500ms);
    connection.Write("Host: 127.0.0.1\r\n\r\n");
    std::string second = connection.ReadFor(500ms, closed);
    EXPECT_THAT(second, HasSubstr("200 OK"));
}

// Draining waits for requests being received; one that stalls is cut off by its deadline
// instead of holding the shutdown for the whole drain timeout.
TEST_F(LimitsTest, AnswersAStalledRequestWhileDraining) {
    ServerOptions options;
    options.header_timeout = 300ms;
    options.drain_timeout = 10s;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write("GET /healthz HTTP/1.1\r\n");
    std::this_thread::sleep_for(50ms);
    auto start = std::chrono::steady_clock::now();
    std::thread stopper([this] { server_->Shutdown(); });
    bool closed = false;
    std::string answer = connection.ReadFor(3s, closed);
    stopper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    ExpectTimedOut(answer, closed, "head");
}

TEST_F(LimitsTest, ClosesIdleKeepAliveConnections) {
    ServerOptions options;
    options.keepalive_timeout = 500ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    bool closed = false;
    std::string answer = connection.ReadFor(4s, closed);
    EXPECT_THAT(answer, HasSubstr("200 OK"));
    EXPECT_THAT(answer, Not(HasSubstr("HTTP/1.1 408"))) << "an idle connection was answered";
    EXPECT_TRUE(closed) << "an idle connection stayed open past keepalive_timeout";
}

// A request whose handling outlasts keepalive_timeout is not an idle connection: its response is
// written whole, and only then does the keep-alive wait begin. Pistache checks its keep-alive
// timer every 500 ms, so the handler is held well past both before it is let go.
TEST_F(LimitsTest, AnswersARequestHandledForLongerThanTheKeepAliveTimeout) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    EXPECT_CALL(backend_, Get(_, _, _, _, _)).WillOnce([released](auto&&...) -> Result<Response> {
        released.wait();
        return Response{200, {{"id", "slow"}}, {}, {}};
    });
    ServerOptions options;
    options.keepalive_timeout = 300ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write(
        "GET /scim/v2/Users/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer good\r\n\r\n");
    std::this_thread::sleep_for(1200ms);
    release.set_value();
    bool closed = false;
    // Shorter than keepalive_timeout, which may start only once the response is queued.
    std::string answer = connection.ReadFor(250ms, closed);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "the response was dropped";
    EXPECT_THAT(answer, HasSubstr("\"slow\""));
    EXPECT_FALSE(closed) << "the keep-alive wait began before the response was written";
    EXPECT_EQ(connection.ReadFor(3s, closed), "") << "an idle connection got a response";
    EXPECT_TRUE(closed) << "an idle connection stayed open past keepalive_timeout";
}

TEST_F(LimitsTest, KeepsSlowButTimelyClientsServed) {
    StartServer(ServerOptions{});  // defaults: 5 s for headers
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write("GET /healthz HTTP/1.1\r\n");
    std::this_thread::sleep_for(500ms);
    connection.Write("Host: 127.0.0.1\r\n\r\n");
    bool closed = false;
    std::string answer = connection.ReadFor(1s, closed);
    EXPECT_THAT(answer, HasSubstr("200 OK"));
    EXPECT_THAT(answer, Not(HasSubstr("HTTP/1.1 408")));
    EXPECT_FALSE(closed);
    EXPECT_THAT(metrics_.Render(), Not(HasSubstr("status=\"408\"")));
}

TEST_F(LimitsTest, AnswersScimJsonForBodiesUpToTwiceTheLimit) {
    StartServer(ServerOptions{});
    testing::CurlClient client;
    const HeaderList headers = {{"Authorization", "Bearer good"},
                                {"Content-Type", "application/scim+json"}};
    // Past the body limit plus all header room: Pistache would have answered this one itself.
    std::string big = R"({"userName":")" + std::string(kMaxBody + kHeaderRoom + 4096, 'a') + "\"}";
    ASSERT_LT(big.size(), 2 * kMaxBody + 1024);
    auto rejected = client.Send("POST", base_ + "/scim/v2/Users", headers, &big);
    EXPECT_EQ(rejected.status, 413);
    EXPECT_THAT(rejected.Header("Content-Type"), Optional(HasSubstr("application/scim+json")));
    EXPECT_EQ(nlohmann::json::parse(rejected.body)["status"], "413");

    // Past the ceiling Pistache still refuses before reading it all.
    std::string huge(PistacheRequestLimit(kMaxBody) + 1024, 'a');
    EXPECT_EQ(client.Send("POST", base_ + "/scim/v2/Users", headers, &huge).status, 413);
}

// RFC 9110 §9.3.2: HEAD mirrors GET, and its response must never carry a body, or a keep-alive
// client would read it as the start of the next response.
TEST_F(LimitsTest, AnswersHeadLikeGetWithoutABody) {
    EXPECT_CALL(backend_, Get(_, _, _, _, _))
        .WillOnce(Return(Response{200, {{"id", "u1"}}, {}, {}}));
    StartServer(ServerOptions{});
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write(
        "HEAD /scim/v2/Users/u1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer good\r\n\r\n");
    bool closed = false;
    std::string answer = connection.ReadFor(1s, closed);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
    EXPECT_THAT(answer, HasSubstr("Content-Length: 11\r\n"));  // {"id":"u1"}
    auto end_of_headers = answer.find("\r\n\r\n");
    ASSERT_NE(end_of_headers, std::string::npos) << answer;
    EXPECT_EQ(answer.substr(end_of_headers + 4), "") << "HEAD response carried a body";
}

}  // namespace
}  // namespace scim::http

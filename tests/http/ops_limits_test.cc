// Slow-client and protocol limits of the real Pistache endpoint: header, body and keep-alive
// timeouts, the 413 ceiling, and HEAD.

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/curl_client.h"
#include "http/fakes.h"
#include "scim/http/api.h"
#include "scim/http/server.h"

namespace scim::http {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
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
        api_options.log = [](std::string_view) {};
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

    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Server> server_;
    std::string base_;
};

TEST_F(LimitsTest, ClosesConnectionsWhoseHeadersArriveTooSlowly) {
    ServerOptions options;
    options.header_timeout = 300ms;
    StartServer(options);
    RawConnection connection(server_->Port());
    ASSERT_TRUE(connection.connected());
    connection.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // no blank line yet
    bool closed = false;
    std::string answer = connection.ReadFor(3s, closed);
    EXPECT_TRUE(closed) << answer;
}

TEST_F(LimitsTest, ClosesConnectionsWhoseBodyArrivesTooSlowly) {
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
    EXPECT_TRUE(closed) << answer;
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
    EXPECT_THAT(connection.ReadFor(1s, closed), HasSubstr("200 OK"));
    EXPECT_FALSE(closed);
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

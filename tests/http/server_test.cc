#include "scim/http/server.h"

#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/curl_client.h"
#include "http/fakes.h"

namespace scim::http {
namespace {

using ::testing::_;
using testing::ClientResponse;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Optional;
using ::testing::Return;

// The real Pistache endpoint on 127.0.0.1, a random port, and the fake backend.
class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        ApiOptions api_options;
        api_options.max_body_bytes = 256 * 1024;
        api_options.log = [](std::string_view) {};
        api_ = std::make_unique<Api>(backend_, auth_, api_options);
        ServerOptions options;
        options.port = 0;
        options.threads = 2;
        options.max_body_bytes = api_options.max_body_bytes;
        server_ = std::make_unique<Server>(*api_, options);
        Status started = server_->Start();
        ASSERT_TRUE(started.ok()) << started.error().internal;
        base_ = "http://127.0.0.1:" + std::to_string(server_->Port());
    }

    void TearDown() override {
        if (server_) {
            server_->Shutdown();
        }
    }

    const HeaderList kAuth = {{"Authorization", "Bearer good"},
                              {"Content-Type", "application/scim+json; charset=utf-8"}};
    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Server> server_;
    std::string base_;
    testing::CurlClient client_;
};

TEST_F(ServerTest, ListensOnARandomPort) {
    EXPECT_NE(server_->Port(), 0);
}

TEST_F(ServerTest, KeepsConnectionsAliveForHttp11) {
    auto first = client_.Send("GET", base_ + "/healthz");
    ASSERT_EQ(first.status, 200) << first.error;
    EXPECT_THAT(first.Header("Connection"), Optional(HasSubstr("eep-")));
    auto second = client_.Send("GET", base_ + "/healthz");
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(client_.NewConnections(), 0) << "the second request should reuse the connection";
}

TEST_F(ServerTest, DecodesQueryValuesAndPathParameters) {
    EXPECT_CALL(backend_, List(_, _, _))
        .WillOnce([](const RequestContext&, std::optional<std::string_view>,
                     const Query& query) -> Result<Response> {
            EXPECT_THAT(query.filter, Optional(Eq("userName eq \"b jensen+1@example.com\"")));
            return Response{200, {{"totalResults", 0}}, {}, {}};
        });
    EXPECT_CALL(backend_, Get(_, Eq("User"), Eq("a b+c"), _, _))
        .WillOnce(Return(Response{200, nlohmann::json::object(), {}, {}}));
    auto list = client_.Send(
        "GET", base_ + "/scim/v2/Users?filter=userName+eq+%22b%20jensen%2B1%40example.com%22",
        kAuth);
    EXPECT_EQ(list.status, 200) << list.body;
    auto get = client_.Send("GET", base_ + "/scim/v2/users/a%20b+c", kAuth);
    EXPECT_EQ(get.status, 200) << get.body;
}

TEST_F(ServerTest, AnswersScimJsonForUnknownPathsAndWrongMethods) {
    auto missing = client_.Send("GET", base_ + "/nowhere");
    EXPECT_EQ(missing.status, 404);
    EXPECT_THAT(missing.Header("Content-Type"), Optional(HasSubstr("application/scim+json")));
    EXPECT_EQ(nlohmann::json::parse(missing.body)["status"], "404");

    auto wrong = client_.Send("DELETE", base_ + "/scim/v2/Users", kAuth);
    EXPECT_EQ(wrong.status, 405);
    EXPECT_THAT(wrong.Header("Allow"), Optional(Eq("GET, HEAD, POST")));
    EXPECT_EQ(nlohmann::json::parse(wrong.body)["status"], "405");
}

TEST_F(ServerTest, AcceptsBodiesUpToTheLimitAndRejectsLargerOnesAsScim) {
    EXPECT_CALL(backend_, Create(_, _, _, _))
        .WillOnce(Return(Response{201, nlohmann::json::object(), {}, {}}));
    // A body of 200 KiB is far past Pistache's default 4 KiB request limit.
    std::string fits = R"({"userName":")" + std::string(200 * 1024, 'a') + R"("})";
    EXPECT_EQ(client_.Send("POST", base_ + "/scim/v2/Users", kAuth, &fits).status, 201);

    std::string too_big = R"({"userName":")" + std::string(300 * 1024, 'a') + R"("})";
    auto rejected = client_.Send("POST", base_ + "/scim/v2/Users", kAuth, &too_big);
    EXPECT_EQ(rejected.status, 413);
    EXPECT_EQ(nlohmann::json::parse(rejected.body)["status"], "413");
}

TEST_F(ServerTest, ReadsTheAuthorizationAndPeerAddress) {
    auto denied = client_.Send("GET", base_ + "/scim/v2/Groups");
    EXPECT_EQ(denied.status, 401);
    EXPECT_THAT(denied.Header("WWW-Authenticate"), Optional(HasSubstr("Bearer")));
    EXPECT_EQ(auth_.addrs().back(), "127.0.0.1");
}

TEST_F(ServerTest, ShutdownLetsTheRequestInFlightFinish) {
    EXPECT_CALL(backend_, Get(_, _, _, _, _)).WillOnce([](auto&&...) -> Result<Response> {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return Response{200, {{"id", "slow"}}, {}, {}};
    });
    ClientResponse slow;
    std::thread request([&] {
        testing::CurlClient client;
        slow = client.Send("GET", base_ + "/scim/v2/Users/slow", kAuth);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server_->Shutdown();
    request.join();
    EXPECT_EQ(slow.status, 200) << slow.error;
    EXPECT_EQ(nlohmann::json::parse(slow.body)["id"], "slow");
}

}  // namespace
}  // namespace scim::http

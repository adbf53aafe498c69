// The real scimd binary on the wire: broken requests get logged SCIM errors, connections end when
// the response says so, HEAD and Expect are answered, long ids are not echoed back, and SIGTERM
// lets a request whose body is still arriving finish.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/process.h"
#include "http/raw_connection.h"

namespace scim::http {
namespace {

namespace fs = std::filesystem;
using testing::BinaryDir;
using testing::BodyOf;
using ::testing::HasSubstr;
using testing::LastLine;
using ::testing::Not;
using testing::RawConnection;
using testing::RunResult;
using testing::ServerProcess;
using testing::StatusOf;

class OpsWireTest : public ::testing::Test {
protected:
    void SetUp() override {
        work_ = fs::temp_directory_path() / ("scimd-ops-wire-" + std::to_string(getpid()));
        fs::remove_all(work_);
        fs::create_directories(work_);
        db_path_ = (work_ / "scimd.db").string();
        log_ = (work_ / "scimd.log").string();
        std::string org = Ctl({"org", "create", "wire"});
        token_ = Ctl({"token", "create", "--org", org, "--name", "idp"});
        ASSERT_FALSE(token_.empty());
        std::string error;
        ASSERT_TRUE(server_.Start({(BinaryDir() / "scimd").string(), "--db", "sqlite:" + db_path_,
                                   "--listen", "127.0.0.1:0", "--threads", "2"},
                                  log_, 30, error))
            << error << "\n"
            << Log();
        std::string url = server_.url();  // http://127.0.0.1:PORT/scim/v2
        port_ = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    }

    void TearDown() override {
        server_.Stop();
        if (!HasFailure()) {
            fs::remove_all(work_);
        }
    }

    std::string Ctl(std::vector<std::string> args) {
        args.insert(args.begin(),
                    {(BinaryDir() / "scimctl").string(), "--db", "sqlite:" + db_path_});
        RunResult result = testing::RunToCompletion(args, log_);
        EXPECT_EQ(result.exit_code, 0) << Log();
        return LastLine(result.out);
    }

    std::string Log() const {
        std::ifstream file(log_);
        return std::string(std::istreambuf_iterator<char>(file), {});
    }

    std::string Auth() const { return "Authorization: Bearer " + token_ + "\r\n"; }

    std::string CreateRequest(const std::string& user_name) const {
        std::string body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)"
                           R"("userName":")" +
                           user_name + R"("})";
        return "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + Auth() +
               "Content-Type: application/scim+json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    fs::path work_;
    std::string db_path_;
    std::string log_;
    std::string token_;
    ServerProcess server_;
    std::uint16_t port_ = 0;
};

TEST_F(OpsWireTest, BrokenRequestsGetScimErrorsAndLogLinesNotErrors) {
    RawConnection negative(port_);
    negative.Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n");
    std::string answer = negative.ReadResponse();
    EXPECT_EQ(StatusOf(answer), 400) << answer;
    EXPECT_EQ(nlohmann::json::parse(BodyOf(answer))["status"], "400");
    EXPECT_TRUE(negative.EndsWithin(2000));

    RawConnection propfind(port_);
    propfind.Send("PROPFIND /scim/v2/Users HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(StatusOf(propfind.ReadResponse()), 501);

    RawConnection bulk(port_);
    bulk.Send("POST /scim/v2/Bulk HTTP/1.1\r\nHost: t\r\n" + Auth() + "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(StatusOf(bulk.ReadResponse()), 501);

    ASSERT_EQ(server_.Stop(), 0);
    std::string log = Log();
    EXPECT_THAT(log, HasSubstr("level=info request_id="));
    EXPECT_THAT(log, HasSubstr("method=POST route=- status=400"));
    EXPECT_THAT(log, HasSubstr("method=PROPFIND route=- status=501"));
    EXPECT_THAT(log, HasSubstr("method=POST route=/scim/v2/Bulk status=501"));
    EXPECT_THAT(log, Not(HasSubstr("level=error"))) << log;
}

TEST_F(OpsWireTest, ConnectionCloseHeadExpectAndLongIds) {
    RawConnection closing(port_);
    closing.Send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(StatusOf(closing.ReadResponse()), 200);
    EXPECT_TRUE(closing.EndsWithin(1000));

    RawConnection connection(port_);
    connection.Send("HEAD /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + Auth() + "\r\n");
    std::string head = connection.ReadResponse(/*head=*/true);
    EXPECT_EQ(StatusOf(head), 200) << head;
    EXPECT_THAT(head, HasSubstr("Cache-Control: no-store\r\n"));
    EXPECT_TRUE(connection.QuietFor(200)) << "a response to HEAD has no body";

    std::string create = CreateRequest("expecting");
    std::size_t head_end = create.find("\r\n\r\n") + 4;
    connection.Send(create.substr(0, head_end - 2) + "Expect: 100-continue\r\n\r\n");
    EXPECT_EQ(connection.ReadResponse(false, 500), "HTTP/1.1 100 Continue\r\n\r\n");
    connection.Send(create.substr(head_end));
    EXPECT_EQ(StatusOf(connection.ReadResponse()), 201);

    connection.Send("GET /scim/v2/Users/" + std::string(10 * 1024, 'x') +
                    " HTTP/1.1\r\nHost: t\r\n" + Auth() + "\r\n");
    std::string missing = connection.ReadResponse();
    EXPECT_EQ(StatusOf(missing), 404) << missing.substr(0, 300);
    EXPECT_LT(BodyOf(missing).size(), 300u) << "the id is echoed whole";
}

TEST_F(OpsWireTest, SigtermLetsARequestWhoseBodyIsArrivingFinish) {
    RawConnection slow(port_);
    std::string request = CreateRequest("arriving");
    slow.Send(request.substr(0, request.size() - 4));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    int exit_code = -2;
    std::thread stopper([&] { exit_code = server_.Stop(20); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    slow.Send(request.substr(request.size() - 4));
    std::string response = slow.ReadResponse();
    stopper.join();
    EXPECT_EQ(StatusOf(response), 201) << response << "\n" << Log();
    EXPECT_EQ(nlohmann::json::parse(BodyOf(response))["userName"], "arriving");
    EXPECT_EQ(exit_code, 0) << Log();
}

}  // namespace
}  // namespace scim::http

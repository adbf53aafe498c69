// The real scimd binary: SIGTERM while a request is in flight lets that request finish with a
// complete response, then the process exits 0; start-up and shutdown lines follow --log-format.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "http/curl_client.h"
#include "http/process.h"

namespace scim::http {
namespace {

namespace fs = std::filesystem;
using testing::BinaryDir;
using testing::ClientResponse;
using testing::LastLine;
using testing::RunResult;
using testing::ServerProcess;

// Polls /metrics until a database session is leased; false after 10 s.
bool WaitForSessionInUse(const std::string& scim_url) {
    const std::string metrics_url = scim_url.substr(0, scim_url.rfind("/scim/v2")) + "/metrics";
    testing::CurlClient client;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        ClientResponse metrics = client.Send("GET", metrics_url);
        if (metrics.body.find("\nscimd_db_pool_in_use 1\n") != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

class ShutdownTest : public ::testing::Test {
protected:
    void SetUp() override {
        work_ = fs::temp_directory_path() / ("scimd-ops-shutdown-" + std::to_string(getpid()));
        fs::remove_all(work_);
        fs::create_directories(work_);
        db_path_ = (work_ / "scimd.db").string();
        log_ = (work_ / "scimd.log").string();
        std::string org = Ctl({"org", "create", "shutdown"});
        token_ = Ctl({"token", "create", "--org", org, "--name", "idp"});
        ASSERT_FALSE(token_.empty());
    }

    void TearDown() override {
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

    fs::path work_;
    std::string db_path_;
    std::string log_;
    std::string token_;
};

TEST_F(ShutdownTest, SigtermLetsTheRequestInFlightFinishThenExitsZero) {
    ServerProcess server;
    std::string error;
    ASSERT_TRUE(
        server.Start({(BinaryDir() / "scimd").string(), "--db", "sqlite:" + db_path_, "--listen",
                      "127.0.0.1:0", "--threads", "2", "--pool", "2", "--log-format", "json"},
                     log_, 30, error))
        << error << "\n"
        << Log();

    // Hold SQLite's write lock from here, so the server's insert waits inside its handler (on
    // busy_timeout) for as long as we like: a request that is reliably in flight.
    soci::session lock(soci::sqlite3, "db=" + db_path_ + " timeout=5");
    lock << "BEGIN IMMEDIATE";

    ClientResponse created;
    std::thread request([&] {
        testing::CurlClient client;
        std::string body =
            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"inflight",)"
            R"("password":"pw-must-not-be-logged"})";
        created = client.Send(
            "POST", server.url() + "/Users",
            {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/scim+json"}},
            &body);
    });
    // The request is in flight once it holds a database session while it waits for the lock.
    // The server gives up on a held SQLite lock after about 2 s, so the lock is released soon
    // after SIGTERM; the threads are joined on every path so a failure cannot abort the run.
    const bool in_flight = WaitForSessionInUse(server.url());
    int exit_code = -2;
    std::thread stopper;
    if (in_flight) {
        stopper = std::thread([&] { exit_code = server.Stop(20); });  // SIGTERM, then waits
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    lock << "COMMIT";
    if (stopper.joinable()) {
        stopper.join();
    }
    request.join();
    ASSERT_TRUE(in_flight) << Log();
    EXPECT_EQ(exit_code, 0) << Log();
    ASSERT_EQ(created.status, 201) << created.error << "\n" << Log();
    auto user = nlohmann::json::parse(created.body);  // complete: it parses
    EXPECT_EQ(user["userName"], "inflight");

    // Every line is JSON, including start-up and shutdown, and none holds a secret.
    std::string log = Log();
    EXPECT_EQ(log.find(token_), std::string::npos);
    EXPECT_EQ(log.find("pw-must-not-be-logged"), std::string::npos);
    std::vector<std::string> messages;
    std::istringstream lines(log);
    bool in_server = false;
    int user_lines = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.find("\"msg\":\"started\"") != std::string::npos) {
            in_server = true;  // lines before are scimctl's
        }
        if (!in_server) {
            continue;
        }
        SCOPED_TRACE(line);
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(parsed.is_discarded());
        if (parsed.contains("msg")) {
            messages.push_back(parsed["msg"]);
        } else if (parsed["route"] == "/scim/v2/Users") {
            EXPECT_EQ(parsed["status"], 201);
            ++user_lines;
        } else {
            EXPECT_EQ(parsed["route"], "/metrics");
        }
    }
    EXPECT_EQ(messages, (std::vector<std::string>{"started", "stopping", "stopped"}));
    EXPECT_EQ(user_lines, 1);
}

// The started line lists the settings an operator chose; whether statements are kept prepared
// (--db-prepared-statements) was missing from it.
TEST_F(ShutdownTest, StartedLineSaysWhetherStatementsArePrepared) {
    for (const char* prepared : {"true", "false"}) {
        SCOPED_TRACE(prepared);
        fs::remove(log_);
        ServerProcess server;
        std::string error;
        ASSERT_TRUE(server.Start({(BinaryDir() / "scimd").string(), "--db", "sqlite:" + db_path_,
                                  "--listen", "127.0.0.1:0", "--threads", "1", "--pool", "1",
                                  "--log-format", "json", "--db-prepared-statements", prepared},
                                 log_, 30, error))
            << error << "\n"
            << Log();
        EXPECT_EQ(server.Stop(20), 0) << Log();
        nlohmann::json started;
        std::istringstream lines(Log());
        for (std::string line; std::getline(lines, line);) {
            auto parsed = nlohmann::json::parse(line, nullptr, false);
            if (!parsed.is_discarded() && parsed.value("msg", "") == "started") {
                started = parsed;
            }
        }
        ASSERT_TRUE(started.is_object()) << Log();
        EXPECT_EQ(started["prepared_statements"], std::string(prepared) == "true" ? "1" : "0");
    }
}

}  // namespace
}  // namespace scim::http

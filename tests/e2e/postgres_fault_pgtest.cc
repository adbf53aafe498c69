// PostgreSQL going away under a running scimd. The test owns its PostgreSQL (PrivatePostgres in
// e2e/harness.h) because it stops and starts it; it does not use SCIM_TEST_PG_DSN.
//
// The fault is `pg_ctl stop -m immediate`: every backend is killed without a checkpoint and the
// next start runs crash recovery from the WAL, as after a crash of the database server. The
// cluster runs with fsync=off (disposable data, fast tests), which would lose acknowledged
// commits only if the machine itself crashed; an immediate stop leaves the kernel's page cache
// intact, so it is the right fault here. synchronous_commit stays on, so a 201 means the commit
// record reached the kernel.

#include <atomic>

#include "e2e/harness.h"

namespace scim::e2e {
namespace {

// DESIGN.md §6 and the readiness contract: a request that cannot reach the database answers
// 503 at once rather than hanging until a client times out.
constexpr double kMaxFailureMillis = 1000;
constexpr double kMaxRecoveryMillis = 5000;

class PostgresFaultTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!PrivatePostgres::Available()) {
            GTEST_SKIP() << PrivatePostgres::kBin
                         << "/initdb is missing; PostgreSQL fault tests skipped";
        }
        std::string error;
        ASSERT_TRUE(pg_.Create(error)) << error;
        log_ = work_.File("scimd.log");
        token_ = MintOrgToken(pg_.Url(), "faults", log_);
        ASSERT_FALSE(token_.empty());
        ASSERT_NO_FATAL_FAILURE(StartScimd(server_, pg_.Url(), log_, 4));
    }

    void TearDown() override {
        if (!server_.url().empty()) {
            EXPECT_EQ(server_.Stop(), 0) << Tail(log_);
        }
        if (HasFailure()) {
            std::printf("%s%s", Tail(log_).c_str(), Tail(pg_.Log()).c_str());
        }
    }

    // Polls GET `path` until it answers 200; returns the milliseconds that took, or -1.
    double MillisUntilServing(ScimClient& client, const std::string& path, double limit) {
        const auto start = Clock::now();
        while (MillisSince(start) < limit) {
            if (client.Get(path).status == 200) {
                return MillisSince(start);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return -1;
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    PrivatePostgres pg_;
    std::string log_;
    std::string token_;
    ServerProcess server_;
};

TEST_F(PostgresFaultTest, StoppedDatabaseGivesQuickServiceUnavailableAndServingResumesAfterStart) {
    ScimClient client(server_.url(), token_);
    ClientResponse created = client.Post("/Users", NewUser("before-the-stop"));
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path = "/Users/" + ParseBody(created)["id"].get<std::string>();
    // Touch every pooled session, so each holds a connection the stop will break.
    RunTogether(8, [&](int) { ScimClient(server_.url(), token_).Get(path); });

    ASSERT_TRUE(pg_.Stop("immediate"));
    const auto stopped = Clock::now();
    double first_503 = -1;
    double slowest = 0;
    // More requests than pooled sessions, reads and writes, so every broken slot is met.
    for (int i = 0; i < 12; ++i) {
        const auto sent = Clock::now();
        ClientResponse response =
            i % 2 == 0 ? client.Get(path)
                       : client.Post("/Users", NewUser("during-" + std::to_string(i)));
        const double took = MillisSince(sent);
        slowest = std::max(slowest, took);
        EXPECT_TRUE(IsScimError(response, 503))
            << "request " << i << ": " << response.status << " " << response.body;
        EXPECT_LT(took, kMaxFailureMillis) << "request " << i << " took " << took << " ms";
        if (first_503 < 0 && response.status == 503) {
            first_503 = MillisSince(stopped);
        }
    }
    const auto ready_sent = Clock::now();
    ClientResponse ready = client.GetRoot("/readyz");
    EXPECT_EQ(ready.status, 503) << ready.body;
    EXPECT_LT(MillisSince(ready_sent), kMaxFailureMillis);

    ASSERT_TRUE(pg_.Start());
    const double recovery = MillisUntilServing(client, path, kMaxRecoveryMillis);
    EXPECT_GE(recovery, 0) << "scimd did not serve again within " << kMaxRecoveryMillis << " ms";
    EXPECT_EQ(client.GetRoot("/readyz").status, 200);
    ClientResponse after = client.Post("/Users", NewUser("after-the-start"));
    EXPECT_EQ(after.status, 201) << after.body;
    std::printf(
        "postgres stop: first 503 after %.0f ms, slowest failed request %.0f ms; "
        "serving again %.0f ms after the start returned\n",
        first_503, slowest, recovery);
}

// A frozen server (every PostgreSQL process stopped with SIGSTOP) keeps its TCP connections
// open and answers nothing, so no server-side timeout and no connection error ever comes: the
// database watchdog must turn that into quick 503s and a failing /readyz, and serving must
// resume once the server runs again.
TEST_F(PostgresFaultTest, FrozenDatabaseGivesQuickServiceUnavailableAndServingResumesAfterThaw) {
    ScimClient client(server_.url(), token_);
    ClientResponse created = client.Post("/Users", NewUser("before-the-freeze"));
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path = "/Users/" + ParseBody(created)["id"].get<std::string>();
    RunTogether(8, [&](int) { ScimClient(server_.url(), token_).Get(path); });

    ASSERT_TRUE(pg_.SignalServer(SIGSTOP));
    struct Thaw {
        PrivatePostgres& pg;
        ~Thaw() { pg.SignalServer(SIGCONT); }
    } thaw_on_exit{pg_};
    for (int i = 0; i < 6; ++i) {
        const auto sent = Clock::now();
        ClientResponse response =
            i % 2 == 0 ? client.Get(path)
                       : client.Post("/Users", NewUser("frozen-" + std::to_string(i)));
        const double took = MillisSince(sent);
        EXPECT_TRUE(IsScimError(response, 503))
            << "request " << i << ": " << response.status << " " << response.body;
        EXPECT_LT(took, kMaxFailureMillis) << "request " << i << " took " << took << " ms";
    }
    const auto ready_sent = Clock::now();
    EXPECT_EQ(client.GetRoot("/readyz").status, 503);
    EXPECT_LT(MillisSince(ready_sent), kMaxFailureMillis);

    ASSERT_TRUE(pg_.SignalServer(SIGCONT));
    const double recovery = MillisUntilServing(client, path, kMaxRecoveryMillis);
    EXPECT_GE(recovery, 0) << "scimd did not serve again within " << kMaxRecoveryMillis << " ms";
    EXPECT_EQ(client.GetRoot("/readyz").status, 200);
    ClientResponse after = client.Post("/Users", NewUser("after-the-thaw"));
    EXPECT_EQ(after.status, 201) << after.body;
}

TEST_F(PostgresFaultTest, EveryAcknowledgedCreateSurvivesAnImmediateStop) {
    constexpr int kLoaders = 2;
    std::atomic<bool> done{false};
    std::atomic<int> after_restart{0};
    std::atomic<bool> restarted{false};
    std::atomic<int> scim_errors{0};
    std::mutex mu;
    std::vector<std::string> acknowledged;
    StatusTally tally;
    std::vector<std::thread> loaders;
    InitCurlOnce();
    for (int t = 0; t < kLoaders; ++t) {
        loaders.emplace_back([&, t] {
            ScimClient client(server_.url(), token_);
            for (int n = 0; !done; ++n) {
                ClientResponse response = client.Post(
                    "/Users", NewUser("load-" + std::to_string(t) + "-" + std::to_string(n)));
                tally.Add(response);
                if (response.status == 201) {
                    std::lock_guard lock(mu);
                    acknowledged.push_back(ParseBody(response)["id"]);
                    after_restart += restarted ? 1 : 0;
                } else if (response.status == 503) {
                    scim_errors += IsScimError(response, 503) ? 1 : 0;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            }
        });
    }

    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_TRUE(pg_.Stop("immediate"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(pg_.Start());
    restarted = true;
    const auto start = Clock::now();
    while (after_restart < 50 && MillisSince(start) < 10'000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    done = true;
    for (auto& loader : loaders) {
        loader.join();
    }

    // 201 and 503 are the only honest answers while the database comes and goes.
    EXPECT_EQ(tally.Count(201) + tally.Count(503), tally.Total()) << tally.Details();
    EXPECT_GT(tally.Count(503), 0) << "the stop was never noticed: " << tally.Details();
    EXPECT_EQ(scim_errors.load(), tally.Count(503)) << "a 503 without a SCIM error body";
    EXPECT_GE(after_restart.load(), 50) << "creates did not resume: " << tally.Details();

    ScimClient reader(server_.url(), token_);
    int found = 0;
    for (const std::string& id : acknowledged) {
        ClientResponse response = reader.Get("/Users/" + id + "?attributes=userName");
        found += response.status == 200 ? 1 : 0;
        EXPECT_EQ(response.status, 200) << "acknowledged user " << id << " is gone";
    }
    std::printf("immediate stop under load: %s; %zu acknowledged, %d found\n",
                tally.Summary().c_str(), acknowledged.size(), found);
}

}  // namespace
}  // namespace scim::e2e

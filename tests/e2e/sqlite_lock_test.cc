// Another process's write lock on scimd's SQLite file (a backup tool, an operator's sqlite3
// shell): scimd waits a little for it, then answers 503 so the client retries later, and
// writes again as soon as the lock is gone. Reads never wait: the database is in WAL mode.

#include <sqlite3.h>

#include "e2e/harness.h"

namespace scim::e2e {
namespace {

// How long a write may wait on a foreign lock before the client hears 503: long enough to ride
// out another writer's transaction, short enough that no client hangs.
constexpr double kMaxLockedWriteMillis = 4000;

// A second connection to the database file holding SQLite's write lock until Release().
class ForeignWriter {
public:
    explicit ForeignWriter(const std::string& path) {
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
    }
    ~ForeignWriter() {
        Release();
        sqlite3_close(db_);
    }

    bool Lock() { return Exec("BEGIN EXCLUSIVE") && Exec("DELETE FROM orgs WHERE 0"); }
    void Release() {
        if (sqlite3_get_autocommit(db_) == 0) {
            Exec("ROLLBACK");
        }
    }

private:
    bool Exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == 0; }

    sqlite3* db_ = nullptr;
};

class SqliteLockTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = work_.File("scimd.db");
        log_ = work_.File("scimd.log");
        token_ = MintOrgToken("sqlite:" + path_, "locks", log_);
        ASSERT_FALSE(token_.empty());
        ASSERT_NO_FATAL_FAILURE(StartScimd(server_, "sqlite:" + path_, log_, 4));
    }

    void TearDown() override {
        if (!server_.url().empty()) {
            EXPECT_EQ(server_.Stop(), 0) << Tail(log_);
        }
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    std::string path_;
    std::string log_;
    std::string token_;
    ServerProcess server_;
};

TEST_F(SqliteLockTest, HeldWriteLockGivesServiceUnavailableThenWritesResume) {
    ScimClient client(server_.url(), token_);
    ClientResponse created = client.Post("/Users", NewUser("before-the-lock"));
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path = "/Users/" + ParseBody(created)["id"].get<std::string>();

    ForeignWriter writer(path_);
    ASSERT_TRUE(writer.Lock());
    const auto sent = Clock::now();
    ClientResponse blocked = client.Post("/Users", NewUser("while-locked"));
    const double took = MillisSince(sent);
    EXPECT_TRUE(IsScimError(blocked, 503)) << blocked.status << " " << blocked.body;
    EXPECT_LT(took, kMaxLockedWriteMillis);
    EXPECT_EQ(client.Get(path).status, 200) << "a reader waited on the writer";
    std::printf("sqlite write lock: 503 after %.0f ms\n", took);

    writer.Release();
    const auto resumed = Clock::now();
    ClientResponse after = client.Post("/Users", NewUser("after-the-lock"));
    EXPECT_EQ(after.status, 201) << after.body;
    EXPECT_LT(MillisSince(resumed), 1000);
}

TEST_F(SqliteLockTest, WriteWaitingOnAShortLockSucceedsWhenItIsReleased) {
    ScimClient client(server_.url(), token_);
    ForeignWriter writer(path_);
    ASSERT_TRUE(writer.Lock());
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        writer.Release();
    });
    const auto sent = Clock::now();
    ClientResponse created = client.Post("/Users", NewUser("waited"));
    const double took = MillisSince(sent);
    releaser.join();
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_GE(took, 250) << "the write did not wait for the lock";
    std::printf("sqlite write lock held 300 ms: 201 after %.0f ms\n", took);
}

}  // namespace
}  // namespace scim::e2e

#include <chrono>
#include <cstdlib>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/database.h"
#include "db/url.h"
#include "db_fixture.h"
#include "silent_server.h"

namespace db_test {
namespace {

using Clock = std::chrono::steady_clock;

long long MillisSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

scim::Status SelectOne(db::Database& database) {
    return database.WithSession([](soci::session& session) -> scim::Status {
        int one = 0;
        session << "SELECT 1", soci::into(one);
        return scim::Ok{};
    });
}

class DatabaseTimeoutPgTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* dsn = std::getenv("SCIM_TEST_PG_DSN");
        if (dsn == nullptr || *dsn == '\0') {
            GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set; PostgreSQL tests skipped";
        }
        dsn_ = dsn;
    }
    std::string dsn_;
};

// A client blocked behind another transaction's row lock gives up after lock_timeout, and the
// same write succeeds once the lock is gone.
TEST_F(DatabaseTimeoutPgTest, AWriteBlockedOnARowLockIs503WithinTheLockTimeout) {
    const std::string table = "lock_" + RandomSuffix();
    auto target = db::ParseDatabaseUrl(dsn_);
    ASSERT_TRUE(target.ok());
    soci::session holder("postgresql", target->connect_string);
    holder << "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, n INTEGER)";
    holder << "INSERT INTO " + table + " VALUES (1, 0)";

    auto opened = db::Database::Open(dsn_, 2);
    ASSERT_TRUE(opened.ok()) << opened.error().internal;
    db::Database& database = **opened;
    auto write = [&] {
        return database.WithTransaction([&](soci::session& session) -> scim::Status {
            session << "UPDATE " + table + " SET n = n + 1 WHERE id = 1";
            return scim::Ok{};
        });
    };

    holder << "BEGIN";
    holder << "UPDATE " + table + " SET n = 100 WHERE id = 1";
    const auto start = Clock::now();
    scim::Status blocked = write();
    const long long took = MillisSince(start);
    ASSERT_FALSE(blocked.ok());
    EXPECT_EQ(blocked.error().status, 503) << blocked.error().internal;
    EXPECT_LT(took, 2000);
    holder << "COMMIT";

    scim::Status after = write();
    EXPECT_TRUE(after.ok()) << after.error().internal;
    int n = 0;
    holder << "SELECT n FROM " + table + " WHERE id = 1", soci::into(n);
    EXPECT_EQ(n, 101);
    holder << "DROP TABLE " + table;
}

// A server process that freezes keeps its TCP connections open, so no server-side timeout
// fires: the watchdog must cut the statement off, /readyz (Ping) must fail, and the pool must
// come back once the server answers again.
TEST_F(DatabaseTimeoutPgTest, AServerThatStopsAnsweringIs503WithinASecondAndRecovers) {
    std::smatch match;
    ASSERT_TRUE(std::regex_search(dsn_, match, std::regex("@127\\.0\\.0\\.1:([0-9]+)/")))
        << "the test needs a DSN on 127.0.0.1 with a port: " << dsn_;
    FreezableProxy proxy(std::stoi(match[1].str()));
    const std::string proxied = dsn_.substr(0, match.position(0)) +
                                "@127.0.0.1:" + std::to_string(proxy.port()) + "/" +
                                dsn_.substr(match.position(0) + match.length(0));

    auto opened = db::Database::Open(proxied, 2);
    ASSERT_TRUE(opened.ok()) << opened.error().internal;
    db::Database& database = **opened;
    ASSERT_TRUE(SelectOne(database).ok());

    proxy.Freeze();
    for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE(round);
        const auto start = Clock::now();
        scim::Status stuck = SelectOne(database);
        const long long took = MillisSince(start);
        ASSERT_FALSE(stuck.ok());
        EXPECT_EQ(stuck.error().status, 503);
        EXPECT_LT(took, 1000);
    }
    const auto ping_start = Clock::now();
    EXPECT_FALSE(database.Ping());
    EXPECT_LT(MillisSince(ping_start), 1000);

    proxy.Thaw();
    bool recovered = false;
    for (int attempt = 0; attempt < 50 && !recovered; ++attempt) {
        recovered = database.Ping();
        if (!recovered) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    EXPECT_TRUE(recovered);
    EXPECT_TRUE(SelectOne(database).ok());
    EXPECT_TRUE(SelectOne(database).ok());
}

}  // namespace
}  // namespace db_test

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "db/database.h"
#include "silent_server.h"

namespace db_test {
namespace {

using Clock = std::chrono::steady_clock;

long long MillisSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// A server that accepts TCP and then says nothing would hold Open for libpq's connect timeout
// (at least 2 s) or for ever without one.
TEST(DatabaseTimeoutTest, OpeningASilentServerIs503WithinASecond) {
    SilentListener silent;
    const auto start = Clock::now();
    auto opened = db::Database::Open(
        "postgresql://scim:pw@127.0.0.1:" + std::to_string(silent.port()) + "/scim", 2);
    const long long took = MillisSince(start);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().status, 503);
    EXPECT_LT(took, 1000);
    EXPECT_NE(opened.error().internal.find("did not answer"), std::string::npos)
        << opened.error().internal;
}

TEST(DatabaseTimeoutTest, TheConnectTimeoutIsConfigurable) {
    SilentListener silent;
    db::DatabaseOptions options;
    options.pool_size = 1;
    options.connect_timeout_ms = 200;
    const auto start = Clock::now();
    auto opened = db::Database::Open(
        "postgresql://scim@127.0.0.1:" + std::to_string(silent.port()) + "/scim", options);
    const long long took = MillisSince(start);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().status, 503);
    EXPECT_GE(took, 150);
    EXPECT_LT(took, 600);
}

}  // namespace
}  // namespace db_test

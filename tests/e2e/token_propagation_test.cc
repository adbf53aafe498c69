// Revocation, expiry and rotation on one scimd over SQLite: the change made through the admin
// API is refused on the very next SCIM request.

#include "e2e/token_cases.h"

namespace scim::e2e {
namespace {

class SqliteTokenPropagationTest : public ::testing::Test {
protected:
    void SetUp() override {
        cluster_.backend = "sqlite";
        cluster_.db_url = "sqlite:" + work_.File("scimd.db");
        cluster_.log = work_.File("scimd.log");
        ASSERT_NO_FATAL_FAILURE(SetUpOrg(cluster_, "tokens"));
        ASSERT_NO_FATAL_FAILURE(StartScimd(server_, cluster_.db_url, cluster_.log, 4));
        cluster_.bases = {server_.url()};
    }

    void TearDown() override {
        if (!server_.url().empty()) {
            EXPECT_EQ(server_.Stop(), 0) << Tail(cluster_.log);
        }
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    TokenCluster cluster_;
    ServerProcess server_;
};

TEST_F(SqliteTokenPropagationTest, RevokedTokenIsRefusedWithinOneSecond) {
    ExpectRevocationReachesEveryInstance(cluster_);
}

TEST_F(SqliteTokenPropagationTest, ExpiredTokenIsRefusedWithinOneSecondOfItsExpiry) {
    ExpectExpiryReachesEveryInstance(cluster_);
}

TEST_F(SqliteTokenPropagationTest, RotationWithoutGraceRefusesTheOldSecretAtOnce) {
    ExpectRotationWithoutGraceReachesEveryInstance(cluster_);
}

}  // namespace
}  // namespace scim::e2e

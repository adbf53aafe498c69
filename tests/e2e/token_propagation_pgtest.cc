// Revocation, expiry and rotation across two scimd instances sharing one PostgreSQL database:
// the change is made through the first instance's admin API and measured on the second.
// Runs on SCIM_TEST_PG_DSN when set, otherwise on a private PostgreSQL (e2e/harness.h).

#include "e2e/token_cases.h"

namespace scim::e2e {
namespace {

class PostgresTokenPropagationTest : public ::testing::Test {
protected:
    void SetUp() override {
        cluster_.backend = "postgresql";
        cluster_.db_url = EnvOr("SCIM_TEST_PG_DSN", "");
        if (cluster_.db_url.empty()) {
            if (!PrivatePostgres::Available()) {
                GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set and " << PrivatePostgres::kBin
                             << "/initdb is missing; PostgreSQL token propagation tests skipped";
            }
            std::string error;
            private_pg_ = std::make_unique<PrivatePostgres>();
            ASSERT_TRUE(private_pg_->Create(error)) << error;
            cluster_.db_url = private_pg_->Url();
        }
        cluster_.log = work_.File("scimd.log");
        // The database may be shared with other tests: a fresh organization keeps them apart.
        const std::string org = std::string("tokens-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                                "-" + std::to_string(getpid());
        ASSERT_NO_FATAL_FAILURE(SetUpOrg(cluster_, org));
        // Started one after the other: both apply migrations at start-up.
        ASSERT_NO_FATAL_FAILURE(StartScimd(first_, cluster_.db_url, cluster_.log, 4));
        ASSERT_NO_FATAL_FAILURE(StartScimd(second_, cluster_.db_url, cluster_.log, 4));
        cluster_.bases = {first_.url(), second_.url()};
    }

    void TearDown() override {
        for (ServerProcess* server : {&first_, &second_}) {
            if (!server->url().empty()) {
                EXPECT_EQ(server->Stop(), 0) << Tail(cluster_.log);
            }
        }
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    std::unique_ptr<PrivatePostgres> private_pg_;
    TokenCluster cluster_;
    ServerProcess first_;
    ServerProcess second_;
};

TEST_F(PostgresTokenPropagationTest, TokenRevokedOnOneInstanceIsRefusedOnTheOtherWithinOneSecond) {
    ExpectRevocationReachesEveryInstance(cluster_);
}

TEST_F(PostgresTokenPropagationTest, ExpiredTokenIsRefusedOnBothInstancesWithinOneSecond) {
    ExpectExpiryReachesEveryInstance(cluster_);
}

TEST_F(PostgresTokenPropagationTest,
       RotationWithoutGraceRefusesTheOldSecretAtOnceHereAndWithinASecondOnTheOther) {
    ExpectRotationWithoutGraceReachesEveryInstance(cluster_);
}

}  // namespace
}  // namespace scim::e2e

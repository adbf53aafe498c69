// Concurrent writers against two scimd instances sharing one PostgreSQL database (the
// production layout: stateless instances, one database). Needs SCIM_TEST_PG_DSN.

#include "e2e/concurrency_cases.h"

namespace scim::e2e {
namespace {

class PostgresConcurrencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_url_ = EnvOr("SCIM_TEST_PG_DSN", "");
        if (db_url_.empty()) {
            GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set; PostgreSQL concurrency tests skipped";
        }
        log_ = work_.File("scimd.log");
        // The database is shared with other tests: a fresh organization keeps the data apart.
        const std::string org = std::string("concurrency-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                                "-" + std::to_string(getpid());
        cluster_.token = MintOrgToken(db_url_, org, log_);
        ASSERT_FALSE(cluster_.token.empty());
        // Started one after the other: both apply migrations at start-up.
        ASSERT_NO_FATAL_FAILURE(StartScimd(first_, db_url_, log_));
        ASSERT_NO_FATAL_FAILURE(StartScimd(second_, db_url_, log_));
        cluster_.bases = {first_.url(), second_.url()};
    }

    void TearDown() override {
        for (ServerProcess* server : {&first_, &second_}) {
            if (!server->url().empty()) {
                EXPECT_EQ(server->Stop(), 0) << Tail(log_);
            }
        }
        if (HasFailure()) {
            std::printf("%s", Tail(log_).c_str());
        }
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    std::string db_url_;
    std::string log_;
    ServerProcess first_;
    ServerProcess second_;
    Cluster cluster_;
};

TEST_F(PostgresConcurrencyTest, TwoInstancesOfThirtyTwoClientsAddingMembersToOneGroupAllLand) {
    ExpectConcurrentMemberAddsAllLand(cluster_, 64);
}

TEST_F(PostgresConcurrencyTest, ConcurrentPatchesOfDifferentAttributesOnTwoInstancesAllApply) {
    ExpectConcurrentAttributePatchesAllApply(cluster_);
}

TEST_F(PostgresConcurrencyTest, ConcurrentCreatesOfOneUserNameOnTwoInstancesGiveOneCreated) {
    ExpectConcurrentDuplicateCreatesGiveOneWinner(cluster_, 64);
}

}  // namespace
}  // namespace scim::e2e

// Concurrent writers against one scimd on a SQLite file: SQLite has one writer at a time, so
// every write queues on BEGIN IMMEDIATE; none may be lost, refused or turned into a 5xx.

#include "e2e/concurrency_cases.h"

namespace scim::e2e {
namespace {

class SqliteConcurrencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_url_ = "sqlite:" + work_.File("scimd.db");
        log_ = work_.File("scimd.log");
        cluster_.token = MintOrgToken(db_url_, "concurrency", log_);
        ASSERT_FALSE(cluster_.token.empty());
        ASSERT_NO_FATAL_FAILURE(StartScimd(server_, db_url_, log_));
        cluster_.bases = {server_.url()};
    }

    void TearDown() override {
        if (!server_.url().empty()) {
            EXPECT_EQ(server_.Stop(), 0) << Tail(log_);
        }
        if (HasFailure()) {
            std::printf("%s", Tail(log_).c_str());
        }
    }

    WorkDir work_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
    std::string db_url_;
    std::string log_;
    ServerProcess server_;
    Cluster cluster_;
};

TEST_F(SqliteConcurrencyTest, SixtyFourClientsAddingMembersToOneGroupAllLand) {
    ExpectConcurrentMemberAddsAllLand(cluster_, 64);
}

TEST_F(SqliteConcurrencyTest, ConcurrentPatchesOfDifferentAttributesAllApply) {
    ExpectConcurrentAttributePatchesAllApply(cluster_);
}

TEST_F(SqliteConcurrencyTest, ConcurrentCreatesOfOneUserNameGiveOneCreatedAndConflicts) {
    ExpectConcurrentDuplicateCreatesGiveOneWinner(cluster_, 64);
}

}  // namespace
}  // namespace scim::e2e

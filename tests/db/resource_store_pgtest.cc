#include <gtest/gtest.h>

#include "store_fixture.h"

// The SQLite test bodies (resource_store_test.cc, migrate_test.cc) run again on PostgreSQL,
// plus what only PostgreSQL can show: pooled connections that the server drops.
namespace db_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, ResourceStoreTest, ::testing::Values("postgres"));
INSTANTIATE_TEST_SUITE_P(Postgres, MigrateTest, ::testing::Values("postgres"));

class ReconnectTest : public ResourceStoreTest {};

// The server ends every pooled connection (as a restart does); the next calls must reconnect
// instead of failing forever, and must not run statements prepared on the old connections.
TEST_P(ReconnectTest, ServesAgainAfterTheServerDropsPooledConnections) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    for (int i = 0; i < 8; ++i) {  // every slot prepares its read by id
        ASSERT_TRUE(store_->Get(org_, "User", "u1").ok());
        ASSERT_TRUE(store_->GetWithGroups(org_, "User", "u1").ok());
    }
    auto admin = db::Database::Open(pg_base_, 1);
    ASSERT_TRUE(admin.ok());
    long long terminated = 0;
    ASSERT_TRUE((*admin)
                    ->WithSession([&](soci::session& session) -> scim::Status {
                        session << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                   " WHERE pid <> pg_backend_pid() AND datname ="
                                   " current_database() AND backend_type = 'client backend'"
                                   " AND application_name = :app",
                            soci::use(schema_), soci::into(terminated);
                        return scim::Ok{};
                    })
                    .ok());
    ASSERT_GE(terminated, 4) << "the store's pooled sessions were not found";
    for (int i = 0; i < 8; ++i) {  // more calls than pooled sessions: every slot recovers
        auto got = store_->Get(org_, "User", "u1");
        ASSERT_TRUE(got.ok()) << "call " << i << ": " << got.error().internal;
        auto with_groups = store_->GetWithGroups(org_, "User", "u1");
        ASSERT_TRUE(with_groups.ok()) << "call " << i << ": " << with_groups.error().internal;
    }
    EXPECT_TRUE(CreateUser("u2", "bob").ok());
    EXPECT_TRUE(store_->Ping());
}

INSTANTIATE_TEST_SUITE_P(Postgres, ReconnectTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

#include <string>

#include "cached_query_fixture.h"

// The CachedQuery bodies on PostgreSQL, plus what only a server shows: the statements are named
// server-side ones, the option turns that off, and a session keeps a bounded number of them.
namespace db_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, CachedQueryTest, ::testing::Values("postgres"));

class CachedQueryPgTest : public CachedQueryTest {};

TEST_P(CachedQueryPgTest, KeepsTheStatementPreparedOnTheServer) {
    db::DatabaseOptions options;
    options.pool_size = 1;
    std::shared_ptr<db::Database> one = OpenWith(options);
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(PreparedOnSession(*one), 0);
    EXPECT_EQ(Lookup(*one, "a"), 1);
    EXPECT_EQ(Lookup(*one, "b"), 2);
    EXPECT_EQ(PreparedOnSession(*one), 1);  // one statement, run twice
}

TEST_P(CachedQueryPgTest, PreparesNothingOnTheServerWhenTurnedOff) {
    db::DatabaseOptions options;
    options.pool_size = 1;
    options.prepared_statements = false;
    std::shared_ptr<db::Database> one = OpenWith(options);
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(Lookup(*one, "a"), 1);
    EXPECT_EQ(Lookup(*one, "b"), 2);
    EXPECT_EQ(Lookup(*one, "missing"), -1);
    EXPECT_EQ(PreparedOnSession(*one), 0);
}

TEST_P(CachedQueryPgTest, KeepsABoundedNumberPerSession) {
    db::DatabaseOptions options;
    options.pool_size = 1;
    std::shared_ptr<db::Database> one = OpenWith(options);
    ASSERT_NE(one, nullptr);
    const std::size_t distinct = db::Database::kMaxCachedQueries + 6;
    for (std::size_t i = 0; i < distinct; ++i) {
        scim::Status done = one->WithSession([&](soci::session& session) -> scim::Status {
            db::CachedQuery& q =
                one->Cached(session, "SELECT v + " + std::to_string(i) + " FROM kv WHERE k = :k");
            q.Text("k", "a");
            EXPECT_TRUE(q.RunForRow({Col::kInt}));
            EXPECT_EQ(q.Int(0), 1 + static_cast<long long>(i));
            return scim::Ok{};
        });
        ASSERT_TRUE(done.ok()) << done.error().internal;
    }
    const long long prepared = PreparedOnSession(*one);
    EXPECT_GE(prepared, 1);
    EXPECT_LE(prepared, static_cast<long long>(db::Database::kMaxCachedQueries));
}

INSTANTIATE_TEST_SUITE_P(Postgres, CachedQueryPgTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace db_test

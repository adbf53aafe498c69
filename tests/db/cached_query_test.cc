#include <stdexcept>
#include <string>

#include "cached_query_fixture.h"

namespace db_test {
namespace {

TEST_P(CachedQueryTest, RunsAgainWithNewValues) {
    EXPECT_EQ(Lookup(*db_, "a"), 1);
    EXPECT_EQ(Lookup(*db_, "b"), 2);
    EXPECT_EQ(Lookup(*db_, "missing"), -1);
    EXPECT_EQ(Lookup(*db_, "a"), 1);
}

TEST_P(CachedQueryTest, ReadsNullsAndTextColumns) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        for (const char* key : {"a", "b", "a"}) {
            db::CachedQuery& q = db_->Cached(session, "SELECT k, note FROM kv WHERE k = :k");
            q.Text("k", key);
            EXPECT_TRUE(q.RunForRow({Col::kText, Col::kText}));
            EXPECT_EQ(q.Text(0), key);
            EXPECT_EQ(q.IsNull(1), std::string(key) == "b") << key;
        }
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

TEST_P(CachedQueryTest, KeepsOneQueryPerSessionAndSqlText) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        db::CachedQuery& first = db_->Cached(session, "SELECT v FROM kv WHERE k = :k");
        db::CachedQuery& again = db_->Cached(session, "SELECT v FROM kv WHERE k = :k");
        db::CachedQuery& other = db_->Cached(session, "SELECT v + 1 FROM kv WHERE k = :k");
        EXPECT_EQ(&first, &again);
        EXPECT_NE(&first, &other);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

// A cached SQLite statement that was stepped to its first row and left there would keep its
// read transaction open, and every later statement on that connection would read the snapshot
// it started with: a write through another connection would stay invisible to it.
TEST_P(CachedQueryTest, LaterStatementsSeeWritesFromOtherConnections) {
    db::DatabaseOptions options;
    options.pool_size = 1;
    std::shared_ptr<db::Database> one = OpenWith(options);
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(Lookup(*one, "a"), 1);  // the query matches a row and returns one of them

    Exec("UPDATE kv SET v = 10 WHERE k = 'a'");  // through db_, another connection

    long long seen = -1;
    scim::Status done = one->WithSession([&](soci::session& session) -> scim::Status {
        session << "SELECT v FROM kv WHERE k = 'a'", soci::into(seen);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
    EXPECT_EQ(seen, 10);
    EXPECT_EQ(Lookup(*one, "a"), 10);
}

TEST_P(CachedQueryTest, ABindSequenceThatDiffersFromTheFirstRunIsRefused) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        db::CachedQuery& q = db_->Cached(session, "SELECT v FROM kv WHERE k = :k");
        q.Text("k", "a");
        EXPECT_TRUE(q.RunForRow({Col::kInt}));
        EXPECT_THROW(q.Int("k", 1), std::logic_error);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CachedQueryTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

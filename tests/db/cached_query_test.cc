#include <stdexcept>
#include <string>
#include <vector>

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
        EXPECT_TRUE(q.failed());
        // The cache hands out a fresh query, which runs normally.
        db::CachedQuery& fresh = db_->Cached(session, "SELECT v FROM kv WHERE k = :k");
        EXPECT_FALSE(fresh.failed());
        fresh.Text("k", "b");
        EXPECT_TRUE(fresh.RunForRow({Col::kInt}));
        EXPECT_EQ(fresh.Int(0), 2);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

TEST_P(CachedQueryTest, ReadsEveryRowAndRunsAgain) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        for (long long floor : {0, 2, 3, 0}) {
            db::CachedQuery& q =
                db_->Cached(session, "SELECT k, v FROM kv WHERE v >= :floor ORDER BY k");
            q.Int("floor", floor);
            std::vector<std::string> keys;
            q.RunForEachRow({Col::kText, Col::kInt}, [&] { keys.push_back(q.Text(0)); });
            const std::vector<std::string> expected = floor == 0
                                                          ? std::vector<std::string>{"a", "b"}
                                                      : floor == 2 ? std::vector<std::string>{"b"}
                                                                   : std::vector<std::string>{};
            EXPECT_EQ(keys, expected) << "floor " << floor;
        }
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

TEST_P(CachedQueryTest, AVariantKeepsUsesThatBindDifferentlyApart) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        const std::string sql = "SELECT COUNT(*) FROM kv WHERE CAST(v AS DOUBLE PRECISION) >= :x";
        db::CachedQuery& by_int = db_->Cached(session, sql, "i");
        by_int.Int("x", 2);
        EXPECT_TRUE(by_int.RunForRow({Col::kInt}));
        EXPECT_EQ(by_int.Int(0), 1);
        db::CachedQuery& by_real = db_->Cached(session, sql, "r");
        EXPECT_NE(&by_int, &by_real);
        by_real.Real("x", 1.5);
        EXPECT_TRUE(by_real.RunForRow({Col::kInt}));
        EXPECT_EQ(by_real.Int(0), 1);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
}

// A run abandoned halfway (the row callback threw) must not leave the SQLite statement holding
// its read snapshot either.
TEST_P(CachedQueryTest, AnAbandonedRunLeavesNoSnapshotBehind) {
    db::DatabaseOptions options;
    options.pool_size = 1;
    std::shared_ptr<db::Database> one = OpenWith(options);
    ASSERT_NE(one, nullptr);
    scim::Status done = one->WithSession([&](soci::session& session) -> scim::Status {
        db::CachedQuery& q = one->Cached(session, "SELECT k FROM kv WHERE v >= :floor");
        q.Int("floor", 0);
        EXPECT_THROW(q.RunForEachRow({Col::kText}, [] { throw std::runtime_error("stop"); }),
                     std::runtime_error);
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;

    Exec("UPDATE kv SET v = 10 WHERE k = 'a'");  // through db_, another connection
    EXPECT_EQ(Lookup(*one, "a"), 10);
}

// A run that threw is not run again: the next use of the SQL text gets a fresh statement (the
// sanitizer run shows why: PostgreSQL's SOCI backend would leak the failed run's parameter
// buffers on reuse).
TEST_P(CachedQueryTest, AFailedRunIsReplacedByAFreshQuery) {
    scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
        const std::string sql = "INSERT INTO kv (k, v) VALUES (:k, 1)";
        db::CachedQuery& first = db_->Cached(session, sql);
        first.Text("k", "c");
        first.RunForRow({});
        EXPECT_FALSE(first.failed());
        EXPECT_EQ(&db_->Cached(session, sql), &first);
        first.Text("k", "c");
        EXPECT_ANY_THROW(first.RunForRow({}));  // duplicate key
        EXPECT_TRUE(first.failed());
        db::CachedQuery& second = db_->Cached(session, sql);
        EXPECT_FALSE(second.failed());
        second.Text("k", "d");
        second.RunForRow({});
        return scim::Ok{};
    });
    ASSERT_TRUE(done.ok()) << done.error().internal;
    EXPECT_EQ(Lookup(*db_, "d"), 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CachedQueryTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

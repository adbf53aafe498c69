#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/cached_query.h"
#include "db/database.h"
#include "db_fixture.h"

// The fixture of the db::CachedQuery tests: cached_query_test.cc holds the bodies and runs them on
// SQLite, cached_query_pgtest.cc on PostgreSQL.
namespace db_test {

using Col = db::CachedQuery::Column;

class CachedQueryTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        Exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL, note TEXT)");
        Exec("INSERT INTO kv (k, v, note) VALUES ('a', 1, 'first'), ('b', 2, NULL)");
    }

    // Runs the lookup by key on a pooled session of `database`; -1 when no row.
    static long long Lookup(db::Database& database, const std::string& key) {
        long long value = -2;
        scim::Status done = database.WithSession([&](soci::session& session) -> scim::Status {
            db::CachedQuery& q = database.Cached(session, "SELECT v FROM kv WHERE k = :k");
            q.Text("k", key);
            value = q.RunForRow({Col::kInt}) ? q.Int(0) : -1;
            return scim::Ok{};
        });
        EXPECT_TRUE(done.ok()) << done.error().internal;
        return value;
    }

    std::shared_ptr<db::Database> OpenWith(const db::DatabaseOptions& options) {
        auto opened = db::Database::Open(url_, options);
        EXPECT_TRUE(opened.ok()) << opened.error().internal;
        return opened.ok() ? *opened : nullptr;
    }

    // Names of the statements prepared on the session that runs this (PostgreSQL).
    long long PreparedOnSession(db::Database& database) {
        long long count = -1;
        scim::Status done = database.WithSession([&](soci::session& session) -> scim::Status {
            session << "SELECT COUNT(*) FROM pg_prepared_statements", soci::into(count);
            return scim::Ok{};
        });
        EXPECT_TRUE(done.ok()) << done.error().internal;
        return count;
    }
};

}  // namespace db_test

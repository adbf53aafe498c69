#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/database.h"
#include "db/migrate.h"

// A fresh, migrated database per test for either backend, so the same test bodies run on
// SQLite and PostgreSQL. The parameter is "sqlite" or "postgres". PostgreSQL tests read the
// server from SCIM_TEST_PG_DSN (a postgresql:// URL) and skip when it is unset; each test gets
// its own schema (dropped afterwards), so reruns start clean and tests cannot see each other.
namespace db_test {

inline std::string RandomSuffix() {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < 12; ++i) {
        out.push_back(kAlphabet[rng() % (sizeof kAlphabet - 1)]);
    }
    return out;
}

// `base` with a libpq option that puts every unqualified name into `schema`; the sessions are
// named after the schema too, so a test can find its own connections in pg_stat_activity.
inline std::string WithSearchPath(const std::string& base, const std::string& schema) {
    const char separator = base.find('?') == std::string::npos ? '?' : '&';
    return base + separator + "options=-c%20search_path%3D" + schema +
           "%20-c%20statement_timeout%3D15000&application_name=" + schema;
}

class DbTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "postgres") {
            const char* dsn = std::getenv("SCIM_TEST_PG_DSN");
            if (dsn == nullptr || *dsn == '\0') {
                GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set; PostgreSQL tests skipped";
            }
            pg_base_ = dsn;
            schema_ = "t_" + RandomSuffix();
            RunOnAdmin("CREATE SCHEMA " + schema_);
            url_ = WithSearchPath(pg_base_, schema_);
        } else {
            dir_ = std::filesystem::temp_directory_path() / ("scimd-db-" + RandomSuffix());
            std::filesystem::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "test.db").string();
        }
        auto opened = db::Database::Open(url_, 4);
        ASSERT_TRUE(opened.ok()) << opened.error().internal;
        db_ = *opened;
        auto migrated = db::Migrate(*db_);
        ASSERT_TRUE(migrated.ok()) << migrated.error().internal;
    }

    void TearDown() override {
        db_.reset();
        if (!schema_.empty()) {
            RunOnAdmin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        }
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
        }
    }

    // Executes one statement on the test's database.
    void Exec(const std::string& sql) {
        scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
            session << sql;
            return scim::Ok{};
        });
        ASSERT_TRUE(done.ok()) << done.error().internal;
    }

    // The detail lines of SQLite's EXPLAIN QUERY PLAN for `sql`, one per line, with `binds` as
    // named text values.
    std::string SqlitePlan(const std::string& sql,
                           const std::vector<std::pair<std::string, std::string>>& binds) {
        std::string out;
        scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
            soci::statement statement(session);
            std::vector<std::string> values;
            values.reserve(binds.size());  // use() keeps references into it
            for (const auto& [name, value] : binds) {
                values.push_back(value);
                statement.exchange(soci::use(values.back(), name));
            }
            int id = 0;
            int parent = 0;
            int unused = 0;
            std::string detail;
            statement.exchange(soci::into(id));
            statement.exchange(soci::into(parent));
            statement.exchange(soci::into(unused));
            statement.exchange(soci::into(detail));
            statement.alloc();
            statement.prepare("EXPLAIN QUERY PLAN " + sql);
            statement.define_and_bind();
            statement.execute(false);
            while (statement.fetch()) {
                out += detail + "\n";
            }
            return scim::Ok{};
        });
        EXPECT_TRUE(done.ok()) << done.error().internal;
        return out;
    }

    // Executes one statement on a separate connection to the server (PostgreSQL only).
    void RunOnAdmin(const std::string& sql) {
        auto admin = db::Database::Open(pg_base_, 1);
        ASSERT_TRUE(admin.ok()) << admin.error().internal;
        scim::Status done = (*admin)->WithSession([&](soci::session& session) -> scim::Status {
            session << sql;
            return scim::Ok{};
        });
        ASSERT_TRUE(done.ok()) << done.error().internal;
    }

    long long CountRows(const std::string& sql_text) {
        long long count = -1;
        scim::Status done = db_->WithSession([&](soci::session& session) -> scim::Status {
            session << sql_text, soci::into(count);
            return scim::Ok{};
        });
        EXPECT_TRUE(done.ok()) << done.error().internal;
        return count;
    }

    bool is_postgres() const { return GetParam() == "postgres"; }

    std::shared_ptr<db::Database> db_;
    std::string url_;
    std::string pg_base_;
    std::string schema_;
    std::filesystem::path dir_;
};

}  // namespace db_test

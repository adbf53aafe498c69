// A write lock held on the SQLite file by another connection (another process, an operator's
// sqlite3 shell): WithTransaction waits about one busy timeout, then gives 503, rather than
// waiting the timeout again on every re-run.

#include <chrono>
#include <filesystem>
#include <sqlite3.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/database.h"

namespace {

class SqliteBusyTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("scimd-busy-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "busy.db").string();
        auto opened = db::Database::Open("sqlite:" + path_, 2);
        ASSERT_TRUE(opened.ok()) << opened.error().internal;
        db_ = *opened;
        auto made = db_->WithTransaction([](soci::session& s) -> scim::Status {
            s << "CREATE TABLE t (v INTEGER)";
            return scim::Ok{};
        });
        ASSERT_TRUE(made.ok());
        ASSERT_EQ(sqlite3_open(path_.c_str(), &other_), SQLITE_OK);
    }

    void TearDown() override {
        sqlite3_close(other_);
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    scim::Status Insert() {
        return db_->WithTransaction([](soci::session& s) -> scim::Status {
            s << "INSERT INTO t (v) VALUES (1)";
            return scim::Ok{};
        });
    }

    std::filesystem::path dir_;
    std::string path_;
    std::shared_ptr<db::Database> db_;
    sqlite3* other_ = nullptr;
};

TEST_F(SqliteBusyTest, WriteBlockedByAnotherConnectionGivesUnavailableAfterOneBusyTimeout) {
    ASSERT_EQ(sqlite3_exec(other_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    const auto start = std::chrono::steady_clock::now();
    scim::Status status = Insert();
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().status, 503);
    // One busy timeout (2 s) plus slack; re-running with a fresh wait each time took 25 s.
    EXPECT_LT(took, std::chrono::milliseconds(3500));
    sqlite3_exec(other_, "ROLLBACK", nullptr, nullptr, nullptr);
    EXPECT_TRUE(Insert().ok()) << "writes did not resume after the lock was released";
}

TEST_F(SqliteBusyTest, WriteWaitsForALockReleasedWithinTheBusyTimeout) {
    ASSERT_EQ(sqlite3_exec(other_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::thread release([this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        sqlite3_exec(other_, "ROLLBACK", nullptr, nullptr, nullptr);
    });
    scim::Status status = Insert();
    release.join();
    EXPECT_TRUE(status.ok()) << status.error().internal;
}

}  // namespace

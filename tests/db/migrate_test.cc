#include "db/migrate.h"

#include <gtest/gtest.h>

#include "db/url.h"
#include "store_fixture.h"

namespace db_test {
namespace {

TEST_P(MigrateTest, MigratingTwiceIsANoOp) {
    auto first = db::SchemaVersion(*db_);
    ASSERT_TRUE(first.ok());
    EXPECT_GE(*first, 1);
    auto again = db::Migrate(*db_);
    ASSERT_TRUE(again.ok()) << again.error().internal;
    EXPECT_EQ(*again, *first);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM schema_migrations"), *first);
}

// PostgreSQL answers CREATE TABLE IF NOT EXISTS on an existing table with a NOTICE that libpq
// prints to stderr; every start would print it.
TEST_P(MigrateTest, MigratingAnUpToDateDatabasePrintsNothing) {
    testing::internal::CaptureStderr();
    auto again = db::Migrate(*db_);
    const std::string printed = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(again.ok()) << again.error().internal;
    EXPECT_EQ(printed, "");
}

TEST_P(MigrateTest, RefusesADatabaseNewerThanTheBinary) {
    scim::Status bumped = db_->WithTransaction([](soci::session& session) -> scim::Status {
        session << "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'x')";
        return scim::Ok{};
    });
    ASSERT_TRUE(bumped.ok());
    auto refused = db::Migrate(*db_);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().internal.find("9999"), std::string::npos);
    EXPECT_NE(refused.error().internal.find("newer"), std::string::npos);
}

TEST_P(MigrateTest, AppliesAMultiStatementFileInOneTransaction) {
    const embedded::File files[] = {
        {"db/migrations/sqlite/0001_a.sql",
         "CREATE TABLE zz_a (x INTEGER);\n-- a; comment\n"
         "INSERT INTO zz_a VALUES (1); INSERT INTO zz_a "
         "VALUES (2);"},
        {"db/migrations/postgresql/0001_a.sql",
         "CREATE TABLE zz_a (x INTEGER);\n-- a; comment\n"
         "INSERT INTO zz_a VALUES (1); DO $$ BEGIN INSERT INTO zz_a VALUES (2); END $$;"},
        {"db/migrations/sqlite/0002_broken.sql", "INSERT INTO zz_a VALUES (3); NOT SQL;"},
        {"db/migrations/postgresql/0002_broken.sql", "INSERT INTO zz_a VALUES (3); NOT SQL;"},
    };
    // A fresh database for these files: drop what the fixture migrated.
    ASSERT_TRUE(db_->WithTransaction([](soci::session& session) -> scim::Status {
                       session << "DELETE FROM schema_migrations";
                       return scim::Ok{};
                   })
                    .ok());
    auto applied = db::Migrate(*db_, files);
    ASSERT_FALSE(applied.ok()) << "0002 is broken";
    EXPECT_NE(applied.error().internal.find("0002_broken"), std::string::npos);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM zz_a"), 2) << "0001 applied, 0002 rolled back";
    EXPECT_EQ(CountRows("SELECT MAX(version) FROM schema_migrations"), 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MigrateTest, ::testing::Values("sqlite"));

TEST(DatabaseUrlTest, PostgresUrlBecomesAKeywordStringWithAConnectTimeout) {
    auto target =
        db::ParseDatabaseUrl("postgresql://scim:p%40ss@127.0.0.1:5433/app?sslmode=disable");
    ASSERT_TRUE(target.ok());
    EXPECT_EQ(target->dialect, db::Dialect::kPostgres);
    EXPECT_EQ(target->secrets, std::vector<std::string>{"p@ss"});
    EXPECT_NE(target->connect_string.find("host='127.0.0.1'"), std::string::npos);
    EXPECT_NE(target->connect_string.find("port='5433'"), std::string::npos);
    EXPECT_NE(target->connect_string.find("dbname='app'"), std::string::npos);
    EXPECT_NE(target->connect_string.find("sslmode='disable'"), std::string::npos);
    EXPECT_NE(target->connect_string.find("connect_timeout='2'"), std::string::npos);
}

TEST(DatabaseUrlTest, RejectsUnknownSchemesAndBadEncoding) {
    EXPECT_FALSE(db::ParseDatabaseUrl("mysql://x").ok());
    EXPECT_FALSE(db::ParseDatabaseUrl("sqlite:").ok());
    EXPECT_FALSE(db::ParseDatabaseUrl("postgresql://u:%zz@h/db").ok());
}

TEST(DatabaseUrlTest, UnknownSchemeNamesTheSupportedOnesAndNotTheUrl) {
    auto mysql = db::ParseDatabaseUrl("mysql://root:hunter2@db/app");
    ASSERT_FALSE(mysql.ok());
    EXPECT_NE(mysql.error().internal.find("\"mysql\""), std::string::npos);
    EXPECT_NE(mysql.error().internal.find("sqlite:PATH"), std::string::npos);
    EXPECT_NE(mysql.error().internal.find("postgresql://"), std::string::npos);
    EXPECT_EQ(mysql.error().internal.find("hunter2"), std::string::npos);
    for (const char* url : {"hunter2", "my sql:hunter2@x", ""}) {
        SCOPED_TRACE(url);
        auto bad = db::ParseDatabaseUrl(url);
        ASSERT_FALSE(bad.ok());
        EXPECT_EQ(bad.error().internal.find("hunter2"), std::string::npos);
        EXPECT_NE(bad.error().internal.find("sqlite:PATH"), std::string::npos);
    }
}

TEST(DatabaseUrlTest, RedactsThePassword) {
    EXPECT_EQ(db::RedactUrl("postgresql://scim:secret@db:5432/x"),
              "postgresql://scim:***@db:5432/x");
    EXPECT_EQ(db::RedactUrl("postgresql://scim@db/x"), "postgresql://scim@db/x");
    EXPECT_EQ(db::RedactUrl("sqlite:/tmp/a.db"), "sqlite:/tmp/a.db");
    EXPECT_EQ(db::RedactConnectMessage("bad password secret for", {"secret"}),
              "bad password *** for");
}

// libpq takes its keywords from the query too, so a password can stand there instead of (or as
// well as) in the user info.
TEST(DatabaseUrlTest, RedactsPasswordsGivenAsQueryParameters) {
    EXPECT_EQ(db::RedactUrl("postgresql://scim:a@db/x?sslmode=disable&password=b"),
              "postgresql://scim:***@db/x?sslmode=disable&password=***");
    EXPECT_EQ(db::RedactUrl("postgresql://scim@db/x?password=b&sslpassword=c&application_name=d"),
              "postgresql://scim@db/x?password=***&sslpassword=***&application_name=d");
    EXPECT_EQ(db::RedactUrl("postgresql://db/x?pass%77ord=b"), "postgresql://db/x?pass%77ord=***");
    EXPECT_EQ(db::RedactUrl("postgresql://db/x?%zz=b"), "postgresql://db/x?%zz=***");
    EXPECT_EQ(db::RedactUrl("postgresql://db/x?PASSWORD=b&SslPassword=c"),
              "postgresql://db/x?PASSWORD=***&SslPassword=***");
    EXPECT_EQ(db::RedactConnectMessage("no b here, nor c", {"b", "", "c"}), "no *** here, nor ***");
}

TEST(DatabaseTest, OpenErrorsNeverShowAQueryPassword) {
    auto opened = db::Database::Open("postgresql://scim@127.0.0.1:1/none?password=LeakMe", 1);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().internal.find("LeakMe"), std::string::npos) << opened.error().internal;
    EXPECT_NE(opened.error().internal.find("password=***"), std::string::npos)
        << opened.error().internal;
}

TEST(DatabaseTest, OpenErrorsNeverShowThePassword) {
    auto opened = db::Database::Open("postgresql://scim:hunter2@127.0.0.1:1/none", 1);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().status, 503);
    EXPECT_EQ(opened.error().internal.find("hunter2"), std::string::npos);
    EXPECT_EQ(opened.error().detail.find("hunter2"), std::string::npos);
}

TEST(DatabaseTest, MemoryDatabaseUsesOneSessionAndWorks) {
    auto opened = db::Database::Open("sqlite::memory:", 8);
    ASSERT_TRUE(opened.ok()) << opened.error().internal;
    EXPECT_EQ((*opened)->pool_size(), 1u);
    ASSERT_TRUE(db::Migrate(**opened).ok());
    EXPECT_TRUE((*opened)->Ping());
}

}  // namespace
}  // namespace db_test

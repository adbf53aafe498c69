#include <string>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "db/database.h"

namespace db {
namespace {

TEST(LoggableMessageTest, CutsBoundValuesAndKeyDetails) {
    EXPECT_EQ(
        LoggableMessage(R"(no such column: x while executing "SELECT x" with :p1="bjensen".)"),
        R"(no such column: x while executing "SELECT x")");
    EXPECT_EQ(LoggableMessage("duplicate key value violates unique constraint \"users_pkey\"\n"
                              "DETAIL:  Key (org_id, user_name_key)=(o1, bjensen) already exists."),
              "duplicate key value violates unique constraint \"users_pkey\"");
    EXPECT_EQ(LoggableMessage("plain failure"), "plain failure");
}

// A failing statement's error must not carry the values bound to it into the log: they can be
// filter literals or personal data.
TEST(LoggableMessageTest, FailedStatementErrorOmitsBoundValues) {
    auto opened = Database::Open("sqlite::memory:");
    ASSERT_TRUE(opened.ok()) << opened.error().internal;
    const std::string secret_value = "very-personal@example.com";
    scim::Status status = (*opened)->WithSession([&](soci::session& session) -> scim::Status {
        std::string value = secret_value;
        session << "CREATE TABLE t (a TEXT NOT NULL UNIQUE)";
        session << "INSERT INTO t (a) VALUES (:p1)", soci::use(value, "p1");
        session << "INSERT INTO t (a) VALUES (:p1)", soci::use(value, "p1");
        return scim::Ok{};
    });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().internal.find(secret_value), std::string::npos)
        << status.error().internal;
    EXPECT_EQ(status.error().detail.find(secret_value), std::string::npos);
}

}  // namespace
}  // namespace db

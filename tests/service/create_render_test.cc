#include "service_fixture.h"

// The answer to a create (RFC 7644 §3.3) is rendered from what the write produced: a new user
// is in no group yet, so its groups are not read back; a new group's members are, for their
// display names.
namespace scim::service::testing {
namespace {

using ::testing::_;

class CreateRenderTest : public ServiceTest {};

TEST_F(CreateRenderTest, NewUserIsAnsweredWithoutReadingGroups) {
    EXPECT_CALL(store_, GroupsOf(_, _)).Times(0);
    auto created = service_->Create(
        ctx_, "User", {{"schemas", {schemas::kUserSchema}}, {"userName", "alice"}}, Query{});
    ASSERT_TRUE(created.ok()) << created.error().detail;
    EXPECT_EQ(created->status, 201);
    EXPECT_EQ(created->body["userName"], "alice");
    EXPECT_FALSE(created->body.contains("groups"));
    EXPECT_EQ(created->location, created->body["meta"]["location"]);
    EXPECT_FALSE(created->etag.empty());
}

TEST_F(CreateRenderTest, NewUserAnswerMatchesALaterRead) {
    auto created = service_->Create(
        ctx_, "User", {{"schemas", {schemas::kUserSchema}}, {"userName", "bob"}}, Query{});
    ASSERT_TRUE(created.ok()) << created.error().detail;
    auto read = service_->Get(ctx_, "User", created->body["id"].get<std::string>(), Query{}, {});
    ASSERT_TRUE(read.ok()) << read.error().detail;
    EXPECT_EQ(created->body, read->body);
    EXPECT_EQ(created->etag, read->etag);
}

TEST_F(CreateRenderTest, NewGroupStillReadsItsMembersForTheirDisplayNames) {
    const std::string alice = CreateUser("alice");
    EXPECT_CALL(store_, Members(_, _)).Times(1);
    auto created = service_->Create(ctx_, "Group",
                                    {{"schemas", {schemas::kGroupSchema}},
                                     {"displayName", "Admins"},
                                     {"members", {{{"value", alice}}}}},
                                    Query{});
    ASSERT_TRUE(created.ok()) << created.error().detail;
    ASSERT_EQ(created->body["members"].size(), 1u);
    EXPECT_EQ(created->body["members"][0]["display"], "alice");
}

}  // namespace
}  // namespace scim::service::testing

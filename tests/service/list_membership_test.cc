#include "service_fixture.h"

// A list page reads the membership of all its resources with one store call, and none when the
// selection leaves membership out.
namespace scim::service::testing {
namespace {

using ::testing::_;
using ::testing::Return;
using ::testing::SizeIs;

class ListMembershipTest : public ServiceTest {
protected:
    void SetUp() override {
        alice_ = CreateUser("alice");
        bob_ = CreateUser("bob");
        carol_ = CreateUser("carol");
        admins_ = CreateGroup("Admins", {alice_, bob_});
        staff_ = CreateGroup("Staff", {alice_});
        empty_ = CreateGroup("Empty");
    }

    // value -> the attribute `name` of each listed resource, as a list of member/group values.
    static std::map<std::string, std::vector<std::string>> Values(const nlohmann::json& body,
                                                                  const std::string& name) {
        std::map<std::string, std::vector<std::string>> out;
        for (const auto& r : body["Resources"]) {
            auto& values = out[r["id"].get<std::string>()];
            for (const auto& v : r.value(name, nlohmann::json::array())) {
                values.push_back(v["value"].get<std::string>());
            }
        }
        return out;
    }

    std::string alice_, bob_, carol_, admins_, staff_, empty_;
};

TEST_F(ListMembershipTest, AGroupPageReadsMembersOnce) {
    EXPECT_CALL(store_, MembersOfMany(_, SizeIs(3))).Times(1);
    EXPECT_CALL(store_, Members(_, _)).Times(0);
    auto listed = service_->List(ctx_, "Group", Query{});
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    auto members = Values(listed->body, "members");
    EXPECT_EQ(members[admins_], (std::vector<std::string>{alice_, bob_}));
    EXPECT_EQ(members[staff_], (std::vector<std::string>{alice_}));
    EXPECT_TRUE(members[empty_].empty());
    for (const auto& r : listed->body["Resources"]) {
        EXPECT_EQ(r.contains("members"), r["id"] != empty_) << r["id"];
    }
}

TEST_F(ListMembershipTest, AUserPageReadsGroupsOnce) {
    EXPECT_CALL(store_, GroupsOfMany(_, SizeIs(3))).Times(1);
    EXPECT_CALL(store_, GroupsOf(_, _)).Times(0);
    auto listed = service_->List(ctx_, "User", Query{});
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    auto groups = Values(listed->body, "groups");
    std::vector<std::string> alice_groups = {admins_, staff_};
    std::sort(alice_groups.begin(), alice_groups.end());
    std::sort(groups[alice_].begin(), groups[alice_].end());
    EXPECT_EQ(groups[alice_], alice_groups);
    EXPECT_EQ(groups[bob_], (std::vector<std::string>{admins_}));
    EXPECT_TRUE(groups[carol_].empty());
}

TEST_F(ListMembershipTest, ACursorPageReadsMembersOnce) {
    EXPECT_CALL(store_, MembersOfMany(_, SizeIs(2))).Times(1);
    EXPECT_CALL(store_, Members(_, _)).Times(0);
    Query query;
    query.cursor = "";
    query.count = "2";
    auto listed = service_->List(ctx_, "Group", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["Resources"].size(), 2u);
}

TEST_F(ListMembershipTest, TheServerRootReadsOncePerResourceType) {
    EXPECT_CALL(store_, GroupsOfMany(_, SizeIs(3))).Times(1);
    EXPECT_CALL(store_, MembersOfMany(_, SizeIs(3))).Times(1);
    auto listed = service_->List(ctx_, std::nullopt, Query{});
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["Resources"].size(), 6u);
}

TEST_F(ListMembershipTest, ExcludedMembersNeverReadsTheMembership) {
    EXPECT_CALL(store_, MembersOfMany(_, _)).Times(0);
    EXPECT_CALL(store_, Members(_, _)).Times(0);
    Query query;
    query.excluded_attributes = "members";
    auto listed = service_->List(ctx_, "Group", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    for (const auto& r : listed->body["Resources"]) {
        EXPECT_FALSE(r.contains("members"));
    }
}

TEST_F(ListMembershipTest, AttributesWithoutGroupsNeverReadsTheMembership) {
    EXPECT_CALL(store_, GroupsOfMany(_, _)).Times(0);
    Query query;
    query.attributes = "userName";
    ASSERT_TRUE(service_->List(ctx_, "User", query).ok());
}

TEST_F(ListMembershipTest, AnEmptyPageReadsNoMembership) {
    EXPECT_CALL(store_, MembersOfMany(_, _)).Times(0);
    Query query;
    query.count = "0";
    auto listed = service_->List(ctx_, "Group", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 3);
}

TEST_F(ListMembershipTest, AFailedMembershipReadFailsThePage) {
    EXPECT_CALL(store_, MembersOfMany(_, _))
        .WillOnce(Return(Result<MembershipMap>(Error::Unavailable("database is down"))));
    auto listed = service_->List(ctx_, "Group", Query{});
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().status, 503);
}

}  // namespace
}  // namespace scim::service::testing

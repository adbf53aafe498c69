#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "membership_batch_fixture.h"

// MembersOfMany and GroupsOfMany must give, for every id, exactly what the single-id reads give.
namespace db_test {
namespace {

using scim::MemberRef;

void ExpectSameRefs(const std::vector<MemberRef>& batched,
                    const std::vector<MemberRef>& single,
                    const std::string& id) {
    ASSERT_EQ(batched.size(), single.size()) << id;
    for (std::size_t i = 0; i < single.size(); ++i) {
        EXPECT_EQ(batched[i].id, single[i].id) << id << " #" << i;
        EXPECT_EQ(batched[i].type, single[i].type) << id << " #" << i;
        EXPECT_EQ(batched[i].display, single[i].display) << id << " #" << i;
    }
}

TEST_P(MembershipBatchTest, MembersOfManyEqualsMembersForEveryGroup) {
    SeedGroups();
    const std::vector<std::string> ids = {"g-staff", "g-admins", "g-empty", "g-inner", "ghost"};
    auto batched = store_->MembersOfMany(org_, ids);
    ASSERT_TRUE(batched.ok()) << batched.error().internal;
    ASSERT_EQ(batched->size(), ids.size());
    for (const std::string& id : ids) {
        auto single = store_->Members(org_, id);
        ASSERT_TRUE(single.ok());
        ExpectSameRefs(batched->at(id), *single, id);
    }
    EXPECT_EQ(batched->at("g-admins").size(), 3u);
    EXPECT_EQ(batched->at("g-admins")[0].display, "Inner");
}

TEST_P(MembershipBatchTest, GroupsOfManyEqualsGroupsOfForEveryMember) {
    SeedGroups();
    const std::vector<std::string> ids = {"u1", "u2", "u3", "g-inner", "g-admins", "ghost"};
    auto batched = store_->GroupsOfMany(org_, ids);
    ASSERT_TRUE(batched.ok()) << batched.error().internal;
    ASSERT_EQ(batched->size(), ids.size());
    for (const std::string& id : ids) {
        auto single = store_->GroupsOf(org_, id);
        ASSERT_TRUE(single.ok());
        ExpectSameRefs(batched->at(id), *single, id);
    }
    EXPECT_EQ(batched->at("u1").size(), 2u);
    EXPECT_EQ(batched->at("u1")[0].type, "Group");
}

TEST_P(MembershipBatchTest, ReadsNothingOfAnotherOrg) {
    SeedGroups();
    auto members = store_->MembersOfMany(other_org_, {"g-admins"});
    ASSERT_TRUE(members.ok());
    EXPECT_TRUE(members->at("g-admins").empty());
    auto groups = store_->GroupsOfMany(other_org_, {"u1"});
    ASSERT_TRUE(groups.ok());
    EXPECT_TRUE(groups->at("u1").empty());
}

// An id asked for twice still lists each of its groups and members once.
TEST_P(MembershipBatchTest, ARepeatedIdIsReadOnce) {
    SeedGroups();
    auto groups = store_->GroupsOfMany(org_, {"u1", "u2", "u1"});
    ASSERT_TRUE(groups.ok()) << groups.error().internal;
    EXPECT_EQ(groups->size(), 2u);
    auto single = store_->GroupsOf(org_, "u1");
    ASSERT_TRUE(single.ok());
    ExpectSameRefs(groups->at("u1"), *single, "u1");
    auto members = store_->MembersOfMany(org_, {"g-admins", "g-admins"});
    ASSERT_TRUE(members.ok()) << members.error().internal;
    EXPECT_EQ(members->at("g-admins").size(), 3u);
}

TEST_P(MembershipBatchTest, AnEmptyIdListGivesAnEmptyMap) {
    auto members = store_->MembersOfMany(org_, {});
    ASSERT_TRUE(members.ok());
    EXPECT_TRUE(members->empty());
}

// More ids than fit one IN list are split over several statements without losing any.
TEST_P(MembershipBatchTest, ABatchLargerThanOneStatementKeepsEveryId) {
    SeedGroups();
    std::vector<std::string> ids;
    for (int i = 0; i < 1500; ++i) {
        ids.push_back("missing-" + std::to_string(i));
    }
    ids.push_back("u1");
    auto groups = store_->GroupsOfMany(org_, ids);
    ASSERT_TRUE(groups.ok()) << groups.error().internal;
    EXPECT_EQ(groups->size(), ids.size());
    EXPECT_EQ(groups->at("u1").size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MembershipBatchTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

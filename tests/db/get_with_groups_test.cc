#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "membership_batch_fixture.h"

// GetWithGroups reads a user and its groups in one statement; it must give exactly what Get
// followed by GroupsOf gives. These TEST_Ps join MembershipBatchTest, so they run on SQLite
// (membership_batch_test.cc) and on PostgreSQL (membership_batch_pgtest.cc).
namespace db_test {
namespace {

TEST_P(MembershipBatchTest, GetWithGroupsEqualsGetThenGroupsOf) {
    SeedGroups();
    for (const std::string id : {"u1", "u2", "u3"}) {
        SCOPED_TRACE(id);
        auto both = store_->GetWithGroups(org_, "User", id);
        ASSERT_TRUE(both.ok()) << both.error().internal;
        auto row = store_->Get(org_, "User", id);
        auto groups = store_->GroupsOf(org_, id);
        ASSERT_TRUE(row.ok() && groups.ok());
        EXPECT_EQ(both->resource.id, row->id);
        EXPECT_EQ(both->resource.version, row->version);
        EXPECT_EQ(both->resource.created, row->created);
        EXPECT_EQ(both->resource.last_modified, row->last_modified);
        EXPECT_EQ(both->resource.doc, row->doc);
        ASSERT_EQ(both->groups.size(), groups->size());
        for (std::size_t i = 0; i < groups->size(); ++i) {
            EXPECT_EQ(both->groups[i].id, (*groups)[i].id);
            EXPECT_EQ(both->groups[i].type, "Group");
            EXPECT_EQ(both->groups[i].display, (*groups)[i].display);
        }
    }
    auto u1 = store_->GetWithGroups(org_, "User", "u1");
    ASSERT_TRUE(u1.ok());
    ASSERT_EQ(u1->groups.size(), 2u);
    EXPECT_EQ(u1->groups[0].id, "g-admins");
    EXPECT_EQ(u1->groups[1].id, "g-staff");
}

// The groups travel as JSON inside the row, so a display name with quotes, backslashes and
// non-ASCII text must come back unchanged.
TEST_P(MembershipBatchTest, GetWithGroupsKeepsDisplayNamesThatNeedEscaping) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    const std::string name = "Ops \"on call\" \\ Zürich ✓";
    scim::MemberChanges members;
    members.add = {{"u1", "User", ""}};
    ASSERT_TRUE(CreateGroup("g-ops", name, members).ok());
    auto both = store_->GetWithGroups(org_, "User", "u1");
    ASSERT_TRUE(both.ok()) << both.error().internal;
    ASSERT_EQ(both->groups.size(), 1u);
    EXPECT_EQ(both->groups[0].display, name);
}

TEST_P(MembershipBatchTest, GetWithGroupsOfAUserInNoGroupHasNone) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    auto both = store_->GetWithGroups(org_, "User", "u1");
    ASSERT_TRUE(both.ok()) << both.error().internal;
    EXPECT_EQ(both->resource.doc["userName"], "alice");
    EXPECT_TRUE(both->groups.empty());
}

TEST_P(MembershipBatchTest, GetWithGroupsIsNotFoundForAnotherOrgsUser) {
    SeedGroups();
    auto both = store_->GetWithGroups(other_org_, "User", "u1");
    ASSERT_FALSE(both.ok());
    EXPECT_EQ(both.error().status, 404);
    EXPECT_FALSE(store_->GetWithGroups(org_, "User", "ghost").ok());
}

TEST_P(MembershipBatchTest, GetWithGroupsOfAGroupReadsTheGroupRow) {
    SeedGroups();
    auto both = store_->GetWithGroups(org_, "Group", "g-admins");
    ASSERT_TRUE(both.ok()) << both.error().internal;
    EXPECT_EQ(both->resource.doc["displayName"], "Admins");
    EXPECT_TRUE(both->groups.empty());
}

}  // namespace
}  // namespace db_test

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "member_update_fixture.h"

// ResourceStore::UpdateMembers (a group PATCH that only changes members) and the rules every
// membership write keeps: no group inside itself, directly or through nested groups.
namespace db_test {
namespace {

using Ids = std::vector<std::string>;

TEST_P(MemberUpdateTest, BumpsTheVersionAndKeepsTheDocument) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());

    auto updated = AddMembers("g1", {"u1"});
    ASSERT_TRUE(updated.ok()) << updated.error().internal;
    EXPECT_EQ(updated->version, 2);
    EXPECT_FALSE(updated->created.empty());
    EXPECT_EQ(MemberIds("g1"), Ids{"u1"});

    auto stored = store_->Get(org_, "Group", "g1");
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->version, 2);
    EXPECT_EQ(stored->doc["displayName"], "Admins");
    EXPECT_EQ(stored->last_modified, updated->last_modified);
    EXPECT_EQ(AuditCount(org_), 3);  // user created, group created, members added
}

TEST_P(MemberUpdateTest, RemovesAndReplacesMembers) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateUser("u2", "bob").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    ASSERT_TRUE(AddMembers("g1", {"u1", "u2"}).ok());

    scim::MemberChanges remove;
    remove.remove = {"u1", "never-a-member"};
    ASSERT_TRUE(store_
                    ->UpdateMembers(Ctx(), "g1", db::UtcNowMillis(), {}, remove,
                                    Event("group.members_removed", "g1"))
                    .ok());
    EXPECT_EQ(MemberIds("g1"), Ids{"u2"});

    scim::MemberChanges replace;
    replace.replace_all = true;
    replace.add = {{"u1", "", ""}};
    auto replaced = store_->UpdateMembers(Ctx(), "g1", db::UtcNowMillis(), {}, replace,
                                          Event("group.members_replaced", "g1"));
    ASSERT_TRUE(replaced.ok());
    EXPECT_EQ(replaced->version, 4);
    EXPECT_EQ(MemberIds("g1"), Ids{"u1"});
}

TEST_P(MemberUpdateTest, ComparesTheVersionOnlyWhenGiven) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateUser("u2", "bob").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());

    auto stale = AddMembers("g1", {"u1"}, 5);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().status, 412);
    EXPECT_TRUE(MemberIds("g1").empty());

    ASSERT_TRUE(AddMembers("g1", {"u1"}, 1).ok());
    ASSERT_TRUE(AddMembers("g1", {"u2"}).ok());
    EXPECT_EQ(store_->Get(org_, "Group", "g1")->version, 3);
}

TEST_P(MemberUpdateTest, UnknownGroupIs404AndUnknownMemberIs400WithNothingWritten) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    auto missing = AddMembers("g-missing", {"u1"});
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 404);

    ExpectInvalidValue(AddMembers("g1", {"u1", "nobody"}), "\"nobody\"");
    EXPECT_TRUE(MemberIds("g1").empty());
    EXPECT_EQ(store_->Get(org_, "Group", "g1")->version, 1);
}

TEST_P(MemberUpdateTest, ReachesNoOtherOrg) {
    ASSERT_TRUE(CreateUser("u1", "alice", other_org_).ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    ExpectInvalidValue(AddMembers("g1", {"u1"}), "\"u1\"");
    auto elsewhere = store_->UpdateMembers(Ctx(other_org_), "g1", db::UtcNowMillis(), {},
                                           scim::MemberChanges{}, Event("group.patched", "g1"));
    ASSERT_FALSE(elsewhere.ok());
    EXPECT_EQ(elsewhere.error().status, 404);
}

TEST_P(MemberUpdateTest, AddingAnExistingMemberIsANoOp) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    ASSERT_TRUE(AddMembers("g1", {"u1"}).ok());
    ASSERT_TRUE(AddMembers("g1", {"u1"}).ok());
    EXPECT_EQ(MemberIds("g1"), Ids{"u1"});
}

TEST_P(MemberUpdateTest, LastModifiedNeverMovesBack) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    const std::string later = "2999-01-01T00:00:00.000Z";
    scim::MemberChanges none;
    ASSERT_TRUE(
        store_->UpdateMembers(Ctx(), "g1", later, {}, none, Event("group.patched", "g1")).ok());
    auto earlier = AddMembers("g1", {"u1"});
    ASSERT_TRUE(earlier.ok());
    EXPECT_EQ(earlier->last_modified, later);
}

// Member changes of one group from many writers at once all apply: none is refused for a
// version it did not know about.
TEST_P(MemberUpdateTest, ConcurrentMemberAddsAllApply) {
    constexpr int kWriters = 16;
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    for (int i = 0; i < kWriters; ++i) {
        ASSERT_TRUE(CreateUser("u" + std::to_string(i), "user" + std::to_string(i)).ok());
    }
    std::atomic<int> failures = 0;
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
        writers.emplace_back([&, i] {
            if (!AddMembers("g1", {"u" + std::to_string(i)}).ok()) {
                ++failures;
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(MemberIds("g1").size(), static_cast<std::size_t>(kWriters));
    EXPECT_EQ(store_->Get(org_, "Group", "g1")->version, 1 + kWriters);
}

TEST_P(MemberUpdateTest, AGroupCannotBeItsOwnMember) {
    ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    ExpectInvalidValue(AddMembers("g1", {"g1"}), "\"g1\" cannot be a member of itself");
    EXPECT_TRUE(MemberIds("g1").empty());

    // The same rule holds for a full write (PUT, or a PATCH that also changes the document).
    scim::MemberChanges self;
    self.replace_all = true;
    self.add = {{"g1", "Group", ""}};
    auto group = Group("g1", "Admins");
    auto replaced = store_->Update(Ctx(), "Group", group, 1, self, Event("group.replaced", "g1"));
    ExpectInvalidValue(replaced, "cannot be a member of itself");
}

TEST_P(MemberUpdateTest, NestedGroupsMayNotFormACycle) {
    ASSERT_TRUE(CreateGroup("g1", "Top").ok());
    ASSERT_TRUE(CreateGroup("g2", "Middle").ok());
    ASSERT_TRUE(CreateGroup("g3", "Bottom").ok());
    ASSERT_TRUE(AddMembers("g1", {"g2"}).ok());
    ASSERT_TRUE(AddMembers("g2", {"g3"}).ok());

    ExpectInvalidValue(AddMembers("g2", {"g1"}), "\"g1\" contains group \"g2\"");
    ExpectInvalidValue(AddMembers("g3", {"g1"}), "\"g1\" contains group \"g3\"");
    EXPECT_TRUE(MemberIds("g3").empty());

    // Nesting without a loop stays allowed: a group may sit in two parents.
    ASSERT_TRUE(CreateGroup("g4", "Other parent").ok());
    EXPECT_TRUE(AddMembers("g4", {"g3"}).ok());
    EXPECT_TRUE(AddMembers("g1", {"g3"}).ok());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MemberUpdateTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

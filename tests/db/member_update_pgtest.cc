#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "db/audit_store.h"
#include "member_update_fixture.h"

// The member-only group writes of member_update_test.cc, on PostgreSQL, plus the cases that
// PostgreSQL answers with one data-modifying statement (users only, up to 100 ids) and those
// that must leave it for the transactional path.
namespace db_test {

namespace {

using Ids = std::vector<std::string>;

INSTANTIATE_TEST_SUITE_P(Postgres, MemberUpdateTest, ::testing::Values("postgres"));

class OneStatementMemberUpdateTest : public MemberUpdateTest {
protected:
    void SetUp() override {
        MemberUpdateTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        ASSERT_TRUE(CreateUser("u1", "alice").ok());
        ASSERT_TRUE(CreateUser("u2", "bob").ok());
        ASSERT_TRUE(CreateGroup("g1", "Admins").ok());
    }

    long long GroupVersion(const std::string& id) {
        auto stored = store_->Get(org_, "Group", id);
        EXPECT_TRUE(stored.ok());
        return stored.ok() ? stored->version : -1;
    }
};

INSTANTIATE_TEST_SUITE_P(Postgres, OneStatementMemberUpdateTest, ::testing::Values("postgres"));

TEST_P(OneStatementMemberUpdateTest, UnknownIdAmongUsersWritesNothing) {
    ExpectInvalidValue(AddMembers("g1", {"u1", "ghost", "u2"}), "ghost");
    EXPECT_EQ(MemberIds("g1"), Ids{});
    EXPECT_EQ(GroupVersion("g1"), 1);
    EXPECT_EQ(AuditCount(org_), 3);  // two users and the group created, nothing else
}

TEST_P(OneStatementMemberUpdateTest, StaleIfMatchIs412AndWritesNothing) {
    auto stale = AddMembers("g1", {"u1"}, 7);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().status, 412);
    EXPECT_EQ(MemberIds("g1"), Ids{});
    EXPECT_EQ(GroupVersion("g1"), 1);
    EXPECT_EQ(AuditCount(org_), 3);

    auto current = AddMembers("g1", {"u1"}, 1);
    ASSERT_TRUE(current.ok()) << current.error().internal;
    EXPECT_EQ(current->version, 2);
    EXPECT_EQ(MemberIds("g1"), Ids{"u1"});
}

TEST_P(OneStatementMemberUpdateTest, UnknownGroupIs404AndWritesNothing) {
    auto missing = AddMembers("nope", {"u1"});
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 404);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM group_members WHERE org_id = '" + org_ + "'"), 0);
    EXPECT_EQ(AuditCount(org_), 3);
}

TEST_P(OneStatementMemberUpdateTest, AddsAndRemovesInOneChangeWithTheSameAuditRow) {
    ASSERT_TRUE(AddMembers("g1", {"u1"}).ok());
    scim::MemberChanges changes;
    changes.add.push_back({"u2", "User", ""});
    changes.add.push_back({"u2", "User", ""});  // a repeated id counts once
    changes.remove.push_back("u1");
    scim::AuditEvent event = Event("group.patched", "g1");
    event.details = {{"operations", 2}};
    scim::RequestContext ctx = Ctx();
    auto updated = store_->UpdateMembers(ctx, "g1", db::UtcNowMillis(), {}, changes, event);
    ASSERT_TRUE(updated.ok()) << updated.error().internal;
    EXPECT_EQ(updated->version, 3);
    EXPECT_EQ(MemberIds("g1"), Ids{"u2"});

    const std::string kind(db::ActorKindName(ctx.principal.kind));
    EXPECT_EQ(
        CountRows("SELECT COUNT(*) FROM audit_events WHERE org_id = '" + org_ +
                  "' AND event_id = 5 AND action = 'group.patched' AND actor_kind = '" + kind +
                  "' AND actor_id = 'tok-1' AND actor_name = 'okta' AND target_type = "
                  "'group' AND target_id = 'g1' AND workspace_id IS NULL AND request_id = '" +
                  ctx.request_id +
                  "' AND source_addr = '127.0.0.1' AND details = '{\"operations\": 2}'"
                  "::jsonb AND created_at <> ''"),
        1);
    EXPECT_EQ(CountRows("SELECT last_event_id FROM audit_counters WHERE org_id = '" + org_ + "'"),
              5);
}

TEST_P(OneStatementMemberUpdateTest, GroupMemberStillGoesThroughTheCycleCheck) {
    ASSERT_TRUE(CreateGroup("g2", "Nested").ok());
    ASSERT_TRUE(AddMembers("g1", {"g2", "u1"}).ok());
    EXPECT_EQ(MemberIds("g1"), (Ids{"g2", "u1"}));

    // g2 inside g1, so g1 inside g2 would be a loop; u2 rides along and must not be written.
    ExpectInvalidValue(AddMembers("g2", {"u2", "g1"}), "contains group");
    EXPECT_EQ(MemberIds("g2"), Ids{});
    EXPECT_EQ(GroupVersion("g2"), 1);
}

}  // namespace
}  // namespace db_test

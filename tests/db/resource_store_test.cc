#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/schema.h"
#include "store_fixture.h"

namespace db_test {
namespace {

using scim::MemberChanges;
using scim::MemberRef;

TEST_P(ResourceStoreTest, CreatesAndReadsBackAUser) {
    auto created = CreateUser("u1", "bjensen");
    ASSERT_TRUE(created.ok()) << created.error().internal;
    EXPECT_EQ(created->version, 1);

    auto got = store_->Get(org_, "User", "u1");
    ASSERT_TRUE(got.ok()) << got.error().internal;
    EXPECT_EQ(got->id, "u1");
    EXPECT_EQ(got->version, 1);
    EXPECT_EQ(got->doc["userName"], "bjensen");
    EXPECT_EQ(got->doc["active"], true);
    EXPECT_EQ(got->created, created->created);
}

// Regression: a 3,000-character userName overflowed PostgreSQL's btree entry limit and gave a
// 500 there while SQLite stored it; both now answer 400 invalidValue.
TEST_P(ResourceStoreTest, OverlongIndexedValueIsInvalidValueOnEveryBackend) {
    auto created = CreateUser("u-long", std::string(3000, 'a'));
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().status, 400);
    EXPECT_EQ(created.error().scim_type, scim::ScimType::kInvalidValue);
    EXPECT_TRUE(CreateUser("u-ok", std::string(1000, 'a')).ok());
}

TEST_P(ResourceStoreTest, GetOfUnknownIdIsNotFound) {
    auto got = store_->Get(org_, "User", "nope");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().status, 404);
}

TEST_P(ResourceStoreTest, UpdateWithMatchingVersionBumpsIt) {
    ASSERT_TRUE(CreateUser("u1", "bjensen").ok());
    auto changed = User("u1", "bjensen");
    changed.doc["displayName"] = "Barbara";
    auto updated = store_->Update(Ctx(), "User", changed, 1, {}, Event("user.replaced", "u1"));
    ASSERT_TRUE(updated.ok()) << updated.error().internal;
    EXPECT_EQ(updated->version, 2);

    auto got = store_->Get(org_, "User", "u1");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->version, 2);
    EXPECT_EQ(got->doc["displayName"], "Barbara");
}

TEST_P(ResourceStoreTest, UpdateWithStaleVersionIsPreconditionFailed) {
    ASSERT_TRUE(CreateUser("u1", "bjensen").ok());
    ASSERT_TRUE(store_->Update(Ctx(), "User", User("u1", "b2"), 1, {}, Event("user.x", "u1")).ok());
    auto stale = store_->Update(Ctx(), "User", User("u1", "b3"), 1, {}, Event("user.x", "u1"));
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().status, 412);
}

TEST_P(ResourceStoreTest, UpdateOfMissingResourceIsNotFound) {
    auto missing = store_->Update(Ctx(), "User", User("u9", "x"), 1, {}, Event("user.x", "u9"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 404);
}

TEST_P(ResourceStoreTest, DeleteRemovesTheResourceAndChecksItsVersion) {
    ASSERT_TRUE(CreateUser("u1", "bjensen").ok());
    auto stale = store_->Delete(Ctx(), "User", "u1", 7, Event("user.deleted", "u1"));
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().status, 412);

    ASSERT_TRUE(store_->Delete(Ctx(), "User", "u1", 1, Event("user.deleted", "u1")).ok());
    EXPECT_EQ(store_->Get(org_, "User", "u1").error().status, 404);
    auto again = store_->Delete(Ctx(), "User", "u1", std::nullopt, Event("user.deleted", "u1"));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().status, 404);
}

struct DuplicateCase {
    const char* first;
    const char* second;
};

TEST_P(ResourceStoreTest, UserNameIsUniqueIgnoringCase) {
    const DuplicateCase cases[] = {
        {"BJensen", "bjensen"},
        {"STRASSE",
         "stra\xc3\x9f"
         "e"},                         // "straße" folds to "strasse"
        {"\xc3\x85sa", "\xc3\xa5SA"},  // Åsa / åSA
    };
    int n = 0;
    for (const auto& c : cases) {
        const std::string a = "a" + std::to_string(n), b = "b" + std::to_string(n++);
        ASSERT_TRUE(CreateUser(a, c.first).ok()) << c.first;
        auto duplicate = CreateUser(b, c.second);
        ASSERT_FALSE(duplicate.ok()) << c.second;
        EXPECT_EQ(duplicate.error().status, 409);
        EXPECT_EQ(duplicate.error().scim_type, scim::ScimType::kUniqueness);
        EXPECT_NE(duplicate.error().detail.find("already taken"), std::string::npos);
    }
}

TEST_P(ResourceStoreTest, RenamingOntoATakenUserNameIsAConflict) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateUser("u2", "bob").ok());
    auto clash = store_->Update(Ctx(), "User", User("u2", "ALICE"), 1, {}, Event("user.x", "u2"));
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().status, 409);
    EXPECT_EQ(store_->Get(org_, "User", "u2")->doc["userName"], "bob");
}

TEST_P(ResourceStoreTest, OrgsAreIsolated) {
    ASSERT_TRUE(CreateUser("u1", "bjensen").ok());
    EXPECT_TRUE(CreateUser("u2", "bjensen", other_org_).ok()) << "same userName in another org";
    EXPECT_EQ(store_->Get(other_org_, "User", "u1").error().status, 404);

    auto foreign =
        store_->Update(Ctx(other_org_), "User", User("u1", "x"), 1, {}, Event("user.x", "u1"));
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.error().status, 404);
    auto removed = store_->Delete(Ctx(other_org_), "User", "u1", std::nullopt, Event("u.d", "u1"));
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().status, 404);

    // A member id from another org does not exist here.
    MemberChanges add;
    add.add.push_back({"u2", "User", ""});
    auto group = CreateGroup("g1", "Admins", add);
    ASSERT_FALSE(group.ok());
    EXPECT_EQ(group.error().status, 400);
}

TEST_P(ResourceStoreTest, MembershipAddRemoveAndIdempotence) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateUser("u2", "bob").ok());
    MemberChanges initial;
    initial.add = {{"u1", "User", ""}};
    ASSERT_TRUE(CreateGroup("g1", "Admins", initial).ok());
    ASSERT_TRUE(CreateGroup("g2", "Nested").ok());

    MemberChanges more;
    more.add = {{"u1", "User", ""}, {"u2", "User", ""}, {"g2", "Group", ""}};
    ASSERT_TRUE(store_
                    ->Update(Ctx(), "Group", Group("g1", "Admins"), 1, more,
                             Event("group.members_added", "g1"))
                    .ok());
    auto members = store_->Members(org_, "g1");
    ASSERT_TRUE(members.ok());
    ASSERT_EQ(members->size(), 3u);
    EXPECT_EQ((*members)[0].id, "g2");
    EXPECT_EQ((*members)[0].type, "Group");
    EXPECT_EQ((*members)[0].display, "Nested");
    EXPECT_EQ((*members)[1].display, "alice");
    EXPECT_EQ((*members)[2].display, "bob");

    MemberChanges less;
    less.remove = {"u1", "not-a-member"};
    ASSERT_TRUE(store_
                    ->Update(Ctx(), "Group", Group("g1", "Admins"), 2, less,
                             Event("group.members_removed", "g1"))
                    .ok());
    EXPECT_EQ(store_->Members(org_, "g1")->size(), 2u);

    auto groups = store_->GroupsOf(org_, "u2");
    ASSERT_TRUE(groups.ok());
    ASSERT_EQ(groups->size(), 1u);
    EXPECT_EQ((*groups)[0].id, "g1");
    EXPECT_EQ((*groups)[0].display, "Admins");
    EXPECT_TRUE(store_->GroupsOf(org_, "u1")->empty());

    MemberChanges replace;
    replace.replace_all = true;
    replace.add = {{"u1", "User", ""}};
    ASSERT_TRUE(
        store_->Update(Ctx(), "Group", Group("g1", "Admins"), 3, replace, Event("g.r", "g1")).ok());
    members = store_->Members(org_, "g1");
    ASSERT_EQ(members->size(), 1u);
    EXPECT_EQ((*members)[0].id, "u1");
}

TEST_P(ResourceStoreTest, UnknownMemberIsInvalidValueAndWritesNothing) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    MemberChanges add;
    add.add = {{"u1", "User", ""}, {"ghost", "User", ""}};
    auto group = CreateGroup("g1", "Admins", add);
    ASSERT_FALSE(group.ok());
    EXPECT_EQ(group.error().status, 400);
    EXPECT_EQ(group.error().scim_type, scim::ScimType::kInvalidValue);
    EXPECT_NE(group.error().detail.find("ghost"), std::string::npos);
    EXPECT_EQ(store_->Get(org_, "Group", "g1").error().status, 404);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM group_members"), 0);
}

TEST_P(ResourceStoreTest, DeletingAUserOrGroupDropsItsMemberships) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateGroup("g2", "Inner").ok());
    MemberChanges add;
    add.add = {{"u1", "User", ""}, {"g2", "Group", ""}};
    ASSERT_TRUE(CreateGroup("g1", "Outer", add).ok());

    ASSERT_TRUE(store_->Delete(Ctx(), "User", "u1", std::nullopt, Event("user.d", "u1")).ok());
    auto members = store_->Members(org_, "g1");
    ASSERT_EQ(members->size(), 1u);
    EXPECT_EQ((*members)[0].id, "g2");

    ASSERT_TRUE(store_->Delete(Ctx(), "Group", "g1", std::nullopt, Event("group.d", "g1")).ok());
    EXPECT_TRUE(store_->GroupsOf(org_, "g2")->empty());
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM group_members"), 0);
}

TEST_P(ResourceStoreTest, DeletingAMemberBumpsVersionAndLastModifiedOfEveryGroupHoldingIt) {
    const std::string long_ago = "2020-01-01T00:00:00.000Z";
    auto create_group = [&](const std::string& id, std::vector<MemberRef> members) {
        scim::StoredResource group = Group(id, id);
        group.last_modified = long_ago;
        MemberChanges add;
        add.add = std::move(members);
        return store_->Create(Ctx(), "Group", group, add, Event("group.created", id)).ok();
    };
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(CreateUser("u2", "bob").ok());
    ASSERT_TRUE(create_group("inner", {{"u1", "User", ""}}));
    ASSERT_TRUE(create_group("outer", {{"u1", "User", ""}, {"inner", "Group", ""}}));
    ASSERT_TRUE(create_group("other", {{"u2", "User", ""}}));

    ASSERT_TRUE(store_->Delete(Ctx(), "User", "u1", std::nullopt, Event("user.d", "u1")).ok());
    for (const char* id : {"inner", "outer"}) {
        auto group = store_->Get(org_, "Group", id);
        ASSERT_TRUE(group.ok()) << id;
        EXPECT_EQ(group->version, 2) << id;
        EXPECT_GT(group->last_modified, long_ago) << id;
    }
    auto untouched = store_->Get(org_, "Group", "other");
    ASSERT_TRUE(untouched.ok());
    EXPECT_EQ(untouched->version, 1);
    EXPECT_EQ(untouched->last_modified, long_ago);

    // A deleted group is a member too: the group that held it changes again.
    ASSERT_TRUE(store_->Delete(Ctx(), "Group", "inner", std::nullopt, Event("g.d", "inner")).ok());
    EXPECT_EQ(store_->Get(org_, "Group", "outer")->version, 3);
    EXPECT_EQ(store_->Get(org_, "Group", "other")->version, 1);
}

TEST_P(ResourceStoreTest, EveryWriteAppendsOneAuditEventAndAFailedWriteNone) {
    ASSERT_TRUE(CreateUser("u1", "alice").ok());
    ASSERT_TRUE(store_->Update(Ctx(), "User", User("u1", "al"), 1, {}, Event("user.r", "u1")).ok());
    EXPECT_EQ(AuditCount(org_), 2);

    EXPECT_FALSE(CreateUser("u2", "AL").ok());  // duplicate userName
    EXPECT_FALSE(store_->Update(Ctx(), "User", User("u1", "x"), 1, {}, Event("user.r", "u1")).ok());
    EXPECT_EQ(AuditCount(org_), 2);

    ASSERT_TRUE(store_->Delete(Ctx(), "User", "u1", 2, Event("user.deleted", "u1")).ok());
    EXPECT_EQ(AuditCount(org_), 3);
    EXPECT_EQ(CountRows("SELECT MAX(event_id) FROM audit_events WHERE org_id = '" + org_ + "'"), 3);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_events WHERE org_id = '" + org_ +
                        "' AND action = 'user.deleted' AND target_id = 'u1'"),
              1);
}

TEST_P(ResourceStoreTest, ListPagesInIdOrderWithTotals) {
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(CreateUser("u" + std::to_string(i), "user" + std::to_string(i)).ok());
    }
    ASSERT_TRUE(CreateUser("x1", "elsewhere", other_org_).ok());
    schemas::ResourceType user_type;
    user_type.id = user_type.name = "User";

    scim::ListQuery query;
    query.start_index = 2;
    query.count = 2;
    auto page = store_->List(org_, user_type, query);
    ASSERT_TRUE(page.ok()) << page.error().internal;
    EXPECT_EQ(page->total, 5);
    ASSERT_EQ(page->resources.size(), 2u);
    EXPECT_EQ(page->resources[0].id, "u1");
    EXPECT_EQ(page->resources[1].id, "u2");

    query.start_index = 1;
    query.after = scim::Keyset{nullptr, "u2"};
    query.count = 10;
    page = store_->List(org_, user_type, query);
    ASSERT_TRUE(page.ok()) << page.error().internal;
    ASSERT_EQ(page->resources.size(), 2u);
    EXPECT_EQ(page->resources[0].id, "u3");

    query.after.reset();
    query.descending = true;
    query.count = 0;
    page = store_->List(org_, user_type, query);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 5);
    EXPECT_TRUE(page->resources.empty());
}

// Read-modify-write loops from several threads: every increment must survive, because a
// write with a stale version is refused (412) and redone, never applied over another.
TEST_P(ResourceStoreTest, ConcurrentWritersNeverLoseUpdates) {
    ASSERT_TRUE(CreateUser("u1", "counter").ok());
    constexpr int kThreads = 4;
    constexpr int kIncrements = 15;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kIncrements; ++i) {
                for (int attempt = 0; attempt < 200; ++attempt) {
                    auto current = store_->Get(org_, "User", "u1");
                    if (!current.ok()) {
                        ++failures;
                        return;
                    }
                    auto next = *current;
                    next.doc["nickName"] =
                        std::to_string(std::stoi(next.doc.value("nickName", std::string("0"))) + 1);
                    auto written = store_->Update(Ctx(), "User", next, current->version, {},
                                                  Event("user.patched", "u1"));
                    if (written.ok()) {
                        break;
                    }
                    if (written.error().status != 412 && written.error().status != 503) {
                        ++failures;
                        return;
                    }
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    auto final = store_->Get(org_, "User", "u1");
    ASSERT_TRUE(final.ok());
    EXPECT_EQ(final->doc["nickName"], std::to_string(kThreads * kIncrements));
    EXPECT_EQ(final->version, 1 + kThreads * kIncrements);
    EXPECT_EQ(AuditCount(org_), 1 + kThreads * kIncrements);
    EXPECT_EQ(CountRows("SELECT MAX(event_id) FROM audit_events WHERE org_id = '" + org_ + "'"),
              1 + kThreads * kIncrements);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ResourceStoreTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

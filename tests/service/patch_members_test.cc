#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "service_fixture.h"

namespace scim::service::testing {
namespace {

using ::testing::_;

class PatchMembersTest : public ServiceTest {
protected:
    static nlohmann::json Op(const std::string& op,
                             const std::string& path,
                             nlohmann::json value = nullptr) {
        nlohmann::json operation = {{"op", op}, {"path", path}};
        if (!value.is_null()) {
            operation["value"] = std::move(value);
        }
        return operation;
    }

    static nlohmann::json AddMembers(const std::vector<std::string>& ids) {
        nlohmann::json value = nlohmann::json::array();
        for (const auto& id : ids) {
            value.push_back({{"value", id}});
        }
        return PatchBody({Op("add", "members", value)});
    }

    std::vector<std::string> MemberIds(const std::string& group) {
        std::vector<std::string> ids;
        auto members = store_.fake().Members(ctx_.principal.org_id, group);
        EXPECT_TRUE(members.ok());
        for (const MemberRef& member : *members) {
            ids.push_back(member.id);
        }
        return ids;
    }
};

// A member-only PATCH reads neither the group document nor its members and does not take the
// version check, so concurrent member changes of one group cannot conflict.
TEST_F(PatchMembersTest, MemberAddReadsNothingAndSkipsTheVersionCheck) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    EXPECT_CALL(store_, Get(_, _, _)).Times(0);
    EXPECT_CALL(store_, Members(_, _)).Times(0);
    EXPECT_CALL(store_, Update(_, _, _, _, _, _)).Times(0);
    EXPECT_CALL(store_, UpdateMembers(_, _, _, std::optional<std::int64_t>(), _, _));

    auto patched = service_->Patch(ctx_, "Group", group, AddMembers({alice}), Query{}, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 204);
    EXPECT_EQ(patched->etag, "W/\"2\"");
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{alice});
    EXPECT_EQ(store_.fake().events().back().action, "group.members_added");
}

TEST_F(PatchMembersTest, RemoveByIdFilterAndPathlessMembersTakeTheSamePath) {
    const std::string alice = CreateUser("alice");
    const std::string bob = CreateUser("bob");
    const std::string group = CreateGroup("Admins", {alice});
    EXPECT_CALL(store_, Get(_, _, _)).Times(0);
    EXPECT_CALL(store_, Update(_, _, _, _, _, _)).Times(0);
    const nlohmann::json body =
        PatchBody({Op("remove", "members[value eq \"" + alice + "\"]"),
                   {{"op", "add"}, {"value", {{"members", {{{"value", bob}}}}}}}});

    auto patched = service_->Patch(ctx_, "Group", group, body, Query{}, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{bob});
}

// RFC 7644 §3.14: If-Match is honoured on the member-only path too.
TEST_F(PatchMembersTest, IfMatchIsComparedOnAMemberOnlyPatch) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    Preconditions stale;
    stale.if_match = "W/\"7\"";
    auto refused = service_->Patch(ctx_, "Group", group, AddMembers({alice}), Query{}, stale);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 412);
    EXPECT_TRUE(MemberIds(group).empty());

    Preconditions current;
    current.if_match = "W/\"1\"";
    EXPECT_CALL(store_, UpdateMembers(_, _, _, std::optional<std::int64_t>(1), _, _));
    auto accepted = service_->Patch(ctx_, "Group", group, AddMembers({alice}), Query{}, current);
    ASSERT_TRUE(accepted.ok()) << accepted.error().detail;
    EXPECT_EQ(accepted->etag, "W/\"2\"");
}

TEST_F(PatchMembersTest, MemberOnlyPatchOfAnUnknownGroupIs404) {
    const std::string alice = CreateUser("alice");
    auto patched =
        service_->Patch(ctx_, "Group", "no-such-group", AddMembers({alice}), Query{}, {});
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().status, 404);
}

TEST_F(PatchMembersTest, MemberOnlyPatchThatChangesNothingKeepsTheVersion) {
    const std::string group = CreateGroup("Admins");
    EXPECT_CALL(store_, UpdateMembers(_, _, _, _, _, _)).Times(0);
    auto patched =
        service_->Patch(ctx_, "Group", group,
                        PatchBody({Op("add", "members", nlohmann::json::array())}), Query{}, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->etag, "W/\"1\"");
}

TEST_F(PatchMembersTest, RenameWithMembersStillWritesTheDocumentWithItsVersion) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    EXPECT_CALL(store_, UpdateMembers(_, _, _, _, _, _)).Times(0);
    EXPECT_CALL(store_, Update(_, _, _, 1, _, _));
    const nlohmann::json body = PatchBody(
        {Op("replace", "displayName", "Operators"), Op("add", "members", {{{"value", alice}}})});
    auto patched = service_->Patch(ctx_, "Group", group, body, Query{}, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{alice});
}

// Many clients adding one member each to the same group, at once: every add lands and none is
// retried. A retry would re-read the group (Get) before writing again; the member-only path never
// reads it, and its write cannot fail on a version it did not ask for.
TEST_F(PatchMembersTest, ConcurrentMemberAddsNeedNoRetry) {
    constexpr int kClients = 64;
    std::vector<std::string> users;
    for (int i = 0; i < kClients; ++i) {
        users.push_back(CreateUser("user-" + std::to_string(i)));
    }
    const std::string group = CreateGroup("Everyone");
    EXPECT_CALL(store_, Get(_, _, _)).Times(0);
    EXPECT_CALL(store_, Update(_, _, _, _, _, _)).Times(0);
    EXPECT_CALL(store_, UpdateMembers(_, _, _, _, _, _)).Times(kClients);

    std::atomic<int> failures = 0;
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            auto patched =
                service_->Patch(ctx_, "Group", group, AddMembers({users[i]}), Query{}, {});
            if (!patched.ok() || patched->status != 204) {
                ++failures;
            }
        });
    }
    for (auto& client : clients) {
        client.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(MemberIds(group).size(), static_cast<std::size_t>(kClients));
}

TEST_F(PatchMembersTest, MemberOnlyPatchWithAttributesReadsTheGroupBackAfterTheWrite) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    EXPECT_CALL(store_, Update(_, _, _, _, _, _)).Times(0);
    Query query;
    query.excluded_attributes = "members";
    auto patched = service_->Patch(ctx_, "Group", group, AddMembers({alice}), query, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 200);
    EXPECT_EQ(patched->body["displayName"], "Admins");
    EXPECT_EQ(patched->body["meta"]["version"], "W/\"2\"");
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{alice});
}

// Filters on members other than ids read the member list once and select by type or display.
TEST_F(PatchMembersTest, RemoveByTypeFilterReadsTheMembersOnce) {
    const std::string alice = CreateUser("alice");
    const std::string nested = CreateGroup("Nested");
    const std::string group = CreateGroup("Admins", {alice, nested});
    EXPECT_CALL(store_, Members(_, _)).Times(1);

    auto patched = service_->Patch(
        ctx_, "Group", group, PatchBody({Op("remove", "members[type eq \"Group\"]")}), Query{}, {});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{alice});
}

TEST_F(PatchMembersTest, RemoveByDisplayAndRefFilters) {
    const std::string alice = CreateUser("alice");
    const std::string bob = CreateUser("bob");
    const std::string group = CreateGroup("Admins", {alice, bob});

    auto by_display =
        service_->Patch(ctx_, "Group", group,
                        PatchBody({Op("remove", "members[display co \"lic\"]")}), Query{}, {});
    ASSERT_TRUE(by_display.ok()) << by_display.error().detail;
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{bob});

    auto by_ref = service_->Patch(
        ctx_, "Group", group,
        PatchBody({Op("remove",
                      "members[$ref eq \"https://scim.example.test/scim/v2/Users/" + bob + "\"]")}),
        Query{}, {});
    ASSERT_TRUE(by_ref.ok()) << by_ref.error().detail;
    EXPECT_TRUE(MemberIds(group).empty());
}

// A schema error found after every operation applied names the operation that caused it, also
// when an earlier operation selected members with a filter that reads the member list.
TEST_F(PatchMembersTest, SchemaErrorAfterAMemberFilterNamesTheFailingOperation) {
    const std::string nested = CreateGroup("Nested");
    const std::string group = CreateGroup("Admins", {nested});
    auto patched = service_->Patch(
        ctx_, "Group", group,
        PatchBody({Op("remove", "members[type eq \"Group\"]"), Op("remove", "displayName")}),
        Query{}, {});
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().status, 400);
    EXPECT_EQ(patched.error().detail.rfind("Operations[1]: ", 0), 0u) << patched.error().detail;
    EXPECT_EQ(MemberIds(group), std::vector<std::string>{nested});
}

}  // namespace
}  // namespace scim::service::testing

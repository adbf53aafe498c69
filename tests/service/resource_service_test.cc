#include "scim/service/resource_service.h"

#include "service_fixture.h"

namespace scim::service::testing {
namespace {

using ::testing::_;
using ::testing::Return;

class ResourceServiceTest : public ServiceTest {};

TEST_F(ResourceServiceTest, CreateReturns201WithLocationEtagAndMeta) {
    auto created = service_->Create(
        ctx_, "User",
        {{"schemas", {schemas::kUserSchema}}, {"userName", "bjensen"}, {"password", "s3cret!"}},
        Query{});
    ASSERT_TRUE(created.ok()) << created.error().detail;
    const auto& body = created->body;
    const std::string id = body.value("id", "");
    EXPECT_EQ(created->status, 201);
    EXPECT_EQ(created->location, "https://scim.example.test/scim/v2/Users/" + id);
    EXPECT_EQ(created->etag, "W/\"1\"");
    EXPECT_EQ(body["userName"], "bjensen");
    EXPECT_EQ(body["meta"]["resourceType"], "User");
    EXPECT_EQ(body["meta"]["version"], "W/\"1\"");
    EXPECT_EQ(body["meta"]["location"], created->location);
    EXPECT_EQ(body["meta"]["created"], "2027-01-15T08:00:00.000Z");
    EXPECT_EQ(body["meta"]["lastModified"], body["meta"]["created"]);
    EXPECT_FALSE(body.contains("password"));
    EXPECT_EQ(body.dump().find("s3cret"), std::string::npos);
}

TEST_F(ResourceServiceTest, CreateWritesAuditEventWithIdsOnly) {
    const std::string id = CreateUser("bjensen");
    auto events = store_.fake().events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].action, "user.created");
    EXPECT_EQ(events[0].target_type, "User");
    EXPECT_EQ(events[0].target_id, id);
    EXPECT_EQ(events[0].details.dump().find("bjensen"), std::string::npos);
}

TEST_F(ResourceServiceTest, CreatePassesStoreErrorsThrough) {
    CreateUser("bjensen");
    auto duplicate = service_->Create(
        ctx_, "User", {{"schemas", {schemas::kUserSchema}}, {"userName", "BJENSEN"}}, Query{});
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().status, 409);
    EXPECT_EQ(duplicate.error().scim_type, ScimType::kUniqueness);
}

TEST_F(ResourceServiceTest, CreateRejectsInvalidBodies) {
    for (const nlohmann::json& body : {nlohmann::json::array(), nlohmann::json("x"),
                                       nlohmann::json{{"schemas", {schemas::kUserSchema}}}}) {
        auto created = service_->Create(ctx_, "User", body, Query{});
        ASSERT_FALSE(created.ok()) << body;
        EXPECT_EQ(created.error().status, 400) << body;
    }
}

TEST_F(ResourceServiceTest, UnknownTypeIs404) {
    auto created = service_->Create(ctx_, "Printer", nlohmann::json::object(), Query{});
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().status, 404);
}

TEST_F(ResourceServiceTest, GroupCreateStoresMembersAsRows) {
    const std::string alice = CreateUser("alice");
    const std::string bob = CreateUser("bob");
    const std::string group = CreateGroup("Admins", {alice, bob});
    EXPECT_THAT(store_.fake().MemberIds("org-1", group),
                ::testing::UnorderedElementsAre(alice, bob));

    auto got = service_->Get(ctx_, "Group", group, Query{}, Preconditions{});
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->body["members"].size(), 2u);
    const auto& first = got->body["members"][0];
    EXPECT_EQ(first["type"], "User");
    EXPECT_EQ(first["$ref"],
              "https://scim.example.test/scim/v2/Users/" + first["value"].get<std::string>());
    EXPECT_TRUE(first.contains("display"));
    EXPECT_EQ(store_.fake().events().back().details["members_added"], 2);
}

TEST_F(ResourceServiceTest, GroupCreateWithUnknownMemberIs400) {
    auto created = service_->Create(ctx_, "Group",
                                    {{"schemas", {schemas::kGroupSchema}},
                                     {"displayName", "Admins"},
                                     {"members", {{{"value", "no-such-id"}}}}},
                                    Query{});
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().scim_type, ScimType::kInvalidValue);
}

TEST_F(ResourceServiceTest, UserShowsDerivedGroups) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins", {alice});
    auto got = service_->Get(ctx_, "User", alice, Query{}, Preconditions{});
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->body["groups"].size(), 1u);
    EXPECT_EQ(got->body["groups"][0]["value"], group);
    EXPECT_EQ(got->body["groups"][0]["display"], "Admins");
    EXPECT_EQ(got->body["groups"][0]["type"], "direct");
    EXPECT_EQ(got->body["groups"][0]["$ref"], "https://scim.example.test/scim/v2/Groups/" + group);
}

TEST_F(ResourceServiceTest, ExcludedMembersNeverReadsMembershipTable) {
    const std::string group = CreateGroup("Admins", {CreateUser("alice")});
    EXPECT_CALL(store_, Members(_, _)).Times(0);
    Query query;
    query.excluded_attributes = "members";
    auto got = service_->Get(ctx_, "Group", group, query, Preconditions{});
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->body.contains("members"));
    EXPECT_EQ(got->body["displayName"], "Admins");

    auto listed = service_->List(ctx_, "Group", query);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->body["totalResults"], 1);
}

TEST_F(ResourceServiceTest, AttributesWithoutGroupsNeverReadsGroupsOf) {
    const std::string alice = CreateUser("alice");
    EXPECT_CALL(store_, GroupsOf(_, _)).Times(0);
    Query query;
    query.attributes = "userName";
    auto got = service_->Get(ctx_, "User", alice, query, Preconditions{});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->body["userName"], "alice");
    EXPECT_EQ(got->body["id"], alice);
    EXPECT_FALSE(got->body.contains("active"));
}

TEST_F(ResourceServiceTest, GetReturningGroupsReadsTheUserAndItsGroupsInOneStoreCall) {
    const std::string alice = CreateUser("alice");
    auto group = service_->Create(ctx_, "Group",
                                  {{"schemas", {schemas::kGroupSchema}},
                                   {"displayName", "Admins"},
                                   {"members", {{{"value", alice}}}}},
                                  Query{});
    ASSERT_TRUE(group.ok()) << group.error().detail;
    EXPECT_CALL(store_, GetWithGroups(_, "User", alice)).Times(1);
    auto got = service_->Get(ctx_, "User", alice, Query{}, Preconditions{});
    ASSERT_TRUE(got.ok()) << got.error().detail;
    ASSERT_EQ(got->body["groups"].size(), 1u);
    EXPECT_EQ(got->body["groups"][0]["value"], group->body["id"]);
    EXPECT_EQ(got->body["groups"][0]["display"], "Admins");
    EXPECT_EQ(got->body["groups"][0]["type"], "direct");
}

TEST_F(ResourceServiceTest, GetExcludingGroupsReadsOnlyTheRow) {
    const std::string alice = CreateUser("alice");
    EXPECT_CALL(store_, GetWithGroups(_, _, _)).Times(0);
    EXPECT_CALL(store_, GroupsOf(_, _)).Times(0);
    Query query;
    query.excluded_attributes = "groups";
    auto got = service_->Get(ctx_, "User", alice, query, Preconditions{});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->body["userName"], "alice");
}

TEST_F(ResourceServiceTest, GetWithCurrentEtagIs304WithoutBody) {
    const std::string id = CreateUser("bjensen");
    Preconditions pre;
    pre.if_none_match = "W/\"1\"";
    auto got = service_->Get(ctx_, "User", id, Query{}, pre);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->status, 304);
    EXPECT_TRUE(got->body.is_null());
    EXPECT_EQ(got->etag, "W/\"1\"");

    pre.if_none_match = "W/\"0\"";
    got = service_->Get(ctx_, "User", id, Query{}, pre);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->status, 200);
}

TEST_F(ResourceServiceTest, GetOfAnotherOrgsResourceIs404) {
    const std::string id = CreateUser("bjensen");
    RequestContext other = ctx_;
    other.principal.org_id = "org-2";
    auto got = service_->Get(other, "User", id, Query{}, Preconditions{});
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().status, 404);
}

TEST_F(ResourceServiceTest, ReplaceBumpsVersionAndIgnoresIdAndMeta) {
    const std::string id = CreateUser("bjensen");
    now_ += std::chrono::minutes(1);
    auto replaced = service_->Replace(ctx_, "User", id,
                                      {{"schemas", {schemas::kUserSchema}},
                                       {"id", "forged"},
                                       {"meta", {{"version", "W/\"99\""}}},
                                       {"userName", "bjensen"},
                                       {"displayName", "Barbara"}},
                                      Query{}, Preconditions{});
    ASSERT_TRUE(replaced.ok()) << replaced.error().detail;
    EXPECT_EQ(replaced->status, 200);
    EXPECT_EQ(replaced->etag, "W/\"2\"");
    EXPECT_EQ(replaced->body["id"], id);
    EXPECT_EQ(replaced->body["displayName"], "Barbara");
    EXPECT_EQ(replaced->body["meta"]["created"], "2027-01-15T08:00:00.000Z");
    EXPECT_EQ(replaced->body["meta"]["lastModified"], "2027-01-15T08:01:00.000Z");
    EXPECT_EQ(store_.fake().events().back().action, "user.replaced");
}

TEST_F(ResourceServiceTest, ReplaceWithStaleIfMatchIs412) {
    const std::string id = CreateUser("bjensen");
    Preconditions pre;
    pre.if_match = "W/\"7\"";
    auto replaced = service_->Replace(
        ctx_, "User", id, {{"schemas", {schemas::kUserSchema}}, {"userName", "x"}}, Query{}, pre);
    ASSERT_FALSE(replaced.ok());
    EXPECT_EQ(replaced.error().status, 412);
    EXPECT_EQ(store_.fake().events().size(), 1u);
}

TEST_F(ResourceServiceTest, ReplaceOfGroupReplacesMembersAndNotesRename) {
    const std::string alice = CreateUser("alice");
    const std::string bob = CreateUser("bob");
    const std::string group = CreateGroup("Admins", {alice});
    auto replaced = service_->Replace(ctx_, "Group", group,
                                      {{"schemas", {schemas::kGroupSchema}},
                                       {"displayName", "Operators"},
                                       {"members", {{{"value", bob}}}}},
                                      Query{}, Preconditions{});
    ASSERT_TRUE(replaced.ok()) << replaced.error().detail;
    EXPECT_THAT(store_.fake().MemberIds("org-1", group), ::testing::ElementsAre(bob));
    const AuditEvent event = store_.fake().events().back();
    EXPECT_EQ(event.action, "group.replaced");
    EXPECT_EQ(event.details["renamed"], true);
}

TEST_F(ResourceServiceTest, ReplaceOfGroupWithoutMembersKeepsThem) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins", {alice});
    auto replaced = service_->Replace(
        ctx_, "Group", group, {{"schemas", {schemas::kGroupSchema}}, {"displayName", "Admins"}},
        Query{}, Preconditions{});
    ASSERT_TRUE(replaced.ok()) << replaced.error().detail;
    EXPECT_THAT(store_.fake().MemberIds("org-1", group), ::testing::ElementsAre(alice));
}

TEST_F(ResourceServiceTest, ReplaceRetriesOnceAfterVersionConflict) {
    const std::string id = CreateUser("bjensen");
    EXPECT_CALL(store_, Update(_, _, _, _, _, _))
        .WillOnce(Return(Error::PreconditionFailed("version mismatch")))
        .WillRepeatedly([this](auto&&... args) { return store_.fake().Update(args...); });
    auto replaced = service_->Replace(
        ctx_, "User", id, {{"schemas", {schemas::kUserSchema}}, {"userName", "bjensen2"}}, Query{},
        Preconditions{});
    ASSERT_TRUE(replaced.ok()) << replaced.error().detail;
    EXPECT_EQ(replaced->body["userName"], "bjensen2");
}

TEST_F(ResourceServiceTest, ConflictWithIfMatchIsNotRetried) {
    const std::string id = CreateUser("bjensen");
    EXPECT_CALL(store_, Update(_, _, _, _, _, _))
        .WillOnce(Return(Error::PreconditionFailed("version mismatch")));
    Preconditions pre;
    pre.if_match = "W/\"1\"";
    auto replaced = service_->Replace(
        ctx_, "User", id, {{"schemas", {schemas::kUserSchema}}, {"userName", "b"}}, Query{}, pre);
    ASSERT_FALSE(replaced.ok());
    EXPECT_EQ(replaced.error().status, 412);
}

TEST_F(ResourceServiceTest, RetriesAreBoundedAndEndIn409) {
    const std::string id = CreateUser("bjensen");
    EXPECT_CALL(store_, Update(_, _, _, _, _, _))
        .Times(4)  // the first attempt plus max_write_retries (3)
        .WillRepeatedly(Return(Error::PreconditionFailed("version mismatch")));
    auto patched = service_->Patch(
        ctx_, "User", id, PatchBody({{{"op", "replace"}, {"path", "displayName"}, {"value", "B"}}}),
        Query{}, Preconditions{});
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().status, 409);
}

TEST_F(ResourceServiceTest, PatchReappliesOnFreshDocumentAfterConflict) {
    const std::string id = CreateUser("bjensen");
    // A concurrent writer changes the title between our read and our write.
    EXPECT_CALL(store_, Update(_, _, _, _, _, _))
        .WillOnce([this, id](auto&&...) -> Result<StoredResource> {
            auto current = store_.fake().Get("org-1", "User", id);
            StoredResource next = *current;
            next.doc["title"] = "Engineer";
            auto written =
                store_.fake().Update(ctx_, "User", next, current->version, MemberChanges{},
                                     AuditEvent{"user.patched", "User", id, {}});
            EXPECT_TRUE(written.ok());
            return Error::PreconditionFailed("version mismatch");
        })
        .WillRepeatedly([this](auto&&... args) { return store_.fake().Update(args...); });
    auto patched = service_->Patch(
        ctx_, "User", id,
        PatchBody({{{"op", "replace"}, {"path", "displayName"}, {"value", "Babs"}}}), Query{},
        Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->body["displayName"], "Babs");
    EXPECT_EQ(patched->body["title"], "Engineer");
    EXPECT_EQ(patched->etag, "W/\"3\"");
}

TEST_F(ResourceServiceTest, PatchReturns200WithProjectedResource) {
    const std::string id = CreateUser("bjensen");
    Query query;
    query.attributes = "displayName";
    auto patched = service_->Patch(
        ctx_, "User", id, PatchBody({{{"op", "add"}, {"path", "displayName"}, {"value", "Babs"}}}),
        query, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 200);
    EXPECT_EQ(patched->body["displayName"], "Babs");
    EXPECT_FALSE(patched->body.contains("userName"));
    EXPECT_EQ(store_.fake().events().back().action, "user.patched");
}

TEST_F(ResourceServiceTest, PatchSchemaErrorNamesTheOperationThatCausedIt) {
    const std::string id = CreateUser("bjensen");
    struct Case {
        nlohmann::json operations;
        const char* detail;
    };
    const Case cases[] = {
        {{{{"op", "replace"}, {"path", "title"}, {"value", "Boss"}},
          {{"op", "replace"}, {"path", "displayName"}, {"value", "B"}},
          {{"op", "replace"}, {"path", "active"}, {"value", "perhaps"}}},
         "Operations[2]: active must be a boolean"},
        {{{{"op", "remove"}, {"path", "userName"}},
          {{"op", "replace"}, {"path", "title"}, {"value", "Boss"}}},
         "Operations[0]: userName is required"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.detail);
        auto patched =
            service_->Patch(ctx_, "User", id, PatchBody(c.operations), Query{}, Preconditions{});
        ASSERT_FALSE(patched.ok());
        EXPECT_EQ(patched.error().scim_type, ScimType::kInvalidValue);
        EXPECT_EQ(patched.error().detail, c.detail);
    }
}

TEST_F(ResourceServiceTest, PatchThatChangesNothingKeepsVersion) {
    const std::string id = CreateUser("bjensen");
    auto patched = service_->Patch(
        ctx_, "User", id,
        PatchBody({{{"op", "replace"}, {"path", "userName"}, {"value", "bjensen"}}}), Query{},
        Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->etag, "W/\"1\"");
    EXPECT_EQ(store_.fake().events().size(), 1u);
}

TEST_F(ResourceServiceTest, PatchDeactivationIsAudited) {
    const std::string id = CreateUser("bjensen", true);
    // Entra sends booleans as strings.
    auto patched = service_->Patch(
        ctx_, "User", id, PatchBody({{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}}),
        Query{}, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->body["active"], false);
    EXPECT_EQ(store_.fake().events().back().action, "user.deactivated");
}

TEST_F(ResourceServiceTest, PatchMembersProducesMembershipEvents) {
    const std::string alice = CreateUser("alice");
    const std::string bob = CreateUser("bob");
    const std::string group = CreateGroup("Admins", {alice});

    auto added = service_->Patch(
        ctx_, "Group", group,
        PatchBody({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", bob}}}}}}), Query{},
        Preconditions{});
    ASSERT_TRUE(added.ok()) << added.error().detail;
    EXPECT_EQ(store_.fake().events().back().action, "group.members_added");
    EXPECT_EQ(store_.fake().events().back().details["members_added"], 1);

    auto removed = service_->Patch(
        ctx_, "Group", group,
        PatchBody({{{"op", "remove"}, {"path", "members[value eq \"" + alice + "\"]"}}}), Query{},
        Preconditions{});
    ASSERT_TRUE(removed.ok()) << removed.error().detail;
    EXPECT_EQ(store_.fake().events().back().action, "group.members_removed");
    EXPECT_THAT(store_.fake().MemberIds("org-1", group), ::testing::ElementsAre(bob));

    auto renamed =
        service_->Patch(ctx_, "Group", group,
                        PatchBody({{{"op", "replace"}, {"path", "displayName"}, {"value", "Ops"}}}),
                        Query{}, Preconditions{});
    ASSERT_TRUE(renamed.ok()) << renamed.error().detail;
    EXPECT_EQ(store_.fake().events().back().action, "group.renamed");
}

TEST_F(ResourceServiceTest, PatchWithStaleIfMatchIs412AndWritesNothing) {
    const std::string id = CreateUser("bjensen");
    Preconditions pre;
    pre.if_match = "W/\"2\"";
    EXPECT_CALL(store_, Update(_, _, _, _, _, _)).Times(0);
    auto patched = service_->Patch(ctx_, "User", id,
                                   PatchBody({{{"op", "add"}, {"path", "title"}, {"value", "x"}}}),
                                   Query{}, pre);
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().status, 412);
}

TEST_F(ResourceServiceTest, MalformedPatchIs400) {
    const std::string id = CreateUser("bjensen");
    for (const nlohmann::json& body :
         {nlohmann::json::object(), nlohmann::json{{"Operations", "x"}},
          PatchBody({{{"op", "explode"}, {"path", "title"}}}),
          PatchBody({{{"op", "add"}, {"path", "title[[["}, {"value", "x"}}})}) {
        auto patched = service_->Patch(ctx_, "User", id, body, Query{}, Preconditions{});
        ASSERT_FALSE(patched.ok()) << body;
        EXPECT_EQ(patched.error().status, 400) << body;
    }
}

TEST_F(ResourceServiceTest, DeleteIs204AndAudited) {
    const std::string id = CreateUser("bjensen");
    auto deleted = service_->Delete(ctx_, "User", id, Preconditions{});
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(deleted->status, 204);
    EXPECT_TRUE(deleted->body.is_null());
    EXPECT_EQ(store_.fake().events().back().action, "user.deleted");
    EXPECT_EQ(store_.fake().events().back().target_id, id);
    auto again = service_->Delete(ctx_, "User", id, Preconditions{});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().status, 404);
}

TEST_F(ResourceServiceTest, DeleteHonoursIfMatch) {
    const std::string id = CreateUser("bjensen");
    Preconditions stale;
    stale.if_match = "W/\"5\"";
    auto refused = service_->Delete(ctx_, "User", id, stale);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 412);

    Preconditions current;
    current.if_match = "W/\"1\"";
    EXPECT_CALL(store_, Delete(_, _, _, std::optional<std::int64_t>(1), _));
    EXPECT_TRUE(service_->Delete(ctx_, "User", id, current).ok());
}

TEST_F(ResourceServiceTest, DeletingAUserDropsItFromGroups) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins", {alice});
    ASSERT_TRUE(service_->Delete(ctx_, "User", alice, Preconditions{}).ok());
    auto got = service_->Get(ctx_, "Group", group, Query{}, Preconditions{});
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->body.contains("members"));
}

}  // namespace
}  // namespace scim::service::testing

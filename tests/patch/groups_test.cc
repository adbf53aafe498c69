#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

class PatchGroupTest : public PatchTest {
protected:
    static Result<PatchResult> RunGroup(std::string_view operations) {
        return Run(Group(), json::parse(operations), schemas::kGroupResource);
    }

    static std::vector<std::string> AddedIds(const MemberChanges& changes) {
        std::vector<std::string> ids;
        for (const auto& member : changes.add) {
            ids.push_back(member.id);
        }
        return ids;
    }
};

using Ids = std::vector<std::string>;

TEST_F(PatchGroupTest, AddedMembersBecomeMemberChangesNotDocumentChanges) {
    auto result = RunGroup(R"([{"op":"add","path":"members",
        "value":[{"value":"u1","type":"User"},{"value":"g2","type":"group"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc, Group());
    EXPECT_TRUE(result->changed);
    EXPECT_FALSE(result->members.replace_all);
    ASSERT_EQ(result->members.add.size(), 2u);
    EXPECT_EQ(result->members.add[0].type, "User");
    EXPECT_EQ(result->members.add[1].type, "Group");
}

TEST_F(PatchGroupTest, MemberWithoutTypeLeavesItEmpty) {
    auto result = RunGroup(R"([{"op":"add","path":"members","value":{"value":"u1"}}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    ASSERT_EQ(result->members.add.size(), 1u);
    EXPECT_TRUE(result->members.add[0].type.empty());
}

TEST_F(PatchGroupTest, RemovingAnAbsentMemberByFilterIsIdempotent) {
    auto result = RunGroup(R"([{"op":"remove","path":"members[value eq \"never-a-member\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->members.remove, Ids{"never-a-member"});
}

TEST_F(PatchGroupTest, FilterWithOrRemovesEveryNamedMember) {
    auto result = RunGroup(R"([{"op":"remove",
        "path":"members[value eq \"u1\" or value eq \"u2\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->members.remove, (Ids{"u1", "u2"}));
}

TEST_F(PatchGroupTest, RemoveWithValueListRemovesExactlyThoseMembers) {
    auto result = RunGroup(R"([{"op":"remove","path":"members",
        "value":[{"value":"u1"},{"value":"u2"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->members.replace_all);
    EXPECT_EQ(result->members.remove, (Ids{"u1", "u2"}));
}

TEST_F(PatchGroupTest, RemoveWithoutValueRemovesAllMembers) {
    auto result = RunGroup(R"([{"op":"remove","path":"members"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.replace_all);
    EXPECT_TRUE(result->members.add.empty());
}

TEST_F(PatchGroupTest, ReplaceSetsTheWholeMemberList) {
    auto result = RunGroup(R"([
        {"op":"add","path":"members","value":[{"value":"u0"}]},
        {"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.replace_all);
    EXPECT_EQ(AddedIds(result->members), (Ids{"u1", "u2"}));
    EXPECT_TRUE(result->members.remove.empty());
}

TEST_F(PatchGroupTest, ReplaceWithEmptyListRemovesAllMembers) {
    auto result = RunGroup(R"([{"op":"replace","path":"members","value":[]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.replace_all);
    EXPECT_TRUE(result->members.add.empty());
}

TEST_F(PatchGroupTest, LaterOperationsOnTheSameMemberWin) {
    auto result = RunGroup(R"([
        {"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
        {"op":"remove","path":"members[value eq \"u1\"]"},
        {"op":"remove","path":"members","value":[{"value":"u3"}]},
        {"op":"add","path":"members","value":[{"value":"u3"},{"value":"u2"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(AddedIds(result->members), (Ids{"u2", "u3"}));
    EXPECT_EQ(result->members.remove, Ids{"u1"});
}

TEST_F(PatchGroupTest, RemoveAfterReplaceOnlyShrinksTheNewList) {
    auto result = RunGroup(R"([
        {"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
        {"op":"remove","path":"members[value eq \"u1\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.replace_all);
    EXPECT_EQ(AddedIds(result->members), Ids{"u2"});
    EXPECT_TRUE(result->members.remove.empty());
}

TEST_F(PatchGroupTest, PathlessValueWithMembersAndDisplayName) {
    auto result = RunGroup(R"([{"op":"add","value":{
        "displayName":"Museum Guides","members":[{"value":"u9"}]}}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["displayName"], "Museum Guides");
    EXPECT_FALSE(result->doc.contains("members"));
    EXPECT_EQ(AddedIds(result->members), Ids{"u9"});
}

// RFC 7643 §4.2 defines a member as a complex value with `value`; a bare id string (which one
// public test suite sends) is refused rather than guessed at.
TEST_F(PatchGroupTest, MalformedMembersAreInvalidValue) {
    for (const char* operations : {
             R"([{"op":"add","path":"members","value":[{"display":"no id"}]}])",
             R"([{"op":"add","path":"members","value":["u1"]}])",
             R"([{"op":"add","path":"members","value":"u1"}])",
             R"([{"op":"add","path":"members","value":[{"value":""}]}])",
             R"([{"op":"add","path":"members","value":[{"value":7}]}])",
             R"([{"op":"add","path":"members","value":[{"value":"u1","type":"Robot"}]}])",
             R"([{"op":"remove","path":"members","value":["u1"]}])",
         }) {
        SCOPED_TRACE(operations);
        ExpectError(RunGroup(operations), ScimType::kInvalidValue, "Operations[0]: members: ");
    }
}

// Without a way to read the members (the engine alone), a filter that is more than a list of
// ids cannot be evaluated; the service always passes one (member_filter_test.cc).
TEST_F(PatchGroupTest, MemberFiltersNeedingTheMemberListAreInvalidPathWithoutALoader) {
    ExpectError(RunGroup(R"([{"op":"remove","path":"members[type eq \"Group\"]"}])"),
                ScimType::kInvalidPath, "Operations[0]: members: ");
    ExpectError(RunGroup(R"([{"op":"remove","path":"members[value co \"u\"]"}])"),
                ScimType::kInvalidPath, "Operations[0]: members: ");
}

TEST_F(PatchGroupTest, MemberSubAttributePathsAreRefused) {
    ExpectError(RunGroup(R"([{"op":"replace","path":"members[value eq \"u1\"].type",
        "value":"Group"}])"),
                ScimType::kInvalidPath, "Operations[0]: members: ");
    ExpectError(RunGroup(R"([{"op":"replace","path":"members[value eq \"u1\"].display",
        "value":"x"}])"),
                ScimType::kMutability, "Operations[0]: members.display");
}

TEST_F(PatchGroupTest, GroupWithoutMemberChangesIsUnchanged) {
    auto result = RunGroup(R"([{"op":"replace","path":"displayName","value":"Tour Guides"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->changed);
    EXPECT_TRUE(result->members.empty());
}

}  // namespace
}  // namespace scim::patch::testing

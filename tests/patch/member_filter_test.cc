#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;
using Ids = std::vector<std::string>;

// Filters on `members` other than `value eq` terms (RFC 7644 §3.5.2.2, §3.5.2.3), evaluated
// against the stored members that a loader returns, the way the service reads them.
class MemberFilterTest : public PatchTest {
protected:
    static std::vector<json> StoredMembers() {
        return {
            {{"value", "u1"},
             {"type", "User"},
             {"display", "alice"},
             {"$ref", "https://scim.example/v2/Users/u1"}},
            {{"value", "u2"},
             {"type", "User"},
             {"display", "bob"},
             {"$ref", "https://scim.example/v2/Users/u2"}},
            {{"value", "g7"},
             {"type", "Group"},
             {"display", "Admins"},
             {"$ref", "https://scim.example/v2/Groups/g7"}},
        };
    }

    // Applies `operations` to the sample group whose stored members are StoredMembers(),
    // counting the loader's calls in `loads_`.
    Result<PatchResult> RunWithMembers(std::string_view operations) {
        loads_ = 0;
        const schemas::ResourceType* type = registry_->FindResourceType(schemas::kGroupResource);
        EXPECT_NE(type, nullptr);
        MemberLoader loader = [this]() -> Result<std::vector<json>> {
            ++loads_;
            return StoredMembers();
        };
        return Apply(*registry_, *type, Group(), Body(json::parse(operations)), loader);
    }

    int loads_ = 0;
};

struct FilterCase {
    const char* filter;
    Ids removed;
};

TEST_F(MemberFilterTest, RemoveSelectsMembersByAnySubAttribute) {
    const FilterCase cases[] = {
        {R"(type eq \"Group\")", {"g7"}},
        {R"(type eq \"User\")", {"u1", "u2"}},
        {R"(display co \"li\")", {"u1"}},
        {R"(display sw \"ADM\")", {"g7"}},
        {R"($ref ew \"/Users/u2\")", {"u2"}},
        {R"(value eq \"u1\" and type eq \"User\")", {"u1"}},
        {R"(value eq \"u1\" and type eq \"Group\")", {}},
        {R"(type eq \"Group\" or display eq \"bob\")", {"u2", "g7"}},
        {R"(not (type eq \"User\"))", {"g7"}},
        {R"(display pr)", {"u1", "u2", "g7"}},
        {R"(display eq \"nobody\")", {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.filter);
        auto result = RunWithMembers(std::string(R"([{"op":"remove","path":"members[)") + c.filter +
                                     R"(]"}])");
        ASSERT_TRUE(result.ok()) << result.error().detail;
        EXPECT_EQ(result->members.remove, c.removed);
        EXPECT_TRUE(result->members.add.empty());
        EXPECT_EQ(loads_, 1);
    }
}

TEST_F(MemberFilterTest, ValueEqualityFiltersDoNotReadTheMembers) {
    auto result = RunWithMembers(R"([
        {"op":"remove","path":"members[value eq \"u1\" or value eq \"u9\"]"},
        {"op":"add","path":"members","value":[{"value":"u3"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->members.remove, (Ids{"u1", "u9"}));
    EXPECT_EQ(loads_, 0);
}

TEST_F(MemberFilterTest, MembersAreReadOnceForSeveralFilters) {
    auto result = RunWithMembers(R"([
        {"op":"remove","path":"members[type eq \"Group\"]"},
        {"op":"remove","path":"members[display eq \"bob\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->members.remove, (Ids{"g7", "u2"}));
    EXPECT_EQ(loads_, 1);
}

// Operations apply in order (RFC 7644 §3.5.2), so a filter sees members added earlier in the
// request and no longer sees members removed earlier.
TEST_F(MemberFilterTest, FilterSeesEarlierOperationsOfTheSameRequest) {
    auto result = RunWithMembers(R"([
        {"op":"add","path":"members","value":[{"value":"g8","type":"Group"}]},
        {"op":"remove","path":"members[value eq \"g7\"]"},
        {"op":"remove","path":"members[type eq \"Group\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.add.empty());
    EXPECT_EQ(result->members.remove, (Ids{"g7", "g8"}));
}

TEST_F(MemberFilterTest, FilterAfterReplaceSeesOnlyTheNewList) {
    auto result = RunWithMembers(R"([
        {"op":"replace","path":"members","value":[{"value":"u5","type":"User"},
                                                  {"value":"g9","type":"Group"}]},
        {"op":"remove","path":"members[type eq \"User\"]"}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_TRUE(result->members.replace_all);
    ASSERT_EQ(result->members.add.size(), 1u);
    EXPECT_EQ(result->members.add[0].id, "g9");
}

// RFC 7644 §3.5.2.3: replace on a filtered members path swaps the matching members for the
// given value.
TEST_F(MemberFilterTest, ReplaceSwapsTheMatchingMembersForTheValue) {
    auto result = RunWithMembers(R"([{"op":"replace","path":"members[type eq \"Group\"]",
        "value":[{"value":"g8","type":"Group"}]}])");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->members.remove, Ids{"g7"});
    ASSERT_EQ(result->members.add.size(), 1u);
    EXPECT_EQ(result->members.add[0].id, "g8");
}

TEST_F(MemberFilterTest, LoaderErrorsAreReturned) {
    const schemas::ResourceType* type = registry_->FindResourceType(schemas::kGroupResource);
    ASSERT_NE(type, nullptr);
    MemberLoader failing = []() -> Result<std::vector<json>> {
        return Error::Unavailable("database unavailable");
    };
    auto result = Apply(
        *registry_, *type, Group(),
        Body(json::parse(R"([{"op":"remove","path":"members[type eq \"User\"]"}])")), failing);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 503);
}

TEST_F(MemberFilterTest, FiltersOnUnknownSubAttributesAreInvalidPath) {
    ExpectError(RunWithMembers(R"([{"op":"remove","path":"members[colour eq \"red\"]"}])"),
                ScimType::kInvalidPath, "Operations[0]: ");
}

}  // namespace
}  // namespace scim::patch::testing

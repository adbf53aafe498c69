#include "service_fixture.h"

namespace scim::service::testing {
namespace {

using ::testing::_;

class PatchResponseTest : public ServiceTest {
protected:
    nlohmann::json AddMember(const std::string& member) {
        return {{"schemas", {schemas::kPatchOpSchema}},
                {"Operations",
                 {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", member}}}}}}}};
    }
};

// RFC 7644 §3.5.2: a Group PATCH without `attributes` answers 204, so adding one member never
// renders (or reads) the whole member list.
TEST_F(PatchResponseTest, GroupPatchWithoutAttributesIs204AndReadsNoMembers) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    EXPECT_CALL(store_, Members(_, _)).Times(0);

    auto patched =
        service_->Patch(ctx_, "Group", group, AddMember(alice), Query{}, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 204);
    EXPECT_TRUE(patched->body.is_null());
    EXPECT_EQ(patched->etag, "W/\"2\"");
}

TEST_F(PatchResponseTest, GroupPatchAskingForAttributesIs200WithThem) {
    const std::string alice = CreateUser("alice");
    const std::string group = CreateGroup("Admins");
    Query query;
    query.attributes = "displayName";

    auto patched = service_->Patch(ctx_, "Group", group, AddMember(alice), query, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 200);
    EXPECT_EQ(patched->body["displayName"], "Admins");
    EXPECT_FALSE(patched->body.contains("members"));
}

TEST_F(PatchResponseTest, UserPatchIs200WithTheResource) {
    const std::string alice = CreateUser("alice");
    const nlohmann::json body = {
        {"schemas", {schemas::kPatchOpSchema}},
        {"Operations", {{{"op", "replace"}, {"path", "title"}, {"value", "Engineer"}}}}};

    auto patched = service_->Patch(ctx_, "User", alice, body, Query{}, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->status, 200);
    EXPECT_EQ(patched->body["title"], "Engineer");
}

}  // namespace
}  // namespace scim::service::testing

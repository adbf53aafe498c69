// PATCH output goes through schema validation before it is stored; these cases check that the
// identity providers' request shapes come out of both as the document the store should keep.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"
#include "schemas/validate.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

class PatchThenValidateTest : public PatchTest {
protected:
    static json Stored(const json& doc, const json& operations) {
        const auto* type = registry_->FindResourceType(schemas::kUserResource);
        auto patched = Run(doc, operations);
        EXPECT_TRUE(patched.ok()) << patched.error().detail;
        if (!patched.ok()) {
            return nullptr;
        }
        auto valid =
            schemas::Validate(*registry_, *type, patched->doc, schemas::WriteMode::kPatch, &doc);
        EXPECT_TRUE(valid.ok()) << valid.error().detail;
        return valid.ok() ? valid->doc : json();
    }
};

TEST_F(PatchThenValidateTest, EntraUserUpdateIsStoredInCanonicalForm) {
    json user = User();
    user.erase("emails");
    json doc = Stored(user, json::parse(R"([
        {"op":"Replace","path":"active","value":"False"},
        {"op":"Add","path":"emails[type eq \"work\"].value","value":"b@work.example"},
        {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
         "value":"mgr-7"},
        {"op":"Replace","value":{
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Tours"}}])"));
    EXPECT_EQ(doc["active"], false);
    EXPECT_EQ(doc["emails"], json::parse(R"([{"type":"work","value":"b@work.example"}])"));
    EXPECT_EQ(doc[kEnterprise],
              json::parse(R"({"department":"Tours","manager":{"value":"mgr-7"}})"));
    EXPECT_EQ(doc["schemas"], json::array({schemas::kUserSchema, schemas::kEnterpriseUserSchema}));
    EXPECT_EQ(doc["id"], "u1");
}

TEST_F(PatchThenValidateTest, OktaDeactivationKeepsEverythingElse) {
    json doc = Stored(User(), json::parse(R"([{"op":"replace","value":{"active":false}}])"));
    json expected = User();
    expected["active"] = false;
    EXPECT_EQ(doc, expected);
}

}  // namespace
}  // namespace scim::patch::testing

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "patch/patch_fixture.h"

namespace scim::patch::testing {
namespace {

using nlohmann::json;

TEST(PatchRequestTest, ParsesOperationsInOrder) {
    auto parsed = ParseRequest(json::parse(R"({
        "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations":[
            {"op":"add","path":"title","value":"Guide"},
            {"op":"Replace","value":{"active":false}},
            {"op":"REMOVE","path":"nickName"}]})"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
    ASSERT_EQ(parsed->size(), 3u);
    EXPECT_EQ((*parsed)[0].op, PatchOp::kAdd);
    EXPECT_EQ((*parsed)[0].path, "title");
    EXPECT_EQ((*parsed)[1].op, PatchOp::kReplace);
    EXPECT_FALSE((*parsed)[1].path.has_value());
    EXPECT_EQ((*parsed)[2].op, PatchOp::kRemove);
    EXPECT_FALSE((*parsed)[2].value.has_value());
}

struct InvalidRequest {
    const char* body;
    const char* detail_prefix;
};

TEST(PatchRequestTest, RejectsMalformedRequestsAsInvalidSyntax) {
    const InvalidRequest cases[] = {
        {R"([])", "a PATCH body"},
        {R"({"Operations":[{"op":"add","path":"title","value":"x"}]})", "schemas must list"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
             "Operations":[{"op":"add","path":"title","value":"x"}]})",
         "schemas must list"},
        {R"({"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp",
             "Operations":[{"op":"add","path":"title","value":"x"}]})",
         "schemas must list"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})", "Operations must"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]})",
         "Operations must"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{}})",
         "Operations must"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":["add"]})",
         "Operations[0]: "},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"path":"title","value":"x"}]})",
         "Operations[0]: op must"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"add","path":"title","value":"x"},{"op":"merge","path":"t"}]})",
         "Operations[1]: unknown op"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","path":"title"}]})",
         "Operations[0]: replace needs a value"},
        {R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"add","path":7,"value":"x"}]})",
         "Operations[0]: path must"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        auto parsed = ParseRequest(json::parse(c.body));
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().status, 400);
        EXPECT_EQ(parsed.error().scim_type, ScimType::kInvalidSyntax);
        EXPECT_EQ(parsed.error().detail.rfind(c.detail_prefix, 0), 0u) << parsed.error().detail;
    }
}

TEST(PatchRequestTest, OpNamesHaveOneWireSpelling) {
    EXPECT_EQ(PatchOpName(PatchOp::kAdd), "add");
    EXPECT_EQ(PatchOpName(PatchOp::kReplace), "replace");
    EXPECT_EQ(PatchOpName(PatchOp::kRemove), "remove");
}

using PatchApplyRequestTest = PatchTest;

TEST_F(PatchApplyRequestTest, ApplyRejectsAMalformedBodyBeforeTouchingTheDocument) {
    auto result = RunBody(User(), json::parse(R"({"Operations":[]})"));
    ExpectError(result, ScimType::kInvalidSyntax, "schemas must list");
}

TEST_F(PatchApplyRequestTest, EmptyPathIsInvalidPath) {
    ExpectError(Run(User(), json::parse(R"([{"op":"add","path":"","value":"x"}])")),
                ScimType::kInvalidPath, "Operations[0]: ");
}

}  // namespace
}  // namespace scim::patch::testing

namespace scim::patch::testing {
namespace {

// Every combination of op, path and value shape either applies or fails with a 400: none may
// throw or end in a 500, whatever the client sends.
TEST_F(PatchApplyRequestTest, OddCombinationsAnswerWithA400AtWorst) {
    const char* paths[] = {"userName",
                           "name",
                           "name.givenName",
                           "emails",
                           "emails.value",
                           "emails[type eq \"work\"]",
                           "emails[type eq \"work\"].value",
                           "emails[value pr]",
                           "active",
                           "x509Certificates[value eq \"a\"]",
                           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                           "urn:ietf:params:scim:schemas:core:2.0:User",
                           "[",
                           "]",
                           ".",
                           "a..b",
                           "emails[type eq \"work\"]]",
                           "\xff\xfe"};
    const json values[] = {json(),
                           json("s"),
                           json(1.5),
                           json(true),
                           json::array(),
                           json::object(),
                           json::array({1, "a", nullptr, json::object()}),
                           json{{"value", "v"}, {"type", nullptr}},
                           json{{"Value", {1, 2}}}};
    json user = User();
    user["emails"].push_back("bare@example.com");
    for (const char* op : {"add", "replace", "remove"}) {
        for (const char* path : paths) {
            for (const json& value : values) {
                const json operations =
                    json::array({{{"op", op}, {"path", path}, {"value", value}}});
                SCOPED_TRACE(operations.dump(-1, ' ', false, json::error_handler_t::replace));
                auto result = Run(user, operations);
                if (!result.ok()) {
                    EXPECT_EQ(result.error().status, 400) << result.error().internal;
                }
            }
        }
        auto pathless = Run(user, json::array({{{"op", op}, {"value", values[7]}}}));
        EXPECT_TRUE(pathless.ok() || pathless.error().status == 400);
    }
}

}  // namespace
}  // namespace scim::patch::testing

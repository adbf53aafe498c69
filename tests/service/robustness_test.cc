#include "service_fixture.h"

namespace scim::service::testing {
namespace {

// Malformed input of every shape must come back as a 4xx, never as a 500 or a crash.
class RobustnessTest : public ServiceTest {
protected:
    static std::vector<nlohmann::json> OddValues() {
        return {nullptr,
                true,
                -1,
                1.5e300,
                "",
                "\xc3\x28",
                nlohmann::json::array(),
                nlohmann::json::object(),
                nlohmann::json::array({nullptr, 1, "x", {{"a", 1}}}),
                {{"value", nullptr}},
                {{"nested", {{"deeper", {{"deepest", nlohmann::json::array()}}}}}}};
    }

    static std::string Show(const nlohmann::json& value) {
        return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }

    static void ExpectClientError(const Result<Response>& result, const std::string& what) {
        if (!result.ok()) {
            EXPECT_GE(result.error().status, 400) << what;
            EXPECT_LT(result.error().status, 500) << what << ": " << result.error().internal;
        }
    }
};

TEST_F(RobustnessTest, OddWriteBodiesAreClientErrors) {
    const std::string user = CreateUser("bjensen");
    const std::string group = CreateGroup("Admins", {user});
    const std::vector<std::string> keys = {"schemas", "userName", "displayName", "members",
                                           "emails",  "name",     "active",      "Operations"};
    for (const auto& value : OddValues()) {
        ExpectClientError(service_->Create(ctx_, "User", value, Query{}), Show(value));
        ExpectClientError(service_->Patch(ctx_, "Group", group, value, Query{}, Preconditions{}),
                          Show(value));
        ExpectClientError(service_->Search(ctx_, std::nullopt, value), Show(value));
        for (const auto& key : keys) {
            nlohmann::json body = {{"schemas", {schemas::kGroupSchema}}, {"displayName", "G"}};
            body[key] = value;
            const std::string what = key + "=" + Show(value);
            ExpectClientError(service_->Create(ctx_, "Group", body, Query{}), what);
            ExpectClientError(
                service_->Replace(ctx_, "Group", group, body, Query{}, Preconditions{}), what);
            ExpectClientError(
                service_->Patch(ctx_, "User", user,
                                PatchBody({{{"op", "add"}, {"path", key}, {"value", value}}}),
                                Query{}, Preconditions{}),
                what);
            nlohmann::json search = {{"schemas", {schemas::kSearchRequestSchema}}};
            search[key] = value;
            search["filter"] = value;
            ExpectClientError(service_->Search(ctx_, "User", search), what);
        }
    }
}

TEST_F(RobustnessTest, OddQueryParametersAreClientErrors) {
    const std::string user = CreateUser("bjensen");
    const std::vector<std::string> texts = {
        "",      " ",        "(",          "\"",
        "[]",    "\xff\xfe", "userName",   "a.b.c.d",
        "urn:",  "-0",       "9e99",       std::string(5000, 'x'),
        "eq eq", "not not",  "name[given", "emails[type eq]"};
    for (const auto& text : texts) {
        for (int field = 0; field < 7; ++field) {
            Query query;
            std::optional<std::string>* slots[] = {
                &query.filter, &query.sort_by,    &query.sort_order,         &query.start_index,
                &query.count,  &query.attributes, &query.excluded_attributes};
            *slots[field] = text;
            const std::string what = std::to_string(field) + ":" + text.substr(0, 40);
            ExpectClientError(service_->List(ctx_, "User", query), what);
            ExpectClientError(service_->List(ctx_, std::nullopt, query), what);
            ExpectClientError(service_->Get(ctx_, "User", user, query, Preconditions{}), what);
        }
        Query cursor;
        cursor.cursor = text;
        ExpectClientError(service_->List(ctx_, "Group", cursor), text.substr(0, 40));
        Preconditions pre{text, text};
        ExpectClientError(service_->Get(ctx_, "User", user, Query{}, pre), text.substr(0, 40));
        ExpectClientError(service_->Get(ctx_, "User", text, Query{}, Preconditions{}),
                          text.substr(0, 40));
    }
}

// Each write produces exactly one audit event naming the action and the resource.
TEST_F(RobustnessTest, EveryWriteIsAuditedOnce) {
    struct Step {
        std::string name;
        std::function<Result<Response>()> run;
        std::string action;
    };
    const std::string user = CreateUser("alice");
    std::string group;
    const std::vector<Step> steps = {
        {"create group",
         [&] {
             auto r = service_->Create(ctx_, "Group",
                                       {{"schemas", {schemas::kGroupSchema}}, {"displayName", "G"}},
                                       Query{});
             group = r.ok() ? r->body.value("id", "") : "";
             return r;
         },
         "group.created"},
        {"add member",
         [&] {
             return service_->Patch(
                 ctx_, "Group", group,
                 PatchBody({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", user}}}}}}),
                 Query{}, Preconditions{});
         },
         "group.members_added"},
        {"replace user",
         [&] {
             return service_->Replace(ctx_, "User", user,
                                      {{"schemas", {schemas::kUserSchema}}, {"userName", "alice"}},
                                      Query{}, Preconditions{});
         },
         "user.replaced"},
        {"delete group", [&] { return service_->Delete(ctx_, "Group", group, Preconditions{}); },
         "group.deleted"},
    };
    for (const auto& step : steps) {
        const std::size_t before = store_.fake().events().size();
        auto result = step.run();
        ASSERT_TRUE(result.ok()) << step.name << ": " << result.error().detail;
        const auto events = store_.fake().events();
        ASSERT_EQ(events.size(), before + 1) << step.name;
        EXPECT_EQ(events.back().action, step.action) << step.name;
        EXPECT_FALSE(events.back().target_id.empty()) << step.name;
    }
}

}  // namespace
}  // namespace scim::service::testing

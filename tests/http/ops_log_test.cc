// The access log in both formats: same keys, one line per request, and never a token, an
// Authorization header, a body or a filter value.

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/curl_client.h"
#include "http/fakes.h"
#include "scim/http/access_log.h"
#include "scim/http/api.h"
#include "scim/http/server.h"

namespace scim::http {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Return;

TEST(LogFormatTest, ParsesTheTwoFormatNames) {
    EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
    EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
    EXPECT_EQ(ParseLogFormat("JSON"), std::nullopt);
    EXPECT_EQ(ParseLogFormat(""), std::nullopt);
}

TEST(LogFormatTest, WritesTheSameKeysAsJson) {
    AccessRecord record{"req-1", "PATCH", "/scim/v2/Users/{id}", 409, "uniqueness", 2.5, "org-1",
                        "tok-1", ""};
    EXPECT_EQ(FormatAccessLine(record, LogFormat::kJson),
              R"({"level":"info","request_id":"req-1","method":"PATCH",)"
              R"("route":"/scim/v2/Users/{id}","status":409,"scim_type":"uniqueness",)"
              R"("latency_ms":2.5,"org_id":"org-1","token_id":"tok-1"})");
}

TEST(LogFormatTest, WritesEmptyValuesAsNullAndKeepsServerErrorsValidJson) {
    AccessRecord record{"r", "GET", "", 500, "", 0, "", "", "bad byte \xff and \"quotes\"\n"};
    auto line = nlohmann::json::parse(FormatAccessLine(record, LogFormat::kJson));
    EXPECT_EQ(line["level"], "error");
    EXPECT_TRUE(line["route"].is_null());
    EXPECT_TRUE(line["org_id"].is_null());
    EXPECT_EQ(line["status"], 500);
    EXPECT_EQ(line["error"], "bad byte \xef\xbf\xbd and \"quotes\"\n");
}

TEST(LogFormatTest, FormatsProcessEventsLikeAccessLines) {
    EXPECT_EQ(FormatEventLine(LogFormat::kText, "info", "stopping", {{"signal", "15"}}),
              "level=info msg=stopping signal=15");
    EXPECT_EQ(FormatEventLine(LogFormat::kJson, "info", "stopping", {{"signal", "15"}}),
              R"({"level":"info","msg":"stopping","signal":"15"})");
    EXPECT_EQ(FormatEventLine(LogFormat::kText, "info", "started", {{"public_url", "http://a b"}}),
              "level=info msg=started public_url=\"http://a b\"");
}

// The real server and Api with a fake backend, for each format; every line the Api writes is
// captured.
class LogSecretsTest : public ::testing::TestWithParam<LogFormat> {
protected:
    void SetUp() override {
        ApiOptions api_options;
        api_options.log_format = GetParam();
        api_options.log = [this](std::string_view line) {
            std::lock_guard lock(mu_);
            lines_.emplace_back(line);
        };
        api_ = std::make_unique<Api>(backend_, auth_, api_options);
        ServerOptions options;
        options.port = 0;
        options.threads = 2;
        server_ = std::make_unique<Server>(*api_, options);
        ASSERT_TRUE(server_->Start().ok());
        base_ = "http://127.0.0.1:" + std::to_string(server_->Port()) + "/scim/v2";
    }

    void TearDown() override { server_->Shutdown(); }

    std::vector<std::string> Lines() {
        std::lock_guard lock(mu_);
        return lines_;
    }

    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Server> server_;
    std::string base_;
    std::mutex mu_;
    std::vector<std::string> lines_;
};

TEST_P(LogSecretsTest, NeverLogsTokensHeadersBodiesOrFilterValues) {
    ON_CALL(backend_, Create(_, _, _, _))
        .WillByDefault(Return(Response{201, {{"id", "u1"}}, {}, {}}));
    ON_CALL(backend_, List(_, _, _))
        .WillByDefault(Return(Response{200, {{"totalResults", 0}}, {}, {}}));
    ON_CALL(backend_, Patch(_, _, _, _, _, _))
        .WillByDefault(Return(Error::Scim(ScimType::kInvalidValue, "bad value")));

    const std::string rejected_token = "scimd_org_REJECTEDsecretTOKEN0123456789abcdef";
    const HeaderList good = {{"Authorization", "Bearer good"},
                             {"Content-Type", "application/scim+json"},
                             {"Cookie", "session=cookie-secret-value"}};
    testing::CurlClient client;
    std::string create = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)"
                         R"("userName":"body-username-value","password":"body-password-value"})";
    EXPECT_EQ(client.Send("POST", base_ + "/Users", good, &create).status, 201);
    EXPECT_EQ(
        client.Send("GET", base_ + "/Users?filter=userName%20eq%20%22filter-secret-value%22", good)
            .status,
        200);
    std::string patch = R"({"Operations":[{"op":"replace","path":"password",)"
                        R"("value":"patch-password-value"}]})";
    EXPECT_EQ(client.Send("PATCH", base_ + "/Users/u1", good, &patch).status, 400);
    EXPECT_EQ(client.Send("GET", base_ + "/Users", {{"Authorization", "Bearer " + rejected_token}})
                  .status,
              401);
    EXPECT_EQ(
        client.Send("GET", base_ + "/Users", {{"Authorization", "Basic dXNlcjpwdw=="}}).status,
        401);

    std::vector<std::string> lines = Lines();
    ASSERT_EQ(lines.size(), 5u);
    for (const std::string& line : lines) {
        SCOPED_TRACE(line);
        for (const char* secret :
             {"REJECTEDsecret", "Bearer", "Basic", "dXNlcjpwdw", "good", "cookie-secret",
              "body-username-value", "body-password-value", "patch-password-value",
              "filter-secret-value", "password", "filter"}) {
            EXPECT_THAT(line, ::testing::Not(HasSubstr(secret)));
        }
        if (GetParam() == LogFormat::kJson) {
            auto parsed = nlohmann::json::parse(line);
            for (const char* key : {"level", "request_id", "method", "route", "status", "scim_type",
                                    "latency_ms", "org_id", "token_id"}) {
                EXPECT_TRUE(parsed.contains(key)) << key;
            }
        } else {
            EXPECT_THAT(line, HasSubstr(" route=/scim/v2/Users"));
        }
    }
    EXPECT_THAT(lines[2], HasSubstr("invalidValue"));
}

INSTANTIATE_TEST_SUITE_P(BothFormats,
                         LogSecretsTest,
                         ::testing::Values(LogFormat::kText, LogFormat::kJson),
                         [](const auto& info) {
                             return info.param == LogFormat::kJson ? "Json" : "Text";
                         });

}  // namespace
}  // namespace scim::http

#include "scim/http/api.h"

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/fakes.h"

namespace scim::http {
namespace {

using ::testing::_;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Return;
using ::testing::Throw;

class ApiTest : public ::testing::Test {
protected:
    Api MakeApi(ApiOptions options = {}) {
        options.log = [this](std::string_view line) { log_.emplace_back(line); };
        return Api(backend_, auth_, std::move(options));
    }

    static HttpRequest Request(std::string method, std::string path, std::string body = "") {
        HttpRequest request;
        request.method = std::move(method);
        request.path = std::move(path);
        request.body = std::move(body);
        request.peer = "127.0.0.9";
        request.headers.emplace_back("Authorization", "Bearer good");
        if (!request.body.empty()) {
            request.headers.emplace_back("Content-Type", "application/scim+json");
        }
        return request;
    }

    static nlohmann::json Body(const HttpResponse& response) {
        return nlohmann::json::parse(response.body);
    }

    static void ExpectScimError(const HttpResponse& response, int status, const char* scim_type) {
        EXPECT_EQ(response.status, status);
        EXPECT_THAT(response.Header("Content-Type"), Optional(HasSubstr("application/scim+json")));
        nlohmann::json body = Body(response);
        EXPECT_EQ(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
        EXPECT_EQ(body["status"], std::to_string(status));
        if (scim_type != nullptr) {
            EXPECT_EQ(body["scimType"], scim_type);
        } else {
            EXPECT_FALSE(body.contains("scimType"));
        }
    }

    NiceMock<testing::MockBackend> backend_;
    testing::FakeAuthenticator auth_;
    std::vector<std::string> log_;
};

TEST_F(ApiTest, HealthNeedsNoToken) {
    Api api = MakeApi();
    HttpRequest request = Request("GET", "/healthz");
    request.headers.clear();
    EXPECT_EQ(api.Handle(request).status, 200);
}

TEST_F(ApiTest, ReadinessReflectsTheDatabase) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Ready()).WillOnce(Return(true)).WillOnce(Return(false));
    EXPECT_EQ(api.Handle(Request("GET", "/readyz")).status, 200);
    ExpectScimError(api.Handle(Request("GET", "/readyz")), 503, nullptr);
}

TEST_F(ApiTest, UnknownPathIsAScimNotFound) {
    Api api = MakeApi();
    ExpectScimError(api.Handle(Request("GET", "/scim/v2/Widgets")), 404, nullptr);
}

TEST_F(ApiTest, AuthenticatesBeforeItReadsTheBody) {
    Api api = MakeApi();
    for (const char* body : {"{not json", "[1,2]"}) {
        SCOPED_TRACE(body);
        HttpRequest request = Request("POST", "/scim/v2/Users", body);
        request.headers[0].second = "Bearer wrong";
        ExpectScimError(api.Handle(request), 401, nullptr);
    }
    HttpRequest oversized = Request("POST", "/scim/v2/Users", std::string(2 * 1024 * 1024, 'a'));
    oversized.headers.clear();
    ExpectScimError(api.Handle(oversized), 401, nullptr);
}

TEST_F(ApiTest, RejectLogsAndCountsARequestRefusedBeforeRouting) {
    Api api = MakeApi();
    HttpRequest request;
    request.method = "PROPFIND";
    HttpResponse response =
        api.Reject(request, Error{501, std::nullopt, "this server does not implement that", {}});
    ExpectScimError(response, 501, nullptr);
    EXPECT_TRUE(response.Header("X-Request-Id"));
    EXPECT_THAT(log_.back(), HasSubstr("level=warn"));
    EXPECT_THAT(log_.back(), HasSubstr("method=PROPFIND route=- status=501"));
}

TEST_F(ApiTest, WrongMethodIsAScimMethodNotAllowedWithAllow) {
    Api api = MakeApi();
    HttpResponse response = api.Handle(Request("PUT", "/scim/v2/Users"));
    ExpectScimError(response, 405, nullptr);
    EXPECT_THAT(response.Header("Allow"), Optional(Eq("GET, HEAD, POST")));
}

TEST_F(ApiTest, MissingOrBadTokenIsUnauthorizedWithChallenge) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, List(_, _, _)).Times(0);
    for (const char* header : {"", "Bearer bad", "Basic Zm9vOmJhcg=="}) {
        SCOPED_TRACE(header);
        HttpRequest request = Request("GET", "/scim/v2/Users");
        request.headers.clear();
        if (*header != '\0') {
            request.headers.emplace_back("authorization", header);
        }
        HttpResponse response = api.Handle(request);
        ExpectScimError(response, 401, nullptr);
        EXPECT_THAT(response.Header("WWW-Authenticate"), Optional(HasSubstr("Bearer")));
    }
}

TEST_F(ApiTest, WrongLevelIsForbiddenAndThrottlingSetsRetryAfter) {
    Api api = MakeApi();
    HttpRequest request = Request("GET", "/scim/v2/Users");
    request.headers[0].second = "Bearer workspace";
    ExpectScimError(api.Handle(request), 403, nullptr);

    request.headers[0].second = "Bearer slow-down";
    HttpResponse response = api.Handle(request);
    ExpectScimError(response, 429, nullptr);
    EXPECT_THAT(response.Header("Retry-After"), Optional(Eq("17")));
    EXPECT_EQ(auth_.addrs().back(), "127.0.0.9");
}

TEST_F(ApiTest, DiscoveryIsPublicByDefaultAndGuardedWithTheFlag) {
    EXPECT_CALL(backend_, ServiceProviderConfig())
        .WillRepeatedly(Return(Response{200, {{"patch", {{"supported", true}}}}, {}, {}}));
    HttpRequest request = Request("GET", "/scim/v2/ServiceProviderConfig");
    request.headers.clear();

    Api open_api = MakeApi();
    EXPECT_EQ(open_api.Handle(request).status, 200);

    ApiOptions options;
    options.discovery_requires_auth = true;
    Api guarded_api = MakeApi(options);
    EXPECT_EQ(guarded_api.Handle(request).status, 401);
    EXPECT_EQ(guarded_api.Handle(Request("GET", "/scim/v2/ServiceProviderConfig")).status, 200);
}

TEST_F(ApiTest, DiscoveryPassesDecodedNames) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Schemas(Optional(Eq("urn:ietf:params:scim:schemas:core:2.0:User"))))
        .WillOnce(Return(Response{200, nlohmann::json::object(), {}, {}}));
    EXPECT_CALL(backend_, ResourceTypes(Optional(Eq("User"))))
        .WillOnce(Return(Error::NotFound("no such resource type")));
    EXPECT_EQ(
        api.Handle(Request("GET", "/scim/v2/Schemas/urn%3Aietf:params:scim:schemas:core:2.0:User"))
            .status,
        200);
    ExpectScimError(api.Handle(Request("GET", "/scim/v2/resourcetypes/User")), 404, nullptr);
}

TEST_F(ApiTest, DiscoveryRefusesFilterWithForbidden) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, ServiceProviderConfig()).Times(0);
    EXPECT_CALL(backend_, ResourceTypes(_)).Times(0);
    EXPECT_CALL(backend_, Schemas(_)).Times(0);
    for (const char* path : {"/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas",
                             "/scim/v2/ResourceTypes", "/scim/v2/ResourceTypes/User",
                             "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"}) {
        HttpRequest request = Request("GET", path);
        request.query = {{"FILTER", "id%20eq%20%22User%22"}};
        HttpResponse response = api.Handle(request);
        ExpectScimError(response, 403, nullptr);
        EXPECT_NE(response.body.find("filtering is not supported on discovery endpoints"),
                  std::string::npos)
            << path;
    }
}

TEST_F(ApiTest, CreateRendersLocationEtagAndScimMediaType) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Create(_, Eq("User"), _, _))
        .WillOnce([](const RequestContext& ctx, std::string_view, const nlohmann::json& body,
                     const Query&) -> Result<Response> {
            EXPECT_EQ(ctx.principal.org_id, "org-1");
            EXPECT_EQ(ctx.source_addr, "127.0.0.9");
            EXPECT_FALSE(ctx.request_id.empty());
            EXPECT_EQ(body["userName"], "bjensen");
            return Response{201, {{"id", "u1"}}, "http://x/scim/v2/Users/u1", "W/\"1\""};
        });
    HttpResponse response =
        api.Handle(Request("POST", "/scim/v2/users", R"({"userName":"bjensen"})"));
    EXPECT_EQ(response.status, 201);
    EXPECT_THAT(response.Header("Location"), Optional(Eq("http://x/scim/v2/Users/u1")));
    EXPECT_THAT(response.Header("ETag"), Optional(Eq("W/\"1\"")));
    EXPECT_THAT(response.Header("Content-Type"), Optional(HasSubstr("application/scim+json")));
    EXPECT_EQ(Body(response)["id"], "u1");
}

TEST_F(ApiTest, NoContentHasNoBody) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Delete(_, Eq("Group"), Eq("g 1"), _))
        .WillOnce(Return(Response{204, nullptr, {}, {}}));
    HttpResponse response = api.Handle(Request("DELETE", "/scim/v2/Groups/g%201"));
    EXPECT_EQ(response.status, 204);
    EXPECT_TRUE(response.body.empty());
    EXPECT_FALSE(response.Header("Content-Type").has_value());
}

TEST_F(ApiTest, AcceptsBothJsonMediaTypesWithAnyCharset) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Patch(_, _, _, _, _, _))
        .WillRepeatedly(Return(Response{200, nlohmann::json::object(), {}, {}}));
    struct Case {
        const char* content_type;  // nullptr: header absent
        int status;
    };
    const Case cases[] = {
        {"application/scim+json", 200},
        {"application/scim+json; charset=utf-8", 200},
        {"Application/JSON;charset=UTF-8", 200},
        {" application/json ", 200},
        {"text/plain", 415},
        {"application/x-www-form-urlencoded", 415},
        {"application/jsonx", 415},
        {nullptr, 415},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.content_type ? c.content_type : "(none)");
        HttpRequest request = Request("PATCH", "/scim/v2/Users/u1");
        request.body = R"({"Operations":[]})";
        if (c.content_type != nullptr) {
            request.headers.emplace_back("Content-Type", c.content_type);
        }
        EXPECT_EQ(api.Handle(request).status, c.status);
    }
}

// A charset other than UTF-8 was ignored and the body read as UTF-8 anyway.
TEST_F(ApiTest, RefusesJsonDeclaredInAnotherCharsetNamingIt) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Patch(_, _, _, _, _, _))
        .WillRepeatedly(Return(Response{200, nlohmann::json::object(), {}, {}}));
    struct Case {
        const char* content_type;
        const char* named;  // nullptr: accepted
    };
    const Case cases[] = {
        {"application/json; charset=utf-16", "charset utf-16"},
        {"application/scim+json;charset=ISO-8859-1", "charset ISO-8859-1"},
        {"application/json; CHARSET=\"UTF-16LE\"", "charset UTF-16LE"},
        {"application/json; foo=bar; charset=latin1 ", "charset latin1"},
        {"application/json; charset=\"a;b\"", "the charset given"},
        {"application/json; charset=", "the charset given"},
        {"application/json; charset=\"utf-8\"", nullptr},
        {"application/json; charset=\"utf\\-8\"", nullptr},
        {"application/scim+json; Charset=UTF-8", nullptr},
        {"application/json; foo=\"charset=utf-16\"", nullptr},
        {"application/json; charsets=utf-16", nullptr},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.content_type);
        HttpRequest request = Request("PATCH", "/scim/v2/Users/u1");
        request.body = R"({"Operations":[]})";
        request.headers.emplace_back("Content-Type", c.content_type);
        HttpResponse response = api.Handle(request);
        if (c.named == nullptr) {
            EXPECT_EQ(response.status, 200);
            continue;
        }
        ExpectScimError(response, 415, nullptr);
        EXPECT_THAT(Body(response)["detail"].get<std::string>(),
                    HasSubstr("UTF-8; " + std::string(c.named) + " is not accepted"));
    }
}

TEST_F(ApiTest, RejectsOversizedBodies) {
    ApiOptions options;
    options.max_body_bytes = 64;
    Api api = MakeApi(options);
    std::string body = R"({"userName":")" + std::string(80, 'a') + R"("})";
    ExpectScimError(api.Handle(Request("POST", "/scim/v2/Users", body)), 413, nullptr);
}

TEST_F(ApiTest, RejectsBodiesThatAreNotAJsonObject) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Create(_, _, _, _)).Times(0);
    const char* bodies[] = {
        "{\"userName\": \"bjensen\"",  // truncated
        "{\"userName\": \"b\xff\"}",   // invalid UTF-8
        "[1, 2]",
        "\"just a string\"",
        "{} trailing",
        "{\"userName\": \"x\", \"n\": 1e400}",  // regression: overflowing number was a 500
    };
    for (const char* body : bodies) {
        SCOPED_TRACE(body);
        ExpectScimError(api.Handle(Request("POST", "/scim/v2/Users", body)), 400, "invalidSyntax");
    }
    std::string deep = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
    ExpectScimError(api.Handle(Request("POST", "/scim/v2/Users", deep)), 400, "invalidSyntax");
}

TEST_F(ApiTest, DecodesQueryParameters) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, List(_, Optional(Eq("User")), _))
        .WillOnce([](const RequestContext&, std::optional<std::string_view>,
                     const Query& query) -> Result<Response> {
            EXPECT_THAT(query.filter, Optional(Eq("userName eq \"a+b c\"")));
            EXPECT_THAT(query.start_index, Optional(Eq("1")));
            EXPECT_THAT(query.count, Optional(Eq("10")));
            EXPECT_THAT(query.excluded_attributes, Optional(Eq("members")));
            EXPECT_FALSE(query.sort_by.has_value());
            return Response{200, nlohmann::json::object(), {}, {}};
        });
    HttpRequest request = Request("GET", "/scim/v2/Users");
    request.query = {{"filter", "userName+eq+%22a%2Bb%20c%22"},
                     {"startIndex", "1"},
                     {"COUNT", "10"},
                     {"excludedAttributes", "members"},
                     {"unrelated", "x"}};
    EXPECT_EQ(api.Handle(request).status, 200);

    request.query = {{"filter", "userName%zz"}};
    ExpectScimError(api.Handle(request), 400, "invalidSyntax");
}

TEST_F(ApiTest, ServerRootAndSearchServeEveryType) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, List(_, Eq(std::nullopt), _))
        .WillOnce(Return(Response{200, nlohmann::json::object(), {}, {}}));
    EXPECT_CALL(backend_, Search(_, Eq(std::nullopt), _))
        .WillOnce(Return(Response{200, nlohmann::json::object(), {}, {}}));
    EXPECT_EQ(api.Handle(Request("GET", "/scim/v2/")).status, 200);
    EXPECT_EQ(api.Handle(Request("POST", "/scim/v2/.search", "{}")).status, 200);
}

TEST_F(ApiTest, ForwardsPreconditions) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Get(_, Eq("User"), Eq("u1"), _, _))
        .WillOnce([](const RequestContext&, std::string_view, std::string_view, const Query&,
                     const Preconditions& pre) -> Result<Response> {
            EXPECT_THAT(pre.if_none_match, Optional(Eq("W/\"3\"")));
            EXPECT_FALSE(pre.if_match.has_value());
            return Response{304, nullptr, {}, "W/\"3\""};
        });
    HttpRequest request = Request("GET", "/scim/v2/Users/u1");
    request.headers.emplace_back("if-none-match", "W/\"3\"");
    HttpResponse response = api.Handle(request);
    EXPECT_EQ(response.status, 304);
    EXPECT_TRUE(response.body.empty());
}

TEST_F(ApiTest, ServiceErrorsAreRenderedAsGiven) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Create(_, _, _, _))
        .WillOnce(Return(Error::Scim(ScimType::kUniqueness, "userName is already taken")));
    HttpResponse response = api.Handle(Request("POST", "/scim/v2/Users", "{}"));
    ExpectScimError(response, 409, "uniqueness");
    EXPECT_THAT(log_.back(), HasSubstr("scim_type=uniqueness"));
}

TEST_F(ApiTest, ExceptionsBecomeAGenericServerError) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, Get(_, _, _, _, _))
        .WillOnce(Throw(std::runtime_error("relation users does not exist")));
    HttpResponse response = api.Handle(Request("GET", "/scim/v2/Users/u1"));
    ExpectScimError(response, 500, nullptr);
    EXPECT_THAT(response.body, Not(HasSubstr("relation")));
    EXPECT_THAT(log_.back(), HasSubstr("level=error"));
    EXPECT_THAT(log_.back(), HasSubstr("relation users does not exist"));
}

TEST_F(ApiTest, UnsupportedEndpointsAnswerNotImplemented) {
    Api api = MakeApi();
    ExpectScimError(api.Handle(Request("GET", "/scim/v2/Me")), 501, nullptr);
    ExpectScimError(api.Handle(Request("POST", "/scim/v2/Bulk", "{}")), 501, nullptr);
}

TEST_F(ApiTest, EchoesValidRequestIdsAndReplacesOthers) {
    Api api = MakeApi();
    HttpRequest request = Request("GET", "/healthz");
    request.headers.emplace_back("X-Request-Id", "okta-abc_123:9");
    EXPECT_THAT(api.Handle(request).Header("X-Request-Id"), Optional(Eq("okta-abc_123:9")));
    EXPECT_THAT(log_.back(), HasSubstr("request_id=okta-abc_123:9"));

    request.headers.back().second = "evil\" status=200";
    auto echoed = api.Handle(request).Header("X-Request-Id");
    ASSERT_TRUE(echoed.has_value());
    EXPECT_EQ(echoed->size(), 32u);
}

TEST_F(ApiTest, LogLineCarriesRouteTemplateAndNoSecrets) {
    Api api = MakeApi();
    EXPECT_CALL(backend_, List(_, _, _))
        .WillOnce(Return(Response{200, nlohmann::json::object(), {}, {}}));
    HttpRequest request = Request("GET", "/scim/v2/Users");
    request.query = {{"filter", "userName%20eq%20%22secret-person%22"}};
    api.Handle(request);
    ASSERT_EQ(log_.size(), 1u);
    const std::string& line = log_[0];
    EXPECT_THAT(line, HasSubstr("method=GET route=/scim/v2/Users status=200"));
    EXPECT_THAT(line, HasSubstr("org_id=org-1 token_id=tok-1"));
    EXPECT_THAT(line, Not(HasSubstr("secret-person")));
    EXPECT_THAT(line, Not(HasSubstr("good")));
}

}  // namespace
}  // namespace scim::http

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/admin_api_fixture.h"

// Token admin API, whoami and Audit Log API over the Api with real stores. The same bodies run
// on PostgreSQL from admin_api_pgtest.cc.
namespace scim::http::admin_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;
using Json = nlohmann::json;

TEST_P(AdminApiTest, OpenApiDocumentIsServedWithoutCredentialsAndListsEveryRoute) {
    HttpResponse response = Send("GET", "/api/v1/openapi.json", "");
    ASSERT_EQ(response.status, 200);
    EXPECT_THAT(response.Header("Content-Type"), Optional(HasSubstr("application/json")));
    Json doc = Body(response);
    ASSERT_TRUE(doc.is_object());
    EXPECT_THAT(doc["openapi"].get<std::string>(), StartsWith("3.0"));
    for (std::string_view path :
         {admin_routes::kOpenApi, admin_routes::kWhoami, admin_routes::kTokens,
          admin_routes::kToken, admin_routes::kRotate, admin_routes::kRevoke,
          admin_routes::kWorkspaces, admin_routes::kWorkspace, admin_routes::kAuditLogs}) {
        EXPECT_TRUE(doc["paths"].contains(std::string(path))) << path;
    }
}

TEST_P(AdminApiTest, AdminKeyCreatesAnOrgTokenThatWorksOnScim) {
    HttpResponse response = AsAdmin("POST", "/api/v1/tokens",
                                    R"({"name": "okta", "level": "org", "expires_in": "90d"})");
    ASSERT_EQ(response.status, 201) << response.body;
    Json body = Body(response);
    std::string secret = body["secret"];
    Json token = body["token"];
    EXPECT_THAT(secret, StartsWith("scimd_osat_"));
    EXPECT_EQ(token["name"], "okta");
    EXPECT_EQ(token["level"], "org");
    EXPECT_EQ(token["status"], "active");
    EXPECT_TRUE(token["workspace_id"].is_null());
    EXPECT_TRUE(token["expires_at"].is_string());
    EXPECT_EQ(token["created_by"], "admin_key:" + admin_key_id_);
    EXPECT_EQ(token["hint"], auth::Hint(secret));
    EXPECT_THAT(response.Header("Location"),
                Optional(std::string("/api/v1/tokens/") + token["id"].get<std::string>()));
    EXPECT_THAT(response.Header("Cache-Control"), Optional(std::string("no-store")));
    EXPECT_EQ(ScimStatus(secret), 200);
}

TEST_P(AdminApiTest, ExpiresAtSetsTheExpiryAndAnExpiredTokenIsRefused) {
    auto [token, secret] =
        CreateToken({{"name", "short"}, {"level", "org"}, {"expires_at", "2099-01-01T00:00:00Z"}});
    EXPECT_THAT(token["expires_at"].get<std::string>(), StartsWith("2099-01-01T00:00:00"));
    auto [brief, brief_secret] =
        CreateToken({{"name", "brief"}, {"level", "org"}, {"expires_in", "1h"}});
    EXPECT_EQ(ScimStatus(brief_secret), 200);
    clock_.Advance(std::chrono::hours(2));
    EXPECT_EQ(ScimStatus(brief_secret), 401);
    Json shown = Body(AsAdmin("GET", "/api/v1/tokens/" + brief["id"].get<std::string>()));
    EXPECT_EQ(shown["status"], "expired");
    EXPECT_EQ(ScimStatus(secret), 200);
}

TEST_P(AdminApiTest, RevokedTokenIsRefusedOnScim) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    ASSERT_EQ(ScimStatus(secret), 200);
    HttpResponse revoked =
        AsAdmin("POST", "/api/v1/tokens/" + token["id"].get<std::string>() + "/revoke");
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(Body(revoked)["status"], "revoked");
    EXPECT_TRUE(Body(revoked)["revoked_at"].is_string());
    HttpResponse scim = Send("GET", "/scim/v2/Users", secret);
    EXPECT_EQ(scim.status, 401);
    EXPECT_TRUE(scim.Header("WWW-Authenticate").has_value());
}

TEST_P(AdminApiTest, DeleteRevokesWithNoContent) {
    auto [token, secret] = CreateToken({{"name", "entra"}, {"level", "org"}});
    HttpResponse deleted = AsAdmin("DELETE", "/api/v1/tokens/" + token["id"].get<std::string>());
    EXPECT_EQ(deleted.status, 204);
    EXPECT_TRUE(deleted.body.empty());
    EXPECT_EQ(ScimStatus(secret), 401);
    // Revoking again is still a success.
    EXPECT_EQ(AsAdmin("DELETE", "/api/v1/tokens/" + token["id"].get<std::string>()).status, 204);
}

TEST_P(AdminApiTest, RotationWithoutGraceRefusesTheOldSecretAtOnce) {
    auto [token, old_secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    ASSERT_EQ(ScimStatus(old_secret), 200);  // now verified and cached
    HttpResponse rotated =
        AsAdmin("POST", "/api/v1/tokens/" + token["id"].get<std::string>() + "/rotate");
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    std::string new_secret = Body(rotated)["secret"];
    EXPECT_NE(new_secret, old_secret);
    EXPECT_EQ(Body(rotated)["token"]["id"], token["id"]);
    EXPECT_EQ(ScimStatus(old_secret), 401);
    EXPECT_EQ(ScimStatus(new_secret), 200);
}

TEST_P(AdminApiTest, RotationWithGraceAcceptsBothSecretsUntilTheGraceEnds) {
    auto [token, old_secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    HttpResponse rotated =
        AsAdmin("POST", "/api/v1/tokens/" + token["id"].get<std::string>() + "/rotate",
                R"({"grace_period": "10m"})");
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    std::string new_secret = Body(rotated)["secret"];
    EXPECT_EQ(ScimStatus(old_secret), 200);
    EXPECT_EQ(ScimStatus(new_secret), 200);
    clock_.Advance(std::chrono::minutes(9));
    EXPECT_EQ(ScimStatus(old_secret), 200);
    clock_.Advance(std::chrono::minutes(2));
    EXPECT_EQ(ScimStatus(old_secret), 401);
    EXPECT_EQ(ScimStatus(new_secret), 200);
}

TEST_P(AdminApiTest, RotationGraceIsCappedAtThirtyDays) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    const std::string path = "/api/v1/tokens/" + token["id"].get<std::string>() + "/rotate";
    for (const char* grace : {"100000d", "31d", "721h", "2592001s"}) {
        SCOPED_TRACE(grace);
        HttpResponse refused = AsAdmin("POST", path, Json{{"grace_period", grace}}.dump());
        ExpectError(refused, 400, "invalid_request");
        EXPECT_THAT(Body(refused)["error"]["message"].get<std::string>(),
                    ::testing::HasSubstr("30 days"));
    }
    EXPECT_EQ(AsAdmin("POST", path, R"({"grace_period": "30d"})").status, 200);
    EXPECT_EQ(AsAdmin("POST", path, R"({"grace_period": "720h"})").status, 200);
}

TEST_P(AdminApiTest, RotatingARevokedTokenIsAConflict) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    std::string path = "/api/v1/tokens/" + token["id"].get<std::string>();
    ASSERT_EQ(AsAdmin("DELETE", path).status, 204);
    ExpectError(AsAdmin("POST", path + "/rotate"), 409, "conflict");
}

TEST_P(AdminApiTest, ATokenOutlivesTheAdminKeyThatCreatedIt) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    HttpResponse revoked = AsAdmin("POST", "/api/v1/tokens/" + admin_key_id_ + "/revoke");
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(Body(revoked)["level"], "admin");
    ExpectError(AsAdmin("GET", "/api/v1/tokens"), 401, "unauthorized");
    EXPECT_EQ(ScimStatus(secret), 200);
}

TEST_P(AdminApiTest, WorkspaceTokenReachesOnlyWhoamiAndItsOwnWorkspace) {
    std::string mine = CreateWorkspace("emea");
    std::string other = CreateWorkspace("apac");
    auto [token, secret] =
        CreateToken({{"name", "emea-sync"}, {"level", "workspace"}, {"workspace_id", mine}});
    EXPECT_EQ(token["level"], "workspace");
    EXPECT_EQ(token["workspace_id"], mine);
    EXPECT_THAT(secret, StartsWith("scimd_wsat_"));

    EXPECT_EQ(ScimStatus(secret), 403);
    ExpectError(Send("GET", "/v2/audit-logs", secret), 403, "forbidden");
    ExpectError(Send("GET", "/api/v1/tokens", secret), 403, "forbidden");
    ExpectError(Send("POST", "/api/v1/tokens", secret, R"({"name":"x","level":"org"})"), 403,
                "forbidden");
    ExpectError(Send("GET", "/api/v1/workspaces", secret), 403, "forbidden");
    ExpectError(Send("GET", "/api/v1/workspaces/" + other, secret), 403, "forbidden");

    HttpResponse own = Send("GET", "/api/v1/workspaces/" + mine, secret);
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(Body(own)["name"], "emea");
    HttpResponse whoami = Send("GET", "/api/v1/whoami", secret);
    ASSERT_EQ(whoami.status, 200) << whoami.body;
    EXPECT_EQ(Body(whoami), (Json{{"org_id", org_},
                                  {"kind", "workspace_sat"},
                                  {"credential_id", token["id"]},
                                  {"name", "emea-sync"},
                                  {"workspace_id", mine}}));
}

TEST_P(AdminApiTest, OrgTokenIsForbiddenOnTokenAdminAndTheMessageNamesTheLevel) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    HttpResponse response = Send("GET", "/api/v1/tokens", secret);
    ExpectError(response, 403, "forbidden");
    EXPECT_THAT(Body(response)["error"]["message"].get<std::string>(), HasSubstr("admin key"));
    ExpectError(Send("GET", "/api/v1/workspaces", secret), 403, "forbidden");
    HttpResponse whoami = Send("GET", "/api/v1/whoami", secret);
    ASSERT_EQ(whoami.status, 200);
    EXPECT_EQ(Body(whoami)["kind"], "org_sat");
    EXPECT_TRUE(Body(whoami)["workspace_id"].is_null());
}

TEST_P(AdminApiTest, AdminKeyIsForbiddenOnScimButSeesWhoami) {
    EXPECT_EQ(ScimStatus(admin_key_), 403);
    HttpResponse whoami = AsAdmin("GET", "/api/v1/whoami");
    ASSERT_EQ(whoami.status, 200);
    EXPECT_EQ(Body(whoami)["kind"], "admin_key");
    EXPECT_EQ(Body(whoami)["credential_id"], admin_key_id_);
    EXPECT_EQ(Body(whoami)["name"], "console");
}

TEST_P(AdminApiTest, BadCredentialsAre401WithABearerChallenge) {
    auto unknown = auth::Mint(auth::TokenKind::kAdmin, org_);
    ASSERT_TRUE(unknown.ok());
    std::string never_stored(unknown->Reveal());
    secrets_.push_back(never_stored);
    for (const std::string& token : {std::string(), std::string("garbage"), never_stored}) {
        for (const char* path : {"/api/v1/tokens", "/api/v1/whoami", "/v2/audit-logs"}) {
            HttpResponse response = Send("GET", path, token);
            ExpectError(response, 401, "unauthorized");
            EXPECT_THAT(response.Header("WWW-Authenticate"), Optional(StartsWith("Bearer")));
        }
    }
}

TEST_P(AdminApiTest, RepeatedFailuresFromOneAddressAreThrottledWithRetryAfter) {
    const std::string peer = "127.0.0.77";
    HttpResponse last;
    for (int i = 0; i < 25 && last.status != 429; ++i) {
        last = Send("GET", "/api/v1/tokens", "scimd_akey_nope", "", peer);
    }
    ExpectError(last, 429, "too_many_requests");
    auto retry = last.Header("Retry-After");
    ASSERT_TRUE(retry.has_value());
    EXPECT_GT(std::stoi(std::string(*retry)), 0);
    // Further failures from the address stay 429, but a valid key from it is served (many
    // tenants may sit behind one address); other addresses are unaffected.
    EXPECT_EQ(Send("GET", "/api/v1/tokens", "scimd_akey_nope", "", peer).status, 429);
    EXPECT_EQ(Send("GET", "/api/v1/tokens", admin_key_, "", peer).status, 200);
    EXPECT_EQ(AsAdmin("GET", "/api/v1/tokens").status, 200);
}

struct BadInput {
    const char* name;
    const char* method;
    const char* path;  // "{token}" is replaced by an existing token id
    const char* body;
    int status;
    const char* code;
};

// Behind a load balancer every client shares the balancer's address: a trusted proxy's
// X-Forwarded-For names the client, so one client's failures do not slow the others.
TEST_P(AdminApiTest, BehindATrustedProxyThrottlingKeysOnTheForwardedClient) {
    const std::string proxy = "10.9.0.1";
    const HeaderList failing = {{"X-Forwarded-For", "198.51.100.7"}};
    HttpResponse last;
    for (int i = 0; i < 25 && last.status != 429; ++i) {
        last = Send("GET", "/api/v1/tokens", "scimd_akey_nope", "", proxy, failing);
    }
    ExpectError(last, 429, "too_many_requests");
    // Another client through the same two proxies (the header also lists the inner one).
    const HeaderList other = {{"X-Forwarded-For", "203.0.113.5, 10.9.0.2"}};
    EXPECT_EQ(Send("GET", "/api/v1/whoami", admin_key_, "", proxy, other).status, 200);
    // The throttled client stays throttled, even behind another trusted proxy.
    EXPECT_EQ(Send("GET", "/api/v1/whoami", "scimd_akey_nope", "", "10.9.0.2", failing).status,
              429);
    // The audit log records the forwarded client.
    CreateWorkspace("behind-proxy");
    HttpResponse created = Send("POST", "/api/v1/workspaces", admin_key_,
                                nlohmann::json{{"name", "proxied"}}.dump(), proxy, other);
    ASSERT_EQ(created.status, 201) << created.body;
    HttpResponse page = AsAdmin("GET", "/v2/audit-logs");
    EXPECT_NE(page.body.find("\"203.0.113.5\""), std::string::npos);
}

// Any client can send X-Forwarded-For; from a peer that is not a trusted proxy it is ignored,
// so changing it cannot escape throttling.
TEST_P(AdminApiTest, FromAnUntrustedPeerXForwardedForIsIgnored) {
    const std::string peer = "127.0.0.78";
    HttpResponse last;
    for (int i = 0; i < 25 && last.status != 429; ++i) {
        last = Send("GET", "/api/v1/tokens", "scimd_akey_nope", "", peer,
                    {{"X-Forwarded-For", "198.51.100." + std::to_string(i + 1)}});
    }
    ExpectError(last, 429, "too_many_requests");
    EXPECT_EQ(Send("GET", "/api/v1/whoami", "scimd_akey_nope", "", peer,
                   {{"X-Forwarded-For", "203.0.113.99"}})
                  .status,
              429);
}

TEST_P(AdminApiTest, BadInputIsAClear4xxNeverA500) {
    std::string ws = CreateWorkspace("emea");
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    const BadInput cases[] = {
        {"not json", "POST", "/api/v1/tokens", "{name", 400, "invalid_request"},
        {"array body", "POST", "/api/v1/tokens", "[]", 400, "invalid_request"},
        {"name missing", "POST", "/api/v1/tokens", R"({"level":"org"})", 400, "invalid_request"},
        {"name null", "POST", "/api/v1/tokens", R"({"name":null,"level":"org"})", 400,
         "invalid_request"},
        {"name a number", "POST", "/api/v1/tokens", R"({"name":7,"level":"org"})", 400,
         "invalid_request"},
        {"name empty", "POST", "/api/v1/tokens", R"({"name":"","level":"org"})", 400,
         "invalid_request"},
        {"level missing", "POST", "/api/v1/tokens", R"({"name":"a"})", 400, "invalid_request"},
        {"level admin", "POST", "/api/v1/tokens", R"({"name":"a","level":"admin"})", 400,
         "invalid_request"},
        {"level an object", "POST", "/api/v1/tokens", R"({"name":"a","level":{}})", 400,
         "invalid_request"},
        {"workspace level without id", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"workspace"})", 400, "invalid_request"},
        {"org level with workspace", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","workspace_id":"x"})", 400, "invalid_request"},
        {"workspace id a number", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"workspace","workspace_id":5})", 400, "invalid_request"},
        {"unknown workspace", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"workspace","workspace_id":"nope"})", 404, "not_found"},
        {"expires_in words", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","expires_in":"soon"})", 400, "invalid_request"},
        {"expires_in a number", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","expires_in":90})", 400, "invalid_request"},
        {"expires_at not a time", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","expires_at":"tomorrow"})", 400, "invalid_request"},
        {"expires_at in the past", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","expires_at":"2001-01-01T00:00:00Z"})", 400,
         "invalid_request"},
        {"both expiries", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"org","expires_in":"1d","expires_at":"2099-01-01T00:00:00Z"})", 400,
         "invalid_request"},
        {"grace words", "POST", "/api/v1/tokens/{token}/rotate", R"({"grace_period":"abc"})", 400,
         "invalid_request"},
        {"grace a number", "POST", "/api/v1/tokens/{token}/rotate", R"({"grace_period":600})", 400,
         "invalid_request"},
        {"name with a NUL", "POST", "/api/v1/tokens", R"({"name":"a\u0000b","level":"org"})", 400,
         "invalid_request"},
        {"name with a newline", "POST", "/api/v1/workspaces", R"({"name":"a\nb"})", 400,
         "invalid_request"},
        {"workspace name missing", "POST", "/api/v1/workspaces", R"({})", 400, "invalid_request"},
        {"workspace name a list", "POST", "/api/v1/workspaces", R"({"name":["a"]})", 400,
         "invalid_request"},
        {"duplicate workspace", "POST", "/api/v1/workspaces", R"({"name":"emea"})", 409,
         "conflict"},
        {"deep nesting", "POST", "/api/v1/workspaces",
         R"({"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})", 400,
         "invalid_request"},
        {"repeated workspace name", "POST", "/api/v1/workspaces", R"({"name":"a","name":"b"})", 400,
         "invalid_request"},
        {"repeated level", "POST", "/api/v1/tokens",
         R"({"name":"a","level":"workspace","level":"org"})", 400, "invalid_request"},
        {"unknown token", "GET", "/api/v1/tokens/nope", "", 404, "not_found"},
        {"rotate unknown", "POST", "/api/v1/tokens/nope/rotate", "", 404, "not_found"},
        {"revoke unknown", "POST", "/api/v1/tokens/nope/revoke", "", 404, "not_found"},
        {"delete unknown", "DELETE", "/api/v1/tokens/nope", "", 404, "not_found"},
        {"unknown workspace id", "GET", "/api/v1/workspaces/nope", "", 404, "not_found"},
    };
    for (const BadInput& c : cases) {
        std::string path = c.path;
        if (auto at = path.find("{token}"); at != std::string::npos) {
            path.replace(at, 7, token["id"].get<std::string>());
        }
        SCOPED_TRACE(c.name);
        ExpectError(AsAdmin(c.method, path, c.body), c.status, c.code);
    }
    EXPECT_EQ(ScimStatus(secret), 200) << "no bad rotate may have changed the secret";
}

// Every field of every admin body set to every JSON shape: the answer is a success or a 4xx in
// the admin error shape, never a 5xx.
TEST_P(AdminApiTest, NoFieldValueOfAnyShapeCausesAServerError) {
    std::string ws = CreateWorkspace("emea");
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    const Json base_token = {{"name", "n"}, {"level", "workspace"}, {"workspace_id", ws}};
    const Json shapes[] = {nullptr,
                           true,
                           0,
                           -1,
                           1e308,
                           "",
                           "x",
                           "0s",
                           "-5m",
                           "99999999999999999999d",
                           "9999-99-99T99:99:99Z",
                           std::string(300, 'a'),
                           std::string("a\0b", 4),
                           Json::array(),
                           Json::object(),
                           Json::array({1, "2"})};
    struct Target {
        const char* path;
        Json base;
        std::vector<const char*> fields;
    };
    const Target targets[] = {
        {"/api/v1/tokens",
         base_token,
         {"name", "level", "workspace_id", "expires_in", "expires_at"}},
        {"/api/v1/workspaces", Json{{"name", "w"}}, {"name"}},
        {"rotate", Json::object(), {"grace_period"}},
    };
    int n = 0;
    for (const Target& target : targets) {
        for (const char* field : target.fields) {
            for (const Json& shape : shapes) {
                Json body = target.base;
                body[field] = shape;
                if (std::string(target.path) == "/api/v1/workspaces" && shape.is_string()) {
                    body[field] = shape.get<std::string>() + std::to_string(++n);  // stay unique
                }
                std::string path = target.path;
                if (path == "rotate") {
                    path = "/api/v1/tokens/" + token["id"].get<std::string>() + "/rotate";
                }
                HttpResponse response = AsAdmin("POST", path, body.dump());
                SCOPED_TRACE(path + " " + body.dump().substr(0, 80));
                EXPECT_LT(response.status, 500) << response.body;
                if (response.status >= 400) {
                    EXPECT_TRUE(Body(response)["error"]["code"].is_string());
                }
            }
        }
    }
}

TEST_P(AdminApiTest, ABodyThatIsNotJsonIsUnsupportedMediaType) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/api/v1/workspaces";
    request.peer = kPeer;
    request.headers = {{"Authorization", "Bearer " + admin_key_}, {"Content-Type", "text/plain"}};
    request.body = "name=emea";
    ExpectError(api_->Handle(request), 415, "unsupported_media_type");
}

TEST_P(AdminApiTest, UnknownPathsAndMethodsAnswerInTheAdminErrorShape) {
    ExpectError(AsAdmin("GET", "/api/v1/widgets"), 404, "not_found");
    ExpectError(AsAdmin("GET", "/v2/nothing-here"), 404, "not_found");
    HttpResponse wrong = AsAdmin("PUT", "/api/v1/tokens");
    ExpectError(wrong, 405, "method_not_allowed");
    EXPECT_THAT(wrong.Header("Allow"), Optional(std::string("GET, HEAD, POST")));
    ExpectError(AsAdmin("PATCH", "/v2/audit-logs"), 405, "method_not_allowed");
}

TEST_P(AdminApiTest, AnOversizedBodyIsRefusedBeforeParsing) {
    std::string name(AdminApiOptions{}.max_body_bytes, 'a');
    ExpectError(AsAdmin("POST", "/api/v1/workspaces", Json{{"name", name}}.dump()), 413,
                "payload_too_large");
}

TEST_P(AdminApiTest, UnknownFieldsAreIgnored) {
    HttpResponse response =
        AsAdmin("POST", "/api/v1/workspaces", R"({"name":"emea","colour":"blue","n":[1,2]})");
    EXPECT_EQ(response.status, 201) << response.body;
}

TEST_P(AdminApiTest, WorkspacesAreCreatedListedAndShown) {
    HttpResponse created = AsAdmin("POST", "/api/v1/workspaces", R"({"name":"emea"})");
    ASSERT_EQ(created.status, 201) << created.body;
    Json workspace = Body(created);
    std::string id = workspace["id"];
    EXPECT_EQ(workspace["org_id"], org_);
    EXPECT_THAT(created.Header("Location"), Optional("/api/v1/workspaces/" + id));
    CreateWorkspace("apac");
    Json listed = Body(AsAdmin("GET", "/api/v1/workspaces"));
    ASSERT_EQ(listed["data"].size(), 2u);
    Json shown = Body(AsAdmin("GET", "/api/v1/workspaces/" + id));
    EXPECT_EQ(shown, workspace);
}

TEST_P(AdminApiTest, ListingNeverShowsSecretsAndFiltersByWorkspace) {
    std::string ws = CreateWorkspace("emea");
    CreateToken({{"name", "okta"}, {"level", "org"}});
    auto [scoped, scoped_secret] =
        CreateToken({{"name", "emea-sync"}, {"level", "workspace"}, {"workspace_id", ws}});
    HttpResponse listed = AsAdmin("GET", "/api/v1/tokens");
    ASSERT_EQ(listed.status, 200);
    Json data = Body(listed)["data"];
    ASSERT_EQ(data.size(), 3u);  // the admin key, the org SAT and the workspace SAT
    for (const Json& token : data) {
        EXPECT_FALSE(token.contains("secret"));
        EXPECT_FALSE(token.contains("hash"));
        EXPECT_EQ(token["status"], "active");
    }
    for (const std::string& secret : secrets_) {
        EXPECT_EQ(listed.body.find(secret), std::string::npos);
    }
    Json filtered = Body(AsAdmin("GET", "/api/v1/tokens?workspace_id=" + ws))["data"];
    ASSERT_EQ(filtered.size(), 1u);
    EXPECT_EQ(filtered[0]["id"], scoped["id"]);
}

TEST_P(AdminApiTest, TokensOfAnotherOrgAreNotFound) {
    auto other = tokens_->CreateOrg("Other", cli_);
    ASSERT_TRUE(other.ok());
    db::IssuedToken foreign = Mint(auth::TokenKind::kOrg, "theirs", std::nullopt, other->org_id);
    ExpectError(AsAdmin("GET", "/api/v1/tokens/" + foreign.info.token_id), 404, "not_found");
    ExpectError(AsAdmin("POST", "/api/v1/tokens/" + foreign.info.token_id + "/revoke"), 404,
                "not_found");
    EXPECT_EQ(ScimStatus(foreign.secret.Reveal()), 200);
}

TEST_P(AdminApiTest, EveryActionIsAuditedAgainstTheActingCredential) {
    std::string ws = CreateWorkspace("emea");
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    std::string path = "/api/v1/tokens/" + token["id"].get<std::string>();
    ASSERT_EQ(AsAdmin("POST", path + "/rotate").status, 200);
    ASSERT_EQ(AsAdmin("POST", path + "/revoke").status, 200);
    int first_request = request_count_ - 3;  // the request ids of the four writes above

    HttpResponse page = AsAdmin("GET", "/v2/audit-logs");
    ASSERT_EQ(page.status, 200) << page.body;
    std::vector<Json> mine;
    Json events = Body(page)["data"];
    for (const Json& event : events) {
        if (event["actor"]["kind"] == "admin_key") {
            mine.push_back(event);
        }
    }
    ASSERT_EQ(mine.size(), 4u);
    const char* actions[] = {"workspace.created", "token.created", "token.rotated",
                             "token.revoked"};
    for (std::size_t i = 0; i < mine.size(); ++i) {
        SCOPED_TRACE(actions[i]);
        EXPECT_EQ(mine[i]["action"], actions[i]);
        EXPECT_EQ(mine[i]["actor"]["id"], admin_key_id_);
        EXPECT_EQ(mine[i]["actor"]["name"], "console");
        EXPECT_EQ(mine[i]["request_id"], "req-" + std::to_string(first_request + i));
        EXPECT_EQ(mine[i]["source_address"], kPeer);
        EXPECT_TRUE(mine[i]["created_at"].is_string());
        EXPECT_TRUE(mine[i]["details"].is_object());
    }
    EXPECT_EQ(mine[0]["target"]["type"], "Workspace");
    EXPECT_EQ(mine[0]["target"]["id"], ws);
    EXPECT_EQ(mine[1]["target"], (Json{{"type", "Token"}, {"id", token["id"]}}));
    EXPECT_EQ(page.body.find(secret), std::string::npos);
}

TEST_P(AdminApiTest, AuditLogIsReadableWithAnOrgToken) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    HttpResponse page = Send("GET", "/v2/audit-logs", secret);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_FALSE(Body(page)["data"].empty());
}

// Follows paging.next links from the first page and returns the event ids in the order seen.
std::vector<std::string> WalkPages(const std::function<HttpResponse(const std::string&)>& get,
                                   std::string target,
                                   int* pages) {
    std::vector<std::string> ids;
    *pages = 0;
    while (!target.empty() && *pages < 100) {
        HttpResponse response = get(target);
        EXPECT_EQ(response.status, 200) << response.body;
        if (response.status != 200) {
            break;
        }
        ++*pages;
        Json body = nlohmann::json::parse(response.body);
        for (const Json& event : body["data"]) {
            ids.push_back(event["id"]);
        }
        Json next = body["paging"]["next"];
        EXPECT_EQ(next.is_null(), body["paging"]["next_cursor"].is_null());
        target = next.is_null() ? "" : next.get<std::string>();
    }
    return ids;
}

TEST_P(AdminApiTest, AuditPagesOfTwoWalkEveryEventExactlyOnce) {
    for (int i = 0; i < 4; ++i) {
        CreateWorkspace("ws" + std::to_string(i));
    }
    CreateToken({{"name", "okta"}, {"level", "org"}});
    Json all = Body(AsAdmin("GET", "/v2/audit-logs?per_page=100"))["data"];
    ASSERT_GE(all.size(), 7u);  // org, admin key, four workspaces, one token
    std::vector<std::string> expected;
    for (const Json& event : all) {
        expected.push_back(event["id"]);
    }

    int pages = 0;
    auto get = [this](const std::string& target) { return AsAdmin("GET", target); };
    std::vector<std::string> walked = WalkPages(get, "/v2/audit-logs?per_page=2", &pages);
    EXPECT_EQ(walked, expected);
    EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size());
    EXPECT_GE(pages, static_cast<int>(expected.size() / 2));
}

TEST_P(AdminApiTest, AuditPagingPicksUpEventsWrittenBetweenPages) {
    CreateWorkspace("a");
    Json first = Body(AsAdmin("GET", "/v2/audit-logs?per_page=2"));
    ASSERT_FALSE(first["paging"]["next"].is_null());
    CreateWorkspace("b");
    CreateWorkspace("c");
    std::vector<std::string> seen;
    for (const Json& event : first["data"]) {
        seen.push_back(event["id"]);
    }
    int pages = 0;
    auto get = [this](const std::string& target) { return AsAdmin("GET", target); };
    for (const std::string& id :
         WalkPages(get, first["paging"]["next"].get<std::string>(), &pages)) {
        seen.push_back(id);
    }
    std::vector<std::string> expected;
    Json all = Body(AsAdmin("GET", "/v2/audit-logs"))["data"];
    for (const Json& event : all) {
        expected.push_back(event["id"]);
    }
    EXPECT_EQ(seen, expected);
}

// A reader follows next links, then polls tail_cursor, while another thread keeps writing
// through the API: it must end up with every event exactly once, in commit order.
TEST_P(AdminApiTest, AuditPagingAndTailPollingSeeEveryEventOnceWhileWritesGoOn) {
    constexpr int kWrites = 24;
    std::atomic<bool> writing{true};
    std::atomic<int> failures{0};
    std::thread writer([&] {
        for (int i = 0; i < kWrites; ++i) {
            HttpRequest request;
            request.method = "POST";
            request.path = "/api/v1/workspaces";
            request.peer = kPeer;
            request.headers = {{"Authorization", "Bearer " + admin_key_},
                               {"Content-Type", "application/json"}};
            request.body = Json{{"name", "ws" + std::to_string(i)}}.dump();
            if (api_->Handle(request).status != 201) {
                ++failures;
            }
        }
        writing = false;
    });

    std::vector<std::string> seen;
    std::string target = "/v2/audit-logs?per_page=2";
    for (int round = 0; round < 2000; ++round) {
        bool done = !writing.load();
        Json body = Body(AsAdmin("GET", target));
        ASSERT_TRUE(body.contains("data")) << body.dump();
        for (const Json& event : body["data"]) {
            seen.push_back(event["id"]);
        }
        Json paging = body["paging"];
        if (!paging["next"].is_null()) {
            target = paging["next"];
            continue;
        }
        if (done && body["data"].empty()) {
            break;  // the writer had finished before this read, and nothing was left
        }
        if (!paging["tail_cursor"].is_null()) {
            target = "/v2/audit-logs?per_page=2&cursor=" + paging["tail_cursor"].get<std::string>();
        }
    }
    writer.join();
    EXPECT_EQ(failures.load(), 0);

    std::vector<std::string> expected;
    Json all = Body(AsAdmin("GET", "/v2/audit-logs?per_page=100"))["data"];
    for (const Json& event : all) {
        expected.push_back(event["id"]);
    }
    EXPECT_EQ(expected.size(), static_cast<std::size_t>(kWrites + 2));  // + org and admin key
    EXPECT_EQ(seen, expected);
}

TEST_P(AdminApiTest, AuditFiltersCarryIntoTheNextLink) {
    std::string ws = CreateWorkspace("emea");
    for (int i = 0; i < 3; ++i) {
        CreateToken(
            {{"name", "t" + std::to_string(i)}, {"level", "workspace"}, {"workspace_id", ws}});
    }
    CreateToken({{"name", "org-wide"}, {"level", "org"}});
    HttpResponse first = AsAdmin("GET", "/v2/audit-logs?per_page=2&workspace_id=" + ws +
                                            "&created_after=2001-01-01T00%3A00%3A00Z");
    ASSERT_EQ(first.status, 200) << first.body;
    std::string next = Body(first)["paging"]["next"];
    EXPECT_THAT(next, HasSubstr("workspace_id=" + ws));
    EXPECT_THAT(next, HasSubstr("created_after=2001-01-01T00%3A00%3A00Z"));
    EXPECT_THAT(next, HasSubstr("per_page=2"));
    int pages = 0;
    auto get = [this](const std::string& target) { return AsAdmin("GET", target); };
    std::vector<std::string> ids =
        WalkPages(get, "/v2/audit-logs?per_page=2&workspace_id=" + ws, &pages);
    EXPECT_EQ(ids.size(), 4u);  // the workspace's creation and its three tokens
    Json later = Body(AsAdmin("GET", "/v2/audit-logs?created_after=2099-01-01T00:00:00Z"));
    EXPECT_TRUE(later["data"].empty());
    EXPECT_TRUE(later["paging"]["next"].is_null());
}

// Each committed token or workspace change is one audit event, and /metrics counts them.
TEST_P(AdminApiTest, AdminActionsCountTheirAuditEventsInMetrics) {
    auto counted = [this] {
        const std::string text = metrics_->Render();
        const std::string name = "\nscimd_audit_events_total ";
        const std::size_t at = text.find(name);
        return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size()));
    };
    ASSERT_EQ(counted(), 0);
    CreateWorkspace("emea");
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    std::string path = "/api/v1/tokens/" + token["id"].get<std::string>();
    ASSERT_EQ(AsAdmin("POST", path + "/rotate").status, 200);
    ASSERT_EQ(AsAdmin("POST", path + "/revoke").status, 200);
    EXPECT_EQ(counted(), 4);
    // Refused or no-op actions commit no event.
    ASSERT_EQ(AsAdmin("POST", path + "/revoke").status, 200);
    ASSERT_EQ(AsAdmin("POST", path + "/rotate").status, 409);
    ExpectError(AsAdmin("POST", "/api/v1/workspaces", R"({"name": "emea"})"), 409, "conflict");
    EXPECT_EQ(counted(), 4);
}

TEST_P(AdminApiTest, AuditRejectsBadQueryParameters) {
    for (const char* query :
         {"per_page=0", "per_page=101", "per_page=abc", "per_page=", "per_page=-1", "per_page=1.5",
          "per_page=%2B3", "per_page=99999999999999999999", "created_after=yesterday",
          "created_after=2026-02-30T00:00:00Z", "cursor=bogus", "per_page=%ZZ"}) {
        SCOPED_TRACE(query);
        ExpectError(AsAdmin("GET", std::string("/v2/audit-logs?") + query), 400, "invalid_request");
    }
    EXPECT_EQ(AsAdmin("GET", "/v2/audit-logs?per_page=1").status, 200);
    EXPECT_EQ(AsAdmin("GET", "/v2/audit-logs?per_page=100").status, 200);
}

TEST_P(AdminApiTest, ACursorOfAnotherOrgIsRejected) {
    auto other = tokens_->CreateOrg("Other", cli_);
    ASSERT_TRUE(other.ok());
    std::string cursor = db::CursorAfter(other->org_id, 1);
    ExpectError(AsAdmin("GET", "/v2/audit-logs?cursor=" + cursor), 400, "invalid_request");
}

TEST_P(AdminApiTest, AccessLogNamesRouteAndCredentialButNoSecret) {
    auto [token, secret] = CreateToken({{"name", "okta"}, {"level", "org"}});
    AsAdmin("POST", "/api/v1/tokens/" + token["id"].get<std::string>() + "/rotate",
            R"({"grace_period":"1m"})");
    ScimStatus(secret);
    Send("GET", "/api/v1/tokens", "scimd_akey_" + org_ + "_wrong");
    ASSERT_GE(log_.size(), 4u);
    EXPECT_THAT(log_[0], HasSubstr("route=/api/v1/tokens "));
    EXPECT_THAT(log_[0], HasSubstr("token_id=" + admin_key_id_));
    EXPECT_THAT(log_[0], HasSubstr("status=201"));
    EXPECT_THAT(log_[1], HasSubstr("route=/api/v1/tokens/{id}/rotate"));
    ASSERT_GE(secrets_.size(), 3u);  // the admin key, the token and its rotated secret
    // TearDown checks every line against every secret.
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AdminApiTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace scim::http::admin_test

#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "db/audit_store.h"
#include "db/token_fixture.h"
#include "db/token_store.h"
#include "http/fakes.h"
#include "http/process.h"
#include "scim/http/admin_api.h"
#include "scim/http/api.h"
#include "scim/http/client_address.h"
#include "scim/http/metrics.h"

// The whole Api (route table, access log) with the admin API on real token and audit stores,
// SQLite or PostgreSQL (see tests/db/db_fixture.h), one real Authenticator shared by SCIM and the
// admin API, and a mock SCIM backend that answers every authorized listing with 200: the SCIM
// side only has to show whether a credential gets in. Every secret the test sees is remembered,
// and after each test no access log line may contain any of them.
namespace scim::http::admin_test {

// What the program wires in front of SCIM: an organization SAT or nothing.
class OrgSatOnly final : public RequestAuthenticator {
public:
    explicit OrgSatOnly(auth::Authenticator& authenticator) : authenticator_(authenticator) {}

    AuthOutcome AuthenticateScim(std::string_view authorization,
                                 std::string_view source_addr) override {
        Result<Principal> principal = authenticator_.Authenticate(authorization, source_addr);
        if (!principal.ok()) {
            std::optional<int> retry;
            if (principal.error().status == 429) {
                retry = static_cast<int>(authenticator_.RetryAfter(source_addr).count());
            }
            return {std::move(principal).error(), retry};
        }
        if (Status allowed = auth::RequireOrgSat(*principal); !allowed.ok()) {
            return {std::move(allowed).error(), std::nullopt};
        }
        return {std::move(principal), std::nullopt};
    }

private:
    auth::Authenticator& authenticator_;
};

class AdminApiTest : public db_test::DbTest {
protected:
    static constexpr const char* kPeer = "127.0.0.9";
    // Proxies whose X-Forwarded-For the Api believes; kPeer is not one of them.
    static constexpr const char* kTrustedProxies = "10.9.0.0/16, fd00:9::/32";

    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        tokens_ = std::make_unique<db::TokenStore>(db_, auth::Pepper(), clock_);
        audit_ = std::make_unique<db::AuditStore>(db_);
        // The program's cache setting, so revocation tests show that the admin API evicts.
        auth::AuthenticatorOptions auth_options;
        auth_options.credential_cache_ttl = auth::kMaxCredentialCacheTtl;
        authenticator_ =
            std::make_unique<auth::Authenticator>(*tokens_, auth::Pepper(), clock_, auth_options);
        scim_auth_ = std::make_unique<OrgSatOnly>(*authenticator_);
        metrics_ = std::make_unique<Metrics>(Api::RouteTemplates(), BuildInfo{"1"});
        AdminApiOptions admin_options;
        admin_options.metrics = metrics_.get();
        admin_ =
            std::make_unique<AdminApi>(*authenticator_, *tokens_, *audit_, clock_, admin_options);
        ON_CALL(backend_, List(::testing::_, ::testing::_, ::testing::_))
            .WillByDefault(::testing::Return(Response{200, {{"totalResults", 0}}, {}, {}}));
        ApiOptions options;
        options.log = [this](std::string_view line) {
            std::lock_guard<std::mutex> lock(log_mu_);
            log_.emplace_back(line);
        };
        options.admin = admin_.get();
        options.trusted_proxies = *ParseCidrList(kTrustedProxies);
        api_ = std::make_unique<Api>(backend_, *scim_auth_, std::move(options));

        cli_.principal.kind = CredentialKind::kCli;
        cli_.principal.credential_name = "tester";
        auto org = tokens_->CreateOrg("Acme", cli_);
        ASSERT_TRUE(org.ok()) << org.error().internal;
        org_ = org->org_id;
        db::IssuedToken key = Mint(auth::TokenKind::kAdmin, "console");
        admin_key_ = std::string(key.secret.Reveal());
        admin_key_id_ = key.info.token_id;
    }

    void TearDown() override {
        for (const std::string& line : log_) {
            for (const std::string& secret : secrets_) {
                EXPECT_EQ(line.find(secret), std::string::npos) << "secret in log: " << line;
            }
        }
        // Also into the run-wide check of scripts/check-log-secrets.
        for (const std::string& secret : secrets_) {
            http::testing::RecordSecret(secret);
        }
        http::testing::KeepLogLines(log_, "admin-api-access.log");
        api_.reset();
        admin_.reset();
        scim_auth_.reset();
        authenticator_.reset();
        audit_.reset();
        tokens_.reset();
        DbTest::TearDown();
    }

    // A credential minted directly on the store (as scimctl would), remembered as a secret.
    db::IssuedToken Mint(auth::TokenKind kind,
                         std::string name,
                         std::optional<std::string> workspace = std::nullopt,
                         const std::string& org = "") {
        db::TokenSpec spec;
        spec.org_id = org.empty() ? org_ : org;
        spec.kind = kind;
        spec.name = std::move(name);
        spec.workspace_id = std::move(workspace);
        auto issued = tokens_->CreateToken(spec, cli_);
        EXPECT_TRUE(issued.ok()) << issued.error().detail << issued.error().internal;
        if (!issued.ok()) {
            return {};
        }
        secrets_.emplace_back(issued->secret.Reveal());
        return std::move(*issued);
    }

    // Sends one request. `target` may carry a query ("/v2/audit-logs?per_page=2"); `token`
    // empty sends no Authorization header; a non-empty `body` goes as application/json.
    HttpResponse Send(std::string method,
                      std::string_view target,
                      std::string_view token,
                      std::string body = "",
                      std::string peer = kPeer,
                      const HeaderList& extra_headers = {}) {
        HttpRequest request;
        request.method = std::move(method);
        std::string_view path = target.substr(0, target.find('?'));
        request.path = std::string(path);
        if (path.size() < target.size()) {
            std::string_view rest = target.substr(path.size() + 1);
            while (!rest.empty()) {
                std::string_view pair = rest.substr(0, rest.find('&'));
                std::size_t eq = pair.find('=');
                request.query.emplace_back(std::string(pair.substr(0, eq)),
                                           eq == std::string_view::npos
                                               ? std::string()
                                               : std::string(pair.substr(eq + 1)));
                rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
            }
        }
        if (!token.empty()) {
            request.headers.emplace_back("Authorization", "Bearer " + std::string(token));
        }
        if (!body.empty()) {
            request.headers.emplace_back("Content-Type", "application/json");
        }
        request.headers.insert(request.headers.end(), extra_headers.begin(), extra_headers.end());
        request.headers.emplace_back("X-Request-Id", "req-" + std::to_string(++request_count_));
        request.body = std::move(body);
        request.peer = std::move(peer);
        HttpResponse response = api_->Handle(request);
        RememberSecrets(response);
        return response;
    }

    // Sends with the fixture's admin key.
    HttpResponse AsAdmin(std::string method, std::string_view target, std::string body = "") {
        return Send(std::move(method), target, admin_key_, std::move(body));
    }

    static nlohmann::json Body(const HttpResponse& response) {
        return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    }

    // Asserts the admin error shape of api/openapi.json.
    static void ExpectError(const HttpResponse& response, int status, const char* code) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_THAT(response.Header("Content-Type"),
                    ::testing::Optional(::testing::HasSubstr("application/json")));
        nlohmann::json body = Body(response);
        ASSERT_TRUE(body.is_object()) << response.body;
        EXPECT_EQ(body["error"]["status"], status);
        EXPECT_EQ(body["error"]["code"], code);
        EXPECT_TRUE(body["error"]["message"].is_string());
        EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    }

    // Creates a token over the API and returns {token json, secret}.
    std::pair<nlohmann::json, std::string> CreateToken(const nlohmann::json& request) {
        HttpResponse response = AsAdmin("POST", "/api/v1/tokens", request.dump());
        EXPECT_EQ(response.status, 201) << response.body;
        nlohmann::json body = Body(response);
        if (response.status != 201) {
            return {};
        }
        return {body["token"], body["secret"].get<std::string>()};
    }

    std::string CreateWorkspace(const std::string& name) {
        HttpResponse response =
            AsAdmin("POST", "/api/v1/workspaces", nlohmann::json{{"name", name}}.dump());
        EXPECT_EQ(response.status, 201) << response.body;
        return Body(response).value("id", "");
    }

    int ScimStatus(std::string_view token) { return Send("GET", "/scim/v2/Users", token).status; }

    void RememberSecrets(const HttpResponse& response) {
        nlohmann::json body = Body(response);
        if (body.is_object() && body.contains("secret") && body["secret"].is_string()) {
            secrets_.push_back(body["secret"].get<std::string>());
        }
    }

    db_test::ManualClock clock_;
    std::unique_ptr<db::TokenStore> tokens_;
    std::unique_ptr<db::AuditStore> audit_;
    std::unique_ptr<auth::Authenticator> authenticator_;
    std::unique_ptr<OrgSatOnly> scim_auth_;
    std::unique_ptr<Metrics> metrics_;
    std::unique_ptr<AdminApi> admin_;
    ::testing::NiceMock<testing::MockBackend> backend_;
    std::unique_ptr<Api> api_;
    std::mutex log_mu_;  // the Api logs from every thread that calls Handle
    std::vector<std::string> log_;
    std::vector<std::string> secrets_;
    RequestContext cli_;
    std::string org_;
    std::string admin_key_;
    std::string admin_key_id_;
    int request_count_ = 0;
};

}  // namespace scim::http::admin_test

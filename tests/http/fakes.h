#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "scim/http/backend.h"

namespace scim::http::testing {

class MockBackend : public ScimBackend {
public:
    MOCK_METHOD(Result<Response>,
                Create,
                (const RequestContext&, std::string_view, const nlohmann::json&, const Query&),
                (override));
    MOCK_METHOD(Result<Response>,
                Get,
                (const RequestContext&,
                 std::string_view,
                 std::string_view,
                 const Query&,
                 const Preconditions&),
                (override));
    MOCK_METHOD(Result<Response>,
                Replace,
                (const RequestContext&,
                 std::string_view,
                 std::string_view,
                 const nlohmann::json&,
                 const Query&,
                 const Preconditions&),
                (override));
    MOCK_METHOD(Result<Response>,
                Patch,
                (const RequestContext&,
                 std::string_view,
                 std::string_view,
                 const nlohmann::json&,
                 const Query&,
                 const Preconditions&),
                (override));
    MOCK_METHOD(Result<Response>,
                Delete,
                (const RequestContext&, std::string_view, std::string_view, const Preconditions&),
                (override));
    MOCK_METHOD(Result<Response>,
                List,
                (const RequestContext&, std::optional<std::string_view>, const Query&),
                (override));
    MOCK_METHOD(Result<Response>,
                Search,
                (const RequestContext&, std::optional<std::string_view>, const nlohmann::json&),
                (override));
    MOCK_METHOD(Result<Response>, ServiceProviderConfig, (), (override));
    MOCK_METHOD(Result<Response>, ResourceTypes, (std::optional<std::string_view>), (override));
    MOCK_METHOD(Result<Response>, Schemas, (std::optional<std::string_view>), (override));
    MOCK_METHOD(bool, Ready, (), (override));
};

// Accepts exactly "Bearer good" (org "org-1", token "tok-1"); "Bearer workspace" is a valid
// credential of the wrong level; "Bearer slow-down" is throttled; anything else is a 401.
class FakeAuthenticator : public RequestAuthenticator {
public:
    AuthOutcome AuthenticateScim(std::string_view authorization,
                                 std::string_view source_addr) override {
        {
            std::lock_guard lock(mu_);
            seen_.emplace_back(authorization);
            addrs_.emplace_back(source_addr);
        }
        if (authorization == "Bearer good") {
            Principal principal;
            principal.org_id = "org-1";
            principal.credential_id = "tok-1";
            return {principal, std::nullopt};
        }
        if (authorization == "Bearer workspace") {
            return {Error::Forbidden("this endpoint needs an organization token"), std::nullopt};
        }
        if (authorization == "Bearer slow-down") {
            return {Error{429, std::nullopt, "too many failed attempts", {}}, 17};
        }
        return {Error::Unauthorized("authentication required"), std::nullopt};
    }

    std::vector<std::string> addrs() {
        std::lock_guard lock(mu_);
        return addrs_;
    }

private:
    std::mutex mu_;
    std::vector<std::string> seen_;
    std::vector<std::string> addrs_;
};

}  // namespace scim::http::testing

#include "scim/http/router.h"

#include <gtest/gtest.h>

namespace scim::http {
namespace {

class RouterTest : public ::testing::Test {
protected:
    void SetUp() override {
        list_ = router_.Add("GET", "/scim/v2/Users");
        create_ = router_.Add("POST", "/scim/v2/Users");
        search_ = router_.Add("POST", "/scim/v2/Users/.search");
        get_ = router_.Add("GET", "/scim/v2/Users/{id}");
        patch_ = router_.Add("PATCH", "/scim/v2/Users/{id}");
        schema_ = router_.Add("GET", "/scim/v2/Schemas/{urn}");
    }

    Router router_;
    std::size_t list_, create_, search_, get_, patch_, schema_;
};

TEST_F(RouterTest, MatchesEndpointsCaseInsensitively) {
    for (const char* path :
         {"/scim/v2/Users", "/scim/v2/users", "/SCIM/V2/USERS", "/scim/v2/Users/"}) {
        SCOPED_TRACE(path);
        RouteMatch match = router_.Match("GET", path);
        ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
        EXPECT_EQ(match.route, list_);
    }
}

TEST_F(RouterTest, DecodesParametersAndKeepsTheirCase) {
    RouteMatch match = router_.Match("GET", "/scim/v2/Users/AbC%20d+e");
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(match.route, get_);
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0], "AbC d+e");

    match = router_.Match("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(match.params[0], "urn:ietf:params:scim:schemas:core:2.0:User");
}

TEST_F(RouterTest, PrefersFixedSegmentsOverParameters) {
    RouteMatch match = router_.Match("POST", "/scim/v2/Users/.search");
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(match.route, search_);
}

TEST_F(RouterTest, ReportsAllowedMethodsForAWrongMethod) {
    RouteMatch match = router_.Match("DELETE", "/scim/v2/Users");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kWrongMethod);
    EXPECT_EQ(match.allow, "GET, HEAD, POST");

    match = router_.Match("PUT", "/scim/v2/Users/42");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kWrongMethod);
    EXPECT_EQ(match.allow, "GET, HEAD, PATCH");

    match = router_.Match("GET", "/scim/v2/Users/.search");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kWrongMethod);
    EXPECT_EQ(match.allow, "POST");
}

TEST_F(RouterTest, MatchesPercentEncodedLiteralSegments) {
    for (const char* path : {"/scim/v2/%55sers", "/%73cim/v2/Users", "/scim/v2/U%73ers/"}) {
        SCOPED_TRACE(path);
        RouteMatch match = router_.Match("GET", path);
        ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
        EXPECT_EQ(match.route, list_);
    }
    RouteMatch search = router_.Match("POST", "/scim/v2/Users/%2Esearch");
    ASSERT_EQ(search.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(search.route, search_);
}

TEST_F(RouterTest, ServesHeadWithTheGetRoute) {
    RouteMatch match = router_.Match("HEAD", "/scim/v2/Users/42");
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(match.route, get_);
    EXPECT_EQ(match.params, std::vector<std::string>{"42"});

    match = router_.Match("HEAD", "/scim/v2/Users/.search");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kWrongMethod);
    EXPECT_EQ(match.allow, "POST");
}

TEST_F(RouterTest, UnknownPathsAndBadEncodingsAreNotFound) {
    for (const char* path :
         {"/", "/scim/v2/Widgets", "/scim/v2/Users/1/2", "/scim/v2/Users/%zz", "/scim/v1/Users"}) {
        SCOPED_TRACE(path);
        EXPECT_EQ(router_.Match("GET", path).kind, RouteMatch::Kind::kNotFound);
    }
}

}  // namespace
}  // namespace scim::http

#include "service_fixture.h"

namespace scim::service::testing {
namespace {

using ::testing::UnorderedElementsAre;

// Filters on the server root apply to every resource type; an attribute that one type lacks has
// no value there (RFC 7644 §3.4.2.2).
class RootFilterTest : public ServiceTest {
protected:
    void SetUp() override {
        ServiceTest::SetUp();
        user_ = CreateUser("u1@x.org");
        other_user_ = CreateOk("User", {{"schemas", {schemas::kUserSchema}},
                                        {"userName", "u2@x.org"},
                                        {"displayName", "Eng"}});
        eng_ = CreateGroup("Eng");
        ops_ = CreateGroup("Ops");
    }

    std::vector<std::string> Ids(const nlohmann::json& body) {
        std::vector<std::string> ids;
        for (const auto& r : body["Resources"]) {
            ids.push_back(r["id"].get<std::string>());
        }
        return ids;
    }

    Result<Response> OnRoot(const std::string& filter, bool cursor = false) {
        Query query;
        query.filter = filter;
        if (cursor) {
            query.cursor = "";
        }
        return service_->List(ctx_, std::nullopt, query);
    }

    std::string user_, other_user_, eng_, ops_;
};

TEST_F(RootFilterTest, OrKeepsTypesThatLackOneSide) {
    for (bool cursor : {false, true}) {
        auto listed = OnRoot(R"(userName eq "u1@x.org" or displayName eq "Eng")", cursor);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        EXPECT_EQ(listed->body["totalResults"], 3);
        EXPECT_THAT(Ids(listed->body), UnorderedElementsAre(user_, other_user_, eng_));
    }
}

TEST_F(RootFilterTest, NotOfAnAbsentAttributeMatchesEveryResourceOfTheTypeLackingIt) {
    for (bool cursor : {false, true}) {
        auto listed = OnRoot("not (userName pr)", cursor);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        EXPECT_EQ(listed->body["totalResults"], 2);
        EXPECT_THAT(Ids(listed->body), UnorderedElementsAre(eng_, ops_));
    }
}

TEST_F(RootFilterTest, FilterThatNoTypeCanMatchIsAnEmptyList) {
    for (bool cursor : {false, true}) {
        auto listed = OnRoot("userName pr and members pr", cursor);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        EXPECT_EQ(listed->body["totalResults"], 0);
        EXPECT_TRUE(listed->body["Resources"].empty());
    }
}

TEST_F(RootFilterTest, SearchOnRootAppliesTheSameRule) {
    auto found = service_->Search(
        ctx_, std::nullopt,
        {{"schemas", {schemas::kSearchRequestSchema}}, {"filter", "not (userName pr)"}});
    ASSERT_TRUE(found.ok()) << found.error().detail;
    EXPECT_THAT(Ids(found->body), UnorderedElementsAre(eng_, ops_));
}

TEST_F(RootFilterTest, AttributeUnknownToEveryTypeIsInvalidFilterNamingNoType) {
    auto listed = OnRoot("bogus pr");
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().status, 400);
    EXPECT_EQ(listed.error().scim_type, ScimType::kInvalidFilter);
    EXPECT_NE(listed.error().detail.find("'bogus' is not an attribute of any resource type"),
              std::string::npos)
        << listed.error().detail;
}

TEST_F(RootFilterTest, InvalidComparisonOnAKnownAttributeIsStillRefused) {
    auto listed = OnRoot("userName eq 5");
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().scim_type, ScimType::kInvalidFilter);
}

TEST_F(RootFilterTest, ResourceEndpointsStayStrict) {
    Query query;
    query.filter = R"(userName eq "u1@x.org" or displayName eq "Eng")";
    auto groups = service_->List(ctx_, "Group", query);
    ASSERT_FALSE(groups.ok());
    EXPECT_EQ(groups.error().scim_type, ScimType::kInvalidFilter);
    EXPECT_NE(groups.error().detail.find("not an attribute of Group"), std::string::npos);
}

}  // namespace
}  // namespace scim::service::testing

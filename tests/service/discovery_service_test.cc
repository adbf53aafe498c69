#include "scim/service/discovery_service.h"

#include <gtest/gtest.h>

namespace scim::service {
namespace {

class DiscoveryServiceTest : public ::testing::Test {
protected:
    DiscoveryServiceTest() {
        auto loaded = schemas::Registry::Load();
        if (!loaded.ok()) {
            ADD_FAILURE() << loaded.error().detail;
            return;
        }
        schemas::DiscoveryConfig config;
        config.base_url = "https://scim.example.test/scim/v2";
        service_ = std::make_unique<DiscoveryService>(*loaded, config);
    }

    std::unique_ptr<DiscoveryService> service_;
};

TEST_F(DiscoveryServiceTest, ServesServiceProviderConfig) {
    auto config = service_->ServiceProviderConfig();
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(config->status, 200);
    EXPECT_TRUE(config->body.contains("patch"));
}

TEST_F(DiscoveryServiceTest, FindsResourceTypesCaseInsensitively) {
    auto list = service_->ResourceTypes();
    ASSERT_TRUE(list.ok());
    EXPECT_GE(list->body["totalResults"].get<int>(), 2);
    auto user = service_->ResourceType("user");
    ASSERT_TRUE(user.ok());
    EXPECT_EQ(user->body["name"], "User");
    auto missing = service_->ResourceType("Printer");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 404);
}

TEST_F(DiscoveryServiceTest, FindsSchemasByUrn) {
    auto list = service_->Schemas();
    ASSERT_TRUE(list.ok());
    auto group = service_->Schema(schemas::kGroupSchema);
    ASSERT_TRUE(group.ok());
    EXPECT_EQ(group->body["id"], schemas::kGroupSchema);
    auto missing = service_->Schema("urn:example:nothing");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 404);
}

}  // namespace
}  // namespace scim::service

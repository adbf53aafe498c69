#pragma once

#include <chrono>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_store.h"
#include "schemas/schema.h"
#include "scim/filter/filter.h"
#include "scim/service/resource_service.h"

namespace scim::service::testing {

// A ResourceService over the real Registry and a MockStore that behaves like the in-memory
// fake unless a test says otherwise. The clock is fixed and advanced by hand.
class ServiceTest : public ::testing::Test {
protected:
    ServiceTest() {
        auto loaded = schemas::Registry::Load();
        if (!loaded.ok()) {
            ADD_FAILURE() << "Registry::Load: " << loaded.error().detail;
            return;
        }
        registry_ = *loaded;
        store_.fake().set_filter([](const filter::Node& root, const StoredResource& row) {
            nlohmann::json doc = row.doc;
            doc["id"] = row.id;
            doc["meta"] = {{"created", row.created}, {"lastModified", row.last_modified}};
            return filter::Matches(root, doc);
        });
        Config config;
        config.base_url = "https://scim.example.test/scim/v2";
        config.max_results = 50;
        config.default_count = 10;
        config.max_write_retries = 3;
        config.cursor_key = "test cursor key";
        config.clock = [this] { return now_; };
        service_ = std::make_unique<ResourceService>(registry_, store_, config);
        ctx_.principal.org_id = "org-1";
        ctx_.principal.credential_id = "tok-1";
        ctx_.request_id = "req-1";
    }

    // Creates a resource through the service and returns its id.
    std::string CreateOk(std::string_view type, const nlohmann::json& body) {
        auto created = service_->Create(ctx_, type, body, Query{});
        EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().detail);
        return created.ok() ? created->body.value("id", "") : "";
    }

    std::string CreateUser(const std::string& user_name, bool active = true) {
        return CreateOk(
            "User",
            {{"schemas", {schemas::kUserSchema}}, {"userName", user_name}, {"active", active}});
    }

    std::string CreateGroup(const std::string& name, const std::vector<std::string>& members = {}) {
        nlohmann::json body = {{"schemas", {schemas::kGroupSchema}}, {"displayName", name}};
        if (!members.empty()) {
            body["members"] = nlohmann::json::array();
            for (const auto& id : members) {
                body["members"].push_back({{"value", id}});
            }
        }
        return CreateOk("Group", body);
    }

    static nlohmann::json PatchBody(nlohmann::json operations) {
        return {{"schemas", {schemas::kPatchOpSchema}}, {"Operations", std::move(operations)}};
    }

    std::chrono::system_clock::time_point now_ =
        std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    std::shared_ptr<const schemas::Registry> registry_;
    ::testing::NiceMock<MockStore> store_;
    std::unique_ptr<ResourceService> service_;
    RequestContext ctx_;
};

}  // namespace scim::service::testing

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/patch/patch.h"

namespace scim::patch::testing {

inline constexpr std::string_view kEnterprise = schemas::kEnterpriseUserSchema;

// Shared set-up for the PATCH tests: the built-in Registry and sample documents as the store
// keeps them (canonical names, no meta, no members).
class PatchTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto loaded = schemas::Registry::Load();
        ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
        registry_ = *loaded;
    }

    static nlohmann::json Body(const nlohmann::json& operations) {
        return {{"schemas", {schemas::kPatchOpSchema}}, {"Operations", operations}};
    }

    static nlohmann::json User() {
        return nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "u1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "bjensen@work.example", "type": "work", "primary": true},
                {"value": "babs@home.example", "type": "home"}
            ],
            "active": true
        })");
    }

    static nlohmann::json Group() {
        return nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "g1",
            "displayName": "Tour Guides"
        })");
    }

    // Applies `operations` (the Operations array) to `doc` of resource type `type`.
    static Result<PatchResult> Run(const nlohmann::json& doc,
                                   const nlohmann::json& operations,
                                   std::string_view type = schemas::kUserResource) {
        return RunBody(doc, Body(operations), type);
    }

    static Result<PatchResult> RunBody(const nlohmann::json& doc,
                                       const nlohmann::json& body,
                                       std::string_view type = schemas::kUserResource) {
        const schemas::ResourceType* resource_type = registry_->FindResourceType(type);
        EXPECT_NE(resource_type, nullptr) << type;
        return Apply(*registry_, *resource_type, doc, body);
    }

    // Applies and expects success; returns the patched document (null on failure).
    static nlohmann::json Patched(const nlohmann::json& doc,
                                  const nlohmann::json& operations,
                                  std::string_view type = schemas::kUserResource) {
        auto result = Run(doc, operations, type);
        EXPECT_TRUE(result.ok()) << result.error().detail;
        return result.ok() ? result->doc : nlohmann::json();
    }

    // Expects a 400 with `scim_type` whose detail starts with `detail_prefix`.
    static void ExpectError(const Result<PatchResult>& result,
                            ScimType scim_type,
                            std::string_view detail_prefix) {
        ASSERT_FALSE(result.ok()) << result->doc.dump();
        EXPECT_EQ(result.error().status, 400);
        ASSERT_TRUE(result.error().scim_type.has_value());
        EXPECT_EQ(ScimTypeName(*result.error().scim_type), ScimTypeName(scim_type))
            << result.error().detail;
        EXPECT_EQ(result.error().detail.rfind(detail_prefix, 0), 0u) << result.error().detail;
    }

    static inline std::shared_ptr<const schemas::Registry> registry_;
};

}  // namespace scim::patch::testing

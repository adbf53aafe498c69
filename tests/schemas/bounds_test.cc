#include "schemas/bounds.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "schemas/test_registry.h"
#include "schemas/validate.h"

namespace schemas {
namespace {

using nlohmann::json;
using scim::ScimType;

constexpr std::string_view kUserUrn = "urn:ietf:params:scim:schemas:core:2.0:User";
constexpr std::string_view kGroupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";

// An extension with a multi-valued sub-attribute, which no built-in schema has.
constexpr std::string_view kDeskExtension = R"({
  "id": "urn:example:params:scim:schemas:extension:desk:2.0:User",
  "name": "Desk",
  "description": "Desks a person may book.",
  "x-scimd-extends": "User",
  "attributes": [
    {"name": "desk", "type": "complex", "subAttributes": [
      {"name": "value", "type": "string"},
      {"name": "neighbours", "type": "string", "multiValued": true}]}
  ]
})";
constexpr std::string_view kDeskUrn = "urn:example:params:scim:schemas:extension:desk:2.0:User";

json Emails(std::size_t count) {
    json emails = json::array();
    for (std::size_t i = 0; i < count; ++i) {
        emails.push_back({{"value", "u" + std::to_string(i) + "@example.org"}});
    }
    return emails;
}

json User(json attributes = json::object()) {
    json user = {{"schemas", {kUserUrn}}, {"userName", "bjensen"}};
    user.update(attributes);
    return user;
}

class BoundsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        test_support::TempDir dir;
        dir.Write("badge.json", test_support::kBadgeExtension);
        dir.Write("desk.json", kDeskExtension);
        auto loaded = Registry::Load(dir.path());
        ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
        registry_ = *loaded;
    }
    static void TearDownTestSuite() { registry_.reset(); }

    static scim::Result<ValidatedResource> Run(const json& input,
                                               WriteMode mode = WriteMode::kCreate,
                                               const json* existing = nullptr,
                                               std::string_view type = "User") {
        return Validate(*registry_, *registry_->FindResourceType(type), input, mode, existing);
    }

    // The stored document of a user as a create makes it (what a later PUT or PATCH starts from).
    static json Stored(const json& input) {
        auto valid = Run(input);
        EXPECT_TRUE(valid.ok()) << valid.error().detail;
        json doc = valid.ok() ? valid->doc : json::object();
        doc["id"] = "2819c223-7f76-453a-919d-413861904646";
        return doc;
    }

    static void ExpectRefused(const scim::Result<ValidatedResource>& result,
                              std::string_view detail) {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().status, 400);
        EXPECT_EQ(result.error().scim_type, ScimType::kInvalidValue);
        EXPECT_NE(result.error().detail.find(detail), std::string::npos) << result.error().detail;
    }

    static inline std::shared_ptr<const Registry> registry_;
};

TEST_F(BoundsTest, CreateAcceptsAnAttributeAtTheBound) {
    auto result = Run(User({{"emails", Emails(kMaxAttributeValues)}}));
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc["emails"].size(), kMaxAttributeValues);
}

TEST_F(BoundsTest, CreateRefusesAnAttributeOverTheBound) {
    ExpectRefused(Run(User({{"emails", Emails(kMaxAttributeValues + 1)}})),
                  "emails has 1001 values; a resource holds at most 1000 in one attribute");
}

TEST_F(BoundsTest, ReplaceRefusesAnAttributeOverTheBound) {
    const json stored = Stored(User());
    EXPECT_TRUE(
        Run(User({{"emails", Emails(kMaxAttributeValues)}}), WriteMode::kReplace, &stored).ok());
    ExpectRefused(
        Run(User({{"emails", Emails(kMaxAttributeValues + 1)}}), WriteMode::kReplace, &stored),
        "emails has 1001 values");
}

TEST_F(BoundsTest, PatchRefusesGrowthPastTheBound) {
    const json stored = Stored(User({{"emails", Emails(kMaxAttributeValues)}}));
    json patched = stored;
    patched["displayName"] = "Babs";
    EXPECT_TRUE(Run(patched, WriteMode::kPatch, &stored).ok());
    patched["emails"] = Emails(kMaxAttributeValues + 1);
    ExpectRefused(Run(patched, WriteMode::kPatch, &stored), "emails has 1001 values");
}

// A resource stored before the bound existed can still be deactivated and trimmed by PATCH,
// but not grown.
TEST_F(BoundsTest, PatchKeepsAnAttributeAlreadyOverTheBoundThatDoesNotGrow) {
    json stored = Stored(User());
    stored["emails"] = Emails(1500);
    json patched = stored;
    patched["active"] = false;
    EXPECT_TRUE(Run(patched, WriteMode::kPatch, &stored).ok());
    patched["emails"] = Emails(1200);
    EXPECT_TRUE(Run(patched, WriteMode::kPatch, &stored).ok());
    patched["emails"] = Emails(1501);
    ExpectRefused(Run(patched, WriteMode::kPatch, &stored), "emails has 1501 values");
    // PUT sends the whole resource, so it meets the bound whatever was stored.
    ExpectRefused(Run(User({{"emails", Emails(1200)}}), WriteMode::kReplace, &stored),
                  "emails has 1200 values");
}

TEST_F(BoundsTest, ExtensionAttributesAreBounded) {
    const std::string badge(test_support::kBadgeUrn);
    json floors = json::array();
    for (std::size_t i = 0; i <= kMaxAttributeValues; ++i) {
        floors.push_back(i);
    }
    json input = User({{badge, {{"badgeNumber", "B1"}, {"floors", floors}}}});
    input["schemas"].push_back(badge);
    ExpectRefused(Run(input), badge + ":floors has 1001 values");
}

TEST_F(BoundsTest, MultiValuedSubAttributesAreBounded) {
    const std::string desk(kDeskUrn);
    json neighbours = json::array();
    for (std::size_t i = 0; i <= kMaxAttributeValues; ++i) {
        neighbours.push_back("d" + std::to_string(i));
    }
    json input = User({{desk, {{"desk", {{"value", "D1"}, {"neighbours", neighbours}}}}}});
    input["schemas"].push_back(desk);
    ExpectRefused(Run(input), desk + ":desk.neighbours has 1001 values");
    input[desk]["desk"]["neighbours"].erase(0);
    EXPECT_TRUE(Run(input).ok());
}

TEST_F(BoundsTest, GroupMembersAreNotBounded) {
    json members = json::array();
    for (std::size_t i = 0; i < 3 * kMaxAttributeValues; ++i) {
        members.push_back({{"value", "m" + std::to_string(i)}});
    }
    const json group = {{"schemas", {kGroupUrn}}, {"displayName", "All"}, {"members", members}};
    auto result = Run(group, WriteMode::kCreate, nullptr, "Group");
    ASSERT_TRUE(result.ok()) << result.error().detail;
    ASSERT_TRUE(result->members.has_value());
    EXPECT_EQ(result->members->size(), 3 * kMaxAttributeValues);
}

// A user whose stored document is exactly `size` bytes, padded in nickName.
json UserOfSize(std::size_t size, const std::function<json(const json&)>& validate) {
    json input = User({{"nickName", "x"}});
    const std::size_t base = validate(input).dump().size();
    input["nickName"] = std::string(size - base + 1, 'x');
    return input;
}

TEST_F(BoundsTest, CreateAcceptsADocumentAtTheSizeBoundAndRefusesOneByteMore) {
    auto stored_doc = [](const json& input) {
        auto valid = Run(input);
        return valid.ok() ? valid->doc : json();
    };
    const json at_bound = UserOfSize(kMaxDocumentBytes, stored_doc);
    auto result = Run(at_bound);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->doc.dump().size(), kMaxDocumentBytes);

    json over = at_bound;
    over["nickName"] = over["nickName"].get<std::string>() + "x";
    ExpectRefused(Run(over),
                  "the resource would take 1048577 bytes when stored; at most 1048576 are allowed");
}

TEST_F(BoundsTest, PatchCannotGrowADocumentPastTheSizeBound) {
    const std::string half(kMaxDocumentBytes / 2, 'x');
    const json stored = Stored(User({{"nickName", half}}));
    json patched = stored;
    patched["title"] = half;
    ExpectRefused(Run(patched, WriteMode::kPatch, &stored), "bytes when stored; at most 1048576");
    ExpectRefused(Run(User({{"nickName", half}, {"title", half}}), WriteMode::kReplace, &stored),
                  "bytes when stored");
}

TEST_F(BoundsTest, PatchKeepsADocumentAlreadyOverTheSizeBoundThatDoesNotGrow) {
    json stored = Stored(User());
    stored["nickName"] = std::string(kMaxDocumentBytes, 'x');
    json patched = stored;
    patched["active"] = false;
    EXPECT_TRUE(Run(patched, WriteMode::kPatch, &stored).ok());
    patched["title"] = std::string(1024, 'x');
    ExpectRefused(Run(patched, WriteMode::kPatch, &stored), "bytes when stored");
    patched.erase("title");
    patched["nickName"] = std::string(kMaxDocumentBytes / 2, 'x');
    EXPECT_TRUE(Run(patched, WriteMode::kPatch, &stored).ok());
}

}  // namespace
}  // namespace schemas

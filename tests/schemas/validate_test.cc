#include "schemas/validate.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/test_registry.h"

namespace schemas {
namespace {

using nlohmann::json;
using scim::ScimType;

constexpr std::string_view kEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// One write and what must come of it. Documents are JSON text; `expect` maps JSON pointers of
// the validated document to their value, `absent` lists pointers that must not exist.
struct Row {
    std::string name;
    std::string input;
    std::vector<std::pair<std::string, json>> expect = {};
    std::vector<std::string> absent = {};
    std::optional<ScimType> error = std::nullopt;
    std::string detail = "";  // substring of the error detail
    WriteMode mode = WriteMode::kCreate;
    std::string existing = "";
    std::string type = "User";
};

std::string UserWith(std::string_view attributes) {
    return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen")" +
           std::string(attributes.empty() ? "" : ", ") + std::string(attributes) + "}";
}

class ValidateTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { registry_ = test_support::RegistryWithBadge(); }
    static void TearDownTestSuite() { registry_.reset(); }

    static scim::Result<ValidatedResource> Run(const Row& row) {
        const ResourceType* type = registry_->FindResourceType(row.type);
        const json input = json::parse(row.input);
        std::optional<json> existing;
        if (!row.existing.empty()) {
            existing = json::parse(row.existing);
        }
        return Validate(*registry_, *type, input, row.mode, existing ? &*existing : nullptr);
    }

    static void Check(const Row& row) {
        SCOPED_TRACE(row.name);
        auto result = Run(row);
        if (row.error) {
            ASSERT_FALSE(result.ok()) << result->doc.dump();
            EXPECT_EQ(result.error().status, 400);
            EXPECT_EQ(result.error().scim_type, row.error);
            EXPECT_NE(result.error().detail.find(row.detail), std::string::npos)
                << result.error().detail;
            return;
        }
        ASSERT_TRUE(result.ok()) << result.error().detail;
        const json& doc = result->doc;
        for (const auto& [pointer, value] : row.expect) {
            const json::json_pointer ptr(pointer);
            ASSERT_TRUE(doc.contains(ptr)) << pointer << " missing in " << doc.dump();
            EXPECT_EQ(doc.at(ptr), value) << pointer;
        }
        for (const std::string& pointer : row.absent) {
            EXPECT_FALSE(doc.contains(json::json_pointer(pointer)))
                << pointer << " present in " << doc.dump();
        }
    }

    static inline std::shared_ptr<const Registry> registry_;
};

TEST_F(ValidateTest, ConvertsAndChecksEveryAttributeType) {
    const std::string badge = std::string(test_support::kBadgeUrn);
    const std::string b = "/" + badge;
    auto with_badge = [&](std::string_view attrs) {
        return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ")" + badge +
               R"("], "userName": "bjensen", ")" + badge + R"(": {"badgeNumber": "B1", )" +
               std::string(attrs) + "}}";
    };
    const std::string inputs[] = {
        UserWith(R"("displayName": "Babs")"),
        UserWith(R"("displayName": 7)"),
        UserWith(R"("active": true)"),
        UserWith(R"("active": "True")"),
        UserWith(R"("active": "fALSE")"),
        UserWith(R"("active": "yes")"),
        UserWith(R"("active": 1)"),
        with_badge(R"("floors": [3, 4.0])"),
        with_badge(R"("floors": [3.5])"),
        with_badge(R"("floors": ["3"])"),
        with_badge(R"("rating": 4.25)"),
        with_badge(R"("rating": "4.25")"),
        with_badge(R"("issuedAt": "2024-05-01T14:30:00+02:00")"),
        with_badge(R"("issuedAt": "May 1st")"),
        with_badge(R"("photo": "aGVsbG8=")"),
        with_badge(R"("photo": "not base64!")"),
        UserWith(R"("profileUrl": "https://example.com/bjensen")"),
        UserWith(R"("profileUrl": {"href": "x"})"),
        UserWith(R"("x509Certificates": [{"value": "TUlJQ2lqQ0NBZk9n"}])"),
        UserWith(R"("name": {"givenName": "Barbara", "familyName": "Jensen"})"),
        UserWith(R"("name": "Barbara Jensen")"),
        UserWith(R"("name": {"givenName": 5})"),
    };
    const Row rows[] = {
        {"string", inputs[0], {{"/displayName", "Babs"}}},
        {"string rejects number",
         inputs[1],
         {},
         {},
         ScimType::kInvalidValue,
         "displayName must be a string"},
        {"boolean", inputs[2], {{"/active", true}}},
        {"boolean from Entra string True", inputs[3], {{"/active", true}}},
        {"boolean from string in any case", inputs[4], {{"/active", false}}},
        {"boolean rejects other strings",
         inputs[5],
         {},
         {},
         ScimType::kInvalidValue,
         "active must be a boolean"},
        {"boolean rejects numbers", inputs[6], {}, {}, ScimType::kInvalidValue, "active"},
        {"integer, integral decimal accepted", inputs[7], {{b + "/floors", json::array({3, 4})}}},
        {"integer rejects fraction",
         inputs[8],
         {},
         {},
         ScimType::kInvalidValue,
         badge + ":floors must be an integer"},
        {"integer rejects string", inputs[9], {}, {}, ScimType::kInvalidValue, "floors"},
        {"decimal", inputs[10], {{b + "/rating", 4.25}}},
        {"decimal rejects string",
         inputs[11],
         {},
         {},
         ScimType::kInvalidValue,
         "rating must be a number"},
        {"dateTime normalised to UTC", inputs[12], {{b + "/issuedAt", "2024-05-01T12:30:00Z"}}},
        {"dateTime rejects free text", inputs[13], {}, {}, ScimType::kInvalidValue, "issuedAt"},
        {"binary", inputs[14], {{b + "/photo", "aGVsbG8="}}},
        {"binary rejects non-base64",
         inputs[15],
         {},
         {},
         ScimType::kInvalidValue,
         "photo must be base64-encoded"},
        {"reference", inputs[16], {{"/profileUrl", "https://example.com/bjensen"}}},
        {"reference rejects object", inputs[17], {}, {}, ScimType::kInvalidValue, "profileUrl"},
        {"binary sub-attribute", inputs[18], {{"/x509Certificates/0/value", "TUlJQ2lqQ0NBZk9n"}}},
        {"complex", inputs[19], {{"/name/givenName", "Barbara"}, {"/name/familyName", "Jensen"}}},
        {"complex rejects string without value sub-attribute",
         inputs[20],
         {},
         {},
         ScimType::kInvalidValue,
         "name must be an object"},
        {"complex checks sub-attribute types",
         inputs[21],
         {},
         {},
         ScimType::kInvalidValue,
         "name.givenName must be a string"},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, HandlesSingleAndMultiValuedShapes) {
    const std::string inputs[] = {
        UserWith(R"("emails": {"value": "b@example.com", "type": "work"})"),
        UserWith(R"("emails": [])"),
        UserWith(R"("emails": [null])"),
        UserWith(R"("displayName": ["Babs"])"),
        UserWith(R"("emails": [[{"value": "b@example.com"}]])"),
        UserWith(R"("nickName": null, "title": "Boss")"),
        UserWith(R"("emails": [{"value": "b@example.com", "type": "custom-label"}])"),
        UserWith(R"("name": {}, "addresses": [{}])"),
    };
    const Row rows[] = {
        {"single object for multi-valued is wrapped",
         inputs[0],
         {{"/emails", json::parse(R"([{"value": "b@example.com", "type": "work"}])")}}},
        {"empty list means unassigned", inputs[1], {}, {"/emails"}},
        {"null elements are dropped", inputs[2], {}, {"/emails"}},
        {"list for single-valued is refused",
         inputs[3],
         {},
         {},
         ScimType::kInvalidValue,
         "displayName is single-valued"},
        {"nested list is refused", inputs[4], {}, {}, ScimType::kInvalidValue, "emails"},
        {"null means unassigned", inputs[5], {{"/title", "Boss"}}, {"/nickName"}},
        {"canonicalValues are advice for type", inputs[6], {{"/emails/0/type", "custom-label"}}},
        {"empty complex values are unassigned", inputs[7], {}, {"/name", "/addresses"}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, RewritesNamesAndUrnsToCanonicalSpelling) {
    const Row rows[] = {
        {"attribute names in any case",
         R"({"SCHEMAS": ["URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"], "USERNAME": "bjensen",
             "Name": {"GIVENNAME": "Barbara"},
             "eMails": [{"VALUE": "b@example.com", "Primary": "true", "TYPE": "work"}]})",
         {{"/userName", "bjensen"},
          {"/name/givenName", "Barbara"},
          {"/emails/0/value", "b@example.com"},
          {"/emails/0/primary", true},
          {"/schemas", json::array({kUserSchema})}},
         {"/USERNAME", "/Name"}},
        {"extension URN key in any case",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                         "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"],
             "userName": "bjensen",
             "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:user": {"DEPARTMENT": "R&D"}})",
         {{"/" + std::string(kEnterprise) + "/department", "R&D"},
          {"/schemas", json::array({kUserSchema, kEnterprise})}}},
        {"URN-qualified top-level names move under their schema",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
             "urn:ietf:params:scim:schemas:core:2.0:User:userName": "bjensen",
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter": "4130",
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value": "m1"})",
         {{"/userName", "bjensen"},
          {"/" + std::string(kEnterprise) + "/costCenter", "4130"},
          {"/" + std::string(kEnterprise) + "/manager/value", "m1"},
          {"/schemas", json::array({kUserSchema, kEnterprise})}}},
        {"the same attribute in two spellings is refused",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a",
             "USERNAME": "b"})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName is given more than once"},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, ChecksTheSchemasAttribute) {
    const Row rows[] = {
        {"unknown URN in schemas",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:nope"],
             "userName": "bjensen"})",
         {},
         {},
         ScimType::kInvalidValue,
         "urn:example:nope"},
        {"core schema missing",
         R"({"schemas": ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "userName": "bjensen"})",
         {},
         {},
         ScimType::kInvalidValue,
         "must list urn:ietf:params:scim:schemas:core:2.0:User"},
        {"schemas missing",
         R"({"userName": "bjensen"})",
         {},
         {},
         ScimType::kInvalidValue,
         "schemas is required"},
        {"schemas not a list",
         R"({"schemas": "urn:ietf:params:scim:schemas:core:2.0:User"})",
         {},
         {},
         ScimType::kInvalidValue,
         "schemas must be a list"},
        {"Group schema on the User endpoint",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "userName": "x"})",
         {},
         {},
         ScimType::kInvalidValue,
         "not a schema of User"},
        {"listed extension without data is left out",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "userName": "bjensen"})",
         {{"/schemas", json::array({kUserSchema})}}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

// RFC 7644 §3.3 lets a server ignore attributes it does not know, and Microsoft's Entra test
// suite PUTs such attributes and expects 200, so they are dropped rather than refused.
TEST_F(ValidateTest, IgnoresUnknownAttributes) {
    const Row rows[] = {
        {"unknown top-level attribute",
         UserWith(R"("favouriteColour": "teal")"),
         {{"/userName", "bjensen"}},
         {"/favouriteColour"}},
        {"unknown sub-attribute",
         UserWith(R"("name": {"givenName": "B", "nameSuffix": "x"})"),
         {{"/name/givenName", "B"}},
         {"/name/nameSuffix"}},
        {"unknown extension key",
         UserWith(R"("urn:example:other:2.0:User": {"a": 1})"),
         {},
         {"/urn:example:other:2.0:User"}},
        {"unknown attribute inside an extension",
         UserWith(R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"department": "R&D", "floor": 3})"),
         {{"/" + std::string(kEnterprise) + "/department", "R&D"}},
         {"/" + std::string(kEnterprise) + "/floor"}},
        {"a stored-hash key is never taken from input",
         UserWith(R"("x-scimd-secrets": {"password": "$argon2id$forged"})"),
         {},
         {"/x-scimd-secrets"}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

// Regression: PostgreSQL cannot store U+0000, so a NUL inside a string failed the write with a
// 500 there while SQLite accepted it. Both now get the same 400.
TEST_F(ValidateTest, RefusesNulCharacterInStrings) {
    const Row rows[] = {
        {"NUL in userName",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a\u0000b"})",
         {},
         {},
         ScimType::kInvalidValue,
         "NUL"},
        {"NUL in a sub-attribute",
         UserWith(R"("name": {"givenName": "B\u0000"})"),
         {},
         {},
         ScimType::kInvalidValue,
         "name.givenName"},
        {"NUL in externalId",
         UserWith(R"("externalId": "\u0000")"),
         {},
         {},
         ScimType::kInvalidValue,
         "externalId"},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, EnforcesRequiredAttributes) {
    const Row rows[] = {
        {"User without userName",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName is required"},
        {"userName null",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                              "userName": null})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName is required"},
        {"Group without displayName",
         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "members": []})",
         {},
         {},
         ScimType::kInvalidValue,
         "displayName is required",
         WriteMode::kCreate,
         "",
         "Group"},
        {"required attribute of an extension the resource carries",
         UserWith(R"("urn:example:params:scim:schemas:extension:badge:2.0:User": {"rating": 1})"),
         {},
         {},
         ScimType::kInvalidValue,
         "urn:example:params:scim:schemas:extension:badge:2.0:User:badgeNumber is required"},
        {"required attributes of an absent optional extension do not apply",
         UserWith(""),
         {{"/userName", "bjensen"}}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, RefusesBlankRequiredStrings) {
    const std::string user = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], )";
    const std::string group = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], )";
    const Row rows[] = {
        {"empty userName",
         user + R"("userName": ""})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName must not be empty or blank"},
        {"whitespace userName",
         user + R"("userName": " \t\n "})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName must not be empty or blank"},
        {"blank userName in a PUT",
         user + R"("userName": "  "})",
         {},
         {},
         ScimType::kInvalidValue,
         "userName must not be empty or blank",
         WriteMode::kReplace,
         user + R"("id": "u1", "userName": "bjensen"})"},
        {"empty Group displayName",
         group + R"("displayName": ""})",
         {},
         {},
         ScimType::kInvalidValue,
         "displayName must not be empty or blank",
         WriteMode::kCreate,
         "",
         "Group"},
        {"userName with inner spaces is fine",
         user + R"("userName": " b jensen "})",
         {{"/userName", " b jensen "}}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, AppliesMutability) {
    const std::string badge = std::string(test_support::kBadgeUrn);
    const std::string stored = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ")" +
                               badge + R"("], "id": "u1", "userName": "bjensen", ")" + badge +
                               R"(": {"badgeNumber": "B1", "printedBy": "desk",
                                      "holder": {"value": "h", "serial": "S1"}}})";
    auto badge_input = [&](std::string_view attrs) {
        return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", ")" +
               badge + R"(": {)" + std::string(attrs) + "}}";
    };
    const std::string b = "/" + badge;
    const std::string inputs[] = {
        UserWith(R"("id": "client-chosen", "meta": {"created": "2020-01-01T00:00:00Z"},
                    "groups": [{"value": "g1"}])"),
        badge_input(R"("badgeNumber": "B1")"),
        badge_input(R"("badgeNumber": "B2")"),
        badge_input(R"("rating": 2)"),
        badge_input(R"("badgeNumber": "B1", "printedBy": "me")"),
        badge_input(R"("badgeNumber": "B1", "holder": {"value": "h", "serial": "S2"})"),
        UserWith(R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                    {"manager": {"value": "m1", "displayName": "Boss"}})"),
    };
    const Row rows[] = {
        {"readOnly input is ignored on create",
         inputs[0],
         {{"/userName", "bjensen"}},
         {"/id", "/meta", "/groups"}},
        {"readOnly id is carried over on replace",
         inputs[0],
         {{"/id", "u1"}},
         {"/meta", "/groups"},
         std::nullopt,
         "",
         WriteMode::kReplace,
         stored},
        {"immutable value repeated unchanged",
         inputs[1],
         {{b + "/badgeNumber", "B1"}},
         {},
         std::nullopt,
         "",
         WriteMode::kReplace,
         stored},
        {"immutable value changed",
         inputs[2],
         {},
         {},
         ScimType::kMutability,
         badge + ":badgeNumber is immutable",
         WriteMode::kReplace,
         stored},
        {"immutable value left out is kept",
         inputs[3],
         {{b + "/badgeNumber", "B1"}, {b + "/rating", 2}},
         {},
         std::nullopt,
         "",
         WriteMode::kReplace,
         stored},
        {"readOnly extension value is kept, input ignored",
         inputs[4],
         {{b + "/printedBy", "desk"}},
         {},
         std::nullopt,
         "",
         WriteMode::kReplace,
         stored},
        {"immutable sub-attribute of a singular complex changed",
         inputs[5],
         {},
         {},
         ScimType::kMutability,
         "holder.serial is immutable",
         WriteMode::kPatch,
         stored},
        {"readOnly sub-attribute is ignored",
         inputs[6],
         {{"/" + std::string(kEnterprise) + "/manager/value", "m1"}},
         {"/" + std::string(kEnterprise) + "/manager/displayName"}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, AcceptsEntraShapes) {
    const std::string e = "/" + std::string(kEnterprise);
    const Row rows[] = {
        {"manager as a bare id",
         UserWith(R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"manager": "m-42"})"),
         {{e + "/manager", json{{"value", "m-42"}}}}},
        {"$ref null is dropped",
         UserWith(R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"manager": {"value": "m-42", "$ref": null}})"),
         {{e + "/manager", json{{"value", "m-42"}}}}},
        {"manager null is unassigned",
         UserWith(R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"manager": null, "department": "Ops"})"),
         {{e + "/department", "Ops"}},
         {e + "/manager"}},
        {"active as the string False", UserWith(R"("active": "False")"), {{"/active", false}}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, AllowsAtMostOnePrimaryValue) {
    const std::string two_primaries = UserWith(R"("emails": [
        {"value": "a@example.com", "primary": true},
        {"value": "b@example.com", "primary": "True"}])");
    const std::string stored = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "u1", "userName": "bjensen",
        "emails": [{"value": "b@example.com", "primary": true}, {"value": "a@example.com"}]})";
    const std::string patched = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "u1", "userName": "bjensen",
        "emails": [{"value": "b@example.com", "primary": true},
                   {"value": "a@example.com", "primary": true}]})";
    const Row rows[] = {
        {"two primaries in a create",
         two_primaries,
         {},
         {},
         ScimType::kInvalidValue,
         "emails has more than one value marked primary"},
        {"two primaries in a replace",
         two_primaries,
         {},
         {},
         ScimType::kInvalidValue,
         "more than one value marked primary",
         WriteMode::kReplace,
         stored},
        {"a PATCH that sets a new primary clears the old one",
         patched,
         {{"/emails/0/primary", false}, {"/emails/1/primary", true}},
         {},
         std::nullopt,
         "",
         WriteMode::kPatch,
         stored},
        {"one primary is fine",
         UserWith(R"("emails": [{"value": "a@x", "primary": true},
                                                       {"value": "b@x", "primary": false}])"),
         {{"/emails/0/primary", true}}},
    };
    for (const Row& row : rows) {
        Check(row);
    }
}

TEST_F(ValidateTest, HashesPasswordAndNeverKeepsItInClear) {
    const ResourceType& user = *registry_->FindResourceType("User");
    auto created = Validate(*registry_, user, json::parse(UserWith(R"("password": "t1meMa$heen")")),
                            WriteMode::kCreate);
    ASSERT_TRUE(created.ok()) << created.error().detail;
    EXPECT_FALSE(created->doc.contains("password"));
    EXPECT_EQ(created->doc.dump().find("t1meMa$heen"), std::string::npos);
    const std::string hash = created->doc.at(std::string(kSecretsKey)).at("password");
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
    EXPECT_TRUE(VerifySecret(created->doc, "password", "t1meMa$heen"));
    EXPECT_FALSE(VerifySecret(created->doc, "password", "t1meMa$heen!"));

    // A PUT cannot repeat a writeOnly value, so leaving it out keeps the stored hash.
    json stored = created->doc;
    stored["id"] = "u1";
    auto replaced = Validate(*registry_, user, json::parse(UserWith(R"("title": "Boss")")),
                             WriteMode::kReplace, &stored);
    ASSERT_TRUE(replaced.ok()) << replaced.error().detail;
    EXPECT_TRUE(VerifySecret(replaced->doc, "password", "t1meMa$heen"));

    auto changed = Validate(*registry_, user, json::parse(UserWith(R"("password": "n3w")")),
                            WriteMode::kReplace, &stored);
    ASSERT_TRUE(changed.ok()) << changed.error().detail;
    EXPECT_TRUE(VerifySecret(changed->doc, "password", "n3w"));
    EXPECT_FALSE(VerifySecret(changed->doc, "password", "t1meMa$heen"));
}

TEST_F(ValidateTest, ErrorsNeverEchoAWriteOnlyValue) {
    const Row row{"password must be a string", UserWith(R"("password": 918273645)"), {}, {},
                  ScimType::kInvalidValue,     "password must be a string"};
    Check(row);
    auto result = Run(row);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().detail.find("918273645"), std::string::npos);
}

TEST_F(ValidateTest, ReturnsGroupMembersSeparately) {
    const ResourceType& group = *registry_->FindResourceType("Group");
    const json input = json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops",
        "members": [{"value": "u1", "display": "ignored", "type": "user"},
                    {"value": "g2", "type": "Group", "$ref": null}, {"value": "u3"}]})");
    auto result = Validate(*registry_, group, input, WriteMode::kCreate);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_FALSE(result->doc.contains("members"));
    EXPECT_EQ(result->doc.at("displayName"), "Ops");
    ASSERT_TRUE(result->members.has_value());
    ASSERT_EQ(result->members->size(), 3u);
    EXPECT_EQ((*result->members)[0].id, "u1");
    EXPECT_EQ((*result->members)[0].type, "User");
    EXPECT_EQ((*result->members)[0].display, "");
    EXPECT_EQ((*result->members)[1].type, "Group");
    EXPECT_EQ((*result->members)[2].type, "");

    auto without = Validate(*registry_, group, json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"})"),
                            WriteMode::kCreate);
    ASSERT_TRUE(without.ok());
    EXPECT_FALSE(without->members.has_value());

    auto empty = Validate(*registry_, group, json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops",
        "members": []})"),
                          WriteMode::kCreate);
    ASSERT_TRUE(empty.ok());
    ASSERT_TRUE(empty->members.has_value());
    EXPECT_TRUE(empty->members->empty());
}

TEST_F(ValidateTest, RefusesMembersWithoutValue) {
    const Row row{"member without value",
                  R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                      "displayName": "Ops", "members": [{"display": "Babs"}]})",
                  {},
                  {},
                  ScimType::kInvalidValue,
                  "members needs a value",
                  WriteMode::kCreate,
                  "",
                  "Group"};
    Check(row);
}

TEST_F(ValidateTest, RefusesNonObjectBodiesAndMissingStoredDocument) {
    const ResourceType& user = *registry_->FindResourceType("User");
    auto array = Validate(*registry_, user, json::array(), WriteMode::kCreate);
    ASSERT_FALSE(array.ok());
    EXPECT_EQ(array.error().scim_type, ScimType::kInvalidSyntax);
    auto no_existing = Validate(*registry_, user, json::parse(UserWith("")), WriteMode::kReplace);
    ASSERT_FALSE(no_existing.ok());
    EXPECT_EQ(no_existing.error().status, 500);
}

TEST(NormalizeDateTimeTest, NormalisesRfc3339ToUtc) {
    const std::pair<std::string_view, std::string_view> valid[] = {
        {"2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"},
        {"2024-05-01t12:00:00z", "2024-05-01T12:00:00Z"},
        {"2024-05-01T12:00:00", "2024-05-01T12:00:00Z"},
        {"2024-05-01T14:30:00+02:00", "2024-05-01T12:30:00Z"},
        {"2024-05-01T00:30:00+01:00", "2024-04-30T23:30:00Z"},
        {"2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00Z"},
        {"2024-02-29T10:00:00Z", "2024-02-29T10:00:00Z"},
        {"2024-05-01T12:00:00.5Z", "2024-05-01T12:00:00.500Z"},
        {"2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00.123Z"},
        {"2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00Z"},
    };
    for (const auto& [input, expected] : valid) {
        EXPECT_EQ(NormalizeDateTime(input).value_or("<invalid>"), expected) << input;
    }
    const std::string_view invalid[] = {
        "",
        "2024-05-01",
        "2024-05-01 12:00:00Z",
        "2024-13-01T12:00:00Z",
        "2023-02-29T12:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:60Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+2:00",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00Zjunk",
        "24-05-01T12:00:00Z",
        "2024-05-01T12:00:00+02:00x",
    };
    for (std::string_view input : invalid) {
        EXPECT_FALSE(NormalizeDateTime(input).has_value()) << input;
    }
}

}  // namespace
}  // namespace schemas

namespace schemas {
namespace {

// Every attribute and sub-attribute of User, given a value of every JSON kind, either validates
// or is refused with a 400: no value shape makes Validate fail as a server fault or throw.
TEST(ValidateRobustnessTest, AnyValueShapeGivesOkOrA400) {
    auto registry = test_support::RegistryWithBadge();
    ASSERT_TRUE(registry);
    const ResourceType& user = *registry->FindResourceType("User");
    const json shapes[] = {nullptr,
                           true,
                           "True",
                           0,
                           -1.5,
                           "",
                           "text",
                           "2024-05-01T12:00:00Z",
                           json::array(),
                           json::array({nullptr}),
                           json::array({1, "a"}),
                           json::array({json::object()}),
                           json::object(),
                           json{{"value", "v"}, {"primary", "yes"}},
                           json{{"value", json::array({1})}}};
    std::vector<std::string> paths;
    auto add_paths = [&](const std::string& prefix, const Schema& schema) {
        for (const Attribute& attribute : schema.attributes) {
            paths.push_back(prefix + attribute.name);
            for (const Attribute& sub : attribute.sub_attributes) {
                paths.push_back(prefix + attribute.name + "." + sub.name);
            }
        }
    };
    add_paths("", *registry->CoreSchema(user));
    for (const SchemaExtension& extension : user.extensions) {
        add_paths(extension.schema + ":", *registry->FindSchema(extension.schema));
    }
    int checked = 0;
    for (const std::string& path : paths) {
        if (path == "password") {
            continue;  // hashing each string shape costs 64 MiB and a tenth of a second
        }
        for (const json& shape : shapes) {
            json input = json::parse(UserWith(""));
            const size_t dot = path.rfind('.');
            if (dot == std::string::npos || path.rfind(':') > dot) {
                input[path] = shape;
            } else {
                input[path.substr(0, dot)] = json{{path.substr(dot + 1), shape}};
            }
            auto result = Validate(*registry, user, input, WriteMode::kCreate);
            ++checked;
            if (!result.ok()) {
                EXPECT_EQ(result.error().status, 400)
                    << path << " = " << shape.dump() << ": " << result.error().internal;
            }
        }
    }
    EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace schemas

namespace schemas {
namespace {

TEST(ValidateRequiredExtensionTest, RequiredExtensionMustBePresent) {
    test_support::TempDir dir;
    dir.Write("cost.json", R"({"id": "urn:example:params:scim:schemas:extension:cost:2.0:Group",
        "name": "Cost", "x-scimd-extends": "Group", "x-scimd-required": true,
        "attributes": [{"name": "budgetCode", "type": "string", "required": true}]})");
    auto loaded = Registry::Load(dir.path());
    ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
    const Registry& registry = **loaded;
    const ResourceType& group = *registry.FindResourceType("Group");
    ASSERT_EQ(group.extensions.size(), 1u);
    EXPECT_TRUE(group.extensions[0].required);

    auto missing = Validate(registry, group, json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"})"),
                            WriteMode::kCreate);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().detail,
              "urn:example:params:scim:schemas:extension:cost:2.0:Group:budgetCode is required");

    auto present = Validate(registry, group, json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                    "urn:example:params:scim:schemas:extension:cost:2.0:Group"],
        "displayName": "Ops",
        "urn:example:params:scim:schemas:extension:cost:2.0:Group": {"BUDGETCODE": "C-7"}})"),
                            WriteMode::kCreate);
    ASSERT_TRUE(present.ok()) << present.error().detail;
    EXPECT_EQ(present->doc.at("urn:example:params:scim:schemas:extension:cost:2.0:Group")
                  .at("budgetCode"),
              "C-7");
    EXPECT_EQ(present->doc.at("schemas").size(), 2u);
}

}  // namespace
}  // namespace schemas

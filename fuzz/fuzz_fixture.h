#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"

// What every fuzz target shares: the built-in Registry and fixed resource documents to evaluate
// filters and apply PATCH requests against. Built once per process; the targets only read them.
namespace scimd_fuzz {

struct Fixture {
    std::shared_ptr<const schemas::Registry> registry;
    const schemas::ResourceType* user_type = nullptr;
    const schemas::ResourceType* group_type = nullptr;
    // Stored documents as validation produces them (canonical names, no meta, no members).
    nlohmann::json user;
    nlohmann::json group;
    // The same resources as a filter sees them: with id, meta and the derived groups/members.
    nlohmann::json rendered_user;
    nlohmann::json rendered_group;
};

// Stops the run with a message; libFuzzer records the input as a crash.
[[noreturn]] inline void Fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

inline const Fixture& GetFixture() {
    static const Fixture* fixture = [] {
        auto loaded = schemas::Registry::Load();
        if (!loaded.ok()) {
            Fail("built-in registry does not load");
        }
        auto* f = new Fixture;
        f->registry = *loaded;
        f->user_type = f->registry->FindResourceType(schemas::kUserResource);
        f->group_type = f->registry->FindResourceType(schemas::kGroupResource);
        if (f->user_type == nullptr || f->group_type == nullptr) {
            Fail("built-in registry lacks User or Group");
        }
        f->user = nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "externalId": "bjensen-ext",
            "userName": "bjensen@example.com",
            "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen",
                     "givenName": "Barbara", "middleName": "Jane",
                     "honorificPrefix": "Ms.", "honorificSuffix": "III"},
            "displayName": "Babs Jensen",
            "nickName": "Babs",
            "profileUrl": "https://login.example.com/bjensen",
            "title": "Tour Guide",
            "userType": "Employee",
            "preferredLanguage": "en-US",
            "locale": "en-US",
            "timezone": "America/Los_Angeles",
            "active": true,
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                       {"value": "babs@jensen.org", "type": "home"}],
            "phoneNumbers": [{"value": "555-555-5555", "type": "work"},
                             {"value": "555-555-4444", "type": "mobile"}],
            "ims": [{"value": "someaimhandle", "type": "aim"}],
            "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F",
                        "type": "photo"}],
            "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza",
                           "locality": "Hollywood", "region": "CA", "postalCode": "91608",
                           "country": "USA", "primary": true},
                          {"type": "home", "locality": "Lyon", "country": "FR"}],
            "entitlements": [{"value": "vpn"}],
            "roles": [{"value": "admin", "primary": true}, {"value": "dev"}],
            "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984", "costCenter": "4130",
                "organization": "Universal Studios", "division": "Theme Park",
                "department": "Tour Operations",
                "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d",
                            "displayName": "John Smith"}}
        })");
        f->group = nlohmann::json::parse(R"({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
            "externalId": "tour-guides",
            "displayName": "Tour Guides"
        })");
        nlohmann::json meta = {{"created", "2024-01-23T04:56:22.000Z"},
                               {"lastModified", "2024-05-13T04:42:34.000Z"},
                               {"version", "W/\"3\""}};
        f->rendered_user = f->user;
        f->rendered_user["meta"] = meta;
        f->rendered_user["meta"]["resourceType"] = "User";
        f->rendered_user["groups"] = nlohmann::json::array(
            {{{"value", f->group["id"]}, {"display", "Tour Guides"}, {"type", "direct"}}});
        f->rendered_group = f->group;
        f->rendered_group["meta"] = meta;
        f->rendered_group["meta"]["resourceType"] = "Group";
        f->rendered_group["members"] = nlohmann::json::array(
            {{{"value", f->user["id"]}, {"display", "Babs Jensen"}, {"type", "User"}}});
        return f;
    }();
    return *fixture;
}

}  // namespace scimd_fuzz

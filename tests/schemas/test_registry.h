#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "schemas/schema.h"

// Shared by the schema tests: a temp directory and a Registry with a test extension that has
// one attribute of every type and mutability the built-in schemas do not cover.
namespace schemas::test_support {

inline constexpr std::string_view kBadgeUrn =
    "urn:example:params:scim:schemas:extension:badge:2.0:User";

inline constexpr std::string_view kBadgeExtension = R"({
  "id": "urn:example:params:scim:schemas:extension:badge:2.0:User",
  "name": "Badge",
  "description": "Building access badges.",
  "x-scimd-extends": "User",
  "attributes": [
    {"name": "badgeNumber", "type": "string", "required": true, "caseExact": true,
     "mutability": "immutable", "uniqueness": "server"},
    {"name": "floors", "type": "integer", "multiValued": true, "returned": "request"},
    {"name": "rating", "type": "decimal"},
    {"name": "issuedAt", "type": "dateTime"},
    {"name": "photo", "type": "binary"},
    {"name": "pin", "type": "string", "mutability": "writeOnly", "returned": "never"},
    {"name": "printedBy", "type": "string", "mutability": "readOnly"},
    {"name": "holder", "type": "complex", "subAttributes": [
      {"name": "value", "type": "string"},
      {"name": "serial", "type": "string", "mutability": "immutable"}]}
  ]
})";

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("scimd-schemas-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    void Write(const std::string& name, std::string_view content) const {
        std::ofstream(path_ / name) << content;
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// The built-in schemas only.
inline std::shared_ptr<const Registry> BuiltInRegistry() {
    auto loaded = Registry::Load();
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().detail);
    return loaded.ok() ? *loaded : nullptr;
}

// The built-in schemas plus the badge extension on User, loaded from a temp directory.
inline std::shared_ptr<const Registry> RegistryWithBadge() {
    TempDir dir;
    dir.Write("badge.json", kBadgeExtension);
    auto loaded = Registry::Load(dir.path());
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().detail);
    return loaded.ok() ? *loaded : nullptr;
}

}  // namespace schemas::test_support

#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "schemas/schema.h"

namespace scim::filter::testing {

// The built-in schemas, loaded once per test binary.
inline const schemas::Registry& BuiltinRegistry() {
    static const std::shared_ptr<const schemas::Registry> registry = [] {
        auto loaded = schemas::Registry::Load();
        return loaded.ok() ? *loaded : nullptr;
    }();
    if (!registry) {
        ADD_FAILURE() << "the built-in schemas did not load";
        std::abort();
    }
    return *registry;
}

inline const schemas::ResourceType& UserType() {
    return *BuiltinRegistry().FindResourceType("User");
}
inline const schemas::ResourceType& GroupType() {
    return *BuiltinRegistry().FindResourceType("Group");
}

}  // namespace scim::filter::testing

#pragma once

#include <gtest/gtest.h>

#include "store_fixture.h"

// Fixture of membership_batch_test.cc, instantiated for PostgreSQL in membership_batch_pgtest.cc.
namespace db_test {

class MembershipBatchTest : public ResourceStoreTest {
protected:
    // Three users, a nested group and two groups with overlapping members; g-empty has none.
    void SeedGroups() {
        ASSERT_TRUE(CreateUser("u1", "alice").ok());
        ASSERT_TRUE(CreateUser("u2", "bob").ok());
        ASSERT_TRUE(CreateUser("u3", "carol").ok());
        scim::MemberChanges inner;
        inner.add = {{"u3", "User", ""}};
        ASSERT_TRUE(CreateGroup("g-inner", "Inner", inner).ok());
        scim::MemberChanges admins;
        admins.add = {{"u2", "User", ""}, {"u1", "User", ""}, {"g-inner", "Group", ""}};
        ASSERT_TRUE(CreateGroup("g-admins", "Admins", admins).ok());
        scim::MemberChanges staff;
        staff.add = {{"u1", "User", ""}};
        ASSERT_TRUE(CreateGroup("g-staff", "Staff", staff).ok());
        ASSERT_TRUE(CreateGroup("g-empty", "Empty").ok());
    }
};

}  // namespace db_test

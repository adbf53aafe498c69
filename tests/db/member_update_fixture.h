#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store_fixture.h"

// Fixture of member_update_test.cc, instantiated for PostgreSQL in member_update_pgtest.cc.
namespace db_test {

class MemberUpdateTest : public ResourceStoreTest {
protected:
    scim::Result<scim::StoredResource> AddMembers(const std::string& group,
                                                  const std::vector<std::string>& ids,
                                                  std::optional<std::int64_t> expected = {}) {
        scim::MemberChanges changes;
        for (const auto& id : ids) {
            changes.add.push_back({id, "", ""});
        }
        return store_->UpdateMembers(Ctx(), group, db::UtcNowMillis(), expected, changes,
                                     Event("group.members_added", group));
    }

    std::vector<std::string> MemberIds(const std::string& group) {
        std::vector<std::string> ids;
        auto members = store_->Members(org_, group);
        EXPECT_TRUE(members.ok());
        for (const auto& member : *members) {
            ids.push_back(member.id);
        }
        return ids;
    }

    static void ExpectInvalidValue(const scim::Result<scim::StoredResource>& result,
                                   const std::string& detail_part) {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().status, 400);
        ASSERT_TRUE(result.error().scim_type.has_value());
        EXPECT_EQ(*result.error().scim_type, scim::ScimType::kInvalidValue);
        EXPECT_NE(result.error().detail.find(detail_part), std::string::npos)
            << result.error().detail;
    }
};

}  // namespace db_test

#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/schema.h"
#include "store_fixture.h"

// totalResults of index-paged lists (RFC 7644 §3.4.2.4). A page that comes back short is the
// end of the result set, so the store may take the total from it instead of counting; these
// cases hold the total to the full count on every kind of page, short or not.
namespace db_test {

class ListTotalTest : public ResourceStoreTest {
protected:
    void SetUp() override {
        ResourceStoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        user_type_.id = user_type_.name = "User";
        for (int i = 0; i < 5; ++i) {
            ASSERT_TRUE(CreateUser("u" + std::to_string(i), "user" + std::to_string(i)).ok());
        }
        ASSERT_TRUE(CreateUser("x1", "elsewhere", other_org_).ok());
    }

    // total and returned ids of the page at `start_index` of `count` rows.
    std::pair<std::int64_t, std::vector<std::string>> Page(std::int64_t start_index,
                                                           std::int64_t count,
                                                           bool with_total = true) {
        scim::ListQuery query;
        query.start_index = start_index;
        query.count = count;
        query.with_total = with_total;
        auto page = store_->List(org_, user_type_, query);
        EXPECT_TRUE(page.ok()) << page.error().internal;
        std::vector<std::string> ids;
        if (!page.ok()) {
            return {-1, ids};
        }
        for (const scim::StoredResource& r : page->resources) {
            ids.push_back(r.id);
        }
        return {page->total, ids};
    }

    schemas::ResourceType user_type_;
};

}  // namespace db_test

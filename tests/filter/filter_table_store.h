#pragma once

// The shared filter table run through the SQL store (db/resource_store.h + db/sql_filter.h):
// loads tests/filter/filter_fixture.json into a fresh database and checks that List with each
// filter returns exactly the ids the table expects. Instantiated for SQLite in
// tests/db/filter_table_test.cc and for PostgreSQL in tests/db/filter_table_pgtest.cc.

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "db/db_fixture.h"
#include "db/resource_store.h"
#include "filter/filter_table.h"
#include "scim/filter/filter.h"

namespace db_test {

class FilterTableStoreTest : public DbTest {
protected:
    void SetUp() override {
        DbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto registry = schemas::Registry::Load();
        ASSERT_TRUE(registry.ok()) << registry.error().detail;
        registry_ = *registry;
        store_ = std::make_unique<db::SqlResourceStore>(db_);
        org_ = "org-" + RandomSuffix();
        LoadFixture();
    }

    scim::RequestContext Ctx() const {
        scim::RequestContext ctx;
        ctx.principal.org_id = org_;
        ctx.request_id = "fixture";
        return ctx;
    }

    static scim::StoredResource Row(const nlohmann::json& row) {
        scim::StoredResource resource;
        resource.id = row["id"];
        resource.version = 1;
        resource.created = row["created"];
        resource.last_modified = row["lastModified"];
        resource.doc = row["doc"];
        return resource;
    }

    // Users first, then groups without members, then the memberships (a group can be a member
    // of another group, and members must exist when added).
    void LoadFixture() {
        const nlohmann::json fixture = scim::filter::testing::LoadFilterFixture();
        ASSERT_TRUE(fixture.is_object());
        for (const auto& row : fixture["users"]) {
            auto created = store_->Create(Ctx(), "User", Row(row), {},
                                          {"user.created", "User", row["id"], {}});
            ASSERT_TRUE(created.ok()) << created.error().internal << created.error().detail;
        }
        for (const auto& row : fixture["groups"]) {
            auto created = store_->Create(Ctx(), "Group", Row(row), {},
                                          {"group.created", "Group", row["id"], {}});
            ASSERT_TRUE(created.ok()) << created.error().internal << created.error().detail;
        }
        for (const auto& row : fixture["groups"]) {
            scim::MemberChanges changes;
            for (const auto& member : row["members"]) {
                changes.add.push_back({member["value"], member["type"], ""});
            }
            auto updated = store_->Update(Ctx(), "Group", Row(row), 1, changes,
                                          {"group.updated", "Group", row["id"], {}});
            ASSERT_TRUE(updated.ok()) << updated.error().internal << updated.error().detail;
        }
    }

    // The ids List returns for `filter`, sorted; a failed List is reported and gives {"<error>"}.
    std::vector<std::string> ListIds(const scim::filter::BoundFilter& filter) {
        scim::ListQuery query;
        query.filter = &filter.root();
        query.count = 1000;
        auto page = store_->List(org_, filter.type(), query);
        EXPECT_TRUE(page.ok()) << page.error().detail << " / " << page.error().internal;
        if (!page.ok()) {
            return {"<error>"};
        }
        std::vector<std::string> ids;
        for (const auto& resource : page->resources) {
            ids.push_back(resource.id);
        }
        EXPECT_EQ(page->total, static_cast<std::int64_t>(ids.size()));
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    void RunTable() {
        const auto cases = scim::filter::testing::LoadFilterCases();
        ASSERT_GE(cases.size(), 150u);
        for (const auto& c : cases) {
            if (!c.error.empty()) {
                continue;  // binding errors are the same for every backend (filter_tests)
            }
            if (!c.sqlite_gap.empty() && !is_postgres()) {
                std::cout << "[ KNOWN GAP ] " << c.filter << ": " << c.sqlite_gap << "\n";
                continue;
            }
            SCOPED_TRACE(c.type + ": " + c.filter);
            const schemas::ResourceType* type = registry_->FindResourceType(c.type);
            ASSERT_NE(type, nullptr);
            auto bound = scim::filter::BoundFilter::Create(c.filter, *registry_, *type);
            ASSERT_TRUE(bound.ok()) << bound.error().detail;
            std::vector<std::string> expected = c.ids;
            std::sort(expected.begin(), expected.end());
            EXPECT_EQ(ListIds(*bound), expected);
        }
    }

    std::shared_ptr<const schemas::Registry> registry_;
    std::unique_ptr<db::SqlResourceStore> store_;
    std::string org_;
};

}  // namespace db_test

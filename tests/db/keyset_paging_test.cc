// Cursor (keyset) paging with sortBy through the SQL store, on the shared filter fixture: walking
// every page by cursor must give every row exactly once, in the order index paging gives.
// FilterTableStoreTest is instantiated for SQLite in filter_table_test.cc and for PostgreSQL in
// filter_table_pgtest.cc, so these bodies run on both backends.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sql_filter.h"
#include "filter/filter_table_store.h"

namespace db_test {
namespace {

// The value a row's keyset carries, read as the list service reads it (scim/store.h Keyset):
// unfolded, from the document or meta columns; for a multi-valued attribute the primary (else
// first) element's sub-attribute, `value` by default.
nlohmann::json SortValueOf(const schemas::ResolvedPath& path, const scim::StoredResource& row) {
    const std::string& name = path.attribute->name;
    if (name == "id") {
        return row.id;
    }
    if (name == "meta") {
        return path.sub->name == "created" ? row.created : row.last_modified;
    }
    const nlohmann::json* container = &row.doc;
    if (path.is_extension) {
        auto ext = row.doc.find(path.schema->id);
        if (ext == row.doc.end()) {
            return nullptr;
        }
        container = &*ext;
    }
    auto it = container->find(name);
    if (it == container->end()) {
        return nullptr;
    }
    nlohmann::json value = *it;
    if (value.is_array()) {
        if (value.empty()) {
            return nullptr;
        }
        auto primary = std::find_if(value.begin(), value.end(), [](const nlohmann::json& e) {
            return e.is_object() && e.value("primary", false);
        });
        value = primary != value.end() ? *primary : value[0];
        return value.is_object()
                   ? value.value(path.sub ? path.sub->name : "value", nlohmann::json())
                   : value;
    }
    if (path.sub != nullptr) {
        return value.value(path.sub->name, nlohmann::json());
    }
    return value;
}

struct KeysetCase {
    std::string type;
    std::string sort_by;  // empty: by id
};

// Duplicates (title "Tour Guide" three times, userType "Employee"/"employee"), missing values
// (externalId, title, name.familyName, active), an empty string (u4's title), non-ASCII text
// (u3), multi-valued attributes with and without a primary element, and meta columns.
const std::vector<KeysetCase> kKeysetCases = {
    {"User", ""},
    {"User", "userName"},
    {"User", "externalId"},
    {"User", "displayName"},
    {"User", "title"},
    {"User", "userType"},
    {"User", "active"},
    {"User", "name.familyName"},
    {"User", "emails"},
    {"User", "emails.type"},
    {"User", "meta.created"},
    {"User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"},
    {"Group", "displayName"},
    {"Group", "externalId"},
};

class KeysetWalk {
public:
    KeysetWalk(db::SqlResourceStore& store, std::string org)
        : store_(store), org_(std::move(org)) {}

    // The ids of one index-paged read of every row.
    std::vector<std::string> ByIndex(const schemas::ResourceType& type, scim::ListQuery query) {
        query.start_index = 1;
        query.count = 1000;
        auto page = store_.List(org_, type, query);
        EXPECT_TRUE(page.ok()) << page.error().internal << page.error().detail;
        return page.ok() ? Ids(page->resources) : std::vector<std::string>();
    }

    // The ids of every page read by keyset, `page_size` rows at a time.
    std::vector<std::string> ByCursor(const schemas::ResourceType& type,
                                      scim::ListQuery query,
                                      int page_size) {
        std::vector<std::string> ids;
        query.count = page_size;
        for (int pages = 0; pages < 100; ++pages) {
            auto page = store_.List(org_, type, query);
            EXPECT_TRUE(page.ok()) << page.error().internal << page.error().detail;
            if (!page.ok() || page->resources.empty()) {
                break;
            }
            std::vector<std::string> more = Ids(page->resources);
            ids.insert(ids.end(), more.begin(), more.end());
            const scim::StoredResource& last = page->resources.back();
            query.after = scim::Keyset{
                query.sort_by ? SortValueOf(*query.sort_by, last) : nlohmann::json(), last.id};
        }
        return ids;
    }

private:
    static std::vector<std::string> Ids(const std::vector<scim::StoredResource>& rows) {
        std::vector<std::string> ids;
        for (const auto& row : rows) {
            ids.push_back(row.id);
        }
        return ids;
    }

    db::SqlResourceStore& store_;
    std::string org_;
};

// Every case of kKeysetCases in both directions, with the full ordered list of ids that an
// unpaged listing returns for it.
struct SortOrder {
    const schemas::ResourceType* type = nullptr;
    std::optional<schemas::ResolvedPath> path;
    bool descending = false;
    std::string label;
    scim::ListQuery Query() const {
        scim::ListQuery query;
        query.sort_by = path ? &*path : nullptr;
        query.descending = descending;
        return query;
    }
};

std::vector<SortOrder> SortOrders(const schemas::Registry& registry) {
    std::vector<SortOrder> out;
    for (const KeysetCase& c : kKeysetCases) {
        const schemas::ResourceType* type = registry.FindResourceType(c.type);
        EXPECT_NE(type, nullptr) << c.type;
        std::optional<schemas::ResolvedPath> path;
        if (type != nullptr && !c.sort_by.empty()) {
            path = registry.Resolve(*type, c.sort_by);
            EXPECT_TRUE(path.has_value()) << c.sort_by;
        }
        if (type == nullptr || (!c.sort_by.empty() && !path)) {
            continue;
        }
        for (bool descending : {false, true}) {
            out.push_back({type, path, descending,
                           c.type + " sortBy=" + c.sort_by + (descending ? " desc" : " asc")});
        }
    }
    return out;
}

TEST_P(FilterTableStoreTest, CursorPagingWithSortByVisitsEveryRowOnceInIndexOrder) {
    KeysetWalk walk(*store_, org_);
    for (const SortOrder& order : SortOrders(*registry_)) {
        const scim::ListQuery query = order.Query();
        const std::vector<std::string> expected = walk.ByIndex(*order.type, query);
        ASSERT_FALSE(expected.empty()) << order.label;
        for (int page_size : {1, 2, 5}) {
            SCOPED_TRACE(order.label + " pages of " + std::to_string(page_size));
            EXPECT_EQ(walk.ByCursor(*order.type, query, page_size), expected);
        }
    }
}

// Index pages (startIndex, RFC 7644 §3.4.2.4: 1-based) in every sort order are consecutive slices
// of the whole ordered list, whichever statement shape the backend uses to pick the page's rows.
TEST_P(FilterTableStoreTest, IndexPagesWithSortByAreSlicesOfTheWholeList) {
    KeysetWalk walk(*store_, org_);
    for (const SortOrder& order : SortOrders(*registry_)) {
        scim::ListQuery query = order.Query();
        const std::vector<std::string> expected = walk.ByIndex(*order.type, query);
        ASSERT_FALSE(expected.empty()) << order.label;
        const auto total = static_cast<std::int64_t>(expected.size());
        for (std::int64_t page_size : {1, 3}) {
            SCOPED_TRACE(order.label + " pages of " + std::to_string(page_size));
            std::vector<std::string> ids;
            for (std::int64_t start = 1; start <= total; start += page_size) {
                query.start_index = start;
                query.count = page_size;
                auto page = store_->List(org_, *order.type, query);
                ASSERT_TRUE(page.ok()) << page.error().internal << page.error().detail;
                EXPECT_EQ(page->total, total) << "startIndex " << start;
                for (const scim::StoredResource& row : page->resources) {
                    ids.push_back(row.id);
                }
            }
            EXPECT_EQ(ids, expected);
        }
    }
}

// The same walk under a filter: the keyset placeholders continue after the filter's own.
TEST_P(FilterTableStoreTest, CursorPagingWithSortByKeepsTheFilter) {
    const schemas::ResourceType* type = registry_->FindResourceType("User");
    ASSERT_NE(type, nullptr);
    auto bound = scim::filter::BoundFilter::Create("active eq true or title pr", *registry_, *type);
    ASSERT_TRUE(bound.ok());
    auto path = registry_->Resolve(*type, "title");
    ASSERT_TRUE(path.has_value());
    KeysetWalk walk(*store_, org_);
    scim::ListQuery query;
    query.filter = &bound->root();
    query.sort_by = &*path;
    const std::vector<std::string> expected = walk.ByIndex(*type, query);
    EXPECT_EQ(expected.size(), 11u);
    EXPECT_EQ(walk.ByCursor(*type, query, 3), expected);
}

// A keyset compares on the sort key's own form: a folded column gets the folded value bound,
// a lowered expression compares against lower() of the value, a missing value selects by
// NULL and id only.
TEST(KeysetSqlTest, ComparesOnTheFormTheOrderByUses) {
    auto registry = schemas::Registry::Load();
    ASSERT_TRUE(registry.ok());
    const schemas::ResourceType& users = *(*registry)->FindResourceType("User");
    auto user_name = (*registry)->Resolve(users, "userName");
    auto display_name = (*registry)->Resolve(users, "displayName");
    ASSERT_TRUE(user_name && display_name);

    auto folded = db::CompileKeysetAfter(&*user_name, users, false, "ÉMILE.Dupont", "u3",
                                         db::SqlOptions{db::Dialect::kPostgres, 4});
    ASSERT_TRUE(folded.ok());
    EXPECT_NE(folded->sql.find("users.user_name_key) COLLATE \"C\" > :p4"), std::string::npos)
        << folded->sql;
    ASSERT_EQ(folded->binds.size(), 3u);
    EXPECT_EQ(std::get<std::string>(folded->binds[0]), "émile.dupont");
    EXPECT_EQ(std::get<std::string>(folded->binds[2]), "u3");

    auto lowered = db::CompileKeysetAfter(&*display_name, users, true, "Babs", "u1", {});
    ASSERT_TRUE(lowered.ok());
    EXPECT_NE(lowered->sql.find("lower(users.display_name) < lower(:p1)"), std::string::npos)
        << lowered->sql;

    auto missing = db::CompileKeysetAfter(&*display_name, users, false, nullptr, "u7", {});
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->sql, "((lower(users.display_name)) IS NULL AND users.id > :p1)");
}

}  // namespace
}  // namespace db_test

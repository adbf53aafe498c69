#include "service_fixture.h"

namespace scim::service::testing {
namespace {

using ::testing::ElementsAre;

class ListTest : public ServiceTest {
protected:
    void SetUp() override {
        for (const char* name : {"carol", "alice", "Eve", "bob", "dave"}) {
            ids_[name] = CreateUser(name, std::string(name) != "dave");
        }
        group_ = CreateGroup("Admins", {ids_["alice"]});
    }

    std::vector<std::string> UserNames(const nlohmann::json& body) {
        std::vector<std::string> names;
        for (const auto& r : body["Resources"]) {
            names.push_back(r.value("userName", r.value("displayName", "?")));
        }
        return names;
    }

    Query Sorted(std::optional<std::string> count = std::nullopt) {
        Query query;
        query.sort_by = "userName";
        query.count = count;
        return query;
    }

    std::map<std::string, std::string> ids_;
    std::string group_;
};

TEST_F(ListTest, ReturnsListResponseWithTotals) {
    Query query = Sorted("2");
    query.start_index = "2";
    auto listed = service_->List(ctx_, "User", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    const auto& body = listed->body;
    EXPECT_EQ(body["schemas"], nlohmann::json::array({schemas::kListResponseSchema}));
    EXPECT_EQ(body["totalResults"], 5);
    EXPECT_EQ(body["itemsPerPage"], 2);
    EXPECT_EQ(body["startIndex"], 2);
    EXPECT_THAT(UserNames(body), ElementsAre("bob", "carol"));
}

TEST_F(ListTest, SortsDescendingAndCaseInsensitively) {
    Query query = Sorted();
    query.sort_order = "descending";
    auto listed = service_->List(ctx_, "User", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_THAT(UserNames(listed->body), ElementsAre("Eve", "dave", "carol", "bob", "alice"));
}

TEST_F(ListTest, FiltersAndCountsOnlyMatches) {
    Query query = Sorted("1");
    query.filter = "active eq true";
    auto listed = service_->List(ctx_, "User", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 4);
    EXPECT_THAT(UserNames(listed->body), ElementsAre("alice"));
}

TEST_F(ListTest, CountZeroGivesTotalOnly) {
    auto listed = service_->List(ctx_, "User", Sorted("0"));
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->body["totalResults"], 5);
    EXPECT_TRUE(listed->body["Resources"].empty());
}

TEST_F(ListTest, RejectsBadParameters) {
    struct Case {
        Query query;
        ScimType want;
    };
    Query bad_filter;
    bad_filter.filter = "userName eq";
    Query unknown_attr;
    unknown_attr.filter = "shoeSize gt 3";
    Query bad_sort;
    bad_sort.sort_by = "shoeSize";
    Query complex_sort;
    complex_sort.sort_by = "name";
    Query bad_count;
    bad_count.count = "ten";
    const Case cases[] = {{bad_filter, ScimType::kInvalidFilter},
                          {unknown_attr, ScimType::kInvalidFilter},
                          {bad_sort, ScimType::kInvalidValue},
                          {complex_sort, ScimType::kInvalidValue},
                          {bad_count, ScimType::kInvalidValue}};
    for (const auto& c : cases) {
        auto listed = service_->List(ctx_, "User", c.query);
        ASSERT_FALSE(listed.ok());
        EXPECT_EQ(listed.error().status, 400);
        EXPECT_EQ(listed.error().scim_type, c.want) << listed.error().detail;
    }
}

TEST_F(ListTest, CursorPagesForwardAndBackward) {
    Query query = Sorted("2");
    query.cursor = "";
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_THAT(UserNames(first->body), ElementsAre("alice", "bob"));
    EXPECT_EQ(first->body["totalResults"], 5);
    EXPECT_FALSE(first->body.contains("previousCursor"));
    ASSERT_TRUE(first->body.contains("nextCursor"));

    query.cursor = first->body["nextCursor"].get<std::string>();
    auto second = service_->List(ctx_, "User", query);
    ASSERT_TRUE(second.ok()) << second.error().detail;
    EXPECT_THAT(UserNames(second->body), ElementsAre("carol", "dave"));

    query.cursor = second->body["nextCursor"].get<std::string>();
    auto third = service_->List(ctx_, "User", query);
    ASSERT_TRUE(third.ok()) << third.error().detail;
    EXPECT_THAT(UserNames(third->body), ElementsAre("Eve"));
    EXPECT_FALSE(third->body.contains("nextCursor"));

    query.cursor = third->body["previousCursor"].get<std::string>();
    auto back = service_->List(ctx_, "User", query);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_THAT(UserNames(back->body), ElementsAre("carol", "dave"));

    query.cursor = back->body["previousCursor"].get<std::string>();
    auto start = service_->List(ctx_, "User", query);
    ASSERT_TRUE(start.ok()) << start.error().detail;
    EXPECT_THAT(UserNames(start->body), ElementsAre("alice", "bob"));
    EXPECT_FALSE(start->body.contains("previousCursor"));
}

TEST_F(ListTest, CursorPagesInIdOrderWithoutSortBy) {
    Query query;
    query.count = "3";
    query.cursor = "";
    std::vector<std::string> seen;
    for (int page = 0; page < 5 && query.cursor; ++page) {
        auto listed = service_->List(ctx_, "User", query);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        for (const auto& r : listed->body["Resources"]) {
            seen.push_back(r["id"]);
        }
        query.cursor = listed->body.contains("nextCursor")
                           ? std::optional<std::string>(listed->body["nextCursor"])
                           : std::nullopt;
    }
    std::vector<std::string> want;
    for (const auto& [name, id] : ids_) {
        want.push_back(id);
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(seen, want);
}

TEST_F(ListTest, TamperedCursorIsInvalidCursor) {
    Query query = Sorted("2");
    query.cursor = "";
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok());
    std::string cursor = first->body["nextCursor"].get<std::string>();
    cursor[cursor.size() / 3] = cursor[cursor.size() / 3] == 'x' ? 'y' : 'x';
    query.cursor = cursor;
    auto tampered = service_->List(ctx_, "User", query);
    ASSERT_FALSE(tampered.ok());
    EXPECT_EQ(tampered.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(ListTest, CursorFromAnotherFilterIsInvalidCursor) {
    Query query = Sorted("2");
    query.cursor = "";
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok());
    query.cursor = first->body["nextCursor"].get<std::string>();
    query.filter = "active eq true";
    auto reused = service_->List(ctx_, "User", query);
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(ListTest, CursorOfAnotherOrganizationIsInvalidCursor) {
    Query query = Sorted("2");
    query.cursor = "";
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok());
    query.cursor = first->body["nextCursor"].get<std::string>();
    RequestContext other = ctx_;
    other.principal.org_id = "org-2";
    auto replayed = service_->List(other, "User", query);
    ASSERT_FALSE(replayed.ok());
    EXPECT_EQ(replayed.error().status, 400);
    EXPECT_EQ(replayed.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(ListTest, ExpiredCursorIsExpiredCursor) {
    Query query = Sorted("2");
    query.cursor = "";
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok());
    query.cursor = first->body["nextCursor"].get<std::string>();
    now_ += std::chrono::hours(2);
    auto late = service_->List(ctx_, "User", query);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().scim_type, ScimType::kExpiredCursor);
}

TEST_F(ListTest, RootListingMergesTypesUsersFirst) {
    Query query;
    query.count = "4";
    query.start_index = "3";
    auto listed = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 6);
    ASSERT_EQ(listed->body["Resources"].size(), 4u);
    EXPECT_EQ(listed->body["Resources"][3]["meta"]["resourceType"], "Group");
}

TEST_F(ListTest, RootListingSkipsTypesWhereFilterAttributeIsUnknown) {
    Query query;
    query.filter = "displayName eq \"Admins\"";
    auto listed = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 1);
    EXPECT_EQ(listed->body["Resources"][0]["id"], group_);
}

TEST_F(ListTest, RootListingSortsEachTypeThatHasTheSortAttribute) {
    Query query = Sorted();
    query.sort_order = "descending";
    auto listed = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_THAT(UserNames(listed->body),
                ElementsAre("Eve", "dave", "carol", "bob", "alice", "Admins"));

    query.sort_by = "shoeSize";
    auto unknown = service_->List(ctx_, std::nullopt, query);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().scim_type, ScimType::kInvalidValue);
}

TEST_F(ListTest, RootListingPagesByCursorAcrossTypes) {
    Query query = Sorted("4");
    query.cursor = "";
    auto first = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_THAT(UserNames(first->body), ElementsAre("alice", "bob", "carol", "dave"));
    EXPECT_EQ(first->body["totalResults"], 6);
    EXPECT_FALSE(first->body.contains("previousCursor"));
    ASSERT_TRUE(first->body.contains("nextCursor"));

    query.cursor = first->body["nextCursor"].get<std::string>();
    auto second = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(second.ok()) << second.error().detail;
    EXPECT_THAT(UserNames(second->body), ElementsAre("Eve", "Admins"));
    EXPECT_EQ(second->body["Resources"][1]["meta"]["resourceType"], "Group");
    EXPECT_EQ(second->body["totalResults"], 6);
    EXPECT_FALSE(second->body.contains("nextCursor"));

    query.cursor = second->body["previousCursor"].get<std::string>();
    auto back = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_THAT(UserNames(back->body), ElementsAre("alice", "bob", "carol", "dave"));
    EXPECT_FALSE(back->body.contains("previousCursor"));
}

TEST_F(ListTest, RootListingCursorWalksEveryRowOnceInBothDirections) {
    CreateGroup("Auditors");
    Query query = Sorted("2");
    query.sort_order = "descending";
    query.cursor = "";
    std::vector<std::string> forward;
    std::optional<std::string> last_previous;
    for (int page = 0; page < 10 && query.cursor; ++page) {
        auto listed = service_->List(ctx_, std::nullopt, query);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        for (const auto& name : UserNames(listed->body)) {
            forward.push_back(name);
        }
        last_previous = listed->body.value("previousCursor", std::string());
        query.cursor = listed->body.contains("nextCursor")
                           ? std::optional(listed->body["nextCursor"].get<std::string>())
                           : std::nullopt;
    }
    ASSERT_EQ(forward.size(), 7u);
    EXPECT_THAT(std::vector(forward.begin(), forward.begin() + 5),
                ElementsAre("Eve", "dave", "carol", "bob", "alice"));

    // Walk back from the last page to the first: the same rows in reverse, page by page.
    std::vector<std::string> backward;
    query.cursor = last_previous;
    for (int page = 0; page < 10 && query.cursor && !query.cursor->empty(); ++page) {
        auto listed = service_->List(ctx_, std::nullopt, query);
        ASSERT_TRUE(listed.ok()) << listed.error().detail;
        auto names = UserNames(listed->body);
        backward.insert(backward.begin(), names.begin(), names.end());
        query.cursor = listed->body.value("previousCursor", std::string());
    }
    EXPECT_EQ(backward, std::vector(forward.begin(), forward.begin() + 6));
}

TEST_F(ListTest, RootListingCursorKeepsTheFilterPerType) {
    Query query;
    query.filter = "displayName eq \"Admins\"";
    query.cursor = "";
    auto listed = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 1);
    ASSERT_EQ(listed->body["Resources"].size(), 1u);
    EXPECT_EQ(listed->body["Resources"][0]["id"], group_);
    EXPECT_FALSE(listed->body.contains("nextCursor"));
}

TEST_F(ListTest, RootListingCursorIsNotValidOnAResourceEndpoint) {
    Query query = Sorted("2");
    query.cursor = "";
    auto root = service_->List(ctx_, std::nullopt, query);
    ASSERT_TRUE(root.ok()) << root.error().detail;
    query.cursor = root->body["nextCursor"].get<std::string>();
    auto users = service_->List(ctx_, "User", query);
    ASSERT_FALSE(users.ok());
    EXPECT_EQ(users.error().scim_type, ScimType::kInvalidCursor);

    Query typed = Sorted("2");
    typed.cursor = "";
    auto first = service_->List(ctx_, "User", typed);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    query.cursor = first->body["nextCursor"].get<std::string>();
    auto on_root = service_->List(ctx_, std::nullopt, query);
    ASSERT_FALSE(on_root.ok());
    EXPECT_EQ(on_root.error().scim_type, ScimType::kInvalidCursor);
}

TEST_F(ListTest, SearchOnRootTakesCursor) {
    auto found = service_->Search(ctx_, std::nullopt,
                                  {{"schemas", {schemas::kSearchRequestSchema}},
                                   {"sortBy", "userName"},
                                   {"cursor", ""},
                                   {"count", 5}});
    ASSERT_TRUE(found.ok()) << found.error().detail;
    EXPECT_EQ(found->body["Resources"].size(), 5u);
    ASSERT_TRUE(found->body.contains("nextCursor"));
    auto next = service_->Search(ctx_, std::nullopt,
                                 {{"schemas", {schemas::kSearchRequestSchema}},
                                  {"sortBy", "userName"},
                                  {"cursor", found->body["nextCursor"]},
                                  {"count", 5}});
    ASSERT_TRUE(next.ok()) << next.error().detail;
    EXPECT_THAT(UserNames(next->body), ElementsAre("Admins"));
}

TEST_F(ListTest, CursorPagesCountOnlyOnTheFirstPage) {
    Query query = Sorted("2");
    query.cursor = "";
    const int before = store_.fake().total_counts();
    auto first = service_->List(ctx_, "User", query);
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_EQ(first->body["totalResults"], 5);
    EXPECT_EQ(store_.fake().total_counts(), before + 1);

    query.cursor = first->body["nextCursor"].get<std::string>();
    auto second = service_->List(ctx_, "User", query);
    ASSERT_TRUE(second.ok()) << second.error().detail;
    EXPECT_EQ(second->body["totalResults"], 5);
    query.cursor = second->body["previousCursor"].get<std::string>();
    auto back = service_->List(ctx_, "User", query);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_EQ(back->body["totalResults"], 5);
    EXPECT_EQ(store_.fake().total_counts(), before + 1);
}

TEST_F(ListTest, FirstCursorPageHoldingEveryMatchNeedsNoCount) {
    Query query = Sorted("10");
    query.cursor = "";
    const int before = store_.fake().total_counts();
    auto listed = service_->List(ctx_, "User", query);
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    EXPECT_EQ(listed->body["totalResults"], 5);
    EXPECT_EQ(listed->body["Resources"].size(), 5u);
    EXPECT_EQ(store_.fake().total_counts(), before);
}

TEST_F(ListTest, SearchTakesSearchRequestBody) {
    auto found = service_->Search(ctx_, "User",
                                  {{"schemas", {schemas::kSearchRequestSchema}},
                                   {"attributes", {"userName"}},
                                   {"filter", "userName sw \"a\""},
                                   {"startIndex", 1},
                                   {"count", 10}});
    ASSERT_TRUE(found.ok()) << found.error().detail;
    EXPECT_EQ(found->body["totalResults"], 1);
    EXPECT_EQ(found->body["Resources"][0]["userName"], "alice");
    EXPECT_FALSE(found->body["Resources"][0].contains("active"));
}

TEST_F(ListTest, SearchRejectsMalformedRequests) {
    for (const nlohmann::json& body :
         {nlohmann::json::array(), nlohmann::json{{"filter", "userName pr"}},
          nlohmann::json{{"schemas", {schemas::kSearchRequestSchema}}, {"count", true}},
          nlohmann::json{{"schemas", {schemas::kSearchRequestSchema}}, {"attributes", {1, 2}}}}) {
        auto found = service_->Search(ctx_, "User", body);
        ASSERT_FALSE(found.ok()) << body;
        EXPECT_EQ(found.error().status, 400) << body;
    }
}

// A member of the wrong JSON type was read as if it were its query-parameter text: "count":"2"
// counted 2, "attributes":"userName" selected, "filter":123 failed as a filter.
TEST_F(ListTest, SearchRefusesMembersOfTheWrongJsonType) {
    struct Case {
        std::string member;
        nlohmann::json value;
        std::string detail;
    };
    const Case cases[] = {
        {"count", "2", "count must be an integer"},
        {"startIndex", "1", "startIndex must be an integer"},
        {"count", 2.5, "count must be an integer"},
        {"attributes", "userName", "attributes must be an array of strings"},
        {"excludedAttributes", "active", "excludedAttributes must be an array of strings"},
        {"attributes", nlohmann::json::array({"userName", 1}),
         "attributes must be an array of strings"},
        {"filter", 123, "filter must be a string"},
        {"sortBy", nlohmann::json::array({"userName"}), "sortBy must be a string"},
        {"sortOrder", true, "sortOrder must be a string"},
        {"cursor", 5, "cursor must be a string"},
    };
    for (const auto& [member, value, detail] : cases) {
        nlohmann::json body = {{"schemas", {schemas::kSearchRequestSchema}}};
        body[member] = value;
        auto found = service_->Search(ctx_, "User", body);
        ASSERT_FALSE(found.ok()) << body;
        EXPECT_EQ(found.error().status, 400) << body;
        EXPECT_EQ(found.error().scim_type, ScimType::kInvalidValue) << body;
        EXPECT_EQ(found.error().detail, detail) << body;
    }
}

}  // namespace
}  // namespace scim::service::testing

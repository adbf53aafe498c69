#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "auth/time.h"
#include "token_fixture.h"

namespace db_test {
namespace {

using std::chrono::seconds;

db::AuditQuery Query(const std::string& org, int per_page = 100) {
    db::AuditQuery q;
    q.org_id = org;
    q.per_page = per_page;
    return q;
}

TEST_P(AuditStoreTest, PagesFollowEachOtherWithoutGapsOrRepeats) {
    std::string org = NewOrg();
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(tokens_->CreateWorkspace(org, "ws" + std::to_string(i), cli_).ok());
    }
    std::vector<std::int64_t> ids;
    db::AuditQuery q = Query(org, 3);
    for (int pages = 0; pages < 10; ++pages) {
        auto page = audit_->List(q);
        ASSERT_TRUE(page.ok()) << page.error().internal;
        for (const auto& e : page->events) {
            ids.push_back(e.event_id);
        }
        if (!page->next_cursor) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_P(AuditStoreTest, FiltersByCreatedAfterAndWorkspace) {
    std::string org = NewOrg();
    const std::string before = auth::FormatTimestamp(clock_.Now());
    clock_.Advance(seconds(5));
    auto ws = tokens_->CreateWorkspace(org, "EMEA", cli_);
    ASSERT_TRUE(ws.ok());
    NewToken(org);
    NewToken(org, auth::TokenKind::kWorkspace, ws->workspace_id);

    db::AuditQuery q = Query(org);
    q.created_after = before;
    auto later = audit_->List(q);
    ASSERT_TRUE(later.ok());
    EXPECT_EQ(later->events.size(), 3u);  // not org.created

    q = Query(org);
    q.workspace_id = ws->workspace_id;
    auto in_ws = audit_->List(q);
    ASSERT_TRUE(in_ws.ok());
    ASSERT_EQ(in_ws->events.size(), 2u);
    EXPECT_EQ(in_ws->events[0].action, "workspace.created");
    EXPECT_EQ(in_ws->events[1].action, "token.created");
}

TEST_P(AuditStoreTest, RejectsBadParameters) {
    std::string org = NewOrg();
    std::string other = NewOrg("Other");
    EXPECT_EQ(audit_->List(Query(org, 0)).error().status, 400);
    EXPECT_EQ(audit_->List(Query(org, 101)).error().status, 400);
    db::AuditQuery q = Query(org);
    q.created_after = "yesterday";
    EXPECT_EQ(audit_->List(q).error().status, 400);
    for (std::string cursor :
         {std::string("garbage!"), std::string(""), db::CursorAfter(other, 1)}) {
        q = Query(org);
        q.cursor = cursor;
        auto result = audit_->List(q);
        ASSERT_FALSE(result.ok()) << cursor;
        EXPECT_EQ(result.error().scim_type, scim::ScimType::kInvalidCursor) << cursor;
    }
}

TEST_P(AuditStoreTest, ReaderFollowingTheTailSeesEveryEventOnceWhileWritersRun) {
    std::string org = NewOrg();
    constexpr int kWriters = 3;
    constexpr int kPerWriter = 15;
    std::atomic<int> done{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            for (int i = 0; i < kPerWriter; ++i) {
                auto ws = tokens_->CreateWorkspace(
                    org, "w" + std::to_string(w) + "-" + std::to_string(i), cli_);
                EXPECT_TRUE(ws.ok()) << ws.error().internal;
            }
            ++done;
        });
    }
    std::vector<std::int64_t> seen;
    std::int64_t last = 0;
    while (true) {
        // Read the flag before the page: if every writer had finished before the read, an empty
        // page proves the tail has been reached.
        bool writers_done = done.load() == kWriters;
        db::AuditQuery q = Query(org, 4);
        q.cursor = db::CursorAfter(org, last);
        auto page = audit_->List(q);
        ASSERT_TRUE(page.ok()) << page.error().internal;
        for (const auto& e : page->events) {
            seen.push_back(e.event_id);
            last = e.event_id;
        }
        if (page->events.empty() && writers_done) {
            break;
        }
    }
    for (auto& t : writers) {
        t.join();
    }
    std::vector<std::int64_t> expected;
    for (std::int64_t id = 1; id <= 1 + kWriters * kPerWriter; ++id) {
        expected.push_back(id);
    }
    EXPECT_EQ(seen, expected);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditStoreTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

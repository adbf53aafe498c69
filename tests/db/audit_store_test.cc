#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "auth/time.h"
#include "db/migrate.h"
#include "embedded.h"
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

// Every event_id of `org`, oldest first, read page by page.
std::vector<std::int64_t> AllIds(db::AuditStore& audit, const std::string& org) {
    std::vector<std::int64_t> ids;
    db::AuditQuery q = Query(org);
    while (true) {
        auto page = audit.List(q);
        EXPECT_TRUE(page.ok()) << page.error().internal;
        if (!page.ok()) {
            return ids;
        }
        for (const auto& e : page->events) {
            ids.push_back(e.event_id);
        }
        if (!page->next_cursor) {
            return ids;
        }
        q.cursor = page->next_cursor;
    }
}

std::vector<std::int64_t> OneTo(std::int64_t n) {
    std::vector<std::int64_t> out;
    for (std::int64_t id = 1; id <= n; ++id) {
        out.push_back(id);
    }
    return out;
}

scim::RequestContext ContextOf(const std::string& org) {
    scim::RequestContext context;
    context.principal.kind = scim::CredentialKind::kCli;
    context.principal.org_id = org;
    return context;
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

// Writers of two orgs append concurrently and linger a little after their append before
// committing, so commits arrive late and out of step; a reader follows one org's tail meanwhile.
// Each org's ids must be exactly 1..N, and the reader must see them in order, each once: it could
// only miss one if a larger id became visible before a smaller one.
TEST_P(AuditStoreTest, ConcurrentAppendsOfTwoOrgsNumberEachOrgInCommitOrder) {
    const std::string busy = NewOrg("Busy");
    const std::string quiet = NewOrg("Quiet");
    auto opened = db::Database::Open(url_, 6);
    ASSERT_TRUE(opened.ok()) << opened.error().internal;
    std::shared_ptr<db::Database> writers_db = *opened;

    constexpr int kBusyWriters = 3;
    constexpr int kPerWriter = 20;
    std::atomic<int> done{0};
    auto append = [&](const std::string& org, unsigned seed) {
        std::mt19937 rng(seed);
        for (int i = 0; i < kPerWriter; ++i) {
            const auto linger = std::chrono::microseconds(rng() % 3000);
            scim::Status status =
                writers_db->WithTransaction([&](soci::session& s) -> scim::Status {
                    db::AppendAuditEvent(*writers_db, s, ContextOf(org),
                                         scim::AuditEvent{"test.appended", "", "", {}},
                                         auth::FormatTimestamp(clock_.Now()));
                    std::this_thread::sleep_for(linger);
                    return scim::Ok{};
                });
            EXPECT_TRUE(status.ok()) << status.error().internal;
        }
        ++done;
    };
    std::vector<std::thread> writers;
    for (int w = 0; w < kBusyWriters; ++w) {
        writers.emplace_back(append, busy, 17u + w);
    }
    writers.emplace_back(append, quiet, 99u);

    std::vector<std::int64_t> seen;
    std::int64_t last = 0;
    while (true) {
        const bool writers_done = done.load() == kBusyWriters + 1;
        db::AuditQuery q = Query(busy, 5);
        q.cursor = db::CursorAfter(busy, last);
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
    const std::int64_t busy_count = 1 + kBusyWriters * kPerWriter;  // with org.created
    EXPECT_EQ(seen, OneTo(busy_count));
    EXPECT_EQ(AllIds(*audit_, busy), OneTo(busy_count));
    EXPECT_EQ(AllIds(*audit_, quiet), OneTo(1 + kPerWriter));
    EXPECT_EQ(CountRows("SELECT last_event_id FROM audit_counters WHERE org_id = '" + busy + "'"),
              busy_count);
}

// A transaction that fails after its append takes its id back with it: the next event gets the
// same id, so the log has no holes a reader could mistake for a lost event.
TEST_P(AuditStoreTest, RolledBackAppendLeavesNoGap) {
    const std::string org = NewOrg();
    scim::Status failed = db_->WithTransaction([&](soci::session& s) -> scim::Status {
        const std::int64_t id = db::AppendAuditEvent(*db_, s, ContextOf(org),
                                                     scim::AuditEvent{"test.appended", "", "", {}},
                                                     "2026-01-01T00:00:00.000Z");
        EXPECT_EQ(id, 2);
        return scim::Error::Conflict("changed my mind");
    });
    ASSERT_FALSE(failed.ok());
    ASSERT_TRUE(tokens_->CreateWorkspace(org, "after", cli_).ok());
    EXPECT_EQ(AllIds(*audit_, org), OneTo(2));
}

// A database that already holds events when the counter table arrives continues after them.
TEST_P(AuditStoreTest, CounterMigrationContinuesAfterExistingEvents) {
    std::string url;
    if (is_postgres()) {
        const std::string schema = schema_ + "_old";
        RunOnAdmin("CREATE SCHEMA " + schema);
        url = WithSearchPath(pg_base_, schema);
    } else {
        url = "sqlite:" + (dir_ / "old.db").string();
    }
    std::vector<embedded::File> before_counters;
    for (const embedded::File& file : migration_data::Files()) {
        // Zero-padded versions sort as text.
        if (file.path.substr(file.path.rfind('/') + 1) < "0003") {
            before_counters.push_back(file);
        }
    }
    std::shared_ptr<db::Database> old_db;
    {
        auto opened = db::Database::Open(url, 1);
        ASSERT_TRUE(opened.ok()) << opened.error().internal;
        old_db = *opened;
    }
    auto old_version = db::Migrate(*old_db, before_counters);
    ASSERT_TRUE(old_version.ok()) << old_version.error().internal;
    ASSERT_EQ(*old_version, 2);
    scim::Status seeded = old_db->WithSession([&](soci::session& s) -> scim::Status {
        const std::string details = is_postgres() ? "CAST('{}' AS jsonb)" : "'{}'";
        for (const char* key : {"'a', 1", "'a', 7", "'b', 3"}) {
            s << std::string(
                     "INSERT INTO audit_events (org_id, event_id, created_at, actor_kind, "
                     "action, details) VALUES (") +
                     key + ", 'x', 'cli', 'old', " + details + ")";
        }
        return scim::Ok{};
    });
    ASSERT_TRUE(seeded.ok()) << seeded.error().internal;
    ASSERT_TRUE(db::Migrate(*old_db).ok());

    db::AuditStore old_audit(old_db);
    for (const auto& [org, next] :
         std::map<std::string, std::int64_t>{{"a", 8}, {"b", 4}, {"c", 1}}) {
        scim::Status appended = old_db->WithTransaction([&](soci::session& s) -> scim::Status {
            EXPECT_EQ(db::AppendAuditEvent(*old_db, s, ContextOf(org),
                                           scim::AuditEvent{"test.appended", "", "", {}},
                                           "2026-01-01T00:00:00.000Z"),
                      next)
                << org;
            return scim::Ok{};
        });
        EXPECT_TRUE(appended.ok()) << appended.error().internal;
    }
    EXPECT_EQ(AllIds(old_audit, "a"), (std::vector<std::int64_t>{1, 7, 8}));
    old_db.reset();
    if (is_postgres()) {
        RunOnAdmin("DROP SCHEMA IF EXISTS " + schema_ + "_old CASCADE");
    }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditStoreTest, ::testing::Values("sqlite"));

}  // namespace
}  // namespace db_test

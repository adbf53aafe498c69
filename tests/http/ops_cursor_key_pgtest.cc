#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/migrate.h"
#include "db/resource_store.h"
#include "db/server_keys.h"
#include "schemas/schema.h"
#include "scim/service/resource_service.h"

// The scale-out case on PostgreSQL: two instances (each its own pool, store and service) on one
// database share the cursor key the first one stored, and accept each other's cursors.
namespace scim::http {
namespace {

struct PgInstance {
    std::shared_ptr<db::Database> database;
    std::string key;
    std::unique_ptr<db::SqlResourceStore> store;
    std::unique_ptr<service::ResourceService> service;
};

std::unique_ptr<PgInstance> StartInstance(const std::string& dsn,
                                          std::shared_ptr<const schemas::Registry> registry) {
    auto instance = std::make_unique<PgInstance>();
    auto opened = db::Database::Open(dsn, 2);
    if (!opened.ok()) {
        ADD_FAILURE() << opened.error().internal;
        return nullptr;
    }
    instance->database = *opened;
    auto migrated = db::Migrate(*instance->database);
    EXPECT_TRUE(migrated.ok()) << (migrated.ok() ? "" : migrated.error().internal);
    auto key = db::LoadOrCreateServerKey(*instance->database, db::kCursorKeyName);
    if (!key.ok()) {
        ADD_FAILURE() << key.error().internal;
        return nullptr;
    }
    instance->key = *key;
    instance->store = std::make_unique<db::SqlResourceStore>(instance->database);
    service::Config config;
    config.cursor_key = instance->key;
    instance->service =
        std::make_unique<service::ResourceService>(registry, *instance->store, config);
    return instance;
}

TEST(SharedCursorKeyPgTest, InstancesOnOnePostgresAcceptEachOthersCursors) {
    const char* dsn = std::getenv("SCIM_TEST_PG_DSN");
    if (dsn == nullptr || *dsn == '\0') {
        GTEST_SKIP() << "SCIM_TEST_PG_DSN is not set; PostgreSQL tests skipped";
    }
    auto registry = schemas::Registry::Load();
    ASSERT_TRUE(registry.ok());
    auto a = StartInstance(dsn, *registry);
    auto b = StartInstance(dsn, *registry);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->key.size(), 64u);
    EXPECT_EQ(a->key, b->key);

    // A fresh organization id keeps this run apart from anything else in the database.
    RequestContext ctx;
    ctx.principal.org_id = "opscursor" + std::to_string(std::random_device{}());
    ctx.principal.credential_id = "tok1";
    for (int i = 0; i < 5; ++i) {
        nlohmann::json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                               {"userName", "user" + std::to_string(i)}};
        auto created = a->service->Create(ctx, "User", body, service::Query{});
        ASSERT_TRUE(created.ok()) << created.error().detail << " " << created.error().internal;
    }
    service::Query first;
    first.cursor = "";
    first.count = "2";
    auto page = a->service->List(ctx, "User", first);
    ASSERT_TRUE(page.ok()) << page.error().detail;
    ASSERT_TRUE(page->body.contains("nextCursor")) << page->body.dump();

    service::Query next;
    next.count = "2";
    next.cursor = page->body["nextCursor"].get<std::string>();
    auto second = b->service->List(ctx, "User", next);
    ASSERT_TRUE(second.ok()) << second.error().detail;
    EXPECT_EQ(second->body["Resources"].size(), 2u);
}

}  // namespace
}  // namespace scim::http

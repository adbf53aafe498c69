#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/migrate.h"
#include "db/resource_store.h"
#include "db/server_keys.h"
#include "schemas/schema.h"
#include "scim/service/resource_service.h"

// Two server instances on one database must accept each other's paging cursors (a load
// balancer sends page 2 wherever it likes). Each "instance" here has its own Database handle,
// store and service, as two processes would.
namespace scim::http {
namespace {

class Instance {
public:
    Instance(const std::string& url, std::shared_ptr<const schemas::Registry> registry) {
        auto opened = db::Database::Open(url, 2);
        if (!opened.ok()) {
            ADD_FAILURE() << opened.error().internal;
            return;
        }
        database_ = *opened;
        auto migrated = db::Migrate(*database_);
        EXPECT_TRUE(migrated.ok()) << (migrated.ok() ? "" : migrated.error().internal);
        auto key = db::LoadOrCreateServerKey(*database_, db::kCursorKeyName);
        EXPECT_TRUE(key.ok()) << (key.ok() ? "" : key.error().internal);
        key_ = key.ok() ? *key : "";
        store_ = std::make_unique<db::SqlResourceStore>(database_);
        service::Config config;
        config.cursor_key = key_;
        service_ = std::make_unique<service::ResourceService>(registry, *store_, config);
    }

    const std::string& key() const { return key_; }
    service::ResourceService& service() { return *service_; }

private:
    std::shared_ptr<db::Database> database_;
    std::string key_;
    std::unique_ptr<db::SqlResourceStore> store_;
    std::unique_ptr<service::ResourceService> service_;
};

class SharedCursorKeyTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("scimd-ops-cursor-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        url_ = "sqlite:" + (dir_ / "shared.db").string();
        auto registry = schemas::Registry::Load();
        ASSERT_TRUE(registry.ok());
        registry_ = *registry;
        ctx_.principal.org_id = "org1";
        ctx_.principal.credential_id = "tok1";
        ctx_.request_id = "req1";
    }

    void TearDown() override { std::filesystem::remove_all(dir_); }

    static service::Query FirstPage() {
        service::Query query;
        query.cursor = "";
        query.count = "2";
        return query;
    }

    void CreateUsers(service::ResourceService& service, int n) {
        for (int i = 0; i < n; ++i) {
            nlohmann::json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                                   {"userName", "user" + std::to_string(i)}};
            auto created = service.Create(ctx_, "User", body, service::Query{});
            ASSERT_TRUE(created.ok()) << created.error().detail;
        }
    }

    std::filesystem::path dir_;
    std::string url_;
    std::shared_ptr<const schemas::Registry> registry_;
    RequestContext ctx_;
};

TEST_F(SharedCursorKeyTest, InstancesOnOneDatabaseAcceptEachOthersCursors) {
    Instance a(url_, registry_);
    Instance b(url_, registry_);
    ASSERT_EQ(a.key().size(), 64u);
    EXPECT_EQ(a.key(), b.key());
    CreateUsers(a.service(), 5);

    auto first = a.service().List(ctx_, "User", FirstPage());
    ASSERT_TRUE(first.ok()) << first.error().detail;
    ASSERT_TRUE(first->body.contains("nextCursor")) << first->body.dump();
    service::Query next;
    next.count = "2";
    next.cursor = first->body["nextCursor"].get<std::string>();

    auto second = b.service().List(ctx_, "User", next);
    ASSERT_TRUE(second.ok()) << second.error().detail;
    ASSERT_EQ(second->body["Resources"].size(), 2u);
    EXPECT_NE(second->body["Resources"][0]["id"], first->body["Resources"][0]["id"]);
}

TEST_F(SharedCursorKeyTest, AnInstanceWithAnotherKeyRejectsTheCursor) {
    Instance a(url_, registry_);
    CreateUsers(a.service(), 3);
    auto first = a.service().List(ctx_, "User", FirstPage());
    ASSERT_TRUE(first.ok()) << first.error().detail;
    ASSERT_TRUE(first->body.contains("nextCursor"));

    db::SqlResourceStore store(*db::Database::Open(url_, 1));
    service::Config config;
    config.cursor_key = "a key of some other deployment";
    service::ResourceService other(registry_, store, config);
    service::Query next;
    next.cursor = first->body["nextCursor"].get<std::string>();
    auto refused = other.List(ctx_, "User", next);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 400);
}

TEST_F(SharedCursorKeyTest, ConcurrentFirstStartsAgreeOnOneKey) {
    {
        // Apply the migrations once, as the first instance to start would.
        Instance setup(url_, registry_);
    }
    auto database = db::Database::Open(url_, 4);
    ASSERT_TRUE(database.ok());
    std::vector<std::string> keys(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        threads.emplace_back([&, i] {
            auto key = db::LoadOrCreateServerKey(**database, "another_purpose");
            keys[i] = key.ok() ? *key : "error: " + key.error().internal;
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const std::string& key : keys) {
        EXPECT_EQ(key, keys[0]);
    }
    EXPECT_EQ(keys[0].size(), 64u);
}

}  // namespace
}  // namespace scim::http

// Update retries under contention: many writers of one resource without If-Match must all get
// their change in (DESIGN.md §6), not run out of attempts and answer 409.

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fake_store.h"
#include "schemas/schema.h"
#include "scim/service/resource_service.h"
#include "scim/service/write_support.h"

namespace scim::service::testing {
namespace {

// A FakeStore whose reads and writes take as long as a database round trip, so concurrent
// read-modify-write cycles overlap and collide as they do on a real database.
class SlowStore : public FakeStore {
public:
    Result<StoredResource> Get(std::string_view org_id,
                               std::string_view type,
                               std::string_view id) override {
        std::this_thread::sleep_for(kRoundTrip);
        return FakeStore::Get(org_id, type, id);
    }

    Result<StoredResource> Update(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  std::int64_t expected_version,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override {
        std::this_thread::sleep_for(kRoundTrip);
        return FakeStore::Update(ctx, type, resource, expected_version, members, event);
    }

private:
    static constexpr auto kRoundTrip = std::chrono::milliseconds(3);
};

// A FakeStore whose first `failures` updates lose the race (412), as when other writers keep
// getting there first.
class LosingStore : public FakeStore {
public:
    explicit LosingStore(int failures) : failures_(failures) {}

    Result<StoredResource> Update(const RequestContext& ctx,
                                  std::string_view type,
                                  const StoredResource& resource,
                                  std::int64_t expected_version,
                                  const MemberChanges& members,
                                  const AuditEvent& event) override {
        if (failures_-- > 0) {
            return Error::PreconditionFailed("version mismatch");
        }
        return FakeStore::Update(ctx, type, resource, expected_version, members, event);
    }

private:
    int failures_;
};

class WriteRetryTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto loaded = schemas::Registry::Load();
        ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
        registry_ = *loaded;
        ctx_.principal.org_id = "org-1";
        ctx_.principal.credential_id = "tok-1";
    }

    static nlohmann::json User(const std::string& user_name) {
        return {{"schemas", {schemas::kUserSchema}}, {"userName", user_name}};
    }

    static nlohmann::json AddEmail(const std::string& email) {
        return {
            {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
            {"Operations", {{{"op", "add"}, {"path", "emails"}, {"value", {{{"value", email}}}}}}}};
    }

    std::shared_ptr<const schemas::Registry> registry_;
    RequestContext ctx_;
};

TEST_F(WriteRetryTest, DefaultBudgetOutlastsADozenLostRaces) {
    LosingStore store(12);
    ResourceService service(registry_, store, Config{});
    auto created = service.Create(ctx_, "User", User("bjensen"), Query{});
    ASSERT_TRUE(created.ok());
    const std::string id = created->body["id"];
    auto patched =
        service.Patch(ctx_, "User", id, AddEmail("b@example.com"), Query{}, Preconditions{});
    ASSERT_TRUE(patched.ok()) << patched.error().detail;
    EXPECT_EQ(patched->body["emails"][0]["value"], "b@example.com");
}

TEST_F(WriteRetryTest, ThirtyTwoConcurrentPatchesOfOneUserAllApply) {
    SlowStore store;
    ResourceService service(registry_, store, Config{});
    auto created = service.Create(ctx_, "User", User("bjensen"), Query{});
    ASSERT_TRUE(created.ok());
    const std::string id = created->body["id"];

    constexpr int kWriters = 32;
    std::atomic<int> ok{0};
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
        writers.emplace_back([&, i] {
            start.arrive_and_wait();
            auto patched =
                service.Patch(ctx_, "User", id, AddEmail("w" + std::to_string(i) + "@example.com"),
                              Query{}, Preconditions{});
            ok += patched.ok() ? 1 : 0;
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    EXPECT_EQ(ok.load(), kWriters);
    auto final_user = store.Get("org-1", "User", id);
    ASSERT_TRUE(final_user.ok());
    EXPECT_EQ(final_user->doc["emails"].size(), static_cast<std::size_t>(kWriters));
    EXPECT_EQ(final_user->version, kWriters + 1);
}

}  // namespace
}  // namespace scim::service::testing

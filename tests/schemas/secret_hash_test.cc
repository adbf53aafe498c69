#include "schemas/secret_hash.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace schemas {
namespace {

TEST(ConcurrencyLimitTest, NeverLetsMoreThanTheLimitInAtOnce) {
    ConcurrencyLimit limit(2);
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            limit.Enter();
            const int now = ++inside;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            --inside;
            limit.Leave();
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(most.load(), 2);
    EXPECT_EQ(limit.peak(), 2u);
}

TEST(ConcurrencyLimitTest, RaisingTheLimitWakesWaiters) {
    ConcurrencyLimit limit(1);
    limit.Enter();
    std::atomic<bool> entered{false};
    std::thread waiter([&] {
        limit.Enter();
        entered = true;
        limit.Leave();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_FALSE(entered.load());
    limit.SetLimit(2);
    waiter.join();
    EXPECT_TRUE(entered.load());
    limit.Leave();
    EXPECT_EQ(limit.limit(), 2u);
}

// Each Argon2id hash takes 64 MiB while it runs: many parallel password writes must queue
// instead of adding 64 MiB each.
TEST(SecretHashTest, ParallelHashesStayWithinTheProcessLimit) {
    ConcurrencyLimit& limit = SecretHashLimit();
    const std::size_t saved = limit.limit();
    limit.SetLimit(2);
    limit.ResetPeak();
    std::vector<std::thread> threads;
    std::atomic<int> verified{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            const std::string plain = "secret-" + std::to_string(i);
            auto hash = HashSecretValue(plain);
            if (hash.ok() && VerifySecretValue(*hash, plain) && !VerifySecretValue(*hash, "x")) {
                ++verified;
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(verified.load(), 4);
    EXPECT_LE(limit.peak(), 2u);
    EXPECT_GE(limit.peak(), 1u);
    limit.SetLimit(saved);
}

}  // namespace
}  // namespace schemas

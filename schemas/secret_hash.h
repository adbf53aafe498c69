#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "scim/result.h"

// Argon2id hashing and checking of writeOnly values (passwords). Each call needs 64 MiB
// (libsodium's interactive limits) for its duration, so an unbounded number of parallel
// password writes would grow the process by 64 MiB each; a process-wide limit queues the rest.
namespace schemas {

// A counting limit whose size can change at run time. Thread-safe.
class ConcurrencyLimit {
public:
    explicit ConcurrencyLimit(std::size_t limit);

    // Waits until fewer than limit() holders are inside, then enters.
    void Enter();
    void Leave();

    // At least 1.
    void SetLimit(std::size_t limit);
    std::size_t limit() const;
    // The most holders that were ever inside at once since the last ResetPeak.
    std::size_t peak() const;
    void ResetPeak();

private:
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::size_t limit_;
    std::size_t inside_ = 0;
    std::size_t peak_ = 0;
};

// The limit every hash and check below goes through. Its size defaults to the number of cores
// (hashing is CPU-bound, so more at once would not finish sooner) and is set by scimd's
// --max-password-hashes.
ConcurrencyLimit& SecretHashLimit();

// The Argon2id hash string of `plain`; 500 when libsodium fails (out of memory).
scim::Result<std::string> HashSecretValue(std::string_view plain);

// True when `plain` matches `hash` (a string HashSecretValue made).
bool VerifySecretValue(const std::string& hash, std::string_view plain);

}  // namespace schemas

#include "schemas/secret_hash.h"

#include <algorithm>
#include <thread>

#include <sodium.h>

namespace schemas {

namespace {

// Holds one place in a ConcurrencyLimit for a scope.
class Entered {
public:
    explicit Entered(ConcurrencyLimit& limit) : limit_(limit) { limit_.Enter(); }
    ~Entered() { limit_.Leave(); }
    Entered(const Entered&) = delete;
    Entered& operator=(const Entered&) = delete;

private:
    ConcurrencyLimit& limit_;
};

}  // namespace

ConcurrencyLimit::ConcurrencyLimit(std::size_t limit) : limit_(std::max<std::size_t>(limit, 1)) {}

void ConcurrencyLimit::Enter() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return inside_ < limit_; });
    ++inside_;
    peak_ = std::max(peak_, inside_);
}

void ConcurrencyLimit::Leave() {
    {
        std::lock_guard lock(mutex_);
        --inside_;
    }
    freed_.notify_one();
}

void ConcurrencyLimit::SetLimit(std::size_t limit) {
    {
        std::lock_guard lock(mutex_);
        limit_ = std::max<std::size_t>(limit, 1);
    }
    freed_.notify_all();
}

std::size_t ConcurrencyLimit::limit() const {
    std::lock_guard lock(mutex_);
    return limit_;
}

std::size_t ConcurrencyLimit::peak() const {
    std::lock_guard lock(mutex_);
    return peak_;
}

void ConcurrencyLimit::ResetPeak() {
    std::lock_guard lock(mutex_);
    peak_ = inside_;
}

ConcurrencyLimit& SecretHashLimit() {
    static ConcurrencyLimit limit(std::max(1u, std::thread::hardware_concurrency()));
    return limit;
}

scim::Result<std::string> HashSecretValue(std::string_view plain) {
    if (sodium_init() < 0) {
        return scim::Error::Internal("libsodium failed to initialise");
    }
    char hash[crypto_pwhash_STRBYTES];
    Entered entered(SecretHashLimit());
    if (crypto_pwhash_str(hash, plain.data(), plain.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return scim::Error::Internal("crypto_pwhash_str failed (out of memory)");
    }
    return std::string(hash);
}

bool VerifySecretValue(const std::string& hash, std::string_view plain) {
    if (sodium_init() < 0) {
        return false;
    }
    Entered entered(SecretHashLimit());
    return crypto_pwhash_str_verify(hash.c_str(), plain.data(), plain.size()) == 0;
}

}  // namespace schemas

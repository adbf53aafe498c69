#include "db/server_keys.h"

#include <soci/soci.h>
#include <sodium.h>

#include "db/timestamp.h"

namespace db {

namespace {

constexpr std::size_t kKeyBytes = 32;

std::string RandomHexKey() {
    unsigned char bytes[kKeyBytes];
    randombytes_buf(bytes, sizeof bytes);
    std::string hex(kKeyBytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, sizeof bytes);
    sodium_memzero(bytes, sizeof bytes);
    hex.pop_back();  // the terminating NUL
    return hex;
}

}  // namespace

scim::Result<std::string> LoadOrCreateServerKey(Database& database, std::string_view name) {
    if (sodium_init() < 0) {
        return scim::Error::Internal("libsodium failed to initialise");
    }
    const std::string key_name(name);
    const std::string candidate = RandomHexKey();
    const std::string created_at = UtcNowMillis();
    return database.WithTransaction([&](soci::session& session) -> scim::Result<std::string> {
        // Both dialects know ON CONFLICT DO NOTHING: the loser of a race inserts nothing and
        // reads the winner's key below.
        session << "INSERT INTO server_keys (name, secret, created_at) VALUES (:n, :s, :c) "
                   "ON CONFLICT (name) DO NOTHING",
            soci::use(key_name), soci::use(candidate), soci::use(created_at);
        std::string secret;
        session << "SELECT secret FROM server_keys WHERE name = :n", soci::use(key_name),
            soci::into(secret);
        if (!session.got_data() || secret.empty()) {
            return scim::Error::Internal("server key " + key_name + " could not be stored");
        }
        return secret;
    });
}

}  // namespace db

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "scim/result.h"

// Parsing of the database URLs accepted by Database::Open into SOCI connect strings.
namespace db {

struct DatabaseTarget {
    Dialect dialect = Dialect::kSqlite;
    std::string connect_string;  // for soci::session::open; may hold the password
    // Decoded passwords (the URL's own and any `password`/`sslpassword` query parameter), to
    // scrub them from driver messages.
    std::vector<std::string> secrets;
    bool memory = false;  // sqlite::memory:
};

// Parses `sqlite:PATH`, `sqlite::memory:` and `postgresql://user[:pass]@host[:port]/db[?k=v&..]`
// (percent-encoded parts are decoded). For PostgreSQL the URL becomes a libpq keyword/value
// string, because SOCI hands its connect string to libpq unchanged and the keyword form lets us
// add defaults: connect_timeout=5 and statement_timeout 15 s (through `options`) unless the URL
// sets them. Errors: 500 naming the redacted URL and what is wrong with it.
scim::Result<DatabaseTarget> ParseDatabaseUrl(std::string_view url);

// `message` with every occurrence of each non-empty secret replaced by "***".
std::string RedactConnectMessage(std::string_view message, const std::vector<std::string>& secrets);

}  // namespace db

#pragma once

#include <string>
#include <string_view>

#include "db/database.h"
#include "scim/result.h"

// Parsing of the database URLs accepted by Database::Open into SOCI connect strings.
namespace db {

struct DatabaseTarget {
    Dialect dialect = Dialect::kSqlite;
    std::string connect_string;  // for soci::session::open; may hold the password
    std::string password;        // decoded, to scrub it from driver messages; empty if none
    bool memory = false;         // sqlite::memory:
};

// Parses `sqlite:PATH`, `sqlite::memory:` and `postgresql://user[:pass]@host[:port]/db[?k=v&..]`
// (percent-encoded parts are decoded). For PostgreSQL the URL becomes a libpq keyword/value
// string, because SOCI hands its connect string to libpq unchanged and the keyword form lets us
// add defaults: connect_timeout=5 and statement_timeout 15 s (through `options`) unless the URL
// sets them. Errors: 500 naming the redacted URL and what is wrong with it.
scim::Result<DatabaseTarget> ParseDatabaseUrl(std::string_view url);

// `message` with every occurrence of `password` replaced by "***" (no-op for an empty password).
std::string RedactConnectMessage(std::string_view message, std::string_view password);

}  // namespace db

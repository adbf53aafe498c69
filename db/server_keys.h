#pragma once

#include <string>
#include <string_view>

#include "db/database.h"
#include "scim/result.h"

// Secrets of the deployment that every instance must share, kept in the `server_keys` table
// (migration 0002). The first instance to ask for a key creates it; the others read the same
// row, so instances behind one load balancer agree without any file to distribute.
namespace db {

// The key that signs paging cursors (RFC 9865), shared by every instance.
inline constexpr std::string_view kCursorKeyName = "cursor_signing";

// Returns the secret stored under `name`, first storing 32 fresh random bytes from libsodium
// (as 64 hex characters) when there is none. Race-free across instances: concurrent first calls
// all return the row that won the insert. Errors: 503 when the database is unavailable, 500
// otherwise. The secret never appears in an error message. Thread-safe.
scim::Result<std::string> LoadOrCreateServerKey(Database& database, std::string_view name);

}  // namespace db

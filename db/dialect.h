#pragma once

// Which SQL dialect a database speaks. Shared by the connection layer (db/database.h) and the
// filter compiler (db/sql_filter.h), which must agree on it.
namespace db {

enum class Dialect { kSqlite, kPostgres };

}  // namespace db

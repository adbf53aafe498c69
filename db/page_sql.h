#pragma once

#include <cstdint>
#include <string>

#include "db/dialect.h"

// The statement that reads one page of a listing, shared by SqlResourceStore::List and the plan
// tests so both see the same text.
namespace db {

// Rows (id, version, created, last_modified, doc as text) of `table` ("users" or "groups")
// matching `where`, in `order`, `count` of them after skipping `offset`. `where` and `order`
// name the table's columns as `table.column` and may hold binds; each bind occurs once in the
// result. `order` must end with the id, so that it is a total order.
std::string ListPageSql(Dialect dialect,
                        const std::string& table,
                        const std::string& where,
                        const std::string& order,
                        std::int64_t count,
                        std::int64_t offset);

}  // namespace db

#include "db/page_sql.h"

namespace db {

std::string ListPageSql(Dialect dialect,
                        const std::string& table,
                        const std::string& where,
                        const std::string& order,
                        std::int64_t count,
                        std::int64_t offset) {
    const std::string limit =
        " LIMIT " + std::to_string(count) + " OFFSET " + std::to_string(offset);
    if (dialect != Dialect::kPostgres) {
        // SQLite checks the OFFSET before it reads a row's result columns, so a skipped row's
        // doc is never read; a join here would only add a sort of the page.
        return "SELECT id, version, created, last_modified, doc FROM " + table + " WHERE " + where +
               " ORDER BY " + order + limit;
    }
    // PostgreSQL computes the select list of every row it skips for OFFSET and of every row it
    // sorts, so selecting CAST(doc AS TEXT) here directly would convert offset + count documents
    // (all the matches when the order needs a sort). The page's keys are chosen first, from the
    // index alone where it can, and only those rows are read in full. The inner query keeps the
    // table's own name, so `where` and `order` bind to it there; the outer one sorts the page
    // again by the same total order.
    return "SELECT " + table + ".id, " + table + ".version, " + table + ".created, " + table +
           ".last_modified, CAST(" + table + ".doc AS TEXT) FROM (SELECT " + table + ".org_id, " +
           table + ".id FROM " + table + " WHERE " + where + " ORDER BY " + order + limit +
           ") AS page_keys JOIN " + table + " ON " + table + ".org_id = page_keys.org_id AND " +
           table + ".id = page_keys.id ORDER BY " + order;
}

}  // namespace db

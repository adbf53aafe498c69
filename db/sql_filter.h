#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/dialect.h"
#include "schemas/schema.h"
#include "scim/filter/ast.h"
#include "scim/result.h"

// Compiles a bound filter (scim/filter/bind.h) into a parameterised SQL WHERE fragment. Pure
// string building: no database access and no SOCI types, so it is tested without a database.
namespace db {

// A value to bind, in order. Booleans are compiled to what each backend needs and never
// appear here; dateTimes are bound as normalised strings.
using SqlValue = std::variant<std::string, std::int64_t, double>;

struct SqlFragment {
    // Boolean SQL expression using named placeholders `:p<N>` (SOCI style, both backends) and
    // referring to the row as `<table>.<column>` (`users.doc`, `groups.id`, ...), so it can be
    // used in `SELECT ... FROM users WHERE users.org_id = :org AND (<sql>)`.
    std::string sql;
    // binds[i] belongs to placeholder `:p<first_bind + i>`; bind them in this order.
    std::vector<SqlValue> binds;
};

struct SqlOptions {
    Dialect dialect = Dialect::kSqlite;
    // Number of the first placeholder, so a caller with binds of its own can continue after
    // them. Placeholders are `:p1`, `:p2`, ... by default.
    int first_bind = 1;
};

// Compiles `root` (bound to `type`, "User" or "Group") to a WHERE fragment. Promoted columns
// (id, userName via user_name_key, externalId, displayName, active, meta.created,
// meta.lastModified; for groups displayName via display_name_key) are used directly so their
// indexes apply; other attributes are read from the JSON `doc` column; multi-valued attributes
// and value paths become EXISTS over the JSON array; users' `groups` and groups' `members` are
// read from `group_members`. Membership rows are matched within `<table>.org_id`.
//
// Case rules: caseExact=false values compare on the folded key columns where they exist (the
// literal is folded with scim::FoldCase in C++, exactly as the columns are); elsewhere both
// sides go through SQL lower(). NOTE(#4): lower() folds only ASCII on SQLite, and follows the
// database's locale on PostgreSQL, so a non-ASCII case-insensitive match on a JSON attribute
// can differ from the in-memory evaluator (which uses full Unicode folding).
// co/sw/ew compile to LIKE with `\` escaping % and _ (case-sensitive GLOB with bracket escapes
// for caseExact attributes on SQLite, whose LIKE ignores ASCII case).
//
// Errors: 400 invalidFilter for a filter the compiler cannot express; never throws.
scim::Result<SqlFragment> CompileFilter(const scim::filter::Node& root,
                                        const schemas::ResourceType& type,
                                        const SqlOptions& options = {});

// An ORDER BY clause (without the words ORDER BY) for sorting by `sort_by` (nullptr: by id),
// e.g. `users.user_name_key ASC, users.id ASC`: promoted columns where they exist, else the
// JSON value (for a multi-valued attribute, its primary or first element's value, per
// RFC 7644 §3.4.2.3). Rows without the value sort last ascending and first descending on both
// backends. Always ends with `id` so the order is total and stable (cursor paging relies on
// it). Contains no placeholders.
scim::Result<std::string> CompileOrderBy(const schemas::ResolvedPath* sort_by,
                                         const schemas::ResourceType& type,
                                         bool descending,
                                         Dialect dialect);

// Keyset paging (RFC 9865 cursors): a WHERE fragment true exactly for the rows that come after
// the row with sort value `sort_value` and id `id` in the order of CompileOrderBy with the same
// `sort_by`, `type` and `descending` (nullptr: by id), i.e. `(sort_expr, id) > (:v, :id)` with
// CompileOrderBy's NULL placement and direction. `sort_value` is the value as the resource
// holds it (unfolded, JSON null when the row has none, for a multi-valued attribute its primary
// or first element's value); it is compared in the form the ORDER BY uses: case-folded in C++
// for the folded key columns, through lower() in SQL where the ORDER BY lowers, as a number
// for numeric attributes. Placeholders continue at `options.first_bind`.
// Errors: as CompileOrderBy; never throws.
scim::Result<SqlFragment> CompileKeysetAfter(const schemas::ResolvedPath* sort_by,
                                             const schemas::ResourceType& type,
                                             bool descending,
                                             const nlohmann::json& sort_value,
                                             const std::string& id,
                                             const SqlOptions& options);

}  // namespace db

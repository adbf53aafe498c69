// Filter text from `?filter=` or a SearchRequest body (RFC 7644 §3.4.2.2), fed through every
// stage the server runs on it: parse, bind to the schema, evaluate in memory, compile to SQL for
// both backends. Parse, Bind and the compiler promise never to throw, so nothing is caught here.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "db/sql_filter.h"
#include "fuzz_fixture.h"
#include "scim/filter/filter.h"

namespace {

using scimd_fuzz::Fail;

// Every placeholder `:pN` in `fragment.sql` must have a bind and every bind a placeholder, as
// sql_filter.h promises; a gap would make the statement fail (or bind the wrong value) at run
// time.
void CheckPlaceholders(const db::SqlFragment& fragment, int first_bind) {
    const std::string& sql = fragment.sql;
    std::string seen(fragment.binds.size(), '\0');
    for (std::size_t at = sql.find(":p"); at != std::string::npos; at = sql.find(":p", at + 2)) {
        std::size_t end = at + 2;
        long number = 0;
        while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) &&
               number < 1000000) {
            number = number * 10 + (sql[end] - '0');
            ++end;
        }
        if (end == at + 2) {
            continue;  // not a placeholder, e.g. inside a quoted JSON path
        }
        long index = number - first_bind;
        if (index < 0 || index >= static_cast<long>(seen.size())) {
            Fail("SQL placeholder without a bind");
        }
        seen[static_cast<std::size_t>(index)] = 1;
    }
    if (seen.find('\0') != std::string::npos) {
        Fail("SQL bind without a placeholder");
    }
}

void Compile(const scim::filter::Node& root, const schemas::ResourceType& type) {
    for (db::Dialect dialect : {db::Dialect::kSqlite, db::Dialect::kPostgres}) {
        for (int first_bind : {1, 4}) {
            auto fragment = db::CompileFilter(root, type, {dialect, first_bind});
            if (fragment.ok()) {
                CheckPlaceholders(*fragment, first_bind);
            }
        }
    }
}

// The same text used as a sortBy attribute (RFC 7644 §3.4.2.3).
void SortBy(const schemas::Registry& registry,
            const schemas::ResourceType& type,
            std::string_view text) {
    auto path = registry.Resolve(type, text);
    if (!path) {
        return;
    }
    for (db::Dialect dialect : {db::Dialect::kSqlite, db::Dialect::kPostgres}) {
        for (bool descending : {false, true}) {
            (void)db::CompileOrderBy(&*path, type, descending, dialect);
        }
    }
}

void RunFor(const schemas::ResourceType& type,
            const nlohmann::json& resource,
            std::string_view text) {
    const auto& fixture = scimd_fuzz::GetFixture();
    auto filter = scim::filter::BoundFilter::Create(text, *fixture.registry, type);
    if (!filter.ok()) {
        return;
    }
    (void)scim::filter::ToString(filter->root());
    (void)scim::filter::Matches(*filter, resource);
    Compile(filter->root(), type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = scimd_fuzz::AsText(data, size);
    const auto& fixture = scimd_fuzz::GetFixture();
    SortBy(*fixture.registry, *fixture.user_type, text);
    SortBy(*fixture.registry, *fixture.group_type, text);

    auto parsed = scim::filter::Parse(text);
    if (!parsed.ok()) {
        return 0;
    }
    if (text.size() > scim::filter::kMaxFilterLength) {
        Fail("a filter longer than kMaxFilterLength was accepted");
    }
    (void)scim::filter::ToString(**parsed);
    RunFor(*fixture.user_type, fixture.rendered_user, text);
    RunFor(*fixture.group_type, fixture.rendered_group, text);
    return 0;
}

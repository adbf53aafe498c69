#include "scim/service/paging.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "scim/casefold.h"

namespace scim::service {

namespace {

// Parses an optionally signed decimal integer; values beyond the int64 range saturate, since
// they are clamped afterwards anyway.
Result<std::int64_t> ParseInteger(std::string_view name, std::string_view text) {
    std::int64_t value = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (begin != end && *begin == '+') {
        ++begin;
    }
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (begin == end || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
        return Error::Scim(ScimType::kInvalidValue, std::string(name) + " must be an integer");
    }
    if (ec == std::errc::result_out_of_range) {
        value = *begin == '-' ? std::numeric_limits<std::int64_t>::min()
                              : std::numeric_limits<std::int64_t>::max();
    }
    return value;
}

Result<bool> ParseDescending(const std::optional<std::string>& sort_order) {
    if (!sort_order) {
        return false;
    }
    const std::string folded = FoldCase(*sort_order);
    if (folded == "ascending") {
        return false;
    }
    if (folded == "descending") {
        return true;
    }
    return Error::Scim(ScimType::kInvalidValue, "sortOrder must be ascending or descending");
}

}  // namespace

Result<Paging> ParsePaging(const Query& query, const Config& config) {
    Paging paging;
    if (query.start_index && query.cursor) {
        // RFC 9865 §2: index paging and cursor paging are alternatives within one request.
        return Error::Scim(ScimType::kInvalidValue, "startIndex and cursor cannot be combined");
    }
    if (query.start_index) {
        auto start = ParseInteger("startIndex", *query.start_index);
        if (!start.ok()) {
            return start.error();
        }
        paging.start_index = std::max<std::int64_t>(*start, 1);
    }

    std::int64_t count = config.default_count;
    if (query.count) {
        auto parsed = ParseInteger("count", *query.count);
        if (!parsed.ok()) {
            return parsed.error();
        }
        count = *parsed;
    }
    paging.count =
        std::clamp<std::int64_t>(count, 0, std::max<std::int64_t>(config.max_results, 0));

    auto descending = ParseDescending(query.sort_order);
    if (!descending.ok()) {
        return descending.error();
    }
    paging.descending = *descending;
    paging.cursor = query.cursor;
    return paging;
}

}  // namespace scim::service

#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "scim/result.h"
#include "scim/service/resource_service.h"

namespace scim::service {

// The paging and sorting parameters of a list request, checked and clamped.
struct Paging {
    std::int64_t start_index = 1;       // RFC 7644 §3.4.2.4: values below 1 mean 1
    std::int64_t count = 0;             // within [0, max_results]
    bool descending = false;            // sortOrder, default ascending (RFC 7644 §3.4.2.3)
    std::optional<std::string> cursor;  // set for RFC 9865 cursor paging; "" asks for page one
};

// Reads startIndex, count, sortOrder and cursor from `query`. Non-numeric startIndex or count,
// an unknown sortOrder, or startIndex together with cursor give 400 invalidValue. count
// defaults to config.default_count; negative counts become 0 and counts above max_results are
// capped (RFC 7644 §3.4.2.4 lets the server return fewer results than asked for).
Result<Paging> ParsePaging(const Query& query, const Config& config);

}  // namespace scim::service

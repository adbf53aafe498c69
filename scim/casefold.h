#pragma once

#include <string>
#include <string_view>

namespace scim {

// Unicode default case folding (utf8proc, with NFKC normalisation) of a UTF-8 string. Used for
// every caseExact=false comparison and for the folded key columns, so that both database
// backends and the in-memory evaluator agree. Invalid UTF-8 is returned unchanged.
std::string FoldCase(std::string_view text);

// ASCII-only case-insensitive equality, for protocol words that are ASCII by definition: schema
// URNs, attribute names (RFC 7643 §2.1), filter operators and keywords (RFC 7644 §3.4.2.2), header
// names and media types. User data goes through FoldCase instead.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace scim

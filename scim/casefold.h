#pragma once

#include <string>
#include <string_view>

namespace scim {

// Unicode default case folding (utf8proc, with NFKC normalisation) of a UTF-8 string. Used for
// every caseExact=false comparison and for the folded key columns, so that both database
// backends and the in-memory evaluator agree. Invalid UTF-8 is returned unchanged.
std::string FoldCase(std::string_view text);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace scim

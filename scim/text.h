#pragma once

#include <string_view>

namespace scim {

// `text` without leading and trailing spaces and tabs: the optional whitespace HTTP allows around
// header list elements (RFC 9110 §5.6.3) and around names in attributes=a, b (RFC 7644 §3.9).
std::string_view TrimBlanks(std::string_view text);

}  // namespace scim

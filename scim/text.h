#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace scim {

// `text` without leading and trailing spaces and tabs: the optional whitespace HTTP allows around
// header list elements (RFC 9110 §5.6.3) and around names in attributes=a, b (RFC 7644 §3.9).
std::string_view TrimBlanks(std::string_view text);

// True when every character of `text` is an ASCII letter, a digit or one of `others`: the shape
// of HTTP tokens (RFC 9110 §5.6.2), host names and charset names.
bool AlnumOr(std::string_view text, std::string_view others);

// `text` as quoted in an error detail: a client can send a value of any length, and a detail that
// repeats kilobytes of it helps nobody, so it is cut at `max_bytes` (on a UTF-8 boundary, for
// valid UTF-8) and marked with "...".
std::string Shortened(std::string_view text, std::size_t max_bytes = 64);

}  // namespace scim

#pragma once

#include <cstddef>
#include <string_view>

#include "scim/filter/ast.h"
#include "scim/result.h"

namespace scim::filter {

// Longest filter text accepted, in bytes, and deepest nesting of parentheses, `not` and value
// paths. Both bound the work a single request can cause (and the parser's recursion).
inline constexpr std::size_t kMaxFilterLength = 4096;
inline constexpr int kMaxFilterDepth = 32;

// Parses a filter expression (RFC 7644 §3.4.2.2): attribute paths with optional URN prefix and
// sub-attribute; eq ne co sw ew gt ge lt le pr (any case); and, or, not with `not` binding
// tighter than `and`, and `and` tighter than `or`; parentheses; value paths
// `emails[type eq "work" and value co "@x"]`; literals: JSON strings, numbers, true, false and
// null (keywords in any case). Attribute names are not checked here (see Bind).
//
// Returns 400 invalidFilter on any error, with a detail giving the 0-based byte position and
// what was expected there; never throws, whatever the input bytes. Input longer than
// kMaxFilterLength or nested deeper than kMaxFilterDepth is rejected the same way.
Result<NodePtr> Parse(std::string_view text);

// Parses a PATCH path (RFC 7644 §3.5.2): `PATH = attrPath / valuePath [subAttr]`, e.g.
// `members`, `name.givenName`, `urn:...:enterprise:2.0:User:manager`,
// `emails[type eq "work"].value`, `members[value eq "2819c223"]`. Errors are 400 invalidPath
// with the position; never throws.
Result<PatchPath> ParsePatchPath(std::string_view text);

}  // namespace scim::filter

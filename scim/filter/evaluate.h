#pragma once

#include <nlohmann/json.hpp>

#include "scim/filter/ast.h"
#include "scim/filter/bind.h"

namespace scim::filter {

// True when `resource` (a resource document in canonical attribute spelling, as validation
// stores it and as it is rendered: extension attributes under their URN key, `meta`, and the
// derived `groups`/`members` included when the filter uses them) matches the bound filter.
// Semantics (RFC 7644 §3.4.2.2):
//  - a path through a multi-valued attribute matches when any element matches;
//  - strings with caseExact=false compare after scim::FoldCase, caseExact=true byte for byte;
//  - gt/ge/lt/le order strings by their (folded) bytes, dateTimes chronologically and numbers
//    numerically;
//  - `pr` is false for absent, null, "", [] and for a complex value none of whose
//    sub-attributes is present;
//  - a comparison against a value of the wrong JSON type is false (`ne` is its negation).
// `root` must have been bound (Bind); never throws.
bool Matches(const Node& root, const nlohmann::json& resource);
inline bool Matches(const BoundFilter& filter, const nlohmann::json& resource) {
    return Matches(filter.root(), resource);
}

// True when one element of a multi-valued attribute matches a value filter: `filter` is the
// bound inner filter of a value path (PatchPath::value_filter, or children[0] of a kValuePath
// node), whose paths name sub-attributes of the element. A simple (non-complex) element is
// compared through the `value` sub-attribute. Used by PATCH to pick the targeted elements.
bool MatchesElement(const Node& filter, const nlohmann::json& element);

}  // namespace scim::filter

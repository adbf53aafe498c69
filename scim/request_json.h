#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/result.h"

namespace scim {

// How an object's member names are compared when looking for a repeated one.
enum class MemberNames {
    kExact,            // byte for byte
    kIgnoreAsciiCase,  // SCIM attribute names and schema URNs (RFC 7643 §2.1): `userName` and
                       // `USERNAME` name the same attribute
};

// Parses a request body that must be one JSON object. On bad input returns a 400 invalidSyntax
// whose detail is safe to show and log (it quotes no part of the body except a repeated member
// name, shortened): a body that is empty or only whitespace, text that is not JSON (with the
// byte offset), nesting deeper than `max_depth`, a number beyond the range of a double, a value
// that is not an object, and an object at any depth that holds the same member name twice under
// `names`. RFC 8259 §4 leaves repeated names to the receiver; taking either value would be a
// guess, so none is taken.
Result<nlohmann::json> ParseRequestObject(std::string_view text, int max_depth, MemberNames names);

}  // namespace scim

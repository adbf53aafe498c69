#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scim/casefold.h"

// Percent-decoding for request targets. Pistache hands over paths and query values exactly as
// they arrived on the wire, so the server decodes them itself (RFC 3986 §2.1).
namespace scim::http {

enum class PlusMeans { kPlus, kSpace };

// Decodes %XX escapes. In query components `+` means a space (the HTML form convention every
// IdP SCIM client follows); in path segments it stays a plus. Returns nullopt for a truncated or
// non-hex escape, or when the decoded bytes are not valid UTF-8.
std::optional<std::string> PercentDecode(std::string_view text, PlusMeans plus);

// Protocol tokens (header names, media types, endpoint names) compare with scim::EqualsIgnoreCase
// (scim/casefold.h), never user data.
using scim::EqualsIgnoreCase;

// Lower-cases ASCII letters and leaves every other byte alone.
std::string AsciiLower(std::string_view text);

}  // namespace scim::http

#pragma once

#include <optional>
#include <string_view>

#include "schemas/schema.h"
#include "scim/casefold.h"

// Wire spellings of the attribute characteristics of RFC 7643 §7, one mapping per enum, and the
// ASCII case-insensitive comparison used for attribute names and schema URNs (RFC 7643 §2.1:
// both are case-insensitive, and both are ASCII by their grammar).
namespace schemas {

std::string_view TypeName(AttrType type);  // "string", "dateTime", ...
std::string_view MutabilityName(Mutability mutability);
std::string_view ReturnedName(Returned returned);
std::string_view UniquenessName(Uniqueness uniqueness);

// Exact wire spelling expected (schema files are ours or an operator's, so no leniency here);
// nullopt for anything else.
std::optional<AttrType> ParseType(std::string_view text);
std::optional<Mutability> ParseMutability(std::string_view text);
std::optional<Returned> ParseReturned(std::string_view text);
std::optional<Uniqueness> ParseUniqueness(std::string_view text);

using scim::EqualsIgnoreCase;
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

}  // namespace schemas

#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"

// Helpers that read and write a resource document by attribute definition. Attribute names and
// schema URNs are ASCII (RFC 7643 §2.1: ATTRNAME), so matching them needs no Unicode folding.
namespace scim::patch {

// ASCII case-insensitive equality of two attribute names or URNs.
bool NameEquals(std::string_view a, std::string_view b);

// The member of object `object` whose key equals `name` case-insensitively, or nullptr when
// there is none (or `object` is not an object). A key spelled differently is renamed to `name`
// first, so every later write goes to the one canonical key.
nlohmann::json* FindMember(nlohmann::json& object, const std::string& name);

// Sets the member `name` of `object` to `value`, replacing it under any spelling. A non-object
// `object` (a bare value where a complex one belongs) is replaced by an object first.
void SetMember(nlohmann::json& object, const std::string& name, nlohmann::json value);

// Removes the member `name` (any spelling) from `object`; no-op when absent.
void EraseMember(nlohmann::json& object, std::string_view name);

// One value of `attr` in canonical form: sub-attribute names of a complex value in their
// canonical spelling, with unknown, readOnly and null sub-attributes dropped (Entra sends
// `"$ref": null` and extra keys on references); "True"/"False" strings (any case) for boolean
// attributes become booleans; a string given for a singular complex attribute that has a
// `value` sub-attribute becomes {"value": string} (Entra's `manager`). Anything else is
// returned unchanged for schema validation to judge.
nlohmann::json CanonicalElement(const schemas::Attribute& attr, const nlohmann::json& value);

// The whole value of `attr`: for a multi-valued attribute always an array (a single value is
// wrapped, null elements dropped) of canonical elements; for a singular one CanonicalElement.
nlohmann::json CanonicalValue(const schemas::Attribute& attr, const nlohmann::json& value);

// True when `value` counts as unassigned (RFC 7643 §2.5): null, an empty array or an empty
// object.
bool IsUnassigned(const nlohmann::json& value);

}  // namespace scim::patch

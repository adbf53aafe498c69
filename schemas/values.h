#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/result.h"

// Validation of one attribute value against its definition (RFC 7643 §2.3-§2.5), used by
// Validate. Internal to the schema engine.
namespace schemas {

// Checks and normalises `value` for `attribute`; `path` names the attribute in error details
// (e.g. "emails.value"). Returns nullopt when the value means "unassigned": null, an empty
// list, or a complex value left empty once unknown and readOnly sub-attributes are dropped.
// A single value for a multi-valued attribute is wrapped into a list; a string given for a
// complex attribute with a `value` sub-attribute is read as {"value": string}. Errors are 400
// invalidValue naming `path`, never the value.
scim::Result<std::optional<nlohmann::json>> ValidateValue(const Attribute& attribute,
                                                          const nlohmann::json& value,
                                                          const std::string& path);

// 400 invalidValue with the detail "<path> <problem>".
scim::Error InvalidValue(const std::string& path, std::string_view problem);

}  // namespace schemas

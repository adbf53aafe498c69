#include "schemas/values.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <sodium.h>

#include "schemas/characteristics.h"
#include "schemas/validate.h"

namespace schemas {
namespace {

using nlohmann::json;
using scim::Error;
using scim::Result;
using scim::ScimType;

// ---- Scalar values (RFC 7643 §2.3) ----

bool IsBase64(const std::string& text) {
    std::vector<unsigned char> buffer(text.size() / 4 * 3 + 3);
    for (int variant :
         {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
        size_t length = 0;
        const char* end = nullptr;
        if (sodium_base642bin(buffer.data(), buffer.size(), text.data(), text.size(), "\r\n",
                              &length, &end, variant) == 0 &&
            end == text.data() + text.size()) {
            return true;
        }
    }
    return false;
}

// NOTE(#3): Entra sends booleans as the strings "True" and "False", which RFC 7643 §2.3.2
// does not allow; any case of those two words is accepted.
std::optional<bool> ParseBoolean(const json& value) {
    if (value.is_boolean()) {
        return value.get<bool>();
    }
    if (value.is_string()) {
        const std::string& text = value.get_ref<const std::string&>();
        if (EqualsIgnoreCase(text, "true")) {
            return true;
        }
        if (EqualsIgnoreCase(text, "false")) {
            return false;
        }
    }
    return std::nullopt;
}

std::optional<json> ParseInteger(const json& value) {
    if (value.is_number_integer()) {
        return value;
    }
    // 3.0 is an integer written as a decimal; 3.5 is not.
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::trunc(d) == d && std::fabs(d) < 9.0e15) {
            return json(static_cast<std::int64_t>(d));
        }
    }
    return std::nullopt;
}

Result<json> CoerceScalar(const Attribute& attribute, const json& value, const std::string& path) {
    switch (attribute.type) {
        case AttrType::kString:
        case AttrType::kReference:
            if (!value.is_string()) {
                return InvalidValue(path, "must be a string");
            }
            // PostgreSQL cannot store U+0000 in text or jsonb; refusing it here keeps both
            // backends answering the same 400 instead of one of them failing the write.
            if (value.get_ref<const std::string&>().find('\0') != std::string::npos) {
                return InvalidValue(path, "must not contain the NUL character (U+0000)");
            }
            return value;
        case AttrType::kBoolean:
            if (auto b = ParseBoolean(value)) {
                return json(*b);
            }
            return InvalidValue(path, "must be a boolean");
        case AttrType::kInteger:
            if (auto i = ParseInteger(value)) {
                return *i;
            }
            return InvalidValue(path, "must be an integer");
        case AttrType::kDecimal:
            if (value.is_number()) {
                return value;
            }
            return InvalidValue(path, "must be a number");
        case AttrType::kDateTime:
            if (value.is_string()) {
                if (auto normalized = NormalizeDateTime(value.get_ref<const std::string&>())) {
                    return json(*normalized);
                }
            }
            return InvalidValue(path, "must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z");
        case AttrType::kBinary:
            if (value.is_string() && IsBase64(value.get_ref<const std::string&>())) {
                return value;
            }
            return InvalidValue(path, "must be base64-encoded");
        case AttrType::kComplex:
            break;
    }
    return InvalidValue(path, "must be a simple value");
}

// ---- Attributes ----

// Validates one complex value; unknown and readOnly sub-attributes are dropped, nulls mean
// "unassigned". An empty result means nothing was assigned.
Result<json> ValidateComplexValue(const Attribute& attribute, json value, const std::string& path) {
    // NOTE(#3): Entra sends `manager` as the bare id, not as a complex value; read a string
    // as the `value` sub-attribute.
    if (value.is_string() && attribute.FindSub("value") != nullptr) {
        value = json{{"value", std::move(value)}};
    }
    if (!value.is_object()) {
        return InvalidValue(path, "must be an object");
    }
    json out = json::object();
    for (const auto& [key, sub_value] : value.items()) {
        const Attribute* sub = attribute.FindSub(key);
        if (sub == nullptr || sub->mutability == Mutability::kReadOnly) {
            continue;  // unknown or server-owned: ignored (RFC 7644 §3.3, §3.5.1)
        }
        if (out.contains(sub->name)) {
            return InvalidValue(path + "." + sub->name, "is given more than once");
        }
        Result<std::optional<json>> checked =
            ValidateValue(*sub, sub_value, path + "." + sub->name);
        if (!checked.ok()) {
            return std::move(checked).error();
        }
        if (checked->has_value()) {
            out[sub->name] = std::move(**checked);
        }
    }
    return out;
}

Result<std::optional<json>> ValidateSingle(const Attribute& attribute,
                                           const json& value,
                                           const std::string& path) {
    if (attribute.type != AttrType::kComplex) {
        Result<json> scalar = CoerceScalar(attribute, value, path);
        if (!scalar.ok()) {
            return std::move(scalar).error();
        }
        return std::optional<json>(std::move(*scalar));
    }
    Result<json> complex = ValidateComplexValue(attribute, value, path);
    if (!complex.ok()) {
        return std::move(complex).error();
    }
    if (complex->empty()) {
        return std::optional<json>();
    }
    return std::optional<json>(std::move(*complex));
}

// NOTE(#3): a single value given for a multi-valued attribute is wrapped into a list of one.
// RFC 7643 §2.4 asks for a list, but a client that sends one email as an object can only mean
// a list of one, and refusing it would fail a provisioning run for no benefit.
Result<std::optional<json>> ValidateMulti(const Attribute& attribute,
                                          const json& value,
                                          const std::string& path) {
    const json items = value.is_array() ? value : json::array({value});
    json out = json::array();
    for (const json& item : items) {
        if (item.is_null() || item.is_array()) {
            if (item.is_array()) {
                return InvalidValue(path, "must not contain nested lists");
            }
            continue;
        }
        Result<std::optional<json>> checked = ValidateSingle(attribute, item, path);
        if (!checked.ok()) {
            return std::move(checked).error();
        }
        if (checked->has_value()) {
            out.push_back(std::move(**checked));
        }
    }
    // RFC 7643 §2.5: an empty list is the same as no value.
    return out.empty() ? std::optional<json>() : std::optional<json>(std::move(out));
}

}  // namespace

Result<std::optional<json>> ValidateValue(const Attribute& attribute,
                                          const json& value,
                                          const std::string& path) {
    if (value.is_null()) {
        return std::optional<json>();
    }
    if (attribute.multi_valued) {
        return ValidateMulti(attribute, value, path);
    }
    if (value.is_array()) {
        return InvalidValue(path, "is single-valued and must not be a list");
    }
    return ValidateSingle(attribute, value, path);
}

Error InvalidValue(const std::string& path, std::string_view problem) {
    return Error::BadRequest(ScimType::kInvalidValue, path + " " + std::string(problem));
}

}  // namespace schemas

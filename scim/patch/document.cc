#include "scim/patch/document.h"

#include <algorithm>
#include <cctype>

namespace scim::patch {
namespace {

using nlohmann::json;

char AsciiLower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

json CanonicalSimple(const schemas::Attribute& attr, const json& value) {
    if (attr.type == schemas::AttrType::kBoolean && value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (NameEquals(text, "true")) {
            return true;
        }
        if (NameEquals(text, "false")) {
            return false;
        }
    }
    return value;
}

json CanonicalComplex(const schemas::Attribute& attr, const json& value) {
    json result = json::object();
    for (const auto& [key, sub_value] : value.items()) {
        const schemas::Attribute* sub = attr.FindSub(key);
        if (sub == nullptr || sub_value.is_null() ||
            sub->mutability == schemas::Mutability::kReadOnly) {
            continue;
        }
        result[sub->name] =
            sub->multi_valued ? CanonicalValue(*sub, sub_value) : CanonicalSimple(*sub, sub_value);
    }
    return result;
}

}  // namespace

bool NameEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return AsciiLower(x) == AsciiLower(y);
           });
}

json* FindMember(json& object, const std::string& name) {
    if (!object.is_object()) {
        return nullptr;
    }
    if (auto it = object.find(name); it != object.end()) {
        return &*it;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (NameEquals(it.key(), name)) {
            json moved = std::move(*it);
            object.erase(it);
            return &(object[name] = std::move(moved));
        }
    }
    return nullptr;
}

void SetMember(json& object, const std::string& name, json value) {
    if (!object.is_object()) {
        object = json::object();
    }
    if (json* slot = FindMember(object, name); slot != nullptr) {
        *slot = std::move(value);
        return;
    }
    object[name] = std::move(value);
}

void EraseMember(json& object, std::string_view name) {
    if (!object.is_object()) {
        return;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (NameEquals(it.key(), name)) {
            object.erase(it);
            return;
        }
    }
}

json CanonicalElement(const schemas::Attribute& attr, const json& value) {
    if (attr.type != schemas::AttrType::kComplex) {
        return CanonicalSimple(attr, value);
    }
    if (value.is_object()) {
        return CanonicalComplex(attr, value);
    }
    if (value.is_string() && !attr.multi_valued && attr.FindSub("value") != nullptr) {
        return json{{attr.FindSub("value")->name, value}};
    }
    return value;
}

json CanonicalValue(const schemas::Attribute& attr, const json& value) {
    if (!attr.multi_valued) {
        return CanonicalElement(attr, value);
    }
    json result = json::array();
    const json items = value.is_array() ? value : json::array({value});
    for (const auto& item : items) {
        if (!item.is_null()) {
            result.push_back(CanonicalElement(attr, item));
        }
    }
    return result;
}

bool IsUnassigned(const json& value) {
    return value.is_null() || (value.is_array() && value.empty()) ||
           (value.is_object() && value.empty());
}

}  // namespace scim::patch

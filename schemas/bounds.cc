#include "schemas/bounds.h"

#include <string>
#include <string_view>

#include "schemas/values.h"

namespace schemas {
namespace {

using nlohmann::json;

const json* Member(const json* object, std::string_view key) {
    if (object == nullptr || !object->is_object()) {
        return nullptr;
    }
    const auto it = object->find(key);
    return it == object->end() ? nullptr : &*it;
}

// How much one PATCH may grow a document that is already over kMaxDocumentBytes: enough to
// deactivate it ("active": true becomes false, or is added) or correct a short value, far too
// little to grow it much.
constexpr std::size_t kOversizePatchSlackBytes = 256;

std::size_t CountOf(const json* value) {
    return value != nullptr && value->is_array() ? value->size() : 0;
}

// `before` is the same attribute in the document a PATCH started from, or nullptr.
scim::Status CheckCount(const json* value, const json* before, const std::string& path) {
    const std::size_t count = CountOf(value);
    if (count <= kMaxAttributeValues || (before != nullptr && count <= CountOf(before))) {
        return scim::Ok{};
    }
    return InvalidValue(path, "has " + std::to_string(count) +
                                  " values; a resource holds at most " +
                                  std::to_string(kMaxAttributeValues) + " in one attribute");
}

// Multi-valued sub-attributes of a complex value, in each of its elements. Elements have no
// identity across writes, so these are bounded strictly.
scim::Status CheckSubAttributes(const Attribute& attribute,
                                const json& value,
                                const std::string& path) {
    for (const Attribute& sub : attribute.sub_attributes) {
        if (!sub.multi_valued) {
            continue;
        }
        const std::string sub_path = path + "." + sub.name;
        if (!value.is_array()) {
            if (scim::Status s = CheckCount(Member(&value, sub.name), nullptr, sub_path); !s.ok()) {
                return s;
            }
            continue;
        }
        for (const json& element : value) {  // in place: a copy would cost a write its size
            if (scim::Status s = CheckCount(Member(&element, sub.name), nullptr, sub_path);
                !s.ok()) {
                return s;
            }
        }
    }
    return scim::Ok{};
}

// The attributes of one schema, held by `object` (the document, or one extension object).
scim::Status CheckSchema(const Schema& schema,
                         const json* object,
                         const json* before,
                         const std::string& prefix) {
    for (const Attribute& attribute : schema.attributes) {
        const json* value = Member(object, attribute.name);
        if (value == nullptr) {
            continue;
        }
        const std::string path = prefix + attribute.name;
        if (attribute.multi_valued) {
            if (scim::Status s = CheckCount(value, Member(before, attribute.name), path); !s.ok()) {
                return s;
            }
        }
        if (attribute.type == AttrType::kComplex) {
            if (scim::Status s = CheckSubAttributes(attribute, *value, path); !s.ok()) {
                return s;
            }
        }
    }
    return scim::Ok{};
}

// RFC 7644 §3.12 gives 413 for a request payload over what the server accepts (RFC 7231
// §6.5.11); the HTTP layer answers that for a body over the limit. Here the request may be a
// small PATCH and what is too large is the resource it would produce: a value the server cannot
// store, which is 400 invalidValue.
// Compact JSON, as the store writes it. Invalid UTF-8 never reaches a write over HTTP (the
// request is refused first); measuring it as replacement characters keeps this check from
// throwing for callers that skip that step.
std::size_t StoredSize(const json& doc) {
    return doc.dump(-1, ' ', false, json::error_handler_t::replace).size();
}

scim::Status CheckSize(const json& doc, const json* before) {
    const std::size_t size = StoredSize(doc);
    if (size <= kMaxDocumentBytes ||
        (before != nullptr && size <= StoredSize(*before) + kOversizePatchSlackBytes)) {
        return scim::Ok{};
    }
    return InvalidValue("the resource", "would take " + std::to_string(size) +
                                            " bytes when stored; at most " +
                                            std::to_string(kMaxDocumentBytes) +
                                            " are allowed (group members not counted)");
}

}  // namespace

scim::Status CheckBounds(const Registry& registry,
                         const ResourceType& type,
                         const json& doc,
                         const json* before) {
    if (const Schema* core = registry.CoreSchema(type)) {
        if (scim::Status s = CheckSchema(*core, &doc, before, ""); !s.ok()) {
            return s;
        }
    }
    for (const SchemaExtension& extension : type.extensions) {
        const Schema* schema = registry.FindSchema(extension.schema);
        if (schema == nullptr) {
            continue;
        }
        if (scim::Status s = CheckSchema(*schema, Member(&doc, extension.schema),
                                         Member(before, extension.schema), extension.schema + ":");
            !s.ok()) {
            return s;
        }
    }
    return CheckSize(doc, before);
}

}  // namespace schemas

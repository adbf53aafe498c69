#include "schemas/schema.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "embedded.h"
#include "schemas/characteristics.h"
#include "schemas/discovery.h"

namespace schemas {
namespace {

using nlohmann::json;
using scim::Error;
using scim::Result;
using scim::ScimType;

constexpr std::string_view kExtendsKey = "x-scimd-extends";
constexpr std::string_view kExtensionRequiredKey = "x-scimd-required";
constexpr std::string_view kCommonAttributesKey = "x-scimd-common-attributes";

// Everything Load collects before it builds the Registry.
struct Parts {
    std::vector<Schema> schemas;
    std::vector<ResourceType> resource_types;
    std::vector<Attribute> common;
};

// Where a definition comes from, for error details.
struct Source {
    std::string file;
    bool built_in = false;  // built-in discovery schemas nest complex attributes (RFC 7643 §7)
};

Error Malformed(const Source& source, std::string_view what) {
    return Error::BadRequest(ScimType::kInvalidValue,
                             "schema file " + source.file + ": " + std::string(what));
}

// ATTRNAME of RFC 7643 §2.1: ALPHA *(nameChar), plus the reserved "$ref".
bool IsValidAttributeName(std::string_view name) {
    if (name == "$ref") {
        return true;
    }
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

// Reads an optional string member; false when present with another type.
bool ReadString(const json& object, std::string_view key, std::string& out) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return true;
    }
    if (!it->is_string()) {
        return false;
    }
    out = it->get<std::string>();
    return true;
}

bool ReadBool(const json& object, std::string_view key, bool& out) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return true;
    }
    if (!it->is_boolean()) {
        return false;
    }
    out = it->get<bool>();
    return true;
}

bool ReadStringList(const json& object, std::string_view key, std::vector<std::string>& out) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return true;
    }
    if (!it->is_array()) {
        return false;
    }
    for (const json& item : *it) {
        if (!item.is_string()) {
            return false;
        }
        out.push_back(item.get<std::string>());
    }
    return true;
}

// Reads a characteristic spelled as in RFC 7643 §7 into `out`, keeping the default when absent.
template <typename Enum, typename Parser>
bool ReadEnum(const json& object, std::string_view key, Parser parse, Enum& out) {
    std::string text;
    if (!ReadString(object, key, text)) {
        return false;
    }
    if (text.empty()) {
        return true;
    }
    const std::optional<Enum> value = parse(text);
    if (!value) {
        return false;
    }
    out = *value;
    return true;
}

Result<Attribute> ParseAttribute(const json& object, const Source& source, int depth);

Result<std::vector<Attribute>> ParseAttributeList(const json& list,
                                                  const Source& source,
                                                  int depth) {
    if (!list.is_array()) {
        return Malformed(source, "attributes must be an array");
    }
    std::vector<Attribute> attributes;
    for (const json& item : list) {
        Result<Attribute> attribute = ParseAttribute(item, source, depth);
        if (!attribute.ok()) {
            return std::move(attribute).error();
        }
        const bool duplicate = std::any_of(attributes.begin(), attributes.end(), [&](auto& a) {
            return EqualsIgnoreCase(a.name, attribute->name);
        });
        if (duplicate) {
            return Malformed(source, "attribute " + attribute->name + " is defined twice");
        }
        attributes.push_back(std::move(*attribute));
    }
    return attributes;
}

bool ReadCharacteristics(const json& object, Attribute& a) {
    return ReadEnum(object, "type", ParseType, a.type) &&
           ReadBool(object, "multiValued", a.multi_valued) &&
           ReadBool(object, "required", a.required) &&
           ReadBool(object, "caseExact", a.case_exact) &&
           ReadEnum(object, "mutability", ParseMutability, a.mutability) &&
           ReadEnum(object, "returned", ParseReturned, a.returned) &&
           ReadEnum(object, "uniqueness", ParseUniqueness, a.uniqueness) &&
           ReadString(object, "description", a.description) &&
           ReadStringList(object, "canonicalValues", a.canonical_values) &&
           ReadStringList(object, "referenceTypes", a.reference_types);
}

Result<Attribute> ParseAttribute(const json& object, const Source& source, int depth) {
    Attribute attribute;
    if (!object.is_object() || !ReadString(object, "name", attribute.name) ||
        !IsValidAttributeName(attribute.name)) {
        return Malformed(source, "an attribute has a missing or invalid name");
    }
    if (!ReadCharacteristics(object, attribute)) {
        return Malformed(source, "attribute " + attribute.name + " has an invalid characteristic");
    }
    const auto subs = object.find("subAttributes");
    if (attribute.type != AttrType::kComplex) {
        if (subs != object.end() && !subs->is_null() && !subs->empty()) {
            return Malformed(source, "attribute " + attribute.name +
                                         " is not complex but has "
                                         "subAttributes");
        }
        return attribute;
    }
    // RFC 7643 §2.3.8: a complex attribute must not contain complex sub-attributes. Only the
    // built-in §7 Schema schema describes itself with one nested level.
    if (depth > 0 && !source.built_in) {
        return Malformed(source, "complex attribute " + attribute.name + " is nested");
    }
    if (subs == object.end() || subs->empty()) {
        return Malformed(source, "complex attribute " + attribute.name + " has no subAttributes");
    }
    Result<std::vector<Attribute>> parsed = ParseAttributeList(*subs, source, depth + 1);
    if (!parsed.ok()) {
        return std::move(parsed).error();
    }
    attribute.sub_attributes = std::move(*parsed);
    return attribute;
}

Result<Schema> ParseSchema(const json& doc, const Source& source) {
    Schema schema;
    if (!ReadString(doc, "id", schema.id) || !StartsWithIgnoreCase(schema.id, "urn:") ||
        !ReadString(doc, "name", schema.name) ||
        !ReadString(doc, "description", schema.description)) {
        return Malformed(source, "a schema needs an id that is a URN");
    }
    const auto attributes = doc.find("attributes");
    if (attributes == doc.end()) {
        return Malformed(source, "schema " + schema.id + " has no attributes");
    }
    Result<std::vector<Attribute>> parsed = ParseAttributeList(*attributes, source, 0);
    if (!parsed.ok()) {
        return std::move(parsed).error();
    }
    schema.attributes = std::move(*parsed);
    return schema;
}

Result<ResourceType> ParseResourceType(const json& doc, const Source& source) {
    ResourceType type;
    if (!ReadString(doc, "id", type.id) || !ReadString(doc, "name", type.name) ||
        !ReadString(doc, "endpoint", type.endpoint) ||
        !ReadString(doc, "description", type.description) ||
        !ReadString(doc, "schema", type.schema) || type.name.empty() || type.schema.empty() ||
        type.endpoint.empty() || type.endpoint.front() != '/') {
        return Malformed(source, "a resource type needs a name, an endpoint and a schema");
    }
    if (type.id.empty()) {
        type.id = type.name;
    }
    const auto extensions = doc.find("schemaExtensions");
    if (extensions != doc.end() && !extensions->is_null()) {
        if (!extensions->is_array()) {
            return Malformed(source, "schemaExtensions must be an array");
        }
        for (const json& item : *extensions) {
            SchemaExtension extension;
            if (!item.is_object() || !ReadString(item, "schema", extension.schema) ||
                extension.schema.empty() || !ReadBool(item, "required", extension.required)) {
                return Malformed(source, "a schemaExtensions entry needs a schema URN");
            }
            type.extensions.push_back(std::move(extension));
        }
    }
    return type;
}

bool ListsSchema(const json& doc, std::string_view urn) {
    const auto it = doc.find("schemas");
    if (it == doc.end() || !it->is_array()) {
        return false;
    }
    return std::any_of(it->begin(), it->end(), [&](const json& s) {
        return s.is_string() && EqualsIgnoreCase(s.get<std::string>(), urn);
    });
}

scim::Status AddSchema(Parts& parts, Schema schema, const Source& source) {
    for (const Schema& known : parts.schemas) {
        if (EqualsIgnoreCase(known.id, schema.id)) {
            return Malformed(source, "schema " + schema.id + " is already defined");
        }
    }
    parts.schemas.push_back(std::move(schema));
    return scim::Ok{};
}

// A built-in file is a schema, a resource type, or the list of common attributes.
scim::Status AddBuiltInFile(Parts& parts, const json& doc, const Source& source) {
    if (const auto common = doc.find(kCommonAttributesKey); common != doc.end()) {
        Result<std::vector<Attribute>> parsed = ParseAttributeList(*common, source, 0);
        if (!parsed.ok()) {
            return std::move(parsed).error();
        }
        parts.common = std::move(*parsed);
        return scim::Ok{};
    }
    if (ListsSchema(doc, kResourceTypeSchema)) {
        Result<ResourceType> type = ParseResourceType(doc, source);
        if (!type.ok()) {
            return std::move(type).error();
        }
        parts.resource_types.push_back(std::move(*type));
        return scim::Ok{};
    }
    Result<Schema> schema = ParseSchema(doc, source);
    if (!schema.ok()) {
        return std::move(schema).error();
    }
    return AddSchema(parts, std::move(*schema), source);
}

// An extension file is one schema plus kExtendsKey naming the resource type it extends.
scim::Status AddExtensionFile(Parts& parts, const json& doc, const Source& source) {
    std::string extends;
    bool required = false;
    if (!ReadString(doc, kExtendsKey, extends) || extends.empty()) {
        return Malformed(source,
                         "an extension schema must name the resource type it extends in \"" +
                             std::string(kExtendsKey) + "\"");
    }
    if (!ReadBool(doc, kExtensionRequiredKey, required)) {
        return Malformed(source, std::string(kExtensionRequiredKey) + " must be a boolean");
    }
    auto type =
        std::find_if(parts.resource_types.begin(), parts.resource_types.end(),
                     [&](const ResourceType& t) { return EqualsIgnoreCase(t.name, extends); });
    if (type == parts.resource_types.end()) {
        return Malformed(source, "unknown resource type " + extends);
    }
    Result<Schema> schema = ParseSchema(doc, source);
    if (!schema.ok()) {
        return std::move(schema).error();
    }
    const std::string urn = schema->id;
    if (scim::Status added = AddSchema(parts, std::move(*schema), source); !added.ok()) {
        return added;
    }
    type->extensions.push_back({urn, required});
    return scim::Ok{};
}

Result<json> ParseJson(std::string_view content, const Source& source) {
    json doc = json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return Malformed(source, "not a JSON object");
    }
    return doc;
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return Error::BadRequest(ScimType::kInvalidValue,
                                 "cannot read schema file " + path.filename().string());
    }
    return content.str();
}

scim::Status LoadExtensionDir(Parts& parts, const std::string& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        return Error::BadRequest(ScimType::kInvalidValue, "cannot read schema directory " + dir);
    }
    std::sort(files.begin(), files.end());  // a stable order for /Schemas
    for (const auto& path : files) {
        const Source source{path.filename().string(), false};
        Result<std::string> content = ReadFile(path);
        if (!content.ok()) {
            return std::move(content).error();
        }
        Result<json> doc = ParseJson(*content, source);
        if (!doc.ok()) {
            return std::move(doc).error();
        }
        if (scim::Status added = AddExtensionFile(parts, *doc, source); !added.ok()) {
            return added;
        }
    }
    return scim::Ok{};
}

// Every resource type must point at schemas that exist.
scim::Status CheckReferences(const Parts& parts) {
    auto known = [&](const std::string& urn) {
        return std::any_of(parts.schemas.begin(), parts.schemas.end(),
                           [&](const Schema& s) { return EqualsIgnoreCase(s.id, urn); });
    };
    for (const ResourceType& type : parts.resource_types) {
        if (!known(type.schema)) {
            return Error::BadRequest(
                ScimType::kInvalidValue,
                "resource type " + type.name + " names unknown schema " + type.schema);
        }
        for (const SchemaExtension& extension : type.extensions) {
            if (!known(extension.schema)) {
                return Error::BadRequest(
                    ScimType::kInvalidValue,
                    "resource type " + type.name + " names unknown extension " + extension.schema);
            }
        }
    }
    return scim::Ok{};
}

Result<Parts> LoadParts(const std::string& extension_dir) {
    Parts parts;
    for (const embedded::File& file : schema_data::Files()) {
        const Source source{std::string(file.path), true};
        Result<json> doc = ParseJson(file.content, source);
        if (!doc.ok()) {
            return std::move(doc).error();
        }
        if (scim::Status added = AddBuiltInFile(parts, *doc, source); !added.ok()) {
            return std::move(added).error();
        }
    }
    if (!extension_dir.empty()) {
        if (scim::Status loaded = LoadExtensionDir(parts, extension_dir); !loaded.ok()) {
            return std::move(loaded).error();
        }
    }
    if (scim::Status checked = CheckReferences(parts); !checked.ok()) {
        return std::move(checked).error();
    }
    return parts;
}

Result<Parts> LoadPartsGuarded(const std::string& extension_dir) {
    try {
        return LoadParts(extension_dir);
    } catch (const std::exception& e) {
        // Filesystem iteration can throw when the directory changes under it; report, not crash.
        return Error::BadRequest(ScimType::kInvalidValue,
                                 std::string("cannot load schemas: ") + e.what());
    }
}

const Attribute* FindIn(const std::vector<Attribute>& attributes, std::string_view name) {
    for (const Attribute& attribute : attributes) {
        if (EqualsIgnoreCase(attribute.name, name)) {
            return &attribute;
        }
    }
    return nullptr;
}

}  // namespace

const Attribute* Attribute::FindSub(std::string_view sub_name) const {
    return FindIn(sub_attributes, sub_name);
}

const Attribute* Schema::Find(std::string_view attribute_name) const {
    return FindIn(attributes, attribute_name);
}

Result<std::shared_ptr<const Registry>> Registry::Load(const std::string& extension_dir) {
    Result<Parts> parts = LoadPartsGuarded(extension_dir);
    if (!parts.ok()) {
        return std::move(parts).error();
    }
    auto registry = std::make_shared<Registry>();
    registry->schemas_ = std::move(parts->schemas);
    registry->resource_types_ = std::move(parts->resource_types);
    // Discovery lists resource types in this order. RFC 7644 §4 leaves it open; User then Group
    // follows RFC 7643 §4, and clients that read the first entry expect Users there.
    const auto rank = [](const ResourceType& type) {
        return type.name == kUserResource ? 0 : type.name == kGroupResource ? 1 : 2;
    };
    std::stable_sort(
        registry->resource_types_.begin(), registry->resource_types_.end(),
        [&](const ResourceType& a, const ResourceType& b) { return rank(a) < rank(b); });
    registry->common_attributes_ = std::move(parts->common);
    return std::shared_ptr<const Registry>(std::move(registry));
}

const Schema* Registry::FindSchema(std::string_view urn) const {
    for (const Schema& schema : schemas_) {
        if (EqualsIgnoreCase(schema.id, urn)) {
            return &schema;
        }
    }
    return nullptr;
}

const ResourceType* Registry::FindResourceType(std::string_view name) const {
    for (const ResourceType& type : resource_types_) {
        if (EqualsIgnoreCase(type.name, name) || EqualsIgnoreCase(type.id, name)) {
            return &type;
        }
    }
    return nullptr;
}

const Schema* Registry::CoreSchema(const ResourceType& type) const {
    return FindSchema(type.schema);
}

std::optional<ResolvedPath> Registry::Resolve(const ResourceType& type,
                                              std::string_view path) const {
    ResolvedPath resolved;
    resolved.schema = CoreSchema(type);
    if (resolved.schema == nullptr) {
        return std::nullopt;
    }
    // A URN prefix picks the schema (RFC 7644 §3.10): the longest of the type's schemas that
    // the path starts with, followed by ':'.
    if (StartsWithIgnoreCase(path, "urn:")) {
        const Schema* best = nullptr;
        auto consider = [&](const std::string& urn, bool extension) {
            if (path.size() > urn.size() + 1 && path[urn.size()] == ':' &&
                StartsWithIgnoreCase(path, urn) && (!best || urn.size() > best->id.size())) {
                best = FindSchema(urn);
                resolved.is_extension = extension;
            }
        };
        consider(type.schema, false);
        for (const SchemaExtension& extension : type.extensions) {
            consider(extension.schema, true);
        }
        if (best == nullptr) {
            return std::nullopt;
        }
        path.remove_prefix(best->id.size() + 1);
        resolved.schema = best;
    }
    const size_t dot = path.find('.');
    const std::string_view name = path.substr(0, dot);
    resolved.attribute = resolved.schema->Find(name);
    if (resolved.attribute == nullptr && !resolved.is_extension) {
        resolved.attribute = FindIn(common_attributes_, name);
    }
    if (resolved.attribute == nullptr) {
        return std::nullopt;
    }
    if (dot != std::string_view::npos) {
        resolved.sub = resolved.attribute->FindSub(path.substr(dot + 1));
        if (resolved.sub == nullptr) {
            return std::nullopt;
        }
    }
    return resolved;
}

}  // namespace schemas

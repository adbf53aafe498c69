#include "schemas/validate.h"

#include <algorithm>
#include <string>
#include <vector>

#include "schemas/bounds.h"
#include "schemas/characteristics.h"
#include "schemas/secret_hash.h"
#include "schemas/values.h"

namespace schemas {
namespace {

using nlohmann::json;
using scim::Error;
using scim::Result;
using scim::ScimType;
using scim::Status;

constexpr std::string_view kMembers = "members";

Error Invalid(const std::string& path, std::string_view problem) {
    return InvalidValue(path, problem);
}

// What Validate collects besides the document.
struct Collected {
    json secrets = json::object();  // canonical secret key -> Argon2id hash
};

// ---- primary (RFC 7643 §2.4) ----

std::vector<size_t> PrimaryIndexes(const json& values) {
    std::vector<size_t> indexes;
    for (size_t i = 0; i < values.size(); ++i) {
        const json& item = values[i];
        if (item.is_object() && item.value("primary", false) == true) {
            indexes.push_back(i);
        }
    }
    return indexes;
}

// At most one value may be primary. A client that sends two in a POST or PUT contradicts
// itself, so that is refused. A PATCH that marks a value primary clears the others
// (RFC 7644 §3.5.2), so after a PATCH the value that was not primary before wins.
Status ApplyPrimaryRule(json& values, const json* before, WriteMode mode, const std::string& path) {
    const std::vector<size_t> primaries = PrimaryIndexes(values);
    if (primaries.size() <= 1) {
        return scim::Ok{};
    }
    if (mode != WriteMode::kPatch) {
        return Invalid(path, "has more than one value marked primary");
    }
    auto was_there = [&](const json& item) {
        return before != nullptr && before->is_array() &&
               std::find(before->begin(), before->end(), item) != before->end();
    };
    size_t keep = primaries.back();
    for (size_t index : primaries) {
        if (!was_there(values[index])) {
            keep = index;
        }
    }
    for (size_t index : primaries) {
        if (index != keep) {
            values[index]["primary"] = false;
        }
    }
    return scim::Ok{};
}

// ---- writeOnly (password) ----

Result<std::string> HashSecret(const json& value, const std::string& path) {
    if (!value.is_string()) {
        return Invalid(path, "must be a string");
    }
    return HashSecretValue(value.get_ref<const std::string&>());
}

// ---- one schema's attributes ----

// The attributes one JSON object (the resource top level, or an extension object) may hold.
struct Scope {
    const Schema* schema = nullptr;
    const std::vector<Attribute>* common = nullptr;  // only at the top level
    std::string prefix;      // "" for the core, "<urn>:" for an extension (for details)
    std::string secret_key;  // prefix of keys in kSecretsKey

    const Attribute* Find(std::string_view name) const {
        const Attribute* found = schema->Find(name);
        if (found == nullptr && common != nullptr) {
            for (const Attribute& a : *common) {
                if (EqualsIgnoreCase(a.name, name)) {
                    return &a;
                }
            }
        }
        return found;
    }
    std::vector<const Attribute*> All() const {
        std::vector<const Attribute*> all;
        if (common != nullptr) {
            for (const Attribute& a : *common) {
                all.push_back(&a);
            }
        }
        for (const Attribute& a : schema->attributes) {
            all.push_back(&a);
        }
        return all;
    }
};

const json* Member(const json* object, std::string_view key) {
    if (object == nullptr || !object->is_object()) {
        return nullptr;
    }
    const auto it = object->find(key);
    return it == object->end() ? nullptr : &*it;
}

// RFC 7644 §3.5.1: an immutable value, once set, may be repeated but not changed. Sub-attributes
// of singular complex attributes are checked the same way; elements of multi-valued attributes
// have no identity across writes, so their immutable sub-attributes are not compared.
Status CheckImmutable(const Attribute& attribute,
                      const json& value,
                      const json* before,
                      const std::string& path) {
    if (before == nullptr || before->is_null()) {
        return scim::Ok{};
    }
    if (attribute.mutability == Mutability::kImmutable && value != *before) {
        return Error::BadRequest(ScimType::kMutability, path + " is immutable and already set");
    }
    if (attribute.type == AttrType::kComplex && !attribute.multi_valued && value.is_object()) {
        for (const Attribute& sub : attribute.sub_attributes) {
            const json* old_sub = Member(before, sub.name);
            const json* new_sub = Member(&value, sub.name);
            if (sub.mutability == Mutability::kImmutable && old_sub != nullptr &&
                (new_sub == nullptr || *new_sub != *old_sub)) {
                return Error::BadRequest(ScimType::kMutability,
                                         path + "." + sub.name + " is immutable and already set");
            }
        }
    }
    return scim::Ok{};
}

struct ObjectInput {
    json raw = json::object();  // canonical attribute name -> value as sent
    bool present = false;       // the object appeared in the input at all
};

// Validates the attributes of one scope and writes them to `out`.
Status ValidateScope(const Scope& scope,
                     const ObjectInput& input,
                     const json* before,
                     WriteMode mode,
                     json& out,
                     Collected& collected) {
    for (const auto& [name, value] : input.raw.items()) {
        const Attribute& attribute = *scope.Find(name);
        const std::string path = scope.prefix + attribute.name;
        if (attribute.mutability == Mutability::kReadOnly) {
            continue;  // ignored, not an error (RFC 7644 §3.5.1); carried over below
        }
        Result<std::optional<json>> checked = ValidateValue(attribute, value, path);
        if (!checked.ok()) {
            return std::move(checked).error();
        }
        if (!checked->has_value()) {
            continue;
        }
        json& validated = **checked;
        if (attribute.mutability == Mutability::kWriteOnly) {
            Result<std::string> hash = HashSecret(validated, path);
            if (!hash.ok()) {
                return std::move(hash).error();
            }
            collected.secrets[scope.secret_key + attribute.name] = std::move(*hash);
            continue;
        }
        if (attribute.multi_valued && attribute.type == AttrType::kComplex) {
            if (Status s = ApplyPrimaryRule(validated, Member(before, attribute.name), mode, path);
                !s.ok()) {
                return s;
            }
        }
        if (Status s = CheckImmutable(attribute, validated, Member(before, attribute.name), path);
            !s.ok()) {
            return s;
        }
        out[attribute.name] = std::move(validated);
    }
    return scim::Ok{};
}

// Values the client cannot send but the stored document keeps: simple readOnly values (`id`)
// and immutable values left out of a PUT. Complex readOnly attributes (`meta`, a user's
// `groups`) are derived on read and never stored, so they are not carried.
void CarryOver(const Scope& scope, const json* before, json& out) {
    for (const Attribute* attribute : scope.All()) {
        const json* old_value = Member(before, attribute->name);
        if (old_value == nullptr || out.contains(attribute->name)) {
            continue;
        }
        const bool stored_read_only =
            attribute->mutability == Mutability::kReadOnly && attribute->type != AttrType::kComplex;
        if (stored_read_only || attribute->mutability == Mutability::kImmutable) {
            out[attribute->name] = *old_value;
        }
    }
}

// True for "" and for strings of ASCII whitespace only.
bool IsBlank(const json& value) {
    if (!value.is_string()) {
        return false;
    }
    const auto& text = value.get_ref<const std::string&>();
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

Status CheckRequired(const Scope& scope, const json& out, const Collected& collected) {
    for (const Attribute* attribute : scope.All()) {
        // readOnly required attributes (id) are the server's to set.
        if (!attribute->required || attribute->mutability == Mutability::kReadOnly) {
            continue;
        }
        const bool has_value = out.contains(attribute->name) ||
                               collected.secrets.contains(scope.secret_key + attribute->name);
        if (!has_value) {
            return Invalid(scope.prefix + attribute->name, "is required");
        }
        // A blank string only pretends to give a required value (RFC 7643 §4.1.1 requires a
        // userName, §4.2 a displayName), and as a unique key it would block every later blank.
        const json* value = Member(&out, attribute->name);
        if (value != nullptr && IsBlank(*value)) {
            return Invalid(scope.prefix + attribute->name, "must not be empty or blank");
        }
    }
    return scim::Ok{};
}

// ---- the resource ----

struct Input {
    std::vector<std::string> schemas;
    ObjectInput core;
    std::vector<ObjectInput> extensions;  // parallel to ResourceType::extensions
};

// Puts `value` at attribute (and sub-attribute) of `object`, refusing a second spelling.
Status Place(ObjectInput& object,
             const Attribute& attribute,
             const Attribute* sub,
             const json& value,
             const std::string& path) {
    object.present = true;
    json& slot = object.raw[attribute.name];
    if (sub == nullptr) {
        if (!slot.is_null()) {
            return Invalid(path, "is given more than once");
        }
        slot = value;
        return scim::Ok{};
    }
    if (!slot.is_null() && (!slot.is_object() || slot.contains(sub->name))) {
        return Invalid(path + "." + sub->name, "is given more than once");
    }
    slot[sub->name] = value;
    return scim::Ok{};
}

Status ReadSchemas(const ResourceType& type, const json& value, Input& input) {
    if (!value.is_array()) {
        return Invalid("schemas", "must be a list of schema URNs");
    }
    for (const json& urn : value) {
        if (!urn.is_string()) {
            return Invalid("schemas", "must be a list of schema URNs");
        }
        const std::string& text = urn.get_ref<const std::string&>();
        const bool known =
            EqualsIgnoreCase(text, type.schema) ||
            std::any_of(type.extensions.begin(), type.extensions.end(),
                        [&](const auto& e) { return EqualsIgnoreCase(e.schema, text); });
        if (!known) {
            // Echoing a URN is safe: it names a schema, not a person.
            return Invalid("schemas", "lists " + text + ", which is not a schema of " + type.name);
        }
        input.schemas.push_back(text);
    }
    const bool has_core =
        std::any_of(input.schemas.begin(), input.schemas.end(),
                    [&](const auto& s) { return EqualsIgnoreCase(s, type.schema); });
    if (!has_core) {
        return Invalid("schemas", "must list " + type.schema);
    }
    return scim::Ok{};
}

Status ReadExtensionObject(const Registry& registry,
                           const SchemaExtension& extension,
                           const json& value,
                           ObjectInput& object) {
    if (value.is_null()) {
        return scim::Ok{};
    }
    if (!value.is_object()) {
        return Invalid(extension.schema, "must be an object");
    }
    const Schema& schema = *registry.FindSchema(extension.schema);
    object.present = true;
    for (const auto& [key, item] : value.items()) {
        if (const Attribute* attribute = schema.Find(key)) {
            if (Status s = Place(object, *attribute, nullptr, item, extension.schema + ":" + key);
                !s.ok()) {
                return s;
            }
        }
    }
    return scim::Ok{};
}

// Every member must name its id in `value` (RFC 7643 §4.2). Checked on the input as sent,
// because validation drops elements that hold only readOnly sub-attributes such as `display`.
Status CheckMemberShape(const json& given) {
    const json items = given.is_array() ? given : json::array({given});
    for (const json& item : items) {
        if (item.is_null() || item.is_string()) {
            continue;  // a string is read as {"value": string}; null is no member
        }
        bool has_value = false;
        if (item.is_object()) {
            for (const auto& [key, value] : item.items()) {
                has_value = has_value || (EqualsIgnoreCase(key, "value") && value.is_string() &&
                                          !value.get_ref<const std::string&>().empty());
            }
        }
        if (!has_value) {
            return Invalid(std::string(kMembers),
                           "needs a value (the member's id) in every element");
        }
    }
    return scim::Ok{};
}

// Places a key that names an attribute, possibly URN-qualified, into its object.
Status PlaceAttribute(const Registry& registry,
                      const ResourceType& type,
                      const std::string& key,
                      const json& value,
                      Input& in) {
    const std::optional<ResolvedPath> path = registry.Resolve(type, key);
    if (!path) {
        return scim::Ok{};  // unknown attribute: ignored, see Validate's contract
    }
    ObjectInput* target = &in.core;
    if (path->is_extension) {
        for (size_t i = 0; i < type.extensions.size(); ++i) {
            if (EqualsIgnoreCase(type.extensions[i].schema, path->schema->id)) {
                target = &in.extensions[i];
            }
        }
    }
    return Place(*target, *path->attribute, path->sub, value, key);
}

// Sorts the input keys into the core object and one object per extension, in canonical
// spelling. Keys may be attribute names (any case), extension URNs holding an object, or
// URN-qualified attribute paths such as `urn:...:enterprise:2.0:User:department`.
Status ReadInput(const Registry& registry, const ResourceType& type, const json& body, Input& in) {
    in.extensions.resize(type.extensions.size());
    for (const auto& [key, value] : body.items()) {
        if (EqualsIgnoreCase(key, "schemas")) {
            if (Status s = ReadSchemas(type, value, in); !s.ok()) {
                return s;
            }
            continue;
        }
        auto extension =
            std::find_if(type.extensions.begin(), type.extensions.end(),
                         // Named capture: clang 14 cannot capture a structured binding.
                         [&name = key](const auto& e) { return EqualsIgnoreCase(e.schema, name); });
        if (extension != type.extensions.end()) {
            const size_t index = static_cast<size_t>(extension - type.extensions.begin());
            if (Status s = ReadExtensionObject(registry, *extension, value, in.extensions[index]);
                !s.ok()) {
                return s;
            }
            continue;
        }
        if (Status s = PlaceAttribute(registry, type, key, value, in); !s.ok()) {
            return s;
        }
    }
    if (in.schemas.empty()) {
        return Invalid("schemas", "is required and must list " + type.schema);
    }
    if (const json* members = Member(&in.core.raw, kMembers);
        members != nullptr && registry.CoreSchema(type)->Find(kMembers) != nullptr) {
        return CheckMemberShape(*members);
    }
    return scim::Ok{};
}

std::vector<scim::MemberRef> ExtractMembers(const json& members) {
    std::vector<scim::MemberRef> refs;
    for (const json& member : members) {
        scim::MemberRef ref;
        ref.id = member.value("value", "");
        // canonicalValues are advice (RFC 7643 §7): an unexpected type is left for the caller.
        const std::string type = member.value("type", "");
        if (EqualsIgnoreCase(type, kUserResource)) {
            ref.type = kUserResource;
        } else if (EqualsIgnoreCase(type, kGroupResource)) {
            ref.type = kGroupResource;
        }
        refs.push_back(std::move(ref));
    }
    return refs;
}

// Secrets the input did not replace keep their stored hash; input never supplies hashes.
void CarrySecrets(const json* existing, Collected& collected, json& doc) {
    if (const json* old = Member(existing, kSecretsKey); old != nullptr && old->is_object()) {
        for (const auto& [key, hash] : old->items()) {
            if (!collected.secrets.contains(key)) {
                collected.secrets[key] = hash;
            }
        }
    }
    if (!collected.secrets.empty()) {
        doc[std::string(kSecretsKey)] = std::move(collected.secrets);
    }
}

Scope CoreScope(const Registry& registry, const ResourceType& type) {
    return Scope{registry.CoreSchema(type), &registry.common_attributes(), "", ""};
}

Scope ExtensionScope(const Registry& registry, const SchemaExtension& extension) {
    return Scope{registry.FindSchema(extension.schema), nullptr, extension.schema + ":",
                 extension.schema + ":"};
}

Status BuildCore(const Registry& registry,
                 const ResourceType& type,
                 const Input& in,
                 WriteMode mode,
                 const json* existing,
                 json& doc,
                 Collected& collected) {
    const Scope scope = CoreScope(registry, type);
    if (Status s = ValidateScope(scope, in.core, existing, mode, doc, collected); !s.ok()) {
        return s;
    }
    CarryOver(scope, existing, doc);
    return CheckRequired(scope, doc, collected);
}

Status BuildExtensions(const Registry& registry,
                       const ResourceType& type,
                       const Input& in,
                       WriteMode mode,
                       const json* existing,
                       json& doc,
                       Collected& collected) {
    for (size_t i = 0; i < type.extensions.size(); ++i) {
        const SchemaExtension& extension = type.extensions[i];
        const Scope scope = ExtensionScope(registry, extension);
        const json* before = Member(existing, extension.schema);
        json out = json::object();
        if (Status s = ValidateScope(scope, in.extensions[i], before, mode, out, collected);
            !s.ok()) {
            return s;
        }
        CarryOver(scope, before, out);
        // Required attributes of an optional extension apply once the resource carries it.
        if (extension.required || !out.empty()) {
            if (Status s = CheckRequired(scope, out, collected); !s.ok()) {
                return s;
            }
        }
        if (!out.empty()) {
            doc[extension.schema] = std::move(out);
        }
    }
    return scim::Ok{};
}

// `schemas` lists the core schema and each extension the document carries (RFC 7643 §3).
json SchemasOf(const ResourceType& type, const json& doc) {
    json schemas = json::array({type.schema});
    for (const SchemaExtension& extension : type.extensions) {
        if (doc.contains(extension.schema)) {
            schemas.push_back(extension.schema);
        }
    }
    return schemas;
}

Result<ValidatedResource> ValidateObject(const Registry& registry,
                                         const ResourceType& type,
                                         const json& input,
                                         WriteMode mode,
                                         const json* existing) {
    Input in;
    if (Status s = ReadInput(registry, type, input, in); !s.ok()) {
        return std::move(s).error();
    }
    json doc = json::object();
    Collected collected;
    if (Status s = BuildCore(registry, type, in, mode, existing, doc, collected); !s.ok()) {
        return std::move(s).error();
    }
    if (Status s = BuildExtensions(registry, type, in, mode, existing, doc, collected); !s.ok()) {
        return std::move(s).error();
    }
    ValidatedResource result;
    if (registry.CoreSchema(type)->Find(kMembers) != nullptr) {
        if (const json* given = Member(&in.core.raw, kMembers); given && !given->is_null()) {
            const json* validated = Member(&doc, kMembers);
            result.members = ExtractMembers(validated != nullptr ? *validated : json::array());
        }
        doc.erase(std::string(kMembers));
    }
    CarrySecrets(existing, collected, doc);
    doc["schemas"] = SchemasOf(type, doc);
    // Judged on the document as it will be stored, so a PATCH is bounded by what it produces.
    const json* before = mode == WriteMode::kPatch ? existing : nullptr;
    if (Status s = CheckBounds(registry, type, doc, before); !s.ok()) {
        return std::move(s).error();
    }
    result.doc = std::move(doc);
    return result;
}

}  // namespace

Result<ValidatedResource> Validate(const Registry& registry,
                                   const ResourceType& type,
                                   const json& input,
                                   WriteMode mode,
                                   const json* existing) {
    if (!input.is_object()) {
        return Error::BadRequest(ScimType::kInvalidSyntax, "the resource must be a JSON object");
    }
    if (registry.CoreSchema(type) == nullptr) {
        return Error::Internal("resource type " + type.name + " has no loaded core schema");
    }
    if (mode != WriteMode::kCreate && (existing == nullptr || !existing->is_object())) {
        return Error::Internal("Validate needs the stored document for a replace or patch");
    }
    if (mode == WriteMode::kCreate) {
        existing = nullptr;
    }
    try {
        return ValidateObject(registry, type, input, mode, existing);
    } catch (const std::exception& e) {
        // nlohmann throws on type confusion; the code above checks types first, so reaching
        // this is a bug, reported as such rather than as the client's fault.
        return Error::Internal(std::string("schema validation failed: ") + e.what());
    }
}

bool VerifySecret(const json& doc, std::string_view attribute, std::string_view plain) {
    const json* secrets = Member(&doc, kSecretsKey);
    const json* hash = Member(secrets, attribute);
    if (hash == nullptr || !hash->is_string()) {
        return false;
    }
    return VerifySecretValue(hash->get_ref<const std::string&>(), plain);
}

}  // namespace schemas

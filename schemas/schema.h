#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/result.h"

// The RFC 7643 schema model. Schemas are data (schemas/data/*.json, plus extension files loaded
// from a directory); this header is the in-memory form every other module reads.
namespace schemas {

// Wire names used across modules, defined once.
inline constexpr std::string_view kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kEnterpriseUserSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view kListResponseSchema =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view kPatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view kSearchRequestSchema =
    "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
inline constexpr std::string_view kUserResource = "User";
inline constexpr std::string_view kGroupResource = "Group";

enum class AttrType {
    kString,
    kBoolean,
    kDecimal,
    kInteger,
    kDateTime,
    kReference,
    kBinary,
    kComplex
};
enum class Mutability { kReadOnly, kReadWrite, kImmutable, kWriteOnly };
enum class Returned { kAlways, kNever, kDefault, kRequest };
enum class Uniqueness { kNone, kServer, kGlobal };

// One attribute definition (RFC 7643 §7). Sub-attributes only for kComplex.
struct Attribute {
    std::string name;  // canonical spelling, e.g. "userName"
    AttrType type = AttrType::kString;
    bool multi_valued = false;
    bool required = false;
    bool case_exact = false;
    Mutability mutability = Mutability::kReadWrite;
    Returned returned = Returned::kDefault;
    Uniqueness uniqueness = Uniqueness::kNone;
    std::string description;
    std::vector<std::string> canonical_values;
    std::vector<std::string> reference_types;
    std::vector<Attribute> sub_attributes;

    // Case-insensitive lookup of a sub-attribute (RFC 7643 §2.1); nullptr when absent.
    const Attribute* FindSub(std::string_view name) const;
};

struct Schema {
    std::string id;  // the URN
    std::string name;
    std::string description;
    std::vector<Attribute> attributes;

    // Case-insensitive lookup of a top-level attribute; nullptr when absent.
    const Attribute* Find(std::string_view name) const;
};

struct SchemaExtension {
    std::string schema;  // URN
    bool required = false;
};

struct ResourceType {
    std::string id;        // "User"
    std::string name;      // "User"
    std::string endpoint;  // "/Users"
    std::string description;
    std::string schema;  // core schema URN
    std::vector<SchemaExtension> extensions;
};

// A resolved attribute path such as `name.givenName` or
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
struct ResolvedPath {
    const Schema* schema = nullptr;        // the schema that defines the attribute
    const Attribute* attribute = nullptr;  // top-level attribute
    const Attribute* sub = nullptr;        // sub-attribute, when the path names one
    bool is_extension = false;             // attribute lives under the extension URN key

    // The attribute the path ends at (sub when present, else attribute).
    const Attribute& leaf() const { return sub ? *sub : *attribute; }
};

// All schemas and resource types known to this server. Built once at start-up, then read-only
// and safe to share between threads.
class Registry {
public:
    // Loads the built-in schemas (compiled in from schemas/data) and, when `extension_dir` is
    // non-empty, every *.json schema file in that directory (in file-name order). An extension
    // file holds one RFC 7643 §7 schema plus "x-scimd-extends": "User" (or "Group", any case)
    // naming the resource type it extends, and optionally "x-scimd-required": true to make the
    // extension required for that type. Complex attributes must not nest (RFC 7643 §2.3.8).
    // Returns invalidValue with the file name on a malformed file, an unknown resource type, or
    // a schema id already in use.
    static scim::Result<std::shared_ptr<const Registry>> Load(
        const std::string& extension_dir = "");

    const Schema* FindSchema(std::string_view urn) const;               // case-insensitive
    const ResourceType* FindResourceType(std::string_view name) const;  // "User", "Group"
    const std::vector<Schema>& schemas() const { return schemas_; }
    const std::vector<ResourceType>& resource_types() const { return resource_types_; }

    // The common attributes of RFC 7643 §3.1 (id, externalId, meta). They belong to every
    // resource rather than to a schema, so they are not listed in any Schema; Resolve finds them
    // as top-level attributes of every resource type, with `schema` set to the core schema.
    const std::vector<Attribute>& common_attributes() const { return common_attributes_; }

    // The core schema of `type`; nullptr only for a type whose schema failed to load (Load
    // rejects that, so never for a loaded Registry).
    const Schema* CoreSchema(const ResourceType& type) const;

    // Resolves an attribute path (case-insensitive, optional schema URN prefix) against the
    // core schema and extensions of `type`. invalidPath / invalidFilter is the caller's choice,
    // so this returns nullopt when the path names no attribute.
    std::optional<ResolvedPath> Resolve(const ResourceType& type, std::string_view path) const;

private:
    std::vector<Schema> schemas_;
    std::vector<ResourceType> resource_types_;
    std::vector<Attribute> common_attributes_;
};

}  // namespace schemas

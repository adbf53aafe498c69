#include "scim/patch/patch.h"

#include <algorithm>
#include <string>
#include <utility>

#include "scim/patch/applier.h"
#include "scim/patch/document.h"
#include "scim/patch/target.h"

namespace scim::patch {
namespace {

using nlohmann::json;

Error SyntaxError(std::string detail) {
    return Error::Scim(ScimType::kInvalidSyntax, std::move(detail));
}

// Prefixes an error's detail with the failing operation, e.g. "Operations[2]: ...".
Error AtOperation(std::size_t index, Error error) {
    error.detail = "Operations[" + std::to_string(index) + "]: " + error.detail;
    return error;
}

// The member of a request object whose key equals `name` in any case; nullptr when absent.
// RFC 7644 §3.5.2 spells the keys "schemas", "Operations", "op", "path" and "value"; clients
// vary the case.
const json* FindKey(const json& object, std::string_view name) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (NameEquals(it.key(), name)) {
            return &*it;
        }
    }
    return nullptr;
}

// NOTE(#5): RFC 7644 §3.5.2 writes the op values in lower case; Entra ID sends "Replace" and
// "Add", so any case is accepted.
std::optional<PatchOp> ParseOpName(std::string_view name) {
    for (PatchOp op : {PatchOp::kAdd, PatchOp::kReplace, PatchOp::kRemove}) {
        if (NameEquals(name, PatchOpName(op))) {
            return op;
        }
    }
    return std::nullopt;
}

Status CheckSchemas(const json& body) {
    const json* schemas = FindKey(body, "schemas");
    if (schemas != nullptr && schemas->is_array()) {
        for (const auto& urn : *schemas) {
            if (urn.is_string() &&
                NameEquals(urn.get_ref<const std::string&>(), schemas::kPatchOpSchema)) {
                return Ok{};
            }
        }
    }
    return SyntaxError("schemas must list " + std::string(schemas::kPatchOpSchema));
}

Result<Operation> ParseOperation(const json& item) {
    if (!item.is_object()) {
        return SyntaxError("an operation must be an object");
    }
    const json* op = FindKey(item, "op");
    if (op == nullptr || !op->is_string()) {
        return SyntaxError("op must be one of add, replace, remove");
    }
    auto parsed_op = ParseOpName(op->get_ref<const std::string&>());
    if (!parsed_op.has_value()) {
        return SyntaxError("unknown op; expected add, replace or remove");
    }
    Operation operation;
    operation.op = *parsed_op;
    if (const json* path = FindKey(item, "path"); path != nullptr && !path->is_null()) {
        if (!path->is_string()) {
            return SyntaxError("path must be a string");
        }
        operation.path = path->get<std::string>();
    }
    if (const json* value = FindKey(item, "value"); value != nullptr) {
        operation.value = *value;
    }
    // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace carry the value they write.
    if (operation.op != PatchOp::kRemove && !operation.value.has_value()) {
        return SyntaxError(std::string(PatchOpName(operation.op)) + " needs a value");
    }
    return operation;
}

}  // namespace

std::string_view PatchOpName(PatchOp op) {
    switch (op) {
        case PatchOp::kAdd:
            return "add";
        case PatchOp::kReplace:
            return "replace";
        case PatchOp::kRemove:
            return "remove";
    }
    return "add";
}

Result<std::vector<Operation>> ParseRequest(const json& body) {
    if (!body.is_object()) {
        return SyntaxError("a PATCH body must be a PatchOp object");
    }
    if (auto checked = CheckSchemas(body); !checked.ok()) {
        return checked.error();
    }
    const json* items = FindKey(body, "Operations");
    if (items == nullptr || !items->is_array() || items->empty()) {
        return SyntaxError("Operations must be a non-empty array");
    }
    std::vector<Operation> operations;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto operation = ParseOperation((*items)[i]);
        if (!operation.ok()) {
            return AtOperation(i, std::move(operation).error());
        }
        operations.push_back(std::move(*operation));
    }
    return operations;
}

Result<PatchResult> Apply(const schemas::Registry& registry,
                          const schemas::ResourceType& type,
                          json doc,
                          const json& body,
                          const MemberLoader& load_members) {
    auto operations = ParseRequest(body);
    if (!operations.ok()) {
        return operations.error();
    }
    if (!doc.is_object()) {
        return Error::Internal("stored " + type.name + " document is not a JSON object");
    }
    Applier applier(registry, type, std::move(doc), load_members);
    try {
        for (std::size_t i = 0; i < operations->size(); ++i) {
            if (auto applied = applier.Apply((*operations)[i]); !applied.ok()) {
                return AtOperation(i, std::move(applied).error());
            }
        }
        return std::move(applier).Finish();
    } catch (const json::exception& e) {
        // The applier checks JSON types before each access; this only guards the protocol
        // core's no-exceptions contract against a stored document of an unexpected shape.
        return Error::Internal(std::string("PATCH of a stored document failed: ") + e.what());
    }
}

namespace {

bool IsMemberIdTarget(const Target& target, const schemas::Attribute* members) {
    return target.attribute == members && target.extension_urn.empty() && target.sub == nullptr &&
           (target.value_filter == nullptr || MemberIdsFromFilter(*target.value_filter));
}

bool IsMemberIdKey(const schemas::Registry& registry,
                   const schemas::ResourceType& type,
                   const std::string& key,
                   const schemas::Attribute* members) {
    if (FindTypeSchema(registry, type, key) != nullptr) {
        return false;
    }
    if (key.find('[') != std::string::npos) {
        auto target = ResolvePath(registry, type, key);
        return target.ok() && IsMemberIdTarget(*target, members);
    }
    auto target = ResolveKey(registry, type, key);
    return target.has_value() && IsMemberIdTarget(*target, members);
}

}  // namespace

bool ChangesOnlyMembers(const schemas::Registry& registry,
                        const schemas::ResourceType& type,
                        const std::vector<Operation>& operations) {
    const schemas::Schema* core = registry.CoreSchema(type);
    const schemas::Attribute* members = core != nullptr ? core->Find("members") : nullptr;
    if (members == nullptr || operations.empty()) {
        return false;
    }
    auto only_members = [&](const Operation& operation) {
        if (operation.path.has_value()) {
            if (FindTypeSchema(registry, type, *operation.path) != nullptr) {
                return false;
            }
            auto target = ResolvePath(registry, type, *operation.path);
            return target.ok() && IsMemberIdTarget(*target, members);
        }
        const json* value = operation.value ? &*operation.value : nullptr;
        if (operation.op == PatchOp::kRemove || value == nullptr || !value->is_object() ||
            value->empty()) {
            return false;
        }
        for (auto it = value->begin(); it != value->end(); ++it) {
            if (!IsMemberIdKey(registry, type, it.key(), members)) {
                return false;
            }
        }
        return true;
    };
    return std::all_of(operations.begin(), operations.end(), only_members);
}

}  // namespace scim::patch

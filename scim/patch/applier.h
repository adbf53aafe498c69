#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schemas/schema.h"
#include "scim/patch/members.h"
#include "scim/patch/patch.h"
#include "scim/patch/target.h"
#include "scim/result.h"

namespace scim::patch {

// Applies operations one by one to a working copy of a resource document. Not thread-safe; one
// Applier per request. Errors leave the working copy half-changed: the caller discards it.
class Applier {
public:
    // `load_members` (may be empty) reads a group's stored members for member filters that
    // are not plain `value eq` terms; without it such filters are 400 invalidPath.
    Applier(const schemas::Registry& registry,
            const schemas::ResourceType& type,
            nlohmann::json doc,
            MemberLoader load_members = {});

    // Applies one operation; errors carry a detail without the operation index.
    Status Apply(const Operation& operation);

    // The final document (extension keys and "schemas" tidied) and member changes.
    PatchResult Finish() &&;

private:
    Status ApplyPathless(PatchOp op, const nlohmann::json& value);
    Status ApplyFilteredKey(PatchOp op, const std::string& key, const nlohmann::json& value);
    Status ApplySchemaObject(PatchOp op,
                             const schemas::Schema& schema,
                             const nlohmann::json& value);
    Status ApplyToTarget(PatchOp op, const Target& target, const nlohmann::json* value);
    Status ApplyToMembers(PatchOp op, const Target& target, const nlohmann::json* value);
    Result<std::vector<std::string>> MatchingMemberIds(const filter::Node& filter);

    Status Set(PatchOp op, const Target& target, const nlohmann::json& value);
    void SetAttribute(PatchOp op, const Target& target, const nlohmann::json& value);
    void SetSubAttribute(const Target& target, const nlohmann::json& value);
    Status SetFiltered(PatchOp op, const Target& target, const nlohmann::json& value);
    // Appends the element a filter's `eq` terms describe, with `canonical` written into it.
    Status CreateFromFilter(const Target& target,
                            nlohmann::json& container,
                            nlohmann::json canonical);
    Status Remove(const Target& target, const nlohmann::json* value);
    Status RemoveFiltered(const Target& target);
    void RemoveListed(const Target& target, const nlohmann::json& value);

    // The object that holds the target's attribute: the document, or its extension object
    // (created when `create`). nullptr when absent and not created.
    nlohmann::json* Container(const Target& target, bool create);
    bool IsMembers(const Target& target) const;
    void TidyExtensions();

    const schemas::Registry& registry_;
    const schemas::ResourceType& type_;
    const schemas::Attribute* members_attribute_ = nullptr;
    nlohmann::json original_;
    nlohmann::json doc_;
    MemberEdits members_;
    MemberLoader load_members_;
    std::optional<std::vector<nlohmann::json>> stored_members_;  // read once, on first need
};

}  // namespace scim::patch

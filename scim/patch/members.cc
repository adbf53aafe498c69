#include "scim/patch/members.h"

#include <algorithm>
#include <utility>

#include "scim/patch/document.h"

namespace scim::patch {
namespace {

using nlohmann::json;

Error InvalidMember(std::string detail) {
    return Error::Scim(ScimType::kInvalidValue, "members: " + std::move(detail));
}

// Reads a member's string sub-attribute, whatever the key's case; nullptr when absent or null.
const json* MemberField(const json& member, std::string_view name) {
    for (auto it = member.begin(); it != member.end(); ++it) {
        if (NameEquals(it.key(), name) && !it->is_null()) {
            return &*it;
        }
    }
    return nullptr;
}

Result<MemberRef> ParseMember(const json& member) {
    if (!member.is_object()) {
        return InvalidMember("each member must be an object with a \"value\"");
    }
    const json* value = MemberField(member, "value");
    if (value == nullptr || !value->is_string() || value->get_ref<const std::string&>().empty()) {
        return InvalidMember("each member needs a non-empty string \"value\"");
    }
    MemberRef ref;
    ref.id = value->get<std::string>();
    if (const json* type = MemberField(member, "type"); type != nullptr) {
        if (type->is_string() && NameEquals(type->get_ref<const std::string&>(), "User")) {
            ref.type = "User";
        } else if (type->is_string() && NameEquals(type->get_ref<const std::string&>(), "Group")) {
            ref.type = "Group";
        } else {
            return InvalidMember("a member's \"type\" must be \"User\" or \"Group\"");
        }
    }
    return ref;
}

Result<std::vector<MemberRef>> ParseMembers(const json& value) {
    std::vector<MemberRef> members;
    if (value.is_null()) {
        return members;
    }
    const json items = value.is_array() ? value : json::array({value});
    for (const auto& item : items) {
        auto member = ParseMember(item);
        if (!member.ok()) {
            return member.error();
        }
        members.push_back(std::move(*member));
    }
    return members;
}

bool CollectIds(const filter::Node& node, std::vector<std::string>& ids) {
    if (node.kind == filter::NodeKind::kOr) {
        return std::all_of(node.children.begin(), node.children.end(),
                           [&](const auto& child) { return CollectIds(*child, ids); });
    }
    const auto* leaf = node.path.leaf();
    if (node.kind != filter::NodeKind::kCompare || node.op != filter::CompareOp::kEq ||
        leaf == nullptr || !NameEquals(leaf->name, "value") || !node.value.is_string()) {
        return false;
    }
    ids.push_back(node.value.get<std::string>());
    return true;
}

// The id of a member value; empty when it has none.
std::string MemberId(const json& member) {
    const json* value = MemberField(member, "value");
    return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Status MemberEdits::Add(const json& value) {
    auto members = ParseMembers(value);
    if (!members.ok()) {
        return members.error();
    }
    for (auto& member : *members) {
        AddOne(std::move(member));
    }
    return Ok{};
}

Status MemberEdits::ReplaceAll(const json& value) {
    auto members = ParseMembers(value);
    if (!members.ok()) {
        return members.error();
    }
    RemoveAll();
    for (auto& member : *members) {
        AddOne(std::move(member));
    }
    return Ok{};
}

void MemberEdits::RemoveAll() {
    changes_ = MemberChanges{};
    changes_.replace_all = true;
}

Status MemberEdits::RemoveListed(const json& value) {
    auto members = ParseMembers(value);
    if (!members.ok()) {
        return members.error();
    }
    for (const auto& member : *members) {
        RemoveOne(member.id);
    }
    return Ok{};
}

void MemberEdits::RemoveIds(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
        RemoveOne(id);
    }
}

void MemberEdits::AddOne(MemberRef member) {
    std::erase(changes_.remove, member.id);
    auto same = [&](const MemberRef& other) { return other.id == member.id; };
    if (auto it = std::find_if(changes_.add.begin(), changes_.add.end(), same);
        it != changes_.add.end()) {
        if (!member.type.empty()) {
            it->type = member.type;
        }
        return;
    }
    changes_.add.push_back(std::move(member));
}

void MemberEdits::RemoveOne(const std::string& id) {
    std::erase_if(changes_.add, [&](const MemberRef& member) { return member.id == id; });
    // After replace_all the final list is exactly `add`, so there is nothing left to delete.
    if (!changes_.replace_all &&
        std::find(changes_.remove.begin(), changes_.remove.end(), id) == changes_.remove.end()) {
        changes_.remove.push_back(id);
    }
}

std::vector<json> MemberEdits::Current(const std::vector<json>& stored) const {
    std::vector<json> current;
    std::vector<std::string> listed;
    if (!changes_.replace_all) {
        for (const json& member : stored) {
            std::string id = MemberId(member);
            if (std::find(changes_.remove.begin(), changes_.remove.end(), id) ==
                changes_.remove.end()) {
                current.push_back(member);
                listed.push_back(std::move(id));
            }
        }
    }
    // Re-adding a stored member is a no-op (RFC 7644 §3.5.2.1), so it keeps its stored value.
    for (const MemberRef& added : changes_.add) {
        if (std::find(listed.begin(), listed.end(), added.id) != listed.end()) {
            continue;
        }
        json member = {{"value", added.id}};
        if (!added.type.empty()) {
            member["type"] = added.type;
        }
        current.push_back(std::move(member));
    }
    return current;
}

std::optional<std::vector<std::string>> MemberIdsFromFilter(const filter::Node& filter) {
    std::vector<std::string> ids;
    if (!CollectIds(filter, ids)) {
        return std::nullopt;
    }
    return ids;
}

}  // namespace scim::patch

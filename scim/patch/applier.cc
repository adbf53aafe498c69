#include "scim/patch/applier.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "scim/filter/evaluate.h"
#include "scim/patch/document.h"

namespace scim::patch {
namespace {

using nlohmann::json;

bool IsReadOnly(const Target& target) {
    return target.attribute->mutability == schemas::Mutability::kReadOnly ||
           (target.sub != nullptr && target.sub->mutability == schemas::Mutability::kReadOnly);
}

Error ReadOnlyError(const Target& target) {
    const std::string name =
        target.attribute->name + (target.sub != nullptr ? "." + target.sub->name : "");
    return Error::Scim(ScimType::kMutability, name + " is readOnly and cannot be patched");
}

std::vector<std::size_t> MatchingElements(const json* array, const filter::Node& filter) {
    std::vector<std::size_t> matches;
    if (array == nullptr || !array->is_array()) {
        return matches;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        if (filter::MatchesElement(filter, (*array)[i])) {
            matches.push_back(i);
        }
    }
    return matches;
}

// Entra ID adds or replaces `emails[type eq "work"].value` on a user without a work email and
// expects the email to appear: the filter's `eq` terms become the new element's sub-attributes.
// Only `eq` comparisons joined with `and` describe one element; anything else gives nullopt.
bool CollectEqualityTerms(const filter::Node& node, json& element) {
    if (node.kind == filter::NodeKind::kAnd) {
        return std::all_of(node.children.begin(), node.children.end(), [&](const auto& child) {
            return CollectEqualityTerms(*child, element);
        });
    }
    const schemas::Attribute* leaf = node.path.leaf();
    if (node.kind != filter::NodeKind::kCompare || node.op != filter::CompareOp::kEq ||
        leaf == nullptr || node.value.is_null()) {
        return false;
    }
    element[leaf->name] = node.value;
    return true;
}

std::optional<json> ElementFromFilter(const filter::Node& filter) {
    json element = json::object();
    if (!CollectEqualityTerms(filter, element)) {
        return std::nullopt;
    }
    return element;
}

// True when `element` holds every sub-attribute of `item` with an equal value (for complex
// items), or equals `item` (for simple ones).
bool ContainsItem(const json& element, const json& item) {
    if (!item.is_object() || !element.is_object()) {
        return element == item;
    }
    for (auto field = item.begin(); field != item.end(); ++field) {
        auto it = element.find(field.key());
        if (it == element.end() || *it != field.value()) {
            return false;
        }
    }
    return true;
}

// A bare value where a complex element belongs (a filter compares it through `value`) is
// turned into {"value": ...} before one of its sub-attributes is written, so it is not lost.
json& AsComplexElement(json& element) {
    if (!element.is_object() && !element.is_null()) {
        element = json{{"value", std::move(element)}};
    }
    return element;
}

}  // namespace

Applier::Applier(const schemas::Registry& registry,
                 const schemas::ResourceType& type,
                 json doc,
                 MemberLoader load_members)
    : registry_(registry),
      type_(type),
      original_(doc),
      doc_(std::move(doc)),
      load_members_(std::move(load_members)) {
    if (const schemas::Schema* core = registry_.CoreSchema(type_); core != nullptr) {
        members_attribute_ = core->Find("members");
    }
}

Status Applier::Apply(const Operation& operation) {
    const json* value = operation.value ? &*operation.value : nullptr;
    if (!operation.path.has_value()) {
        if (operation.op == PatchOp::kRemove) {
            // RFC 7644 §3.5.2.2: a remove must say what it removes.
            return Error::Scim(ScimType::kNoTarget, "remove needs a path");
        }
        return ApplyPathless(operation.op, *value);
    }
    const std::string& path = *operation.path;
    if (const schemas::Schema* schema = FindTypeSchema(registry_, type_, path); schema != nullptr) {
        const std::string key = ExtensionKey(type_, schema);
        if (operation.op != PatchOp::kRemove) {
            return ApplySchemaObject(operation.op, *schema, *value);
        }
        if (key.empty()) {
            return Error::Scim(ScimType::kInvalidPath, "the core schema cannot be removed");
        }
        EraseMember(doc_, key);
        return Ok{};
    }
    auto target = ResolvePath(registry_, type_, path);
    if (!target.ok()) {
        return target.error();
    }
    if (IsReadOnly(*target)) {
        return ReadOnlyError(*target);
    }
    return ApplyToTarget(operation.op, *target, value);
}

// RFC 7644 §3.5.2.1/§3.5.2.3: without a path the value is a set of attributes of the resource.
// Keys may be dotted (`name.givenName`), URN-qualified, or a schema URN holding an object of
// that schema's attributes (Entra ID sends all three). Unknown and readOnly keys are ignored.
Status Applier::ApplyPathless(PatchOp op, const json& value) {
    if (!value.is_object()) {
        return Error::Scim(ScimType::kInvalidValue,
                           "without a path, value must be an object of attributes");
    }
    for (const auto& [key, item] : value.items()) {
        const schemas::Schema* schema = FindTypeSchema(registry_, type_, key);
        if (schema != nullptr && item.is_object()) {
            if (auto applied = ApplySchemaObject(op, *schema, item); !applied.ok()) {
                return applied;
            }
            continue;
        }
        if (key.find('[') != std::string::npos) {
            if (auto applied = ApplyFilteredKey(op, key, item); !applied.ok()) {
                return applied;
            }
            continue;
        }
        auto target = ResolveKey(registry_, type_, key);
        if (!target.has_value() || IsReadOnly(*target)) {
            continue;
        }
        if (auto applied = ApplyToTarget(op, *target, &item); !applied.ok()) {
            return applied;
        }
    }
    return Ok{};
}

// NOTE(#5): Entra ID's path-less updates carry keys such as `emails[type eq "work"].value` (its
// SCIM compatibility notes show them), where RFC 7644 §3.5.2.1 expects attribute names only.
// Such a key is a full PATCH path, applied exactly as the same operation with that path would
// be. Unlike a plain unknown key it is not ignored when it does not resolve, since a malformed
// filter would otherwise drop the change without a word.
Status Applier::ApplyFilteredKey(PatchOp op, const std::string& key, const json& value) {
    auto target = ResolvePath(registry_, type_, key);
    if (!target.ok()) {
        return target.error();
    }
    if (IsReadOnly(*target)) {
        return Ok{};
    }
    return ApplyToTarget(op, *target, &value);
}

Status Applier::ApplySchemaObject(PatchOp op, const schemas::Schema& schema, const json& value) {
    if (!value.is_object()) {
        return Error::Scim(ScimType::kInvalidValue,
                           "the value for " + schema.id + " must be an object of its attributes");
    }
    for (const auto& [key, item] : value.items()) {
        auto target = ResolveKey(registry_, type_, schema.id + ":" + key);
        if (!target.has_value() || IsReadOnly(*target)) {
            continue;
        }
        if (auto applied = ApplyToTarget(op, *target, &item); !applied.ok()) {
            return applied;
        }
    }
    return Ok{};
}

Status Applier::ApplyToTarget(PatchOp op, const Target& target, const json* value) {
    if (IsMembers(target)) {
        return ApplyToMembers(op, target, value);
    }
    if (op == PatchOp::kRemove) {
        return Remove(target, value);
    }
    return Set(op, target, *value);
}

Status Applier::ApplyToMembers(PatchOp op, const Target& target, const json* value) {
    if (target.sub != nullptr) {
        return Error::Scim(ScimType::kInvalidPath,
                           "members: a member's sub-attributes cannot be patched; add or remove "
                           "the member instead");
    }
    if (target.value_filter != nullptr) {
        auto ids = MatchingMemberIds(*target.value_filter);
        if (!ids.ok()) {
            return ids.error();
        }
        if (op != PatchOp::kAdd) {
            members_.RemoveIds(*ids);
        }
        return op == PatchOp::kRemove ? Status(Ok{}) : members_.Add(*value);
    }
    switch (op) {
        case PatchOp::kAdd:
            return members_.Add(*value);
        case PatchOp::kReplace:
            return members_.ReplaceAll(*value);
        case PatchOp::kRemove:
            if (value != nullptr && !value->is_null()) {
                return members_.RemoveListed(*value);
            }
            members_.RemoveAll();
            return Ok{};
    }
    return Ok{};
}

// RFC 7644 §3.5.2.2/§3.5.2.3: a filter on members selects members by any of their
// sub-attributes (value, type, display, $ref). Filters that only name ids need no read; any
// other is evaluated against the stored members as this request has edited them so far.
Result<std::vector<std::string>> Applier::MatchingMemberIds(const filter::Node& filter) {
    if (auto ids = MemberIdsFromFilter(filter); ids.has_value()) {
        return std::move(*ids);
    }
    if (!stored_members_.has_value()) {
        if (!load_members_) {
            return Error::Scim(ScimType::kInvalidPath,
                               "members: only filters on \"value\" are supported here");
        }
        auto loaded = load_members_();
        if (!loaded.ok()) {
            return loaded.error();
        }
        stored_members_ = std::move(*loaded);
    }
    std::vector<std::string> ids;
    for (const json& member : members_.Current(*stored_members_)) {
        auto id = member.find("value");
        if (id != member.end() && id->is_string() && filter::MatchesElement(filter, member)) {
            ids.push_back(id->get<std::string>());
        }
    }
    return ids;
}

Status Applier::Set(PatchOp op, const Target& target, const json& value) {
    // null means "no value" (RFC 7643 §2.5): setting it unassigns the target.
    if (value.is_null()) {
        if (target.value_filter != nullptr &&
            MatchingElements(FindMember(*Container(target, true), target.attribute->name),
                             *target.value_filter)
                .empty()) {
            return Ok{};
        }
        return Remove(target, nullptr);
    }
    if (target.value_filter != nullptr) {
        return SetFiltered(op, target, value);
    }
    if (target.sub != nullptr) {
        SetSubAttribute(target, value);
    } else {
        SetAttribute(op, target, value);
    }
    return Ok{};
}

// RFC 7644 §3.5.2.1 (add) and §3.5.2.3 (replace) on a whole attribute: add appends new values
// to a multi-valued attribute, replace swaps the list; on a complex attribute both set the given
// sub-attributes and keep the others.
void Applier::SetAttribute(PatchOp op, const Target& target, const json& value) {
    const schemas::Attribute& attr = *target.attribute;
    json canonical = CanonicalValue(attr, value);
    json& container = *Container(target, true);
    json* current = FindMember(container, attr.name);
    if (attr.multi_valued && op == PatchOp::kAdd && current != nullptr && current->is_array()) {
        for (auto& item : canonical) {
            if (std::find(current->begin(), current->end(), item) == current->end()) {
                current->push_back(std::move(item));
            }
        }
        return;
    }
    if (canonical.is_object() && current != nullptr && current->is_object()) {
        current->update(canonical);
        return;
    }
    if (IsUnassigned(canonical)) {
        if (op == PatchOp::kReplace) {
            EraseMember(container, attr.name);
        }
        return;
    }
    SetMember(container, attr.name, std::move(canonical));
}

// `name.givenName`, or `emails.value` without a filter: the latter sets the sub-attribute on
// every element, or creates one element when there is none.
void Applier::SetSubAttribute(const Target& target, const json& value) {
    const schemas::Attribute& attr = *target.attribute;
    json canonical = CanonicalValue(*target.sub, value);
    json& container = *Container(target, true);
    json* current = FindMember(container, attr.name);
    if (attr.multi_valued) {
        if (current == nullptr || !current->is_array() || current->empty()) {
            SetMember(container, attr.name, json::array({json{{target.sub->name, canonical}}}));
            return;
        }
        for (auto& element : *current) {
            SetMember(AsComplexElement(element), target.sub->name, canonical);
        }
        return;
    }
    if (current == nullptr || !current->is_object()) {
        SetMember(container, attr.name, json::object());
        current = FindMember(container, attr.name);
    }
    SetMember(*current, target.sub->name, std::move(canonical));
}

// A value filter picks elements (RFC 7644 §3.5.2.3: replace swaps each matching element, or
// sets the sub-attribute after the brackets).
// NOTE(#5): when nothing matches, RFC 7644 §3.5.2.3 asks for noTarget, but Entra ID sends
// `emails[type eq "work"].value` for users without a work email and expects it created, so the
// element is built from the filter's `eq` terms instead.
Status Applier::SetFiltered(PatchOp op, const Target& target, const json& value) {
    const schemas::Attribute& attr = *target.attribute;
    json canonical =
        target.sub != nullptr ? CanonicalValue(*target.sub, value) : CanonicalElement(attr, value);
    if (target.sub == nullptr && !canonical.is_object()) {
        return Error::Scim(ScimType::kInvalidValue,
                           "the value for " + attr.name + " must be an object");
    }
    json& container = *Container(target, true);
    json* current = FindMember(container, attr.name);
    const auto matches = MatchingElements(current, *target.value_filter);
    if (matches.empty()) {
        return CreateFromFilter(target, container, std::move(canonical));
    }
    for (std::size_t index : matches) {
        json& element = AsComplexElement((*current)[index]);
        if (target.sub != nullptr) {
            SetMember(element, target.sub->name, canonical);
        } else if (op == PatchOp::kAdd && element.is_object()) {
            element.update(canonical);
        } else {
            element = canonical;
        }
    }
    return Ok{};
}

Status Applier::CreateFromFilter(const Target& target, json& container, json canonical) {
    const schemas::Attribute& attr = *target.attribute;
    auto element = ElementFromFilter(*target.value_filter);
    if (!element.has_value()) {
        return Error::Scim(ScimType::kNoTarget,
                           "no element of " + attr.name +
                               " matches the filter, and only eq terms joined with and can "
                               "describe a new one");
    }
    if (target.sub != nullptr) {
        SetMember(*element, target.sub->name, std::move(canonical));
    } else {
        element->update(canonical);
    }
    json* current = FindMember(container, attr.name);
    if (current == nullptr || !current->is_array()) {
        SetMember(container, attr.name, json::array());
        current = FindMember(container, attr.name);
    }
    current->push_back(std::move(*element));
    return Ok{};
}

// RFC 7644 §3.5.2.2. Removing an absent attribute or sub-attribute changes nothing and is not an
// error; only a value filter that selects nothing is (noTarget).
Status Applier::Remove(const Target& target, const json* value) {
    if (target.value_filter != nullptr) {
        return RemoveFiltered(target);
    }
    const schemas::Attribute& attr = *target.attribute;
    json* container = Container(target, false);
    json* current = container != nullptr ? FindMember(*container, attr.name) : nullptr;
    if (current == nullptr) {
        return Ok{};
    }
    if (target.sub != nullptr) {
        if (current->is_array()) {
            for (auto& element : *current) {
                EraseMember(element, target.sub->name);
            }
        } else {
            EraseMember(*current, target.sub->name);
        }
        if (IsUnassigned(*current)) {
            EraseMember(*container, attr.name);
        }
        return Ok{};
    }
    if (attr.multi_valued && value != nullptr && !value->is_null()) {
        RemoveListed(target, *value);
        return Ok{};
    }
    EraseMember(*container, attr.name);
    return Ok{};
}

Status Applier::RemoveFiltered(const Target& target) {
    const schemas::Attribute& attr = *target.attribute;
    json* container = Container(target, false);
    json* current = container != nullptr ? FindMember(*container, attr.name) : nullptr;
    const auto matches = MatchingElements(current, *target.value_filter);
    if (matches.empty()) {
        return Error::Scim(ScimType::kNoTarget,
                           "no element of " + attr.name + " matches the filter");
    }
    for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (target.sub != nullptr) {
            EraseMember((*current)[*it], target.sub->name);
        } else {
            current->erase(*it);
        }
    }
    if (IsUnassigned(*current)) {
        EraseMember(*container, attr.name);
    }
    return Ok{};
}

// NOTE(#5): RFC 7644 §3.5.2.2 removes through a filter; Entra ID lists the values to remove in
// `value` instead. Every element holding all the listed sub-attributes of some item goes, and
// items that match nothing are a no-op.
void Applier::RemoveListed(const Target& target, const json& value) {
    const schemas::Attribute& attr = *target.attribute;
    json* container = Container(target, false);
    json* current = container != nullptr ? FindMember(*container, attr.name) : nullptr;
    if (current == nullptr || !current->is_array()) {
        return;
    }
    const json items = CanonicalValue(attr, value);
    json kept = json::array();
    for (auto& element : *current) {
        const bool listed = std::any_of(items.begin(), items.end(), [&](const json& item) {
            return ContainsItem(element, item);
        });
        if (!listed) {
            kept.push_back(std::move(element));
        }
    }
    *current = std::move(kept);
    if (current->empty()) {
        EraseMember(*container, attr.name);
    }
}

json* Applier::Container(const Target& target, bool create) {
    if (target.extension_urn.empty()) {
        return &doc_;
    }
    json* extension = FindMember(doc_, target.extension_urn);
    if (extension != nullptr && extension->is_object()) {
        return extension;
    }
    if (!create) {
        return nullptr;
    }
    SetMember(doc_, target.extension_urn, json::object());
    return FindMember(doc_, target.extension_urn);
}

bool Applier::IsMembers(const Target& target) const {
    return members_attribute_ != nullptr && target.extension_urn.empty() &&
           target.attribute == members_attribute_;
}

// Keeps "schemas" in step with the extension keys (RFC 7643 §3: it lists the extensions the
// resource uses) and drops extension objects the patch emptied.
void Applier::TidyExtensions() {
    json* schemas_list = FindMember(doc_, "schemas");
    for (const auto& extension : type_.extensions) {
        json* data = FindMember(doc_, extension.schema);
        const bool has_data = data != nullptr && !IsUnassigned(*data);
        if (data != nullptr && !has_data) {
            EraseMember(doc_, extension.schema);
            schemas_list = FindMember(doc_, "schemas");
        }
        if (schemas_list == nullptr || !schemas_list->is_array()) {
            continue;
        }
        auto listed =
            std::find_if(schemas_list->begin(), schemas_list->end(), [&](const json& urn) {
                return urn.is_string() &&
                       NameEquals(urn.get_ref<const std::string&>(), extension.schema);
            });
        if (has_data && listed == schemas_list->end()) {
            schemas_list->push_back(extension.schema);
        } else if (!has_data && listed != schemas_list->end()) {
            schemas_list->erase(listed);
        }
    }
}

PatchResult Applier::Finish() && {
    if (doc_ != original_) {
        TidyExtensions();
    }
    PatchResult result;
    result.members = members_.changes();
    result.changed = doc_ != original_ || !result.members.empty();
    result.doc = std::move(doc_);
    return result;
}

}  // namespace scim::patch

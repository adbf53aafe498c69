#include "scim/filter/evaluate.h"

#include <string>
#include <vector>

#include "schemas/schema.h"
#include "scim/casefold.h"

namespace scim::filter {
namespace {

using nlohmann::json;
using schemas::Attribute;
using schemas::AttrType;

// Member `name` of an object: the canonical spelling first, then any case (RFC 7643 §2.1),
// for documents that did not pass through validation. nullptr when absent.
const json* Member(const json& object, std::string_view name) {
    if (!object.is_object()) {
        return nullptr;
    }
    if (auto it = object.find(name); it != object.end()) {
        return &*it;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (EqualsIgnoreCase(it.key(), name)) {
            return &*it;
        }
    }
    return nullptr;
}

// The top-level value a bound path starts from: under the extension URN key for extension
// attributes.
const json* TopLevel(const AttrPath& path, const json& resource) {
    const json* container = &resource;
    if (path.is_extension && path.schema != nullptr) {
        container = Member(resource, path.schema->id);
        if (container == nullptr) {
            return nullptr;
        }
    }
    return Member(*container, path.attribute->name);
}

// Appends `value`, or its elements when it is an array (multi-valued attributes match when any
// element does).
void AppendFlattened(const json* value, std::vector<const json*>& out) {
    if (value == nullptr) {
        return;
    }
    if (value->is_array()) {
        for (const json& element : *value) {
            out.push_back(&element);
        }
    } else {
        out.push_back(value);
    }
}

// The sub-attribute `sub` of one element; a simple element stands for its own `value`.
const json* SubOf(const json& element, const Attribute& sub) {
    if (element.is_object()) {
        return Member(element, sub.name);
    }
    return sub.name == "value" ? &element : nullptr;
}

bool IsPresent(const json& value) {
    if (value.is_null()) {
        return false;
    }
    if (value.is_string()) {
        return !value.get_ref<const std::string&>().empty();
    }
    if (value.is_array()) {
        for (const json& element : value) {
            if (IsPresent(element)) {
                return true;
            }
        }
        return false;
    }
    if (value.is_object()) {
        for (const json& member : value) {
            if (IsPresent(member)) {
                return true;
            }
        }
        return false;
    }
    return true;
}

bool ApplyOrdering(CompareOp op, int cmp) {
    switch (op) {
        case CompareOp::kEq:
            return cmp == 0;
        case CompareOp::kNe:
            return cmp != 0;
        case CompareOp::kGt:
            return cmp > 0;
        case CompareOp::kGe:
            return cmp >= 0;
        case CompareOp::kLt:
            return cmp < 0;
        case CompareOp::kLe:
            return cmp <= 0;
        default:
            return false;
    }
}

bool MatchString(CompareOp op, const std::string& stored, const std::string& literal, bool fold) {
    const std::string a = fold ? FoldCase(stored) : stored;
    const std::string b = fold ? FoldCase(literal) : literal;
    switch (op) {
        case CompareOp::kCo:
            return a.find(b) != std::string::npos;
        case CompareOp::kSw:
            return a.starts_with(b);
        case CompareOp::kEw:
            return a.ends_with(b);
        default:
            return ApplyOrdering(op, a.compare(b));
    }
}

bool MatchNumber(CompareOp op, const json& stored, const json& literal) {
    if (!stored.is_number()) {
        return false;
    }
    int cmp = 0;
    if (stored.is_number_integer() && literal.is_number_integer()) {
        const auto a = stored.get<std::int64_t>();
        const auto b = literal.get<std::int64_t>();
        cmp = a < b ? -1 : (a > b ? 1 : 0);
    } else {
        const auto a = stored.get<double>();
        const auto b = literal.get<double>();
        cmp = a < b ? -1 : (a > b ? 1 : 0);
    }
    return ApplyOrdering(op, cmp);
}

// One stored value against the literal of an eq/co/sw/ew/gt/ge/lt/le comparison (ne is
// handled by the caller as the negation of eq).
bool MatchValue(CompareOp op, const json& literal, const Attribute& leaf, const json& stored) {
    switch (leaf.type) {
        case AttrType::kBoolean:
            return stored.is_boolean() && stored == literal && op == CompareOp::kEq;
        case AttrType::kInteger:
        case AttrType::kDecimal:
            return literal.is_number() && MatchNumber(op, stored, literal);
        case AttrType::kDateTime: {
            // Both sides in the fixed-width UTC form order chronologically as text.
            if (!stored.is_string() || !literal.is_string()) {
                return false;
            }
            const auto normalized = NormalizeDateTime(stored.get_ref<const std::string&>());
            return normalized &&
                   ApplyOrdering(op, normalized->compare(literal.get_ref<const std::string&>()));
        }
        case AttrType::kString:
        case AttrType::kReference:
        case AttrType::kBinary:
            return stored.is_string() && literal.is_string() &&
                   MatchString(op, stored.get_ref<const std::string&>(),
                               literal.get_ref<const std::string&>(), !leaf.case_exact);
        case AttrType::kComplex:
            return false;
    }
    return false;
}

// RFC 7644 §3.4.2.2 over the candidate values a path reached.
bool MatchCandidates(const Node& node, const std::vector<const json*>& candidates) {
    bool present = false;
    for (const json* value : candidates) {
        present = present || IsPresent(*value);
    }
    if (node.op == CompareOp::kPr) {
        return present;
    }
    if (node.value.is_null()) {
        return node.op == CompareOp::kEq ? !present : present;
    }
    // `ne` is the negation of `eq`: true when no value equals the literal, absent included.
    const bool negate = node.op == CompareOp::kNe;
    const CompareOp op = negate ? CompareOp::kEq : node.op;
    const Attribute& leaf = *node.path.leaf();
    for (const json* value : candidates) {
        if (MatchValue(op, node.value, leaf, *value)) {
            return !negate;
        }
    }
    return negate;
}

std::vector<const json*> Candidates(const AttrPath& path, const json& resource) {
    std::vector<const json*> top;
    AppendFlattened(TopLevel(path, resource), top);
    if (path.sub_attribute == nullptr) {
        return top;
    }
    std::vector<const json*> out;
    for (const json* element : top) {
        AppendFlattened(SubOf(*element, *path.sub_attribute), out);
    }
    return out;
}

bool Evaluate(const Node& node, const json& resource) {
    switch (node.kind) {
        case NodeKind::kAnd:
            return Evaluate(*node.children[0], resource) && Evaluate(*node.children[1], resource);
        case NodeKind::kOr:
            return Evaluate(*node.children[0], resource) || Evaluate(*node.children[1], resource);
        case NodeKind::kNot:
            return !Evaluate(*node.children[0], resource);
        case NodeKind::kValuePath: {
            if (!node.path.bound()) {
                return false;
            }
            std::vector<const json*> elements;
            AppendFlattened(TopLevel(node.path, resource), elements);
            for (const json* element : elements) {
                if (MatchesElement(*node.children[0], *element)) {
                    return true;
                }
            }
            return false;
        }
        case NodeKind::kCompare:
            return node.path.bound() && MatchCandidates(node, Candidates(node.path, resource));
    }
    return false;
}

}  // namespace

bool Matches(const Node& root, const json& resource) {
    return Evaluate(root, resource);
}

bool MatchesElement(const Node& filter, const json& element) {
    switch (filter.kind) {
        case NodeKind::kAnd:
            return MatchesElement(*filter.children[0], element) &&
                   MatchesElement(*filter.children[1], element);
        case NodeKind::kOr:
            return MatchesElement(*filter.children[0], element) ||
                   MatchesElement(*filter.children[1], element);
        case NodeKind::kNot:
            return !MatchesElement(*filter.children[0], element);
        case NodeKind::kValuePath:
            return false;
        case NodeKind::kCompare:
            break;
    }
    const Attribute* leaf = filter.path.leaf();
    if (leaf == nullptr) {
        return false;
    }
    std::vector<const json*> candidates;
    AppendFlattened(SubOf(element, *leaf), candidates);
    return MatchCandidates(filter, candidates);
}

}  // namespace scim::filter

#include "scim/filter/bind.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include "scim/casefold.h"
#include "scim/filter/parser.h"

namespace scim::filter {
namespace {

using schemas::Attribute;
using schemas::AttrType;

bool IsSubstring(CompareOp op) {
    return op == CompareOp::kCo || op == CompareOp::kSw || op == CompareOp::kEw;
}

// Binds one tree with a fixed error type: invalidFilter for filters, invalidPath for PATCH.
class Binder {
public:
    Binder(const schemas::Registry& registry, const schemas::ResourceType& type, ScimType error)
        : registry_(registry), type_(type), error_(error) {}

    Status BindNode(Node& node, const AttrPath* outer) {
        switch (node.kind) {
            case NodeKind::kAnd:
            case NodeKind::kOr:
            case NodeKind::kNot:
                for (NodePtr& child : node.children) {
                    if (Status s = BindNode(*child, outer); !s.ok()) {
                        return s;
                    }
                }
                return Ok{};
            case NodeKind::kValuePath:
                return BindValuePath(node);
            case NodeKind::kCompare:
                break;
        }
        Status bound = outer ? BindInner(node.path, *outer) : BindTopLevel(node.path);
        if (!bound.ok()) {
            return bound;
        }
        return CheckComparison(node);
    }

    Status BindValuePath(Node& node) {
        if (Status s = BindTopLevel(node.path); !s.ok()) {
            return s;
        }
        if (node.path.attribute->type != AttrType::kComplex) {
            return Fail(node.path, "is not complex and cannot take a value filter in brackets");
        }
        return BindNode(*node.children[0], &node.path);
    }

    // Binds in place like BindNode, except that a path outside brackets which the type does not
    // define makes its comparison a constant (UnknownAttributes::kAbsent), and constants are
    // folded into their parents. Returns the constant when the whole subtree reduced to one.
    Result<std::optional<bool>> FoldNode(NodePtr& node) {
        switch (node->kind) {
            case NodeKind::kAnd:
            case NodeKind::kOr:
                return FoldBinary(node);
            case NodeKind::kNot: {
                auto inner = FoldNode(node->children[0]);
                if (!inner.ok() || !*inner) {
                    return inner;
                }
                return std::optional<bool>(!**inner);
            }
            case NodeKind::kValuePath:
            case NodeKind::kCompare:
                break;
        }
        if (!registry_.Resolve(type_, TopLevelText(node->path))) {
            // No value: only "eq null" (has no value) holds; `[...]` has no element to match.
            const bool absent_matches = node->kind == NodeKind::kCompare &&
                                        node->op == CompareOp::kEq && node->value.is_null();
            return std::optional<bool>(absent_matches);
        }
        if (Status s = BindNode(*node, nullptr); !s.ok()) {
            return s.error();
        }
        return std::optional<bool>();
    }

    // `and` with false is false and with true is the other side; `or` the other way round.
    Result<std::optional<bool>> FoldBinary(NodePtr& node) {
        const bool is_and = node->kind == NodeKind::kAnd;
        std::optional<bool> sides[2];
        for (int i = 0; i < 2; ++i) {
            auto folded = FoldNode(node->children[i]);
            if (!folded.ok()) {
                return folded;
            }
            sides[i] = *folded;
        }
        for (const auto& side : sides) {
            if (side && *side != is_and) {
                return side;
            }
        }
        if (sides[0] && sides[1]) {
            return std::optional<bool>(is_and);
        }
        if (sides[0] || sides[1]) {
            NodePtr rest = std::move(node->children[sides[0] ? 1 : 0]);
            node = std::move(rest);
        }
        return std::optional<bool>();
    }

    static std::string TopLevelText(const AttrPath& path) {
        std::string text = path.urn.empty() ? path.name : path.urn + ":" + path.name;
        if (!path.sub.empty()) {
            text += "." + path.sub;
        }
        return text;
    }

    // A path outside brackets: [URN:]name[.sub], resolved by the Registry.
    Status BindTopLevel(AttrPath& path) {
        const auto resolved = registry_.Resolve(type_, TopLevelText(path));
        if (!resolved) {
            return Fail(path, "is not an attribute of " + type_.name);
        }
        path.schema = resolved->schema;
        path.attribute = resolved->attribute;
        path.sub_attribute = resolved->sub;
        path.is_extension = resolved->is_extension;
        return Ok{};
    }

    // A path inside brackets names a sub-attribute of the outer attribute.
    Status BindInner(AttrPath& path, const AttrPath& outer) {
        const Attribute* sub = nullptr;
        if (path.urn.empty() && path.sub.empty()) {
            sub = outer.attribute->FindSub(path.name);
        }
        if (sub == nullptr) {
            return Fail(path, "is not a sub-attribute of " + outer.attribute->name);
        }
        path.schema = outer.schema;
        path.attribute = outer.attribute;
        path.sub_attribute = sub;
        path.is_extension = outer.is_extension;
        return Ok{};
    }

    Status CheckComparison(Node& node) {
        AttrPath& path = node.path;
        const bool has_value = node.op != CompareOp::kPr && !node.value.is_null();
        if (path.leaf()->type == AttrType::kComplex && has_value) {
            // RFC 7644 §3.4.2.2 compares a complex attribute through its `value`.
            path.sub_attribute = path.attribute->FindSub("value");
            if (path.sub_attribute == nullptr) {
                return Fail(path, "is complex: compare one of its sub-attributes");
            }
        }
        if (node.op == CompareOp::kPr) {
            return Ok{};
        }
        if (node.value.is_null()) {
            if (node.op != CompareOp::kEq && node.op != CompareOp::kNe) {
                return Fail(path, "can be compared with null only by eq or ne");
            }
            return Ok{};
        }
        return CheckLiteral(node);
    }

    Status CheckLiteral(Node& node) {
        const Attribute& leaf = *node.path.leaf();
        switch (leaf.type) {
            case AttrType::kBoolean:
                return CheckBoolean(node);
            case AttrType::kInteger:
            case AttrType::kDecimal:
                if (!node.value.is_number()) {
                    return Fail(node.path, "takes a number");
                }
                return IsSubstring(node.op) ? FailOperator(node) : Ok{};
            case AttrType::kDateTime:
                return CheckDateTime(node);
            case AttrType::kString:
            case AttrType::kReference:
            case AttrType::kBinary:
                if (!node.value.is_string()) {
                    return Fail(node.path, "takes a string in double quotes");
                }
                if (leaf.type == AttrType::kBinary && node.op != CompareOp::kEq &&
                    node.op != CompareOp::kNe) {
                    return FailOperator(node);
                }
                return Ok{};
            case AttrType::kComplex:
                break;
        }
        return FailOperator(node);
    }

    // Entra ID writes booleans as "True"/"False" strings; accept them here too.
    Status CheckBoolean(Node& node) {
        if (node.value.is_string()) {
            const std::string text = node.value.get<std::string>();
            if (EqualsIgnoreCase(text, "true")) {
                node.value = true;
            } else if (EqualsIgnoreCase(text, "false")) {
                node.value = false;
            }
        }
        if (!node.value.is_boolean()) {
            return Fail(node.path, "takes true or false");
        }
        if (node.op != CompareOp::kEq && node.op != CompareOp::kNe) {
            return FailOperator(node);
        }
        return Ok{};
    }

    Status CheckDateTime(Node& node) {
        if (IsSubstring(node.op)) {
            return FailOperator(node);
        }
        const auto normalized = node.value.is_string()
                                    ? NormalizeDateTime(node.value.get<std::string>())
                                    : std::nullopt;
        if (!normalized) {
            return Fail(node.path, "takes a date-time such as \"2024-05-13T04:42:34Z\"");
        }
        node.value = *normalized;
        return Ok{};
    }

    Status FailOperator(const Node& node) {
        return Fail(node.path, "cannot be compared with " + std::string(CompareOpName(node.op)));
    }

    Status Fail(const AttrPath& path, const std::string& why) const {
        const std::string what = error_ == ScimType::kInvalidPath ? "path" : "filter";
        return Error::Scim(error_, "invalid " + what + " at position " +
                                       std::to_string(path.position) + ": attribute '" +
                                       ToString(AttrPath{path.urn, path.name, path.sub}) + "' " +
                                       why);
    }

private:
    const schemas::Registry& registry_;
    const schemas::ResourceType& type_;
    ScimType error_;
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil calendar algorithm).
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

void CivilFromDays(long long z, long long& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<long long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

// Reads `count` digits at `pos`; false when any is not a digit.
bool ReadDigits(std::string_view text, std::size_t pos, int count, int& out) {
    if (pos + static_cast<std::size_t>(count) > text.size()) {
        return false;
    }
    out = 0;
    for (int i = 0; i < count; ++i) {
        const char c = text[pos + static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + (c - '0');
    }
    return true;
}

unsigned DaysInMonth(int year, int month) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

struct Parts {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    int offset_minutes = 0;
};

// The zone part of RFC 3339: "Z" or "+HH:MM"/"-HH:MM"; `pos` is after the seconds/fraction.
bool ParseZone(std::string_view text, std::size_t pos, Parts& p) {
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        return pos + 1 == text.size();
    }
    int hours = 0, minutes = 0;
    if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 1, 2, hours) || !ReadDigits(text, pos + 4, 2, minutes) ||
        hours > 23 || minutes > 59) {
        return false;
    }
    p.offset_minutes = (text[pos] == '-' ? -1 : 1) * (hours * 60 + minutes);
    return true;
}

bool ParseRfc3339(std::string_view text, Parts& p) {
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[13] != ':' ||
        text[16] != ':' || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
        return false;
    }
    if (!ReadDigits(text, 0, 4, p.year) || !ReadDigits(text, 5, 2, p.month) ||
        !ReadDigits(text, 8, 2, p.day) || !ReadDigits(text, 11, 2, p.hour) ||
        !ReadDigits(text, 14, 2, p.minute) || !ReadDigits(text, 17, 2, p.second)) {
        return false;
    }
    if (p.month < 1 || p.month > 12 || p.day < 1 ||
        static_cast<unsigned>(p.day) > DaysInMonth(p.year, p.month) || p.hour > 23 ||
        p.minute > 59 || p.second > 60) {
        return false;
    }
    std::size_t pos = 19;
    if (text[pos] == '.') {
        const std::size_t start = ++pos;
        int scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            p.millis += (text[pos] - '0') * scale;  // digits past milliseconds are dropped
            scale /= 10;
            ++pos;
        }
        if (pos == start) {
            return false;
        }
    }
    return ParseZone(text, pos, p);
}

}  // namespace

std::optional<std::string> NormalizeDateTime(std::string_view text) {
    Parts p;
    if (!ParseRfc3339(text, p)) {
        return std::nullopt;
    }
    // A leap second is kept inside its minute so that it still orders before the next one.
    const int second = p.second == 60 ? 59 : p.second;
    const int millis = p.second == 60 ? 999 : p.millis;
    long long minutes =
        DaysFromCivil(p.year, static_cast<unsigned>(p.month), static_cast<unsigned>(p.day)) * 1440 +
        p.hour * 60 + p.minute - p.offset_minutes;
    const long long days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
    minutes -= days * 1440;
    long long year = 0;
    unsigned month = 0, day = 0;
    CivilFromDays(days, year, month, day);
    if (year < 0 || year > 9999) {
        return std::nullopt;
    }
    char out[64];
    std::snprintf(out, sizeof(out), "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month, day,
                  static_cast<int>(minutes / 60), static_cast<int>(minutes % 60), second, millis);
    return std::string(out);
}

Status Bind(Node& root, const schemas::Registry& registry, const schemas::ResourceType& type) {
    return Binder(registry, type, ScimType::kInvalidFilter).BindNode(root, nullptr);
}

namespace {

// The first path outside brackets, in filter order, that fails `known`.
const AttrPath* FindUnknown(const Node& node, const std::function<bool(const AttrPath&)>& known) {
    if (node.kind == NodeKind::kCompare || node.kind == NodeKind::kValuePath) {
        return known(node.path) ? nullptr : &node.path;
    }
    for (const NodePtr& child : node.children) {
        if (const AttrPath* unknown = FindUnknown(*child, known)) {
            return unknown;
        }
    }
    return nullptr;
}

}  // namespace

Status CheckKnownToSomeType(const Node& root, const schemas::Registry& registry) {
    const AttrPath* unknown = FindUnknown(root, [&](const AttrPath& path) {
        std::string text = path.urn.empty() ? path.name : path.urn + ":" + path.name;
        if (!path.sub.empty()) {
            text += "." + path.sub;
        }
        const auto& types = registry.resource_types();
        return std::any_of(types.begin(), types.end(), [&](const schemas::ResourceType& type) {
            return registry.Resolve(type, text).has_value();
        });
    });
    if (unknown == nullptr) {
        return Ok{};
    }
    return Error::Scim(ScimType::kInvalidFilter,
                       "invalid filter at position " + std::to_string(unknown->position) +
                           ": attribute '" +
                           ToString(AttrPath{unknown->urn, unknown->name, unknown->sub}) +
                           "' is not an attribute of any resource type");
}

Status BindPatchPath(PatchPath& path,
                     const schemas::Registry& registry,
                     const schemas::ResourceType& type) {
    Binder binder(registry, type, ScimType::kInvalidPath);
    if (!path.value_filter) {
        return binder.BindTopLevel(path.path);
    }
    const std::string trailing = std::move(path.path.sub);
    path.path.sub.clear();
    if (Status s = binder.BindTopLevel(path.path); !s.ok()) {
        return s;
    }
    path.path.sub = trailing;
    if (path.path.attribute->type != AttrType::kComplex) {
        return binder.Fail(path.path, "is not complex and cannot take a value filter in brackets");
    }
    if (!trailing.empty()) {
        path.path.sub_attribute = path.path.attribute->FindSub(trailing);
        if (path.path.sub_attribute == nullptr) {
            return binder.Fail(path.path, "has no sub-attribute '" + trailing + "'");
        }
    }
    return binder.BindNode(*path.value_filter, &path.path);
}

Result<BoundFilter> BoundFilter::Create(std::string_view text,
                                        const schemas::Registry& registry,
                                        const schemas::ResourceType& type,
                                        UnknownAttributes unknown) {
    auto parsed = Parse(text);
    if (!parsed.ok()) {
        return std::move(parsed).error();
    }
    if (unknown == UnknownAttributes::kReject) {
        if (Status bound = Bind(**parsed, registry, type); !bound.ok()) {
            return std::move(bound).error();
        }
        return BoundFilter(std::move(*parsed), &type, std::nullopt);
    }
    NodePtr root = std::move(*parsed);
    auto folded = Binder(registry, type, ScimType::kInvalidFilter).FoldNode(root);
    if (!folded.ok()) {
        return std::move(folded).error();
    }
    if (*folded) {
        root.reset();
    }
    return BoundFilter(std::move(root), &type, *folded);
}

}  // namespace scim::filter

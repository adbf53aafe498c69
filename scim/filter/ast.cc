#include "scim/filter/ast.h"

#include "schemas/schema.h"

namespace scim::filter {
namespace {

std::string Literal(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
    switch (op) {
        case CompareOp::kEq:
            return "eq";
        case CompareOp::kNe:
            return "ne";
        case CompareOp::kCo:
            return "co";
        case CompareOp::kSw:
            return "sw";
        case CompareOp::kEw:
            return "ew";
        case CompareOp::kGt:
            return "gt";
        case CompareOp::kGe:
            return "ge";
        case CompareOp::kLt:
            return "lt";
        case CompareOp::kLe:
            return "le";
        case CompareOp::kPr:
            return "pr";
    }
    return "eq";
}

std::string ToString(const AttrPath& path) {
    if (!path.bound()) {
        std::string out = path.urn.empty() ? path.name : path.urn + ":" + path.name;
        return path.sub.empty() ? out : out + "." + path.sub;
    }
    if (path.in_value_path) {
        return path.leaf()->name;
    }
    std::string out = path.attribute->name;
    if (path.is_extension && path.schema != nullptr) {
        out = path.schema->id + ":" + out;
    }
    if (path.sub_attribute != nullptr) {
        out += "." + path.sub_attribute->name;
    }
    return out;
}

std::string ToString(const Node& node) {
    switch (node.kind) {
        case NodeKind::kCompare: {
            std::string out = ToString(node.path) + " " + std::string(CompareOpName(node.op));
            return node.op == CompareOp::kPr ? out : out + " " + Literal(node.value);
        }
        case NodeKind::kAnd:
            return "(" + ToString(*node.children[0]) + " and " + ToString(*node.children[1]) + ")";
        case NodeKind::kOr:
            return "(" + ToString(*node.children[0]) + " or " + ToString(*node.children[1]) + ")";
        case NodeKind::kNot:
            return "not(" + ToString(*node.children[0]) + ")";
        case NodeKind::kValuePath:
            return ToString(node.path) + "[" + ToString(*node.children[0]) + "]";
    }
    return "";
}

std::string ToString(const PatchPath& path) {
    if (!path.value_filter) {
        return ToString(path.path);
    }
    AttrPath outer = path.path;
    outer.sub.clear();
    outer.sub_attribute = nullptr;
    std::string out = ToString(outer) + "[" + ToString(*path.value_filter) + "]";
    if (path.path.sub_attribute != nullptr) {
        return out + "." + path.path.sub_attribute->name;
    }
    return path.path.sub.empty() ? out : out + "." + path.path.sub;
}

}  // namespace scim::filter

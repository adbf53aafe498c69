#include "db/sql_filter.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "scim/casefold.h"

namespace db {
namespace {

using schemas::Attribute;
using schemas::AttrType;
using scim::Error;
using scim::Result;
using scim::ScimType;
using scim::filter::AttrPath;
using scim::filter::CompareOp;
using scim::filter::Node;
using scim::filter::NodeKind;

// Names are spliced into JSON paths (so expression indexes can match them); they come from the
// schema, and are refused when they hold anything but name and URN characters.
bool IsSafeName(std::string_view name) {
    if (name.empty()) {
        return false;
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$' || c == ':' ||
                        c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// Where a JSON value lives: an expression for the document (or array element) and a path in
// it. SQLite paths are SQL expressions of JSON path text; PostgreSQL paths are text[] literals.
struct JsonLoc {
    std::string base;
    std::string path;
};

// What a comparison reads: a JSON location, or a plain column expression.
struct Source {
    std::optional<JsonLoc> json;
    std::string column;          // when !json
    bool folded_column = false;  // column holds scim::FoldCase of the value
};

// The elements of a multi-valued attribute, iterated by an EXISTS subquery.
struct Scope {
    std::string from;   // "FROM ... WHERE <correlation>" without the leading SELECT
    std::string alias;  // the element alias
    bool membership = false;
    const Attribute* attribute = nullptr;
};

// How a sort expression compares, so that a keyset value can be brought to the same form.
enum class SortForm {
    kText,           // the text as stored
    kFolded,         // a key column holding scim::FoldCase of the value
    kLowered,        // lower() of the text
    kNumber,         // a number
    kBooleanColumn,  // users.active: INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL
    kJsonBoolean,    // a JSON boolean read as text
};

struct SortKey {
    std::string expression;
    SortForm form;
    // A NOT NULL column (id, the folded name keys, created, lastModified): no null placement
    // term is needed, which lets ORDER BY and keyset bounds follow the column's index.
    bool never_null = false;
};

// The sort expression as ORDER BY compares it: text in code-point order on PostgreSQL whatever
// the database's collation, so both backends order alike.
std::string OrderOperand(const schemas::ResolvedPath& sort_by,
                         const std::string& expression,
                         Dialect dialect) {
    const AttrType type = sort_by.leaf().type;
    const bool textual =
        type != AttrType::kInteger && type != AttrType::kDecimal && type != AttrType::kBoolean;
    return textual && dialect == Dialect::kPostgres ? "(" + expression + ") COLLATE \"C\""
                                                    : expression;
}

class Compiler {
public:
    Compiler(const schemas::ResourceType& type, const SqlOptions& options)
        : options_(options),
          users_(type.name == "User"),
          table_(users_ ? "users" : "groups"),
          type_name_(type.name) {}

    std::vector<SqlValue> TakeBinds() { return std::move(binds_); }

    Result<std::string> Compile(const Node& node) {
        switch (node.kind) {
            case NodeKind::kAnd:
            case NodeKind::kOr: {
                auto left = Compile(*node.children[0]);
                if (!left.ok()) {
                    return left;
                }
                auto right = Compile(*node.children[1]);
                if (!right.ok()) {
                    return right;
                }
                const char* op = node.kind == NodeKind::kAnd ? " AND " : " OR ";
                return "(" + *left + op + *right + ")";
            }
            case NodeKind::kNot: {
                auto inner = Compile(*node.children[0]);
                return inner.ok() ? Result<std::string>(NotTrue(*inner)) : inner;
            }
            case NodeKind::kValuePath:
                return CompileValuePath(node);
            case NodeKind::kCompare:
                return CompileCompare(node);
        }
        return Unsupported(node.path, "this expression");
    }

    Result<SortKey> OrderExpression(const schemas::ResolvedPath& path) {
        const Attribute& leaf = path.leaf();
        if (!path.is_extension && !path.attribute->multi_valued) {
            if (auto column = PromotedColumn(path.attribute->name,
                                             path.sub ? path.sub->name : std::string())) {
                SortKey key = ColumnSortKey(*column, leaf);
                key.never_null = column->folded_column || path.attribute->name == "id" ||
                                 path.attribute->name == "meta";
                return key;
            }
        }
        if (path.attribute->multi_valued) {
            return PrimaryValueForSort(path);
        }
        std::vector<std::string> keys;
        if (path.is_extension) {
            keys.push_back(path.schema->id);
        }
        keys.push_back(path.attribute->name);
        if (path.sub) {
            keys.push_back(path.sub->name);
        }
        auto loc = DocLoc(keys);
        if (!loc.ok()) {
            return std::move(loc).error();
        }
        return SortKey{SortValue(*loc, leaf), JsonSortForm(leaf)};
    }

    // `(sort, id) > (value, id)` in the order CompileOrderBy writes (`<` descending): rows
    // without a sort value come last ascending and first descending, ties go by id.
    Result<std::string> KeysetAfter(const schemas::ResolvedPath* sort_by,
                                    bool descending,
                                    const nlohmann::json& value,
                                    const std::string& id) {
        const std::string op = descending ? " < " : " > ";
        const std::string id_column = table_ + ".id";
        if (sort_by == nullptr || sort_by->attribute == nullptr) {
            return id_column + op + Bind(id);
        }
        auto key = OrderExpression(*sort_by);
        if (!key.ok()) {
            return std::move(key).error();
        }
        const std::string is_null = "(" + key->expression + ") IS NULL";
        const std::string not_null = "(" + key->expression + ") IS NOT NULL";
        const std::optional<std::string> greater = KeyOperand(*key, value);
        if (!greater) {
            const std::string id_after = Bind(id);
            const std::string later_null =
                "(" + is_null + " AND " + id_column + op + id_after + ")";
            return descending ? "(" + not_null + " OR " + later_null + ")" : later_null;
        }
        const std::string compared = OrderOperand(*sort_by, key->expression, options_.dialect);
        if (key->never_null && !Pg()) {
            // SQLite turns a row-value comparison into a range of the (org_id, key, id) index;
            // the equivalent OR below would make it walk the index from its start.
            return "(" + compared + ", " + id_column + ")" + op + "(" + *greater + ", " + Bind(id) +
                   ")";
        }
        const std::string equal = *KeyOperand(*key, value);
        const std::string id_after = Bind(id);
        if (key->never_null) {
            return "(" + compared + op + *greater + " OR (" + compared + " = " + equal + " AND " +
                   id_column + op + id_after + "))";
        }
        const std::string past = "(" + compared + op + *greater + " OR (" + compared + " = " +
                                 equal + " AND " + id_column + op + id_after + "))";
        return descending ? "(" + not_null + " AND " + past + ")"
                          : "(" + is_null + " OR " + past + ")";
    }

private:
    // ---- logic -------------------------------------------------------------------------------

    // NOT that treats an unknown (NULL) operand as false, as the in-memory evaluator does.
    std::string NotTrue(const std::string& condition) const {
        return "NOT COALESCE(" + condition + ", " + False() + ")";
    }
    std::string False() const { return Pg() ? "FALSE" : "0"; }
    std::string True() const { return Pg() ? "TRUE" : "1"; }
    bool Pg() const { return options_.dialect == Dialect::kPostgres; }

    std::string Bind(SqlValue value) {
        binds_.push_back(std::move(value));
        return ":p" + std::to_string(options_.first_bind + static_cast<int>(binds_.size()) - 1);
    }

    Error Unsupported(const AttrPath& path, const std::string& what) const {
        return Error::Scim(ScimType::kInvalidFilter,
                           "invalid filter at position " + std::to_string(path.position) +
                               ": filtering on " + what + " is not supported");
    }

    // RFC 7644 §3.4.2.3: a sortBy the store cannot order by is the value of a query parameter,
    // not a filter, so it is invalidValue.
    static Error Unsortable(const Attribute& attribute) {
        return Error::Scim(ScimType::kInvalidValue,
                           "sortBy cannot use " + attribute.name + " on this server");
    }

    // ---- comparisons -------------------------------------------------------------------------

    Result<std::string> CompileCompare(const Node& node) {
        const AttrPath& path = node.path;
        if (!path.bound()) {
            return Unsupported(path, "an unbound attribute");
        }
        if (IsMembership(path)) {
            return CompileOverScope(node, MembershipScope(*path.attribute));
        }
        if (path.attribute->multi_valued) {
            auto scope = JsonScope(path);
            if (!scope.ok()) {
                return std::move(scope).error();
            }
            return CompileOverScope(node, *scope);
        }
        auto source = TopLevelSource(path);
        if (!source.ok()) {
            return std::move(source).error();
        }
        return Condition(node, *source, *path.leaf(), path.sub_attribute == nullptr);
    }

    // A comparison on a multi-valued attribute: true when some element matches (RFC 7644
    // §3.4.2.2); `ne` and `eq null` are negations, as in the evaluator.
    Result<std::string> CompileOverScope(const Node& node, const Scope& scope) {
        const bool presence = node.op == CompareOp::kPr || node.value.is_null();
        // `eq null` is "no element present"; `ne v` is "no element equals v".
        const bool negate = presence ? node.op == CompareOp::kEq : node.op == CompareOp::kNe;
        std::string inner;
        if (presence) {
            auto present = ElementPresent(scope, node.path.sub_attribute);
            if (!present.ok()) {
                return present;
            }
            inner = *present;
        } else {
            // Bind names `value` for a complex attribute; a simple multi-valued attribute (an
            // extension's list of strings) has no sub-attribute and compares its elements.
            const Attribute& leaf = *node.path.leaf();
            auto source = ElementSource(scope, leaf, node.path);
            if (!source.ok()) {
                return std::move(source).error();
            }
            const CompareOp op = node.op == CompareOp::kNe ? CompareOp::kEq : node.op;
            auto condition = Positive(op, node.value, *source, leaf);
            if (!condition.ok()) {
                return condition;
            }
            inner = *condition;
        }
        const std::string exists = Exists(scope, inner);
        return negate ? NotTrue(exists) : exists;
    }

    Result<std::string> CompileValuePath(const Node& node) {
        const AttrPath& path = node.path;
        Scope scope;
        if (IsMembership(path)) {
            scope = MembershipScope(*path.attribute);
        } else if (path.attribute->multi_valued) {
            auto json_scope = JsonScope(path);
            if (!json_scope.ok()) {
                return std::move(json_scope).error();
            }
            scope = *json_scope;
        } else {
            // A single complex value: its one "element" is the object itself.
            auto loc = DocLoc(TopKeys(path));
            if (!loc.ok()) {
                return std::move(loc).error();
            }
            return CompileInElement(*node.children[0], std::nullopt, &*loc);
        }
        auto inner = CompileInElement(*node.children[0], scope, nullptr);
        return inner.ok() ? Result<std::string>(Exists(scope, *inner)) : inner;
    }

    // The inner filter of a value path, over one element (`scope`) or one object (`object`).
    Result<std::string> CompileInElement(const Node& node,
                                         const std::optional<Scope>& scope,
                                         const JsonLoc* object) {
        switch (node.kind) {
            case NodeKind::kAnd:
            case NodeKind::kOr: {
                auto left = CompileInElement(*node.children[0], scope, object);
                if (!left.ok()) {
                    return left;
                }
                auto right = CompileInElement(*node.children[1], scope, object);
                if (!right.ok()) {
                    return right;
                }
                return "(" + *left + (node.kind == NodeKind::kAnd ? " AND " : " OR ") + *right +
                       ")";
            }
            case NodeKind::kNot: {
                auto inner = CompileInElement(*node.children[0], scope, object);
                return inner.ok() ? Result<std::string>(NotTrue(*inner)) : inner;
            }
            case NodeKind::kValuePath:
                return Unsupported(node.path, "nested value paths");
            case NodeKind::kCompare:
                break;
        }
        const Attribute& sub = *node.path.sub_attribute;
        Source source;
        if (scope) {
            auto element = ElementSource(*scope, sub, node.path);
            if (!element.ok()) {
                return std::move(element).error();
            }
            source = *element;
        } else {
            auto loc = Append(*object, sub.name);
            if (!loc.ok()) {
                return std::move(loc).error();
            }
            source.json = *loc;
        }
        return Condition(node, source, sub, false);
    }

    // pr / eq null / ne null / ne / positive comparison on one value source.
    Result<std::string> Condition(const Node& node,
                                  const Source& source,
                                  const Attribute& leaf,
                                  bool whole_attribute) {
        if (node.op == CompareOp::kPr || node.value.is_null()) {
            auto present = whole_attribute && leaf.type == AttrType::kComplex && source.json
                               ? ComplexPresent(*source.json, leaf)
                               : Result<std::string>(Present(source));
            if (!present.ok() || node.op == CompareOp::kPr || node.op == CompareOp::kNe) {
                return present;
            }
            return NotTrue(*present);
        }
        if (node.op == CompareOp::kNe) {
            auto eq = Positive(CompareOp::kEq, node.value, source, leaf);
            return eq.ok() ? Result<std::string>(NotTrue(*eq)) : eq;
        }
        return Positive(node.op, node.value, source, leaf);
    }

    Result<std::string> Positive(CompareOp op,
                                 const nlohmann::json& literal,
                                 const Source& source,
                                 const Attribute& leaf) {
        switch (leaf.type) {
            case AttrType::kBoolean:
                return BooleanEq(literal.get<bool>(), source);
            case AttrType::kInteger:
            case AttrType::kDecimal:
                return NumberCompare(op, literal, source);
            case AttrType::kDateTime:
                return DateTimeCompare(op, literal.get<std::string>(), source);
            case AttrType::kString:
            case AttrType::kReference:
            case AttrType::kBinary:
                return StringCompare(op, literal.get<std::string>(), source, leaf.case_exact);
            case AttrType::kComplex:
                break;
        }
        return Error::Scim(ScimType::kInvalidFilter, "invalid filter: complex comparison");
    }

    std::string BooleanEq(bool value, const Source& source) {
        if (source.json) {
            // json_type names the two values 'true'/'false'; jsonb_typeof says 'boolean'.
            const std::string lhs = Pg() ? "(CASE WHEN " + TypeOf(*source.json) +
                                               " = 'boolean' THEN " + TextOf(*source.json) + " END)"
                                         : TypeOf(*source.json);
            return lhs + " = " + Bind(std::string(value ? "true" : "false"));
        }
        if (Pg()) {
            return source.column + " = (CAST(" + Bind(std::int64_t{value ? 1 : 0}) +
                   " AS INTEGER) <> 0)";
        }
        return source.column + " = " + Bind(std::int64_t{value ? 1 : 0});
    }

    std::string NumberCompare(CompareOp op, const nlohmann::json& literal, const Source& source) {
        const SqlValue value = literal.is_number_integer() ? SqlValue(literal.get<std::int64_t>())
                                                           : SqlValue(literal.get<double>());
        std::string lhs;
        if (Pg()) {
            // An integer compares exactly as NUMERIC. A decimal compares as a double on both
            // sides, as SQLite does: the filter's literal reaches us as a double, and 0.3 as a
            // double is not the NUMERIC 0.3 that jsonb keeps, so an exact comparison would never
            // match a value binary floating point cannot hold.
            const std::string as = literal.is_number_integer() ? "NUMERIC" : "DOUBLE PRECISION";
            lhs = "(CASE WHEN " + TypeOf(*source.json) + " = 'number' THEN CAST(" +
                  TextOf(*source.json) + " AS " + as + ") END)";
            return lhs + " " + SqlOp(op) + " CAST(" + Bind(value) + " AS " + as + ")";
        }
        lhs = "(CASE WHEN " + TypeOf(*source.json) + " IN ('integer', 'real') THEN " +
              RawOf(*source.json) + " END)";
        return lhs + " " + SqlOp(op) + " " + Bind(value);
    }

    std::string DateTimeCompare(CompareOp op, const std::string& normalized, const Source& source) {
        std::string lhs = source.column;
        if (source.json) {
            const std::string text = StringOf(*source.json);
            lhs = Pg() ? "to_char(CAST(" + text +
                             " AS TIMESTAMPTZ) AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                       : "strftime('%Y-%m-%dT%H:%M:%fZ', " + text + ")";
        }
        return Collated(lhs) + " " + SqlOp(op) + " " + Bind(normalized);
    }

    Result<std::string> StringCompare(CompareOp op,
                                      const std::string& literal,
                                      const Source& source,
                                      bool case_exact) {
        std::string lhs = source.json ? StringOf(*source.json) : source.column;
        std::string value = literal;
        bool lower = false;
        if (!case_exact) {
            if (source.folded_column) {
                value = scim::FoldCase(literal);
            } else {
                lower = true;
                lhs = "lower(" + lhs + ")";
            }
        }
        if (op == CompareOp::kCo || op == CompareOp::kSw || op == CompareOp::kEw) {
            return Pattern(op, lhs, value, lower, case_exact);
        }
        const std::string placeholder = Bind(value);
        const std::string rhs = lower ? "lower(" + placeholder + ")" : placeholder;
        if (op == CompareOp::kEq) {
            return lhs + " = " + rhs;
        }
        return Collated(lhs) + " " + SqlOp(op) + " " + rhs;
    }

    std::string Pattern(CompareOp op,
                        const std::string& lhs,
                        const std::string& value,
                        bool lower,
                        bool case_exact) {
        // SQLite's LIKE ignores ASCII case, so case-exact matching there uses GLOB.
        if (case_exact && !Pg()) {
            std::string glob = EscapeGlob(value);
            glob = (op == CompareOp::kSw ? "" : "*") + glob + (op == CompareOp::kEw ? "" : "*");
            return lhs + " GLOB " + Bind(glob);
        }
        std::string like = EscapeLike(value);
        like = (op == CompareOp::kSw ? "" : "%") + like + (op == CompareOp::kEw ? "" : "%");
        const std::string placeholder = Bind(like);
        const std::string rhs = lower ? "lower(" + placeholder + ")" : placeholder;
        return lhs + " LIKE " + rhs + " ESCAPE '\\'";
    }

    static std::string EscapeLike(const std::string& value) {
        std::string out;
        for (char c : value) {
            if (c == '%' || c == '_' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        return out;
    }

    static std::string EscapeGlob(const std::string& value) {
        std::string out;
        for (char c : value) {
            if (c == '*' || c == '?' || c == '[') {
                out += '[';
                out += c;
                out += ']';
            } else {
                out += c;
            }
        }
        return out;
    }

    // Text comparisons order by code point on both backends (as the evaluator orders bytes).
    std::string Collated(const std::string& expression) const {
        return Pg() ? "(" + expression + ") COLLATE \"C\"" : expression;
    }

    static std::string SqlOp(CompareOp op) {
        switch (op) {
            case CompareOp::kGt:
                return ">";
            case CompareOp::kGe:
                return ">=";
            case CompareOp::kLt:
                return "<";
            case CompareOp::kLe:
                return "<=";
            case CompareOp::kNe:
                return "<>";
            default:
                return "=";
        }
    }

    // ---- presence ----------------------------------------------------------------------------

    // RFC 7644 §3.4.2.2 `pr`: not null, not "", not [] (complex values: see ComplexPresent).
    std::string Present(const Source& source) const {
        if (!source.json) {
            return "(" + source.column + " IS NOT NULL AND CAST(" + source.column +
                   " AS TEXT) <> '')";
        }
        const JsonLoc& loc = *source.json;
        const std::string type = TypeOf(loc);
        if (Pg()) {
            return "COALESCE(CASE " + type + " WHEN 'string' THEN " + TextOf(loc) +
                   " <> '' WHEN 'null' THEN FALSE WHEN 'array' THEN jsonb_array_length(" +
                   JsonOf(loc) + ") > 0 WHEN 'object' THEN " + JsonOf(loc) +
                   " <> CAST('{}' AS JSONB) ELSE " + type + " IS NOT NULL END, FALSE)";
        }
        return "COALESCE(CASE " + type + " WHEN 'text' THEN " + RawOf(loc) +
               " <> '' WHEN 'null' THEN 0 WHEN 'array' THEN json_array_length(" + loc.base + ", " +
               loc.path + ") > 0 ELSE " + type + " IS NOT NULL END, 0)";
    }

    // A complex value is present when one of its sub-attributes is.
    Result<std::string> ComplexPresent(const JsonLoc& loc, const Attribute& attribute) {
        std::string out;
        for (const Attribute& sub : attribute.sub_attributes) {
            auto sub_loc = Append(loc, sub.name);
            if (!sub_loc.ok()) {
                return std::move(sub_loc).error();
            }
            out += (out.empty() ? "(" : " OR ") + Present(Source{*sub_loc, "", false});
        }
        return out.empty() ? False() : out + ")";
    }

    Result<std::string> ElementPresent(const Scope& scope, const Attribute* sub) {
        if (scope.membership) {
            if (sub == nullptr) {
                return True();
            }
            auto source = ElementSource(scope, *sub, AttrPath{});
            return source.ok() ? Result<std::string>(Present(*source))
                               : Result<std::string>(std::move(source).error());
        }
        const JsonLoc element = ElementLoc(scope);
        if (sub != nullptr) {
            auto loc = Append(element, sub->name);
            if (!loc.ok()) {
                return std::move(loc).error();
            }
            return Present(Source{*loc, "", false});
        }
        if (scope.attribute->type == AttrType::kComplex) {
            return ComplexPresent(element, *scope.attribute);
        }
        return Present(Source{element, "", false});
    }

    // ---- JSON access -------------------------------------------------------------------------

    std::string TypeOf(const JsonLoc& loc) const {
        return Pg() ? "jsonb_typeof(" + JsonOf(loc) + ")"
                    : "json_type(" + loc.base + ", " + loc.path + ")";
    }
    std::string JsonOf(const JsonLoc& loc) const {
        return "(" + loc.base + " #> " + loc.path + ")";
    }
    std::string TextOf(const JsonLoc& loc) const {
        return "(" + loc.base + " #>> " + loc.path + ")";
    }
    std::string RawOf(const JsonLoc& loc) const {
        return "json_extract(" + loc.base + ", " + loc.path + ")";
    }
    // The value when it is a JSON string, else NULL.
    std::string StringOf(const JsonLoc& loc) const {
        if (Pg()) {
            return "(CASE WHEN " + TypeOf(loc) + " = 'string' THEN " + TextOf(loc) + " END)";
        }
        return "(CASE WHEN " + TypeOf(loc) + " = 'text' THEN " + RawOf(loc) + " END)";
    }

    // A value for ORDER BY: numbers as numbers, other values as (lowered) text.
    std::string SortValue(const JsonLoc& loc, const Attribute& leaf) const {
        if (leaf.type == AttrType::kInteger || leaf.type == AttrType::kDecimal) {
            return Pg() ? "(CASE WHEN " + TypeOf(loc) + " = 'number' THEN CAST(" + TextOf(loc) +
                              " AS NUMERIC) END)"
                        : RawOf(loc);
        }
        const std::string text = Pg() ? TextOf(loc) : "CAST(" + RawOf(loc) + " AS TEXT)";
        return IsTextual(leaf) && !leaf.case_exact ? "lower(" + text + ")" : text;
    }

    static SortForm JsonSortForm(const Attribute& leaf) {
        if (leaf.type == AttrType::kInteger || leaf.type == AttrType::kDecimal) {
            return SortForm::kNumber;
        }
        if (leaf.type == AttrType::kBoolean) {
            return SortForm::kJsonBoolean;
        }
        return IsTextual(leaf) && !leaf.case_exact ? SortForm::kLowered : SortForm::kText;
    }

    // Only case-insensitive text is lowered: lower() of a BOOLEAN column does not exist on
    // PostgreSQL, and timestamps and ids sort the same either way.
    static SortKey ColumnSortKey(const Source& column, const Attribute& leaf) {
        if (column.folded_column) {
            return SortKey{column.column, SortForm::kFolded};
        }
        if (leaf.type == AttrType::kBoolean) {
            return SortKey{column.column, SortForm::kBooleanColumn};
        }
        if (IsTextual(leaf) && !leaf.case_exact) {
            return SortKey{"lower(" + column.column + ")", SortForm::kLowered};
        }
        return SortKey{column.column, SortForm::kText};
    }

    static std::string JsonText(const nlohmann::json& value) {
        return value.is_string() ? value.get<std::string>() : value.dump();
    }

    // A keyset value as an operand comparable with `key`'s expression; nullopt when the
    // expression is NULL for a row holding `value` (the row sorts with the rows lacking one).
    std::optional<std::string> KeyOperand(const SortKey& key, const nlohmann::json& value) {
        if (value.is_null()) {
            return std::nullopt;
        }
        switch (key.form) {
            case SortForm::kFolded:
                return Bind(scim::FoldCase(JsonText(value)));
            case SortForm::kLowered:
                return "lower(" + Bind(JsonText(value)) + ")";
            case SortForm::kText:
                return Bind(JsonText(value));
            case SortForm::kNumber:
                if (value.is_number_integer()) {
                    return Bind(value.get<std::int64_t>());
                }
                if (value.is_number()) {
                    return Bind(value.get<double>());
                }
                if (Pg()) {
                    return std::nullopt;  // the CASE in SortValue yields NULL for a non-number
                }
                return Bind(JsonText(value));
            case SortForm::kBooleanColumn:
                if (!value.is_boolean()) {
                    return std::nullopt;  // the column is NULL unless the value is a boolean
                }
                if (Pg()) {
                    return "CAST(" + Bind(std::string(value.get<bool>() ? "true" : "false")) +
                           " AS BOOLEAN)";
                }
                return Bind(std::int64_t{value.get<bool>() ? 1 : 0});
            case SortForm::kJsonBoolean:
                // Read as text: PostgreSQL's #>> gives true/false, SQLite's json_extract 1/0.
                if (value.is_boolean()) {
                    const bool set = value.get<bool>();
                    return Bind(std::string(Pg() ? (set ? "true" : "false") : (set ? "1" : "0")));
                }
                return Bind(JsonText(value));
        }
        return std::nullopt;
    }

    static bool IsTextual(const Attribute& leaf) {
        return leaf.type == AttrType::kString || leaf.type == AttrType::kReference;
    }

    Result<JsonLoc> DocLoc(const std::vector<std::string>& keys) const {
        JsonLoc loc{table_ + ".doc", Pg() ? "'{}'" : "'$'"};
        for (const std::string& key : keys) {
            auto next = Append(loc, key);
            if (!next.ok()) {
                return next;
            }
            loc = *next;
        }
        return loc;
    }

    // The location one key further down. Paths stay literals so that indexes can match them.
    Result<JsonLoc> Append(const JsonLoc& loc, const std::string& key) const {
        if (!IsSafeName(key)) {
            return Error::Scim(ScimType::kInvalidFilter,
                               "invalid filter: attribute name cannot be filtered");
        }
        JsonLoc out = loc;
        if (Pg()) {
            // '{a,b}' -> '{a,b,"key"}'
            const bool empty = loc.path == "'{}'";
            out.path =
                loc.path.substr(0, loc.path.size() - 2) + (empty ? "" : ",") + "\"" + key + "\"}'";
        } else if (loc.path.size() >= 2 && loc.path.front() == '\'' && loc.path.back() == '\'') {
            out.path = loc.path.substr(0, loc.path.size() - 1) + ".\"" + key + "\"'";
        } else {
            out.path = loc.path + " || '.\"" + key + "\"'";
        }
        return out;
    }

    std::vector<std::string> TopKeys(const AttrPath& path) const {
        std::vector<std::string> keys;
        if (path.is_extension) {
            keys.push_back(path.schema->id);
        }
        keys.push_back(path.attribute->name);
        return keys;
    }

    // ---- sources -----------------------------------------------------------------------------

    Result<Source> TopLevelSource(const AttrPath& path) {
        if (!path.is_extension) {
            const std::string sub = path.sub_attribute ? path.sub_attribute->name : "";
            if (auto column = PromotedColumn(path.attribute->name, sub)) {
                return *column;
            }
            if (path.attribute->name == "meta") {
                return MetaSource(path, sub);
            }
        }
        std::vector<std::string> keys = TopKeys(path);
        if (path.sub_attribute != nullptr) {
            keys.push_back(path.sub_attribute->name);
        }
        auto loc = DocLoc(keys);
        if (!loc.ok()) {
            return std::move(loc).error();
        }
        return Source{*loc, "", false};
    }

    // meta lives in columns, not in the document: resourceType is the table's type.
    Result<Source> MetaSource(const AttrPath& path, const std::string& sub) {
        if (sub == "resourceType") {
            return Source{std::nullopt, Bind(type_name_), false};
        }
        return Unsupported(path, "meta" + (sub.empty() ? std::string() : "." + sub));
    }

    // Indexed columns of db/migrations/*/0001_initial.sql.
    std::optional<Source> PromotedColumn(const std::string& name, const std::string& sub) const {
        const std::string t = table_ + ".";
        if (name == "meta") {
            if (sub == "created") {
                return Source{std::nullopt, t + "created", false};
            }
            if (sub == "lastModified") {
                return Source{std::nullopt, t + "last_modified", false};
            }
            return std::nullopt;
        }
        if (!sub.empty()) {
            return std::nullopt;
        }
        if (name == "id") {
            return Source{std::nullopt, t + "id", false};
        }
        if (name == "externalId") {
            return Source{std::nullopt, t + "external_id", false};
        }
        if (users_ && name == "userName") {
            return Source{std::nullopt, t + "user_name_key", true};
        }
        if (users_ && name == "displayName") {
            return Source{std::nullopt, t + "display_name", false};
        }
        if (users_ && name == "active") {
            return Source{std::nullopt, t + "active", false};
        }
        if (!users_ && name == "displayName") {
            return Source{std::nullopt, t + "display_name_key", true};
        }
        return std::nullopt;
    }

    // users.groups and groups.members come from group_members, not from the document.
    bool IsMembership(const AttrPath& path) const {
        if (path.is_extension) {
            return false;
        }
        return (users_ && path.attribute->name == "groups") ||
               (!users_ && path.attribute->name == "members");
    }

    Scope MembershipScope(const Attribute& attribute) {
        Scope scope;
        scope.alias = NextAlias();
        scope.membership = true;
        scope.attribute = &attribute;
        const std::string own = users_ ? "member_id" : "group_id";
        scope.from = "FROM group_members AS " + scope.alias + " WHERE " + scope.alias +
                     ".org_id = " + table_ + ".org_id AND " + scope.alias + "." + own + " = " +
                     table_ + ".id";
        return scope;
    }

    Result<Scope> JsonScope(const AttrPath& path) {
        auto loc = DocLoc(TopKeys(path));
        if (!loc.ok()) {
            return std::move(loc).error();
        }
        Scope scope;
        scope.alias = NextAlias();
        scope.attribute = path.attribute;
        if (Pg()) {
            const std::string array = JsonOf(*loc);
            scope.from = "FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + array +
                         ") = 'array' THEN " + array +
                         " ELSE CAST('[]' AS JSONB) END) WITH ORDINALITY AS " + scope.alias +
                         "(v, n) WHERE " + True();
        } else {
            scope.from = "FROM json_each(" + loc->base + ", " + loc->path + ") AS " + scope.alias +
                         " WHERE " + TypeOf(*loc) + " = 'array'";
        }
        return scope;
    }

    // The element itself. SQLite reads it through the document and the element's full path
    // (json_each's `fullkey`), which works for every element type; json_each's `value` is not
    // JSON text for string elements.
    JsonLoc ElementLoc(const Scope& scope) const {
        if (Pg()) {
            return JsonLoc{scope.alias + ".v", "'{}'"};
        }
        return JsonLoc{table_ + ".doc", scope.alias + ".fullkey"};
    }

    Result<Source> ElementSource(const Scope& scope, const Attribute& sub, const AttrPath& path) {
        if (scope.membership) {
            return MembershipColumn(scope, sub, path);
        }
        const JsonLoc element = ElementLoc(scope);
        if (scope.attribute->type != AttrType::kComplex) {
            return Source{element, "", false};
        }
        auto loc = Append(element, sub.name);
        if (!loc.ok()) {
            return std::move(loc).error();
        }
        return Source{*loc, "", false};
    }

    Result<Source> MembershipColumn(const Scope& scope,
                                    const Attribute& sub,
                                    const AttrPath& path) {
        const std::string& a = scope.alias;
        if (sub.name == "value") {
            return Source{std::nullopt, a + (users_ ? ".group_id" : ".member_id"), false};
        }
        if (sub.name == "type" && !users_) {
            return Source{std::nullopt, a + ".member_type", false};
        }
        if (sub.name == "display") {
            if (users_) {
                return Source{std::nullopt,
                              "(SELECT g.display_name FROM groups AS g WHERE g.org_id = " + a +
                                  ".org_id AND g.id = " + a + ".group_id)",
                              false};
            }
            return Source{std::nullopt,
                          "COALESCE((SELECT u.user_name FROM users AS u WHERE u.org_id = " + a +
                              ".org_id AND u.id = " + a +
                              ".member_id), (SELECT g.display_name FROM groups AS g WHERE "
                              "g.org_id = " +
                              a + ".org_id AND g.id = " + a + ".member_id))",
                          false};
        }
        return Unsupported(path, scope.attribute->name + "." + sub.name);
    }

    std::string Exists(const Scope& scope, const std::string& condition) const {
        return "EXISTS (SELECT 1 " + scope.from + " AND " + condition + ")";
    }

    std::string NextAlias() { return "e" + std::to_string(++aliases_); }

    // ---- sorting -----------------------------------------------------------------------------

    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary (else first) element.
    Result<SortKey> PrimaryValueForSort(const schemas::ResolvedPath& path) {
        AttrPath attr;
        attr.schema = path.schema;
        attr.attribute = path.attribute;
        attr.is_extension = path.is_extension;
        if (IsMembership(attr)) {
            return Unsortable(*path.attribute);
        }
        const Attribute* sub = path.sub ? path.sub : path.attribute->FindSub("value");
        auto scope = JsonScope(attr);
        if (!scope.ok()) {
            return std::move(scope).error();
        }
        const JsonLoc element = ElementLoc(*scope);
        JsonLoc value_loc = element;
        if (path.attribute->type == AttrType::kComplex) {
            if (sub == nullptr) {
                return Unsortable(*path.attribute);
            }
            auto loc = Append(element, sub->name);
            if (!loc.ok()) {
                return std::move(loc).error();
            }
            value_loc = *loc;
        }
        const Attribute& leaf = sub ? *sub : *path.attribute;
        std::string primary = "1";
        if (const Attribute* flag = path.attribute->FindSub("primary")) {
            if (!IsSafeName(flag->name)) {
                return Unsortable(*path.attribute);
            }
            if (Pg()) {
                const JsonLoc loc{scope->alias + ".v", "'{\"" + flag->name + "\"}'"};
                primary = TypeOf(loc) + " = 'boolean' AND " + TextOf(loc) + " = 'true'";
            } else {
                // SQLite cannot resolve the outer row inside this ORDER BY, so the flag is read
                // from the element's own JSON text rather than through the document.
                const std::string& a = scope->alias;
                primary = "(CASE WHEN " + a + ".type = 'object' THEN json_type(" + a +
                          ".value, '$.\"" + flag->name + "\"') END) = 'true'";
            }
        }
        const std::string value = SortValue(value_loc, leaf);
        const std::string position = scope->alias + (Pg() ? ".n" : ".key");
        return SortKey{"(SELECT " + value + " " + scope->from + " ORDER BY CASE WHEN " + primary +
                           " THEN 0 ELSE 1 END, " + position + " LIMIT 1)",
                       JsonSortForm(leaf)};
    }

    SqlOptions options_;
    bool users_;
    std::string table_;
    std::string type_name_;
    std::vector<SqlValue> binds_;
    int aliases_ = 0;
};

}  // namespace

scim::Result<SqlFragment> CompileFilter(const Node& root,
                                        const schemas::ResourceType& type,
                                        const SqlOptions& options) {
    Compiler compiler(type, options);
    auto sql = compiler.Compile(root);
    if (!sql.ok()) {
        return std::move(sql).error();
    }
    return SqlFragment{std::move(*sql), compiler.TakeBinds()};
}

scim::Result<std::string> CompileOrderBy(const schemas::ResolvedPath* sort_by,
                                         const schemas::ResourceType& type,
                                         bool descending,
                                         Dialect dialect) {
    const std::string table = type.name == "User" ? "users" : "groups";
    const std::string direction = descending ? " DESC" : " ASC";
    const std::string id = table + ".id" + direction;
    if (sort_by == nullptr || sort_by->attribute == nullptr) {
        return id;
    }
    Compiler compiler(type, SqlOptions{dialect, 1});
    auto key = compiler.OrderExpression(*sort_by);
    if (!key.ok()) {
        return std::move(key).error();
    }
    const std::string ordered = OrderOperand(*sort_by, key->expression, dialect) + direction;
    if (key->never_null) {
        return ordered + ", " + id;
    }
    // Rows without a value go last ascending and first descending on both backends.
    return "(" + key->expression + ") IS NULL" + direction + ", " + ordered + ", " + id;
}

scim::Result<SqlFragment> CompileKeysetAfter(const schemas::ResolvedPath* sort_by,
                                             const schemas::ResourceType& type,
                                             bool descending,
                                             const nlohmann::json& sort_value,
                                             const std::string& id,
                                             const SqlOptions& options) {
    Compiler compiler(type, options);
    auto sql = compiler.KeysetAfter(sort_by, descending, sort_value, id);
    if (!sql.ok()) {
        return std::move(sql).error();
    }
    return SqlFragment{std::move(*sql), compiler.TakeBinds()};
}

}  // namespace db

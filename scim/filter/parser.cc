#include "scim/filter/parser.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "scim/casefold.h"

namespace scim::filter {
namespace {

bool IsAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}
bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
// Characters of an attribute path word: ATTRNAME characters (RFC 7644 §3.4.2.2 nameChar), the
// `$` of `$ref`, and the `:` and `.` of URN prefixes and sub-attributes.
bool IsPathChar(char c) {
    return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_' || c == ':' || c == '.' || c == '$';
}

char Lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ATTRNAME = ALPHA *(nameChar); `$ref` is accepted too since RFC 7643 names reference
// sub-attributes that way.
bool IsAttrName(std::string_view name) {
    if (name.empty() || !(IsAlpha(name[0]) || name[0] == '$')) {
        return false;
    }
    for (char c : name.substr(1)) {
        if (!(IsAlpha(c) || IsDigit(c) || c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

std::optional<CompareOp> OperatorFromWord(std::string_view word) {
    static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
        {"eq", CompareOp::kEq}, {"ne", CompareOp::kNe}, {"co", CompareOp::kCo},
        {"sw", CompareOp::kSw}, {"ew", CompareOp::kEw}, {"gt", CompareOp::kGt},
        {"ge", CompareOp::kGe}, {"lt", CompareOp::kLt}, {"le", CompareOp::kLe},
        {"pr", CompareOp::kPr},
    };
    for (const auto& [name, op] : kOps) {
        if (EqualsIgnoreCase(word, name)) {
            return op;
        }
    }
    return std::nullopt;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Recursive descent over the filter text. Every parse function returns an empty value after
// recording the first error; callers stop at the first failure. Recursion happens only through
// parentheses, `not` and brackets, all counted against kMaxFilterDepth.
class Parser {
public:
    Parser(std::string_view text, ScimType error_type, std::string_view what)
        : text_(text), error_type_(error_type), what_(what) {}

    Result<NodePtr> ParseFilter() {
        if (!CheckInput()) {
            return *error_;
        }
        NodePtr root = ParseOr(false);
        if (root) {
            SkipSpace();
            if (!AtEnd()) {
                Fail(Peek() == ')' ? "no '(' to match this ')'"
                                   : "expected 'and', 'or' or the end");
            }
        }
        if (error_) {
            return *error_;
        }
        return root;
    }

    Result<PatchPath> ParsePatchPath() {
        if (!CheckInput()) {
            return *error_;
        }
        PatchPath result;
        if (ParsePatchPathInto(result)) {
            return result;
        }
        return *error_;
    }

private:
    bool CheckInput() {
        if (text_.size() > kMaxFilterLength) {
            Fail(0, "at most " + std::to_string(kMaxFilterLength) + " bytes");
        } else if (!IsValidUtf8(text_)) {
            Fail(0, "valid UTF-8 text");
        }
        return !error_;
    }

    bool ParsePatchPathInto(PatchPath& result) {
        SkipSpace();
        if (!ParsePath(result.path, false)) {
            return false;
        }
        if (Peek() == '[') {
            if (!result.path.sub.empty()) {
                return Fail("'[' only after an attribute without a sub-attribute");
            }
            result.value_filter = ParseBrackets();
            if (!result.value_filter) {
                return false;
            }
            if (Peek() == '.') {
                ++pos_;
                const std::size_t start = pos_;
                while (!AtEnd() && IsPathChar(Peek()) && Peek() != '.' && Peek() != ':') {
                    ++pos_;
                }
                const std::string_view word = text_.substr(start, pos_ - start);
                if (!IsAttrName(word)) {
                    return Fail(start, "a sub-attribute name after '.'");
                }
                result.path.sub = std::string(word);
            }
        }
        SkipSpace();
        if (!AtEnd()) {
            return Fail(result.value_filter ? "'.' and a sub-attribute, or the end"
                                            : "'[' or the end of the path");
        }
        return true;
    }

    NodePtr ParseOr(bool in_value_path) {
        NodePtr left = ParseAnd(in_value_path);
        while (left) {
            const std::size_t save = pos_;
            SkipSpace();
            if (!AtKeyword("or")) {
                pos_ = save;
                break;
            }
            pos_ += 2;
            NodePtr right = ParseAnd(in_value_path);
            if (!right) {
                return nullptr;
            }
            left = MakeLogical(NodeKind::kOr, std::move(left), std::move(right));
        }
        return left;
    }

    NodePtr ParseAnd(bool in_value_path) {
        NodePtr left = ParseUnary(in_value_path);
        while (left) {
            const std::size_t save = pos_;
            SkipSpace();
            if (!AtKeyword("and")) {
                pos_ = save;
                break;
            }
            pos_ += 3;
            NodePtr right = ParseUnary(in_value_path);
            if (!right) {
                return nullptr;
            }
            left = MakeLogical(NodeKind::kAnd, std::move(left), std::move(right));
        }
        return left;
    }

    static NodePtr MakeLogical(NodeKind kind, NodePtr left, NodePtr right) {
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->position = left->position;
        node->children.push_back(std::move(left));
        node->children.push_back(std::move(right));
        return node;
    }

    NodePtr ParseUnary(bool in_value_path) {
        SkipSpace();
        if (AtEnd()) {
            Fail("an attribute path, '(' or 'not'");
            return nullptr;
        }
        if (Peek() == '(') {
            return ParseParenthesised(in_value_path);
        }
        if (AtKeyword("not")) {
            std::size_t after = pos_ + 3;
            while (after < text_.size() && IsSpace(text_[after])) {
                ++after;
            }
            if (after < text_.size() && text_[after] == '(') {
                return ParseNot(in_value_path, after);
            }
        }
        return ParseAttrExp(in_value_path);
    }

    NodePtr ParseNot(bool in_value_path, std::size_t paren) {
        const std::size_t start = pos_;
        pos_ = paren;
        NodePtr inner = ParseParenthesised(in_value_path);
        if (!inner) {
            return nullptr;
        }
        auto node = std::make_unique<Node>();
        node->kind = NodeKind::kNot;
        node->position = start;
        node->children.push_back(std::move(inner));
        return node;
    }

    // At '(' : parses "(" filter ")".
    NodePtr ParseParenthesised(bool in_value_path) {
        if (!Enter()) {
            return nullptr;
        }
        ++pos_;
        NodePtr inner = ParseOr(in_value_path);
        if (!inner) {
            return nullptr;
        }
        SkipSpace();
        if (Peek() != ')') {
            Fail("')' or 'and', 'or'");
            return nullptr;
        }
        ++pos_;
        --depth_;
        return inner;
    }

    // At '[' : parses "[" valFilter "]" and returns the inner filter.
    NodePtr ParseBrackets() {
        if (!Enter()) {
            return nullptr;
        }
        ++pos_;
        NodePtr inner = ParseOr(true);
        if (!inner) {
            return nullptr;
        }
        SkipSpace();
        if (Peek() != ']') {
            Fail("']' or 'and', 'or'");
            return nullptr;
        }
        ++pos_;
        --depth_;
        return inner;
    }

    NodePtr ParseAttrExp(bool in_value_path) {
        auto node = std::make_unique<Node>();
        node->position = pos_;
        if (!ParsePath(node->path, in_value_path)) {
            return nullptr;
        }
        if (Peek() == '[') {
            return ParseValuePath(std::move(node), in_value_path);
        }
        if (!IsSpace(Peek())) {
            Fail(in_value_path ? "a space and an operator" : "a space and an operator, or '['");
            return nullptr;
        }
        SkipSpace();
        const std::size_t op_start = pos_;
        const auto op = OperatorFromWord(ReadWord());
        if (!op) {
            Fail(op_start, "an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)");
            return nullptr;
        }
        node->op = *op;
        if (*op == CompareOp::kPr) {
            return EndOfOperand() ? std::move(node) : nullptr;
        }
        if (!IsSpace(Peek())) {
            Fail("a space and a value");
            return nullptr;
        }
        SkipSpace();
        if (!ParseValue(node->value)) {
            return nullptr;
        }
        return EndOfOperand() ? std::move(node) : nullptr;
    }

    NodePtr ParseValuePath(NodePtr node, bool in_value_path) {
        if (in_value_path) {
            Fail("an operator: value paths cannot be nested");
            return nullptr;
        }
        if (!node->path.sub.empty()) {
            Fail("an operator: '[' cannot follow a sub-attribute");
            return nullptr;
        }
        NodePtr inner = ParseBrackets();
        if (!inner) {
            return nullptr;
        }
        node->kind = NodeKind::kValuePath;
        node->children.push_back(std::move(inner));
        return EndOfOperand() ? std::move(node) : nullptr;
    }

    // An operand ends at whitespace, ')', ']' or the end of the text.
    bool EndOfOperand() {
        if (AtEnd() || IsSpace(Peek()) || Peek() == ')' || Peek() == ']') {
            return true;
        }
        return Fail("a space, ')' or the end");
    }

    // attrPath = [URI ":"] ATTRNAME *1subAttr. The URN prefix is everything before the last
    // ':' (URNs contain '.' as in "2.0", so the sub-attribute split comes after it).
    bool ParsePath(AttrPath& path, bool in_value_path) {
        const std::size_t start = pos_;
        if (AtEnd() || !(IsAlpha(Peek()) || Peek() == '$')) {
            return Fail("an attribute path");
        }
        const std::string_view word = ReadWord();
        path.position = start;
        path.in_value_path = in_value_path;
        std::string_view rest = word;
        std::size_t rest_offset = 0;
        if (const std::size_t colon = word.rfind(':'); colon != std::string_view::npos) {
            path.urn = std::string(word.substr(0, colon));
            rest = word.substr(colon + 1);
            rest_offset = colon + 1;
        }
        const std::size_t dot = rest.find('.');
        const std::string_view name = rest.substr(0, dot);
        if (!IsAttrName(name)) {
            return Fail(start + rest_offset, "an attribute name");
        }
        path.name = std::string(name);
        if (dot != std::string_view::npos) {
            const std::string_view sub = rest.substr(dot + 1);
            if (!IsAttrName(sub)) {
                return Fail(start + rest_offset + dot + 1, "one sub-attribute name after '.'");
            }
            path.sub = std::string(sub);
        }
        return true;
    }

    bool ParseValue(nlohmann::json& value) {
        const char c = Peek();
        if (c == '"') {
            std::string decoded;
            if (!ParseString(decoded)) {
                return false;
            }
            value = std::move(decoded);
            return true;
        }
        if (c == '-' || IsDigit(c)) {
            return ParseNumber(value);
        }
        const std::size_t start = pos_;
        const std::string_view word = ReadWord();
        if (EqualsIgnoreCase(word, "true")) {
            value = true;
        } else if (EqualsIgnoreCase(word, "false")) {
            value = false;
        } else if (EqualsIgnoreCase(word, "null")) {
            value = nullptr;
        } else {
            return Fail(start,
                        "a value (a string in double quotes, a number, true, false or null)");
        }
        return true;
    }

    // A JSON string (RFC 8259 §7); the input is already known to be valid UTF-8.
    bool ParseString(std::string& out) {
        ++pos_;
        while (!AtEnd()) {
            const char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                return Fail("an escape sequence instead of a control character");
            }
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            if (!ParseEscape(out)) {
                return false;
            }
        }
        return Fail("'\"' to close the string");
    }

    bool ParseEscape(std::string& out) {
        ++pos_;
        if (AtEnd()) {
            return Fail("an escape sequence");
        }
        const char c = text_[pos_];
        static constexpr std::pair<char, char> kSimple[] = {
            {'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
            {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'},
        };
        for (const auto& [escape, plain] : kSimple) {
            if (c == escape) {
                out += plain;
                ++pos_;
                return true;
            }
        }
        if (c != 'u') {
            return Fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        return ParseUnicodeEscape(out);
    }

    // At the 'u' of \uXXXX; joins a surrogate pair, refuses a lone surrogate.
    bool ParseUnicodeEscape(std::string& out) {
        std::uint32_t cp = 0;
        if (!ReadHex4(cp)) {
            return false;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail(pos_ - 6, "a high surrogate before a low one");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") {
                return Fail("a low surrogate \\uDC00-\\uDFFF");
            }
            ++pos_;
            if (!ReadHex4(low)) {
                return false;
            }
            if (low < 0xDC00 || low > 0xDFFF) {
                return Fail(pos_ - 6, "a low surrogate \\uDC00-\\uDFFF");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(out, cp);
        return true;
    }

    // At the 'u'; reads four hex digits and leaves pos_ after them.
    bool ReadHex4(std::uint32_t& cp) {
        ++pos_;
        for (int i = 0; i < 4; ++i, ++pos_) {
            const char c = AtEnd() ? '\0' : text_[pos_];
            int digit = -1;
            if (IsDigit(c)) {
                digit = c - '0';
            } else if (Lower(c) >= 'a' && Lower(c) <= 'f') {
                digit = Lower(c) - 'a' + 10;
            }
            if (digit < 0) {
                return Fail("four hex digits after \\u");
            }
            cp = cp * 16 + static_cast<std::uint32_t>(digit);
        }
        return true;
    }

    // number = [ "-" ] int [ frac ] [ exp ] (RFC 8259 §6). Integers that fit stay integers.
    bool ParseNumber(nlohmann::json& value) {
        const std::size_t start = pos_;
        bool integral = true;
        if (Peek() == '-') {
            ++pos_;
        }
        if (Peek() == '0') {
            ++pos_;
        } else if (!SkipDigits()) {
            return Fail("a digit");
        }
        if (Peek() == '.') {
            ++pos_;
            integral = false;
            if (!SkipDigits()) {
                return Fail("a digit after '.'");
            }
        }
        if (Peek() == 'e' || Peek() == 'E') {
            ++pos_;
            integral = false;
            if (Peek() == '+' || Peek() == '-') {
                ++pos_;
            }
            if (!SkipDigits()) {
                return Fail("a digit in the exponent");
            }
        }
        return ConvertNumber(text_.substr(start, pos_ - start), integral, start, value);
    }

    bool ConvertNumber(std::string_view digits,
                       bool integral,
                       std::size_t start,
                       nlohmann::json& value) {
        const char* first = digits.data();
        const char* last = digits.data() + digits.size();
        if (integral) {
            std::int64_t number = 0;
            const auto [end, ec] = std::from_chars(first, last, number);
            if (ec == std::errc() && end == last) {
                value = number;
                return true;
            }
        }
        double number = 0;
        const auto [end, ec] = std::from_chars(first, last, number);
        if (ec != std::errc() || end != last || !std::isfinite(number)) {
            return Fail(start, "a number within the range of a double");
        }
        value = number;
        return true;
    }

    bool SkipDigits() {
        const std::size_t start = pos_;
        while (!AtEnd() && IsDigit(text_[pos_])) {
            ++pos_;
        }
        return pos_ > start;
    }

    bool Enter() {
        if (++depth_ > kMaxFilterDepth) {
            return Fail("at most " + std::to_string(kMaxFilterDepth) + " levels of nesting");
        }
        return true;
    }

    std::string_view ReadWord() {
        const std::size_t start = pos_;
        while (!AtEnd() && IsPathChar(text_[pos_])) {
            ++pos_;
        }
        return text_.substr(start, pos_ - start);
    }

    // A keyword at pos_, in any case, not followed by a name character ("order" is no "or").
    bool AtKeyword(std::string_view keyword) const {
        if (text_.size() - pos_ < keyword.size() ||
            !EqualsIgnoreCase(text_.substr(pos_, keyword.size()), keyword)) {
            return false;
        }
        const std::size_t after = pos_ + keyword.size();
        return after == text_.size() || !IsPathChar(text_[after]);
    }

    void SkipSpace() {
        while (!AtEnd() && IsSpace(text_[pos_])) {
            ++pos_;
        }
    }
    bool AtEnd() const { return pos_ >= text_.size(); }
    char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

    bool Fail(std::string_view expected) { return Fail(pos_, expected); }
    bool Fail(std::size_t position, std::string_view expected) {
        if (!error_) {
            std::string detail = "invalid " + std::string(what_) + " at position " +
                                 std::to_string(position) + ": expected " + std::string(expected);
            error_ = Error::Scim(error_type_, std::move(detail));
        }
        return false;
    }

    std::string_view text_;
    ScimType error_type_;
    std::string_view what_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::optional<Error> error_;
};

}  // namespace

Result<NodePtr> Parse(std::string_view text) {
    return Parser(text, ScimType::kInvalidFilter, "filter").ParseFilter();
}

Result<PatchPath> ParsePatchPath(std::string_view text) {
    return Parser(text, ScimType::kInvalidPath, "path").ParsePatchPath();
}

}  // namespace scim::filter

#pragma once

// A small reader for the DDL in db/migrations/*/*.sql, enough to check the one layout rule the
// schema must keep: every primary key, unique constraint or index, and foreign key leads with
// org_id. That rule is what lets a PostgreSQL-compatible distributed engine (e.g. Citus) shard
// every table by organization and keep each organization's rows, and every uniqueness check, on
// one node. It is not a SQL parser: it understands CREATE TABLE, CREATE [UNIQUE] INDEX,
// ALTER TABLE ... ADD, DROP TABLE and DROP INDEX, and reports any other statement that mentions a
// key, so a key can never slip past the check unread.

#include <cctype>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schema_layout {

// The column this layout is distributed by.
inline constexpr std::string_view kDistributionColumn = "org_id";

// Tables exempt from the rule. `schema_migrations` records which migration files a database has
// applied: it describes the database, not any organization, is read before any organization
// exists, and on a distributed engine it stays a plain table on the coordinator node.
// `server_keys` holds secrets of the deployment shared by every instance (the cursor signing
// key): no organization owns them, every request of every organization needs them, and on a
// distributed engine it becomes a reference table copied to every node.
inline bool IsExemptTable(std::string_view table) {
    return table == "schema_migrations" || table == "server_keys";
}

enum class KeyKind { kPrimary, kUnique, kForeign };

inline std::string_view KeyKindName(KeyKind kind) {
    switch (kind) {
        case KeyKind::kPrimary:
            return "PRIMARY KEY";
        case KeyKind::kUnique:
            return "UNIQUE";
        case KeyKind::kForeign:
            return "FOREIGN KEY";
    }
    return "key";
}

struct Key {
    KeyKind kind;
    std::vector<std::string> columns;
    std::string referenced_table;                 // foreign keys only
    std::vector<std::string> referenced_columns;  // empty: the referenced table's primary key
};

struct Table {
    std::vector<std::string> columns;
    std::vector<Key> keys;
};

struct Index {
    std::string table;
    bool unique = false;
    std::vector<std::string> columns;  // expressions are kept as their normalised text
};

// The schema a sequence of statements leaves behind, keyed by lower-case name.
struct Layout {
    std::map<std::string, Table> tables;
    std::map<std::string, Index> indexes;
    std::vector<std::string> problems;  // statements the reader could not account for
};

// ---- Lexing ---------------------------------------------------------------------------------

// Removes `--` and `/* */` comments, keeping quoted text intact.
inline std::string StripComments(std::string_view sql) {
    std::string out;
    for (size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            const size_t end = sql.find(c, i + 1);
            const size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
            out.append(sql.substr(i, stop - i));
            i = stop - 1;
        } else if (sql.substr(i, 2) == "--") {
            const size_t end = sql.find('\n', i);
            i = end == std::string_view::npos ? sql.size() : end - 1;
            out.push_back(' ');
        } else if (sql.substr(i, 2) == "/*") {
            const size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 1;
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Splits comment-free SQL at semicolons outside quotes; blank statements are dropped.
inline std::vector<std::string> SplitStatements(std::string_view sql) {
    std::vector<std::string> statements;
    std::string current;
    char quote = 0;
    for (const char c : sql) {
        if (quote != 0) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == ';') {
            statements.push_back(current);
            current.clear();
            continue;
        }
        current.push_back(c);
    }
    statements.push_back(current);
    std::erase_if(statements, [](const std::string& s) {
        return s.find_first_not_of(" \t\r\n") == std::string::npos;
    });
    return statements;
}

// Tokens: words (lower-cased unless double-quoted, quotes dropped), string literals (kept with
// their quotes), and single punctuation characters.
inline std::vector<std::string> Tokenize(std::string_view statement) {
    std::vector<std::string> tokens;
    size_t i = 0;
    while (i < statement.size()) {
        const unsigned char c = static_cast<unsigned char>(statement[i]);
        if (std::isspace(c)) {
            ++i;
        } else if (c == '"' || c == '\'') {
            const size_t end = statement.find(static_cast<char>(c), i + 1);
            const size_t stop = end == std::string_view::npos ? statement.size() : end;
            tokens.emplace_back(c == '"' ? statement.substr(i + 1, stop - i - 1)
                                         : statement.substr(i, stop - i + 1));
            i = stop + 1;
        } else if (std::isalnum(c) || c == '_') {
            std::string word;
            while (i < statement.size() &&
                   (std::isalnum(static_cast<unsigned char>(statement[i])) || statement[i] == '_' ||
                    statement[i] == '.')) {
                word.push_back(
                    static_cast<char>(std::tolower(static_cast<unsigned char>(statement[i]))));
                ++i;
            }
            tokens.push_back(word);
        } else {
            tokens.emplace_back(1, static_cast<char>(c));
            ++i;
        }
    }
    return tokens;
}

// ---- Token cursor -----------------------------------------------------------------------------

class Tokens {
public:
    explicit Tokens(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

    bool AtEnd() const { return pos_ >= tokens_.size(); }
    const std::string& Peek(size_t ahead = 0) const {
        static const std::string kEmpty;
        return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : kEmpty;
    }
    std::string Next() { return AtEnd() ? std::string() : tokens_[pos_++]; }
    // Consumes the words if they come next, in order.
    bool Accept(std::initializer_list<std::string_view> words) {
        size_t ahead = 0;
        for (const std::string_view word : words) {
            if (Peek(ahead++) != word) {
                return false;
            }
        }
        pos_ += words.size();
        return true;
    }
    // Reads "( a, b, ... )" and returns each top-level element's tokens joined by spaces. Returns
    // an empty list when no parenthesis comes next.
    std::vector<std::string> ParenList() {
        std::vector<std::string> items;
        if (Peek() != "(") {
            return items;
        }
        ++pos_;
        int depth = 0;
        std::string item;
        while (!AtEnd()) {
            const std::string token = Next();
            if (depth == 0 && (token == "," || token == ")")) {
                items.push_back(item);
                item.clear();
                if (token == ")") {
                    break;
                }
                continue;
            }
            depth += token == "(" ? 1 : token == ")" ? -1 : 0;
            item += item.empty() ? token : " " + token;
        }
        return items;
    }

private:
    std::vector<std::string> tokens_;
    size_t pos_ = 0;
};

// The column of each element: its first word ("created DESC" gives "created"); an expression
// such as "lower ( x )" is kept whole, since it is not a plain column.
inline std::vector<std::string> ColumnNames(const std::vector<std::string>& items) {
    std::vector<std::string> names;
    for (const std::string& item : items) {
        const bool expression = item.find('(') != std::string::npos;
        names.push_back(expression ? item : item.substr(0, item.find(' ')));
    }
    return names;
}

inline bool Contains(const std::vector<std::string>& tokens, std::string_view word) {
    for (const std::string& token : tokens) {
        if (token == word) {
            return true;
        }
    }
    return false;
}

// ---- Statements -------------------------------------------------------------------------------

// Reads a table constraint after an optional "CONSTRAINT name". Returns false when the element
// is not a key constraint (CHECK, EXCLUDE, or a column definition).
inline bool ReadTableConstraint(Tokens& t, Key& key) {
    if (t.Accept({"constraint"})) {
        t.Next();
    }
    if (t.Accept({"primary", "key"})) {
        key = {KeyKind::kPrimary, ColumnNames(t.ParenList()), {}, {}};
        return true;
    }
    if (t.Accept({"unique"})) {
        key = {KeyKind::kUnique, ColumnNames(t.ParenList()), {}, {}};
        return true;
    }
    if (t.Accept({"foreign", "key"})) {
        key = {KeyKind::kForeign, ColumnNames(t.ParenList()), {}, {}};
        if (t.Accept({"references"})) {
            key.referenced_table = t.Next();
            key.referenced_columns = ColumnNames(t.ParenList());
        }
        return true;
    }
    return false;
}

// Reads "name type [constraints...]" and adds the column's inline keys to the table.
inline void ReadColumn(Tokens& t, Table& table) {
    const std::string column = t.Next();
    table.columns.push_back(column);
    while (!t.AtEnd()) {
        if (t.Accept({"primary", "key"})) {
            table.keys.push_back({KeyKind::kPrimary, {column}, {}, {}});
        } else if (t.Accept({"unique"})) {
            table.keys.push_back({KeyKind::kUnique, {column}, {}, {}});
        } else if (t.Accept({"references"})) {
            Key key{KeyKind::kForeign, {column}, t.Next(), {}};
            key.referenced_columns = ColumnNames(t.ParenList());
            table.keys.push_back(key);
        } else if (t.Peek() == "(") {
            t.ParenList();  // type modifiers, CHECK or DEFAULT expressions
        } else {
            t.Next();
        }
    }
}

inline void ReadTableElement(const std::string& element, Table& table) {
    Tokens t(Tokenize(element));
    Key key;
    if (ReadTableConstraint(t, key)) {
        table.keys.push_back(key);
        return;
    }
    Tokens column(Tokenize(element));
    const std::string& first = column.Peek();
    if (first == "constraint" || first == "check" || first == "exclude") {
        return;  // CHECK and EXCLUDE constraints are not keys in the sense checked here
    }
    ReadColumn(column, table);
}

inline void ApplyCreateTable(Tokens& t, Layout& layout) {
    t.Accept({"if", "not", "exists"});
    const std::string name = t.Next();
    Table table;
    for (const std::string& element : t.ParenList()) {
        ReadTableElement(element, table);
    }
    layout.tables[name] = table;
}

inline void ApplyCreateIndex(Tokens& t, bool unique, Layout& layout) {
    t.Accept({"concurrently"});
    t.Accept({"if", "not", "exists"});
    const std::string name = t.Next();
    if (!t.Accept({"on"})) {
        layout.problems.push_back("CREATE INDEX " + name + " without ON");
        return;
    }
    t.Accept({"only"});
    Index index{t.Next(), unique, {}};
    if (t.Accept({"using"})) {
        t.Next();
    }
    index.columns = ColumnNames(t.ParenList());
    layout.indexes[name] = index;
}

inline void ApplyAlterTable(Tokens& t, Layout& layout) {
    t.Accept({"if", "exists"});
    t.Accept({"only"});
    const std::string name = t.Next();
    auto table = layout.tables.find(name);
    if (table == layout.tables.end()) {
        layout.problems.push_back("ALTER TABLE of unknown table " + name);
        return;
    }
    if (!t.Accept({"add"})) {
        return;  // renames, drops and defaults add no key; a rename is caught by the dialect diff
    }
    Key key;
    if (ReadTableConstraint(t, key)) {
        table->second.keys.push_back(key);
        return;
    }
    t.Accept({"column"});
    t.Accept({"if", "not", "exists"});
    ReadColumn(t, table->second);
}

inline void ApplyDrop(Tokens& t, Layout& layout) {
    const std::string what = t.Next();
    t.Accept({"if", "exists"});
    const std::string name = t.Next();
    if (what == "table") {
        layout.tables.erase(name);
        std::erase_if(layout.indexes,
                      [&](const auto& entry) { return entry.second.table == name; });
    } else if (what == "index") {
        layout.indexes.erase(name);
    }
}

// Applies one statement to the layout. Statements that cannot define a key (INSERT, UPDATE,
// PRAGMA, COMMENT, ...) are ignored; any other statement that mentions one is a problem.
inline void ApplyStatement(const std::string& statement, Layout& layout) {
    Tokens t(Tokenize(statement));
    if (t.Accept({"create", "table"})) {
        ApplyCreateTable(t, layout);
    } else if (t.Accept({"create", "unique", "index"})) {
        ApplyCreateIndex(t, true, layout);
    } else if (t.Accept({"create", "index"})) {
        ApplyCreateIndex(t, false, layout);
    } else if (t.Accept({"alter", "table"})) {
        ApplyAlterTable(t, layout);
    } else if (t.Accept({"drop"})) {
        ApplyDrop(t, layout);
    } else {
        const std::vector<std::string> tokens = Tokenize(statement);
        if (Contains(tokens, "primary") || Contains(tokens, "unique") ||
            Contains(tokens, "references") || Contains(tokens, "foreign")) {
            layout.problems.push_back("statement not understood but mentions a key: " + statement);
        }
    }
}

// Applies every statement of a migration file, in order.
inline void ApplySql(std::string_view sql, Layout& layout) {
    for (const std::string& statement : SplitStatements(StripComments(sql))) {
        ApplyStatement(statement, layout);
    }
}

// ---- The rule ---------------------------------------------------------------------------------

inline bool LeadsWithOrgId(const std::vector<std::string>& columns) {
    return !columns.empty() && columns.front() == kDistributionColumn;
}

// Returns one message per key that does not lead with org_id, and per non-exempt table that has
// no primary key at all (a table without one could not be checked, nor distributed usefully).
inline std::vector<std::string> Violations(const Layout& layout) {
    std::vector<std::string> violations = layout.problems;
    for (const auto& [name, table] : layout.tables) {
        if (IsExemptTable(name)) {
            continue;
        }
        bool has_primary = false;
        for (const Key& key : table.keys) {
            has_primary = has_primary || key.kind == KeyKind::kPrimary;
            const bool referenced_ok = key.kind != KeyKind::kForeign ||
                                       key.referenced_columns.empty() ||
                                       LeadsWithOrgId(key.referenced_columns);
            if (!LeadsWithOrgId(key.columns) || !referenced_ok) {
                violations.push_back("table " + name + ": " + std::string(KeyKindName(key.kind)) +
                                     " does not lead with org_id");
            }
        }
        if (!has_primary) {
            violations.push_back("table " + name + " has no PRIMARY KEY");
        }
    }
    for (const auto& [name, index] : layout.indexes) {
        if (index.unique && !IsExemptTable(index.table) && !LeadsWithOrgId(index.columns)) {
            violations.push_back("unique index " + name + " on " + index.table +
                                 " does not lead with org_id");
        }
    }
    return violations;
}

// Convenience for tests: the violations of a standalone piece of DDL.
inline std::vector<std::string> CheckDdl(std::string_view sql) {
    Layout layout;
    ApplySql(sql, layout);
    return Violations(layout);
}

inline std::string Join(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& part : parts) {
        out += out.empty() ? part : ", " + part;
    }
    return out;
}

// One line per table, column list, key and index, without types, so two dialects that define the
// same layout with different column types describe it identically.
inline std::set<std::string> Describe(const Layout& layout) {
    std::set<std::string> lines;
    for (const auto& [name, table] : layout.tables) {
        lines.insert("table " + name + " (" + Join(table.columns) + ")");
        for (const Key& key : table.keys) {
            std::string line = "table " + name + " " + std::string(KeyKindName(key.kind)) + " (" +
                               Join(key.columns) + ")";
            if (key.kind == KeyKind::kForeign) {
                line += " REFERENCES " + key.referenced_table + " (" +
                        Join(key.referenced_columns) + ")";
            }
            lines.insert(line);
        }
    }
    for (const auto& [name, index] : layout.indexes) {
        lines.insert(std::string(index.unique ? "unique " : "") + "index " + name + " ON " +
                     index.table + " (" + Join(index.columns) + ")");
    }
    return lines;
}

}  // namespace schema_layout

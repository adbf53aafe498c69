#include "db/url.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace db {

namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";
constexpr std::string_view kSqliteMemory = ":memory:";
// libpq's own bound on opening a connection, a backstop behind Database's probe (DatabaseOptions
// connect_timeout_ms); libpq treats anything under 2 s as 2 s.
constexpr std::string_view kDefaultConnectTimeoutSeconds = "2";

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower >= 'a' && lower <= 'f') {
        return lower - 'a' + 10;
    }
    return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        const int hi = HexValue(text[i + 1]);
        const int lo = HexValue(text[i + 2]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// libpq keyword/value syntax: single-quote the value, escaping quotes and backslashes.
std::string QuoteConnValue(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

scim::Error BadUrl(std::string_view url, std::string_view why) {
    return scim::Error::Internal("invalid database URL " + RedactUrl(url) + ": " +
                                 std::string(why));
}

scim::Result<DatabaseTarget> ParseSqlite(std::string_view url) {
    DatabaseTarget target;
    target.dialect = Dialect::kSqlite;
    std::string_view path = url.substr(kSqlitePrefix.size());
    if (path.empty()) {
        return BadUrl(url, "missing file path after sqlite:");
    }
    if (path == kSqliteMemory) {
        target.memory = true;
    }
    // SOCI splits its connect string on spaces; a quoted value may contain them.
    if (path.find('"') != std::string_view::npos) {
        return BadUrl(url, "the file path may not contain a double quote");
    }
    target.connect_string = "db=\"" + std::string(path) + "\"";
    return target;
}

// libpq keywords whose value is a secret (a password, a client key's passphrase).
// libpq reads keywords in lower case only, but an operator who wrote `PASSWORD=` still meant a
// secret, so any case is masked.
bool IsSecretKey(std::string_view key) {
    std::string lower(key);
    for (char& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return lower == "password" || lower == "sslpassword";
}

struct PgParts {
    std::vector<std::pair<std::string, std::string>> params;  // keyword, decoded value
    std::vector<std::string> secrets;
};

// Splits "user[:pass]@host[:port]/db?k=v&..." (the part after the scheme).
scim::Result<PgParts> SplitPostgres(std::string_view url, std::string_view rest) {
    PgParts parts;
    auto add = [&](std::string key, std::string_view raw) -> bool {
        auto value = PercentDecode(raw);
        if (!value) {
            return false;
        }
        parts.params.emplace_back(std::move(key), std::move(*value));
        return true;
    };
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string_view authority = rest;
    std::string_view dbname;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        authority = rest.substr(0, slash);
        dbname = rest.substr(slash + 1);
    }
    std::string_view hostport = authority;
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        hostport = authority.substr(at + 1);
        std::string_view user = userinfo;
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            user = userinfo.substr(0, colon);
            auto pass = PercentDecode(userinfo.substr(colon + 1));
            if (!pass) {
                return BadUrl(url, "bad percent-encoding in the password");
            }
            parts.secrets.push_back(*pass);
            parts.params.emplace_back("password", *pass);
        }
        if (!user.empty() && !add("user", user)) {
            return BadUrl(url, "bad percent-encoding in the user name");
        }
    }
    std::string_view host = hostport;
    if (!hostport.empty() && hostport.front() == '[') {  // [::1]:5432
        auto close = hostport.find(']');
        if (close == std::string_view::npos) {
            return BadUrl(url, "unclosed [ in the host");
        }
        host = hostport.substr(1, close - 1);
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty() && after.front() == ':' && !add("port", after.substr(1))) {
            return BadUrl(url, "bad port");
        }
    } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
        host = hostport.substr(0, colon);
        if (!add("port", hostport.substr(colon + 1))) {
            return BadUrl(url, "bad port");
        }
    }
    if (!host.empty() && !add("host", host)) {
        return BadUrl(url, "bad percent-encoding in the host");
    }
    if (!dbname.empty() && !add("dbname", dbname)) {
        return BadUrl(url, "bad percent-encoding in the database name");
    }
    while (!query.empty()) {
        std::string_view pair = query.substr(0, query.find('&'));
        query = pair.size() < query.size() ? query.substr(pair.size() + 1) : std::string_view{};
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            return BadUrl(url, "query parameters must be key=value");
        }
        auto key = PercentDecode(pair.substr(0, eq));
        if (!key || !add(*key, pair.substr(eq + 1))) {
            return BadUrl(url, "bad percent-encoding in a query parameter");
        }
        if (IsSecretKey(*key)) {
            parts.secrets.push_back(parts.params.back().second);
        }
    }
    return parts;
}

bool HasKey(const PgParts& parts, std::string_view key) {
    for (const auto& [k, v] : parts.params) {
        if (k == key) {
            return true;
        }
    }
    return false;
}

scim::Result<DatabaseTarget> ParsePostgres(std::string_view url, std::string_view rest) {
    auto parts = SplitPostgres(url, rest);
    if (!parts.ok()) {
        return std::move(parts).error();
    }
    if (!HasKey(*parts, "connect_timeout")) {
        parts->params.emplace_back("connect_timeout", kDefaultConnectTimeoutSeconds);
    }
    DatabaseTarget target;
    target.dialect = Dialect::kPostgres;
    target.secrets = parts->secrets;
    for (const auto& [key, value] : parts->params) {
        if (!target.connect_string.empty()) {
            target.connect_string += ' ';
        }
        target.connect_string += key + "=" + QuoteConnValue(value);
    }
    return target;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(url);
    }
    std::string out(url.substr(0, scheme_end + 3));
    std::string_view rest = url.substr(scheme_end + 3);
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q);  // with the '?'
        rest = rest.substr(0, q);
    }
    auto at = rest.substr(0, rest.find('/')).rfind('@');
    auto colon = at == std::string_view::npos ? at : rest.substr(0, at).find(':');
    if (colon != std::string_view::npos) {
        out += std::string(rest.substr(0, colon)) + ":***" + std::string(rest.substr(at));
    } else {
        out += rest;
    }
    // The query may carry libpq keywords too, passwords among them (`?password=...`).
    while (!query.empty()) {
        out += query.front();  // '?' or '&'
        query.remove_prefix(1);
        std::string_view pair = query.substr(0, query.find('&'));
        query.remove_prefix(pair.size());
        const auto eq = pair.find('=');
        const auto key = PercentDecode(pair.substr(0, eq));
        if (eq != std::string_view::npos && (!key || IsSecretKey(*key))) {
            out += std::string(pair.substr(0, eq)) + "=***";
        } else {
            out += pair;
        }
    }
    return out;
}

std::string RedactConnectMessage(std::string_view message,
                                 const std::vector<std::string>& secrets) {
    std::string out(message);
    for (const std::string& secret : secrets) {
        if (secret.empty()) {
            continue;
        }
        for (auto pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + 3)) {
            out.replace(pos, secret.size(), "***");
        }
    }
    return out;
}

scim::Result<DatabaseTarget> ParseDatabaseUrl(std::string_view url) {
    if (url.substr(0, kSqlitePrefix.size()) == kSqlitePrefix) {
        return ParseSqlite(url);
    }
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (url.substr(0, scheme.size()) == scheme) {
            return ParsePostgres(url, url.substr(scheme.size()));
        }
    }
    // The URL itself is not repeated: in a scheme this parser does not know, nothing marks
    // where a password would be, so only a plausible scheme name is quoted.
    std::string_view scheme = url.substr(0, url.find(':'));
    const bool plausible =
        scheme.size() < url.size() && !scheme.empty() && scheme.size() <= 16 &&
        std::all_of(scheme.begin(), scheme.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    return scim::Error::Internal(
        (plausible ? "unsupported database URL scheme \"" + std::string(scheme) + "\""
                   : std::string("not a database URL")) +
        "; use sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
}

}  // namespace db

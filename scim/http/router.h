#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Path matching for the route table. Patterns are written like "/scim/v2/Users/{id}".
//
// - Literal segments compare ASCII case-insensitively. NOTE(#2): RFC 7644 §3 names endpoints
//   "/Users", but Microsoft Entra ID's validator sends "/users".
// - Empty segments are ignored, so a trailing slash matches too.
// - Segments are percent-decoded before they are compared, and parameters are handed over
//   decoded (Pistache leaves both encoded); a segment that does not decode to valid UTF-8 makes
//   the path not match.
// - HEAD is served by the GET route of a path, and Allow lists HEAD wherever GET is.
// - When several patterns match a path, the one with the fewest parameters wins, so
//   "/Users/.search" beats "/Users/{id}". A method the winning pattern lacks is reported with the
//   methods it has, for a 405 with Allow (RFC 9110 §15.5.6).
namespace scim::http {

struct RouteMatch {
    enum class Kind { kFound, kWrongMethod, kNotFound };
    Kind kind = Kind::kNotFound;
    std::size_t route = 0;            // index returned by Router::Add, when kFound
    std::vector<std::string> params;  // decoded parameters in pattern order, when kFound
    std::string allow;                // e.g. "GET, PUT, PATCH, DELETE", when kWrongMethod
};

class Router {
public:
    // Registers `method` on `pattern` and returns the route's index (0, 1, 2, ... in call order).
    std::size_t Add(std::string method, std::string_view pattern);

    RouteMatch Match(std::string_view method, std::string_view raw_path) const;

    // The pattern a route was registered with, for logs ("route" is the template, never the URL).
    const std::string& Pattern(std::size_t route) const { return routes_[route].pattern; }

private:
    struct Segment {
        std::string literal;  // empty for a parameter
        bool is_param = false;
    };
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<Segment> segments;
        std::size_t param_count = 0;
    };

    static std::vector<std::string_view> Split(std::string_view path);
    static bool Matches(const Route& route, const std::vector<std::string>& parts);
    static void AddAllowed(std::string& allow, std::string_view method);

    std::vector<Route> routes_;
};

}  // namespace scim::http

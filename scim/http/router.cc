#include "scim/http/router.h"

#include <limits>

#include "scim/http/url.h"

namespace scim::http {

std::size_t Router::Add(std::string method, std::string_view pattern) {
    Route route{std::move(method), std::string(pattern), {}, 0};
    for (std::string_view part : Split(pattern)) {
        bool is_param = part.size() >= 2 && part.front() == '{' && part.back() == '}';
        route.segments.push_back({is_param ? std::string() : std::string(part), is_param});
        route.param_count += is_param ? 1 : 0;
    }
    routes_.push_back(std::move(route));
    return routes_.size() - 1;
}

std::vector<std::string_view> Router::Split(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

bool Router::Matches(const Route& route, const std::vector<std::string>& parts) {
    if (route.segments.size() != parts.size()) {
        return false;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Segment& segment = route.segments[i];
        if (!segment.is_param && !EqualsIgnoreCase(segment.literal, parts[i])) {
            return false;
        }
    }
    return true;
}

RouteMatch Router::Match(std::string_view method, std::string_view raw_path) const {
    // RFC 3986 §6.2.2.2: "/scim/v2/%55sers" names the same resource as "/scim/v2/Users", so
    // segments are compared decoded. A segment that does not decode matches nothing.
    std::vector<std::string> parts;
    for (std::string_view raw : Split(raw_path)) {
        auto decoded = PercentDecode(raw, PlusMeans::kPlus);
        if (!decoded) {
            return RouteMatch{};
        }
        parts.push_back(std::move(*decoded));
    }
    // RFC 9110 §9.3.2: HEAD is GET without the body, so it is served by the GET route.
    bool head = method == "HEAD";
    std::string_view wanted = head ? std::string_view("GET") : method;

    // The most specific pattern (fewest parameters) that matches decides the outcome.
    std::size_t best_params = std::numeric_limits<std::size_t>::max();
    for (const Route& route : routes_) {
        if (route.param_count < best_params && Matches(route, parts)) {
            best_params = route.param_count;
        }
    }

    RouteMatch match;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const Route& route = routes_[i];
        if (route.param_count != best_params || !Matches(route, parts)) {
            continue;
        }
        if (route.method != wanted) {
            AddAllowed(match.allow, route.method);
            continue;
        }
        for (std::size_t s = 0; s < parts.size(); ++s) {
            if (route.segments[s].is_param) {
                match.params.push_back(std::move(parts[s]));
            }
        }
        match.kind = RouteMatch::Kind::kFound;
        match.route = i;
        return match;
    }
    match.kind = match.allow.empty() ? RouteMatch::Kind::kNotFound : RouteMatch::Kind::kWrongMethod;
    return match;
}

void Router::AddAllowed(std::string& allow, std::string_view method) {
    auto add = [&allow](std::string_view name) {
        if (allow.find(name) == std::string::npos) {
            allow += (allow.empty() ? "" : ", ") + std::string(name);
        }
    };
    add(method);
    if (method == "GET") {
        add("HEAD");
    }
}

}  // namespace scim::http

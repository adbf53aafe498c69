#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The server's own view of one HTTP exchange, independent of Pistache, so the whole request
// pipeline (routing, limits, authentication, rendering) can be tested without a socket.
namespace scim::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Value of the first header called `name` (ASCII case-insensitive, RFC 9110 §5.1); nullopt when
// absent.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

struct HttpRequest {
    std::string method;  // upper case, e.g. "PATCH"
    std::string path;    // raw path as received, still percent-encoded, without the query
    std::vector<std::pair<std::string, std::string>> query;  // raw (still encoded) name/value
    HeaderList headers;
    std::string body;
    std::string peer;  // client IP address, for throttling and the audit log

    std::optional<std::string_view> Header(std::string_view name) const {
        return FindHeader(headers, name);
    }
};

struct HttpResponse {
    int status = 200;
    HeaderList headers;
    std::string body;

    std::optional<std::string_view> Header(std::string_view name) const {
        return FindHeader(headers, name);
    }
};

}  // namespace scim::http

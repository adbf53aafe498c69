#include "scim/service/etag.h"

#include "scim/text.h"

namespace scim::service {

std::string EtagFor(std::int64_t version) {
    return "W/\"" + std::to_string(version) + "\"";
}

bool EtagMatches(std::string_view header, std::int64_t version) {
    const std::string wanted = "\"" + std::to_string(version) + "\"";
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view tag = TrimBlanks(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        if (tag == "*") {
            return true;
        }
        if (tag.starts_with("W/") || tag.starts_with("w/")) {
            tag.remove_prefix(2);
        }
        if (tag == wanted) {
            return true;
        }
    }
    return false;
}

}  // namespace scim::service

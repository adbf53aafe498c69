#include "scim/service/etag.h"

namespace scim::service {

namespace {

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::string EtagFor(std::int64_t version) {
    return "W/\"" + std::to_string(version) + "\"";
}

bool EtagMatches(std::string_view header, std::int64_t version) {
    const std::string wanted = "\"" + std::to_string(version) + "\"";
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view tag = Trim(header.substr(0, comma));
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

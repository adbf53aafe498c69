#include "scim/http/exchange.h"

#include "scim/http/url.h"

namespace scim::http {

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (EqualsIgnoreCase(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace scim::http

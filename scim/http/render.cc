#include "scim/http/render.h"

namespace scim::http {

std::string ToWire(const nlohmann::json& body) {
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse Render(const service::Response& response) {
    HttpResponse out;
    out.status = response.status;
    if (!response.location.empty()) {
        out.headers.emplace_back("Location", response.location);
    }
    if (!response.etag.empty()) {
        out.headers.emplace_back("ETag", response.etag);
    }
    if (!response.body.is_null()) {
        out.headers.emplace_back("Content-Type", std::string(kScimMediaType));
        out.body = ToWire(response.body);
    }
    return out;
}

HttpResponse Render(const Error& error) {
    return Render(service::Response{error.status, ToJson(error), {}, {}});
}

}  // namespace scim::http

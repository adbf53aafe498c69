#pragma once

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/http/exchange.h"
#include "scim/service/resource_service.h"

// Every response the server sends goes through Render, so every one has the same media type and
// the same treatment of Location and ETag.
namespace scim::http {

inline constexpr std::string_view kScimMediaType = "application/scim+json; charset=utf-8";

// Renders a service response: the status, `Location` when set (RFC 7644 §3.3), `ETag` when set
// (§3.14), and the JSON body unless it is null (204, 304).
HttpResponse Render(const service::Response& response);

// Renders an RFC 7644 §3.12 error body with the error's status. `internal` is never sent.
HttpResponse Render(const Error& error);

// JSON text for the wire. Strings that are not valid UTF-8 (they cannot come from a validated
// request, but a database can hold anything) are replaced rather than failing the response.
std::string ToWire(const nlohmann::json& body);

}  // namespace scim::http

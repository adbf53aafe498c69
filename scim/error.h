#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace scim {

// The scimType values of RFC 7644 §3.12 (Table 9), plus the cursor errors of RFC 9865 §3.2.
enum class ScimType {
    kInvalidFilter,
    kTooMany,
    kUniqueness,
    kMutability,
    kInvalidSyntax,
    kInvalidPath,
    kNoTarget,
    kInvalidValue,
    kInvalidVers,
    kSensitive,
    kInvalidCursor,
    kExpiredCursor,
};

// Wire spelling of a scimType, e.g. "invalidFilter".
std::string_view ScimTypeName(ScimType type);

// The HTTP status that RFC 7644 §3.12 pairs with a scimType: 409 for uniqueness, 400 otherwise.
// `sensitive` is answered with 400 rather than 403: the request is malformed (it put sensitive
// data in the URL), not forbidden, and 400 is what the table of §3.12 lists for it.
int StatusFor(ScimType type);

// The one error type of the protocol core. `detail` is safe to show to the client; `internal`
// goes only to the server log (it may carry SQL state or exception text, never a secret).
struct Error {
    int status = 500;
    std::optional<ScimType> scim_type;
    std::string detail;
    std::string internal;

    // A 4xx with a scimType; the status comes from StatusFor.
    static Error Scim(ScimType type, std::string detail);
    static Error BadRequest(ScimType type, std::string detail) {
        return Scim(type, std::move(detail));
    }
    static Error NotFound(std::string detail) { return {404, std::nullopt, std::move(detail), {}}; }
    static Error Conflict(std::string detail) { return {409, std::nullopt, std::move(detail), {}}; }
    static Error PreconditionFailed(std::string detail) {
        return {412, std::nullopt, std::move(detail), {}};
    }
    static Error Unauthorized(std::string detail) {
        return {401, std::nullopt, std::move(detail), {}};
    }
    static Error Forbidden(std::string detail) {
        return {403, std::nullopt, std::move(detail), {}};
    }
    static Error Unavailable(std::string internal) {
        return {503, std::nullopt, "the directory database is unavailable, retry later",
                std::move(internal)};
    }
    // A server fault: the client sees a generic detail, the log gets `internal`.
    static Error Internal(std::string internal) {
        return {500, std::nullopt, "internal server error", std::move(internal)};
    }
};

// Renders the RFC 7644 §3.12 error body: schemas, status (a string), scimType when set, detail.
nlohmann::json ToJson(const Error& error);

}  // namespace scim

#include "scim/error.h"

namespace scim {

namespace {
constexpr std::string_view kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
}

std::string_view ScimTypeName(ScimType type) {
    switch (type) {
        case ScimType::kInvalidFilter:
            return "invalidFilter";
        case ScimType::kTooMany:
            return "tooMany";
        case ScimType::kUniqueness:
            return "uniqueness";
        case ScimType::kMutability:
            return "mutability";
        case ScimType::kInvalidSyntax:
            return "invalidSyntax";
        case ScimType::kInvalidPath:
            return "invalidPath";
        case ScimType::kNoTarget:
            return "noTarget";
        case ScimType::kInvalidValue:
            return "invalidValue";
        case ScimType::kInvalidVers:
            return "invalidVers";
        case ScimType::kSensitive:
            return "sensitive";
        case ScimType::kInvalidCursor:
            return "invalidCursor";
        case ScimType::kExpiredCursor:
            return "expiredCursor";
    }
    return "invalidValue";
}

int StatusFor(ScimType type) {
    return type == ScimType::kUniqueness ? 409 : 400;
}

Error Error::Scim(ScimType type, std::string detail) {
    return {StatusFor(type), type, std::move(detail), {}};
}

nlohmann::json ToJson(const Error& error) {
    nlohmann::json body = {{"schemas", {kErrorSchema}},
                           {"status", std::to_string(error.status)},
                           {"detail", error.detail}};
    if (error.scim_type) {
        body["scimType"] = ScimTypeName(*error.scim_type);
    }
    return body;
}

}  // namespace scim
